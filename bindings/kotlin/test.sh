#!/usr/bin/env bash
# Builds and tests the Kotlin/JVM bindings from a clean clone: Maven builds the Rust library with cargo,
# generates the Kotlin sources with the workspace's uniffi-bindgen, packages the library in the jar and runs
# the JUnit 5 suite (Surefire) against the emulator binary. `clean` so that no stale class from an earlier
# build is tested.
#
#   bindings/kotlin/test.sh [extra mvn args]
#
# CARGO_PROFILE=release tests a release library instead of the (faster to build) debug one.
set -euo pipefail
cd "$(dirname "$0")"

for tool in mvn java cargo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bindings/kotlin/test.sh: '$tool' is not installed (needs Maven 3.8+, JDK 17+, Rust)" >&2
        exit 1
    fi
done

exec mvn -B -ntp clean verify -Dcargo.profile="${CARGO_PROFILE:-debug}" "$@"
