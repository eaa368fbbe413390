//! The bindgen that maturin runs (`cargo run --bin uniffi-bindgen --manifest-path ffi/Cargo.toml
//! --features bindgen-cli`): maturin looks for a `uniffi-bindgen` bin in the crate it builds, and the
//! workspace's `uniffi-bindgen` crate is outside `default-members`. Same uniffi version as the library.
//! Only built with the `bindgen-cli` feature, never part of an app build.

fn main() {
    uniffi::uniffi_bindgen_main()
}
