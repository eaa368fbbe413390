#!/usr/bin/env bash
# Builds and tests the Swift package on Linux, from a clean clone (needs root: chroot + mounts).
#
# 1. sets up (once) / reuses the Swift toolchain chroot (scripts/setup-toolchain.sh);
# 2. builds the ffi cdylib and the emulator with cargo on the host (debug; the library the bindings
#    are generated from is never stripped);
# 3. generates the Swift sources, C header and module map with the workspace's uniffi-bindgen into
#    Sources/DocspaceAuth and Sources/DocspaceAuthFFI (gitignored), the Swift sources patched by
#    scripts/patch-cancellation.pl (task cancellation cancels the Rust call);
# 4. runs `swift test` inside the chroot, with the repository (and the cargo target dir, if it is
#    elsewhere) bind-mounted at the same path, linking target/debug/libdocspace_auth_ffi.so.
#
# Extra arguments go to `swift test` (e.g. `--filter DocspaceAuthTests.ScenarioTests/testPlainLogin`).
set -euo pipefail

SWIFT_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$SWIFT_DIR/../.." && pwd)"
cd "$REPO"

echo "==> Swift: toolchain (Debian trixie swiftlang in a chroot)"
bash "$SWIFT_DIR/scripts/setup-toolchain.sh"

echo "==> Swift: cargo build (ffi cdylib, emulator)"
# Separate invocations: building the ffi together with another package would unify features
# into the library (and rebuild it differently from every other build of it).
cargo build -p docspace-auth-ffi
cargo build -p docspace-emulator
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$TARGET_DIR" ] || { echo "cannot find cargo's target directory" >&2; exit 1; }
LIB_DIR="$TARGET_DIR/debug"
LIB="$LIB_DIR/libdocspace_auth_ffi.so"
EMULATOR="$LIB_DIR/docspace-emulator"
[ -f "$LIB" ] || { echo "missing $LIB" >&2; exit 1; }
[ -x "$EMULATOR" ] || { echo "missing $EMULATOR" >&2; exit 1; }

echo "==> Swift: generate bindings"
GEN="$(mktemp -d)"
trap 'rm -rf "$GEN"' EXIT
cargo run -q -p uniffi-bindgen -- generate --no-format --config "$SWIFT_DIR/uniffi-swift.toml" \
  --library "$LIB" --language swift --out-dir "$GEN"
# Swift task cancellation reaches the Rust future (uniffi 0.32's template does not do it).
perl "$SWIFT_DIR/scripts/patch-cancellation.pl" "$GEN/docspace_auth_ffi.swift"
mkdir -p "$SWIFT_DIR/Sources/DocspaceAuthFFI" "$SWIFT_DIR/Sources/DocspaceAuth"
cp "$GEN/docspace_auth_ffi.swift" "$SWIFT_DIR/Sources/DocspaceAuth/docspace_auth_ffi.swift"
cp "$GEN/DocspaceAuthFFI.h" "$SWIFT_DIR/Sources/DocspaceAuthFFI/DocspaceAuthFFI.h"
# SwiftPM's system-library target wants the module map named module.modulemap.
cp "$GEN/DocspaceAuthFFI.modulemap" "$SWIFT_DIR/Sources/DocspaceAuthFFI/module.modulemap"

BINDS=(--bind "$REPO")
case "$TARGET_DIR/" in
  "$REPO"/*) ;;
  *) BINDS+=(--bind "$TARGET_DIR") ;;
esac

echo "==> Swift: swift test (in the chroot)"
bash "$SWIFT_DIR/scripts/chroot-run.sh" "${BINDS[@]}" --chdir "$SWIFT_DIR" \
  --env "LD_LIBRARY_PATH=$LIB_DIR" \
  --env "DOCSPACE_EMULATOR_BIN=$EMULATOR" \
  --env "DOCSPACE_USERS_FILE=$REPO/tests/fixtures/users.json" \
  -- swift test --disable-swift-testing -Xlinker "-L$LIB_DIR" "$@"
