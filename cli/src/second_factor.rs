//! The second factor: shows what the portal asks for (authenticator, enrolment QR code and key,
//! SMS), then gets codes (computed from a TOTP key, typed at a prompt, or lines of stdin) until
//! one is accepted, asks for a new SMS on `r`, and gives up after too many rejected codes.

use std::time::SystemTime;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{Auth, Authenticated, Challenge, Code, Enrollment, Error, TfaPending};
use zeroize::Zeroizing;

use crate::error::{sanitize, CliError, Kind};
use crate::output::rfc3339;
use crate::{term, totp_key};

/// Where second-factor codes come from.
pub enum CodeInput {
    /// Computed from a TOTP secret (`--totp-secret-env`).
    Totp { secret: SecretString, var: String },
    /// Lines of stdin (`--code-stdin`).
    Stdin,
    /// A hidden prompt on the terminal.
    Terminal,
    /// Nowhere: fail if a second factor is asked for.
    Unavailable,
}

/// Gets the second factor done: shows the challenge, then codes from `input` on the same
/// pending login, at most `max_attempts` rejected codes.
pub async fn second_factor(
    mut pending: Auth<TfaPending>,
    input: &CodeInput,
    max_attempts: u32,
    announce: bool,
    phone: Option<&str>,
) -> Result<Auth<Authenticated>, CliError> {
    if matches!(pending.challenge(), Challenge::SmsPhoneActivation { .. }) {
        if let CodeInput::Totp { var, .. } = input {
            return Err(CliError::usage(format!(
                "this account gets its codes by SMS, so --totp-secret-env {var} cannot compute \
                 them; use --code-stdin or run in a terminal"
            )));
        }
        pending = activate_phone(pending, phone).await?;
    }
    let is_sms = show_challenge(pending.challenge(), input, announce)?;
    if matches!(input, CodeInput::Unavailable) {
        return Err(CliError::usage(
            "the portal asks for a second-factor code and there is no terminal to ask for it; \
             use --totp-secret-env VAR or --code-stdin",
        ));
    }

    let mut rejected = 0u32;
    let mut invalid = 0u32;
    loop {
        let code = match input {
            CodeInput::Totp { secret, var } => totp_code(secret, var)?,
            _ => match typed_code(&pending, input, is_sms, &mut invalid).await? {
                Some(code) => code,
                None => continue,
            },
        };
        let (error, back) = match pending.confirm(code).await {
            Ok(session) => return Ok(session),
            Err(failed) => failed.into_parts(),
        };
        match (error, back) {
            (Error::CodeRejected, back) if !matches!(input, CodeInput::Totp { .. }) => {
                rejected += 1;
                if rejected >= max_attempts {
                    return Err(CliError::new(
                        Kind::CodeRejected,
                        format!(
                            "the code was rejected {rejected} time(s); check the code (and the \
                             clock of the device that makes it), then log in again"
                        ),
                    ));
                }
                let left = max_attempts - rejected;
                term::info(&format!(
                    "The code was rejected (wrong, expired or already used); {left} attempt(s) \
                     left."
                ));
                pending = back;
            }
            (Error::CodeRejected, _) => {
                let hint = match input {
                    CodeInput::Totp { var, .. } => {
                        format!("; check the key in {var} and this machine's clock, then try again")
                    }
                    _ => String::new(),
                };
                return Err(CliError::new(
                    Kind::CodeRejected,
                    format!("the second-factor code was rejected{hint}"),
                ));
            }
            (other, _) => return Err(other.into()),
        }
    }
}

/// Tells the person what the portal asks for, as far as `input` needs it (the enrolment key
/// only on a terminal); refuses what `input` cannot answer. `Ok(true)` when codes come by SMS.
fn show_challenge(
    challenge: &Challenge,
    input: &CodeInput,
    announce: bool,
) -> Result<bool, CliError> {
    match challenge {
        Challenge::App => {
            if !matches!(input, CodeInput::Totp { .. }) {
                term::info(
                    "Two-factor authentication: enter the 6-digit code from your \
                     authenticator app (or a backup code).",
                );
            }
            Ok(false)
        }
        Challenge::AppEnrollment(enrollment) => {
            match input {
                CodeInput::Totp { secret, var }
                    if !totp_key::same_secret(secret, enrollment.secret()) =>
                {
                    return Err(CliError::usage(format!(
                        "the portal asks to enrol an authenticator, and the key in {var} is \
                         not the one it offers; run `docspace-auth login` in a terminal to \
                         see the key"
                    )));
                }
                CodeInput::Terminal if announce => show_enrollment(enrollment)?,
                CodeInput::Stdin if term::has_tty() => show_enrollment(enrollment)?,
                CodeInput::Stdin => term::info(
                    "This account must enrol an authenticator app first; the key can \
                     only be shown on a terminal.",
                ),
                _ => {}
            }
            Ok(false)
        }
        Challenge::Sms {
            phone_noise,
            expires,
        } => {
            if let CodeInput::Totp { var, .. } = input {
                return Err(CliError::usage(format!(
                    "this account gets its codes by SMS, so --totp-secret-env {var} cannot \
                     compute them; use --code-stdin or run in a terminal"
                )));
            }
            if !matches!(input, CodeInput::Unavailable) {
                term::info(&format!(
                    "Two-factor authentication: a code was sent by SMS to {}{}. Type r to get a \
                     new SMS.",
                    sanitize(phone_noise),
                    valid_until(*expires),
                ));
            }
            Ok(true)
        }
        // `second_factor` gives the number first: this is not reached.
        Challenge::SmsPhoneActivation { .. } => Err(CliError::new(
            Kind::Internal,
            "the phone activation was not done",
        )),
    }
}

