//! The HTTP clients, one per configuration (TLS roots, timeouts, user agent), shared.
//!
//! Building a client (connector, resolver) costs far more than a login's requests on a near
//! network, so every [`crate::Auth`] with the same options uses the same client. Its pool lets
//! consecutive logins reuse an idle connection (a 2FA login never needs more than one: its
//! requests are sequential). It keeps no other state: no cookie store, so nothing of one user's
//! login reaches another's.
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
//! - in a task stepped by another language's event loop ([`crate::external`]), one client per
//!   configuration and thread, of non-blocking sockets that only such tasks use: a connection
//!   is only read while a task steps, and reads what arrived meanwhile when it is taken.
//!
//! Not covered: two current-thread runtimes alive on one thread, a request on one while a
//! connection the other opened sits idle in the pool (its runtime is not running then). A
//! blocking wrapper keeps one runtime per thread, or runs its requests in tasks of a runtime
//! that always runs (the FFI does both).

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use http::HeaderValue;
use tokio::runtime::{Handle, RuntimeFlavor};

use super::client::Client;

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

    /// The TLS configuration of the client's connector.
    pub(super) fn tls(&self) -> &rustls::ClientConfig {
        &self.tls
    }

    /// The limit on setting a connection up.
    pub(super) fn connect_timeout(&self) -> Duration {
        self.connect_timeout
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
        let shared = find_or_build(&mut clients, &key, Client::build)
            .client
            .clone();
        Clients { key, shared }
    }

    /// The client for a request made now, on the current runtime (see the module's docs).
    /// On a current-thread runtime whose client has been idle for [`SETTLE_AFTER`] or more, it
    /// lets the runtime catch up first ([`settle`]).
    pub(super) async fn current(&self) -> Arc<Client> {
        #[cfg(unix)]
        if super::external() {
            thread_local! {
                static EXTERNAL: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
            }
            return EXTERNAL.with(|clients| {
                let mut clients = clients.borrow_mut();
                find_or_build(&mut clients, &self.key, Client::build_external)
                    .client
                    .clone()
            });
        }
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
            let entry = find_or_build(&mut clients, &self.key, Client::build);
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

/// Before a request on a current-thread runtime: lets its I/O driver see what happened while the
/// runtime was not running (a blocking wrapper runs it only during its calls), so that a
/// connection the server closed meanwhile (its keep-alive timeout ran out while the user typed
/// the code) is seen closed when it is taken, instead of taking the request, which would then
/// fail with "connection closed before message completed". The first yield has the runtime poll
/// its I/O driver; the second lets what that woke run: two passes of the scheduler. On
/// multi-threaded runtimes the driver runs all along.
async fn settle() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

/// The entry for `key` in `clients`, built by `build` (and the oldest dropped beyond
/// [`CACHED_CLIENTS`]) if there is none.
fn find_or_build<'a>(
    clients: &'a mut Vec<Cached>,
    key: &Key,
    build: fn(&Key) -> Client,
) -> &'a mut Cached {
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
