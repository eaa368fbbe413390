//! A `login` cancelled while its request is in flight: the session the server then issues is
//! logged out (its token revoked), not left valid with nobody holding it.

use std::time::Duration;

use docspace_auth_ffi::{ClientOptions, DocspaceClient};
use docspace_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");

#[tokio::test]
async fn a_cancelled_login_logs_out_the_session_nobody_got() {
    let config = EmulatorConfig::from_users_file(USERS).expect("users file");
    let emu = Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts");
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    emu.install_fault(
        Fault::new(FaultKind::Delay(Duration::from_millis(300))).on_path("/api/2.0/authentication"),
    )
    .expect("fault");
    emu.reset_counters();
    let login = tokio::spawn(async move {
        client
            .login("alice@example.com".into(), "alice-pass".into())
            .await
    });
    while emu.counters().requests == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    login.abort();
    match login.await {
        Err(e) => assert!(e.is_cancelled(), "{e}"),
        Ok(_) => panic!("the login finished before it was cancelled"),
    }
    // The login completes in the background, then its session is logged out: two requests.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while emu.counters().requests < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session was never logged out"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emu.counters().requests, 2);
}
