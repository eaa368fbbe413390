//! `docspace-auth totp`: its arguments, and the current code for a key from the environment or
//! stdin.

use clap::Args;
use docspace_auth::totp;
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::output::print_line;
use crate::{secrets, term, totp_key};

/// Print the current TOTP code for a Base32 key (from an environment variable or stdin).
#[derive(Args)]
#[command(after_help = concat!(
    "The code goes to stdout, the seconds it stays valid to stderr (both to stdout with --json).\n",
    "The key is read from --secret-env VAR, else --secret-stdin, else DOCSPACE_TOTP_SECRET, else\n",
    "stdin when it is not a terminal, else a hidden prompt.\n\n",
    "Examples:\n",
    "    DOCSPACE_TOTP_SECRET=JBSWY3DPEHPK3PXP docspace-auth totp\n",
    "    docspace-auth totp --secret-env MY_TOTP_KEY --json\n",
    "    pass show docspace/totp | docspace-auth totp --secret-stdin\n",
    "\n",
    exit_codes_help!()
))]
pub struct TotpArgs {
    /// Read the Base32 key from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "secret_stdin")]
    pub secret_env: Option<String>,
    /// Read the Base32 key from stdin.
    #[arg(long)]
    pub secret_stdin: bool,
    /// Print {"code", "secondsRemaining"} as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: TotpArgs) -> Result<(), CliError> {
    let (secret, origin) = secrets::totp_key(args.secret_env.as_deref(), args.secret_stdin).await?;
    let now = totp_key::unix_now();
    let code = totp_key::code_at(&secret, now, &format!("from {origin}"))?;
    let remaining = totp::seconds_remaining(now);
    let text = Zeroizing::new(if args.json {
        serde_json::json!({ "code": code.expose(), "secondsRemaining": remaining }).to_string()
    } else {
        code.expose().to_owned()
    });
    print_line(&text, "to stdout")?;
    if !args.json {
        term::info(&format!("valid for {remaining} more second(s)"));
    }
    Ok(())
}
