#!/usr/bin/env bash
# Fails when the shared library apps ship is over its size budget (README "Budgets": 3 MiB,
# stripped). Measures the library of the release wheel that bindings/python/test.sh installed in
# bindings/python/.venv (CI runs it right after the test command), a stripped copy of it;
# scripts/measure-budgets.sh builds and measures everything from scratch.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_cmd strip "strip (binutils)" "scripts/check-size.sh" "apt install binutils / xcode-select --install"
prereq_done
# shellcheck source=scripts/lib/libsize.sh
. scripts/lib/libsize.sh

lib=""
for candidate in bindings/python/.venv/lib/python*/site-packages/docspace_auth/_native/"$lib_file"; do
    [ -f "$candidate" ] && lib="$candidate"
done
if [ -z "$lib" ]; then
    echo "check-size: no installed $lib_file under bindings/python/.venv (run bash bindings/python/test.sh first)" >&2
    exit 1
fi
bytes="$(stripped_bytes "$lib")"
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')
if [ "$bytes" -gt "$LIB_BUDGET" ]; then
    echo "check-size: the release library, stripped, is $mib MiB ($bytes bytes): over its 3 MiB budget" >&2
    exit 1
fi
echo "check-size: the release library, stripped, is $mib MiB ($bytes bytes), within its 3 MiB budget"
