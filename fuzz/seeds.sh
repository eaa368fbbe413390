#!/usr/bin/env bash
# Writes the seed corpus (fuzz/corpus/<target>/) from real emulator answers: every login flow of
# the fixture users, the answers after it, and the error bodies, as the client receives them.
# Run it again after a wire change; the files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "fuzz/seeds.sh"
need_cmd curl curl "fuzz/seeds.sh" "apt install curl / brew install curl"
need_cmd jq jq "fuzz/seeds.sh" "apt install jq / brew install jq"
if command -v md5sum >/dev/null 2>&1; then
  md5() { md5sum | cut -c1-32; }
elif command -v md5 >/dev/null 2>&1; then
  md5() { command md5 -q; } # macOS
else
  prereq_fail "md5sum is required for fuzz/seeds.sh: install it (apt install coreutils / brew install coreutils)"
fi
prereq_done

out=fuzz/corpus
cargo build -q -p docspace-emulator -p docspace-auth-cli
emulator=target/debug/docspace-emulator
cli=target/debug/docspace-auth

log=$(mktemp)
"$emulator" --users tests/fixtures/users.json >"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$log")

api() { # METHOD PATH [BODY] [HEADER]: the body of the answer, whatever its status
  curl -s -X "$1" "$base/api/2.0/$2" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} ${4:+-H "$4"}
}
creds() { printf '{"userName":"%s","password":"%s"}' "$1" "$2"; }
seed() { # TARGET NAME: stdin to corpus file
  mkdir -p "$out/$1"
  cat >"$out/$1/$2"
}
error_seed() { # NAME STATUS KIND BODY RETRY SECRET...
  local name=$1 status=$2 kind=$3 body=$4 retry=$5
  shift 5
  {
    printf "\\x$(printf %02x $((status >> 8)))\\x$(printf %02x $((status & 255)))\\x$(printf %02x "$kind")"
    printf '%s' "$body"
    printf '\0%s' "$retry" "$@"
  } | seed error_answer "$name"
}

# Step 1 of each flow.
for user in alice:alice-pass bob:bob-pass carol:carol-pass dave:dave-pass; do
  api POST authentication "$(creds "${user%%:*}@example.com" "${user#*:}")" | seed login_answer "${user%%:*}"
done
# Step 2: bob's TOTP code, dave's SMS (sent again), then the answers a session reads.
code=$(DOCSPACE_TOTP_SECRET=IFREGZCFMYWV6MJS "$cli" totp 2>/dev/null)
api POST "authentication/$code" "$(creds bob@example.com bob-pass)" | tee "$out.bob" | seed other_answers code
api POST authentication/sendsms "$(creds dave@example.com dave-pass)" | seed other_answers sendsms
bob_token=$(jq -r .response.token "$out.bob")
rm -f "$out.bob"
auth="Authorization: $bob_token"
api GET settings/tfaappcodes "" "$auth" | seed other_answers backup_codes
api GET people/@self "" "$auth" | seed other_answers me
api GET authentication "" "$auth" | seed other_answers token_valid
api POST authentication/logout "" "Cookie: asc_auth_key=$bob_token" | seed other_answers logout
api GET authentication "" "$auth" | seed other_answers token_revoked

# Errors, with the secrets the request carried.
error_seed wrong_password 401 0 "$(api POST authentication "$(creds alice@example.com nope)")" "" nope
error_seed wrong_code 401 1 "$(api POST authentication/000000 "$(creds bob@example.com bob-pass)")" "" bob-pass 000000
error_seed disabled 403 0 "$(api POST authentication "$(creds erin@example.com erin-pass)")" "" erin-pass
error_seed revoked 401 2 "$(api GET people/@self "" "$auth")" "" "$bob_token"
error_seed rate_limited 429 0 "" "7"
error_seed rate_limited_date 429 0 "" "Wed, 21 Oct 2037 07:28:00 GMT"
error_seed echo 403 0 '{"error":{"message":"bad password \"p\\\"w\" for P%22W"}}' "" 'p"w'
error_seed server 503 2 "<html>busy</html>" "120"

# Expiries as the emulator writes them, and the shapes docs/protocol.md §6.3 lists.
n=0
for answer in login_answer/alice login_answer/dave other_answers/code other_answers/sendsms; do
  n=$((n + 1))
  jq -jr '.response.expires // empty' "$out/$answer" | seed expiry "emulator-$n"
done
for at in 0001-01-01T00:00:00 9999-12-31T23:59:59.9999999 9999-12-31T23:59:59-01:00 \
  2030-01-01T00:00:00.1234567+03:00 2030-01-01T00:00:00Z 7; do
  printf '%s' "$at" | seed expiry "$(printf '%s' "$at" | md5 | cut -c1-12)"
done

for typed in 123456 " 123 456 " aB3-x_ 12345! 1234567; do
  printf '%s' "$typed" | seed code_parse "$(printf '%s' "$typed" | md5 | cut -c1-12)"
done
printf 'portal.example.com\0carol@example.com\0JBSWY3DPEHPK3PXP' | seed otpauth_uri carol
printf 'a&b=c\0x y@z\0jbsw y3dp-ehpk 3pxp==' | seed otpauth_uri odd

# What `login --output` writes, in both forms.
DOCSPACE_PASSWORD=alice-pass "$cli" login --portal "$base" --user alice@example.com --json | seed cli_token_file json
DOCSPACE_PASSWORD=alice-pass "$cli" login --portal "$base" --user alice@example.com | seed cli_token_file plain
echo "seeds written to $out/"
