//! An HTTP client: hyper's HTTP/1.1 connections over a rustls connector, and a pool of idle ones
//! (shared per configuration: `clients.rs`; each connection driven by its request: `driver.rs`).
//!
//! The pool is a list of idle connections, most recently used last: a request takes the last
//! one to its portal that is still open and idle for less than [`POOL_IDLE_TIMEOUT`], and gives
//! it back once its answer has been read in full ([`Lease::release`]); a connection whose
//! request failed or timed out is closed instead. A request that a pooled connection could
//! not send (it closed meanwhile) goes on another. hyper-util's pool does the same with more
//! machinery (keys hashed per request, a task per request to give the connection back) than a
//! login's sequential requests need.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::{Authority, Scheme};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::time::Instant as Deadline;
use tower_service::Service;

use super::clients::Key;
use super::driver::{self, Driver, Elapsed, Io};
use crate::Error;

/// TCP, or TLS over TCP, by the URI's scheme.
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The same over an external task's sockets ([`crate::external`]).
#[cfg(unix)]
type ExternalConnector = hyper_rustls::HttpsConnector<super::external_tcp::Connector>;

/// Where a client's connections go: tokio's sockets, or an external task's.
enum Connectors {
    Tokio(Connector),
    #[cfg(unix)]
    External(ExternalConnector),
}

/// The sending half of one HTTP/1.1 connection.
type Sender = http1::SendRequest<Full<Bytes>>;

/// An HTTP/1.1 client: a connector and the idle connections it made.
pub(super) struct Client {
    connector: Connectors,
    idle: Mutex<Vec<Connection>>,
}

/// A connection, and where it goes.
struct Connection {
    scheme: Scheme,
    authority: Authority,
    sender: Sender,
    driver: Driver,
    /// When it went idle (in the pool) or was made.
    since: Instant,
}

impl Connection {
    fn new(scheme: Scheme, authority: Authority, sender: Sender, io: Io) -> Connection {
        Connection {
            scheme,
            authority,
            sender,
            driver: Driver::new(io),
            since: Instant::now(),
        }
    }

    /// Whether it can take no more requests (it ended, or the server said it would close it).
    fn is_closed(&self) -> bool {
        self.driver.ended() || self.sender.is_closed()
    }
}

/// A connection lent to one request: [`Lease::release`] gives it back to the pool once the
/// answer has been read in full; dropped instead, it is closed.
pub(super) struct Lease {
    client: Arc<Client>,
    connection: Connection,
}

impl Lease {
    /// `work` (reading the answer's body) polled together with the connection's I/O, until the
    /// request's deadline.
    pub(super) async fn drive<F: Future>(&mut self, work: F) -> Result<F::Output, Elapsed> {
        self.connection.driver.drive(work).await
    }

    /// Back to the pool (unless it is closing: the server said `Connection: close`, or went).
    pub(super) fn release(self) {
        let Lease {
            client,
            mut connection,
        } = self;
        if connection.is_closed() {
            return;
        }
        connection.driver.idle();
        connection.since = Instant::now();
        let mut idle = client.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() >= MAX_IDLE {
            idle.remove(0);
        }
        idle.push(connection);
    }
}

impl Client {
    /// Sends `request` (absolute URI) on an idle connection to its portal, or on a new one;
    /// the answer's head, and the connection to give back once its body has been read.
    /// `timed_out` is the error once `deadline` has passed.
    pub(super) async fn send(
        self: &Arc<Self>,
        mut request: http::Request<Full<Bytes>>,
        deadline: Deadline,
        timed_out: impl Fn() -> Error,
    ) -> Result<(http::Response<Incoming>, Lease), Error> {
        let uri = std::mem::take(request.uri_mut());
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(Error::InvalidUrl);
        };
        let (scheme, authority) = (scheme.clone(), authority.clone());
        // On the connection, the request names its path only (origin form).
        let mut path = http::uri::Parts::default();
        path.path_and_query = uri.path_and_query().cloned();
        *request.uri_mut() = http::Uri::from_parts(path).map_err(|_| Error::InvalidUrl)?;

