//! TLS: rustls with the `ring` provider, the platform verifier, optional extra roots.
//!
//! Building a configuration is costly (on Linux the platform verifier reads and parses the
//! whole system trust store), so each configuration is built once per process and shared:
//! the default one lazily on first use, one per distinct set of extra roots in a small cache.
//! On Linux the trust store itself is read later still, on the first certificate to verify
//! ([`verifier`]); a client that never makes an HTTPS connection never reads it. A change to the
//! system trust store is therefore picked up when the process restarts.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::{Error, TransportErrorKind};

/// How many configurations with extra roots are kept (apps use one or two private CAs).
const CACHED_WITH_EXTRA_ROOTS: usize = 8;

/// The shared TLS configuration for `extra_roots_pem` (see the module doc): the same
/// `Arc` for every client of the process with the same extra roots (none by default).
pub(crate) fn shared_tls_config(
    extra_roots_pem: &[Vec<u8>],
) -> Result<Arc<rustls::ClientConfig>, Error> {
    if extra_roots_pem.is_empty() {
        static DEFAULT: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
        if let Some(config) = DEFAULT.get() {
            return Ok(config.clone());
        }
        // Built outside the lock: two first callers may both build one; the first stored wins.
        let built = Arc::new(tls_config(&[])?);
        return Ok(DEFAULT.get_or_init(|| built).clone());
    }
    type Cache = Mutex<Vec<(Vec<Vec<u8>>, Arc<rustls::ClientConfig>)>>;
    static WITH_EXTRA_ROOTS: OnceLock<Cache> = OnceLock::new();
    let cache = WITH_EXTRA_ROOTS.get_or_init(Cache::default);
    let lookup = |entries: &[(Vec<Vec<u8>>, Arc<rustls::ClientConfig>)]| {
        entries
            .iter()
            .find(|(roots, _)| roots.as_slice() == extra_roots_pem)
            .map(|(_, config)| config.clone())
    };
    if let Some(config) = lookup(&cache.lock().unwrap_or_else(PoisonError::into_inner)) {
        return Ok(config);
    }
    let built = Arc::new(tls_config(extra_roots_pem)?);
    let mut entries = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(config) = lookup(&entries) {
        return Ok(config);
    }
    if entries.len() >= CACHED_WITH_EXTRA_ROOTS {
        entries.remove(0);
    }
    entries.push((extra_roots_pem.to_vec(), built.clone()));
    Ok(built)
}

/// The client's TLS configuration: the platform trust store plus the CA certificates of
/// `extra_roots_pem` (each PEM must hold at least one), HTTP/1.1 only.
fn tls_config(extra_roots_pem: &[Vec<u8>]) -> Result<rustls::ClientConfig, Error> {
    let mut roots: Vec<CertificateDer<'static>> = Vec::new();
    for pem in extra_roots_pem {
        let before = roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::InvalidCertificate {
                detail: format!("bad PEM: {e}"),
            })?;
            roots.push(cert);
        }
        if roots.len() == before {
            return Err(Error::InvalidCertificate {
                detail: "no CERTIFICATE block in the PEM data".to_owned(),
            });
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = verifier(roots, provider.clone())?;
    // No ALPN here: hyper-rustls's connector sets HTTP/1.1 itself (and refuses a preset one).
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Transport {
            kind: TransportErrorKind::Tls,
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// Apple's and Windows' platform verifiers ask the OS per verification: cheap to make.
#[cfg(any(target_vendor = "apple", windows))]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, Error> {
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider)
    }
    .map_err(|e| Error::InvalidCertificate {
        detail: e.to_string(),
    })?;
    Ok(Arc::new(verifier))
}

/// Elsewhere (Linux, the BSDs) the platform verifier reads and parses the whole system trust
/// store when it is made; [`lazy::LazyVerifier`] puts that off until a certificate is to be
/// verified. The extra roots are checked now.
#[cfg(not(any(target_vendor = "apple", windows, target_os = "android")))]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, Error> {
    let mut check = rustls::RootCertStore::empty();
    for root in &roots {
        check
            .add(root.clone())
            .map_err(|e| Error::InvalidCertificate {
                detail: e.to_string(),
            })?;
    }
    Ok(Arc::new(lazy::LazyVerifier::new(roots, provider)))
}

#[cfg(not(any(target_vendor = "apple", windows, target_os = "android")))]
mod lazy {
    use std::sync::{Arc, OnceLock};

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls_platform_verifier::Verifier;

    /// The platform verifier, made (system trust store read) on the first certificate to
    /// verify: a client that only ever talks plain HTTP to a loopback portal, or that is made
    /// long before its first login, does not pay for it up front. Made once: shared by every
    /// client of the configuration, like the rest of it.
    #[derive(Debug)]
    pub(super) struct LazyVerifier {
        extra_roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
        inner: OnceLock<Result<Verifier, rustls::Error>>,
    }

    impl LazyVerifier {
        pub(super) fn new(
            extra_roots: Vec<CertificateDer<'static>>,
            provider: Arc<CryptoProvider>,
        ) -> LazyVerifier {
            LazyVerifier {
                extra_roots,
                provider,
                inner: OnceLock::new(),
            }
        }

        /// The platform verifier; a trust store that could not be loaded is a TLS error on
        /// every handshake.
        fn inner(&self) -> Result<&Verifier, rustls::Error> {
            let made = self.inner.get_or_init(|| {
                let roots = self.extra_roots.clone();
                if roots.is_empty() {
                    Verifier::new(self.provider.clone())
                } else {
                    Verifier::new_with_extra_roots(roots, self.provider.clone())
                }
            });
            made.as_ref().map_err(Clone::clone)
        }
    }

    impl ServerCertVerifier for LazyVerifier {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp_response: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            self.inner()?.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            )
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner()?.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            self.inner()?.verify_tls13_signature(message, cert, dss)
        }

        /// Asked for the client hello, before any certificate: the provider's schemes, which
        /// are what the platform verifier answers here (it verifies with the same provider).
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}

/// Android's platform verifier cannot take extra roots: a portal with a private CA is then
/// verified against that CA alone.
#[cfg(target_os = "android")]
fn verifier(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>, Error> {
    if roots.is_empty() {
        let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(|e| {
            Error::InvalidCertificate {
                detail: e.to_string(),
            }
        })?;
        return Ok(Arc::new(verifier));
    }
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store.add(root).map_err(|e| Error::InvalidCertificate {
            detail: e.to_string(),
        })?;
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|e| Error::InvalidCertificate {
                detail: e.to_string(),
            })?;
    Ok(verifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_built_once_and_shared() {
        let a = shared_tls_config(&[]).expect("default");
        let b = shared_tls_config(&[]).expect("default");
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn a_bad_extra_root_is_an_error_and_is_not_cached() {
        for _ in 0..2 {
            let err = shared_tls_config(&[b"no pem".to_vec()]).expect_err("refused");
            assert!(matches!(err, Error::InvalidCertificate { .. }), "{err:?}");
        }
    }
}
