//! uniffi bindings for `docspace-auth`.

uniffi::setup_scaffolding!();

/// The version of this library (the crate version).
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