        while let Some(mut connection) = self.take_idle(&scheme, &authority, Instant::now()) {
            let Connection { sender, driver, .. } = &mut connection;
            driver.poll_io_first();
            driver.start(deadline);
            // The request is queued when `try_send_request` is called: in the async block, that
            // is while the driver polls it (the connection's wake-up stays inside).
            let sent = driver
                .drive(async {
                    if sender.ready().await.is_err() {
                        return Err(request); // closed while idle
                    }
                    Ok(sender.try_send_request(request).await)
                })
                .await
                .map_err(|Elapsed| timed_out())?;
            match sent {
                Ok(Ok(response)) => return Ok((response, self.lease(connection))),
                // Not sent (the connection closed meanwhile): on another one.
                Err(unsent) => request = unsent,
                Ok(Err(mut failed)) => match failed.take_message() {
                    Some(unsent) => request = unsent,
                    None => return Err(Error::transport(&failed.into_error(), false)),
                },
            }
        }

        // Setting a connection up (TCP, TLS, the handshake) is a large future that most requests,
        // which take a pooled connection, never run: boxed, it does not make every request's
        // future (moved, so copied, as each call hands it on) that large.
        let connect: Pin<Box<dyn Future<Output = _> + Send + '_>> = match &self.connector {
            Connectors::Tokio(connector) => Box::pin(open(connector, uri)),
            #[cfg(unix)]
            Connectors::External(connector) => Box::pin(open(connector, uri)),
        };
        let (sender, io) = driver::timeout_at(deadline, connect)
            .await
            .map_err(|Elapsed| timed_out())??;
        let mut connection = Connection::new(scheme, authority, sender, io);
        let Connection { sender, driver, .. } = &mut connection;
        driver.start(deadline);
        let response = driver
            .drive(async { sender.send_request(request).await })
            .await
            .map_err(|Elapsed| timed_out())?
            .map_err(|e| Error::transport(&e, false))?;
        Ok((response, self.lease(connection)))
    }

    fn lease(self: &Arc<Self>, connection: Connection) -> Lease {
        Lease {
            client: self.clone(),
            connection,
        }
    }

    /// The most recently used idle connection to `scheme://authority` at `now`; connections
    /// found closed or idle for [`POOL_IDLE_TIMEOUT`] or more on the way are dropped (closed).
    fn take_idle(
        &self,
        scheme: &Scheme,
        authority: &Authority,
        now: Instant,
    ) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.retain(|c| {
            !c.is_closed() && now.saturating_duration_since(c.since) < POOL_IDLE_TIMEOUT
        });
        let found = idle
            .iter()
            .rposition(|c| c.scheme == *scheme && c.authority == *authority)?;
        Some(idle.remove(found))
    }
}

/// A new connection to `uri`'s portal, by `connector`: its sending half and its I/O.
async fn open<C>(connector: &C, uri: http::Uri) -> Result<(Sender, Io), Error>
where
    C: Service<http::Uri> + Clone,
    C::Response: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut connector = connector.clone();
    let connect_failed = |e: C::Error| {
        let e: Box<dyn std::error::Error + Send + Sync> = e.into();
        Error::transport(&*e, true)
    };
    std::future::poll_fn(|cx| connector.poll_ready(cx))
        .await
        .map_err(connect_failed)?;
    let io = connector.call(uri).await.map_err(connect_failed)?;
    let (sender, io) = http1::handshake(io)
        .await
        .map_err(|e| Error::transport(&e, true))?;
    Ok((sender, Box::pin(io)))
}

/// How long an idle pooled connection is kept (a server usually closes it sooner).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// How many idle connections a client keeps (beyond, the oldest is closed).
const MAX_IDLE: usize = 256;

/// Idle time before the first TCP keep-alive probe, and between probes.
const TCP_KEEPALIVE: Duration = Duration::from_secs(15);

