#!/usr/bin/env bash
# Runs every test suite of the project. This is the README's test command; .ci/run calls it.
#
#   bash scripts/test.sh                          every suite (about 11 minutes here, from a clean clone)
#   bash scripts/test.sh --check-prerequisites    only checks that every suite's tools are there
#
# Every suite's prerequisites are checked first (one line per missing tool), so that a missing JDK
# is reported before, not after, the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=0
case "${1:-}" in
  --check-prerequisites) check_only=1 ;;
  "") ;;
  *) echo "usage: bash scripts/test.sh [--check-prerequisites]" >&2; exit 2 ;;
esac

# shellcheck source=scripts/lib/prereq.sh
. scripts/lib/prereq.sh
need_rust "the Rust tests"
need_python "the Python tests"
need_maven "the Kotlin tests"
need_java 17 "the Kotlin tests"
# The Swift toolchain: `swift` on the PATH, else (Linux) the chroot's prerequisites.
bash bindings/swift/test.sh --which-toolchain >/dev/null || prereq_missing=$((prereq_missing + 1))
prereq_done
if [ "$check_only" = 1 ]; then
  echo "prerequisites: all found"
  exit 0
fi

echo "==> Rust: cargo test (workspace)"
cargo test --workspace --all-targets
# The doctests, each `compile_fail` one held to its error code (scripts/lib/rustdoc-error-codes.sh).
RUSTDOC="$PWD/scripts/lib/rustdoc-error-codes.sh" cargo test --workspace --doc

echo "==> Python: bindings (mypy --strict on the installed package, pytest on the wheel)"
# test.sh builds, installs and type-checks; the suite runs once, on the wheel installed without Rust.
PYTHON_PYTEST=0 bash bindings/python/test.sh
bash bindings/python/test-wheel.sh

echo "==> Kotlin: mvn verify (bindings/kotlin, JUnit 5 via Surefire)"
bash bindings/kotlin/test.sh

echo "==> Swift: XCTest (bindings/swift, Debian trixie swiftlang chroot)"
bash bindings/swift/test.sh
