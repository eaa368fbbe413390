//! `docspace-auth me` and `docspace-auth logout`: their arguments, and what they do with a
//! stored token.

use std::path::PathBuf;

use clap::Args;
use docspace_auth::{Auth, Authenticated, Error};

use crate::client::{builder, ConnectionArgs};
use crate::error::{sanitize, CliError};
use crate::output::{print_line, rfc3339};
use crate::{secrets, term};

/// The portal and where the token comes from.
#[derive(Args)]
pub struct TokenArgs {
    /// The portal's address (plain http:// only for loopback); by default the "portal" that
    /// `login --json` recorded with the token (if both are given, they must be the same).
    #[arg(long, env = "DOCSPACE_PORTAL", value_name = "URL")]
    pub portal: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
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
    "    docspace-auth me --token-file token.json --json   # the portal recorded by login --json\n",
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
    "    docspace-auth logout --token-file token.json     # the portal recorded by login --json\n",
    "    DOCSPACE_TOKEN=... docspace-auth logout --portal https://portal.example.com\n",
    "\n",
    exit_codes_help!()
))]
pub struct LogoutArgs {
    #[command(flatten)]
    pub token: TokenArgs,
}

/// List the token's user's active sessions, or end some of them (token from DOCSPACE_TOKEN or
/// --token-file).
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    docspace-auth sessions --token-file token.json          # list; * marks this one\n",
    "    docspace-auth sessions --token-file token.json --end 4702\n",
    "    docspace-auth sessions --token-file token.json --end-others\n",
    "\n",
    exit_codes_help!()
))]
pub struct SessionsArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// End the session with this id (another one: `logout` ends this one).
    #[arg(long, value_name = "ID", conflicts_with = "end_others")]
    pub end: Option<i64>,
    /// End every other session of the user; this one stays valid.
    #[arg(long)]
    pub end_others: bool,
    /// Print the list as JSON: [{"id", "current", "ip", "browser", "platform", "country",
    /// "city", "date" (RFC 3339 or null), "page"}].
    #[arg(long)]
    pub json: bool,
}

/// The session for the token from `--token-file` or `DOCSPACE_TOKEN`, on the portal of
/// `--portal` (or DOCSPACE_PORTAL), else the one the token's JSON records. When both name a
/// portal they must agree: the token is never sent to a portal other than the one that issued it.
async fn session(args: &TokenArgs) -> Result<Auth<Authenticated>, CliError> {
    // A given portal (and the CA file) is checked before the token is read.
    let given = match &args.portal {
        Some(portal) => Some(builder(portal, &args.connection)?),
        None => None,
    };
    let (read, origin) = secrets::token(args.token_file.as_deref()).await?;
    let Some(recorded) = read.portal else {
        let given = given.ok_or_else(|| {
            CliError::usage(format!(
                "no portal: pass --portal URL or set DOCSPACE_PORTAL ({origin} does not record \
                 one; the JSON of `docspace-auth login --json` does)"
            ))
        })?;
        return Ok(given.resume(read.token)?);
    };
    let session = builder(&recorded, &args.connection)?
        .resume(read.token)
        .map_err(|e| match e {
            Error::InvalidUrl | Error::InsecureUrl => CliError::usage(format!(
                "the \"portal\" in {origin} is not a valid https:// address (plain http:// only \
                 for loopback); pass --portal URL"
            )),
            e => e.into(),
        })?;
    if let Some(given) = given {
        let given = given.build()?;
        if given.portal_url() != session.portal_url() {
            return Err(CliError::usage(format!(
                "--portal (or DOCSPACE_PORTAL) is {}, but the token in {origin} is for {}; \
                 leave --portal out (and DOCSPACE_PORTAL unset) to use the recorded one",
                sanitize(given.portal_url()),
                sanitize(session.portal_url())
            )));
        }
    }
    Ok(session)
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

pub async fn sessions(args: SessionsArgs) -> Result<(), CliError> {
    let session = session(&args.token).await?;
    if let Some(id) = args.end {
        return if session.end_session(id).await? {
            term::info(&format!("Ended session {id}: its token no longer works."));
            Ok(())
        } else {
            Err(CliError::usage(format!(
                "there is no active session {id} of this user; list them with `docspace-auth sessions`"
            )))
        };
    }
    if args.end_others {
        session.end_other_sessions().await?;
        term::info("Ended every other session of this user; this one stays valid.");
        return Ok(());
    }
    let list = session.sessions().await?;
    let text = if args.json {
        serde_json::Value::Array(
            list.iter()
                .map(|s| {
                    serde_json::json!({
                        "id": s.id,
                        "current": s.current,
                        "ip": s.ip,
                        "browser": s.browser,
                        "platform": s.platform,
                        "country": s.country,
                        "city": s.city,
                        "date": s.date.map(rfc3339),
                        "page": s.page,
                    })
                })
                .collect(),
        )
        .to_string()
    } else {
        let mut lines =
            vec!["  ID          LOGGED IN                 IP               CLIENT".to_owned()];
        for s in &list {
            let client = [s.browser.as_deref(), s.platform.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" on ");
            lines.push(format!(
                "{} {:<11} {:<25} {:<16} {}",
                if s.current { "*" } else { " " },
                s.id,
                s.date.map(rfc3339).unwrap_or_default(),
                sanitize(&s.ip),
                sanitize(&client)
            ));
        }
        if list.is_empty() {
            lines.push("(no sessions listed)".to_owned());
        }
        lines.join("\n")
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
    let logged_out = session.logout().await?;
    term::info("Logged out: the portal revoked the token.");
    if let Some(url) = logged_out.sso_logout_url {
        term::info(&format!(
            "To sign out of the single sign-on too, open {} in the browser you signed in with.",
            sanitize(&url)
        ));
    }
    if let Some(path) = args.token_file.as_ref().filter(|p| p.as_os_str() != "-") {
        term::info(&format!(
            "{} still holds the revoked token; delete it if you like.",
            path.display()
        ));
    }
    Ok(())
}
