//! The authenticated state: token use, resume, expiry, logout that really revokes.

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{Auth, Error};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::Portal;
use docspace_emulator::{Fault, FaultKind};

#[tokio::test]
async fn logout_really_revokes_the_token() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    let token = session.token().clone();
    // A second, independent client with the same token (e.g. another app process).
    let other = portal.builder().resume(token.clone()).expect("resume");
    assert!(other.is_valid().await.expect("is_valid"));

    session.logout().await.expect("logout");

    assert!(!other.is_valid().await.expect("is_valid"), "token revoked");
    let got = other.me().await;
    assert!(matches!(got, Err(Error::Unauthorized)), "{got:?}");
    let got = other.backup_codes().await;
    assert!(matches!(got, Err(Error::Unauthorized)), "{got:?}");
}

#[tokio::test]
async fn resumed_token_works_like_the_original() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    let resumed = Auth::resume(portal.url(), session.token().clone()).expect("resume");
    assert_eq!(resumed.expires(), None);
    assert_eq!(
        resumed.me().await.expect("me"),
        session.me().await.expect("me")
    );
    // Logging out one of two sessions leaves the other valid.
    let second = portal.authenticated(ALICE).await;
    second.logout().await.expect("logout");
    assert!(resumed.is_valid().await.expect("is_valid"));
}

#[tokio::test]
async fn bogus_token_is_unauthorized() {
    let portal = Portal::start().await;
    let session =
        Auth::resume(portal.url(), SecretString::from("bm90LWEtdG9rZW4=")).expect("resume");
    assert!(!session.is_valid().await.expect("is_valid"));
    let got = session.me().await;
    assert!(matches!(got, Err(Error::Unauthorized)), "{got:?}");
    // Logout of an invalid token is harmless.
    session.logout().await.expect("logout");
}

#[tokio::test]
async fn expired_token_is_no_longer_valid() {
    let portal =
        Portal::start_with(|c| c.token_lifetime = std::time::Duration::from_secs(120)).await;
    let session = portal.authenticated(ALICE).await;
    let expires = session.expires().expect("expiry");
    let left = expires
        .duration_since(std::time::SystemTime::now())
        .expect("in the future");
    assert!(left.as_secs() <= 121, "{left:?}");
    assert!(session.is_valid().await.expect("is_valid"));
    portal.advance_clock(121);
    assert!(!session.is_valid().await.expect("is_valid"));
    assert!(matches!(session.me().await, Err(Error::Unauthorized)));
}

#[tokio::test]
async fn token_debug_is_redacted() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    let token = session.token().expose_secret().to_owned();
    let shown = format!("{session:?}");
    assert!(!shown.contains(&token), "{shown}");
    assert!(shown.contains("REDACTED"));
}

/// A logout the server did not answer hands the session back: its token is still valid, and
/// the logout can be tried again until it is revoked.
#[tokio::test]
async fn a_failed_logout_hands_the_session_back_to_try_again() {
    let portal = Portal::start().await;
    let session = portal.authenticated(ALICE).await;
    let other = portal
        .builder()
        .resume(session.token().clone())
        .expect("resume");
    portal.fault(
        Fault::new(FaultKind::Status {
            status: 503,
            body: None,
            headers: vec![],
        })
        .on_path("/api/2.0/authentication/logout"),
    );
    let failed = session.logout().await.expect_err("503");
    assert!(
        matches!(failed.error(), Error::Server { status: 503 }),
        "{failed:?}"
    );
    assert!(other.is_valid().await.expect("is_valid"), "not revoked yet");
    let session = failed.into_session().expect("handed back");
    session.logout().await.expect("second logout");
    assert!(!other.is_valid().await.expect("is_valid"), "revoked");

    // Logout is anonymous on the server (docs/protocol.md §5): a revoked token logs out as a no-op.
    other.logout().await.expect("nothing left to revoke");
}
