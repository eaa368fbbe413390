//! `docspace-auth totp`: the current code for a secret from the environment or stdin.

use std::io::Write;

use docspace_auth::secrecy::SecretString;
use docspace_auth::{totp, Error};

use crate::error::CliError;
use crate::{term, TotpArgs};

/// The variable read when neither `--secret-env` nor `--secret-stdin` is given.
pub const DEFAULT_SECRET_VAR: &str = "DOCSPACE_TOTP_SECRET";

pub async fn run(args: TotpArgs) -> Result<(), CliError> {
    let (secret, origin) = secret(&args).await?;
    let now = totp::unix_now();
    let code = totp::at(&secret, now).map_err(|e| match e {
        Error::InvalidSecret => CliError::usage(format!(
            "the TOTP secret from {origin} is not valid Base32; copy the key exactly as the \
             portal showed it"
        )),
        other => other.into(),
    })?;
    let remaining = totp::seconds_remaining(now);
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let value = serde_json::json!({ "code": code.expose(), "secondsRemaining": remaining });
        writeln!(out, "{value}")
    } else {
        writeln!(out, "{}", code.expose())
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write to stdout: {e}")))?;
    if !args.json {
        term::info(&format!("valid for {remaining} more second(s)"));
    }
    Ok(())
}

async fn secret(args: &TotpArgs) -> Result<(SecretString, String), CliError> {
    if args.secret_stdin {
        return Ok((from_stdin().await?, "stdin".to_owned()));
    }
    if let Some(var) = &args.secret_env {
        return Ok((
            crate::login::secret_from_env(var, "--secret-env")?,
            var.clone(),
        ));
    }
    if std::env::var_os(DEFAULT_SECRET_VAR).is_some_and(|v| !v.is_empty()) {
        return Ok((
            crate::login::secret_from_env(DEFAULT_SECRET_VAR, "the default")?,
            DEFAULT_SECRET_VAR.to_owned(),
        ));
    }
    if !term::stdin_is_tty() {
        return Ok((from_stdin().await?, "stdin".to_owned()));
    }
    let typed = term::hidden_prompt("TOTP secret (Base32, input hidden): ".to_owned()).await?;
    Ok((typed, "the prompt".to_owned()))
}

async fn from_stdin() -> Result<SecretString, CliError> {
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
