#!/bin/sh
# rustdoc for `cargo test --doc` (RUSTDOC=this): holds every `compile_fail,E0xxx` doctest to its
# error code. A stable rustdoc checks those codes only when it takes itself for a nightly, so this
# sets RUSTC_BOOTSTRAP=1 for rustdoc alone (rustc and the build are untouched); without it a
# `compile_fail` doctest passes on any compile error, a typo included (core/src/auth/mod.rs).
RUSTC_BOOTSTRAP=1 exec rustdoc "$@"
