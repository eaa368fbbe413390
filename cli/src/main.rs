//! `docspace-auth`: log in to an ONLYOFFICE DocSpace portal from a shell (second factor
//! included), use and revoke the token, compute TOTP codes, and a demo on the embedded emulator.
//!
//! This file holds the top-level parser, the dispatch to the commands and the exit handling.
//! Each command's arguments live beside it: `login`, `session` (`me`, `logout`), `totp_cmd`,
//! `demo` (only with the `demo` feature, on by default: it embeds the emulator), `generate`
//! (`completions`, `man`).

#![forbid(unsafe_code)]

use std::io::Write;

use clap::{CommandFactory, Parser, Subcommand};
use tokio::signal::unix::{Signal, SignalKind};

#[macro_use]
mod error;
mod client;
#[cfg(feature = "demo")]
mod demo;
mod generate;
mod login;
mod output;
mod portal_cmd;
mod qr;
mod second_factor;
mod secrets;
mod session;
mod term;
mod token_text;
mod totp_cmd;
mod totp_key;

use error::CliError;

/// The top-level help's `demo` example, in builds that have the command.
#[cfg(feature = "demo")]
macro_rules! demo_example {
    () => {
        "    docspace-auth demo\n"
    };
}
#[cfg(not(feature = "demo"))]
macro_rules! demo_example {
    () => {
        ""
    };
}

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
        demo_example!(),
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
    Login(login::LoginArgs),
    Me(session::MeArgs),
    Logout(session::LogoutArgs),
    Portal(portal_cmd::PortalCmdArgs),
    Sessions(session::SessionsArgs),
    Totp(totp_cmd::TotpArgs),
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    Completions(generate::CompletionsArgs),
    Man(generate::ManArgs),
}

async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Login(args) => login::run(args).await,
        Command::Me(args) => session::me(args).await,
        Command::Logout(args) => session::logout(args).await,
        Command::Portal(args) => portal_cmd::run(args).await,
        Command::Sessions(args) => session::sessions(args).await,
        Command::Totp(args) => totp_cmd::run(args).await,
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(args).await,
        Command::Completions(args) => generate::completions(args, Cli::command()),
        Command::Man(args) => generate::man(args, Cli::command()),
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
