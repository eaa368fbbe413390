//! Harness for the end-to-end tests: the real `docspace-auth` client against the real
//! emulator, started in-process on 127.0.0.1 with the shared fixture users.
//!
//! The emulator is controlled (SMS outbox, faults, counters, clock) through its handle's methods,
//! so the control never touches the client under test; requests the client never sends on purpose
//! go through a separate plain HTTP client ([`Portal::raw`]).

use std::sync::Arc;
use std::time::Duration;

use docspace_auth::secrecy::SecretString;
use docspace_auth::{
    Auth, AuthBuilder, Authenticated, Code, ConfirmError, Error, LoginOutcome, TfaPending,
    Unauthenticated,
};
use docspace_emulator::{Emulator, EmulatorConfig, Fault};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::Value;

/// Path of the shared users fixture.
pub const USERS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/users.json");

/// A running emulator plus a plain HTTP client for raw requests.
pub struct Portal {
    emu: Emulator,
    raw: reqwest::Client,
}

impl Portal {
    /// The fixture users, default settings, plain HTTP.
    pub async fn start() -> Portal {
        Portal::start_with(|_| {}).await
    }

    /// The fixture users, with `tune` applied to the configuration first.
    pub async fn start_with(tune: impl FnOnce(&mut EmulatorConfig)) -> Portal {
        let mut config = EmulatorConfig::from_users_file(USERS_FILE).expect("fixture users");
        tune(&mut config);
        let emu = Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("emulator starts");
        let raw = raw_client(emu.ca_pem());
        Portal { emu, raw }
    }

    /// The portal URL.
    pub fn url(&self) -> &str {
        self.emu.base_url()
    }

    /// The CA PEM when TLS is on.
    pub fn ca_pem(&self) -> Option<&str> {
        self.emu.ca_pem()
    }

    /// A client builder for this portal (trusting its CA when TLS is on), with short
    /// timeouts so a hang fails fast.
    pub fn builder(&self) -> AuthBuilder {
        let builder = Auth::builder(self.url())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5));
        match self.ca_pem() {
            Some(pem) => builder.add_root_certificate_pem(pem),
            None => builder,
        }
    }

    /// A client for this portal with the test defaults.
    pub fn auth(&self) -> Auth<Unauthenticated> {
        self.builder().build().expect("client builds")
    }

    /// Step 1 for a fixture `user` with a fresh client; panics unless a second factor is asked.
    pub async fn pending(&self, user: (&str, &str)) -> Auth<TfaPending> {
        login_pending(self.auth(), user).await
    }

    /// Step 1 for a fixture `user` with a fresh client; panics unless it gives a token.
    pub async fn authenticated(&self, user: (&str, &str)) -> Auth<Authenticated> {
        login_authenticated(self.auth(), user).await
    }

    /// SMS codes sent to `phone`, oldest first.
    pub fn sms_codes(&self, phone: &str) -> Vec<String> {
        self.emu
            .sms_sent_to(phone)
            .into_iter()
            .map(|m| m.code)
            .collect()
    }

    /// Installs a fault (panics if the emulator refuses it).
    pub fn fault(&self, fault: impl Into<Fault>) {
        self.emu.install_fault(fault).expect("fault installed");
    }

    /// `(connections, requests)` on /api since start or the last reset.
    pub fn counters(&self) -> (u64, u64) {
        let c = self.emu.counters();
        (c.connections, c.requests)
    }

    /// Zeroes the counters.
    pub fn reset_counters(&self) {
        self.emu.reset_counters();
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, secs: u64) {
        self.emu.advance_clock(Duration::from_secs(secs));
    }

    /// A raw request to the portal (not through the client under test), for what the client
    /// never sends on purpose: `(status, JSON body or Null)`.
    pub async fn raw(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.raw_with_headers(method, path, body, &[]).await
    }

    /// A raw `POST` of a JSON body: `(status, JSON body or Null)`.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.raw("POST", path, Some(body)).await
    }

    /// Like [`Portal::raw`] with extra headers.
    pub async fn raw_with_headers(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.raw.request(method, format!("{}{path}", self.url()));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        read_json(request.send().await.expect("raw request")).await
    }

    /// The emulator's control surface (portal settings, clock, ...).
    pub fn emulator(&self) -> &Emulator {
        &self.emu
    }

    /// Plays an SSO web view: opens `start` (absolute, or a path on the portal) and follows the
    /// redirects by hand, as a web view would, until `auth` says a navigation is the end of the
    /// SSO login; returns that address (as the `Location` header had it). Panics after 10 hops.
    pub async fn sso_web_view(&self, auth: &Auth<Unauthenticated>, start: &str) -> String {
        let base = reqwest::Url::parse(self.url()).expect("portal URL");
        let mut next = base.join(start).expect("start address");
        for _ in 0..10 {
            let response = self
                .raw
                .get(next.clone())
                .send()
                .await
                .expect("web view request");
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .unwrap_or_else(|| panic!("no redirect from {next} ({})", response.status()));
            if auth.sso_redirect(&location) != docspace_auth::SsoRedirect::Elsewhere {
                return location;
            }
            next = next.join(&location).expect("redirect target");
        }
        panic!("the SSO redirects did not end");
    }

    /// Stops the emulator.
    pub async fn shutdown(self) {
        self.emu.shutdown().await;
    }
}

