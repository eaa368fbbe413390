//! Secret scan of the core (issue 10): every flow of `tests/fixtures/secret-scan-flows.txt` runs
//! against the emulator, and everything the library hands back is captured as an app would show
//! or log it: `{}`, `{:?}` and `{:#?}` of every returned value (the states `Auth<…>`,
//! `LoginOutcome`, `Challenge`, `Enrollment`, `Code`, `SmsSent`, `User`, `BackupCode`, …) and of
//! every error (`Error`, `ConfirmError`, `LogoutError`), with each error's `source()` chain.
//! Then none of the captured texts may contain a known secret: the fixture passwords and the
//! wrong ones typed, every token issued, the TOTP secrets, every TOTP, SMS and backup code.
//!
//! "Asked for" in the core means a call whose purpose is to hand out the secret:
//! `token().expose_secret()`, `Enrollment::secret()` / `provisioning_uri()`, `BackupCode::code`,
//! `Code::expose()`. The test reads the issued tokens, keys and codes through exactly those (so
//! it knows what to look for) and never captures what they return.
//!
//! The figures (flows, captured texts, secrets known) are written to stderr even without
//! `--nocapture`, as the line `secret scan (core): …`.

use std::error::Error as StdError;
use std::fmt::Debug;
use std::io::Write;
use std::time::Duration;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{
    totp, Auth, Authenticated, CaptchaAnswer, CaptchaKind, Challenge, Code, ConfirmError, Error,
    LoginOutcome, TfaPending, Unauthenticated,
};
use docspace_auth_e2e::secret_forms::{
    json_escaped_ascii, listed_flows, percent, Known, WEIRD_PASSWORD,
};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{current_totp, pw, unix_now, wrong_totp, Portal};
use docspace_emulator::FaultKind;
use serde_json::json;

/// Timeout of the clients used under faults (a delay fault waits longer than this).
const SHORT: Duration = Duration::from_millis(1500);

/// What the scan captured and the secrets it knows.
#[derive(Default)]
struct Scan {
    flows: Vec<&'static str>,
    current: &'static str,
    /// (flow: what, text)
    captured: Vec<(String, String)>,
    /// (what it is, the secret)
    secrets: Known,
}

impl Scan {
    fn flow(&mut self, name: &'static str) {
        assert!(listed_flows().contains(&name), "{name} is not in the list");
        assert!(!self.flows.contains(&name), "{name} twice");
        self.flows.push(name);
        self.current = name;
    }

    fn secret(&mut self, what: impl Into<String>, value: impl Into<String>) {
        self.secrets.add(what, value);
    }

    fn capture(&mut self, what: &str, text: String) {
        self.captured
            .push((format!("{}: {what}", self.current), text));
    }

    /// `{:?}` and `{:#?}` of a value.
    fn debug<T: Debug + ?Sized>(&mut self, what: &str, value: &T) {
        self.capture(&format!("{what} {{:?}}"), format!("{value:?}"));
        self.capture(&format!("{what} {{:#?}}"), format!("{value:#?}"));
    }

    /// `{}`, `{:?}` and `{:#?}` of an error and of each error in its `source()` chain.
    fn error(&mut self, what: &str, error: &(dyn StdError + 'static)) {
        let mut current = Some(error);
        let mut depth = 0;
        while let Some(e) = current {
            let what = format!("{what} source#{depth}");
            self.capture(&format!("{what} {{}}"), format!("{e}"));
            self.debug(&what, e);
            current = e.source();
            depth += 1;
        }
    }

    /// The `Result` itself, then its value or its error.
    fn result<T: Debug, E: StdError + 'static>(&mut self, what: &str, result: &Result<T, E>) {
        self.debug(&format!("{what} result"), result);
        match result {
            Ok(value) => self.debug(what, value),
            Err(error) => self.error(what, error),
        }
    }

    /// A session: its token becomes a known secret (read through the accessor meant for it),
    /// the state is captured.
    fn session(&mut self, what: &str, session: &Auth<Authenticated>) {
        let token = session.token().expose_secret().to_owned();
        self.secret(format!("token issued in {}", self.current), token);
        self.debug(what, session);
        self.debug(&format!("{what}.expires()"), &session.expires());
        self.capture(&format!("{what}.portal_url()"), session.portal_url().into());
    }

