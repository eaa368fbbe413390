//! The emulator-only endpoints over HTTP (what the Python, Kotlin and Swift suites use): SMS
//! outbox, faults, counters, reset, clock; and TLS in-process.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET /emulator/clock`: the emulator's unix time.
async fn clock_unix_secs(c: &reqwest::Client, base: &str) -> u64 {
    let clock = get(c, &format!("{base}/emulator/clock")).await.json();
    clock["unixSecs"].as_u64().unwrap()
}

async fn fault(c: &reqwest::Client, base: &str, body: serde_json::Value) {
    let r = post_json(c, &format!("{base}/emulator/faults"), &body).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn sms_outbox_lists_messages_oldest_first_and_filters_by_phone_digits() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    assert_eq!(login_as(&c, base, DAVE).await.status, 200);
    assert_eq!(sendsms_as(&c, base, DAVE).await.status, 200);
    let sent = sms_codes(&emu, DAVE_PHONE);
    let all = get(&c, &format!("{base}/emulator/sms")).await;
    assert_eq!(all.status, 200);
    let messages = all.json()["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 2);
    for (m, code) in messages.iter().zip(&sent) {
        assert_eq!(m["phone"], "+15551234567");
        assert_eq!(m["code"], code.as_str());
        assert!(m["sentAt"].as_str().unwrap().ends_with('Z'));
    }
    for (query, n) in [
        ("%2B15551234567", 2),
        ("15551234567", 2),
        ("%2B19999999999", 0),
    ] {
        let r = get(&c, &format!("{base}/emulator/sms?phone={query}")).await;
        assert_eq!(r.json()["messages"].as_array().unwrap().len(), n, "{query}");
    }
    let r = post_raw(&c, &format!("{base}/emulator/sms"), "").await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn delay_fault() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    fault(&c, base, json!({"kind":"delay","delayMs":300})).await;
    let t0 = Instant::now();
    let r = login_as(&c, base, ALICE).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        r.status, 200,
        "the delayed request is then answered normally"
    );
    // times defaults to 1
    let t0 = Instant::now();
    login_as(&c, base, ALICE).await;
    assert!(t0.elapsed() < Duration::from_millis(300));
    // a client timeout shorter than the delay fails
    fault(&c, base, json!({"kind":"delay","delayMs":2000})).await;
    let short = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = short
        .get(format!("{base}/api/2.0/authentication"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn status_fault_with_body_headers_path_and_times() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    fault(
        &c,
        base,
        json!({"kind":"status","status":429,"path":"/api/2.0/authentication","times":2,
               "body":"{\"error\":\"slow down\"}","headers":{"Retry-After":"7"}}),
    )
    .await;
    // another path is not affected
    let r = get(&c, &format!("{base}/api/2.0/people/@self")).await;
    assert_eq!(r.status, 401);
    for _ in 0..2 {
        let r = login_as(&c, base, ALICE).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.text, r#"{"error":"slow down"}"#);
        assert_eq!(r.headers["retry-after"], "7");
    }
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    // no body ⇒ empty body; times 0 ⇒ until cleared
    fault(&c, base, json!({"kind":"status","status":503,"times":0})).await;
    for _ in 0..3 {
        let r = login_as(&c, base, ALICE).await;
        assert_eq!((r.status, r.text.as_str()), (503, ""));
    }
    let r = send(c.delete(format!("{base}/emulator/faults"))).await;
    assert_eq!(r.status, 200);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
}

#[tokio::test]
async fn html_malformed_and_redirect_faults() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    fault(&c, base, json!({"kind":"html"})).await;
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.text.contains("<html"));

    fault(&c, base, json!({"kind":"malformedJson"})).await;
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());

    fault(&c, base, json!({"kind":"redirect"})).await;
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.status, 302);
    assert_eq!(r.headers["location"], "http://evil.example.invalid/steal");
    fault(
        &c,
        base,
        json!({"kind":"redirect","location":"https://other.example.invalid/x"}),
    )
    .await;
    let r = login_as(&c, base, ALICE).await;
    assert_eq!(r.headers["location"], "https://other.example.invalid/x");
}

#[tokio::test]
async fn oversized_fault_streams_the_requested_size() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    fault(&c, base, json!({"kind":"oversized","bytes":3_000_000})).await;
    let resp = c
        .post(format!("{base}/api/2.0/authentication"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("content-length").is_none(),
        "streamed (chunked)"
    );
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len(), 3_000_000);
    assert!(body.starts_with(br#"{"response":""#));
    // default: 16 MiB; read only the start, then drop the connection
    fault(&c, base, json!({"kind":"oversized"})).await;
    let mut resp = client()
        .get(format!("{base}/api/2.0/authentication"))
        .send()
        .await
        .unwrap();
    let mut got = 0usize;
    while let Some(chunk) = resp.chunk().await.unwrap() {
        got += chunk.len();
        if got > 1_000_000 {
            break;
        }
    }
    assert!(got > 1_000_000);
    drop(resp);
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
}

#[tokio::test]
async fn drop_fault_closes_without_a_response() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    fault(&c, base, json!({"kind":"drop"})).await;
    let mut s = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    s.write_all(b"GET /api/2.0/authentication HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .expect("closed promptly");
    assert!(
        n.is_err() || buf.is_empty(),
        "got {:?}",
        String::from_utf8_lossy(&buf)
    );
    // only once
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    // and a reqwest client sees an error
    fault(&c, base, json!({"kind":"drop"})).await;
    let err = client()
        .get(format!("{base}/api/2.0/authentication"))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout());
}

