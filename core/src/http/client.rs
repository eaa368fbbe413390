//! The HTTP clients (hyper's HTTP/1.1 connections over a rustls connector, and a pool of idle
//! ones), shared: one per configuration (TLS roots, timeouts, user agent).
//!
//! Building a client (connector, resolver) costs far more than a login's requests on a near
//! network, so every [`crate::Auth`] with the same options uses the same client. Its pool lets
//! consecutive logins reuse an idle connection (a 2FA login never needs more than one: its
//! requests are sequential). It keeps no other state: no cookie store, so nothing of one user's
//! login reaches another's.
//!
//! The pool is a list of idle connections, most recently used last: a request takes the last
//! one to its portal that is still open and idle for less than [`POOL_IDLE_TIMEOUT`], and gives
//! it back once its answer has been read in full ([`Lease::release`]); a connection whose
//! request failed or timed out is closed instead. A request that a pooled connection could
//! not send (it closed meanwhile) goes on another. hyper-util's pool does the same with more
//! machinery (keys hashed per request, a task per request to give the connection back) than a
//! login's sequential requests need.
//!
//! A connection has no task of its own: the request that holds it drives it (hyper's connection
//! future, which writes the request and reads the answer, is polled by the request's own future:
//! [`Lease::drive`]), so that a request's I/O happens where the request is polled, with no hand-off
//! to another task and back. Wake-ups that one half gives the other while the request is being
//! polled (the request queued for writing, the answer handed over) are absorbed there and the
//! halves polled again, instead of waking the caller's task: on a current-thread runtime, a
//! wake-up of the task being polled costs one more pass of the I/O driver (a system call) before
//! the task is polled again. An idle connection in the pool is polled by nobody; the next request
//! that takes it finds out whether the server closed it meanwhile.
//!
//! A connection's socket is registered with the runtime that opened it, which must be running for
//! the connection to see its answers, so a connection is only shared where that runtime is always
//! running:
//! - on multi-threaded runtimes, one client per configuration for the whole process;
//! - on a current-thread runtime (`#[tokio::main(flavor = "current_thread")]`, a runtime a
//!   blocking wrapper drives with `block_on`), one client per configuration *and thread*: such
//!   a runtime only runs while its thread waits in it, so a connection it opened must not be
//!   handed to another thread's request, which would stall until it timed out. Such a runtime
//!   catches up before a request that follows a quarter second or more of quiet (`settle`): a
//!   connection its server closed while the runtime was not running is then seen closed when it
//!   is taken, and another one takes the request.
//!
//! Not covered: two current-thread runtimes alive on one thread, a request on one while a
//! connection the other opened sits idle in the pool (its runtime is not running then). A
//! blocking wrapper keeps one runtime per thread, or runs its requests in tasks of a runtime
//! that always runs (the FFI does both).

use std::cell::RefCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;
use bytes::Bytes;
use http::uri::{Authority, Scheme};
use http::HeaderValue;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::time::{Instant as Deadline, Sleep};
use tower_service::Service;

use crate::Error;

/// TCP, or TLS over TCP, by the URI's scheme.
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The sending half of one HTTP/1.1 connection.
type Sender = http1::SendRequest<Full<Bytes>>;

/// The other half: the future that does the connection's I/O, polled by the request that holds
/// the connection ([`Lease::drive`]); it ends when the connection closes.
type Io = Pin<Box<http1::Connection<<Connector as Service<http::Uri>>::Response, Full<Bytes>>>>;

/// An HTTP/1.1 client: a connector and the idle connections it made.
pub(super) struct Client {
    connector: Connector,
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
        self.driver.io.is_none() || self.sender.is_closed()
    }
}

/// A connection's I/O, and what wakes it.
struct Driver {
    /// `None` once the connection has ended.
    io: Option<Io>,
    /// Which halves were woken, and the task to tell (see [`Relay`]).
    relay: Arc<Relay>,
    /// The wakers the halves are polled with: [`Half::Io`] for the connection's I/O,
    /// [`Half::Work`] for what `drive` is given, [`Half::Timer`] for the deadline.
    io_waker: Waker,
    work_waker: Waker,
    timer_waker: Waker,
    timer: Option<Timer>,
}

