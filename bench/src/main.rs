//! `bench-client`: the Rust clients of the login benchmark (bench/README.md).
//!
//! ```text
//! bench-client <floor|core-new|core-clone> seq N ROUNDS | conc C TOTAL | cold
//! ```
//! with `DS_URL` (loopback only), `DS_USER`, `DS_PASSWORD`, `DS_SECRET` (Base32 TOTP secret)
//! and `DS_WARMUP` in the environment. Prints one JSON line (or `TOKEN <length>` for `cold`).

mod core_client;
mod driver;
mod floor;

use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench-client: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<i32, String> {
    let (variant, mode, config) = driver::parse_args()?;
    if !is_loopback_url(&config.url) {
        return Err(format!(
            "logins only to the local emulator, not {}",
            config.url
        ));
    }
    Ok(match variant.as_str() {
        "floor" => driver::run(&floor::Floor::new(&config)?, mode, &config),
        "core-new" => driver::run(&core_client::Core::new(&config, false)?, mode, &config),
        "core-clone" => driver::run(&core_client::Core::new(&config, true)?, mode, &config),
        other => {
            return Err(format!(
                "unknown variant {other} (floor, core-new, core-clone)"
            ))
        }
    })
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| r.starts_with("127.0.0.1:") || r.starts_with("localhost:"))
}