    /// A pending login: the state, its challenge and user.
    fn pending(&mut self, what: &str, pending: &Auth<TfaPending>) {
        self.debug(what, pending);
        self.debug(&format!("{what}.challenge()"), pending.challenge());
        self.capture(&format!("{what}.user()"), pending.user().into());
        if let Challenge::AppEnrollment(enrollment) = pending.challenge() {
            // Asked for: the key and the URI, shown to enrol an authenticator.
            let secret = enrollment.secret().expose_secret().to_owned();
            self.secret("TOTP secret from Enrollment::secret()", secret);
            let uri = enrollment.provisioning_uri().expose_secret().to_owned();
            self.secret("otpauth URI from Enrollment::provisioning_uri()", uri);
            self.debug(&format!("{what} enrollment"), enrollment);
            self.capture(
                &format!("{what} enrollment.confirm_url()"),
                enrollment.confirm_url().into(),
            );
        }
    }

    /// A code about to be sent: a known secret; its `Debug` is captured.
    fn code(&mut self, what: &str, code: Code) -> Code {
        self.secret(format!("code ({what}) in {}", self.current), code.expose());
        self.debug(what, &code);
        code
    }

    /// A login's outcome: captured; the session or pending state handed back.
    fn outcome(&mut self, what: &str, result: Result<LoginOutcome, Error>) -> Option<LoginOutcome> {
        self.result(what, &result);
        match result {
            Ok(LoginOutcome::Authenticated(session)) => {
                self.session(&format!("{what} session"), &session);
                Some(LoginOutcome::Authenticated(session))
            }
            Ok(LoginOutcome::TfaRequired(pending)) => {
                self.pending(&format!("{what} pending"), &pending);
                Some(LoginOutcome::TfaRequired(pending))
            }
            Err(_) => None,
        }
    }

    /// A confirm's result: captured; the session, or the pending state the error hands back.
    #[allow(clippy::result_large_err)] // a test helper; the states are moved, not stored
    fn confirmed(
        &mut self,
        what: &str,
        result: Result<Auth<Authenticated>, ConfirmError>,
    ) -> Result<Auth<Authenticated>, Auth<TfaPending>> {
        self.result(what, &result);
        match result {
            Ok(session) => {
                self.session(&format!("{what} session"), &session);
                Ok(session)
            }
            Err(failed) => {
                self.debug(&format!("{what} .error()"), failed.error());
                let pending = failed.into_pending();
                self.pending(&format!("{what} .into_pending()"), &pending);
                Err(pending)
            }
        }
    }

    /// The SMS codes the emulator sent to Dave: known secrets.
    fn sms_sent(&mut self, portal: &Portal) {
        for code in portal.sms_codes(DAVE_PHONE) {
            self.secret(format!("SMS code in {}", self.current), code);
        }
    }

    /// The secrets found in `text`: (what the secret is, in which form).
    fn leaks_in(&self, text: &str) -> Vec<String> {
        self.secrets.leaks_in(text, &[])
    }
}

/// The backup codes of `session`: each code (asked for, through `BackupCode::code`) becomes a
/// known secret; the list and each item are captured.
async fn backup_codes(scan: &mut Scan, what: &str, session: &Auth<Authenticated>) {
    let result = session.backup_codes().await;
    scan.result(what, &result);
    for code in result.iter().flatten() {
        scan.secret(
            format!("backup code in {}", scan.current),
            code.code.expose_secret(),
        );
        scan.debug(&format!("{what} item"), code);
    }
}

/// What a session can do, each captured: me, the token check, the backup codes.
async fn use_session(scan: &mut Scan, what: &str, session: &Auth<Authenticated>) {
    let me = session.me().await;
    scan.result(&format!("{what}.me()"), &me);
    let valid = session.is_valid().await;
    scan.result(&format!("{what}.is_valid()"), &valid);
    backup_codes(scan, &format!("{what}.backup_codes()"), session).await;
}

/// Logs out and captures the result (and a session handed back, logged out again).
async fn logout(scan: &mut Scan, what: &str, session: Auth<Authenticated>) {
    let result = session.logout().await;
    scan.result(what, &result);
    if let Err(failed) = result {
        scan.debug(&format!("{what} .error()"), failed.error());
        if let Some(back) = failed.into_session() {
            scan.session(&format!("{what} .into_session()"), &back);
            let again = back.logout().await;
            scan.result(&format!("{what} again"), &again);
        }
    }
}

