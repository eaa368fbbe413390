//! `docspace-auth login`: its arguments, the login, and the delivery of the token.

use std::path::PathBuf;

use clap::Args;
use docspace_auth::secrecy::ExposeSecret;
use docspace_auth::{Auth, Authenticated, LoginOutcome, Unauthenticated};
use zeroize::Zeroizing;

use crate::client::{builder, PortalArgs};
use crate::error::{sanitize, CliError, Kind};
use crate::output::{check_output_dir, print_line, rfc3339, write_private};
use crate::second_factor::{second_factor, totp_code, CodeInput};
use crate::{secrets, term};

/// Log in and print the session token (password and code asked for when needed).
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "  Interactive (hidden password prompt; then the code from your authenticator, a QR code to\n",
    "  enrol one if the portal requires it, or an SMS code; type r at the SMS prompt for a new SMS):\n",
    "    docspace-auth login --portal https://portal.example.com --user me@example.com\n",
    "  Keep the token in a private file (mode 0600), with portal, expiry and user as JSON:\n",
    "    docspace-auth login --portal https://portal.example.com --user me@example.com --json --output token.json\n",
    "  Scripts, authenticator app (the Base32 key in an environment variable):\n",
    "    export DOCSPACE_PASSWORD=... MY_TOTP_KEY=...\n",
    "    docspace-auth login --portal https://portal.example.com --user bot@example.com --totp-secret-env MY_TOTP_KEY\n",
    "  Scripts, password and code as lines on stdin:\n",
    "    printf '%s\\n%s\\n' \"$PASSWORD\" \"$CODE\" | docspace-auth login --portal URL --user me@example.com --password-stdin --code-stdin\n",
    "\n",
    exit_codes_help!()
))]
pub struct LoginArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// The account's e-mail.
    #[arg(
        long,
        env = "DOCSPACE_USER",
        value_name = "EMAIL",
        required_unless_present = "sso"
    )]
    pub user: Option<String>,
    /// Log in with the portal's single sign-on: prints the address to open in a browser, then
    /// reads the address the browser ends on (pasted at a hidden prompt, or a line of stdin).
    #[arg(long, conflicts_with_all = ["password_stdin", "totp_secret_env", "code_stdin", "hash_password"])]
    pub sso: bool,
    /// Send the password's hash (PBKDF2, as the portal's web page does) instead of the password
    /// itself; not for LDAP accounts.
    #[arg(long)]
    pub hash_password: bool,
    /// The mobile phone to activate when the portal asks for one (SMS codes; asked for on the
    /// terminal otherwise).
    #[arg(long, value_name = "NUMBER")]
    pub phone: Option<String>,
    /// Read the password from the first line of stdin (instead of DOCSPACE_PASSWORD or the prompt).
    #[arg(long)]
    pub password_stdin: bool,
    /// Compute authenticator codes from the Base32 key in this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "code_stdin")]
    pub totp_secret_env: Option<String>,
    /// Read second-factor codes from stdin, one per line (after the password with --password-stdin;
    /// a line `r` asks for a new SMS).
    #[arg(long)]
    pub code_stdin: bool,
    /// How many rejected codes before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_attempts: u32,
    /// Print JSON: {"token", "portal" (normalized), "expires" (RFC 3339 or null),
    /// "user": {"id", "name", "email"}}; `me` and `logout` take the portal from it.
    #[arg(long)]
    pub json: bool,
    /// Write the token (or the JSON) to this file, created with mode 0600, instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub async fn run(args: LoginArgs) -> Result<(), CliError> {
    // Everything local is checked before the password is asked for or anything is sent.
    let auth = builder(&args.portal.portal, &args.portal.connection)?
        .hash_password(args.hash_password)
        .build()?;
    if let Some(path) = &args.output {
        check_output_dir(path)?;
    }
    let session = match &args.user {
        Some(user) if !args.sso => password_login(auth, user, &args).await?,
        _ => sso_login(auth).await?,
    };

    // From here on a session exists on the portal: if the token cannot be delivered, it is
    // logged out rather than left alive where nobody can use or revoke it.
    match deliver(&session, &args).await {
        Ok(()) => Ok(()),
        Err(mut e) => {
            e.message = match session.logout().await {
                Ok(_) => format!("{}; the new session was logged out", e.message),
                Err(_) => format!(
                    "{}; the new session could not be logged out (it expires on its own)",
                    e.message
                ),
            };
            Err(e)
        }
    }
}

/// The password login, and the second factor if the portal asks for one.
async fn password_login(
    auth: Auth<Unauthenticated>,
    user: &str,
    args: &LoginArgs,
) -> Result<Auth<Authenticated>, CliError> {
    let input = match &args.totp_secret_env {
        Some(var) => {
            let secret = secrets::secret_from_env(var, "--totp-secret-env")?;
            // A key that is not Base32 is found now, before the password is sent.
            totp_code(&secret, var)?;
            CodeInput::Totp {
                secret,
                var: var.clone(),
            }
        }
        None if args.code_stdin => CodeInput::Stdin,
        None if term::has_tty() => CodeInput::Terminal,
        None => CodeInput::Unavailable,
    };
    let password = secrets::password(user, args.password_stdin).await?;
    Ok(match auth.login(user, password).await? {
        LoginOutcome::Authenticated(session) => session,
        LoginOutcome::TfaRequired(pending) => {
            let attempts = args.max_attempts.max(1);
            second_factor(pending, &input, attempts, true, args.phone.as_deref()).await?
        }
    })
}

/// The single sign-on (docs/protocol.md §13): the portal's SSO address to open in a browser,
/// then the address the browser ends on, pasted back (it holds the token: read hidden).
async fn sso_login(auth: Auth<Unauthenticated>) -> Result<Auth<Authenticated>, CliError> {
    let portal = auth.portal_info().await?;
    let sso = portal
        .sso
        .ok_or_else(|| CliError::new(Kind::Sso, "this portal does not offer single sign-on"))?;
    term::info(&format!(
        "Open this address in a browser and sign in ({}):\n  {}\nWhen the browser ends on the \
         portal (an address with ?token=… or /login/error…), copy that address and paste it here.",
        sanitize(&sso.label),
        sanitize(&sso.url)
    ));
    let line = term::stdin_secret_line("Address the browser ended on: ")
        .await?
        .ok_or_else(|| CliError::usage("no address was given (end of input)"))?;
    auth.complete_sso(line.trim()).map_err(|e| match e {
        docspace_auth::Error::InvalidUrl => CliError::usage(
            "that is not where the portal's single sign-on ends (the portal's address with \
             ?token=… or /login/error…); sign in again and copy the final address",
        ),
        e => e.into(),
    })
}

/// Prints the token (or the JSON) or writes it to the --output file.
async fn deliver(session: &Auth<Authenticated>, args: &LoginArgs) -> Result<(), CliError> {
    let text = if args.json {
        let me = session.me().await?;
        let value = serde_json::json!({
            "token": session.token().expose_secret(),
            "portal": session.portal_url(),
            "expires": session.expires().map(rfc3339),
            "user": { "id": me.id, "name": me.display_name, "email": me.email },
        });
        Zeroizing::new(value.to_string())
    } else {
        Zeroizing::new(session.token().expose_secret().to_owned())
    };
    match &args.output {
        Some(path) => {
            write_private(path, &text)?;
            term::info(&format!("Logged in; token written to {}", path.display()));
        }
        None => print_line(&text, "the token to stdout")?,
    }
    Ok(())
}
