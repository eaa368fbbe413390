//! The portal URL: parsed, checked (plain http only for loopback hosts) and normalized.

use std::net::IpAddr;

use url::{Host, Url};

use crate::Error;

/// Validates and normalizes the portal URL (§ "http only for loopback").
pub(crate) fn portal_url(input: &str) -> Result<Url, Error> {
    let mut url = Url::parse(input.trim()).map_err(|_| Error::InvalidUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidUrl);
    }
    let loopback = match url.host() {
        None => return Err(Error::InvalidUrl),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(Error::InsecureUrl),
        _ => return Err(Error::InvalidUrl),
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rules() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://[::1]:9000",
            "http://localhost:1234",
            "http://LOCALHOST",
            "https://portal.example.com",
            "https://10.0.0.1",
        ] {
            assert!(portal_url(ok).is_ok(), "{ok}");
        }
        for insecure in [
            "http://portal.example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            assert!(
                matches!(portal_url(insecure), Err(Error::InsecureUrl)),
                "{insecure}"
            );
        }
        for invalid in [
            "portal.example.com",
            "ftp://portal.example.com",
            "https://user:pw@portal.example.com",
            "",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(portal_url(invalid), Err(Error::InvalidUrl)),
                "{invalid}"
            );
        }
    }

    #[test]
    fn base_path_is_kept() {
        let url = portal_url("https://example.com/docspace?x=1#y").unwrap();
        assert_eq!(url.as_str(), "https://example.com/docspace/");
    }
}
