//! The portal options every command that talks to a portal shares, and the client built from
//! them (timeouts, user agent, an extra CA certificate).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use docspace_auth::{Auth, AuthBuilder};

use crate::error::CliError;

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

/// A client builder from the shared portal options.
pub fn builder(portal: &PortalArgs) -> Result<AuthBuilder, CliError> {
    let timeout = Duration::from_secs(portal.timeout.max(1));
    let mut builder = Auth::builder(&portal.portal)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("docspace-auth-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &portal.ca_cert {
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
