//! Faults injected by the emulator, transport failures and TLS: each gives the right typed
//! error, within the client's timeout.

use std::time::{Duration, Instant};

use docspace_auth::{Auth, Code, Error, LoginOutcome, TransportErrorKind, Unauthenticated};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{current_totp, login_pending, pw, Portal};
use docspace_emulator::{Fault, FaultKind};

const SHORT: Duration = Duration::from_millis(1500);

/// Installs `fault` on the login endpoint, then logs in with a client whose timeout is SHORT;
/// returns the error and checks it came within the timeout.
async fn login_with_fault(portal: &Portal, fault: impl Into<Fault>) -> Error {
    portal.fault(fault);
    let auth = portal.builder().timeout(SHORT).build().expect("client");
    let started = Instant::now();
    let got = auth.login(ALICE.0, pw(ALICE.1)).await;
    let took = started.elapsed();
    assert!(took < SHORT + Duration::from_millis(500), "took {took:?}");
    match got {
        Err(e) => e,
        Ok(outcome) => panic!("expected an error, got {outcome:?}"),
    }
}

/// A client for `url` (no extra root certificate) whose timeout is SHORT.
fn short_client(url: &str) -> Auth<Unauthenticated> {
    Auth::builder(url).timeout(SHORT).build().expect("client")
}

/// Logs in as Alice with `auth` and expects a transport error of `kind`.
async fn assert_login_transport_error(auth: Auth<Unauthenticated>, kind: TransportErrorKind) {
    let got = auth.login(ALICE.0, pw(ALICE.1)).await;
    assert!(
        matches!(&got, Err(Error::Transport { kind: k, .. }) if *k == kind),
        "expected {kind:?}, got {got:?}"
    );
}

fn assert_unexpected(err: &Error) {
    assert!(
        matches!(err, Error::UnexpectedResponse { .. }),
        "expected UnexpectedResponse, got {err:?}"
    );
}

/// Like [`assert_unexpected`], and the error's message mentions `needle`.
fn assert_unexpected_mentioning(err: &Error, needle: &str) {
    assert_unexpected(err);
    assert!(err.to_string().contains(needle), "{err}");
}

#[tokio::test]
async fn html_body_is_unexpected() {
    let portal = Portal::start().await;
    assert_unexpected(&login_with_fault(&portal, FaultKind::Html).await);
}

#[tokio::test]
async fn malformed_json_is_unexpected() {
    let portal = Portal::start().await;
    assert_unexpected(&login_with_fault(&portal, FaultKind::MalformedJson).await);
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let portal = Portal::start().await;
    let err = login_with_fault(&portal, FaultKind::redirect()).await;
    assert_unexpected_mentioning(&err, "redirect");
}

#[tokio::test]
async fn oversized_body_is_cut_off() {
    let portal = Portal::start().await;
    let err = login_with_fault(&portal, FaultKind::oversized()).await;
    assert_unexpected_mentioning(&err, "larger");
}

#[tokio::test]
async fn dropped_connection_is_a_transport_error() {
    let portal = Portal::start().await;
    let err = login_with_fault(&portal, FaultKind::Drop).await;
    assert!(
        matches!(err, Error::Transport { .. }),
        "expected Transport, got {err:?}"
    );
}

#[tokio::test]
async fn delay_beyond_the_timeout_is_a_timeout() {
    let portal = Portal::start().await;
    let err = login_with_fault(&portal, FaultKind::Delay(Duration::from_secs(5))).await;
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "expected a timeout, got {err:?}"
    );
}

#[tokio::test]
async fn statuses_map_to_typed_errors() {
    let portal = Portal::start().await;
    let err = login_with_fault(
        &portal,
        FaultKind::Status {
            status: 429,
            body: None,
            headers: vec![("Retry-After".into(), "7".into())],
        },
    )
    .await;
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(7)),
        "{err:?}"
    );
    let err = login_with_fault(&portal, FaultKind::status(503)).await;
    assert!(matches!(err, Error::Server { status: 503 }), "{err:?}");
    let err = login_with_fault(&portal, FaultKind::status(404)).await;
    assert!(matches!(err, Error::WrongPortalAddress), "{err:?}");
    let err = login_with_fault(&portal, FaultKind::status(400)).await;
    assert_unexpected(&err);
    let err = login_with_fault(
        &portal,
        FaultKind::Status {
            status: 403,
            body: Some(r#"{"error":{"message":"Invalid Recaptcha","type":null,"stack":null,"hresult":0},"status":1,"statusCode":403}"#.into()),
            headers: Vec::new(),
        },
    )
    .await;
    // Told apart by `error.type` and whether a captcha was sent, not by the message
    // (docs/protocol.md §12.2): no captcha was sent, so this is the lockout.
    assert!(matches!(&err, Error::LockedOut), "{err:?}");
    let err = login_with_fault(
        &portal,
        FaultKind::Status {
            status: 403,
            body: None,
            headers: Vec::new(),
        },
    )
    .await;
    assert!(matches!(&err, Error::PortalUnavailable), "{err:?}");
}

