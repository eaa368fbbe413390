//! Defects found by using the command as a shell user and a script author would.

mod common;

use std::process::Stdio;

use common::*;

/// A malformed key in --totp-secret-env is found before the password is sent.
#[tokio::test]
async fn malformed_totp_secret_env_is_refused_before_any_request() {
    let emu = start().await;
    let c = login_with_key_env(emu.base_url(), "bob", "BAD_KEY", "not base32!");
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    assert!(stderr(&o).contains("BAD_KEY"), "{}", stderr(&o));
    assert_eq!(
        api_requests(emu.base_url()).await,
        0,
        "the password was sent"
    );
}

/// HTTP 404 means --portal is not a portal's root (e.g. it has a path), not an unknown user
/// (the portal answers 401 for those).
#[tokio::test]
async fn a_portal_url_with_a_path_is_not_reported_as_an_unknown_user() {
    let emu = start().await;
    let base = format!("{}/some/path", emu.base_url());
    let c = login_user(&base, "alice");
    let o = output(c).await;
    assert_exit(&o, exit::SERVER);
    let err = stderr(&o);
    assert!(!err.contains("does not know this user"), "{err}");
    assert!(err.contains("404") && err.contains("--portal"), "{err}");

    let mut c = cmd(&["me", "--portal", &base]);
    c.env("DOCSPACE_TOKEN", "whatever");
    let o = output(c).await;
    assert_exit(&o, exit::SERVER);
    assert!(stderr(&o).contains("--portal"), "{}", stderr(&o));
}

/// When the token cannot be written, the session just created is logged out instead of being
/// left alive on the portal where nobody can use or revoke it.
#[tokio::test]
async fn a_token_that_cannot_be_written_is_revoked() {
    let emu = start().await;
    // The directory exists, but nothing can be created in it.
    let mut c = login_user(emu.base_url(), "alice");
    c.args(["--output", "/proc/self/docspace-token"]);
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    let err = stderr(&o);
    assert!(err.contains("--output"), "{err}");
    assert!(err.contains("logged out"), "{err}");
    // Login, then logout.
    assert_eq!(api_requests(emu.base_url()).await, 2);

    // stdout is a pipe nobody reads any more.
    let c0 = api_requests(emu.base_url()).await;
    let mut c = login_user(emu.base_url(), "alice");
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let o = wait(child).await;
    assert_eq!(o.status.code(), Some(exit::USAGE), "{}", stderr(&o));
    assert!(stderr(&o).contains("logged out"), "{}", stderr(&o));
    assert_eq!(api_requests(emu.base_url()).await, c0 + 2);
}

/// `totp --secret-env` names its own option in the error.
#[tokio::test]
async fn totp_secret_env_error_names_the_right_option() {
    let mut c = cmd(&["totp", "--secret-env", "UNSET_VARIABLE_Y"]);
    c.stdin(Stdio::null());
    let o = output(c).await;
    assert_exit(&o, exit::USAGE);
    let err = stderr(&o);
    assert!(err.contains("UNSET_VARIABLE_Y"), "{err}");
    assert!(!err.contains("--totp-secret-env"), "{err}");
    assert!(err.contains("--secret-env"), "{err}");
}
