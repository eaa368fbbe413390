//! The `*_blocking` methods (Python's sync API): a whole 2FA login from a thread without any
//! event loop, against the real emulator; and a typed error, not a panic, from inside one.

use docspace_auth_ffi::{AuthError, ClientOptions, DocspaceClient, LoginResult, Session};
use docspace_emulator::{Emulator, EmulatorConfig};

const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/users.json");
const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";

/// The emulator runs on its own runtime's worker threads; the test thread has no runtime.
fn emulator() -> (tokio::runtime::Runtime, Emulator) {
    emulator_with(|_| {})
}

/// [`emulator`] with `tune` applied to its configuration first.
fn emulator_with(tune: impl FnOnce(&mut EmulatorConfig)) -> (tokio::runtime::Runtime, Emulator) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut config = EmulatorConfig::from_users_file(USERS).expect("users file");
    tune(&mut config);
    let emu = runtime
        .block_on(Emulator::start(
            config,
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("emulator starts");
    (runtime, emu)
}

#[test]
fn a_2fa_login_and_logout_without_an_event_loop() {
    let (_runtime, emu) = emulator();
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    let wrong = client.login_blocking("bob@example.com".into(), "nope".into());
    assert!(matches!(wrong, Err(AuthError::InvalidCredentials { .. })));
    let pending = match client.login_blocking("bob@example.com".into(), "bob-pass".into()) {
        Ok(LoginResult::TfaRequired { pending }) => pending,
        Ok(LoginResult::Authenticated { .. }) => panic!("bob has a second factor"),
        Err(e) => panic!("{e:?}"),
    };
    let code = docspace_auth_ffi::totp_now(BOB_SECRET.into()).expect("totp");
    let session = pending.confirm_blocking(code).expect("code accepted");
    assert_eq!(session.me_blocking().expect("me").email, "bob@example.com");
    assert!(session.is_valid_blocking().expect("is_valid"));
    assert!(!session.backup_codes_blocking().expect("codes").is_empty());
    let token = session.token().expect("token");
    session.logout_blocking().expect("logout");
    let resumed = Session::resume(emu.base_url().to_owned(), token, ClientOptions::default())
        .expect("resume");
    assert!(!resumed.is_valid_blocking().expect("is_valid"), "revoked");
    assert!(matches!(
        pending.confirm_blocking("123456".into()),
        Err(AuthError::AlreadyUsed { .. })
    ));
}

#[test]
fn a_blocking_call_inside_an_async_runtime_is_an_error_not_a_panic() {
    let (runtime, emu) = emulator();
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    let got = runtime
        .block_on(async { client.login_blocking("alice@example.com".into(), "alice-pass".into()) });
    match got {
        Err(AuthError::Other { detail }) => assert!(detail.contains("async"), "{detail}"),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("logged in from inside a runtime"),
    }
}

/// One client used at once by blocking calls on several threads (each on its own runtime) and
/// by async calls on a multi-threaded runtime, with a pending login started on one thread and
/// confirmed on another, several times over: no call waits on a connection another runtime
/// serves (each would then stall until its timeout, set short here).
#[test]
fn blocking_calls_on_many_threads_and_async_calls_share_one_client() {
    let (runtime, emu) = emulator();
    let options = ClientOptions {
        timeout: Some(std::time::Duration::from_secs(5)),
        ..ClientOptions::default()
    };
    let client = DocspaceClient::new(emu.base_url().to_owned(), options).expect("client");
    let pending_login = |client: &DocspaceClient| match client
        .login_blocking("bob@example.com".into(), "bob-pass".into())
    {
        Ok(LoginResult::TfaRequired { pending }) => pending,
        Ok(LoginResult::Authenticated { .. }) => panic!("bob has a second factor"),
        Err(e) => panic!("{e:?}"),
    };
    let started = std::time::Instant::now();
    for _ in 0..3 {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..3 {
                        let pending = pending_login(&client);
                        // Confirmed on another thread, with its own runtime.
                        let session = std::thread::scope(|t| {
                            t.spawn(|| {
                                let code =
                                    docspace_auth_ffi::totp_now(BOB_SECRET.into()).expect("totp");
                                pending.confirm_blocking(code).expect("code accepted")
                            })
                            .join()
                            .expect("thread")
                        });
                        assert!(session.is_valid_blocking().expect("is_valid"));
                    }
                });
            }
            // Meanwhile, async logins on the multi-threaded runtime.
            runtime.block_on(async {
                for _ in 0..3 {
                    let result = client
                        .login("alice@example.com".into(), "alice-pass".into())
                        .await
                        .expect("async login");
                    assert!(matches!(result, LoginResult::Authenticated { .. }));
                }
            });
        });
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "a call waited for a timeout: {:?}",
        started.elapsed()
    );
}

