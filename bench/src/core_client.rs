//! The `docspace-auth` core: the README's login, either with a new `Auth` per login
//! (`Auth::new`, as the quick start shows) or with one `Auth` cloned for every login.

use std::sync::Arc;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{totp, Auth, Error, LoginOutcome, Unauthenticated};
use tokio::runtime::Runtime;

use crate::driver::{Bench, Config, Tally};

/// Where each login gets its `Auth` from.
pub enum Source {
    /// `Auth::new(url)` per login.
    New,
    /// `shared.clone()` per login.
    Clone(Auth<Unauthenticated>),
}

/// The core client for the shared driver: `c` tasks on a multi-threaded tokio runtime.
pub struct Core {
    runtime: Runtime,
    inner: Arc<Inner>,
}

struct Inner {
    source: Source,
    url: String,
    user: String,
    password: String,
    secret: SecretString,
}

impl Core {
    pub fn new(config: &Config, reuse: bool) -> Result<Core, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let source = if reuse {
            Source::Clone(Auth::new(&config.url).map_err(|e| e.to_string())?)
        } else {
            Source::New
        };
        Ok(Core {
            runtime,
            inner: Arc::new(Inner {
                source,
                url: config.url.clone(),
                user: config.user.clone(),
                password: config.password.clone(),
                secret: SecretString::from(config.secret.clone()),
            }),
        })
    }
}

impl Inner {
    /// One 2FA login; the length of the token.
    async fn login(&self) -> Result<usize, String> {
        let text = |e: Error| e.to_string();
        let auth = match &self.source {
            Source::New => Auth::new(&self.url).map_err(text)?,
            Source::Clone(shared) => shared.clone(),
        };
        let password = SecretString::from(self.password.as_str());
        let pending = match auth.login(&self.user, password).await.map_err(text)? {
            LoginOutcome::TfaRequired(pending) => pending,
            LoginOutcome::Authenticated(_) => {
                return Err("logged in without a second factor".into())
            }
        };
        let code = totp::now(&self.secret).map_err(text)?;
        let session = pending.confirm(code).await.map_err(|e| text(e.into()))?;
        Ok(session.token().expose_secret().len())
    }
}

impl Bench for Core {
    fn many(&self, c: usize, per: usize) -> Tally {
        self.runtime.block_on(async {
            let workers: Vec<_> = (0..c)
                .map(|_| {
                    let inner = Arc::clone(&self.inner);
                    tokio::spawn(async move {
                        let mut t = Tally::default();
                        for _ in 0..per {
                            t.add(inner.login().await);
                        }
                        t
                    })
                })
                .collect();
            let mut tally = Tally::default();
            for w in workers {
                match w.await {
                    Ok(t) => tally.merge(t),
                    Err(_) => tally.failures += per,
                }
            }
            tally
        })
    }
}
