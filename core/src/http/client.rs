//! The reqwest clients, shared: one per configuration (TLS roots, timeouts, user agent) for
//! the whole process.
//!
//! Building a client (connector, pool, resolver) costs far more than a login's requests on a
//! near network, so every [`crate::Auth`] with the same options uses the same client. Its pool
//! lets consecutive logins reuse an idle connection (a 2FA login never needs more than one:
//! its requests are sequential). It keeps no other state: no cookie store, so nothing of one
//! user's login reaches another's.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::Error;

/// How many distinct configurations keep their client (an app uses one or two).
const CACHED_CLIENTS: usize = 16;

/// What makes two clients interchangeable.
struct Key {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: HeaderValue,
}

impl Key {
    fn same(&self, other: &Key) -> bool {
        Arc::ptr_eq(&self.tls, &other.tls)
            && self.timeout == other.timeout
            && self.connect_timeout == other.connect_timeout
            && self.user_agent == other.user_agent
    }
}

/// The shared client for these options, built on first use.
pub(super) fn shared_client(
    tls: &Arc<rustls::ClientConfig>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: HeaderValue,
) -> Result<Arc<reqwest::Client>, Error> {
    type Cache = Mutex<Vec<(Key, Arc<reqwest::Client>)>>;
    static CLIENTS: OnceLock<Cache> = OnceLock::new();
    let key = Key {
        tls: tls.clone(),
        timeout,
        connect_timeout,
        user_agent,
    };
    let cache = CLIENTS.get_or_init(Cache::default);
    let mut clients = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, client)) = clients.iter().find(|(k, _)| k.same(&key)) {
        return Ok(client.clone());
    }
    let client = Arc::new(build(&key)?);
    if clients.len() >= CACHED_CLIENTS {
        clients.remove(0);
    }
    clients.push((key, client.clone()));
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

    fn client_for(user_agent: &'static str) -> Arc<reqwest::Client> {
        let tls = super::super::tls::shared_tls_config(&[]).expect("tls");
        shared_client(
            &tls,
            Duration::from_secs(7),
            Duration::from_secs(1),
            HeaderValue::from_static(user_agent),
        )
        .expect("client")
    }

    #[test]
    fn the_same_options_give_the_same_client_and_others_another() {
        let a = client_for("client-test/1");
        assert!(Arc::ptr_eq(&a, &client_for("client-test/1")));
        assert!(!Arc::ptr_eq(&a, &client_for("client-test/2")));
    }
}
