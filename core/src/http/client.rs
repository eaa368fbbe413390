//! The reqwest clients, shared: one per configuration (TLS roots, timeouts, user agent).
//!
//! Building a client (connector, pool, resolver) costs far more than a login's requests on a
//! near network, so every [`crate::Auth`] with the same options uses the same client. Its pool
//! lets consecutive logins reuse an idle connection (a 2FA login never needs more than one:
//! its requests are sequential). It keeps no other state: no cookie store, so nothing of one
//! user's login reaches another's.
//!
//! A pooled connection is served by a task on the runtime that opened it, so a connection is
//! only shared where that runtime is always running:
//! - on multi-threaded runtimes, one client per configuration for the whole process;
//! - on a current-thread runtime (`#[tokio::main(flavor = "current_thread")]`, a runtime a
//!   blocking wrapper drives with `block_on`), one client per configuration *and thread*: such
//!   a runtime only runs while its thread waits in it, so a connection it opened must not be
//!   handed to another thread's request, which would stall until it timed out.
//!
//! Not covered: two current-thread runtimes alive on one thread, a request on one while a
//! connection the other opened sits idle in the pool (its runtime is not running then). A
//! blocking wrapper keeps one runtime per thread, or runs its requests in tasks of a runtime
//! that always runs (the FFI does both).

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::Error;

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
    shared: Arc<reqwest::Client>,
}

impl Clients {
    /// The clients for `key`; builds the shared one on first use.
    pub(super) fn new(key: Key) -> Result<Clients, Error> {
        type Cache = Mutex<Vec<(Key, Arc<reqwest::Client>)>>;
        static CLIENTS: OnceLock<Cache> = OnceLock::new();
        let cache = CLIENTS.get_or_init(Cache::default);
        let mut clients = cache.lock().unwrap_or_else(PoisonError::into_inner);
        let shared = find_or_build(&mut clients, &key)?;
        Ok(Clients { key, shared })
    }

    /// The client for a request made now, on the current runtime (see the module's docs).
    pub(super) fn current(&self) -> Result<Arc<reqwest::Client>, Error> {
        let current_thread = Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::CurrentThread);
        if !current_thread {
            return Ok(self.shared.clone());
        }
        thread_local! {
            static CLIENTS: RefCell<Vec<(Key, Arc<reqwest::Client>)>> =
                const { RefCell::new(Vec::new()) };
        }
        CLIENTS.with(|clients| find_or_build(&mut clients.borrow_mut(), &self.key))
    }

    /// The process-wide client (for tests of the sharing).
    #[cfg(test)]
    pub(super) fn shared(&self) -> &Arc<reqwest::Client> {
        &self.shared
    }
}

fn find_or_build(
    clients: &mut Vec<(Key, Arc<reqwest::Client>)>,
    key: &Key,
) -> Result<Arc<reqwest::Client>, Error> {
    if let Some((_, client)) = clients.iter().find(|(k, _)| k.same(key)) {
        return Ok(client.clone());
    }
    let client = Arc::new(build(key)?);
    if clients.len() >= CACHED_CLIENTS {
        clients.remove(0);
    }
    clients.push((key.clone(), client.clone()));
    Ok(client)
}

fn build(key: &Key) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(rustls::ClientConfig::clone(&key.tls))
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        // Never through a proxy from the environment (http_proxy, ALL_PROXY, ...): it would
        // see a loopback login's password in clear text, and nothing asked for it.
        .no_proxy()
        .timeout(key.timeout)
        .connect_timeout(key.connect_timeout)
        .user_agent(key.user_agent.clone())
        .build()
        .map_err(Error::from_reqwest)
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
        .expect("client")
    }

    fn current(clients: &Clients) -> Arc<reqwest::Client> {
        clients.current().expect("client")
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
        assert!(Arc::ptr_eq(&current(&clients), clients.shared()));
        let on_multi = multi().block_on(async { current(&clients) });
        assert!(Arc::ptr_eq(&on_multi, clients.shared()));
        // A current-thread runtime: this thread's own client, the same for the next one here...
        let here = single().block_on(async { current(&clients) });
        assert!(!Arc::ptr_eq(&here, clients.shared()));
        assert!(Arc::ptr_eq(
            &here,
            &single().block_on(async { current(&clients) })
        ));
        // ...and another thread's current-thread runtime gets another.
        let elsewhere = std::thread::scope(|s| {
            s.spawn(|| single().block_on(async { current(&clients) }))
                .join()
                .expect("thread")
        });
        assert!(!Arc::ptr_eq(&here, &elsewhere));
    }
}
