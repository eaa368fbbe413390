//! The portal shapes real users have (docs/protocol.md §10–§17), end to end: discovery, the
//! client-side password hash, the 403 kinds and the captcha, SSO, phone activation, backup
//! codes regenerated, active sessions.

use docspace_auth::secrecy::ExposeSecret;
use docspace_auth::{
    CaptchaAnswer, CaptchaKind, Challenge, Code, Error, LoginOutcome, SsoFailure, TenantStatus,
};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::*;
use docspace_emulator::{Fault, FaultKind};

const SALT: &str = "4d9abe238e2f7b14a30a4565d62214a795a15abb798ed61118a69820d6a6146c";

#[tokio::test]
async fn discovery_reads_what_a_login_screen_needs() {
    let portal = Portal::start().await;
    let info = portal
        .auth()
        .portal_info()
        .await
        .expect("a DocSpace portal");
    assert_eq!(info.tenant_status, TenantStatus::Active);
    assert!(info.ldap_enabled);
    let sso = info.sso.expect("SSO is on in the fixture");
    assert_eq!(sso.url, format!("{}/sso/login", portal.url()));
    assert_eq!(sso.label, "Single Sign-on");
    let hash = info.password_hash.expect("hash parameters");
    assert_eq!(
        (hash.salt.as_str(), hash.iterations, hash.size),
        (SALT, 100_000, 256)
    );
    let captcha = info.captcha.expect("a captcha");
    assert_eq!(
        (captcha.kind, captcha.public_key.as_str()),
        (CaptchaKind::Recaptcha, "test-site-key")
    );

    // In maintenance the capabilities are refused (403): still a portal, its state said.
    portal.emulator().set_tenant_status(3).unwrap();
    let info = portal.auth().portal_info().await.expect("still a portal");
    assert_eq!(info.tenant_status, TenantStatus::Transferring);
    assert!(!info.tenant_status.accepts_logins());
    assert!(info.sso.is_none());
}

#[tokio::test]
async fn an_address_that_is_not_a_docspace_portal_is_told_so() {
    let portal = Portal::start().await;
    for kind in [
        FaultKind::Html,
        FaultKind::status(404),
        FaultKind::MalformedJson,
        FaultKind::redirect(),
    ] {
        portal.fault(Fault::new(kind).on_path("/api/2.0/settings"));
        let got = portal.auth().portal_info().await;
        assert!(
            matches!(got, Err(Error::NotADocSpacePortal { .. })),
            "{got:?}"
        );
    }
    // Workspace wants a login to read its settings.
    portal.fault(Fault::new(FaultKind::status(401)).on_path("/api/2.0/settings"));
    let got = portal.auth().portal_info().await;
    assert!(
        matches!(got, Err(Error::NotADocSpacePortal { .. })),
        "{got:?}"
    );
    // A server error stays a server error.
    portal.fault(Fault::new(FaultKind::status(503)).on_path("/api/2.0/settings"));
    let got = portal.auth().portal_info().await;
    assert!(matches!(got, Err(Error::Server { status: 503 })), "{got:?}");
}

#[tokio::test]
async fn portal_states_on_login() {
    let portal = Portal::start().await;
    portal.emulator().set_tenant_status(1).unwrap(); // suspended: 404
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Err(Error::WrongPortalAddress)), "{got:?}");
    portal.emulator().set_tenant_status(6).unwrap(); // encryption: empty 403
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Err(Error::PortalUnavailable)), "{got:?}");
    portal.emulator().set_tenant_status(0).unwrap();
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Ok(LoginOutcome::Authenticated(_))), "{got:?}");
}

#[tokio::test]
async fn a_hashed_login_never_sends_the_password() {
    let portal = Portal::start().await;
    let auth = portal.builder().hash_password(true).build().unwrap();
    let session = login_authenticated(auth.clone(), ALICE).await;
    assert!(session.is_valid().await.unwrap());
    // The parameters were read once for the client: the second login makes one request.
    portal.reset_counters();
    login_authenticated(auth.clone(), ALICE).await;
    assert_eq!(portal.counters().1, 1);
    // A second factor after a hashed login: the pending state holds the hash, and it works,
    // for the SMS resend too.
    let sms = login_pending(auth.clone(), DAVE).await;
    sms.resend_sms().await.expect("resent with the hash");
    let pending = login_pending(auth.clone(), BOB).await;
    pending
        .confirm(current_totp(BOB_SECRET))
        .await
        .expect("code accepted");
    // What a pending login sends is the hash made at login, not the password: once the portal's
    // salt changes, that hash no longer matches (the plain password still would).
    let pending = login_pending(auth.clone(), BOB).await;
    portal
        .emulator()
        .update_portal(|p| p.password_hash.salt = "another-salt".into())
        .unwrap();
    expect_code_rejected(pending, current_totp(BOB_SECRET), "a stale hash").await;
    login_pending(portal.auth(), BOB).await;
    portal.emulator().reset();
    // A wrong password hashes to a wrong hash.
    let got = auth.clone().login(ALICE.0, pw("wrong")).await;
    assert!(matches!(got, Err(Error::InvalidCredentials)), "{got:?}");
    // LDAP accounts need the plain password (§11.4).
    let got = auth.login(GRACE.0, pw(GRACE.1)).await;
    assert!(matches!(got, Err(Error::InvalidCredentials)), "{got:?}");
    login_authenticated(portal.auth(), GRACE).await;
}