impl Client {
    /// The client for `key` whose requests are stepped by an external task's event loop
    /// ([`crate::external`]): the same, over non-blocking sockets no runtime watches.
    #[cfg(unix)]
    pub(super) fn build_external(key: &Key) -> Client {
        let tcp = super::external_tcp::Connector {
            connect_timeout: key.connect_timeout(),
            keepalive: TCP_KEEPALIVE,
        };
        Client {
            connector: Connectors::External(tls_over(key, tcp)),
            idle: Mutex::default(),
        }
    }

    /// The client for `key`: its connector, and an empty pool.
    pub(super) fn build(key: &Key) -> Client {
        let mut tcp = HttpConnector::new();
        // The URL's scheme is checked by `portal_url` (plain http only for loopback); the TLS
        // connector below takes https.
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(key.connect_timeout()));
        // TCP keep-alive probes: a pooled connection whose peer vanished (a dropped NAT mapping, a
        // crashed proxy) is found dead instead of taking a request that would wait for the timeout.
        tcp.set_keepalive(Some(TCP_KEEPALIVE));
        tcp.set_keepalive_interval(Some(TCP_KEEPALIVE));
        tcp.set_keepalive_retries(Some(3));
        let connector = tls_over(key, tcp);
        // No redirect is followed, no proxy used (none from the environment either: it would see a
        // loopback login's password in clear text) and no cookie kept: the requests go as they are.
        Client {
            connector: Connectors::Tokio(connector),
            idle: Mutex::default(),
        }
    }
}

/// `tcp` with TLS over it for https (`key`'s configuration, HTTP/1.1), as it is for http.
fn tls_over<T>(key: &Key, tcp: T) -> hyper_rustls::HttpsConnector<T> {
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(key.tls().clone())
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{client, get, runtime, Server};
    use super::*;

    fn idle_count(client: &Client) -> usize {
        client
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// A pooled connection is taken again until it has been idle for [`POOL_IDLE_TIMEOUT`];
    /// from then on it is closed, and a request opens another.
    #[test]
    fn a_connection_idle_for_the_pool_timeout_is_closed_not_reused() {
        runtime().block_on(async {
            let server = Server::start().await;
            let client = client();
            let (first, lease) = get(&client, &server.url).await;
            lease.release();
            let (again, lease) = get(&client, &server.url).await;
            assert_eq!(again, first, "reused");
            lease.release();

            let uri: http::Uri = server.url.parse().expect("uri");
            let (scheme, authority) = (
                uri.scheme().expect("scheme").clone(),
                uri.authority().expect("authority").clone(),
            );
            let almost = Instant::now() + POOL_IDLE_TIMEOUT - Duration::from_secs(1);
            let taken = client.take_idle(&scheme, &authority, almost);
            client
                .lease(taken.expect("taken just before the limit"))
                .release();

            let expired = Instant::now() + POOL_IDLE_TIMEOUT;
            assert!(client.take_idle(&scheme, &authority, expired).is_none());
            assert_eq!(idle_count(&client), 0, "dropped from the pool");
            assert_eq!(server.closed(1).await, vec![first], "and closed");
            let (next, lease) = get(&client, &server.url).await;
            assert_ne!(next, first);
            assert_eq!(server.accepted(), 2);
            lease.release();
        });
    }

    /// The pool keeps at most [`MAX_IDLE`] connections: one more given back closes the one
    /// that has been idle longest.
    #[test]
    fn the_pool_keeps_at_most_max_idle_connections_closing_the_longest_idle() {
        runtime().block_on(async {
            let server = Server::start().await;
            let client = client();
            // Held, none goes back to the pool: each request opens a connection.
            let mut leases = Vec::new();
            for _ in 0..=MAX_IDLE {
                leases.push(get(&client, &server.url).await);
            }
            assert_eq!(server.accepted(), MAX_IDLE + 1);
            let order: Vec<usize> = leases.iter().map(|(number, _)| *number).collect();
            for (_, lease) in leases {
                lease.release();
            }
            assert_eq!(idle_count(&client), MAX_IDLE);
            assert_eq!(server.closed(1).await, vec![order[0]]);
            // The most recently used is taken next.
            let (next, lease) = get(&client, &server.url).await;
            assert_eq!(next, order[MAX_IDLE]);
            lease.release();
        });
    }
}
