#!/usr/bin/env bash
# Python bindings, from a clean clone: a venv in bindings/python/.venv, maturin/pytest/mypy from
# PyPI, the package built and installed into it, `mypy --strict` on the installed package and on
# the tests, then pytest against the installed wheel and the emulator (PYTHON_PYTEST=0: not pytest).
#
# The library is built with cargo's release profile by default: test-wheel.sh then builds the
# release wheel from the same build in seconds (maturin's debug build does not share cargo test's
# artifacts, so a debug build here costs minutes and the wheel's release build minutes more).
# CARGO_PROFILE=debug builds a debug library instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

# shellcheck source=scripts/lib/prereq.sh
. "$root/scripts/lib/prereq.sh"
need_rust "the Python tests"
need_python "the Python tests" "$python"
prereq_done

echo "==> Python: emulator binary"
(cd "$root" && cargo build -q -p docspace-emulator)
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
  | "$python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export DOCSPACE_EMULATOR="${DOCSPACE_EMULATOR:-$target_dir/debug/docspace-emulator}"

echo "==> Python: venv and tools"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "maturin>=1.14,<2" "pytest>=8" "mypy>=1.10"

echo "==> Python: the vendor's SDK (docspace-api-sdk, pinned), for the token handoff test"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "docspace-api-sdk==3.7.0"

profile="${CARGO_PROFILE:-release}"
case "$profile" in
  debug) maturin_profile=dev ;;
  release) maturin_profile=release ;;
  *) echo "CARGO_PROFILE must be debug or release, not $profile" >&2; exit 2 ;;
esac
echo "==> Python: build and install docspace_auth (cargo profile $profile)"
MATURIN_PEP517_ARGS="--profile $maturin_profile" "$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$here"

# Run from outside the source tree so that only the installed package is importable.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "==> Python: mypy --strict"
"$venv/bin/python" -m mypy --strict --config-file "$here/pyproject.toml" -p docspace_auth
MYPYPATH="$here/tests" "$venv/bin/python" -m mypy --strict --config-file "$here/pyproject.toml" "$here/tests"

# scripts/test.sh runs the suite once, in test-wheel.sh, against the wheel installed without Rust.
if [ "${PYTHON_PYTEST:-1}" = 0 ]; then
  echo "==> Python: pytest left to test-wheel.sh (PYTHON_PYTEST=0)"
  exit 0
fi
echo "==> Python: pytest"
"$venv/bin/python" -m pytest -p no:cacheprovider --rootdir "$here/tests" "$here/tests" "$@"
