//! `docspace-auth`: log in to an ONLYOFFICE DocSpace portal from a shell (second factor
//! included), use and revoke the token, compute TOTP codes, and a demo on the embedded emulator.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tokio::signal::unix::{Signal, SignalKind};

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
    5    locked out or forbidden (too many failed logins, user disabled, phone activation needed)
    6    rate limited (HTTP 429)
    7    network error (cannot connect, DNS, timeout, connection dropped)
    8    TLS error (untrusted or invalid certificate, handshake failed)
    9    server error or unexpected response (HTTP 5xx, not a DocSpace answer)
    10   token not valid (expired, revoked or mistyped): log in again
    130  interrupted (Ctrl-C)
    143  terminated (SIGTERM, e.g. from kill or timeout)"
    };
}

mod demo;
mod error;
mod login;
mod qr;
mod session;
mod term;
mod totp_cmd;

use error::CliError;

#[derive(Parser)]
#[command(
    name = "docspace-auth",
    version,
    about = "Log in to an ONLYOFFICE DocSpace portal from a shell, second factor included",
    long_about = "Log in to an ONLYOFFICE DocSpace portal from a shell, second factor included.\n\n\
Secrets never go on the command line: the password comes from a hidden prompt, DOCSPACE_PASSWORD \
or stdin; codes from a prompt, stdin or a TOTP key in an environment variable; the token from \
DOCSPACE_TOKEN or a file. Nothing secret is printed except the token where asked for.",
    after_help = concat!(
        "Examples:\n",
        "    docspace-auth demo\n",
        "    docspace-auth login --portal https://portal.example.com --user me@example.com\n",
        "    DOCSPACE_TOKEN=$(docspace-auth login --portal https://portal.example.com --user me@example.com)\n",
        "    docspace-auth me --portal https://portal.example.com\n",
        "    docspace-auth logout --portal https://portal.example.com\n",
        "\n",
        exit_codes_help!()
    )
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in and print the session token (password and code asked for when needed).
    #[command(after_help = concat!(
        "Examples:\n",
        "  Interactive (hidden password prompt; then the code from your authenticator, a QR code to\n",
        "  enrol one if the portal requires it, or an SMS code; type r at the SMS prompt for a new SMS):\n",
        "    docspace-auth login --portal https://portal.example.com --user me@example.com\n",
        "  Keep the token in a private file (mode 0600), with expiry and user as JSON:\n",
        "    docspace-auth login --portal https://portal.example.com --user me@example.com --json --output token.json\n",
        "  Scripts, authenticator app (the Base32 key in an environment variable):\n",
        "    export DOCSPACE_PASSWORD=... MY_TOTP_KEY=...\n",
        "    docspace-auth login --portal https://portal.example.com --user bot@example.com --totp-secret-env MY_TOTP_KEY\n",
        "  Scripts, password and code as lines on stdin:\n",
        "    printf '%s\\n%s\\n' \"$PASSWORD\" \"$CODE\" | docspace-auth login --portal URL --user me@example.com --password-stdin --code-stdin\n",
        "\n",
        exit_codes_help!()
    ))]
    Login(LoginArgs),
    /// Show who the token belongs to (token from DOCSPACE_TOKEN or --token-file).
    #[command(after_help = concat!(
        "Examples:\n",
        "    DOCSPACE_TOKEN=$(docspace-auth login --portal https://portal.example.com --user me@example.com)\n",
        "    docspace-auth me --portal https://portal.example.com\n",
        "    docspace-auth me --portal https://portal.example.com --token-file token.json --json\n",
        "\n",
        exit_codes_help!()
    ))]
    Me {
        #[command(flatten)]
        token: TokenArgs,
        /// Print the user as JSON: {"id", "name", "email", "firstName", "lastName"}.
        #[arg(long)]
        json: bool,
    },
    /// Log out: the portal revokes the token (from DOCSPACE_TOKEN or --token-file).
    #[command(after_help = concat!(
        "Examples:\n",
        "    docspace-auth logout --portal https://portal.example.com --token-file token.json\n",
        "    DOCSPACE_TOKEN=... docspace-auth logout --portal https://portal.example.com\n",
        "\n",
        exit_codes_help!()
    ))]
    Logout {
        #[command(flatten)]
        token: TokenArgs,
    },
    /// Print the current TOTP code for a Base32 key (from an environment variable or stdin).
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
    Totp(TotpArgs),
    /// Walk the whole login on an embedded emulator: enrolment QR code, code, token, me, logout.
    #[command(after_help = concat!(
        "Starts an emulated DocSpace portal inside this process (on http://127.0.0.1, random port) with\n",
        "a demo user whose portal requires enrolling an authenticator app, and shows each state as it\n",
        "happens. The demo user's key and QR code are printed: they belong to the emulator's throwaway\n",
        "user, and showing them is the point of enrolment. The token is shown shortened.\n",
        "Without --interactive (and always when stdin is not a terminal) the demo computes the code itself.\n\n",
        "Examples:\n",
        "    docspace-auth demo\n",
        "    docspace-auth demo --interactive     # scan the QR code with a real authenticator app\n",
        "    cargo run -p docspace-auth-cli -- demo\n",
        "\n",
        exit_codes_help!()
    ))]
    Demo(DemoArgs),
}

