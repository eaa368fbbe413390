//! Errors of the command: one line for stderr and a distinct exit code per kind, and the
//! exit-code table every `--help` ends with.

use docspace_auth::{Error, LogoutError, TransportErrorKind};

/// The exit-code table for `--help` (a macro so `concat!` can append it to each command's help).
macro_rules! exit_codes_help {
    () => {
        "\
Exit codes:
    0    success
    1    internal error
    2    bad input or usage (arguments, portal URL, plain http:// to a non-loopback host,
         malformed code or secret, no password given and no terminal, unreadable files)
    3    bad credentials (the portal refused the e-mail or password)
    4    second-factor code rejected (wrong, expired, used, or too many attempts)
    5    forbidden (a refusal none of the codes below explains)
    6    rate limited (HTTP 429)
    7    network error (cannot connect, DNS, timeout, connection dropped)
    8    TLS error (untrusted or invalid certificate, handshake failed)
    9    server error or unexpected response (HTTP 5xx, not a DocSpace answer)
    10   token not valid (expired, revoked or mistyped): log in again
    11   locked out after too many failed logins (wait a minute, or answer the captcha)
    12   user disabled
    13   captcha answer rejected
    14   portal in maintenance (transfer, restore, encryption): try again later
    15   no DocSpace portal at that address (wrong address, suspended portal, other product)
    16   single sign-on failed (the portal's SSO error page)
    17   phone activation expired: log in again
    130  interrupted (Ctrl-C)
    143  terminated (SIGTERM, e.g. from kill or timeout)"
    };
}

/// The kinds of failure, each with its own exit code (listed in `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything internal (e.g. the demo's emulator could not start).
    Internal,
    /// Bad arguments or input: usage, URL, malformed code or secret, missing password, files.
    Usage,
    /// The portal refused the e-mail or the password.
    BadCredentials,
    /// The second-factor code was rejected.
    CodeRejected,
    /// A 403 that none of the kinds below explains.
    Forbidden,
    /// Locked out after too many failed logins.
    LockedOut,
    /// The user is disabled.
    UserDisabled,
    /// The captcha answer was rejected.
    CaptchaRejected,
    /// The portal is in maintenance.
    PortalUnavailable,
    /// No DocSpace portal at that address.
    NotAPortal,
    /// The single sign-on failed.
    Sso,
    /// The phone activation expired.
    PhoneActivationExpired,
    /// Too many requests (HTTP 429).
    RateLimited,
    /// Could not reach the portal (connect, DNS, timeout, connection dropped).
    Network,
    /// TLS handshake or certificate failure.
    Tls,
    /// Server error (5xx) or an answer that is not DocSpace's protocol.
    Server,
    /// The token is not valid (expired, revoked or mistyped).
    TokenInvalid,
    /// Ctrl-C.
    Interrupted,
    /// SIGTERM.
    Terminated,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::BadCredentials => 3,
            Kind::CodeRejected => 4,
            Kind::Forbidden => 5,
            Kind::RateLimited => 6,
            Kind::Network => 7,
            Kind::Tls => 8,
            Kind::Server => 9,
            Kind::TokenInvalid => 10,
            Kind::LockedOut => 11,
            Kind::UserDisabled => 12,
            Kind::CaptchaRejected => 13,
            Kind::PortalUnavailable => 14,
            Kind::NotAPortal => 15,
            Kind::Sso => 16,
            Kind::PhoneActivationExpired => 17,
            Kind::Interrupted => 130,
            Kind::Terminated => 143,
        }
    }
}

/// The exit codes as `--help` lists them.
#[cfg(test)]
pub const EXIT_CODES_HELP: &str = exit_codes_help!();

/// A failure: what to print (one line) and how to exit.
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
}

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        CliError {
            kind,
            message: one_line(&message.into()),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        CliError::new(Kind::Usage, message)
    }

    pub fn interrupted() -> Self {
        CliError::new(Kind::Interrupted, "interrupted")
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::from(&e)
    }
}

