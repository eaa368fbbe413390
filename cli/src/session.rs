//! `docspace-auth me` and `docspace-auth logout`: their arguments, and what they do with a
//! stored token.

use std::path::PathBuf;

use clap::Args;
use docspace_auth::{Auth, Authenticated};

use crate::client::{builder, PortalArgs};
use crate::error::{sanitize, CliError};
use crate::output::print_line;
use crate::{secrets, term};

/// The portal and where the token comes from.
#[derive(Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// Read the token from this file (as `login --output` writes it, plain or JSON; - for stdin)
    /// instead of DOCSPACE_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// Show who the token belongs to (token from DOCSPACE_TOKEN or --token-file).
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    DOCSPACE_TOKEN=$(docspace-auth login --portal https://portal.example.com --user me@example.com)\n",
    "    docspace-auth me --portal https://portal.example.com\n",
    "    docspace-auth me --portal https://portal.example.com --token-file token.json --json\n",
    "\n",
    exit_codes_help!()
))]
pub struct MeArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Print the user as JSON: {"id", "name", "email", "firstName", "lastName"}.
    #[arg(long)]
    pub json: bool,
}

/// Log out: the portal revokes the token (from DOCSPACE_TOKEN or --token-file).
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    docspace-auth logout --portal https://portal.example.com --token-file token.json\n",
    "    DOCSPACE_TOKEN=... docspace-auth logout --portal https://portal.example.com\n",
    "\n",
    exit_codes_help!()
))]
pub struct LogoutArgs {
    #[command(flatten)]
    pub token: TokenArgs,
}

/// The session for the token from `--token-file` or `DOCSPACE_TOKEN`.
async fn session(args: &TokenArgs) -> Result<Auth<Authenticated>, CliError> {
    let builder = builder(&args.portal)?;
    let token = secrets::token(args.token_file.as_deref()).await?;
    Ok(builder.resume(token)?)
}

pub async fn me(args: MeArgs) -> Result<(), CliError> {
    let session = session(&args.token).await?;
    let me = session.me().await?;
    let text = if args.json {
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
            sanitize(&me.id),
            sanitize(&me.display_name),
            sanitize(&me.email)
        )
    };
    print_line(&text, "to stdout")
}

pub async fn logout(args: LogoutArgs) -> Result<(), CliError> {
    let args = args.token;
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
