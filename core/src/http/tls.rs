//! TLS: rustls with the `ring` provider, the platform verifier, optional extra roots.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::{Error, TransportErrorKind};

/// The client's TLS configuration: the platform trust store plus the CA certificates of
/// `extra_roots_pem` (each PEM must hold at least one), HTTP/1.1 only.
pub(crate) fn tls_config(extra_roots_pem: &[Vec<u8>]) -> Result<rustls::ClientConfig, Error> {
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
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Transport {
            kind: TransportErrorKind::Tls,
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(not(target_os = "android"))]
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
