//! `docspace-auth me` and `docspace-auth logout`: a stored token.

use std::io::Write;

use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Authenticated};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::login::{builder, env_value};
use crate::{term, TokenArgs};

/// The session for the token from `--token-file` or `DOCSPACE_TOKEN`.
async fn session(args: &TokenArgs) -> Result<Auth<Authenticated>, CliError> {
    let builder = builder(&args.portal)?;
    let token = token(args).await?;
    Ok(builder.resume(token)?)
}

async fn token(args: &TokenArgs) -> Result<SecretString, CliError> {
    let (text, origin) = match &args.token_file {
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
            let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read the --token-file {}: {e}",
                    path.display()
                ))
            })?);
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
    let trimmed = text.trim();
    // `login --json --output FILE` writes JSON: take its "token".
    let token = if trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(trimmed)
            .map_err(|_| CliError::usage(format!("the token in {origin} is not valid JSON")))?;
        let token = value
            .get("token")
            .and_then(|t| t.as_str())
            .ok_or_else(|| CliError::usage(format!("the JSON in {origin} has no \"token\"")))?;
        Zeroizing::new(token.to_owned())
    } else {
        Zeroizing::new(trimmed.to_owned())
    };
    if token.is_empty() {
        return Err(CliError::usage(format!("the token in {origin} is empty")));
    }
    Ok(SecretString::from(token.as_str()))
}

pub async fn me(args: TokenArgs, json: bool) -> Result<(), CliError> {
    let session = session(&args).await?;
    let me = session.me().await?;
    let text = if json {
        serde_json::json!({
            "id": me.id,
            "name": me.display_name,
            "email": me.email,
            "firstName": me.first_name,
            "lastName": me.last_name,
        })
        .to_string()
    } else {
        format!(
            "id:    {}\nname:  {}\nemail: {}",
            crate::error::sanitize(&me.id),
            crate::error::sanitize(&me.display_name),
            crate::error::sanitize(&me.email)
        )
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write to stdout: {e}")))
}

pub async fn logout(args: TokenArgs) -> Result<(), CliError> {
    let session = session(&args).await?;
    // Nothing to revoke if the server no longer accepts it: say so (exit 10).
    if !session.is_valid().await? {
        return Err(docspace_auth::Error::Unauthorized.into());
    }
    session.logout().await?;
    term::info("Logged out: the portal revoked the token.");
    if let Some(path) = args.token_file.as_ref().filter(|p| p.as_os_str() != "-") {
        term::info(&format!(
            "{} still holds the revoked token; delete it if you like.",
            path.display()
        ));
    }
    Ok(())
}
