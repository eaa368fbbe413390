//! State [`TfaPending`]: the password was accepted, a second factor is pending;
//! [`Auth::confirm`], [`Auth::resend_sms`], and [`ConfirmError`], which hands the pending
//! state back when a code fails.

use std::fmt;

use super::{mapping, Auth, Authenticated, Challenge, SmsSent};
use crate::http::{On401, Request};
use crate::wire::{Credentials, CredentialsWithCode, LoginSecret, SetPhone};
use crate::{Code, Error};

/// State: the password was accepted and a second factor is pending. See
/// [`Auth::challenge`], [`Auth::confirm`], [`Auth::resend_sms`].
///
/// It holds the credentials (in a [`SecretString`](secrecy::SecretString)) because the code endpoint checks the
/// password again (docs/protocol.md §4.1): the password, or only its hash with
/// [`AuthBuilder::hash_password`](super::AuthBuilder::hash_password).
///
/// ```no_run
/// # use docspace_auth::{secrecy::SecretString, Auth, LoginOutcome, TfaPending};
/// # async fn run() -> Result<(), docspace_auth::Error> {
/// let auth = Auth::new("https://portal.example.com")?;
/// if let LoginOutcome::TfaRequired(pending) = auth.login("bob@example.com", SecretString::from("pw")).await? {
///     let pending: Auth<TfaPending> = pending;
///     println!("{:?}", pending.challenge());
/// }
/// # Ok(()) }
/// ```
pub struct TfaPending {
    pub(super) user: String,
    pub(super) secret: LoginSecret,
    pub(super) challenge: Challenge,
}