#[tokio::test]
async fn lockout_captcha_and_disabled_users_are_told_apart() {
    let portal = Portal::start_with(|c| c.lockout.attempt_count = 2).await;
    let got = portal.auth().login(ERIN.0, pw(ERIN.1)).await;
    assert!(matches!(got, Err(Error::UserDisabled)), "{got:?}");
    for _ in 0..2 {
        let _ = portal.auth().login(ALICE.0, pw("wrong")).await;
    }
    let got = portal.auth().login(ALICE.0, pw(ALICE.1)).await;
    assert!(matches!(got, Err(Error::LockedOut)), "{got:?}");
    let wrong = CaptchaAnswer::new(CaptchaKind::Recaptcha, "not-the-answer");
    let got = portal
        .auth()
        .login_with_captcha(ALICE.0, pw(ALICE.1), wrong)
        .await;
    assert!(matches!(got, Err(Error::CaptchaRejected)), "{got:?}");
    // A valid captcha passes the lock; the password is still checked.
    let right = CaptchaAnswer::new(CaptchaKind::Recaptcha, "captcha-ok");
    let got = portal
        .auth()
        .login_with_captcha(ALICE.0, pw("wrong"), right.clone())
        .await;
    assert!(matches!(got, Err(Error::InvalidCredentials)), "{got:?}");
    let got = portal
        .auth()
        .login_with_captcha(ALICE.0, pw(ALICE.1), right)
        .await;
    assert!(matches!(got, Ok(LoginOutcome::Authenticated(_))), "{got:?}");
}

#[tokio::test]
async fn sso_login_and_logout() {
    let portal = Portal::start().await;
    let auth = portal.auth();
    let sso = auth.portal_info().await.unwrap().sso.expect("SSO");
    let end = portal
        .sso_web_view(&auth, &format!("{}?email={FRANK}", sso.url))
        .await;
    assert!(end.contains("token="), "{end}");
    let session = auth.clone().complete_sso(&end).expect("a session");
    let me = session.me().await.expect("the SSO token works");
    assert_eq!(me.email, FRANK);
    assert_eq!(me.is_sso, Some(true));
    let sessions = session.sessions().await.unwrap();
    assert_eq!(
        sessions.iter().filter(|s| s.current).count(),
        1,
        "{sessions:?}"
    );
    let logged_out = session.logout().await.expect("logged out");
    let slo = logged_out.sso_logout_url.expect("single logout configured");
    assert!(
        slo.starts_with(&format!("{}/sso/slo?", portal.url())),
        "{slo}"
    );

    // A disabled SSO user ends on the error page, with its reason.
    let end = portal
        .sso_web_view(&auth, &format!("/sso/login?email={IVAN}"))
        .await;
    match auth.clone().complete_sso(&end) {
        Err(Error::Sso { reason }) => assert_eq!(reason, SsoFailure::UserDisabled),
        other => panic!("{end}: {other:?}"),
    }
    // SSO switched off: the SSO service's own error page (absolute).
    portal
        .emulator()
        .update_portal(|p| p.sso.enabled = false)
        .unwrap();
    assert!(portal.auth().portal_info().await.unwrap().sso.is_none());
    let end = portal
        .sso_web_view(&auth, &format!("/sso/login?email={FRANK}"))
        .await;
    assert!(end.starts_with("http"), "{end}");
    let got = auth.complete_sso(&end);
    assert!(
        matches!(
            got,
            Err(Error::Sso {
                reason: SsoFailure::Error
            })
        ),
        "{got:?}"
    );
}