async fn read_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    (status, value)
}

fn raw_client(ca_pem: Option<&str>) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.expect("CA PEM")).expect("CA cert");
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("raw client")
}

/// A password as the client takes it.
pub fn pw(password: &str) -> SecretString {
    SecretString::from(password)
}

/// Step 1 for `user` with `auth`; panics unless a second factor is asked for.
pub async fn login_pending(auth: Auth<Unauthenticated>, user: (&str, &str)) -> Auth<TfaPending> {
    match auth.login(user.0, pw(user.1)).await {
        Ok(LoginOutcome::TfaRequired(pending)) => pending,
        other => panic!("expected 2FA for {}, got {other:?}", user.0),
    }
}

/// Step 1 for `user` with `auth`; panics unless it gives a token.
pub async fn login_authenticated(
    auth: Auth<Unauthenticated>,
    user: (&str, &str),
) -> Auth<Authenticated> {
    match auth.login(user.0, pw(user.1)).await {
        Ok(LoginOutcome::Authenticated(session)) => session,
        other => panic!("expected a token for {}, got {other:?}", user.0),
    }
}

/// Confirms `code` and expects the server to refuse it as a wrong code
/// ([`Error::CodeRejected`]); returns the refusal (which hands the pending state back).
pub async fn expect_code_rejected(state: Auth<TfaPending>, code: Code, why: &str) -> ConfirmError {
    let rejected = state.confirm(code).await.expect_err(why);
    assert!(
        matches!(rejected.error(), Error::CodeRejected),
        "{why}: {rejected:?}"
    );
    rejected
}

/// The TOTP of `secret` now.
pub fn current_totp(secret: &str) -> Code {
    docspace_auth::totp::now(&SecretString::from(secret)).expect("totp")
}

/// Fixture users: (email, password).
pub mod secret_forms;

pub mod users {
    /// No 2FA.
    pub const ALICE: (&str, &str) = ("alice@example.com", "alice-pass");
    /// App 2FA, enrolled.
    pub const BOB: (&str, &str) = ("bob@example.com", "bob-pass");
    /// Bob's TOTP secret.
    pub const BOB_SECRET: &str = "IFREGZCFMYWV6MJS";
    /// Bob's backup codes.
    pub const BOB_BACKUP: [&str; 5] = ["aB3-x_", "Qw9_zz", "00-a_B", "k2k2k2", "Z_-9aa"];
    /// App 2FA, not enrolled.
    pub const CAROL: (&str, &str) = ("carol@example.com", "carol-pass");
    /// Carol's TOTP secret.
    pub const CAROL_SECRET: &str = "JBSWY3DPEHPK3PXP";
    /// SMS 2FA with an activated phone.
    pub const DAVE: (&str, &str) = ("dave@example.com", "dave-pass");
    /// Dave's phone.
    pub const DAVE_PHONE: &str = "+15551234567";
    /// Disabled user.
    pub const ERIN: (&str, &str) = ("erin@example.com", "erin-pass");
    /// SSO only (no password).
    pub const FRANK: &str = "frank@example.com";
    /// LDAP: the plain password only.
    pub const GRACE: (&str, &str) = ("grace@example.com", "grace-pass");
    /// SMS, no phone yet: phone activation.
    pub const HEIDI: (&str, &str) = ("heidi@example.com", "heidi-pass");
    /// SSO only, disabled.
    pub const IVAN: &str = "ivan@example.com";
}

/// The current time in seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// A 6-digit code that the server will not accept for `secret` now (outside the ±10-step
/// window, with margin).
pub fn wrong_totp(secret: &str) -> docspace_auth::Code {
    let secret = SecretString::from(secret);
    let now = unix_now();
    let valid: Vec<String> = (0..=24u64)
        .map(|i| {
            let t = (now + i * 30).saturating_sub(12 * 30);
            docspace_auth::totp::at(&secret, t)
                .expect("secret")
                .expose()
                .to_owned()
        })
        .collect();
    let mut n = 0u32;
    loop {
        let candidate = format!("{n:06}");
        if !valid.contains(&candidate) {
            return docspace_auth::Code::parse(&candidate).expect("code");
        }
        n += 1;
    }
}