/// Step 1 for `user`, captured; the pending state (panics unless a second factor is asked).
async fn login_pending(
    scan: &mut Scan,
    auth: Auth<Unauthenticated>,
    user: (&str, &str),
) -> Auth<TfaPending> {
    scan.debug("client", &auth);
    match scan.outcome("login", auth.login(user.0, pw(user.1)).await) {
        Some(LoginOutcome::TfaRequired(pending)) => pending,
        _ => panic!("{}: expected a second factor for {}", scan.current, user.0),
    }
}

/// Step 1 for `user`, captured; the session (panics unless a token is issued).
async fn authenticated(
    scan: &mut Scan,
    auth: Auth<Unauthenticated>,
    user: (&str, &str),
) -> Auth<Authenticated> {
    scan.debug("client", &auth);
    match scan.outcome("login", auth.login(user.0, pw(user.1)).await) {
        Some(LoginOutcome::Authenticated(session)) => session,
        _ => panic!("{}: expected a token for {}", scan.current, user.0),
    }
}

async fn plain_login(scan: &mut Scan) {
    scan.flow("plain-login");
    let portal = Portal::start().await;
    let session = authenticated(scan, portal.auth(), ALICE).await;
    use_session(scan, "session", &session).await;
    logout(scan, "logout", session).await;
    portal.shutdown().await;
}

async fn app_2fa(scan: &mut Scan) {
    scan.flow("app-2fa");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), BOB).await;
    let code = scan.code("TOTP", current_totp(BOB_SECRET));
    let session = scan
        .confirmed("confirm", pending.confirm(code).await)
        .expect("code accepted");
    use_session(scan, "session", &session).await;
    logout(scan, "logout", session).await;
    portal.shutdown().await;
}

async fn enrolment(scan: &mut Scan) {
    scan.flow("enrolment");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), CAROL).await;
    let Challenge::AppEnrollment(enrollment) = pending.challenge() else {
        panic!("expected enrolment, got {:?}", pending.challenge());
    };
    let code = totp::now(enrollment.secret()).expect("a code from the enrolment key");
    let code = scan.code("TOTP from the enrolment key", code);
    let session = scan
        .confirmed("confirm", pending.confirm(code).await)
        .expect("enrolled");
    use_session(scan, "session", &session).await;
    logout(scan, "logout", session).await;
    // Enrolled now: a plain app challenge.
    let pending = login_pending(scan, portal.auth(), CAROL).await;
    let code = scan.code("TOTP", current_totp(CAROL_SECRET));
    let session = scan
        .confirmed("confirm after enrolment", pending.confirm(code).await)
        .expect("code accepted");
    logout(scan, "logout", session).await;
    portal.shutdown().await;
}

async fn backup_code(scan: &mut Scan) {
    scan.flow("backup-code");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), BOB).await;
    let code = scan.code("backup code", Code::parse(BOB_BACKUP[1]).expect("code"));
    let session = scan
        .confirmed("confirm with a backup code", pending.confirm(code).await)
        .expect("backup code accepted");
    backup_codes(scan, "backup_codes() after use", &session).await;
    logout(scan, "logout", session).await;
    let pending = login_pending(scan, portal.auth(), BOB).await;
    let code = scan.code(
        "used backup code",
        Code::parse(BOB_BACKUP[1]).expect("code"),
    );
    let pending = scan
        .confirmed(
            "confirm with a used backup code",
            pending.confirm(code).await,
        )
        .expect_err("used");
    let upper = BOB_BACKUP[2].to_uppercase();
    let code = scan.code(
        "backup code, wrong case",
        Code::parse(&upper).expect("code"),
    );
    scan.confirmed("confirm with the wrong case", pending.confirm(code).await)
        .expect_err("case-sensitive");
    portal.shutdown().await;
}

async fn sms(scan: &mut Scan) {
    scan.flow("sms");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), DAVE).await;
    let sent = portal.sms_codes(DAVE_PHONE);
    let wrong = if sent[0] == "123456" {
        "654321"
    } else {
        "123456"
    };
    let code = scan.code("wrong SMS code", Code::parse(wrong).expect("code"));
    let pending = scan
        .confirmed("confirm a wrong SMS code", pending.confirm(code).await)
        .expect_err("wrong");
    let code = scan.code("SMS code", Code::parse(&sent[0]).expect("code"));
    let session = scan
        .confirmed("confirm the SMS code", pending.confirm(code).await)
        .expect("accepted");
    use_session(scan, "session", &session).await;
    logout(scan, "logout", session).await;
    scan.sms_sent(&portal);
    portal.shutdown().await;
}