#[tokio::test]
async fn phone_activation_then_the_sms_code() {
    let portal = Portal::start().await;
    let pending = login_pending(portal.auth(), HEIDI).await;
    assert!(matches!(
        pending.challenge(),
        Challenge::SmsPhoneActivation { .. }
    ));
    // A number without digits is refused before any request; the login stays usable.
    portal.reset_counters();
    let failed = pending.set_phone("call me").await.expect_err("no digits");
    assert!(matches!(failed.error(), Error::InvalidPhoneNumber));
    assert_eq!(portal.counters().1, 0);
    let pending = failed
        .into_pending()
        .set_phone("+1 (555) 765-4321")
        .await
        .expect("a code was sent");
    let Challenge::Sms { phone_noise, .. } = pending.challenge() else {
        panic!("{:?}", pending.challenge());
    };
    assert!(phone_noise.ends_with("4321"), "{phone_noise}");
    let code = portal.sms_codes("+15557654321").pop().expect("an SMS");
    let session = pending
        .confirm(Code::parse(&code).unwrap())
        .await
        .expect("logged in");
    assert!(session.is_valid().await.unwrap());
    // Activated: the next login is an ordinary SMS challenge.
    let pending = login_pending(portal.auth(), HEIDI).await;
    assert!(
        matches!(pending.challenge(), Challenge::Sms { .. }),
        "{:?}",
        pending.challenge()
    );
}

#[tokio::test]
async fn phone_activation_refusals() {
    let portal = Portal::start().await;
    // Not a phone activation: refused without a request.
    let pending = login_pending(portal.auth(), BOB).await;
    let failed = pending
        .set_phone("+15550001111")
        .await
        .expect_err("app 2FA");
    assert!(matches!(failed.error(), Error::NotPhoneActivation));
    // The activation key lasts an hour.
    let pending = login_pending(portal.auth(), HEIDI).await;
    portal.advance_clock(3601);
    let failed = pending
        .set_phone("+15550001111")
        .await
        .expect_err("expired");
    assert!(
        matches!(failed.error(), Error::PhoneActivationExpired),
        "{failed:?}"
    );
    assert!(matches!(
        failed.into_pending().challenge(),
        Challenge::SmsPhoneActivation { .. }
    ));
}

#[tokio::test]
async fn backup_codes_regenerated_replace_the_old_ones() {
    let portal = Portal::start().await;
    let session = login_pending(portal.auth(), BOB)
        .await
        .confirm(current_totp(BOB_SECRET))
        .await
        .unwrap();
    let new = session.regenerate_backup_codes().await.expect("new codes");
    assert_eq!(new.len(), 5);
    assert!(new
        .iter()
        .all(|c| !c.is_used && c.code.expose_secret().len() == 6));
    let listed = session.backup_codes().await.unwrap();
    let text = |codes: &[docspace_auth::BackupCode]| {
        codes
            .iter()
            .map(|c| c.code.expose_secret().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(text(&listed), text(&new));
    // An old code no longer logs in; a new one does.
    let old = Code::parse(BOB_BACKUP[0]).unwrap();
    expect_code_rejected(portal.pending(BOB).await, old, "an old backup code").await;
    let fresh = Code::parse(new[0].code.expose_secret()).unwrap();
    portal
        .pending(BOB)
        .await
        .confirm(fresh)
        .await
        .expect("a new backup code works");
    // Without an authenticator app there is nothing to regenerate.
    let alice = portal.authenticated(ALICE).await;
    let got = alice.regenerate_backup_codes().await;
    assert!(matches!(got, Err(Error::Forbidden { .. })), "{got:?}");
}

#[tokio::test]
async fn active_sessions_listed_and_ended() {
    let portal = Portal::start().await;
    let this = portal.authenticated(ALICE).await;
    let other = portal.authenticated(ALICE).await;
    let listed = this.sessions().await.unwrap();
    assert!(listed.len() >= 2, "{listed:?}");
    let current: Vec<_> = listed.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, current[0].id, "the current one comes first");
    assert!(listed.iter().all(|s| s.date.is_some()), "{listed:?}");
    let this_id = current[0].id;
    let other_id = other.sessions().await.unwrap()[0].id;
    assert_ne!(this_id, other_id);

    // Ending this session by mistake is refused, before anything is ended.
    let got = this.end_session(this_id).await;
    assert!(matches!(got, Err(Error::CurrentSession)), "{got:?}");
    assert!(this.is_valid().await.unwrap());

    assert!(this.end_session(other_id).await.unwrap());
    assert!(!other.is_valid().await.unwrap());
    assert!(!this.end_session(other_id).await.unwrap(), "already ended");

    let third = portal.authenticated(ALICE).await;
    this.end_other_sessions().await.unwrap();
    assert!(!third.is_valid().await.unwrap());
    assert!(this.is_valid().await.unwrap(), "this one stays valid");
}
