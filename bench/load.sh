#!/usr/bin/env bash
# Load: TOTAL two-factor logins, C at a time, from one process (the Rust core, a new `Auth` per
# login) against the release emulator on loopback. Prints the failures and the peak RSS of the
# client and of the emulator.
#
#   bash bench/load.sh [C [TOTAL]]     defaults: 1000 at a time, 2000 in all
set -euo pipefail
cd "$(dirname "$0")/.."
c="${1:-1000}"
total="${2:-2000}"
# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "bench/load.sh"
need_python "bench/load.sh" python3
# GNU time's -f (macOS's /usr/bin/time has no -f; Homebrew's gnu-time installs it as gtime, not here).
/usr/bin/time -f "%M" true >/dev/null 2>&1 \
  || prereq_fail "GNU time (/usr/bin/time with -f) is required for bench/load.sh: install it (apt install time)"
if [ "$prereq_missing" -gt 0 ]; then exit 2; fi
# shellcheck source=scripts/lib/emulator.sh
. scripts/lib/emulator.sh
# A thousand connections on each side, in two processes.
ulimit -n 8192 2>/dev/null || true

echo "==> release emulator and bench client"
cargo build -q --release -p docspace-emulator -p docspace-bench
target_dir="$(cargo_target_dir)"
work="$(mktemp -d)"
trap 'pkill -TERM -P "$emu_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

/usr/bin/time -f "%M" -o "$work/emulator.rss" \
    "$target_dir/release/docspace-emulator" --listen 127.0.0.1:0 --users tests/fixtures/users.json \
    > "$work/emulator.out" 2>&1 &
emu_pid=$!
url="$(emulator_url "$work/emulator.out")"

echo "==> $total logins, $c at a time (bob@example.com: password, then a TOTP code)"
DS_URL="$url" DS_USER=bob@example.com DS_PASSWORD=bob-pass DS_SECRET=IFREGZCFMYWV6MJS DS_WARMUP=0 \
    /usr/bin/time -f "%M" -o "$work/client.rss" \
    "$target_dir/release/bench-client" core-new conc "$c" "$total" > "$work/client.json" 2> "$work/client.err" || true
# SIGTERM to the emulator itself (GNU time's child): it exits 0, then time writes its RSS.
pkill -TERM -P "$emu_pid" || true
wait "$emu_pid" 2>/dev/null || true

python3 - "$work" "$c" <<'PY'
import json, pathlib, sys
work, c = pathlib.Path(sys.argv[1]), sys.argv[2]
run = json.loads((work / "client.json").read_text().strip().splitlines()[-1])["run"]
client_mb = int((work / "client.rss").read_text().split()[-1]) / 1024
emulator_mb = int((work / "emulator.rss").read_text().split()[-1]) / 1024
print(f"logins: {run['n']}, {c} at a time: {run['ok']} ok, {run['failures']} failed "
      f"in {run['wall_us'] / 1e6:.2f} s ({run['n'] / (run['wall_us'] / 1e6):,.0f} logins/s)")
print(f"peak RSS: client {client_mb:.1f} MiB, emulator {emulator_mb:.1f} MiB")
errors = (work / "client.err").read_text().strip().splitlines()
for line in sorted(set(errors))[:5]:
    print(f"  {line}")
sys.exit(1 if run["failures"] else 0)
PY
