#!/usr/bin/env bash
# Builds DocspaceAuthFFI.xcframework for Apple platforms (run on macOS with Xcode and rustup; not run
# in CI here). Slices: iOS device (arm64), iOS simulator (arm64 + x86_64), macOS (arm64 + x86_64),
# each a static library of the Rust crate `docspace-auth-ffi`.
#
# Output, in bindings/swift/:
#   DocspaceAuthFFI.xcframework               static libraries + C header + module map (module DocspaceAuthFFI)
#   Sources/DocspaceAuth/docspace_auth_ffi.swift   the generated Swift sources
# Package.swift switches to the XCFramework (a binary target) when DocspaceAuthFFI.xcframework is
# present, so afterwards the package works as a local or git dependency from Xcode / SwiftPM.
# (For distribution, zip the XCFramework, publish it, and point a binaryTarget(url:checksum:) at it;
# `swift package compute-checksum DocspaceAuthFFI.xcframework.zip` gives the checksum.)
#
# Environment:
#   PROFILE                       cargo profile (default: release)
#   IPHONEOS_DEPLOYMENT_TARGET    default 13.0
#   MACOSX_DEPLOYMENT_TARGET      default 10.15
#
# Usage: bindings/swift/scripts/build-xcframework.sh
set -euo pipefail

SWIFT_DIR="$(cd "$(dirname "$0")/.." && pwd)"
REPO="$(cd "$SWIFT_DIR/../.." && pwd)"
cd "$REPO"

# shellcheck source=scripts/lib/prereq.sh
. "$REPO/scripts/lib/prereq.sh"
if [ "$(uname -s)" != Darwin ]; then
  prereq_fail "macOS with Xcode is required for the XCFramework (build-xcframework.sh): run it on a Mac"
else
  need_cmd xcodebuild "Xcode (xcodebuild)" "the XCFramework" "from the App Store, then xcode-select -s /Applications/Xcode.app"
  need_cmd lipo "lipo (Xcode)" "the XCFramework" "Xcode or xcode-select --install"
fi
need_rust "the XCFramework"
need_cmd rustup "rustup (the iOS and macOS targets)" "the XCFramework" "https://rustup.rs"
prereq_done

PROFILE="${PROFILE:-release}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-13.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-10.15}"
LIB=libdocspace_auth_ffi.a
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)

rustup target add "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  echo "==> cargo build -p docspace-auth-ffi --profile $PROFILE --target $t"
  cargo build -p docspace-auth-ffi --profile "$PROFILE" --target "$t"
done
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
# cargo names the directory of the `dev` profile "debug".
PROFILE_DIR="$PROFILE"
[ "$PROFILE" = dev ] && PROFILE_DIR=debug
lib() { echo "$TARGET_DIR/$1/$PROFILE_DIR/$LIB"; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Bindings come from a host dev build of the cdylib: it keeps uniffi's metadata whatever the
# release profile strips (same API as the static libraries). Build it on its own, not in the same
# cargo invocation as uniffi-bindgen (feature unification).
echo "==> generate Swift bindings"
cargo build -p docspace-auth-ffi
bash "$REPO/scripts/lib/uniffi-bindgen.sh" generate --no-format --config "$SWIFT_DIR/uniffi-swift.toml" \
  --library "$TARGET_DIR/debug/libdocspace_auth_ffi.dylib" --language swift --out-dir "$WORK/gen"
# Swift task cancellation reaches the Rust future (uniffi 0.32's template does not do it).
perl "$SWIFT_DIR/scripts/patch-cancellation.pl" "$WORK/gen/docspace_auth_ffi.swift"
cp "$WORK/gen/docspace_auth_ffi.swift" "$SWIFT_DIR/Sources/DocspaceAuth/docspace_auth_ffi.swift"

# Headers in a subdirectory, so that module maps of several XCFrameworks never collide in an app.
HEADERS="$WORK/headers"
mkdir -p "$HEADERS/DocspaceAuthFFI"
cp "$WORK/gen/DocspaceAuthFFI.h" "$HEADERS/DocspaceAuthFFI/"
cp "$WORK/gen/DocspaceAuthFFI.modulemap" "$HEADERS/DocspaceAuthFFI/module.modulemap"

# One library per platform: lipo the architectures of the simulator and of macOS together.
mkdir -p "$WORK/ios-sim" "$WORK/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$WORK/ios-sim/$LIB"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$WORK/macos/$LIB"

OUT="$SWIFT_DIR/DocspaceAuthFFI.xcframework"
rm -rf "$OUT"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$HEADERS" \
  -library "$WORK/ios-sim/$LIB" -headers "$HEADERS" \
  -library "$WORK/macos/$LIB" -headers "$HEADERS" \
  -output "$OUT"

echo "==> built $OUT"
echo "    check: (cd $SWIFT_DIR && swift build)   # macOS slice"
