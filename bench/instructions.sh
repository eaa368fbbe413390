#!/usr/bin/env bash
# User-space machine instructions per 2FA login of the Rust clients (floor, core-new, core-clone)
# and, when docspace_auth is installed (see below), of Python's (py-sync, py-async), counted by
# valgrind's callgrind: repeatable where CPU times are not (a noisy VM, a busy
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

# Instructions of one process that logs in $1 times: the client's command line follows, to which
# `seq $1 1` is added. Every login must succeed (no "failures" count above 0 in its JSON line).
count() {
    local n=$1
    shift
    curl -fsS -X POST "$url/emulator/reset" >/dev/null
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" seq "$n" 1 \
        >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
    if ! grep -Eq '"failures": ?0[,}]' "$work/out" || grep -Eq '"failures": ?[1-9]' "$work/out"; then
        echo "$*: a login failed: $(cat "$work/out")" >&2
        return 1
    fi
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$work/err"
}

# Python's clients (bench/clients/python, the binding's sync and async API) are counted too when an
# interpreter with docspace_auth installed is found: BENCH_PYTHON, else the venv bench/run.sh
# installs (full runs), else the one bindings/python/test.sh installs (CI's smoke run).
python=""
for candidate in "${BENCH_PYTHON:-}" "$root/bench/.work/venv-py/bin/python" "$root/bindings/python/.venv/bin/python"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && (cd "$work" && "$candidate" -c 'import docspace_auth') 2>/dev/null; then
        python="$candidate"
        break
    fi
done
clients=(floor core-new core-clone)
[ -n "$python" ] && clients+=(py-sync py-async)

echo "==> callgrind: $n1 and $n2 logins in a row per client (user-space instructions per login, every thread)"
[ -n "$python" ] && echo "    Python: $python" || echo "    Python: skipped (no interpreter with docspace_auth; BENCH_PYTHON=...)"
floor=""
printf '%-12s %14s %10s\n' client "instr./login" "× floor"
for client in "${clients[@]}"; do
    case "$client" in
        py-*) command=("$python" bench/clients/python/docspace_client.py "${client#py-}") ;;
        *) command=("$bin/bench-client" "$client") ;;
    esac
    a="$(count "$n1" "${command[@]}")"
    b="$(count "$n2" "${command[@]}")"
    per=$(((b - a) / (n2 - n1)))
    [ -z "$floor" ] && floor=$per
    printf '%-12s %14s %10s\n' "$client" "$per" "$(awk -v p="$per" -v f="$floor" 'BEGIN { printf "%.2f", p / f }')"
done
