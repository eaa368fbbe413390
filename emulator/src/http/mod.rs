//! HTTP plumbing: the accept loop, one hyper connection per client, and the first split of every
//! request: `/api…` to the DocSpace endpoints (after counting it and applying any fault),
//! `/emulator/…` to the emulator's own endpoints, anything else 404.

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
pub(crate) use response::{add_cookie, empty, json_value, Body};

use crate::shared::Shared;
use crate::state::NEVER_COUNTED;
use inject::{apply_fault, DropConnection};

/// Most connections served at once.
const MAX_CONNECTIONS: usize = 1024;

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
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
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
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let tls = tls.clone();
                conns.spawn(async move {
                    let _permit = permit;
                    let conn = Arc::new(Conn { peer, counted_epoch: AtomicU64::new(NEVER_COUNTED) });
                    let service = hyper::service::service_fn(move |req| {
                        handle(shared.clone(), conn.clone(), req)
                    });
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
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
    if let Some(rest) = path.strip_prefix("/emulator/") {
        return Ok(crate::emulator_endpoints::route(&shared, req, rest).await);
    }
    Ok(empty(404))
}
