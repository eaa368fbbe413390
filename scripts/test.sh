#!/usr/bin/env bash
# Runs every test suite of the project. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Rust: cargo test (workspace)"
cargo test --workspace --all-targets
cargo test --workspace --doc