async fn sms_resend(scan: &mut Scan) {
    scan.flow("sms-resend");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), DAVE).await;
    for i in 0..2 {
        let sent = pending.resend_sms().await;
        scan.result(&format!("resend_sms #{i}"), &sent);
        sent.expect("resent");
    }
    let codes = portal.sms_codes(DAVE_PHONE);
    assert_eq!(codes.len(), 3);
    let code = scan.code("resent SMS code", Code::parse(&codes[2]).expect("code"));
    let session = scan
        .confirmed("confirm the resent code", pending.confirm(code).await)
        .expect("accepted");
    logout(scan, "logout", session).await;
    scan.sms_sent(&portal);
    portal.shutdown().await;
}

async fn wrong_password(scan: &mut Scan) {
    scan.flow("wrong-password");
    let portal = Portal::start().await;
    for (user, password) in [
        (ALICE.0, "alice-pass-wrong"),
        (BOB.0, WEIRD_PASSWORD),
        ("nobody@example.com", "nobody-pass"),
        (DAVE.0, BOB.1),
    ] {
        scan.secret("wrong password", password);
        let got = portal.auth().login(user, pw(password)).await;
        assert!(matches!(got, Err(Error::InvalidCredentials)), "{got:?}");
        scan.outcome("login with a wrong password", got);
    }
    portal.shutdown().await;
}

async fn wrong_code(scan: &mut Scan) {
    scan.flow("wrong-code");
    let portal = Portal::start().await;
    let pending = login_pending(scan, portal.auth(), BOB).await;
    let code = scan.code("wrong TOTP", wrong_totp(BOB_SECRET));
    let pending = scan
        .confirmed("confirm a wrong code", pending.confirm(code).await)
        .expect_err("wrong");
    let code = scan.code("TOTP", current_totp(BOB_SECRET));
    let session = scan
        .confirmed("confirm the right code", pending.confirm(code).await)
        .expect("accepted");
    logout(scan, "logout", session).await;
    portal.shutdown().await;
}

async fn lockout(scan: &mut Scan) {
    scan.flow("lockout");
    let portal = Portal::start().await;
    scan.secret("wrong password", "alice-typo");
    for _ in 0..6 {
        let got = portal.auth().login(ALICE.0, pw("alice-typo")).await;
        scan.outcome("login with a wrong password", got);
    }
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Err(Error::LockedOut)), "{got:?}");
    scan.outcome("login when locked out", got);
    portal.shutdown().await;

    // The code step: the password is checked again, against the lockout.
    let portal = Portal::start_with(|c| c.lockout.attempt_count = 1).await;
    let pending = login_pending(scan, portal.auth(), BOB).await;
    scan.secret("wrong password", "bob-typo");
    for _ in 0..2 {
        let got = portal.auth().login(BOB.0, pw("bob-typo")).await;
        scan.outcome("login with a wrong password", got);
    }
    let code = scan.code("TOTP", current_totp(BOB_SECRET));
    let pending = scan
        .confirmed("confirm when locked out", pending.confirm(code).await)
        .expect_err("locked out");
    let code = scan.code("TOTP", current_totp(BOB_SECRET));
    let result = pending.confirm(code).await;
    assert!(
        matches!(&result, Err(e) if matches!(e.error(), Error::LockedOut)),
        "{result:?}"
    );
    scan.confirmed("confirm when locked out, again", result)
        .expect_err("locked out");
    portal.shutdown().await;
}

async fn disabled_user(scan: &mut Scan) {
    scan.flow("disabled-user");
    let portal = Portal::start().await;
    let got = portal.auth().login(ERIN.0, pw(ERIN.1)).await;
    assert!(matches!(got, Err(Error::UserDisabled)), "{got:?}");
    scan.outcome("login of a disabled user", got);
    portal.shutdown().await;
}

async fn logout_flow(scan: &mut Scan) {
    scan.flow("logout");
    let portal = Portal::start().await;
    let session = authenticated(scan, portal.auth(), ALICE).await;
    let token = session.token().clone();
    logout(scan, "logout", session).await;
    let revoked = portal.builder().resume(token).expect("resume");
    scan.session("resumed revoked token", &revoked);
    use_session(scan, "revoked", &revoked).await;
    logout(scan, "logout with a revoked token", revoked).await;
    portal.shutdown().await;
}