#[tokio::test]
async fn bad_fault_requests_are_400() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    for body in [
        json!({"kind":"nope"}),
        json!({"kind":"status"}),
        json!({"x":1}),
    ] {
        let r = post_json(&c, &format!("{base}/emulator/faults"), &body).await;
        assert_eq!(r.status, 400, "{body}");
    }
}

#[tokio::test]
async fn counters_count_connections_and_api_requests() {
    let emu = start().await;
    let base = emu.base_url();
    let admin = client();
    let c = client();
    // a 2FA login on one client: one connection, two requests
    login_as(&c, base, BOB).await;
    code_as(&c, base, BOB, "Qw9_zz").await;
    let r = get(&admin, &format!("{base}/emulator/counters")).await;
    assert_eq!(r.text, r#"{"connections":1,"requests":2}"#);
    // two fresh clients: two more connections
    for _ in 0..2 {
        login(&client(), base, "alice@example.com", "alice-pass").await;
    }
    let j = get(&admin, &format!("{base}/emulator/counters"))
        .await
        .json();
    assert_eq!(
        (j["connections"].as_u64(), j["requests"].as_u64()),
        (Some(3), Some(4))
    );
    // reset; the kept-alive connection counts again when it carries a request
    let r = post_raw(&admin, &format!("{base}/emulator/counters/reset"), "").await;
    assert_eq!(r.json()["connections"], 0);
    login_as(&c, base, ALICE).await;
    let r = get(&admin, &format!("{base}/emulator/counters")).await;
    assert_eq!(r.text, r#"{"connections":1,"requests":1}"#);
    // faulted requests count too
    fault(&admin, base, json!({"kind":"status","status":500})).await;
    login_as(&c, base, ALICE).await;
    let r = get(&admin, &format!("{base}/emulator/counters")).await;
    assert_eq!(r.text, r#"{"connections":1,"requests":2}"#);
}

#[tokio::test]
async fn reset_restores_the_initial_state() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let t = token_of(&c, base, ALICE).await;
    let now = align_step(&emu);
    code_as(&c, base, CAROL, &totp(CAROL_SECRET, now)).await;
    code_as(&c, base, BOB, "aB3-x_").await;
    login_as(&c, base, DAVE).await;
    for _ in 0..6 {
        login(&c, base, "alice@example.com", "bad").await;
    }
    fault(
        &c,
        base,
        json!({"kind":"status","status":500,"path":"/api/2.0/people","times":0}),
    )
    .await;
    let r = post_raw(&c, &format!("{base}/emulator/reset"), "").await;
    assert_eq!(r.status, 200);
    // token gone, lockout gone, clock back, outbox empty, fault cleared, counters zero
    let r = people_self(&c, base, &t).await;
    assert_eq!(r.status, 401);
    let clock = get(&c, &format!("{base}/emulator/clock")).await.json();
    assert_eq!(clock["offsetSecs"], 0);
    assert_eq!(
        get(&c, &format!("{base}/emulator/sms")).await.json()["messages"],
        json!([])
    );
    assert_eq!(
        get(&c, &format!("{base}/emulator/counters")).await.text,
        r#"{"connections":1,"requests":1}"#
    );
    assert_eq!(login_as(&c, base, ALICE).await.status, 200);
    // carol is not enrolled again (same tfaKey), bob's backup code is fresh again
    let s1 = login_as(&c, base, CAROL).await;
    assert_eq!(s1.response()["tfaKey"], CAROL_SECRET);
    assert_eq!(code_as(&c, base, BOB, "aB3-x_").await.status, 200);
}

#[tokio::test]
async fn clock_moves_forward_only() {
    let emu = start().await;
    let c = client();
    let base = emu.base_url();
    let before = clock_unix_secs(&c, base).await;
    let r = post_json(
        &c,
        &format!("{base}/emulator/clock"),
        &json!({"advanceSecs": 3600}),
    )
    .await;
    assert_eq!(r.json()["offsetSecs"], 3600);
    let after = clock_unix_secs(&c, base).await;
    assert!(after >= before + 3600 && after < before + 3700);
    // the handle sees the same clock
    assert_eq!(emu.clock_offset(), Duration::from_secs(3600));
    assert!(emu_now(&emu) >= after);
    let r = post_json(
        &c,
        &format!("{base}/emulator/clock"),
        &json!({"advanceSecs": -5}),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn tls_in_process() {
    let emu = start_with(USERS, |c| c.tls = true).await;
    let base = emu.base_url().to_string();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let pem = emu.ca_pem().expect("CA PEM").to_string();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let c = tls_client(&pem);
    let r = login_as(&c, &base, ALICE).await;
    assert_eq!(r.status, 200);
    assert!(r.set_cookies()[0].contains("; secure"));
    assert_eq!(
        r.json()["links"][0]["href"],
        format!("{base}/api/2.0/authentication")
    );
    // also valid for "localhost"
    let port = emu.local_addr().port();
    let r = get(
        &c,
        &format!("https://localhost:{port}/api/2.0/authentication"),
    )
    .await;
    assert_eq!(r.status, 200);
    // a client without the CA refuses the certificate
    // A second emulator's CA: a real CA that did not sign this server's certificate.
    let stranger = start_with(USERS, |c| c.tls = true).await;
    let other = tls_client(stranger.ca_pem().unwrap());
    let err = other
        .get(format!("{base}/api/2.0/authentication"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err}");
    emu.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let emu = start().await;
    let addr = emu.local_addr();
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
