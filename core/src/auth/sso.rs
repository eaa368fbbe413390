//! Single sign-on (docs/protocol.md §13): the web view the app opens at
//! [`SsoProvider::url`](crate::SsoProvider::url) ends on `{portal}/?token=…` or on
//! `{portal}/login/error?messageKey=N`; [`Auth::complete_sso`] turns either into a session
//! or a typed error.

use secrecy::SecretString;

use super::{Auth, Authenticated, Unauthenticated};
use crate::{Error, SsoFailure};

/// Where a web view's navigation is in an SSO login, as [`Auth::sso_redirect`] reads it.
///
/// ```
/// use docspace_auth::{Auth, SsoRedirect};
/// let auth = Auth::new("https://portal.example.com")?;
/// assert_eq!(auth.sso_redirect("https://idp.example.com/login"), SsoRedirect::Elsewhere);
/// assert_eq!(auth.sso_redirect("/?token=abc%2b"), SsoRedirect::Token);
/// assert_eq!(auth.sso_redirect("/login/error?messageKey=16"), SsoRedirect::Error);
/// # Ok::<(), docspace_auth::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoRedirect {
    /// The portal's redirect with the token: the login is over, call [`Auth::complete_sso`].
    Token,
    /// The portal's SSO error page: the login failed, [`Auth::complete_sso`] says why.
    Error,
    /// Any other address (the identity provider's pages...): let the web view go on.
    Elsewhere,
}

impl Auth<Unauthenticated> {
    /// What `address` (a navigation the SSO web view is about to make, absolute or relative
    /// to the portal) means for the login: intercept it when this is not
    /// [`SsoRedirect::Elsewhere`].
    ///
    /// ```
    /// # use docspace_auth::{Auth, SsoRedirect};
    /// let auth = Auth::new("https://portal.example.com")?;
    /// let seen = "https://portal.example.com/?token=t0k%2f3n";
    /// if auth.sso_redirect(seen) != SsoRedirect::Elsewhere {
    ///     let session = auth.complete_sso(seen)?; // stop the web view here
    /// }
    /// # Ok::<(), docspace_auth::Error>(())
    /// ```
    pub fn sso_redirect(&self, address: &str) -> SsoRedirect {
        match self.read(address) {
            Some(Landing::Token(_)) => SsoRedirect::Token,
            Some(Landing::Error(_)) => SsoRedirect::Error,
            None => SsoRedirect::Elsewhere,
        }
    }

    /// Turns the address an SSO web view was sent to at the end into a session: the portal's
    /// `{portal}/?token=…` (absolute or relative, percent-encoded or not), or its
    /// `/login/error?messageKey=N`, which is [`Error::Sso`] with the reason (§13.3). No
    /// request is made (check the session with [`Auth::is_valid`] if in doubt); its expiry is
    /// unknown. SSO logins have no second factor (§13.2).
    ///
    /// [`Error::InvalidUrl`] for any other address, or one on another host than the portal.
    ///
    /// ```
    /// use docspace_auth::{secrecy::ExposeSecret, Auth, Error, SsoFailure};
    /// let auth = Auth::new("https://portal.example.com")?;
    /// let session = auth.clone().complete_sso("/?token=abc%2bdef%3d")?;
    /// assert_eq!(session.token().expose_secret(), "abc+def=");
    /// let failed = auth.complete_sso("https://portal.example.com/login/error?messageKey=16");
    /// assert!(matches!(failed, Err(Error::Sso { reason: SsoFailure::UserDisabled })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn complete_sso(self, address: &str) -> Result<Auth<Authenticated>, Error> {
        match self.read(address) {
            Some(Landing::Token(token)) => Ok(Auth {
                state: Authenticated::new(token, None)?,
                http: self.http,
            }),
            Some(Landing::Error(reason)) => Err(Error::Sso { reason }),
            None => Err(Error::InvalidUrl),
        }
    }

    fn read(&self, address: &str) -> Option<Landing> {
        let base = self.http.base();
        let url = base.join(address.trim()).ok()?;
        if url.origin() != base.origin() {
            return None;
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.into_owned())
        };
        let path = url.path().trim_end_matches('/');
        let root = base.path().trim_end_matches('/');
        if path.ends_with("/login/error") {
            let key = param("messageKey").and_then(|k| k.trim().parse().ok());
            return Some(Landing::Error(
                key.map_or(SsoFailure::Error, SsoFailure::from_message_key),
            ));
        }
        if path.is_empty() || path == root {
            // Decoded once, as the server does (`UrlDecode`, then ' ' back to '+', §13.4).
            let token = param("token")?.replace(' ', "+");
            return (!token.is_empty()).then(|| Landing::Token(SecretString::from(token)));
        }
        None
    }
}

enum Landing {
    Token(SecretString),
    Error(SsoFailure),
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn auth(base: &str) -> Auth<Unauthenticated> {
        Auth::new(base).unwrap()
    }

    #[test]
    fn token_redirects_in_every_form() {
        for address in [
            "/?token=a%2bb%2fc%3d",
            "/?token=a%2Bb%2Fc%3D",
            "https://portal.example.com/?token=a%2bb%2fc%3d",
            "https://PORTAL.example.com:443/?token=a+b/c=",
            " /?x=1&token=a%2bb%2fc%3d ",
        ] {
            let session = auth("https://portal.example.com")
                .complete_sso(address)
                .unwrap();
            assert_eq!(session.token().expose_secret(), "a+b/c=", "{address}");
        }
        // A portal under a path: the redirect may come to the host's root or to the portal's.
        for address in ["/?token=t", "/docspace/?token=t", "/docspace?token=t"] {
            let session = auth("https://example.com/docspace")
                .complete_sso(address)
                .unwrap();
            assert_eq!(session.token().expose_secret(), "t", "{address}");
        }
    }

    #[test]
    fn error_pages_name_the_reason() {
        let cases = [
            ("/login/error?messageKey=1", SsoFailure::Error),
            (
                "https://portal.example.com/login/error?messageKey=16",
                SsoFailure::UserDisabled,
            ),
            ("/login/error?messagekey=15", SsoFailure::CannotCreateUser),
            ("/login/error?messageKey=42", SsoFailure::Other(42)),
            ("/login/error", SsoFailure::Error),
            ("/login/error?messageKey=x", SsoFailure::Error),
        ];
        for (address, reason) in cases {
            let a = auth("https://portal.example.com");
            assert_eq!(a.sso_redirect(address), SsoRedirect::Error);
            match a.complete_sso(address) {
                Err(Error::Sso { reason: got }) => assert_eq!(got, reason, "{address}"),
                other => panic!("{address}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_addresses_are_refused() {
        for address in [
            "https://evil.example.com/?token=stolen",
            "http://portal.example.com/?token=t",
            "https://portal.example.com:8443/?token=t",
            "/?token=",
            "/",
            "/sso/login",
            "/somewhere?token=t",
            "https://idp.example.com/login/error?messageKey=16",
            "/?token=t%0a", // no header can carry it
        ] {
            let a = auth("https://portal.example.com");
            if !address.ends_with("%0a") {
                assert_eq!(a.sso_redirect(address), SsoRedirect::Elsewhere, "{address}");
            }
            assert!(
                matches!(
                    a.complete_sso(address),
                    Err(Error::InvalidUrl | Error::Unauthorized)
                ),
                "{address}"
            );
        }
    }
}