/// The connection's timer, reset from one request to the next rather than made per request.
/// Left registered between requests, it makes the runtime's timer know of a deadline no later
/// than the next request's: registering a timer earlier than every one the runtime knew of
/// when it last parked makes tokio wake the runtime's driver (on a runtime that is running the
/// request, a write to its eventfd, and one more pass of the driver that the write wakes). A
/// timer is used only on the runtime that made it (a multi-threaded runtime's connections are
/// shared by every such runtime in the process, and a timer of a runtime that is gone cannot be
/// polled).
struct Timer {
    runtime: Option<tokio::runtime::Id>,
    sleep: Pin<Box<Sleep>>,
}

/// The deadline of a request passed (see [`Driver::drive`]).
pub(super) struct Elapsed;

impl Driver {
    fn new(io: Io) -> Driver {
        let relay = Arc::new(Relay {
            // Never polled yet.
            state: AtomicU8::new(Relay::IO),
            outer: AtomicWaker::new(),
        });
        let waker = |half: fn(Arc<Relay>) -> Half| Waker::from(Arc::new(half(relay.clone())));
        Driver {
            io: Some(io),
            io_waker: waker(Half::Io),
            work_waker: waker(Half::Work),
            timer_waker: waker(Half::Timer),
            timer: None,
            relay,
        }
    }

    /// The timer set for `deadline`, on the current runtime.
    fn arm(&mut self, deadline: Deadline) {
        let runtime = Handle::try_current().ok().map(|runtime| runtime.id());
        match &mut self.timer {
            Some(timer) if runtime.is_some() && timer.runtime == runtime => {
                if timer.sleep.deadline() != deadline {
                    timer.sleep.as_mut().reset(deadline);
                }
            }
            _ => {
                self.timer = Some(Timer {
                    runtime,
                    sleep: Box::pin(tokio::time::sleep_until(deadline)),
                })
            }
        }
        // Polled in the first round (it learns its waker).
        self.relay.state.fetch_or(Relay::TIMER, Ordering::AcqRel);
    }

