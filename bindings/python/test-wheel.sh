#!/usr/bin/env bash
# The wheel as a user without Rust gets it: builds the release wheel (build-wheel.sh), then, with
# a PATH on which there is no cargo, rustc or C compiler, installs it into a fresh virtualenv
# (binary packages only) and runs the pytest suite (tests/) against it and the emulator.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

# shellcheck source=scripts/lib/prereq.sh
. "$root/scripts/lib/prereq.sh"
need_rust "the Python wheel test"
need_python "the Python wheel test" "$python"
prereq_done

echo "==> wheel test: emulator binary"
(cd "$root" && cargo build -q -p docspace-emulator)
target_dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps \
  | "$python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
export DOCSPACE_EMULATOR="${DOCSPACE_EMULATOR:-$target_dir/debug/docspace-emulator}"
[ -x "$DOCSPACE_EMULATOR" ] || { echo "test-wheel.sh: no emulator at $DOCSPACE_EMULATOR" >&2; exit 1; }

dist="$(mktemp -d)"
work="$(mktemp -d)"
# The clean-up runs after the PATH is cut down (below): it restores the PATH first.
original_path="$PATH"
trap 'PATH="$original_path"; rm -rf "$dist" "$work"' EXIT
DIST_DIR="$dist" bash "$here/build-wheel.sh"
wheel=""
for f in "$dist"/*.whl; do
  [ -e "$f" ] && wheel="$f"
done
[ -n "$wheel" ] || { echo "test-wheel.sh: build-wheel.sh left no wheel" >&2; exit 1; }

echo "==> wheel test: fresh virtualenv"
venv="$work/venv"
"$python" -m venv "$venv"

# From here on the PATH holds the virtualenv's bin directory only (its python, pip, pytest): no
# cargo, rustc or C compiler. The tests start the emulator by its absolute path
# (DOCSPACE_EMULATOR) and Python by sys.executable; they spawn nothing else.
export PATH="$venv/bin"
hash -r
for tool in cargo rustc rustup cc gcc clang c++ g++; do
  if command -v "$tool" >/dev/null 2>&1; then
    echo "test-wheel.sh: $tool is still on the PATH ($(command -v "$tool"))" >&2
    exit 1
  fi
done
echo "PATH=$PATH (no cargo, rustc, cc, gcc or clang)"

echo "==> wheel test: pip install (binary packages only) ${wheel##*/}"
python -m pip install -q --disable-pip-version-check --only-binary :all: \
  "$wheel" "pytest>=8" "docspace-api-sdk==3.7.0"

# Run from outside the source tree so that only the installed package is importable.
cd "$work"
python - <<'EOF'
import importlib.metadata as md

dist = md.distribution("docspace-auth")
files = [str(f) for f in dist.files or []]
assert "docspace_auth/py.typed" in files, files
tags = [l.split(":", 1)[1].strip() for l in (dist.read_text("WHEEL") or "").splitlines()
        if l.startswith("Tag:")]
assert tags and all(t.startswith("py3-none-") for t in tags), tags
print("installed:", dist.metadata["Name"], dist.version, ", ".join(tags), "(py.typed included)")
EOF

echo "==> wheel test: pytest"
python -m pytest -p no:cacheprovider --rootdir "$here/tests" "$here/tests" "$@"