impl fmt::Debug for TfaPending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TfaPending")
            .field("user", &self.user)
            .field("secret", &"[REDACTED]")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Auth<TfaPending> {
    /// Which second factor is pending.
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Challenge, TfaPending};
    /// # fn show(pending: &Auth<TfaPending>) {
    /// if let Challenge::Sms { phone_noise, .. } = pending.challenge() {
    ///     println!("code sent to {phone_noise}");
    /// }
    /// # }
    /// ```
    pub fn challenge(&self) -> &Challenge {
        &self.state.challenge
    }

    /// The login name this second factor is for.
    ///
    /// ```no_run
    /// # fn show(pending: &docspace_auth::Auth<docspace_auth::TfaPending>) {
    /// println!("second factor for {}", pending.user());
    /// # }
    /// ```
    pub fn user(&self) -> &str {
        &self.state.user
    }

    /// Sends the code with the credentials again: `POST /api/2.0/authentication/{code}`, the
    /// code in the JSON body and, percent-encoded, in the path (docs/protocol.md §4.3).
    ///
    /// When it fails, the [`ConfirmError`] hands the pending state back
    /// ([`ConfirmError::into_pending`]), so a wrong code can be retried without logging in
    /// again. Its error is [`Error::CodeRejected`] for a wrong, expired or used code (and
    /// after too many attempts), or any error of [`Auth::login`].
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Code, Error, TfaPending, Authenticated};
    /// # async fn run(pending: Auth<TfaPending>) -> Result<Auth<Authenticated>, Error> {
    /// let mut pending = pending;
    /// loop {
    ///     let code = Code::parse("123456")?; // ask the user
    ///     match pending.confirm(code).await {
    ///         Ok(session) => return Ok(session),
    ///         Err(e) if matches!(e.error(), Error::CodeRejected) => {
    ///             pending = e.into_pending();
    ///         }
    ///         Err(e) => return Err(e.into()),
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn confirm(self, code: Code) -> Result<Auth<Authenticated>, ConfirmError> {
        match self.try_confirm(&code).await {
            Ok(state) => Ok(Auth {
                http: self.http,
                state,
            }),
            Err(error) => Err(ConfirmError {
                error,
                pending: Box::new(self),
            }),
        }
    }

    async fn try_confirm(&self, code: &Code) -> Result<Authenticated, Error> {
        let body = CredentialsWithCode {
            credentials: self.credentials(),
            code: code.expose(),
        };
        let response = self
            .http
            .call(
                Request::post(&["authentication", code.expose()], On401::CodeRejected)
                    .json(&body)?
                    .redacting(&[self.state.secret.expose(), code.expose()]),
            )
            .await?;
        mapping::code_answer(mapping::required(&response)?)
    }

    /// Asks the server to send a new SMS code: `POST /api/2.0/authentication/sendsms` (with
    /// the credentials again). Errors as for [`Auth::login`].
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, TfaPending};
    /// # async fn run(pending: &Auth<TfaPending>) -> Result<(), docspace_auth::Error> {
    /// let sent = pending.resend_sms().await?;
    /// println!("new code sent to {}", sent.phone_noise);
    /// # Ok(()) }
    /// ```
    pub async fn resend_sms(&self) -> Result<SmsSent, Error> {
        let response = self
            .http
            .call(
                Request::post(&["authentication", "sendsms"], On401::BadCredentials)
                    .json(&self.credentials())?
                    .redacting(&[self.state.secret.expose()]),
            )
            .await?;
        mapping::sms_sent(mapping::required(&response)?)
    }

    /// Gives the phone number to send codes to, when the server asks for one
    /// ([`Challenge::SmsPhoneActivation`]): `POST /api/2.0/authentication/setphone` with the
    /// activation key of the challenge's link (docs/protocol.md §16). The server sends a code
    /// to the number, and the challenge becomes [`Challenge::Sms`]: then [`Auth::confirm`] as
    /// usual, which also activates the phone.
    ///
    /// The number may be formatted in any way (`+1 (555) 123-4567`); the server keeps its
    /// digits. Errors, each handing the pending state back: [`Error::NotPhoneActivation`] for
    /// another challenge and [`Error::InvalidPhoneNumber`] for a number without digits (both
    /// before any request), [`Error::PhoneActivationExpired`] after an hour (log in again),
    /// [`Error::Server`] (too many codes sent; a number already activated), and the errors of
    /// [`Auth::login`].
    ///
    /// ```no_run
    /// # use docspace_auth::{Auth, Challenge, Code, TfaPending};
    /// # async fn run(pending: Auth<TfaPending>) -> Result<(), docspace_auth::Error> {
    /// let pending = if let Challenge::SmsPhoneActivation { .. } = pending.challenge() {
    ///     pending.set_phone("+1 555 123 4567").await?
    /// } else {
    ///     pending
    /// };
    /// if let Challenge::Sms { phone_noise, .. } = pending.challenge() {
    ///     println!("enter the code sent to {phone_noise}");
    /// }
    /// let session = pending.confirm(Code::parse("123456")?).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_phone(mut self, number: &str) -> Result<Auth<TfaPending>, ConfirmError> {
        match self.try_set_phone(number).await {
            Ok(challenge) => {
                self.state.challenge = challenge;
                Ok(self)
            }
            Err(error) => Err(ConfirmError {
                error,
                pending: Box::new(self),
            }),
        }
    }

    async fn try_set_phone(&self, number: &str) -> Result<Challenge, Error> {
        let Challenge::SmsPhoneActivation { confirm_url } = &self.state.challenge else {
            return Err(Error::NotPhoneActivation);
        };
        if !number.chars().any(|c| c.is_ascii_digit()) {
            return Err(Error::InvalidPhoneNumber);
        }
        // The `confirm` header is the link's query, verbatim (§16).
        let key = url::Url::parse(confirm_url)
            .ok()
            .and_then(|url| url.query().map(str::to_owned))
            .filter(|query| !query.is_empty())
            .ok_or_else(|| Error::unexpected("the phone activation link has no key"))?;
        let response = self
            .http
            .call(
                Request::post(&["authentication", "setphone"], On401::ActivationKey)
                    .json(&SetPhone {
                        mobile_phone: number,
                    })?
                    .header("confirm", &key)
                    .redacting(&[self.state.secret.expose(), &key]),
            )
            .await?;
        let sent = mapping::sms_sent(mapping::required(&response)?)?;
        Ok(Challenge::Sms {
            phone_noise: sent.phone_noise,
            expires: sent.expires,
        })
    }

    fn credentials(&self) -> Credentials<'_> {
        Credentials {
            user_name: &self.state.user,
            secret: &self.state.secret,
            session: self.http.session,
            captcha: None,
        }
    }
}

