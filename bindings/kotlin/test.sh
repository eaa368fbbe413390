#!/usr/bin/env bash
# Builds and tests the Kotlin/JVM bindings from a clean clone: Maven builds the Rust library with cargo,
# generates the Kotlin sources with the project's uniffi-bindgen, packages the library in the jar and runs
# the JUnit 5 suite (Surefire) against the emulator binary. `clean` so that no stale class from an earlier
# build is tested.
#
#   bindings/kotlin/test.sh [extra mvn args]
#
# CARGO_PROFILE=release tests a release library instead of the (faster to build) debug one.
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck source=scripts/lib/prereq.sh
. ../../scripts/lib/prereq.sh
need_maven "the Kotlin tests"
need_java 17 "the Kotlin tests" # pom.xml: maven.compiler.release 17
need_rust "the Kotlin tests"
prereq_done

exec mvn -B -ntp clean verify -Dcargo.profile="${CARGO_PROFILE:-debug}" "$@"
