//! A `login` cancelled while its request is in flight: the session the server then issues is
//! logged out (its token revoked), not left valid with nobody holding it.

use std::time::Duration;

mod common;

use common::{client, emulator};
use docspace_emulator::{Fault, FaultKind};

#[tokio::test]
async fn a_cancelled_login_logs_out_the_session_nobody_got() {
    let emu = emulator().await;
    let client = client(&emu);
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
