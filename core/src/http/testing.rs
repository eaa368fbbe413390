//! For the unit tests of the pool (`client.rs`) and of a connection's driver (`driver.rs`): a
//! keep-alive HTTP/1.1 server on loopback that answers each request with the number of the
//! connection it came on (0 for the first one accepted), and notes the connections the client
//! closed, a client of the default configuration, and the runtime the tests run on.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http_body_util::{BodyExt, Full};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant as Deadline;

use super::client::{Client, Lease};
use super::clients::Key;
use crate::Error;

pub(super) struct Server {
    /// `http://127.0.0.1:{port}/`
    pub(super) url: String,
    seen: Arc<Mutex<Seen>>,
}

#[derive(Default)]
struct Seen {
    accepted: usize,
    closed: Vec<usize>,
}

impl Server {
    /// Serves on the current runtime, until it ends.
    pub(super) async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let all = seen.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let number = {
                    let mut seen = all.lock().unwrap_or_else(PoisonError::into_inner);
                    seen.accepted += 1;
                    seen.accepted - 1
                };
                let seen = all.clone();
                tokio::spawn(async move {
                    serve(socket, number).await;
                    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                    seen.closed.push(number);
                });
            }
        });
        Server { url, seen }
    }

    /// How many connections it accepted.
    pub(super) fn accepted(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .accepted
    }

    /// The connections the client closed (their numbers, sorted), once the server has seen
    /// `count` of them close (or after 5 s).
    pub(super) async fn closed(&self, count: usize) -> Vec<usize> {
        for _ in 0..500 {
            let mut closed = self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .closed
                .clone();
            if closed.len() >= count {
                closed.sort_unstable();
                return closed;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the server did not see {count} connections close");
    }
}

/// Answers each GET request (a head, no body) until the client closes.
async fn serve(mut socket: tokio::net::TcpStream, number: usize) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let end = loop {
            if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        };
        received.drain(..end);
        let body = number.to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if socket.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A current-thread runtime with I/O and time, as a blocking wrapper makes.
pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A client of its own (not the process-wide one), with the default TLS configuration.
pub(super) fn client() -> Arc<Client> {
    let tls = super::tls::shared_tls_config(&[]).expect("tls");
    let key = Key::new(
        tls,
        Duration::from_secs(5),
        Duration::from_secs(5),
        HeaderValue::from_static("docspace-auth-test"),
    );
    Arc::new(Client::build(&key))
}

/// A GET of `url` on `client`: the number of the server's connection that answered, and the
/// connection, its answer read in full (release it to pool it).
pub(super) async fn get(client: &Arc<Client>, url: &str) -> (usize, Lease) {
    let request = http::Request::get(url)
        .body(Full::new(Bytes::new()))
        .expect("request");
    let deadline = Deadline::now() + Duration::from_secs(5);
    let timed_out = || Error::unexpected("timed out".to_owned());
    let (response, mut lease) = client
        .send(request, deadline, timed_out)
        .await
        .expect("answered");
    let body = lease
        .drive(response.into_body().collect())
        .await
        .ok()
        .expect("in time")
        .expect("a body")
        .to_bytes();
    let number = std::str::from_utf8(&body)
        .ok()
        .and_then(|n| n.parse().ok())
        .expect("a connection number");
    (number, lease)
}
