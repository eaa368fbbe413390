//! What the client puts on the wire, checked byte by byte against a scripted HTTP/1.1 server
//! on 127.0.0.1 that records every request (core must not depend on the emulator, and the
//! emulator is lenient about several of these details: raw vs `Bearer` token, cookies, ...).

mod scripted;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{Auth, Challenge, Code, Error, LoginOutcome, TfaPending, TransportErrorKind};
use serde_json::json;

use scripted::{ok, Recorded, Reply, Server};

const BOB: &str = "bob@example.com";
const BOB_PASS: &str = "bob-pass s3cret";
const TOKEN: &str = "dG9r+ZW4/x=";

async fn pending(server: &Server) -> Auth<TfaPending> {
    let auth = Auth::builder(&server.url)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    match auth
        .login(BOB, SecretString::from(BOB_PASS))
        .await
        .expect("login")
    {
        LoginOutcome::TfaRequired(pending) => pending,
        other => panic!("expected 2FA, got {other:?}"),
    }
}

fn assert_no_cookie_no_auth_key(request: &Recorded) {
    assert_eq!(request.header("cookie"), None, "{request:?}");
    assert!(
        !request.headers.iter().any(|(k, _)| k == "asc_auth_key"),
        "{request:?}"
    );
}

/// §1, §4.3, §5, §6.1: the whole chain, request by request, on one connection.
#[tokio::test]
async fn a_2fa_login_chain_sends_what_the_protocol_says() {
    let server = Server::start(vec![
        // Step 1 with enrolment: the confirm-key cookie must not be kept.
        Reply::Full(
            200,
            vec![(
                "Set-Cookie",
                "asc_confirm_key_TfaActivation=ck; path=/; httponly".into(),
            )],
            json!({"response": {"expires": "0001-01-01T00:00:00", "sms": false, "tfa": true,
                    "tfaKey": "JBSWY3DPEHPK3PXP",
                    "confirmUrl": "http://127.0.0.1/confirm/TfaActivation?type=TfaActivation&uid=1"},
                   "count": 1, "status": 0, "statusCode": 200})
            .to_string(),
        ),
        // The code: token in the body, and a Set-Cookie that must not be stored either.
        Reply::Full(
            200,
            vec![(
                "Set-Cookie",
                "asc_auth_key=cookie-token; path=/; httponly".into(),
            )],
            json!({"response": {"token": TOKEN, "expires": "2027-07-01T10:13:11.1234567Z",
                    "sms": false, "tfa": true}, "count": 1, "status": 0, "statusCode": 200})
            .to_string(),
        ),
        ok(json!({"id": "u1", "displayName": "Bob", "email": BOB})),
        ok(json!(true)),
        Reply::Full(
            200,
            vec![],
            json!({"count": 0, "status": 0, "statusCode": 200}).to_string(),
        ),
    ])
    .await;
    let pending = pending(&server).await;
    assert!(matches!(pending.challenge(), Challenge::AppEnrollment(_)));
    let session = pending
        .confirm(Code::parse("123 456").expect("code"))
        .await
        .expect("confirm");
    assert_eq!(session.token().expose_secret(), TOKEN);
    assert!(session.expires().is_some());
    assert_eq!(session.me().await.expect("me").display_name, "Bob");
    assert!(session.is_valid().await.expect("is_valid"));
    session.logout().await.expect("logout");

    let requests = server.requests();
    assert_eq!(requests.len(), 5, "{requests:#?}");
    assert!(
        requests.iter().all(|r| r.connection == 1),
        "one connection for the whole chain: {requests:#?}"
    );

    // The Host header names the portal's host and port (not the default port: it is kept).
    let host = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    assert!(
        requests.iter().all(|r| r.header("host") == Some(host)),
        "{host}: {requests:#?}"
    );

    let login = &requests[0];
    assert_eq!(
        (login.method.as_str(), login.path.as_str()),
        ("POST", "/api/2.0/authentication")
    );
    assert_eq!(login.header("content-type"), Some("application/json"));
    assert_eq!(
        login.json(),
        json!({"userName": BOB, "password": BOB_PASS, "session": false})
    );
    assert_eq!(login.header("authorization"), None);
    assert_no_cookie_no_auth_key(login);

    let confirm = &requests[1];
    assert_eq!(
        (confirm.method.as_str(), confirm.path.as_str()),
        ("POST", "/api/2.0/authentication/123456")
    );
    assert_eq!(confirm.header("content-type"), Some("application/json"));
    assert_eq!(
        confirm.json(),
        json!({"userName": BOB, "password": BOB_PASS, "session": false, "code": "123456"})
    );
    assert_eq!(confirm.header("authorization"), None);
    assert_no_cookie_no_auth_key(confirm);
    for request in &requests {
        assert!(
            !request.everything().contains("JBSWY3DPEHPK3PXP"),
            "the TOTP secret is never sent back: {request:?}"
        );
    }

    for (request, path) in [
        (&requests[2], "/api/2.0/people/@self"),
        (&requests[3], "/api/2.0/authentication"),
    ] {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", path)
        );
        assert_eq!(
            request.header("authorization"),
            Some(TOKEN),
            "the raw token"
        );
        assert_no_cookie_no_auth_key(request);
    }

    let logout = &requests[4];
    assert_eq!(
        (logout.method.as_str(), logout.path.as_str()),
        ("POST", "/api/2.0/authentication/logout")
    );
    assert_eq!(
        logout.header("cookie"),
        Some(format!("asc_auth_key={TOKEN}").as_str())
    );
    assert!(!logout.headers.iter().any(|(k, _)| k == "asc_auth_key"));
}