/// A failed logout is reported as its error; the command exits (the token file is kept, so
/// the same command can simply be run again).
impl From<LogoutError> for CliError {
    fn from(e: LogoutError) -> Self {
        CliError::from(e.error())
    }
}

impl From<&Error> for CliError {
    fn from(e: &Error) -> Self {
        let (kind, message) = match e {
            Error::InvalidCredentials => (
                Kind::BadCredentials,
                "the portal refused the e-mail or password; check them and try again".to_owned(),
            ),
            // DocSpace answers 401 for an unknown user; a 404 on a login means the address is
            // not a portal's (a path after the host, another web server, a suspended portal).
            Error::WrongPortalAddress => (
                Kind::NotAPortal,
                "no DocSpace portal answers at this address (404): --portal must be the portal's \
                 root address, e.g. https://portal.example.com (no path after the host)"
                    .to_owned(),
            ),
            Error::NotADocSpacePortal { detail } => (
                Kind::NotAPortal,
                format!(
                    "this address is not a DocSpace portal ({}): check --portal",
                    sanitize(detail)
                ),
            ),
            Error::NotFound => (
                Kind::Server,
                "the portal answered 404 Not Found: --portal must be the portal's root address, \
                 e.g. https://portal.example.com (no path after the host)"
                    .to_owned(),
            ),
            Error::LockedOut => (
                Kind::LockedOut,
                "too many failed logins: the portal locked this login for a while; wait a \
                 minute and try again (an app can answer the portal's captcha instead)"
                    .to_owned(),
            ),
            Error::UserDisabled => (
                Kind::UserDisabled,
                "this account is disabled on the portal; ask the portal's administrator".to_owned(),
            ),
            Error::CaptchaRejected => (
                Kind::CaptchaRejected,
                "the portal rejected the captcha answer; solve a new captcha and try again"
                    .to_owned(),
            ),
            Error::PortalUnavailable => (
                Kind::PortalUnavailable,
                "the portal is in maintenance (being moved, restored or encrypted); try again \
                 later"
                    .to_owned(),
            ),
            Error::Sso { reason } => (
                Kind::Sso,
                format!(
                    "single sign-on failed: {reason} (the portal's error {})",
                    reason.message_key()
                ),
            ),
            Error::PhoneActivationExpired => (
                Kind::PhoneActivationExpired,
                "the phone activation expired (it lasts an hour); log in again".to_owned(),
            ),
            Error::InvalidPhoneNumber => (
                Kind::Usage,
                "the phone number has no digits; give it as e.g. +1 555 123 4567".to_owned(),
            ),
            Error::CurrentSession => (
                Kind::Usage,
                "that is the session of this token; use `docspace-auth logout` to end it"
                    .to_owned(),
            ),
            Error::CodeRejected => (
                Kind::CodeRejected,
                "the second-factor code was rejected (wrong, expired or already used); \
                 log in again with a fresh code"
                    .to_owned(),
            ),
            Error::Forbidden { message } => (
                Kind::Forbidden,
                format!(
                    "the portal refused: {}; ask the portal's administrator",
                    sanitize(message)
                ),
            ),
            Error::RateLimited { retry_after } => (
                Kind::RateLimited,
                match retry_after {
                    Some(d) => format!(
                        "the portal is rate limiting requests; wait {} s and try again",
                        d.as_secs().max(1)
                    ),
                    None => "the portal is rate limiting requests; wait a little and try again"
                        .to_owned(),
                },
            ),
            Error::Server { status } => (
                Kind::Server,
                format!("the portal had a server error (HTTP {status}); try again later"),
            ),
            Error::UnexpectedResponse { detail } => (
                Kind::Server,
                format!(
                    "the portal's answer is not what DocSpace sends ({}); check that --portal \
                     is the address of a DocSpace portal",
                    sanitize(detail)
                ),
            ),
            Error::Unauthorized => (
                Kind::TokenInvalid,
                "the token is not valid (expired, revoked or mistyped); log in again with \
                 `docspace-auth login`"
                    .to_owned(),
            ),
            Error::Transport { kind, detail } => match kind {
                TransportErrorKind::Tls => (
                    Kind::Tls,
                    format!(
                        "the TLS connection to the portal failed ({}); check the address, or \
                         pass the portal's private CA certificate with --ca-cert FILE",
                        sanitize(detail)
                    ),
                ),
                TransportErrorKind::Timeout => (
                    Kind::Network,
                    "the portal did not answer in time; check the network, or raise --timeout"
                        .to_owned(),
                ),
                TransportErrorKind::Connect => (
                    Kind::Network,
                    format!(
                        "cannot connect to the portal ({}); check the --portal address and \
                         the network",
                        sanitize(detail)
                    ),
                ),
                _ => (
                    Kind::Network,
                    format!(
                        "the connection to the portal failed ({}); check the network and try \
                         again",
                        sanitize(detail)
                    ),
                ),
            },
            Error::InsecureUrl => (
                Kind::Usage,
                "--portal uses plain http:// to a host that is not loopback; use https:// \
                 (plain http:// is only allowed for 127.0.0.1, ::1 and localhost)"
                    .to_owned(),
            ),
            Error::InvalidUrl => (
                Kind::Usage,
                "--portal is not a valid http(s) address; use e.g. https://portal.example.com"
                    .to_owned(),
            ),
            Error::InvalidCodeFormat => (
                Kind::Usage,
                "the code must be 6 digits (or a 6-character backup code)".to_owned(),
            ),
            Error::InvalidSecret => (
                Kind::Usage,
                "the TOTP secret is not valid Base32; copy the key exactly as the portal \
                 showed it"
                    .to_owned(),
            ),
            Error::InvalidCertificate { detail } => (
                Kind::Usage,
                format!(
                    "the --ca-cert file is not usable ({}); give a PEM file with the CA \
                     certificate",
                    sanitize(detail)
                ),
            ),
            Error::InvalidConfiguration { detail } => (
                Kind::Usage,
                format!("invalid client configuration: {}", sanitize(detail)),
            ),
            other => (
                Kind::Server,
                format!("unexpected failure: {}", sanitize(&other.to_string())),
            ),
        };
        CliError::new(kind, message)
    }
}