/// Where the portal is and how to reach it.
#[derive(Args)]
pub struct PortalArgs {
    /// The portal's address, e.g. https://portal.example.com (plain http:// only for loopback).
    #[arg(long, env = "DOCSPACE_PORTAL", value_name = "URL")]
    pub portal: String,
    /// Also trust this CA certificate (PEM file), for a portal with a private CA.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Give up on a request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// The account's e-mail.
    #[arg(long, env = "DOCSPACE_USER", value_name = "EMAIL")]
    pub user: String,
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
    /// Print JSON: {"token", "expires" (RFC 3339 or null), "user": {"id", "name", "email"}}.
    #[arg(long)]
    pub json: bool,
    /// Write the token (or the JSON) to this file, created with mode 0600, instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// Read the token from this file (as `login --output` writes it, plain or JSON; - for stdin)
    /// instead of DOCSPACE_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

#[derive(Args)]
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

#[derive(Args)]
pub struct DemoArgs {
    /// Ask for the code (from a real authenticator app that scanned the QR code) instead of
    /// computing it.
    #[arg(long)]
    pub interactive: bool,
    /// Run the embedded portal over HTTPS with a freshly generated CA.
    #[arg(long)]
    pub tls: bool,
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Login(args) => login::run(args).await,
        Command::Me { token, json } => session::me(token, json).await,
        Command::Logout { token } => session::logout(token).await,
        Command::Totp(args) => totp_cmd::run(args).await,
        Command::Demo(args) => demo::run(args).await,
    }
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => exit(Err(CliError::new(
            error::Kind::Internal,
            format!("cannot start the async runtime: {e}"),
        ))),
    };
    let result = runtime.block_on(async {
        // Installed before anything else runs, so Ctrl-C never kills the process mid-prompt
        // with the terminal's echo off: it ends here, cleanly, with exit code 130.
        let mut interrupt = handle(SignalKind::interrupt(), "Ctrl-C")?;
        // SIGTERM (kill, timeout) too: a hidden prompt's terminal settings are put back.
        let mut terminate = handle(SignalKind::terminate(), "SIGTERM")?;
        tokio::select! {
            result = run(cli) => result,
            _ = interrupt.recv() => Err(CliError::interrupted()),
            _ = terminate.recv() => Err(CliError::new(error::Kind::Terminated, "terminated")),
        }
    });
    exit(result)
}

/// Catches the signal `kind` (named `name` in the error), so that it ends the run, not the process.
fn handle(kind: SignalKind, name: &str) -> Result<Signal, CliError> {
    tokio::signal::unix::signal(kind)
        .map_err(|e| CliError::new(error::Kind::Internal, format!("cannot handle {name}: {e}")))
}

/// Ends the process: the error (one line) on stderr, and its exit code. The runtime is not
/// dropped, so a blocking read of stdin or the terminal cannot hold the exit up.
fn exit(result: Result<(), CliError>) -> ! {
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            term::restore_terminal();
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "error: {}", e.message);
            let _ = err.flush();
            e.kind.exit_code()
        }
    };
    let _ = std::io::stdout().flush();
    std::process::exit(i32::from(code))
}
