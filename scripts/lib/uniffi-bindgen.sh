#!/usr/bin/env bash
# The project's one uniffi-bindgen: docspace-auth-ffi's own `uniffi-bindgen` bin (feature
# `bindgen-cli`, ffi/src/bin/uniffi-bindgen.rs), the one maturin runs for the Python package.
# Kotlin, Swift, Android and the XCFramework run it through this script, so that building every
# binding compiles uniffi's generator once (about 75 s here), not once for maturin and once more.
#
#   bash scripts/lib/uniffi-bindgen.sh generate --library <lib> --language <lang> --out-dir <dir> ...
#
# Its own cargo invocation: built together with the library, feature unification would link
# uniffi's CLI into the library. The run builds docspace-auth-ffi once more with that feature, in
# the same target directory, which may overwrite target/<profile>/deps/libdocspace_auth_ffi.*:
# callers copy the library they package or load before they run this.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec cargo run --quiet --manifest-path "$root/ffi/Cargo.toml" --bin uniffi-bindgen --features bindgen-cli -- "$@"