/// A 2xx whose envelope says `status: 1`, or that is not the envelope at all.
#[tokio::test]
async fn success_status_with_a_bad_envelope_is_unexpected() {
    let portal = Portal::start().await;
    for body in [
        r#"{"response":{"token":"abc","expires":"0001-01-01T00:00:00","sms":false,"tfa":false},"status":1,"statusCode":200}"#,
        r#"{"token":"abc","sms":false,"tfa":false}"#,
        r#"{"response":{"sms":false,"tfa":false},"status":0}"#,
        r#"{"status":0}"#,
    ] {
        let err = login_with_fault(
            &portal,
            FaultKind::Status {
                status: 200,
                body: Some(body.into()),
                headers: Vec::new(),
            },
        )
        .await;
        assert_unexpected(&err);
    }
}

/// A fault on the code endpoint: the pending state comes back and the retry works.
#[tokio::test]
async fn transport_error_on_confirm_hands_the_pending_state_back() {
    let portal = Portal::start().await;
    let auth = portal.builder().timeout(SHORT).build().expect("client");
    let state = login_pending(auth, BOB).await;
    portal.fault(Fault::new(FaultKind::Drop).on_path("/api/2.0/authentication/"));
    let rejected = state
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect_err("dropped");
    assert!(
        matches!(rejected.error(), Error::Transport { .. }),
        "{rejected:?}"
    );
    let session = rejected
        .into_pending()
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("retry works");
    assert!(session.is_valid().await.expect("is_valid"));
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bind then free a port so nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let auth = short_client(&format!("http://{addr}"));
    assert_login_transport_error(auth, TransportErrorKind::Connect).await;
}

/// A portal whose listening socket accepts no connection (its accept queue is full, so the
/// kernel drops new SYNs) is a timeout once the connect timeout runs out, not a connect error.
#[tokio::test]
async fn a_connect_that_never_completes_is_a_timeout() {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let listener = socket.listen(1).expect("listen");
    let addr = listener.local_addr().expect("addr");
    // Fill the accept queue with connections nobody accepts, until one no longer completes.
    let mut held = Vec::new();
    loop {
        let attempt = tokio::net::TcpStream::connect(addr);
        match tokio::time::timeout(Duration::from_millis(300), attempt).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("connect failed: {e}"),
            Err(_) => break,
        }
        assert!(held.len() < 64, "the accept queue never filled");
    }
    let connect_timeout = Duration::from_millis(300);
    let auth = Auth::builder(&format!("http://{addr}"))
        .timeout(SHORT)
        .connect_timeout(connect_timeout)
        .build()
        .expect("client");
    let started = Instant::now();
    assert_login_transport_error(auth, TransportErrorKind::Timeout).await;
    let took = started.elapsed();
    assert!(
        took >= connect_timeout && took < SHORT,
        "the connect timeout ended it: {took:?}"
    );
}

/// With a pending login at hand, malformed codes are refused before any request (a `Code` is
/// the only thing `confirm` takes); the counters do see the one good confirm that follows.
#[tokio::test]
async fn invalid_code_format_never_reaches_the_server() {
    let portal = Portal::start().await;
    let state = portal.pending(BOB).await;
    portal.reset_counters();
    for bad in [
        "12345",
        "1234567",
        "12345!",
        "12/456",
        "",
        "12 34 5",
        "１２３４５６",
    ] {
        assert!(
            matches!(bad.parse::<Code>(), Err(Error::InvalidCodeFormat)),
            "{bad:?}"
        );
    }
    assert_eq!(portal.counters(), (0, 0));
    state.confirm(current_totp(BOB_SECRET)).await.expect("code");
    assert_eq!(portal.counters(), (1, 1));
}

#[tokio::test]
async fn tls_with_the_emulator_ca() {
    let portal = Portal::start_with(|c| c.tls = true).await;
    assert!(portal.url().starts_with("https://"));
    let pem = portal.ca_pem().expect("CA").to_owned();

    // Trusted through the extra root: a whole 2FA login over TLS, one connection.
    portal.reset_counters();
    let auth = Auth::builder(portal.url())
        .add_root_certificate_pem(&pem)
        .build()
        .expect("client");
    let session = login_pending(auth, BOB)
        .await
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("code");
    assert!(session.is_valid().await.expect("is_valid"));
    assert_eq!(portal.counters(), (1, 3));

    // `localhost` is in the certificate too.
    let localhost = portal.url().replace("127.0.0.1", "localhost");
    let auth = Auth::builder(&localhost)
        .add_root_certificate_pem(&pem)
        .build()
        .expect("client");
    assert!(matches!(
        auth.login(ALICE.0, pw(ALICE.1)).await,
        Ok(LoginOutcome::Authenticated(_))
    ));

    // Without the CA: the platform trust store does not know it.
    assert_login_transport_error(short_client(portal.url()), TransportErrorKind::Tls).await;
    // Plain http to the TLS port is not a DocSpace answer.
    let auth = short_client(&portal.url().replace("https://", "http://"));
    assert!(auth.login(ALICE.0, pw(ALICE.1)).await.is_err());
}

/// A saturated portal (here: every connection slot taken) answers 503 with `Retry-After`
/// instead of dropping the connection: the login fails with a server error saying so.
#[tokio::test]
async fn a_saturated_portal_is_a_server_error_not_a_dropped_connection() {
    let portal = Portal::start_with(|cfg| cfg.max_connections = 1).await;
    let addr = portal
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let _held = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Err(Error::Server { status: 503 })), "{got:?}");
}
