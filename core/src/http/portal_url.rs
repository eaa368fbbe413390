//! The portal URL: parsed, checked (plain http only for loopback hosts) and normalized, with
//! what every request to it needs made once: its scheme and authority, the `Host` header and
//! the path of its API.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderValue, Uri};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use url::{Host, Url};

use crate::Error;

/// A checked portal URL and the parts of its requests' URIs.
pub(crate) struct Portal {
    /// Normalized: no query or fragment, a trailing slash.
    pub url: Url,
    scheme: Scheme,
    authority: Authority,
    /// `host[:port]`, the port only when it is not the scheme's default (as the URL keeps it).
    host: HeaderValue,
    /// The path of `{portal}/api/2.0`, without a trailing slash.
    api_path: String,
}

/// What a path segment has percent-encoded: the URL standard's path segment set for http(s)
/// URLs (what the `url` crate encodes in a segment), so that a segment can neither add a
/// separator, a query or a fragment.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// How many distinct portal URLs keep their parsed form (an app talks to one or two portals).
const CACHED_PORTALS: usize = 16;

impl Portal {
    /// The URI of `{portal}/api/2.0/{segments...}`, each segment percent-encoded. A segment
    /// `.` or `..` (which would move along the path) is [`Error::InvalidUrl`].
    pub(crate) fn api_uri(&self, segments: &[&str]) -> Result<Uri, Error> {
        let mut path = String::with_capacity(
            self.api_path.len() + segments.iter().map(|s| s.len() + 1).sum::<usize>(),
        );
        path.push_str(&self.api_path);
        for segment in segments {
            path.push('/');
            if matches!(*segment, "." | "..") {
                return Err(Error::InvalidUrl);
            }
            path.extend(utf8_percent_encode(segment, PATH_SEGMENT));
        }
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(
            PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| Error::InvalidUrl)?,
        );
        Uri::from_parts(parts).map_err(|_| Error::InvalidUrl)
    }

    /// The `Host` header of its requests.
    pub(crate) fn host(&self) -> &HeaderValue {
        &self.host
    }
}

/// The portal at `input`, checked and normalized ([`parse`]). The last few distinct inputs keep
/// their result, so that a program that makes a new `Auth` per login parses its portal once.
pub(crate) fn portal(input: &str) -> Result<Arc<Portal>, Error> {
    type Cache = Mutex<Vec<(Box<str>, Arc<Portal>)>>;
    static PORTALS: OnceLock<Cache> = OnceLock::new();
    let mut portals = PORTALS
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, found)) = portals.iter().find(|(text, _)| **text == *input) {
        return Ok(found.clone());
    }
    // Parsed under the lock (microseconds, once per portal): two threads that meet a new
    // portal at once keep one entry, not two.
    let portal = Arc::new(parse(input)?);
    if portals.len() >= CACHED_PORTALS {
        portals.remove(0);
    }
    portals.push((input.into(), portal.clone()));
    Ok(portal)
}

/// Validates and normalizes the portal URL (§ "http only for loopback").
fn parse(input: &str) -> Result<Portal, Error> {
    let url = portal_url(input)?;
    let scheme = match url.scheme() {
        "https" => Scheme::HTTPS,
        _ => Scheme::HTTP,
    };
    // No user info (refused above): the authority is the host and the port it names.
    let authority_text = &url[url::Position::BeforeHost..url::Position::AfterPort];
    let authority = Authority::from_maybe_shared(Bytes::copy_from_slice(authority_text.as_bytes()))
        .map_err(|_| Error::InvalidUrl)?;
    let host = HeaderValue::from_str(authority_text).map_err(|_| Error::InvalidUrl)?;
    let api_path = format!("{}api/2.0", url.path());
    Ok(Portal {
        url,
        scheme,
        authority,
        host,
        api_path,
    })
}

fn portal_url(input: &str) -> Result<Url, Error> {
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
    fn api_uris_encode_every_segment() {
        let portal = portal("http://127.0.0.1:1/base").unwrap();
        let uri = portal
            .api_uri(&["authentication", "a b/c?#%\\é", "@self"])
            .unwrap();
        assert_eq!(
            uri.to_string(),
            "http://127.0.0.1:1/base/api/2.0/authentication/a%20b%2Fc%3F%23%25%5C%C3%A9/@self"
        );
        assert_eq!(
            portal.api_uri(&["x.y", "..."]).unwrap().path(),
            "/base/api/2.0/x.y/..."
        );
        for dots in [".", ".."] {
            assert!(matches!(
                portal.api_uri(&["a", dots]),
                Err(Error::InvalidUrl)
            ));
        }
        assert_eq!(portal.host(), "127.0.0.1:1");
    }

    /// [`PATH_SEGMENT`] is the `url` crate's own encoding of a path segment (which it does not
    /// export): every ASCII character, and a few others, encode alike both ways; except tab,
    /// line feed and carriage return, which `url` drops from its input and this encodes
    /// (a segment is sent as given, never silently shortened).
    #[test]
    fn segments_are_encoded_as_the_url_crate_encodes_them() {
        let portal = portal("https://segments.example.com/base").unwrap();
        let mut segments: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        segments.extend(
            [
                "é",
                "日本",
                "\u{1F600}",
                "%41",
                "a/b",
                "@self",
                ":",
                ";,=&+$!'()*",
            ]
            .map(String::from),
        );
        for segment in &segments {
            let mut url = Url::parse("https://segments.example.com/base/api/2.0").unwrap();
            url.path_segments_mut().unwrap().push(segment);
            let ours = portal.api_uri(&[segment]).unwrap();
            let dropped = ["\t", "\n", "\r"].iter().find(|c| segment.contains(**c));
            match dropped {
                Some(c) => assert_eq!(
                    ours.path(),
                    format!("/base/api/2.0/a%{:02X}b", c.as_bytes()[0]),
                    "{segment:?}"
                ),
                None => assert_eq!(ours.path(), url.path(), "{segment:?}"),
            }
        }
    }

    #[test]
    fn the_host_header_names_the_port_unless_it_is_the_default() {
        for (input, host) in [
            ("https://Portal.Example.com:443/x", "portal.example.com"),
            ("https://portal.example.com:8443", "portal.example.com:8443"),
            ("http://[::1]:9000", "[::1]:9000"),
            ("http://localhost:80", "localhost"),
        ] {
            let portal = portal(input).unwrap();
            assert_eq!(portal.host(), host, "{input}");
            let uri = portal.api_uri(&["capabilities"]).unwrap();
            assert_eq!(uri.authority().unwrap().as_str(), host, "{input}");
        }
    }

    #[test]
    fn a_portal_is_parsed_once_and_errors_are_not_kept() {
        let a = portal("https://cached.example.com/p").unwrap();
        assert!(Arc::ptr_eq(
            &a,
            &portal("https://cached.example.com/p").unwrap()
        ));
        assert!(matches!(
            portal("http://kept.example.com"),
            Err(Error::InsecureUrl)
        ));
        assert!(matches!(
            portal("http://kept.example.com"),
            Err(Error::InsecureUrl)
        ));
    }

    #[test]
    fn base_path_is_kept() {
        let url = portal_url("https://example.com/docspace?x=1#y").unwrap();
        assert_eq!(url.as_str(), "https://example.com/docspace/");
    }
}