    /// `work` (a request on this connection, or reading its answer) polled together with the
    /// connection's I/O, until `work` is done. Each half is polled when it was woken (`work` also
    /// at first): the connection's I/O when its socket or the request's side gave it something
    /// to do, `work` when the connection handed it something.
    /// `Err(Elapsed)` once `deadline` has passed.
    async fn drive<F: Future>(
        &mut self,
        deadline: Deadline,
        work: F,
    ) -> Result<F::Output, Elapsed> {
        self.arm(deadline);
        let mut work = pin!(work);
        let mut first = true;
        let Driver {
            io,
            relay,
            io_waker,
            work_waker,
            timer_waker,
            timer,
        } = self;
        std::future::poll_fn(|cx| {
            relay.outer.register(cx.waker());
            relay.state.fetch_or(Relay::POLLING, Ordering::AcqRel);
            for _ in 0..DRIVE_ROUNDS {
                let mut woken = relay.take_woken();
                if std::mem::take(&mut first) {
                    woken |= Relay::WORK;
                }
                if woken & Relay::IO != 0 {
                    if let Some(connection) = io.as_mut() {
                        let mut cx = Context::from_waker(io_waker);
                        if connection.as_mut().poll(&mut cx).is_ready() {
                            // Closed, or failed: `work` learns of it from hyper.
                            *io = None;
                        }
                    }
                }
                if woken & Relay::WORK != 0 {
                    let mut cx = Context::from_waker(work_waker);
                    if let Poll::Ready(output) = work.as_mut().poll(&mut cx) {
                        relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
                        return Poll::Ready(Ok(output));
                    }
                }
                if woken & Relay::TIMER != 0 {
                    if let Some(timer) = timer.as_mut() {
                        let mut cx = Context::from_waker(timer_waker);
                        if timer.sleep.as_mut().poll(&mut cx).is_ready() {
                            relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
                            return Poll::Ready(Err(Elapsed));
                        }
                    }
                }
                if relay.finish() {
                    return Poll::Pending;
                }
                // A half was woken while polled (one made progress the other may use): again.
            }
            // Still making progress (a long answer): let the runtime run its other tasks.
            relay.state.fetch_and(!Relay::POLLING, Ordering::AcqRel);
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }
}

/// How many times [`Driver::drive`] polls the halves of a connection in one poll of its caller
/// before it yields to the runtime (a request and its answer take two or three).
const DRIVE_ROUNDS: usize = 32;

/// Which halves of a connection were woken, and the task that drives it. A wake-up while the
/// halves are being polled is left for the poller, who polls the woken half again; one at any
/// other time (the socket became readable) also wakes the task, whose next poll polls that half.
/// On a current-thread runtime, waking the task being polled would cost one more pass of the
/// I/O driver (a system call) before it is polled again.
struct Relay {
    state: AtomicU8,
    outer: AtomicWaker,
}

impl Relay {
    const POLLING: u8 = 1;
    const IO: u8 = 2;
    const WORK: u8 = 4;
    const TIMER: u8 = 8;

    /// The halves woken since they were last taken (and no longer marked).
    fn take_woken(&self) -> u8 {
        self.state.fetch_and(Self::POLLING, Ordering::AcqRel) & !Self::POLLING
    }

    /// Ends a poll unless a half was woken meanwhile: one atomic operation, so that a wake-up
    /// from another thread is either seen here or goes to the task.
    fn finish(&self) -> bool {
        self.state
            .compare_exchange(Self::POLLING, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn wake(&self, half: u8) {
        if self.state.fetch_or(half, Ordering::AcqRel) & Self::POLLING != 0 {
            return;
        }
        self.outer.wake();
    }
}

/// The waker of one half of a connection.
enum Half {
    Io(Arc<Relay>),
    Work(Arc<Relay>),
    Timer(Arc<Relay>),
}

impl Wake for Half {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        match &**self {
            Half::Io(relay) => relay.wake(Relay::IO),
            Half::Work(relay) => relay.wake(Relay::WORK),
            Half::Timer(relay) => relay.wake(Relay::TIMER),
        }
    }
}

/// A connection lent to one request: [`Lease::release`] gives it back to the pool once the
/// answer has been read in full; dropped instead, it is closed.
pub(super) struct Lease {
    client: Arc<Client>,
    connection: Connection,
}

impl Lease {
    /// `work` (reading the answer's body) polled together with the connection's I/O, until
    /// `deadline`.
    pub(super) async fn drive<F: Future>(
        &mut self,
        deadline: Deadline,
        work: F,
    ) -> Result<F::Output, Elapsed> {
        self.connection.driver.drive(deadline, work).await
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
        // Idle, it wakes no task (a wake-up then finds the pool's next user, who polls it).
        drop(connection.driver.relay.outer.take());
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

        while let Some(mut connection) = self.take_idle(&scheme, &authority) {
            let Connection { sender, driver, .. } = &mut connection;
            // Its I/O is polled first, whether or not it was woken while idle: it then reads
            // what arrived meanwhile (the server's close, if the runtime has seen it), and is
            // ready for the next request even if the last poll left it short of that.
            driver.relay.state.fetch_or(Relay::IO, Ordering::AcqRel);
            // The request is queued when `try_send_request` is called: in the async block, that
            // is while the driver polls it (the connection's wake-up stays inside).
            let sent = driver
                .drive(deadline, async {
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

        let mut connector = self.connector.clone();
        let connect = async {
            std::future::poll_fn(|cx| connector.poll_ready(cx))
                .await
                .map_err(|e| Error::transport(&*e, true))?;
            let io = connector
                .call(uri)
                .await
                .map_err(|e| Error::transport(&*e, true))?;
            http1::handshake(io)
                .await
                .map_err(|e| Error::transport(&e, true))
        };
        let (sender, io) = tokio::time::timeout_at(deadline, connect)
            .await
            .map_err(|_| timed_out())??;
        let mut connection = Connection::new(scheme, authority, sender, Box::pin(io));
        let Connection { sender, driver, .. } = &mut connection;
        let response = driver
            .drive(deadline, async { sender.send_request(request).await })
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

    /// The most recently used idle connection to `scheme://authority`; connections found
    /// closed or idle for too long on the way are dropped (closed).
    fn take_idle(&self, scheme: &Scheme, authority: &Authority) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        idle.retain(|c| {
            !c.is_closed() && now.saturating_duration_since(c.since) < POOL_IDLE_TIMEOUT
        });
        let found = idle
            .iter()
            .rposition(|c| c.scheme == *scheme && c.authority == *authority)?;
        Some(idle.remove(found))
    }
}

/// How long an idle pooled connection is kept (a server usually closes it sooner).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// How many idle connections a client keeps (beyond, the oldest is closed).
const MAX_IDLE: usize = 256;

/// Idle time before the first TCP keep-alive probe, and between probes.
const TCP_KEEPALIVE: Duration = Duration::from_secs(15);

/// How many distinct configurations keep their client, per process and per thread (an app uses
/// one or two).
const CACHED_CLIENTS: usize = 16;

/// What makes two clients interchangeable.
#[derive(Clone)]
pub(super) struct Key {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: HeaderValue,
}

impl Key {
    pub(super) fn new(
        tls: Arc<rustls::ClientConfig>,
        timeout: Duration,
        connect_timeout: Duration,
        user_agent: HeaderValue,
    ) -> Key {
        Key {
            tls,
            timeout,
            connect_timeout,
            user_agent,
        }
    }

    /// The limit on a whole request, answer body included.
    pub(super) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The `User-Agent` header every request carries.
    pub(super) fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }

    fn same(&self, other: &Key) -> bool {
        Arc::ptr_eq(&self.tls, &other.tls)
            && self.timeout == other.timeout
            && self.connect_timeout == other.connect_timeout
            && self.user_agent == other.user_agent
    }
}

/// The clients of one configuration: the process-wide one, taken when the `Http` is made, and
/// per-thread ones for current-thread runtimes, looked up per request.
#[derive(Clone)]
pub(super) struct Clients {
    key: Key,
    shared: Arc<Client>,
}

impl Clients {
    /// The clients for `key`; builds the shared one on first use.
    pub(super) fn new(key: Key) -> Clients {
        type Cache = Mutex<Vec<Cached>>;
        static CLIENTS: OnceLock<Cache> = OnceLock::new();
        let cache = CLIENTS.get_or_init(Cache::default);
        let mut clients = cache.lock().unwrap_or_else(PoisonError::into_inner);
        let shared = find_or_build(&mut clients, &key).client.clone();
        Clients { key, shared }
    }

    /// The client for a request made now, on the current runtime (see the module's docs).
    /// On a current-thread runtime whose client has been idle for [`SETTLE_AFTER`] or more, it
    /// lets the runtime catch up first ([`settle`]).
    pub(super) async fn current(&self) -> Arc<Client> {
        let current_thread = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::CurrentThread);
        if !current_thread {
            return self.shared.clone();
        }
        thread_local! {
            static CLIENTS: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
        }
        let now = Instant::now();
        let (client, idle) = CLIENTS.with(|clients| {
            let mut clients = clients.borrow_mut();
            let entry = find_or_build(&mut clients, &self.key);
            let idle = entry
                .last_request
                .replace(now)
                .map(|last| now.saturating_duration_since(last));
            (entry.client.clone(), idle)
        });
        if idle.is_some_and(|idle| idle >= SETTLE_AFTER) {
            settle().await;
        }
        client
    }

    /// What the clients were built for (timeout, user agent).
    pub(super) fn key(&self) -> &Key {
        &self.key
    }

    /// The process-wide client (for tests of the sharing).
    #[cfg(test)]
    pub(super) fn shared(&self) -> &Arc<Client> {
        &self.shared
    }
}

/// A cached client. `last_request` (when its last request started) is kept for the per-thread
/// clients of current-thread runtimes only ([`SETTLE_AFTER`]).
struct Cached {
    key: Key,
    client: Arc<Client>,
    last_request: Option<Instant>,
}

/// How long a thread's client must have been idle for [`settle`] before its next request. A
/// server closes an idle connection after its keep-alive timeout (seconds: Kestrel's is 130 s,
/// a proxy's often 5 to 75 s), and one that closes a connection right after answering says
/// `Connection: close`, which keeps the connection out of the pool; requests closer together
/// than this (a login's two steps run by a program) skip the extra passes.
const SETTLE_AFTER: Duration = Duration::from_millis(250);

/// Before a request on a current-thread runtime: lets the tasks that serve this thread's pooled
/// connections see what happened while the runtime was not running (a blocking wrapper runs it
/// only during its calls), so that a connection the server closed meanwhile (its keep-alive
/// timeout ran out while the user typed the code) leaves the pool instead of taking the request,
/// which would then fail with "connection closed before message completed". The first yield has
/// the runtime poll its I/O driver, which wakes such a task; the second lets the task run: two
/// passes of the scheduler. On multi-threaded runtimes those tasks run all along.
async fn settle() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

/// The entry for `key` in `clients`, built (and the oldest dropped beyond [`CACHED_CLIENTS`]) if
/// there is none.
fn find_or_build<'a>(clients: &'a mut Vec<Cached>, key: &Key) -> &'a mut Cached {
    let found = match clients.iter().position(|c| c.key.same(key)) {
        Some(i) => i,
        None => {
            let client = Arc::new(build(key));
            if clients.len() >= CACHED_CLIENTS {
                clients.remove(0);
            }
            clients.push(Cached {
                key: key.clone(),
                client,
                last_request: None,
            });
            clients.len() - 1
        }
    };
    &mut clients[found]
}

fn build(key: &Key) -> Client {
    let mut tcp = HttpConnector::new();
    // The URL's scheme is checked by `portal_url` (plain http only for loopback); the TLS
    // connector below takes https.
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(key.connect_timeout));
    // TCP keep-alive probes: a pooled connection whose peer vanished (a dropped NAT mapping, a
    // crashed proxy) is found dead instead of taking a request that would wait for the timeout.
    tcp.set_keepalive(Some(TCP_KEEPALIVE));
    tcp.set_keepalive_interval(Some(TCP_KEEPALIVE));
    tcp.set_keepalive_retries(Some(3));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(rustls::ClientConfig::clone(&key.tls))
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    // No redirect is followed, no proxy used (none from the environment either: it would see a
    // loopback login's password in clear text) and no cookie kept: the requests go as they are.
    Client {
        connector,
        idle: Mutex::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clients_for(user_agent: &'static str) -> Clients {
        let tls = super::super::tls::shared_tls_config(&[]).expect("tls");
        Clients::new(Key::new(
            tls,
            Duration::from_secs(7),
            Duration::from_secs(1),
            HeaderValue::from_static(user_agent),
        ))
    }

    /// `current()` outside any runtime: done at its first poll (it waits for nothing there).
    fn current_outside(clients: &Clients) -> Arc<Client> {
        use std::future::Future;
        let mut future = std::pin::pin!(clients.current());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(client) => client,
            std::task::Poll::Pending => panic!("outside a runtime, current() waited"),
        }
    }

    /// `current()` on `runtime`.
    fn current_on(runtime: &tokio::runtime::Runtime, clients: &Clients) -> Arc<Client> {
        runtime.block_on(clients.current())
    }

    #[test]
    fn the_same_options_give_the_same_client_and_others_another() {
        let a = clients_for("client-test/1");
        assert!(Arc::ptr_eq(
            a.shared(),
            clients_for("client-test/1").shared()
        ));
        assert!(!Arc::ptr_eq(
            a.shared(),
            clients_for("client-test/2").shared()
        ));
    }

    #[test]
    fn multi_threaded_runtimes_share_one_client_current_thread_ones_one_per_thread() {
        let clients = clients_for("client-test/3");
        let multi = || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .expect("runtime")
        };
        let single = || {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime")
        };
        // Outside any runtime, and on any multi-threaded one: the process-wide client.
        assert!(Arc::ptr_eq(&current_outside(&clients), clients.shared()));
        let on_multi = current_on(&multi(), &clients);
        assert!(Arc::ptr_eq(&on_multi, clients.shared()));
        // A current-thread runtime: this thread's own client, the same for the next one here...
        let here = current_on(&single(), &clients);
        assert!(!Arc::ptr_eq(&here, clients.shared()));
        assert!(Arc::ptr_eq(&here, &current_on(&single(), &clients)));
        // ...and another thread's current-thread runtime gets another.
        let elsewhere = std::thread::scope(|s| {
            s.spawn(|| current_on(&single(), &clients))
                .join()
                .expect("thread")
        });
        assert!(!Arc::ptr_eq(&here, &elsewhere));
    }
}
