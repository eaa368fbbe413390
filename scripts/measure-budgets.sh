#!/usr/bin/env bash
# Measures the budgets of issue 5 and prints them (the README reports these numbers):
#   - `import docspace_auth`: wall time (< 100 ms) and peak RSS of the process (< 25 MB),
#   - the release shared library, stripped copy (< 3 MB, rustls with ring, no aws-lc-rs),
#   - the wheel (< 2 MB).
# Not a test: prints numbers, exits 0 (non-zero only if something could not be measured).
# Uses bindings/python/.venv (created as bindings/python/test.sh does when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/bindings/python"
venv="$here/.venv"
cd "$root"

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "scripts/measure-budgets.sh"
need_python "scripts/measure-budgets.sh"
need_cmd strip "strip (binutils)" "scripts/measure-budgets.sh" "apt install binutils / xcode-select --install"
prereq_done
# shellcheck source=scripts/lib/libsize.sh
. scripts/lib/libsize.sh
case "$(uname -s)" in Darwin) os_name=macOS ;; *) os_name=$(uname -s) ;; esac

[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.14,<2"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> building the release library and the wheel (profile.release of the root Cargo.toml)"
cargo build -q --release -p docspace-auth-ffi
(cd "$here" && "$venv/bin/maturin" build -q --release --out "$work/wheel" >/dev/null)
wheel="$(ls "$work"/wheel/*.whl)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

if cargo tree -q -p docspace-auth-ffi -e normal --prefix none | grep -Eq '^(aws-lc|openssl-sys|native-tls)'; then
    echo "FORBIDDEN TLS backend in the dependency tree:" >&2
    cargo tree -q -p docspace-auth-ffi -e normal --prefix none | grep -E '^(aws-lc|openssl-sys|native-tls)' >&2
    exit 1
fi

so_bytes="$(stripped_bytes "target/release/$lib_file")"
wheel_bytes=$(wc -c <"$wheel" | tr -d ' ')

# Import time and peak RSS: fresh interpreters, run from an empty directory (installed package),
# median of 7 runs for the time; RSS is the whole process's peak (ru_maxrss).
cd "$work"
# The numbers go through a file: bash 3.2 misparses a here-document inside $(...) or <(...).
"$venv/bin/python" - "$venv/bin/python" >"$work/import.txt" <<'PY'
import statistics, subprocess, sys
python = sys.argv[1]
probe = ("import time, resource; t = time.perf_counter(); import docspace_auth; "
         "d = time.perf_counter() - t; "
         "print(d * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
base = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
runs = [subprocess.run([python, "-c", probe], check=True, capture_output=True, text=True).stdout.split()
        for _ in range(7)]
ms = statistics.median(float(r[0]) for r in runs)
rss = max(int(r[1]) for r in runs)
base_rss = int(subprocess.run([python, "-c", base], check=True, capture_output=True, text=True).stdout)
print(f"{ms:.1f} {rss} {base_rss}")
PY
read -r import_ms rss_kb base_kb <"$work/import.txt"

mb() { awk -v b="$1" 'BEGIN { printf "%.2f MiB (%d bytes)", b / 1048576, b }'; }
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v < l) ? "ok" : "OVER BUDGET" }'; }
echo
echo "budget                                   measured                       limit    verdict"
printf '%-40s %-30s %-8s %s\n' "import docspace_auth: time (median)" "${import_ms} ms" "100 ms" "$(verdict "$import_ms" 100)"
printf '%-40s %-30s %-8s %s\n' "import docspace_auth: peak RSS" "$(awk -v k="$rss_kb" 'BEGIN{printf "%.1f MiB", k/1024}') (bare python $(awk -v k="$base_kb" 'BEGIN{printf "%.1f", k/1024}'))" "25 MiB" "$(verdict "$rss_kb" $((25 * 1024)))"
printf '%-40s %-30s %-8s %s\n' "release .${lib_file##*.}, stripped ($(uname -m) $os_name)" "$(mb "$so_bytes")" "3 MiB" "$(verdict "$so_bytes" "$LIB_BUDGET")"
printf '%-40s %-30s %-8s %s\n' "wheel ($(basename "$wheel"))" "$(mb "$wheel_bytes")" "2 MiB" "$(verdict "$wheel_bytes" $((2 * 1048576)))"
