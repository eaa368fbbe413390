//! Two confirms on one pending login at once: the caller whose code the server accepted gets
//! the session; the other gets `AlreadyUsed`, never the first one's session.

use std::sync::Arc;
use std::time::Duration;

mod common;

use common::{client, emulator, BOB_SECRET};
use docspace_auth_ffi::{totp_now, AuthError, LoginResult};
use docspace_emulator::{Fault, FaultKind};

#[tokio::test]
async fn the_caller_whose_code_was_accepted_gets_the_session() {
    let emu = emulator().await;
    let pending = match client(&emu)
        .login("bob@example.com".into(), "bob-pass".into())
        .await
    {
        Ok(LoginResult::TfaRequired { pending }) => pending,
        _ => panic!("bob has a second factor"),
    };
    // The right code's answer is held back, so the wrong one is sent while it is in flight.
    emu.install_fault(
        Fault::new(FaultKind::Delay(Duration::from_millis(400)))
            .on_path("/api/2.0/authentication/"),
    )
    .expect("fault");
    let requests_before = emu.counters().requests;
    let right = tokio::spawn({
        let pending = Arc::clone(&pending);
        let code = totp_now(BOB_SECRET.into()).expect("totp");
        async move { pending.confirm(code).await }
    });
    while emu.counters().requests == requests_before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let wrong = pending.confirm("000000".into()).await;
    assert!(
        matches!(wrong, Err(AuthError::AlreadyUsed { .. })),
        "the second caller got {:?}",
        wrong.map(|_| "a session")
    );
    let session = right
        .await
        .expect("task")
        .expect("the first caller gets the session");
    assert_eq!(session.me().await.expect("me").email, "bob@example.com");
}