/// A failed [`Auth::confirm`]: the error, and the pending state to retry with.
///
/// Converts into [`Error`] with `?`.
///
/// ```no_run
/// # use docspace_auth::{Auth, Code, Error, TfaPending};
/// # async fn run(pending: Auth<TfaPending>) -> Result<(), Error> {
/// match pending.confirm(Code::parse("000000")?).await {
///     Ok(_session) => {}
///     Err(rejected) => {
///         eprintln!("{}", rejected.error());
///         let pending = rejected.into_pending(); // try another code on it
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ConfirmError {
    error: Error,
    pending: Box<Auth<TfaPending>>,
}

impl ConfirmError {
    /// What went wrong.
    ///
    /// ```no_run
    /// # use docspace_auth::{ConfirmError, Error};
    /// # fn check(e: &ConfirmError) {
    /// if matches!(e.error(), Error::CodeRejected) {
    ///     println!("wrong code, try again");
    /// }
    /// # }
    /// ```
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The pending state, to try another code (or resend the SMS) without logging in again:
    /// every failure leaves it usable.
    ///
    /// ```no_run
    /// # use docspace_auth::ConfirmError;
    /// # fn retry(e: ConfirmError) {
    /// let pending = e.into_pending();
    /// println!("still pending: {:?}", pending.challenge());
    /// # }
    /// ```
    pub fn into_pending(self) -> Auth<TfaPending> {
        *self.pending
    }

    /// The error alone (the pending state is dropped).
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::ConfirmError) -> docspace_auth::Error {
    /// e.into_error()
    /// # }
    /// ```
    pub fn into_error(self) -> Error {
        self.error
    }

    /// Both parts.
    ///
    /// ```no_run
    /// # fn f(e: docspace_auth::ConfirmError) {
    /// let (error, pending) = e.into_parts();
    /// # }
    /// ```
    pub fn into_parts(self) -> (Error, Auth<TfaPending>) {
        (self.error, *self.pending)
    }
}

impl From<ConfirmError> for Error {
    fn from(e: ConfirmError) -> Self {
        e.error
    }
}

impl fmt::Display for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl fmt::Debug for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmError")
            .field("error", &self.error)
            .field("pending", &self.pending)
            .finish()
    }
}

impl std::error::Error for ConfirmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A pending state for tests, without any request.
#[cfg(test)]
pub(super) fn test_pending(user: &str, password: &str, challenge: Challenge) -> Auth<TfaPending> {
    Auth {
        http: crate::http::Http::new("http://127.0.0.1:1", crate::http::Options::default())
            .unwrap(),
        state: TfaPending {
            user: user.into(),
            secret: LoginSecret::Password(secrecy::SecretString::from(password)),
            challenge,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Enrollment;

    #[test]
    fn debug_redacts_the_password_and_the_totp_secret() {
        let pending = test_pending(
            "carol@example.com",
            "hunter2-password",
            Challenge::AppEnrollment(Enrollment {
                secret: secrecy::SecretString::from("JBSWY3DPEHPK3PXP"),
                issuer: "127.0.0.1".into(),
                account: "carol@example.com".into(),
                confirm_url: "http://127.0.0.1:1/confirm".into(),
            }),
        );
        let text = format!("{pending:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("JBSWY3DP"), "{text}");
        assert!(text.contains("[REDACTED]"), "{text}");

        let error = ConfirmError {
            error: Error::CodeRejected,
            pending: Box::new(pending),
        };
        let text = format!("{error:?} {error}");
        assert!(
            !text.contains("hunter2") && !text.contains("JBSWY3DP"),
            "{text}"
        );
    }
}