async fn local_input(scan: &mut Scan) {
    scan.flow("local-input");
    for typed in [
        "alice-pass",
        "1234567",
        "12 34 5",
        "aB3-x_!",
        "１２３４５６",
    ] {
        scan.secret("malformed code", typed);
        scan.result("Code::parse", &Code::parse(typed));
        scan.result("str::parse::<Code>", &typed.parse::<Code>());
    }
    for key in ["not base32: bob-pass", "IFREGZCFMYWV6MJ1"] {
        scan.secret("bad TOTP key", key);
        scan.result("totp::now", &totp::now(&SecretString::from(key)));
        scan.result("totp::at", &totp::at(&SecretString::from(key), unix_now()));
    }
    for token in ["token with spaces", "token\nwith-a-newline", "tökén"] {
        scan.secret("bad token", token);
        scan.result(
            "Auth::resume",
            &Auth::resume("http://127.0.0.1:1", SecretString::from(token)),
        );
    }
    for url in [
        "http://carol:carol-pass@127.0.0.1:1",
        "https://erin:erin-pass@portal.example.com",
        "http://dave-pass.example.com",
    ] {
        scan.result("Auth::new", &Auth::new(url));
        scan.result(
            "Auth::builder().resume",
            &Auth::builder(url).resume(SecretString::from("tok-carol-url")),
        );
    }
    scan.secret("token", "tok-carol-url");
}

async fn totp_flow(scan: &mut Scan) {
    scan.flow("totp");
    for key in [BOB_SECRET, CAROL_SECRET] {
        let secret = SecretString::from(key);
        let now = totp::now(&secret).expect("code");
        scan.code("totp::now", now);
        let at = totp::at(&secret, unix_now() + 30).expect("code");
        scan.code("totp::at", at);
    }
    let uri = totp::provisioning_uri("127.0.0.1", CAROL.0, &SecretString::from(CAROL_SECRET));
    scan.secret("otpauth URI", uri.expose_secret());
    scan.debug("totp::provisioning_uri", &uri);
}

/// A fault for a request that carried `secrets`.
type Shape = Box<dyn Fn(&[&str]) -> FaultKind>;

fn fixed(kind: FaultKind) -> Shape {
    Box::new(move |_| kind.clone())
}

/// `status` with a body made of `body(secrets)`.
fn with_body(status: u16, headers: &[(&str, &str)], body: fn(&[&str]) -> String) -> Shape {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Box::new(move |secrets| FaultKind::Status {
        status,
        body: Some(body(secrets)),
        headers: headers.clone(),
    })
}

/// The DocSpace error envelope with `message`.
fn error_envelope(message: &str, status: u16) -> String {
    json!({
        "error": {"message": message, "type": null, "stack": null, "hresult": 0},
        "status": 1,
        "statusCode": status,
    })
    .to_string()
}

/// An error envelope whose message repeats each secret as sent.
fn echo(secrets: &[&str]) -> String {
    error_envelope(&format!("you sent {}", secrets.join(" and ")), 400)
}