/// The `session` flag and a backup code (case kept) in path and body; `resend_sms` re-sends
/// the credentials.
#[tokio::test]
async fn session_flag_backup_code_and_resend() {
    let server = Server::start(vec![
        ok(
            json!({"expires": "2030-01-01T00:00:00Z", "sms": true, "tfa": false,
                  "phoneNoise": "+1555*****4567"}),
        ),
        ok(
            json!({"expires": "2030-01-01T00:10:00Z", "sms": true, "tfa": false,
                  "phoneNoise": "+1555*****4567"}),
        ),
        ok(json!({"token": TOKEN, "expires": "0001-01-01T00:00:00", "sms": true, "tfa": false})),
    ])
    .await;
    let auth = Auth::builder(&server.url)
        .session(true)
        .build()
        .expect("client");
    let LoginOutcome::TfaRequired(pending) = auth
        .login(BOB, SecretString::from(BOB_PASS))
        .await
        .expect("login")
    else {
        panic!("expected 2FA");
    };
    assert!(matches!(pending.challenge(), Challenge::Sms { .. }));
    pending.resend_sms().await.expect("resend");
    let session = pending
        .confirm(Code::parse("aB3-x_").expect("code"))
        .await
        .expect("confirm");
    assert_eq!(session.expires(), None);

    let requests = server.requests();
    let credentials = json!({"userName": BOB, "password": BOB_PASS, "session": true});
    assert_eq!(requests[0].json(), credentials);
    assert_eq!(requests[1].path, "/api/2.0/authentication/sendsms");
    assert_eq!(requests[1].json(), credentials);
    assert_eq!(requests[2].path, "/api/2.0/authentication/aB3-x_");
    assert_eq!(
        requests[2].json(),
        json!({"userName": BOB, "password": BOB_PASS, "session": true, "code": "aB3-x_"})
    );
}

