//! HTTP plumbing: the accept loop, one hyper connection per client, and the first split of every
//! request: `/api…` to the DocSpace endpoints (after counting it and applying any fault),
//! `/emulator/…` to the emulator's own endpoints, anything else (SSO, the IdP stand-in under
//! `/emulator/idp/`, a few pages) to `web/`, which answers 404 for what it does not know.

mod body;
mod inject;
mod path;
mod response;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

pub(crate) use body::read_body;
pub(crate) use path::decode_path;
pub(crate) use response::{add_cookie, empty, json_value, response, Body};

use crate::shared::Shared;
use crate::state::NEVER_COUNTED;
use inject::{apply_fault, DropConnection};

/// What a connection beyond `max_connections` gets before it is closed.
const SATURATED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
    Content-Type: application/json\r\nContent-Length: 89\r\nConnection: close\r\n\r\n\
    {\"error\":{\"message\":\"Too many connections: try again later\"},\"status\":1,\"statusCode\":503}";

/// One client connection.
pub(crate) struct Conn {
    pub peer: SocketAddr,
    /// Counter epoch in which this connection was last counted ([`NEVER_COUNTED`] at first).
    counted_epoch: AtomicU64,
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    let limit = Arc::new(Semaphore::new(shared.cfg.max_connections.max(1)));
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(_) => {
                        // e.g. too many open files: back off briefly.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    // Saturated: say so (503, Retry-After) and close, in a task of its own.
                    tokio::spawn(refuse(stream, tls.clone()));
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let tls = tls.clone();
                conns.spawn(async move {
                    let _permit = permit;
                    let conn = Arc::new(Conn { peer, counted_epoch: AtomicU64::new(NEVER_COUNTED) });
                    let idle_timeout = shared.cfg.idle_timeout;
                    let service = hyper::service::service_fn(move |req| {
                        handle(shared.clone(), conn.clone(), req)
                    });
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(idle_timeout)
                        .max_buf_size(64 * 1024);
                    match tls {
                        Some(acceptor) => {
                            let handshake = tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(stream),
                            )
                            .await;
                            if let Ok(Ok(tls_stream)) = handshake {
                                let _ = builder
                                    .serve_connection(TokioIo::new(tls_stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        }
    }
}

/// Answers a connection beyond the limit with [`SATURATED`] and closes it (after the TLS
/// handshake when serving HTTPS). The request head is read first (a client does not expect an
/// answer before its request), and what follows is drained for a moment before closing, so
/// that the close does not reset the connection before the client reads the answer.
async fn refuse(stream: tokio::net::TcpStream, tls: Option<tokio_rustls::TlsAcceptor>) {
    let answer = async {
        match tls {
            Some(acceptor) => answer_and_close(acceptor.accept(stream).await?).await,
            None => answer_and_close(stream).await,
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), answer).await;
}

async fn answer_and_close<S>(mut stream: S) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = [0u8; 4096];
    let mut seen: Vec<u8> = Vec::new();
    let head = async {
        // Until the end of the request head, at most 64 KiB.
        while seen.len() < 64 * 1024 && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), head).await;
    stream.write_all(SATURATED).await?;
    stream.shutdown().await?;
    let drain = async {
        let mut left = 64 * 1024;
        while left > 0 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left -= n.min(left),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    Ok(())
}

async fn handle(
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let path = req.uri().path().to_string();
    let lower = path.to_ascii_lowercase();
    if lower == "/api" || lower.starts_with("/api/") {
        let fault = {
            let mut st = shared.lock();
            st.count_request(&conn.counted_epoch);
            st.faults().take(&path)
        };
        if let Some(kind) = fault {
            if let Some(resp) = apply_fault(kind).await? {
                return Ok(resp);
            }
        }
        return Ok(crate::endpoints::api(&shared, &conn, req, &path).await);
    }
    if !lower.starts_with("/emulator/idp/") {
        if let Some(rest) = path.strip_prefix("/emulator/") {
            return Ok(crate::emulator_endpoints::route(&shared, req, rest).await);
        }
    }
    Ok(crate::web::route(&shared, &conn, req, &path).await)
}
