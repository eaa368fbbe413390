//! The portal options the commands that talk to a portal share, and the client built from
//! them (timeouts, user agent, an extra CA certificate).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use docspace_auth::{Auth, AuthBuilder};

use crate::error::CliError;

/// Where the portal is and how to reach it (`login`: the portal is required).
#[derive(Args)]
pub struct PortalArgs {
    /// The portal's address, e.g. https://portal.example.com (plain http:// only for loopback).
    #[arg(long, env = "DOCSPACE_PORTAL", value_name = "URL")]
    pub portal: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How to reach the portal.
#[derive(Args)]
pub struct ConnectionArgs {
    /// Also trust this CA certificate (PEM file), for a portal with a private CA.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Give up on a request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// A client builder for `portal` with the shared connection options.
pub fn builder(portal: &str, connection: &ConnectionArgs) -> Result<AuthBuilder, CliError> {
    let timeout = Duration::from_secs(connection.timeout.max(1));
    let mut builder = Auth::builder(portal)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("docspace-auth-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &connection.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            CliError::usage(format!(
                "cannot read the --ca-cert file {}: {e}",
                path.display()
            ))
        })?;
        builder = builder.add_root_certificate_pem(pem);
    }
    Ok(builder)
}