/// The phone activation (docs/protocol.md §16): the number from `--phone`, else asked for on
/// the terminal; the portal sends a code to it and the challenge becomes an SMS challenge.
async fn activate_phone(
    pending: Auth<TfaPending>,
    phone: Option<&str>,
) -> Result<Auth<TfaPending>, CliError> {
    let number = match phone {
        Some(number) => number.to_owned(),
        None if term::has_tty() => {
            term::info(
                "This account gets its codes by SMS and has no phone yet: the portal will send a \
                 code to the number you give.",
            );
            term::visible_prompt("Mobile phone number (e.g. +1 555 123 4567): ").await?
        }
        None => {
            return Err(CliError::usage(
                "this account must activate a phone for SMS codes first, and there is no \
                 terminal to ask for the number; pass --phone NUMBER",
            ))
        }
    };
    pending
        .set_phone(&number)
        .await
        .map_err(|failed| CliError::from(failed.error()))
}

/// One line typed at the code prompt. `None` when there is nothing to confirm yet (an empty
/// line, a new SMS asked for, or not a code): ask again. At most 5 lines that are not codes.
async fn typed_code(
    pending: &Auth<TfaPending>,
    input: &CodeInput,
    is_sms: bool,
    invalid: &mut u32,
) -> Result<Option<Code>, CliError> {
    let prompt = if is_sms {
        "Code (or r for a new SMS): "
    } else {
        "Code: "
    };
    let Some(typed) = read_code(input, prompt).await? else {
        return Err(CliError::usage(
            "no code given (end of input); run the command again",
        ));
    };
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if is_sms && (typed.eq_ignore_ascii_case("r") || typed.eq_ignore_ascii_case("resend")) {
        match pending.resend_sms().await {
            Ok(sent) => term::info(&format!(
                "A new code was sent by SMS to {}{}.",
                sanitize(&sent.phone_noise),
                valid_until(sent.expires)
            )),
            Err(e) => term::info(&format!(
                "Could not send a new SMS: {}",
                CliError::from(e).message
            )),
        }
        return Ok(None);
    }
    match Code::parse(typed) {
        Ok(code) => Ok(Some(code)),
        Err(_) => {
            *invalid += 1;
            if *invalid >= 5 {
                return Err(CliError::usage(
                    "the code must be 6 digits (or a 6-character backup code)",
                ));
            }
            term::info(if is_sms {
                "That is not a code: type the 6 digits from the SMS, or r for a new SMS."
            } else {
                "That is not a code: type the 6 digits (or a 6-character backup code)."
            });
            Ok(None)
        }
    }
}

/// The current code for the key from the environment variable `var`.
pub fn totp_code(secret: &SecretString, var: &str) -> Result<Code, CliError> {
    totp_key::code_at(secret, totp_key::unix_now(), &format!("in {var}"))
}

async fn read_code(input: &CodeInput, prompt: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    match input {
        CodeInput::Stdin if term::stdin_is_tty() => term::stdin_secret_line(prompt).await,
        CodeInput::Stdin => {
            eprint!("{prompt}");
            let line = term::stdin_line().await?;
            eprintln!();
            Ok(line)
        }
        _ => {
            let secret = term::hidden_prompt(prompt.to_owned()).await?;
            Ok(Some(Zeroizing::new(secret.expose_secret().to_owned())))
        }
    }
}

/// Shows the enrolment key, the `otpauth://` URI and a QR code on the terminal only.
pub fn show_enrollment(enrollment: &Enrollment) -> Result<(), CliError> {
    let mut text = enrollment_text(enrollment);
    text.push_str("Then type the code the app shows.\n\n");
    term::tty_write(&text)
}

/// What to show for enrolment (contains the secret).
pub fn enrollment_text(enrollment: &Enrollment) -> Zeroizing<String> {
    let uri = enrollment.provisioning_uri();
    let mut text = Zeroizing::new(String::with_capacity(8192));
    text.push_str(
        "\nThis portal requires an authenticator app, and this account has none yet.\n\
         Scan this QR code with the app (Google Authenticator, Aegis, 1Password, ...):\n\n",
    );
    match crate::qr::render(uri.expose_secret()) {
        Some(qr) => text.push_str(&qr),
        None => text.push_str("(the QR code could not be drawn)\n"),
    }
    text.push_str("\nor add this key by hand: ");
    text.push_str(enrollment.secret().expose_secret());
    text.push_str("\notpauth URI: ");
    text.push_str(uri.expose_secret());
    text.push_str("\n\n");
    text
}

fn valid_until(expires: Option<SystemTime>) -> String {
    match expires {
        Some(t) => format!(" (valid until {})", rfc3339(t)),
        None => String::new(),
    }
}