/// The cap holds while the body streams in: an endless body is refused after about the cap,
/// long before the timeout (a client that buffered first would time out instead).
#[tokio::test]
async fn body_cap_is_enforced_while_streaming() {
    let server = Server::start(vec![Reply::Endless]).await;
    let auth = Auth::builder(&server.url)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let started = Instant::now();
    let got = auth.login(BOB, SecretString::from(BOB_PASS)).await;
    assert!(
        matches!(&got, Err(Error::UnexpectedResponse { detail }) if detail.contains("larger")),
        "{got:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Give the server a moment to notice the hang-up, then look at how much it wrote.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let written = server.endless_written.load(Ordering::SeqCst);
    assert!(written < 8 * 1024 * 1024, "{written} bytes");
}

/// The whole-request timeout also covers reading the body.
#[tokio::test]
async fn timeout_covers_the_body() {
    let server = Server::start(vec![Reply::Stall]).await;
    let auth = Auth::builder(&server.url)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let started = Instant::now();
    let got = auth.login(BOB, SecretString::from(BOB_PASS)).await;
    assert!(
        matches!(
            got,
            Err(Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            })
        ),
        "{got:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// The pool: a connection whose answer was read in full (an error status too) takes the next
/// request; one whose request failed (here: timed out in the body) is closed instead, and the
/// next request goes on a new one.
#[tokio::test]
async fn only_connections_whose_answer_was_read_in_full_are_reused() {
    let server = Server::start(vec![
        Reply::Full(
            401,
            vec![],
            json!({"error": {"message": "nope"}, "status": 1, "statusCode": 401}).to_string(),
        ),
        Reply::Stall,
        ok(json!({"sms": false, "tfa": true})),
    ])
    .await;
    let auth = Auth::builder(&server.url)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let login = || auth.clone().login(BOB, SecretString::from(BOB_PASS));
    let rejected = login().await;
    assert!(
        matches!(rejected, Err(Error::InvalidCredentials)),
        "{rejected:?}"
    );
    let stalled = login().await;
    assert!(
        matches!(
            stalled,
            Err(Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            })
        ),
        "{stalled:?}"
    );
    let pending = login().await.expect("login");
    assert!(matches!(pending, LoginOutcome::TfaRequired(_)));
    let connections: Vec<u64> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(connections, [1, 1, 2]);
}

/// A redirect is not followed, even to the same server.
#[tokio::test]
async fn redirect_is_not_followed() {
    let server = Server::start(vec![Reply::Full(
        307,
        vec![("Location", "/api/2.0/authentication/again".into())],
        String::new(),
    )])
    .await;
    let got = Auth::new(&server.url)
        .expect("client")
        .login(BOB, SecretString::from(BOB_PASS))
        .await;
    assert!(
        matches!(got, Err(Error::UnexpectedResponse { .. })),
        "{got:?}"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.requests().len(), 1);
}

/// A logout the server did not answer (5xx, transport) hands the session back; after a 401
/// (the token is already invalid) or a 2xx there is nothing left to log out.
#[tokio::test]
async fn logout_hands_the_session_back_unless_answered() {
    let envelope = |code: u16| json!({"error": {"message": "x"}, "status": 1, "statusCode": code});
    let server = Server::start(vec![
        Reply::Full(503, vec![], envelope(503).to_string()),
        Reply::Drop,
        Reply::Full(401, vec![], envelope(401).to_string()),
    ])
    .await;
    let session = Auth::builder(&server.url)
        .timeout(Duration::from_secs(5))
        .resume(SecretString::from("logout-tok-7Qx"))
        .expect("resume");
    let failed = session.logout().await.expect_err("503");
    assert!(
        matches!(failed.error(), Error::Server { status: 503 }),
        "{failed:?}"
    );
    let failed = failed
        .into_session()
        .expect("503: handed back")
        .logout()
        .await;
    let failed = failed.expect_err("dropped");
    assert!(
        matches!(failed.error(), Error::Transport { .. }),
        "{failed:?}"
    );
    let (error, session) = failed.into_parts();
    assert!(!format!("{error} {error:?}").contains("logout-tok-7Qx"));
    let failed = session
        .expect("drop: handed back")
        .logout()
        .await
        .expect_err("401");
    assert!(matches!(failed.error(), Error::Unauthorized), "{failed:?}");
    assert!(failed.into_session().is_none());
}

/// A `tfaKey` that is not Base32 never reaches the QR code nor the screen: with it a server
/// could override the issuer an authenticator shows, or write terminal escapes.
#[tokio::test]
async fn an_enrolment_key_that_is_not_base32_is_refused() {
    let hostile = [
        "ABC&issuer=Evil\u{1b}[2J",
        "jbswy3dpehpk3pxp",
        "JBSWY3DP EHPK3PXP",
        "",
    ];
    let replies = hostile
        .iter()
        .map(|key| {
            ok(
                json!({"expires": "0001-01-01T00:00:00", "sms": false, "tfa": true,
                             "tfaKey": key, "confirmUrl": "https://p/confirm"}),
            )
        })
        .collect();
    let server = Server::start(replies).await;
    for key in hostile {
        let got = Auth::new(&server.url)
            .expect("client")
            .login(BOB, SecretString::from(BOB_PASS))
            .await;
        match got {
            Err(Error::UnexpectedResponse { detail }) => {
                assert!(detail.contains("tfaKey"), "{detail}");
                assert!(key.is_empty() || !detail.contains(key), "{detail}");
            }
            other => panic!("{key:?} accepted: {other:?}"),
        }
    }
}

/// No secret in the errors of a failed confirm: not the code (it is in the URL path), not the
/// password, whatever the failure.
#[tokio::test]
async fn confirm_errors_carry_no_secret() {
    let app = || ok(json!({"expires": "0001-01-01T00:00:00", "sms": false, "tfa": true}));
    let server = Server::start(vec![
        app(),
        Reply::Drop,
        app(),
        Reply::Stall,
        app(),
        // A hostile or broken server echoing the credentials in its 403 message.
        Reply::Full(
            403,
            vec![],
            json!({"error": {"message": format!("blocked {BOB_PASS} with code 987123")},
                   "status": 1, "statusCode": 403})
            .to_string(),
        ),
    ])
    .await;
    for _ in 0..3 {
        let pending = {
            let auth = Auth::builder(&server.url)
                .timeout(Duration::from_millis(500))
                .build()
                .expect("client");
            match auth.login(BOB, SecretString::from(BOB_PASS)).await {
                Ok(LoginOutcome::TfaRequired(pending)) => pending,
                other => panic!("expected 2FA, got {other:?}"),
            }
        };
        let rejected = pending
            .confirm(Code::parse("987123").expect("code"))
            .await
            .expect_err("fails");
        let text = format!("{rejected} {rejected:?} {:?}", rejected.error());
        assert!(!text.contains("987123"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        let _pending: docspace_auth::Auth<docspace_auth::TfaPending> = rejected.into_pending();
    }
}

/// Timeouts far beyond any deadline (an app passing `u64::MAX` milliseconds) work like none.
#[tokio::test]
async fn huge_timeouts_do_not_overflow() {
    let server = Server::start(vec![ok(
        json!({"token": TOKEN, "expires": "9999-12-31T23:59:59.9999999Z", "sms": false, "tfa": false}),
    )])
    .await;
    let auth = Auth::builder(&server.url)
        .timeout(Duration::MAX)
        .connect_timeout(Duration::from_millis(u64::MAX))
        .build()
        .expect("client");
    let got = auth.login(BOB, SecretString::from(BOB_PASS)).await;
    let Ok(LoginOutcome::Authenticated(session)) = got else {
        panic!("{got:?}");
    };
    assert!(
        session.expires().is_some(),
        "a far expiry is still an expiry"
    );
}

/// A scripted server on a multi-threaded runtime of its own, and a current-thread runtime for the
/// client, apart from it: what the client's runtime runs is the client's alone.
fn apart(replies: Vec<Reply>) -> (tokio::runtime::Runtime, Server, tokio::runtime::Runtime) {
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let server = server_runtime.block_on(Server::start(replies));
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    (server_runtime, server, client_runtime)
}

/// A connection has no task of its own: the request that holds it does its I/O. Between the
/// steps of a login, with its connection idle in the pool, the client's runtime runs no task
/// (with a task per connection, it ran one per open connection).
#[test]
fn a_pooled_connection_has_no_task_of_its_own() {
    let (_server_runtime, server, client_runtime) = apart(vec![
        ok(json!({"sms": false, "tfa": true})),
        ok(json!({"token": TOKEN, "expires": "2027-07-01T10:13:11Z", "sms": false, "tfa": true})),
    ]);
    client_runtime.block_on(async {
        let pending = pending(&server).await;
        let tasks = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        assert_eq!(tasks, 0, "tasks alive between the steps of a login");
        let session = pending
            .confirm(Code::parse("123456").expect("code"))
            .await
            .expect("confirm");
        assert_eq!(session.token().expose_secret(), TOKEN);
    });
    let connections: Vec<u64> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(connections, [1, 1], "both steps on the pooled connection");
}

/// A request on a pooled connection wakes its task only for its answer: queuing it for the
/// connection, which the request's own task then writes, does not (on a current-thread runtime
/// each such wake-up costs one more pass of the I/O driver). The second request here is never
/// answered, so nothing may wake its task.
#[test]
fn queuing_a_request_on_a_pooled_connection_does_not_wake_its_task() {
    use std::future::Future;
    use std::pin::pin;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    struct Counter {
        wakes: AtomicUsize,
        outer: std::sync::Mutex<Option<Waker>>,
    }
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.wakes.fetch_add(1, Ordering::SeqCst);
            if let Some(waker) = self.outer.lock().expect("lock").as_ref() {
                waker.wake_by_ref();
            }
        }
    }

    let (_server_runtime, server, client_runtime) =
        apart(vec![ok(json!({"sms": false, "tfa": true})), Reply::Silent]);
    let counter = Arc::new(Counter {
        wakes: AtomicUsize::new(0),
        outer: std::sync::Mutex::new(None),
    });
    let wakes = client_runtime.block_on(async {
        let auth = Auth::builder(&server.url)
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        auth.clone()
            .login(BOB, SecretString::from(BOB_PASS))
            .await
            .expect("first login");
        let mut second = pin!(auth.login(BOB, SecretString::from(BOB_PASS)));
        let waker = Waker::from(counter.clone());
        let counted = std::future::poll_fn(|cx| {
            *counter.outer.lock().expect("lock") = Some(cx.waker().clone());
            second.as_mut().poll(&mut Context::from_waker(&waker))
        });
        let stalled = tokio::time::timeout(Duration::from_millis(300), counted).await;
        assert!(stalled.is_err(), "the second login was answered");
        // Read before the login is dropped (cancelling it wakes the connection's halves).
        counter.wakes.load(Ordering::SeqCst)
    });
    let connections: Vec<u64> = server.requests().iter().map(|r| r.connection).collect();
    assert_eq!(
        connections,
        [1, 1],
        "the second request on the pooled connection"
    );
    assert_eq!(wakes, 0, "wake-ups of a request that was never answered");
}
