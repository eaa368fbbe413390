//! The system trust store is read on the first certificate to verify, not when a client is made
//! (core `http/tls.rs`). Its own test binary: it points the trust store at an empty folder
//! through the environment, for the whole process.
//!
//! Linux (and the other platforms whose verifier reads the trust store from files) only: Apple's
//! and Windows' verifiers ask the OS per verification.
#![cfg(all(unix, not(target_vendor = "apple")))]

use docspace_auth::{Auth, Error, TransportErrorKind};
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{login_authenticated, pw, Portal};

#[tokio::test]
async fn an_unreadable_trust_store_only_fails_the_connections_that_need_it() {
    // A trust store with no certificate in it (rustls-native-certs reads these two variables
    // instead of the system's files when they are set). Set before any client of this process
    // is made, and never changed: the test binary's only test.
    let empty = std::env::temp_dir().join(format!("docspace-empty-trust-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("folder");
    let no_file = empty.join("none.pem");
    // No other thread of this process reads the environment while this is set.
    std::env::set_var("SSL_CERT_FILE", &no_file);
    std::env::set_var("SSL_CERT_DIR", &empty);

    // Making a client does not read the trust store, so it succeeds, and a plain-HTTP login to
    // a loopback portal never needs it.
    let plain = Portal::start().await;
    let auth = Auth::new(plain.url()).expect("a client without reading the trust store");
    login_authenticated(auth, ALICE).await;

    // An HTTPS login reads it on its first certificate: an empty store is a TLS error there,
    // and again on the next one (the failure is not forgotten, nor does it panic).
    let tls = Portal::start_with(|c| c.tls = true).await;
    for _ in 0..2 {
        let got = Auth::new(tls.url())
            .expect("client")
            .login(ALICE.0, pw(ALICE.1))
            .await;
        assert!(
            matches!(
                &got,
                Err(Error::Transport {
                    kind: TransportErrorKind::Tls,
                    ..
                })
            ),
            "{got:?}"
        );
    }

    // A client with the portal's CA as an extra root is a configuration of its own: its trust
    // store (the empty system one plus that CA) is read on its first certificate, and trusts it.
    let pem = tls.ca_pem().expect("CA").to_owned();
    let auth = Auth::builder(tls.url())
        .add_root_certificate_pem(&pem)
        .build()
        .expect("client");
    login_authenticated(auth, ALICE).await;
    let _ = std::fs::remove_dir_all(&empty);
}
