//! One API call, described as a value: method, path, JSON body, where the token goes, what a
//! 401 means there, and which secrets the error message must not echo.

use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, COOKIE};
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::Error;

/// What [`super::Http::call`] sends, and how it reads a 401.
///
/// Built with [`Request::get`] or [`Request::post`], then [`Request::json`],
/// [`Request::token`] and [`Request::redacting`] as needed.
pub(crate) struct Request<'a> {
    pub(super) method: Method,
    /// Segments under `{portal}/api/2.0/`, each percent-encoded when sent.
    pub(super) path: &'a [&'a str],
    /// A JSON body; it may hold the password, hence zeroized.
    pub(super) body: Option<Zeroizing<Vec<u8>>>,
    pub(super) token: TokenPlacement<'a>,
    pub(super) on_401: On401,
    /// What the server's 403 message must not echo (the token is always added).
    pub(super) secrets: &'a [&'a str],
    /// The request carries a captcha answer (a login 403 then means it was rejected, §12.2).
    pub(super) captcha: bool,
    /// Extra headers (the `confirm` header of `setphone`, §16), sensitive.
    pub(super) extra: Option<(&'static str, &'a str)>,
}

/// How the token goes along with a request.
#[derive(Clone, Copy)]
pub(crate) enum TokenPlacement<'a> {
    /// No token (the login endpoints).
    None,
    /// `Authorization: <token>` (raw, §6.1).
    Header(&'a SecretString),
    /// `Cookie: asc_auth_key=<token>`: the only way logout really revokes (§5).
    Cookie(&'a SecretString),
}

/// What kind of endpoint a request goes to, which decides what a 401, 403 or 404 means there.
#[derive(Clone, Copy, Debug)]
pub(crate) enum On401 {
    /// Password login (`/authentication`, `/authentication/sendsms`): 401 is
    /// [`Error::InvalidCredentials`].
    BadCredentials,
    /// The code endpoint: 401 is [`Error::CodeRejected`].
    CodeRejected,
    /// `setphone` (§16): 401 is [`Error::PhoneActivationExpired`].
    ActivationKey,
    /// An endpoint that needs the token: 401 is [`Error::Unauthorized`].
    TokenInvalid,
}

impl On401 {
    /// A login endpoint: a 403 is one of the login refusals of §12, a 404 a wrong address.
    pub(crate) fn is_login(self) -> bool {
        !matches!(self, On401::TokenInvalid)
    }
}

impl<'a> Request<'a> {
    /// `GET {portal}/api/2.0/{path...}`, without body or token.
    pub(crate) fn get(path: &'a [&'a str], on_401: On401) -> Self {
        Request::new(Method::GET, path, on_401)
    }

    /// `POST {portal}/api/2.0/{path...}`, without body or token.
    pub(crate) fn post(path: &'a [&'a str], on_401: On401) -> Self {
        Request::new(Method::POST, path, on_401)
    }

    fn new(method: Method, path: &'a [&'a str], on_401: On401) -> Self {
        Request {
            method,
            path,
            body: None,
            token: TokenPlacement::None,
            on_401,
            secrets: &[],
            captcha: false,
            extra: None,
        }
    }

    /// `PUT {portal}/api/2.0/{path...}`, without body or token.
    pub(crate) fn put(path: &'a [&'a str], on_401: On401) -> Self {
        Request::new(Method::PUT, path, on_401)
    }

    /// Marks the request as carrying a captcha answer.
    pub(crate) fn with_captcha(mut self, captcha: bool) -> Self {
        self.captcha = captcha;
        self
    }

    /// Adds a (sensitive) header.
    pub(crate) fn header(mut self, name: &'static str, value: &'a str) -> Self {
        self.extra = Some((name, value));
        self
    }

    /// Sends `value` as the JSON body.
    pub(crate) fn json<T: serde::Serialize>(mut self, value: &T) -> Result<Self, Error> {
        let body = serde_json::to_vec(value)
            .map(Zeroizing::new)
            .map_err(|_| Error::unexpected("could not encode the request"))?;
        self.body = Some(body);
        Ok(self)
    }

    /// Sends the token as `placement` says.
    pub(crate) fn token(mut self, placement: TokenPlacement<'a>) -> Self {
        self.token = placement;
        self
    }

    /// Keeps `secrets` out of the error message of a 403 (see [`super::status`]).
    pub(crate) fn redacting(mut self, secrets: &'a [&'a str]) -> Self {
        self.secrets = secrets;
        self
    }

    /// The headers: `Accept: application/json` and the token, if any (a token no header
    /// can carry is [`Error::Unauthorized`]).
    pub(super) fn headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some((name, value)) = self.extra {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| Error::unexpected("a header value the server sent is not valid"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        match self.token {
            TokenPlacement::None => {}
            TokenPlacement::Header(token) => {
                headers.insert(AUTHORIZATION, token_header(token.expose_secret())?);
            }
            TokenPlacement::Cookie(token) => {
                headers.insert(
                    COOKIE,
                    token_header(&format!("asc_auth_key={}", token.expose_secret()))?,
                );
            }
        }
        Ok(headers)
    }

    /// Everything an error message must not echo: the given secrets and the token.
    pub(super) fn all_secrets(&self) -> impl Iterator<Item = &'a str> {
        let token = match self.token {
            TokenPlacement::None => None,
            TokenPlacement::Header(token) | TokenPlacement::Cookie(token) => {
                Some(token.expose_secret())
            }
        };
        self.secrets.iter().copied().chain(token)
    }
}

fn token_header(value: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| Error::Unauthorized)?;
    header.set_sensitive(true);
    Ok(header)
}
