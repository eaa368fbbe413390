//! `docspace-emulator --listen 127.0.0.1:0 --users FILE [--tls]`

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use docspace_emulator::{Emulator, EmulatorConfig};

/// A local ONLYOFFICE DocSpace portal (authentication and 2FA) for tests and demos.
#[derive(Parser)]
#[command(name = "docspace-emulator", version)]
struct Args {
    /// Address to listen on (port 0: an ephemeral port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The users file (JSON, see emulator/README.md).
    #[arg(long)]
    users: PathBuf,
    /// Serve HTTPS with a certificate generated at start; prints the CA's PEM path.
    #[arg(long)]
    tls: bool,
    /// Failed password attempts tolerated per (login, IP) within the window.
    #[arg(long, default_value_t = 5)]
    lockout_attempts: u32,
    /// Window over which failed password attempts are counted.
    #[arg(long, default_value_t = 60)]
    lockout_window_secs: u64,
    /// How long a locked (login, IP) stays blocked.
    #[arg(long, default_value_t = 60)]
    lockout_block_secs: u64,
    /// Second-factor code attempts tolerated per window.
    #[arg(long, default_value_t = 5)]
    code_attempts: u32,
    /// Lifetime of the code-attempt counter (re-armed by each counted attempt).
    #[arg(long, default_value_t = 60)]
    code_window_secs: u64,
    /// Lifetime of issued tokens.
    #[arg(long, default_value_t = 365 * 24 * 3600)]
    token_lifetime_secs: u64,
    /// Validity of SMS codes.
    #[arg(long, default_value_t = 600)]
    sms_validity_secs: u64,
    /// Overrides the users file's `portal.recaptcha.validResponse`: a captcha is configured, this
    /// `recaptchaResponse` is valid, any other (of the portal's captcha kind) is not.
    #[arg(long)]
    recaptcha_token: Option<String>,
    /// Most connections served at once; beyond it a connection gets 503 with Retry-After.
    #[arg(long, default_value_t = 4096)]
    max_connections: usize,
    /// How long a kept-alive connection may wait for its next request (keep-alive timeout);
    /// then it is closed without a word.
    #[arg(long, default_value_t = 30_000)]
    idle_timeout_ms: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = match EmulatorConfig::from_users_file(&args.users) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("docspace-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    config.tls = args.tls;
    config.lockout.attempt_count = args.lockout_attempts;
    config.lockout.check_period = Duration::from_secs(args.lockout_window_secs);
    config.lockout.block_time = Duration::from_secs(args.lockout_block_secs);
    config.code_limit.attempt_count = args.code_attempts;
    config.code_limit.window = Duration::from_secs(args.code_window_secs);
    config.token_lifetime = Duration::from_secs(args.token_lifetime_secs);
    config.sms_validity = Duration::from_secs(args.sms_validity_secs);
    config.recaptcha_response = args.recaptcha_token;
    config.max_connections = args.max_connections;
    config.idle_timeout = Duration::from_millis(args.idle_timeout_ms.max(1));

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("docspace-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config, args.listen))
}

async fn run(config: EmulatorConfig, listen: SocketAddr) -> ExitCode {
    let emu = match Emulator::start(config, listen).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("docspace-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", emu.base_url());
    let _ = out.flush();
    let mut ca_file = None;
    if let Some(pem) = emu.ca_pem() {
        let path = std::env::temp_dir().join(format!(
            "docspace-emulator-{}-{}-ca.pem",
            std::process::id(),
            emu.local_addr().port()
        ));
        if let Err(e) = std::fs::write(&path, pem) {
            eprintln!(
                "docspace-emulator: cannot write the CA certificate to {}: {e}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        let _ = writeln!(out, "ca certificate: {}", path.display());
        let _ = out.flush();
        ca_file = Some(path);
    }
    drop(out);

    wait_for_signal().await;
    emu.shutdown().await;
    if let Some(path) = ca_file {
        let _ = std::fs::remove_file(path);
    }
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
