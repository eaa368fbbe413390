//! Where the secrets come from: the password, the token and a TOTP key, from environment
//! variables, stdin, files or a hidden prompt. Never from the command line.

use std::path::Path;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::term;
use crate::token_text::{token_from_text, TokenText, TokenTextError};

/// The variable `totp` reads when neither `--secret-env` nor `--secret-stdin` is given.
pub const DEFAULT_TOTP_SECRET_VAR: &str = "DOCSPACE_TOTP_SECRET";

/// The environment variable `var`, `None` when it is not set or empty; `not_utf8` when its
/// value is not UTF-8.
pub fn env_value(
    var: &str,
    not_utf8: impl FnOnce() -> CliError,
) -> Result<Option<String>, CliError> {
    match std::env::var_os(var) {
        Some(value) if !value.is_empty() => value.into_string().map(Some).map_err(|_| not_utf8()),
        _ => Ok(None),
    }
}

/// Reads a TOTP secret from the environment variable `var` (named by the option `option`).
pub fn secret_from_env(var: &str, option: &str) -> Result<SecretString, CliError> {
    let value = env_value(var, || {
        CliError::usage(format!("the environment variable {var} is not UTF-8"))
    })?;
    value.map(SecretString::from).ok_or_else(|| {
        CliError::usage(format!(
            "the environment variable {var} (named by {option}) is not set or empty; export \
             the authenticator key in it"
        ))
    })
}

/// `user`'s password: the first line of stdin (`--password-stdin`), else DOCSPACE_PASSWORD,
/// else a hidden prompt on the terminal.
pub async fn password(user: &str, from_stdin: bool) -> Result<SecretString, CliError> {
    if from_stdin {
        let prompt = format!("Password for {user}: ");
        return match term::stdin_secret_line(&prompt).await? {
            Some(line) if !line.is_empty() => Ok(SecretString::from(line.as_str())),
            _ => Err(CliError::usage(
                "--password-stdin: expected the password on the first line of stdin",
            )),
        };
    }
    if let Some(password) = env_value("DOCSPACE_PASSWORD", || {
        CliError::usage("DOCSPACE_PASSWORD is not valid UTF-8")
    })? {
        return Ok(SecretString::from(password));
    }
    if !term::has_tty() {
        return Err(CliError::usage(
            "no password given and no terminal to ask for it; set DOCSPACE_PASSWORD or pass \
             --password-stdin",
        ));
    }
    let password = term::hidden_prompt(format!("Password for {user}: ")).await?;
    if password.expose_secret().is_empty() {
        return Err(CliError::usage("empty password; run the command again"));
    }
    Ok(password)
}

/// The token from `file` (as `login --output` writes it, plain or JSON; `-` for stdin), else
/// from DOCSPACE_TOKEN; with the portal the JSON form records, and where it came from (for
/// messages: the file's path, `stdin` or `DOCSPACE_TOKEN`).
pub async fn token(file: Option<&Path>) -> Result<(TokenText, String), CliError> {
    let (text, origin) = match file {
        Some(path) if path.as_os_str() == "-" => {
            let text = if term::stdin_is_tty() && term::has_tty() {
                // Typed at a terminal: hidden, one line.
                term::stdin_secret_line("Token (input hidden): ")
                    .await?
                    .unwrap_or_default()
            } else {
                term::stdin_all().await?
            };
            (text, "stdin".to_owned())
        }
        Some(path) => {
            let bytes = read_capped(path)?;
            let text = std::str::from_utf8(&bytes)
                .map(|s| Zeroizing::new(s.to_owned()))
                .map_err(|_| {
                    CliError::usage(format!("the --token-file {} is not text", path.display()))
                })?;
            (text, path.display().to_string())
        }
        None => {
            let value = env_value("DOCSPACE_TOKEN", || {
                CliError::usage("DOCSPACE_TOKEN is not valid UTF-8")
            })?
            .ok_or_else(|| {
                CliError::usage(
                    "no token: set DOCSPACE_TOKEN or pass --token-file FILE (as written by \
                     `docspace-auth login --output FILE`)",
                )
            })?;
            (Zeroizing::new(value), "DOCSPACE_TOKEN".to_owned())
        }
    };
    match token_from_text(&text) {
        Ok(read) => Ok((read, origin)),
        Err(e) => Err(CliError::usage(match e {
            TokenTextError::NotJson => format!("the token in {origin} is not valid JSON"),
            TokenTextError::NoToken => format!("the JSON in {origin} has no \"token\""),
            TokenTextError::Empty => format!("the token in {origin} is empty"),
        })),
    }
}

/// A TOTP key and where it came from (for errors): the variable `env` (`--secret-env`), else
/// stdin (`--secret-stdin`), else [`DEFAULT_TOTP_SECRET_VAR`], else stdin when it is not a
/// terminal, else a hidden prompt.
pub async fn totp_key(
    env: Option<&str>,
    from_stdin: bool,
) -> Result<(SecretString, String), CliError> {
    if from_stdin {
        return Ok((totp_key_from_stdin().await?, "stdin".to_owned()));
    }
    if let Some(var) = env {
        return Ok((secret_from_env(var, "--secret-env")?, var.to_owned()));
    }
    if std::env::var_os(DEFAULT_TOTP_SECRET_VAR).is_some_and(|v| !v.is_empty()) {
        return Ok((
            secret_from_env(DEFAULT_TOTP_SECRET_VAR, "the default")?,
            DEFAULT_TOTP_SECRET_VAR.to_owned(),
        ));
    }
    if !term::stdin_is_tty() {
        return Ok((totp_key_from_stdin().await?, "stdin".to_owned()));
    }
    let typed = term::hidden_prompt("TOTP secret (Base32, input hidden): ".to_owned()).await?;
    Ok((typed, "the prompt".to_owned()))
}

async fn totp_key_from_stdin() -> Result<SecretString, CliError> {
    if term::stdin_is_tty() && term::has_tty() {
        let typed = term::stdin_secret_line("TOTP secret (Base32, input hidden): ").await?;
        let typed = typed.as_ref().map(|t| t.trim()).unwrap_or("");
        if typed.is_empty() {
            return Err(CliError::usage(
                "no TOTP secret typed; run the command again",
            ));
        }
        return Ok(SecretString::from(typed));
    }
    let text = term::stdin_all().await?;
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(CliError::usage(
            "no TOTP secret on stdin; pipe the Base32 key in, or use --secret-env VAR",
        ));
    }
    Ok(SecretString::from(line))
}

/// A --token-file's bytes, at most [`term::SECRET_INPUT_CAP`] of them: a device or a huge
/// file (`/dev/zero`) is refused instead of read forever.
fn read_capped(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    use std::io::Read;
    let fail = |e: std::io::Error| {
        CliError::usage(format!(
            "cannot read the --token-file {}: {e}",
            path.display()
        ))
    };
    let mut bytes = Zeroizing::new(Vec::with_capacity(4096));
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(term::SECRET_INPUT_CAP + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(fail)?;
    if bytes.len() as u64 > term::SECRET_INPUT_CAP {
        return Err(CliError::usage(format!(
            "the --token-file {} is larger than {} KiB: not a token file",
            path.display(),
            term::SECRET_INPUT_CAP / 1024
        )));
    }
    Ok(bytes)
}
