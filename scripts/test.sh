#!/usr/bin/env bash
# Runs every test suite of the project. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Rust: cargo test (workspace)"
cargo test --workspace --all-targets
cargo test --workspace --doc

echo "==> Python: bindings (mypy --strict, pytest on the installed wheel)"
bash bindings/python/test.sh
bash bindings/python/test-wheel.sh

echo "==> Kotlin: mvn verify (bindings/kotlin, JUnit 5 via Surefire)"
bash bindings/kotlin/test.sh

echo "==> Swift: XCTest (bindings/swift, Debian trixie swiftlang chroot)"
bash bindings/swift/test.sh
