#!/usr/bin/env bash
# Called by the Maven build (pom.xml, phase generate-sources); not meant to be run by hand.
#
#   build-native.sh <cargo profile> <generated-sources dir> <generated-resources dir>
#
# 1. builds the docspace-auth-ffi cdylib with cargo (workspace at ../..),
# 2. generates the Kotlin sources from that library with the project's uniffi-bindgen
#    (scripts/lib/uniffi-bindgen.sh),
# 3. puts a copy of the library under <generated-resources>/<JNA os prefix>/ so that it ends up
#    inside the jar where JNA looks for it (e.g. linux-x86-64/libdocspace_auth_ffi.so).
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 <cargo profile> <generated-sources dir> <generated-resources dir>" >&2
    exit 2
fi
profile=$1
src_out=$2
res_out=$3

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/lib/prereq.sh
. "$root/scripts/lib/prereq.sh"
need_rust "the Kotlin build (build-native.sh)"
prereq_done
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}

case "$profile" in
    debug | dev) profile_args=(); profile_dir=debug ;;
    release) profile_args=(--release); profile_dir=release ;;
    *) profile_args=(--profile "$profile"); profile_dir=$profile ;;
esac

# JNA's resource prefix (com.sun.jna.Platform.RESOURCE_PREFIX) and the library's file name.
os=$(uname -s)
arch=$(uname -m)
case "$arch" in
    x86_64 | amd64) jna_arch=x86-64 ;;
    aarch64 | arm64) jna_arch=aarch64 ;;
    *) jna_arch=$arch ;;
esac
case "$os" in
    Linux) jna_prefix=linux-$jna_arch; lib_file=libdocspace_auth_ffi.so ;;
    Darwin) jna_prefix=darwin-$jna_arch; lib_file=libdocspace_auth_ffi.dylib ;;
    *) echo "build-native.sh: unsupported OS $os" >&2; exit 1 ;;
esac

echo "[docspace-auth] cargo build -p docspace-auth-ffi (profile $profile_dir)"
cargo build ${profile_args[@]+"${profile_args[@]}"} -p docspace-auth-ffi
lib="$target_dir/$profile_dir/$lib_file"
if [ ! -f "$lib" ]; then
    echo "build-native.sh: $lib was not produced" >&2
    exit 1
fi

# The library goes into the jar's resources first: the bindgen run below builds the ffi crate once
# more (with uniffi's CLI, scripts/lib/uniffi-bindgen.sh) in the same target directory.
dest="$res_out/$jna_prefix"
rm -rf "$res_out"
mkdir -p "$dest"
cp "$lib" "$dest/$lib_file"

echo "[docspace-auth] uniffi-bindgen generate --language kotlin -> $src_out"
rm -rf "$src_out"
mkdir -p "$src_out"
generate() {
    bash "$root/scripts/lib/uniffi-bindgen.sh" generate "$1" --language kotlin \
        --no-format --metadata-no-deps --out-dir "$src_out"
}
if ! generate "$dest/$lib_file"; then
    # A profile with `strip = true` removes the metadata uniffi reads. The interface is the same in every
    # profile of the same source, so read it from an unstripped dev build instead.
    if [ "$profile_dir" = debug ]; then
        exit 1
    fi
    echo "[docspace-auth] no uniffi metadata in the $profile_dir library; generating from a dev build"
    cargo build -p docspace-auth-ffi
    rm -rf "$src_out"
    mkdir -p "$src_out"
    generate "$target_dir/debug/$lib_file"
fi

# The jar's copy needs neither debug info nor the static symbol table (the generator above read it
# unstripped; JNA finds the exported functions in the dynamic symbol table, which strip keeps).
if command -v strip >/dev/null 2>&1 && [ "$os" = Linux ]; then
    strip --strip-all "$dest/$lib_file"
fi
echo "[docspace-auth] packaged $jna_prefix/$lib_file ($(wc -c <"$dest/$lib_file") bytes)"
