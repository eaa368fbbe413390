#!/usr/bin/env bash
# Builds the Android library of the Kotlin bindings, without Gradle: docspace-auth-<version>.aar and a
# .pom listing its dependencies, in bindings/kotlin/android/build/ (or $AAR_OUT). Every step of the
# Android recipe in bindings/kotlin/README.md, as one script:
#
# 1. checks the prerequisites, one line for each missing one, before anything is built;
# 2. builds libdocspace_auth_ffi.so for each ABI with cargo-ndk (release profile, API $ANDROID_MIN_SDK);
# 3. generates the Kotlin sources from a host dev build with the project's uniffi-bindgen (as
#    build-native.sh does for the JVM jar; the interface is the same in every build of one commit);
# 4. compiles them and android/src (DocspaceAuthAndroid) with kotlinc against the SDK's android.jar,
#    JNA and kotlinx-coroutines (from Maven Central, via mvn) into classes.jar;
# 5. zips the AAR: AndroidManifest.xml, classes.jar, jni/<abi>/libdocspace_auth_ffi.so, proguard.txt
#    (consumer-rules.pro), an empty R.txt; and writes the .pom (JNA as an AAR, coroutines for Android,
#    rustls-platform-verifier's Kotlin component at the version cargo resolves).
#
#   bindings/kotlin/android/build-aar.sh [--check]     --check: step 1 only
#
# Environment:
#   ANDROID_NDK_HOME          the NDK (required; cargo-ndk reads it)
#   ANDROID_HOME              the SDK (or ANDROID_SDK_ROOT): platforms/android-<N>/android.jar
#   ANDROID_COMPILE_SDK       the platform to compile against (default: the newest installed, >= 33)
#   ANDROID_MIN_SDK           minSdkVersion and cargo-ndk --platform (default 24; see the README)
#   ANDROID_ABIS              default "arm64-v8a armeabi-v7a x86_64 x86"
#   PROFILE                   cargo profile of the .so files (default release)
#
# Not run on this project's machines (no Android NDK or SDK there); see the README.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
kotlin_dir="$(cd "$here/.." && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  *) echo "usage: bindings/kotlin/android/build-aar.sh [--check]" >&2; exit 2 ;;
esac

abis="${ANDROID_ABIS:-arm64-v8a armeabi-v7a x86_64 x86}"
min_sdk="${ANDROID_MIN_SDK:-24}"
profile="${PROFILE:-release}"
out="${AAR_OUT:-$here/build}"
purpose="the Android AAR (build-aar.sh)"

rust_target() { # ABI -> Rust target
  case "$1" in
    arm64-v8a) echo aarch64-linux-android ;;
    armeabi-v7a) echo armv7-linux-androideabi ;;
    x86_64) echo x86_64-linux-android ;;
    x86) echo i686-linux-android ;;
    *) return 1 ;;
  esac
}

targets=""
for abi in $abis; do
  t="$(rust_target "$abi")" || { echo "build-aar.sh: unknown Android ABI '$abi' in ANDROID_ABIS" >&2; exit 2; }
  targets="$targets $t"
done

# 1. Prerequisites.
# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "$purpose"
need_java 17 "$purpose"
need_maven "$purpose (JNA and kotlinx-coroutines to compile against)"
need_cmd jar "the JDK's jar" "$purpose" "apt install openjdk-17-jdk / brew install openjdk@17"
need_cmd kotlinc "the Kotlin compiler (kotlinc)" "$purpose" "sdk install kotlin / brew install kotlin, or https://kotlinlang.org/docs/command-line.html"
if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "${ANDROID_NDK_HOME:-}" ]; then
  prereq_fail "the Android NDK is required for $purpose: install it (sdkmanager 'ndk;27.2.12479018', or Android Studio's SDK Manager) and set ANDROID_NDK_HOME to it${ANDROID_NDK_HOME:+ (ANDROID_NDK_HOME=$ANDROID_NDK_HOME is not a directory)}"
fi
if ! cargo ndk --version >/dev/null 2>&1; then
  prereq_fail "cargo-ndk is required for $purpose: install it (cargo install cargo-ndk)"
fi
if command -v rustup >/dev/null 2>&1; then
  installed="$(rustup target list --installed 2>/dev/null || true)"
  missing_targets=""
  for t in $targets; do
    printf '%s\n' "$installed" | grep -qx "$t" || missing_targets="$missing_targets $t"
  done
  if [ -n "$missing_targets" ]; then
    prereq_fail "the Rust Android targets are required for $purpose: install them (rustup target add$missing_targets)"
  fi
else
  prereq_fail "rustup (for the Rust Android targets) is required for $purpose: install it (https://rustup.rs)"
fi
sdk="${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}"
android_jar=""
if [ -n "$sdk" ] && [ -d "$sdk/platforms" ]; then
  if [ -n "${ANDROID_COMPILE_SDK:-}" ]; then
    android_jar="$sdk/platforms/android-$ANDROID_COMPILE_SDK/android.jar"
  else
    # The newest installed platform (android-<N>, numerically).
    newest="$(find "$sdk/platforms" -mindepth 1 -maxdepth 1 -name 'android-[0-9]*' | sed 's/.*android-//' \
      | sort -n | tail -n 1)"
    [ -z "$newest" ] || android_jar="$sdk/platforms/android-$newest/android.jar"
  fi
