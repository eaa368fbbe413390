#!/usr/bin/env bash
# User-space machine instructions per 2FA login of the Rust clients (floor, core-new, core-clone),
# counted by valgrind's callgrind: repeatable where CPU times are not (a noisy VM, a busy
# machine), but blind to the kernel's work (a loopback round trip's system calls), which the
# full run's CPU times include. Each client logs in N1 then N2 times (after DS_WARMUP logins) in two
# processes; (instructions(N2) - instructions(N1)) / (N2 - N1) is its cost per login, start-up and
# warm-up cancelled out.
#
#   bash bench/instructions.sh            # N1=100, N2=300
#   bash bench/instructions.sh --smoke    # N1=2, N2=4, debug builds (checks that it still works)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

n1=100 n2=300 profile=release profile_args=(--release)
case "${1:-}" in
    --smoke) n1=2 n2=4 profile=debug profile_args=() ;;
    "") ;;
    *) echo "usage: bash bench/instructions.sh [--smoke]" >&2; exit 2 ;;
esac

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "bench/instructions.sh"
need_cmd valgrind valgrind "bench/instructions.sh" "apt install valgrind"
prereq_done
# shellcheck source=scripts/lib/emulator.sh
. scripts/lib/emulator.sh

echo "==> Rust: $profile emulator and bench-client"
cargo build ${profile_args[@]+"${profile_args[@]}"} -q -p docspace-emulator -p docspace-bench
bin="$(cargo_target_dir)/$profile"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$bin/docspace-emulator" --listen 127.0.0.1:0 --users tests/fixtures/users.json >"$work/emulator.log" 2>&1 &
emulator_pid=$!
url="$(emulator_url "$work/emulator.log")"

export DS_URL="$url" DS_USER=bob@example.com DS_PASSWORD=bob-pass DS_SECRET=IFREGZCFMYWV6MJS DS_WARMUP=20

# Instructions of one process that logs in $2 times with client $1.
count() {
    curl -fsS -X POST "$url/emulator/reset" >/dev/null
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin/bench-client" "$1" seq "$2" 1 \
        >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    if ! grep -q "\"failures\":0" "$work/out"; then
        echo "$1: a login failed: $(cat "$work/out")" >&2
        return 1
    fi
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/err"
}

echo "==> callgrind: $n1 and $n2 logins in a row per client (user-space instructions per login)"
floor=""
printf '%-12s %14s %10s\n' client "instr./login" "× floor"
for client in floor core-new core-clone; do
    a="$(count "$client" "$n1")"
    b="$(count "$client" "$n2")"
    per=$(((b - a) / (n2 - n1)))
    [ -z "$floor" ] && floor=$per
    printf '%-12s %14s %10s\n' "$client" "$per" "$(awk -v p="$per" -v f="$floor" 'BEGIN { printf "%.2f", p / f }')"
done