/// Server-provided or library text, made safe for one terminal line: no control characters
/// (no escape sequences, no line breaks), bounded length.
pub fn sanitize(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 200;
    if cleaned.chars().count() > MAX {
        let mut short: String = cleaned.chars().take(MAX).collect();
        short.push('…');
        short
    } else {
        cleaned
    }
}

fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_strips_escapes_and_newlines() {
        assert_eq!(sanitize("a\u{1b}[31mb\nc"), "a [31mb c");
        assert!(sanitize(&"x".repeat(500)).chars().count() <= 201);
    }

    #[test]
    fn exit_codes_are_distinct() {
        let kinds = [
            Kind::Internal,
            Kind::Usage,
            Kind::BadCredentials,
            Kind::CodeRejected,
            Kind::Forbidden,
            Kind::RateLimited,
            Kind::Network,
            Kind::Tls,
            Kind::Server,
            Kind::TokenInvalid,
            Kind::LockedOut,
            Kind::UserDisabled,
            Kind::CaptchaRejected,
            Kind::PortalUnavailable,
            Kind::NotAPortal,
            Kind::Sso,
            Kind::PhoneActivationExpired,
            Kind::Interrupted,
            Kind::Terminated,
        ];
        let mut codes: Vec<u8> = kinds.iter().map(|k| k.exit_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        for k in kinds {
            let code = k.exit_code().to_string();
            assert!(EXIT_CODES_HELP.contains(&format!("    {code} ")), "{code}");
        }
    }
}
