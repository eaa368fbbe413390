//! The workspace's `uniffi-bindgen`: `cargo run -p uniffi-bindgen -- generate --library <lib> --language <lang> --out-dir <dir>`.
//! Kept out of `default-members` so that plain builds do not compile uniffi's CLI.

fn main() {
    uniffi::uniffi_bindgen_main()
}
