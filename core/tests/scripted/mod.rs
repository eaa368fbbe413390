//! A scripted HTTP/1.1 server on 127.0.0.1 for the wire tests: it answers each request with
//! the next scripted [`Reply`] and records what the client sent.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub connection: u64,
    pub method: String,
    pub path: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Everything the client sent, as text (to look for secrets that must not be there).
    pub fn everything(&self) -> String {
        let mut text = format!("{} {}\n", self.method, self.path);
        for (k, v) in &self.headers {
            text.push_str(&format!("{k}: {v}\n"));
        }
        text.push_str(&String::from_utf8_lossy(&self.body));
        text
    }
}

/// What the server answers to the next request.
pub enum Reply {
    /// A complete response: status, extra headers, body (with Content-Length).
    Full(u16, Vec<(&'static str, String)>, String),
    /// 200 with chunked encoding and an endless body of `x`s.
    Endless,
    /// 200 announcing `Content-Length: 100`, then 10 bytes and silence.
    Stall,
    /// Sends nothing, and keeps the connection open for 30 s.
    Silent,
    /// Closes the connection without answering.
    Drop,
}

pub fn ok(response: Value) -> Reply {
    Reply::Full(
        200,
        vec![],
        json!({"response": response, "count": 1, "status": 0, "statusCode": 200}).to_string(),
    )
}

pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// Body bytes written by `Reply::Endless` before the client hung up.
    pub endless_written: Arc<AtomicU64>,
}

impl Server {
    pub async fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let endless_written = Arc::new(AtomicU64::new(0));
        let replies = Arc::new(Mutex::new(replies.into_iter()));
        {
            let requests = Arc::clone(&requests);
            let endless_written = Arc::clone(&endless_written);
            tokio::spawn(async move {
                let mut connection = 0;
                while let Ok((stream, _)) = listener.accept().await {
                    connection += 1;
                    tokio::spawn(serve(
                        stream,
                        connection,
                        Arc::clone(&requests),
                        Arc::clone(&replies),
                        Arc::clone(&endless_written),
                    ));
                }
            });
        }
        Server {
            url,
            requests,
            endless_written,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

async fn serve(
    stream: TcpStream,
    connection: u64,
    requests: Arc<Mutex<Vec<Recorded>>>,
    replies: Arc<Mutex<std::vec::IntoIter<Reply>>>,
    endless_written: Arc<AtomicU64>,
) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        requests.lock().expect("lock").push(Recorded {
            connection,
            method,
            path,
            headers,
            body,
        });
        let reply = replies.lock().expect("lock").next();
        let stream = stream.get_mut();
        match reply {
            Some(Reply::Full(status, extra, body)) => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (k, v) in extra {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(body.as_bytes()).await.is_err()
                {
                    return;
                }
            }
            Some(Reply::Endless) => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Transfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let framed = [
                    format!("{:x}\r\n", chunk.len()).into_bytes(),
                    chunk,
                    b"\r\n".to_vec(),
                ]
                .concat();
                while stream.write_all(&framed).await.is_ok() {
                    endless_written.fetch_add(64 * 1024, Ordering::SeqCst);
                }
                return;
            }
            Some(Reply::Stall) => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Content-Length: 100\r\n\r\n{\"status\":";
                let _ = stream.write_all(head.as_bytes()).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
            Some(Reply::Silent) => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
            Some(Reply::Drop) | None => return,
        }
    }
}
