//! Two confirms on one pending login at once: the caller whose code the server accepted gets
//! the session; the other gets `AlreadyUsed`, never the first one's session.

use std::sync::Arc;
use std::time::Duration;

use docspace_auth_ffi::{totp_now, AuthError, ClientOptions, DocspaceClient, LoginResult};
use docspace_emulator::{Emulator, EmulatorConfig, Fault, FaultKind};

const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");
const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";

#[tokio::test]
async fn the_caller_whose_code_was_accepted_gets_the_session() {
    let config = EmulatorConfig::from_users_file(USERS).expect("users file");
    let emu = Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts");
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    let pending = match client
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
