//! What the FFI test binaries share: the fixture users and an emulator on 127.0.0.1.
#![allow(dead_code)] // each test binary uses a part of it

use std::sync::Arc;

use docspace_auth_ffi::{ClientOptions, DocspaceClient};
use docspace_emulator::{Emulator, EmulatorConfig};

pub const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");
pub const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";

/// The fixture users' emulator, in the current runtime.
pub async fn emulator() -> Emulator {
    let config = EmulatorConfig::from_users_file(USERS).expect("users file");
    Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts")
}

/// A client for `emu` with the default options.
pub fn client(emu: &Emulator) -> Arc<DocspaceClient> {
    DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client")
}