/// Credentials far above the portal's request body limit (64 KiB, as a real server has one):
/// the portal answers 413 without reading the body and closes the connection. A blocking call's
/// runtime runs only while a call waits, so the client cannot notice that close before its next
/// request: the portal's `Connection: close` (a real server's answer to a request it will not
/// read) keeps it from reusing the connection. Each refused login is a typed error, and the
/// login after it works.
#[test]
fn a_refused_oversized_login_leaves_the_client_usable() {
    let (_runtime, emu) = emulator();
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    for _ in 0..20 {
        let huge = "x".repeat(150_000);
        match client.login_blocking(huge.clone(), huge) {
            Err(AuthError::UnexpectedResponse { .. } | AuthError::Transport { .. }) => {}
            Err(other) => panic!("refused with {other:?}"),
            Ok(_) => panic!("a 150 KB login was accepted"),
        }
        match client.login_blocking("alice@example.com".into(), "alice-pass".into()) {
            Ok(LoginResult::Authenticated { .. }) => {}
            Ok(LoginResult::TfaRequired { .. }) => panic!("alice has no second factor"),
            Err(e) => panic!("the login after a refused one: {e:?}"),
        }
    }
}

/// A server closes a kept-alive connection that stays idle (its keep-alive timeout; a user
/// typing the code takes longer). A blocking call's runtime is not running between calls, so
/// it has not seen the close when the next call starts: the confirm must not send its request
/// into the closed connection (it failed with "connection closed before message completed") but
/// on a new one.
#[test]
fn a_confirm_after_the_server_closed_the_idle_connection_works() {
    let (_runtime, emu) =
        emulator_with(|config| config.idle_timeout = std::time::Duration::from_millis(200));
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    for _ in 0..3 {
        let pending = match client.login_blocking("bob@example.com".into(), "bob-pass".into()) {
            Ok(LoginResult::TfaRequired { pending }) => pending,
            Ok(LoginResult::Authenticated { .. }) => panic!("bob has a second factor"),
            Err(e) => panic!("{e:?}"),
        };
        std::thread::sleep(std::time::Duration::from_millis(600));
        let code = docspace_auth_ffi::totp_now(BOB_SECRET.into()).expect("totp");
        match pending.confirm_blocking(code) {
            Ok(session) => assert!(!session.token().expect("token").is_empty()),
            Err(e) => panic!("the confirm after an idle pause: {e:?}"),
        }
    }
}

/// The futures of a login stay small: every move of one (into the runtime, into a blocking
/// call, into uniffi's future) copies it whole, and a login's request futures are kilobytes.
/// They are boxed where they are handed to the runtime (`blocking::in_task`, `detach`); an
/// `async fn` that awaited a future given to it would hold that future twice and make each of
/// these several kilobytes again.
#[test]
fn the_futures_of_a_login_are_small_to_move() {
    const MOST: usize = 1024;
    let (_runtime, emu) = emulator();
    let client =
        DocspaceClient::new(emu.base_url().to_owned(), ClientOptions::default()).expect("client");
    let login = client.login("bob@example.com".into(), "bob-pass".into());
    let login_size = std::mem::size_of_val(&login);
    drop(login);
    let pending = match client.login_blocking("bob@example.com".into(), "bob-pass".into()) {
        Ok(LoginResult::TfaRequired { pending }) => pending,
        Ok(LoginResult::Authenticated { .. }) => panic!("bob has a second factor"),
        Err(e) => panic!("{e:?}"),
    };
    let confirm = pending.confirm("123456".into());
    let confirm_size = std::mem::size_of_val(&confirm);
    drop(confirm);
    let info_size = std::mem::size_of_val(&client.portal_info());
    eprintln!(
        "future sizes: login {login_size} B, confirm {confirm_size} B, portal_info {info_size} B"
    );
    assert!(login_size <= MOST, "login's future: {login_size} bytes");
    assert!(
        confirm_size <= MOST,
        "confirm's future: {confirm_size} bytes"
    );
    assert!(info_size <= MOST, "portal_info's future: {info_size} bytes");
    // The pending login was not touched by the futures dropped unpolled.
    let code = docspace_auth_ffi::totp_now(BOB_SECRET.into()).expect("totp");
    assert!(pending.confirm_blocking(code).is_ok());
}