fi
if [ -z "$android_jar" ] || [ ! -f "$android_jar" ]; then
  prereq_fail "the Android SDK's android.jar (API 33 or later) is required for $purpose: install a platform (sdkmanager 'platforms;android-35') and set ANDROID_HOME${android_jar:+ ($android_jar is missing)}"
fi
prereq_done
if [ "$check_only" = 1 ]; then
  echo "build-aar.sh: prerequisites found (NDK $ANDROID_NDK_HOME, $android_jar)"
  exit 0
fi

version="$(sed -n 's/^version = "\(.*\)"/\1/p' ffi/Cargo.toml | head -n 1)"
[ -n "$version" ] || { echo "build-aar.sh: no version in ffi/Cargo.toml" >&2; exit 1; }
pom_prop() { sed -n "s:.*<$1>\\(.*\\)</$1>.*:\\1:p" "$kotlin_dir/pom.xml" | head -n 1; }
jna_version="$(pom_prop jna.version)"
coroutines_version="$(pom_prop kotlinx.coroutines.version)"
verifier_version="$(cargo metadata --format-version 1 --filter-platform aarch64-linux-android \
  | tr '{' '\n' | sed -n 's/^"name":"rustls-platform-verifier-android","version":"\([^"]*\)".*/\1/p' | head -n 1)"
[ -n "$verifier_version" ] || { echo "build-aar.sh: rustls-platform-verifier-android is not in cargo metadata" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/aar"
mkdir -p "$stage"

# 2. The native libraries, one per ABI.
echo "==> cargo ndk ($abis), API $min_sdk, profile $profile"
ndk_args=()
for abi in $abis; do ndk_args+=(-t "$abi"); done
cargo ndk ${ndk_args[@]+"${ndk_args[@]}"} --platform "$min_sdk" -o "$stage/jni" build --profile "$profile" -p docspace-auth-ffi
for abi in $abis; do
  [ -f "$stage/jni/$abi/libdocspace_auth_ffi.so" ] \
    || { echo "build-aar.sh: cargo ndk left no jni/$abi/libdocspace_auth_ffi.so" >&2; exit 1; }
done

# 3. The Kotlin sources, from a host dev build (unstripped: uniffi reads its metadata).
echo "==> uniffi-bindgen generate --language kotlin"
case "$(uname -s)" in
  Darwin) host_lib=libdocspace_auth_ffi.dylib ;;
  *) host_lib=libdocspace_auth_ffi.so ;;
esac
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
# Separate invocations (feature unification would link uniffi's CLI into the library).
cargo build -p docspace-auth-ffi
bash "$root/scripts/lib/uniffi-bindgen.sh" generate "$target_dir/debug/$host_lib" --language kotlin \
  --no-format --metadata-no-deps --out-dir "$work/src"

# 4. classes.jar.
echo "==> kotlinc -> classes.jar (against $android_jar)"
mvn -B -ntp -q dependency:copy -DoutputDirectory="$work/deps" \
  -Dartifact="net.java.dev.jna:jna:$jna_version:jar"
mvn -B -ntp -q dependency:copy -DoutputDirectory="$work/deps" \
  -Dartifact="org.jetbrains.kotlinx:kotlinx-coroutines-core-jvm:$coroutines_version:jar"
classpath="$android_jar:$work/deps/jna-$jna_version.jar:$work/deps/kotlinx-coroutines-core-jvm-$coroutines_version.jar"
sources=()
while IFS= read -r f; do sources+=("$f"); done < <(find "$work/src" "$here/src/main/kotlin" -name '*.kt' | sort)
kotlinc -no-jdk -no-reflect -jvm-target 11 -classpath "$classpath" -d "$stage/classes.jar" ${sources[@]+"${sources[@]}"}

# 5. The AAR and its POM.
cat >"$stage/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.docspace.auth">
    <uses-sdk android:minSdkVersion="$min_sdk" />
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
XML
cp "$here/consumer-rules.pro" "$stage/proguard.txt"
: >"$stage/R.txt"
mkdir -p "$out"
aar="$out/docspace-auth-$version.aar"
rm -f "$aar"
(cd "$stage" && jar cfM "$aar" AndroidManifest.xml classes.jar proguard.txt R.txt jni)
cat >"$out/docspace-auth-$version.pom" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.docspace</groupId>
  <artifactId>docspace-auth</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <dependencies>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>$jna_version</version><type>aar</type></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-android</artifactId><version>$coroutines_version</version></dependency>
    <dependency><groupId>org.rustls</groupId><artifactId>rustls-platform-verifier</artifactId><version>$verifier_version</version></dependency>
  </dependencies>
</project>
XML
echo "==> built $aar"
(cd "$stage" && find . -type f | sort | sed 's/^\.\//    /')
echo "    and $out/docspace-auth-$version.pom (rustls-platform-verifier $verifier_version: see the README for its repository)"
