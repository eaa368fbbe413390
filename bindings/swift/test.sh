#!/usr/bin/env bash
# Builds and tests the Swift package from a clean clone, with the first Swift toolchain found:
#
# - `swift` on the PATH (Xcode's or the Command Line Tools' on macOS, a swift.org toolchain on Linux):
#   used as it is: no chroot, no root, no debootstrap;
# - otherwise, on Linux only, Debian trixie's swiftlang in a chroot (needs root: debootstrap, chroot,
#   mounts), set up once by scripts/setup-toolchain.sh and cached outside the clone
#   (/var/cache/docspace-auth/swift-trixie). This is what CI uses.
#
# DOCSPACE_SWIFT_TOOLCHAIN=path|chroot forces one (default: auto). `test.sh --which-toolchain` checks
# the toolchain's prerequisites (not cargo's), prints the toolchain it would use and exits.
#
# 1. (chroot) sets up (once) / reuses the chroot (scripts/setup-toolchain.sh);
# 2. builds the ffi cdylib and the emulator with cargo on the host (debug; the library the bindings
#    are generated from is never stripped);
# 3. generates the Swift sources, C header and module map with the project's uniffi-bindgen
#    (scripts/lib/uniffi-bindgen.sh) into
#    Sources/DocspaceAuth and Sources/DocspaceAuthFFI (gitignored), the Swift sources patched by
#    scripts/patch-cancellation.pl (task cancellation cancels the Rust call);
# 4. runs `swift test` (chroot: inside it, with the repository, and the cargo target dir if it is
#    elsewhere, bind-mounted at the same path), linking a copy of the debug library
#    (target/swift-native/libdocspace_auth_ffi.{so,dylib}).
#
# Extra arguments go to `swift test` (e.g. `--filter DocspaceAuthTests.ScenarioTests/testPlainLogin`).
set -euo pipefail

SWIFT_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$SWIFT_DIR/../.." && pwd)"
cd "$REPO"

which_only=0
if [ "${1:-}" = --which-toolchain ]; then which_only=1; shift; fi

OS="$(uname -s)"
TOOLCHAIN="${DOCSPACE_SWIFT_TOOLCHAIN:-auto}"
case "$TOOLCHAIN" in
  auto)
    if command -v swift >/dev/null 2>&1; then TOOLCHAIN=path
    elif [ "$OS" = Linux ]; then TOOLCHAIN=chroot
    else TOOLCHAIN=none
    fi ;;
  path | chroot) ;;
  *) echo "docspace-auth: DOCSPACE_SWIFT_TOOLCHAIN must be auto, path or chroot (got '$TOOLCHAIN')" >&2; exit 2 ;;
esac

# shellcheck source=scripts/lib/prereq.sh
. "$REPO/scripts/lib/prereq.sh"
[ "$which_only" = 1 ] || need_rust "the Swift tests"
case "$TOOLCHAIN" in
  path)
    need_cmd swift "a Swift toolchain (swift)" "the Swift tests" \
      "Xcode or xcode-select --install on macOS, https://www.swift.org/install on Linux" ;;
  chroot)
    bash "$SWIFT_DIR/scripts/setup-toolchain.sh" --check-prerequisites || prereq_missing=$((prereq_missing + 1)) ;;
  none)
    prereq_fail "a Swift toolchain (swift) is required for the Swift tests: install it (Xcode, or xcode-select --install for the Command Line Tools)" ;;
esac
prereq_done

if [ "$TOOLCHAIN" = path ]; then
  echo "==> Swift: toolchain $(command -v swift) (from the PATH)"
else
  echo "==> Swift: toolchain (Debian trixie swiftlang in a chroot)"
fi
if [ "$which_only" = 1 ]; then
  exit 0
fi
if [ "$TOOLCHAIN" = chroot ]; then
  bash "$SWIFT_DIR/scripts/setup-toolchain.sh"
fi

echo "==> Swift: cargo build (ffi cdylib, emulator)"
# Separate invocations: building the ffi together with another package would unify features
# into the library (and rebuild it differently from every other build of it).
cargo build -p docspace-auth-ffi
cargo build -p docspace-emulator
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
[ -n "$TARGET_DIR" ] || { echo "cannot find cargo's target directory" >&2; exit 1; }
if [ "$OS" = Darwin ]; then LIB_FILE=libdocspace_auth_ffi.dylib; else LIB_FILE=libdocspace_auth_ffi.so; fi
BUILT="$TARGET_DIR/debug/$LIB_FILE"
EMULATOR="$TARGET_DIR/debug/docspace-emulator"
[ -f "$BUILT" ] || { echo "missing $BUILT" >&2; exit 1; }
[ -x "$EMULATOR" ] || { echo "missing $EMULATOR" >&2; exit 1; }
# The tests link and load a copy: the bindgen run below builds the ffi crate once more (with
# uniffi's CLI, scripts/lib/uniffi-bindgen.sh) in the same target directory.
LIB_DIR="$TARGET_DIR/swift-native"
LIB="$LIB_DIR/$LIB_FILE"
rm -rf "$LIB_DIR"
mkdir -p "$LIB_DIR"
cp "$BUILT" "$LIB"

echo "==> Swift: generate bindings"
GEN="$(mktemp -d)"
trap 'rm -rf "$GEN"' EXIT
bash "$REPO/scripts/lib/uniffi-bindgen.sh" generate --no-format --config "$SWIFT_DIR/uniffi-swift.toml" \
  --library "$LIB" --language swift --out-dir "$GEN"
# Swift task cancellation reaches the Rust future (uniffi 0.32's template does not do it).
perl "$SWIFT_DIR/scripts/patch-cancellation.pl" "$GEN/docspace_auth_ffi.swift"
mkdir -p "$SWIFT_DIR/Sources/DocspaceAuthFFI" "$SWIFT_DIR/Sources/DocspaceAuth"
cp "$GEN/docspace_auth_ffi.swift" "$SWIFT_DIR/Sources/DocspaceAuth/docspace_auth_ffi.swift"
cp "$GEN/DocspaceAuthFFI.h" "$SWIFT_DIR/Sources/DocspaceAuthFFI/DocspaceAuthFFI.h"
# SwiftPM's system-library target wants the module map named module.modulemap.
cp "$GEN/DocspaceAuthFFI.modulemap" "$SWIFT_DIR/Sources/DocspaceAuthFFI/module.modulemap"

if [ "$TOOLCHAIN" = path ]; then
  echo "==> Swift: swift test"
  export DOCSPACE_EMULATOR_BIN="$EMULATOR"
  export DOCSPACE_USERS_FILE="$REPO/tests/fixtures/users.json"
  if [ "$OS" = Darwin ]; then
    # The library's install name is @rpath/…: an rpath finds it (SIP drops DYLD_* for Xcode's tools).
    export DYLD_LIBRARY_PATH="$LIB_DIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
  else
    export LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  cd "$SWIFT_DIR"
  # XCTest only, as in the chroot; Swift 5.x has no swift-testing to disable.
  only_xctest=()
  if swift test --help 2>/dev/null | grep -q -- '--disable-swift-testing'; then
    only_xctest=(--disable-swift-testing)
  fi
  swift test ${only_xctest[@]+"${only_xctest[@]}"} -Xlinker "-L$LIB_DIR" -Xlinker -rpath -Xlinker "$LIB_DIR" "$@"
  exit 0
fi

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
