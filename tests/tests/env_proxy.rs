//! A proxy named in the environment never sees a login: a loopback login's password would
//! cross it in clear text. (Its own test binary: it sets process-wide variables.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use docspace_auth::LoginOutcome;
use docspace_auth_e2e::users::*;
use docspace_auth_e2e::{pw, Portal};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

#[tokio::test]
async fn proxy_variables_are_ignored_for_every_request() {
    let portal = Portal::start().await;
    // A "proxy" that counts the connections it gets and answers each with a 502.
    let proxy = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = proxy.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        std::env::set_var(var, &proxy_url);
    }
    std::env::remove_var("no_proxy");
    std::env::remove_var("NO_PROXY");

    // The first client of this process is built now, with the variables set.
    let outcome = portal
        .auth()
        .login(ALICE.0, pw(ALICE.1))
        .await
        .expect("logs in directly");
    let LoginOutcome::Authenticated(session) = outcome else {
        panic!("alice has no second factor");
    };
    session.me().await.expect("me");
    let pending = portal.pending(CAROL).await;
    pending
        .confirm(docspace_auth_e2e::current_totp(CAROL_SECRET))
        .await
        .expect("code accepted");
    session.logout().await.expect("logout");
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the proxy saw a request");
}