/// The 403 echo in one form of the secrets.
fn echo_403(form: fn(&str) -> String) -> Shape {
    Box::new(move |secrets| FaultKind::Status {
        status: 403,
        body: Some(error_envelope(
            &format!(
                "Access denied for {}",
                secrets
                    .iter()
                    .map(|s| form(s))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
            403,
        )),
        headers: Vec::new(),
    })
}

/// The shapes of each fault flow.
fn fault_flows() -> Vec<(&'static str, Vec<Shape>)> {
    vec![
        ("fault-delay", vec![fixed(FaultKind::Delay(SHORT * 2))]),
        ("fault-drop", vec![fixed(FaultKind::Drop)]),
        ("fault-html", vec![fixed(FaultKind::Html)]),
        (
            "fault-malformed-json",
            vec![fixed(FaultKind::MalformedJson)],
        ),
        ("fault-oversized", vec![fixed(FaultKind::oversized())]),
        (
            "fault-redirect",
            vec![
                fixed(FaultKind::redirect()),
                Box::new(|secrets: &[&str]| FaultKind::Redirect {
                    location: format!(
                        "http://127.0.0.1:1/steal?s={}",
                        secrets
                            .iter()
                            .map(|s| percent(s))
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                }),
            ],
        ),
        (
            "fault-status-4xx",
            vec![
                with_body(400, &[], echo),
                with_body(401, &[], echo),
                with_body(404, &[], echo),
            ],
        ),
        (
            "fault-status-429",
            vec![
                with_body(429, &[("Retry-After", "7")], echo),
                with_body(
                    429,
                    &[("Retry-After", "Wed, 21 Oct 2037 07:28:00 GMT")],
                    echo,
                ),
            ],
        ),
        (
            "fault-status-5xx",
            vec![
                with_body(500, &[], echo),
                with_body(502, &[], echo),
                with_body(503, &[("Retry-After", "3")], echo),
            ],
        ),
        (
            "fault-403-echo",
            vec![
                echo_403(|s| s.to_owned()),
                echo_403(|s| s.to_uppercase()),
                echo_403(|s| {
                    let json = serde_json::to_string(s).expect("string");
                    json[1..json.len() - 1].to_owned()
                }),
                echo_403(json_escaped_ascii),
                echo_403(percent),
                echo_403(|s| percent(s).to_uppercase().replace("%20", "+")),
            ],
        ),
        (
            "fault-200-echo",
            vec![
                with_body(200, &[], |s| {
                    json!({"response": s.join(" "), "status": 0, "statusCode": 200}).to_string()
                }),
                with_body(200, &[], |s| {
                    json!({"response": {"token": format!("{} x", s.join(" ")), "expires": "2099-01-01T00:00:00Z", "sms": false, "tfa": false}, "status": 0, "statusCode": 200}).to_string()
                }),
                with_body(200, &[], |s| {
                    json!({"response": {"tfa": true, "tfaKey": format!("{}!", s.join(" ")), "sms": false}, "status": 0, "statusCode": 200}).to_string()
                }),
                with_body(200, &[], |s| {
                    json!({"response": {"token": s.join(" ")}, "status": 1, "statusCode": 200, "error": {"message": s.join(" ")}}).to_string()
                }),
            ],
        ),
    ]
}

/// The portal shapes (docs/protocol.md §10–§17): discovery, a hashed login (the hash is a secret as
/// good as the password), a captcha answer through the lockout, SSO (the token arrives in an
/// address), the phone activation, backup codes regenerated, active sessions.
async fn portal_shapes(scan: &mut Scan) {
    scan.flow("portal-shapes");
    let portal = Portal::start_with(|c| c.lockout.attempt_count = 1).await;
    let info = portal.auth().portal_info().await;
    scan.result("portal_info", &info);
    let params = info
        .expect("a portal")
        .password_hash
        .expect("hash parameters");
    for (user, password) in [ALICE, BOB] {
        let hash = params.hash(&pw(password)).expect("hash");
        scan.secret(format!("password hash of {user}"), hash.expose_secret());
    }

    // Hashed logins: the pending state holds the hash.
    let hashed = portal
        .builder()
        .hash_password(true)
        .build()
        .expect("client");
    let session = authenticated(scan, hashed.clone(), ALICE).await;
    use_session(scan, "hashed session", &session).await;
    let pending = login_pending(scan, hashed.clone(), BOB).await;
    let code = scan.code("TOTP", current_totp(BOB_SECRET));
    let bob = scan
        .confirmed("confirm after a hashed login", pending.confirm(code).await)
        .expect("accepted");

    // Backup codes regenerated: each new one is a secret.
    let result = bob.regenerate_backup_codes().await;
    scan.result("regenerate_backup_codes", &result);
    for code in result.iter().flatten() {
        scan.secret("backup code (regenerated)", code.code.expose_secret());
        scan.debug("regenerated backup code", code);
    }

    // Locked out, then through with a captcha answer.
    scan.secret("captcha answer", "captcha-ok");
    scan.secret("captcha answer (wrong)", "wrong-captcha-answer");
    for _ in 0..2 {
        let got = portal.auth().login(CAROL.0, pw("carol-typo")).await;
        scan.outcome("login with a wrong password", got);
    }
    scan.secret("wrong password", "carol-typo");
    for answer in ["wrong-captcha-answer", "captcha-ok"] {
        let captcha = CaptchaAnswer::new(CaptchaKind::Recaptcha, answer);
        scan.debug("captcha answer", &captcha);
        let got = portal
            .auth()
            .login_with_captcha(CAROL.0, pw(CAROL.1), captcha)
            .await;
        scan.outcome("login with a captcha", got);
    }

    // SSO: the token comes in the address the web view ends on.
    let auth = portal.auth();
    for (user, ends_well) in [(FRANK, true), (IVAN, false)] {
        let end = portal
            .sso_web_view(&auth, &format!("/sso/login?email={user}"))
            .await;
        scan.debug("sso_redirect", &auth.sso_redirect(&end));
        let got = auth.clone().complete_sso(&end);
        scan.result("complete_sso", &got);
        match got {
            Ok(session) if ends_well => {
                scan.session("SSO session", &session);
                use_session(scan, "SSO session", &session).await;
                logout(scan, "SSO logout", session).await;
            }
            other => assert!(!ends_well && other.is_err(), "{user}"),
        }
    }

    // Phone activation, then the SMS code.
    let pending = login_pending(scan, portal.auth(), HEIDI).await;
    let failed = pending.set_phone("no digits").await.expect_err("no digits");
    scan.debug("set_phone refused", &failed);
    let got = failed.into_pending().set_phone("+1 555 765 4321").await;
    scan.result("set_phone", &got);
    let pending = got.expect("a code was sent");
    scan.pending("after set_phone", &pending);
    for code in portal.sms_codes("+15557654321") {
        scan.secret("SMS code (phone activation)", code);
    }
    let code = portal.sms_codes("+15557654321").pop().expect("an SMS");
    let code = scan.code("SMS", Code::parse(&code).expect("6 digits"));
    let heidi = scan
        .confirmed("confirm after set_phone", pending.confirm(code).await)
        .expect("accepted");

    // Active sessions: listed, this one refused, the others ended.
    let sessions = session.sessions().await;
    scan.result("sessions", &sessions);
    let current = sessions.iter().flatten().find(|s| s.current).map(|s| s.id);
    let got = session.end_session(current.expect("current")).await;
    scan.result("end_session (this one)", &got);
    let got = session.end_other_sessions().await;
    scan.result("end_other_sessions", &got);
    for s in [bob, heidi, session] {
        logout(scan, "logout", s).await;
    }
    portal.shutdown().await;
}

/// One fault flow: each shape on each kind of request, the fault installed just before it.
async fn fault_flow(scan: &mut Scan, name: &'static str, shapes: &[Shape]) {
    scan.flow(name);
    let portal = Portal::start().await;
    let client = || portal.builder().timeout(SHORT).build().expect("client");
    for (i, shape) in shapes.iter().enumerate() {
        let what = |call: &str| format!("{call} under shape #{i}");
        // The password step, with a fixture password and with one that needs escaping.
        for password in [ALICE.1, WEIRD_PASSWORD] {
            scan.secret("password", password);
            portal.fault(shape(&[password]));
            let got = client().login(ALICE.0, pw(password)).await;
            if name == "fault-403-echo" {
                assert_withheld(&got);
            }
            if let Some(LoginOutcome::Authenticated(session)) = scan.outcome(&what("login"), got) {
                logout(scan, "logout", session).await;
            }
        }
        // The code step.
        let pending_bob = login_pending(scan, client(), BOB).await;
        let code = scan.code("TOTP", current_totp(BOB_SECRET));
        portal.fault(shape(&[BOB.1, code.expose()]));
        let got = pending_bob.confirm(code).await;
        if name == "fault-403-echo" {
            assert_withheld(&got.as_ref().map_err(|e| e.error()));
        }
        if let Ok(session) = scan.confirmed(&what("confirm"), got) {
            logout(scan, "logout", session).await;
        }
        // The SMS resend.
        let pending_dave = login_pending(scan, client(), DAVE).await;
        portal.fault(shape(&[DAVE.1]));
        let got = pending_dave.resend_sms().await;
        if name == "fault-403-echo" {
            assert_withheld(&got);
        }
        scan.result(&what("resend_sms"), &got);
        scan.pending("pending after the resend", &pending_dave);
        // The calls with the token.
        let session = authenticated(scan, client(), ALICE).await;
        let token = session.token().expose_secret().to_owned();
        portal.fault(shape(&[&token]));
        let got = session.me().await;
        if name == "fault-403-echo" {
            assert_withheld(&got);
        }
        scan.result(&what("me"), &got);
        portal.fault(shape(&[&token]));
        let got = session.is_valid().await;
        scan.result(&what("is_valid"), &got);
        portal.fault(shape(&[&token]));
        backup_codes(scan, &what("backup_codes"), &session).await;
        portal.fault(shape(&[&token]));
        logout(scan, &what("logout"), session).await;
    }
    scan.sms_sent(&portal);
    portal.shutdown().await;
}

/// A 403 whose message repeated a secret: the message is withheld, not passed on. On a login
/// step an envelope without an exception type is the lockout (docs/protocol.md §12.2), whose
/// message is the library's own: the server's is dropped.
#[track_caller]
fn assert_withheld<T: Debug, E: std::borrow::Borrow<Error> + Debug>(got: &Result<T, E>) {
    match got {
        Err(e) => match e.borrow() {
            Error::Forbidden { message } => {
                assert!(message.contains("withheld"), "not withheld: {message}")
            }
            Error::LockedOut | Error::UserDisabled | Error::CaptchaRejected => {}
            other => panic!("expected Forbidden, got {other:?}"),
        },
        Ok(v) => panic!("expected Forbidden, got {v:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_anything_the_core_prints_or_returns() {
    let mut scan = Scan::default();

    // The scanner finds what it looks for (so an empty result means something).
    scan.secret("self-test", WEIRD_PASSWORD);
    scan.secret("self-test code", "482913");
    for planted in [
        format!("x{WEIRD_PASSWORD}x"),
        format!("x{}x", WEIRD_PASSWORD.to_uppercase()),
        format!("x{}x", percent(WEIRD_PASSWORD)),
        serde_json::to_string(WEIRD_PASSWORD).expect("json"),
        format!("x{}x", json_escaped_ascii(WEIRD_PASSWORD)),
        "code: 482913.".to_owned(),
    ] {
        assert!(!scan.leaks_in(&planted).is_empty(), "{planted}");
    }
    assert!(scan.leaks_in("tv_nsec: 1482913000").is_empty());
    scan.secrets.clear();

    // The fixture secrets are known whether or not a flow meets them.
    for (user, password) in [ALICE, BOB, CAROL, DAVE, ERIN] {
        scan.secret(format!("password of {user}"), password);
    }
    scan.secret("Bob's TOTP secret", BOB_SECRET);
    scan.secret("Carol's TOTP secret", CAROL_SECRET);
    for code in BOB_BACKUP {
        scan.secret("Bob's backup code", code);
    }

    plain_login(&mut scan).await;
    app_2fa(&mut scan).await;
    enrolment(&mut scan).await;
    backup_code(&mut scan).await;
    sms(&mut scan).await;
    sms_resend(&mut scan).await;
    wrong_password(&mut scan).await;
    wrong_code(&mut scan).await;
    lockout(&mut scan).await;
    disabled_user(&mut scan).await;
    logout_flow(&mut scan).await;
    local_input(&mut scan).await;
    totp_flow(&mut scan).await;
    portal_shapes(&mut scan).await;
    for (name, shapes) in fault_flows() {
        fault_flow(&mut scan, name, &shapes).await;
    }

    assert_eq!(scan.flows, listed_flows(), "every listed flow, in order");
    let count = |prefix: &str| {
        scan.secrets
            .iter()
            .filter(|(what, _)| what.starts_with(prefix))
            .count()
    };
    assert!(
        count("token issued") >= 30,
        "tokens: {}",
        count("token issued")
    );
    assert!(count("SMS code") >= 10, "SMS codes: {}", count("SMS code"));
    assert!(
        count("backup code") >= 5,
        "backup codes: {}",
        count("backup code")
    );
    assert!(count("code (") >= 8, "codes sent: {}", count("code ("));

    // To read what was scanned: SECRET_SCAN_DUMP=FILE.
    if let Some(path) = std::env::var_os("SECRET_SCAN_DUMP") {
        let dump: String = scan
            .captured
            .iter()
            .map(|(what, text)| format!("== {what}\n{text}\n"))
            .collect();
        std::fs::write(path, dump).expect("dump written");
    }
    let mut leaks = Vec::new();
    for (what, text) in &scan.captured {
        for leak in scan.leaks_in(text) {
            leaks.push(format!("{what}: {leak}\n    in: {text}"));
        }
    }
    let summary = format!(
        "secret scan (core): {} flows, {} captured outputs, {} known secrets, {} secrets found",
        scan.flows.len(),
        scan.captured.len(),
        scan.secrets.count(),
        leaks.len()
    );
    // Straight to stderr: libtest captures `eprintln!`, not this.
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(leaks.is_empty(), "{summary}:\n{}", leaks.join("\n"));
}
