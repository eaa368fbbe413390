//! A saturated emulator says so, as a front end would: a connection beyond
//! `max_connections` is answered `503` with `Retry-After` and closed, never dropped silently;
//! once a connection closes, the next one is served.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn raw_get(emu: &docspace_emulator::Emulator) -> String {
    let mut stream = TcpStream::connect(emu.local_addr()).await.expect("connect");
    stream
        .write_all(b"GET /api/2.0/authentication HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn beyond_the_connection_limit_a_503_with_retry_after() {
    let emu = start_with(USERS, |cfg| cfg.max_connections = 2).await;
    // Two connections hold the two places (connected, nothing sent yet).
    let held = [
        TcpStream::connect(emu.local_addr()).await.expect("connect"),
        TcpStream::connect(emu.local_addr()).await.expect("connect"),
    ];
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = raw_get(&emu).await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert!(answer.contains("Retry-After: 1\r\n"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).expect("a body");
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON envelope");
    assert_eq!(body["statusCode"], 503);
    assert_eq!(
        emu.counters().requests,
        0,
        "a refused request is not served"
    );

    // A place frees up: the next connection is served (200, `false`: no credential).
    drop(held);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = raw_get(&emu).await;
        if answer.starts_with("HTTP/1.1 200 ") {
            break;
        }
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(tokio::time::Instant::now() < deadline, "never served again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
