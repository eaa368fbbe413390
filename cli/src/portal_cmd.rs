//! `docspace-auth portal`: what a login needs to know about a portal (is it DocSpace, SSO,
//! LDAP, social logins, password hashing, captcha), from the anonymous probe.

use clap::Args;
use docspace_auth::{CaptchaKind, PortalInfo, TenantStatus};

use crate::client::{builder, PortalArgs};
use crate::error::{sanitize, CliError};
use crate::output::print_line;

/// Check that an address is a DocSpace portal and show how it logs users in.
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    docspace-auth portal --portal https://portal.example.com\n",
    "    docspace-auth portal --portal https://portal.example.com --json\n",
    "\n",
    exit_codes_help!()
))]
pub struct PortalCmdArgs {
    #[command(flatten)]
    pub portal: PortalArgs,
    /// Print JSON: {"portal", "version", "standalone", "tenantStatus", "acceptsLogins", "sso"
    /// ({"url", "label"} or null), "ldapEnabled", "providers", "passwordHash" ({"salt",
    /// "iterations", "size"} or null), "captcha" ({"kind", "publicKey"} or null)}.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: PortalCmdArgs) -> Result<(), CliError> {
    let auth = builder(&args.portal.portal, &args.portal.connection)?.build()?;
    let info = auth.portal_info().await?;
    let text = if args.json {
        json(auth.portal_url(), &info).to_string()
    } else {
        text(auth.portal_url(), &info)
    };
    print_line(&text, "to stdout")
}

fn status_name(status: TenantStatus) -> String {
    match status {
        TenantStatus::Active => "active".into(),
        TenantStatus::Suspended => "suspended".into(),
        TenantStatus::RemovePending => "remove-pending".into(),
        TenantStatus::Transferring => "transferring".into(),
        TenantStatus::Restoring => "restoring".into(),
        TenantStatus::Migrating => "migrating".into(),
        TenantStatus::Encryption => "encryption".into(),
        TenantStatus::Other(code) => format!("unknown ({code})"),
        _ => "unknown".into(),
    }
}

fn captcha_name(kind: CaptchaKind) -> &'static str {
    match kind {
        CaptchaKind::Recaptcha => "recaptcha",
        CaptchaKind::RecaptchaAndroid => "recaptcha-android",
        CaptchaKind::RecaptchaIos => "recaptcha-ios",
        CaptchaKind::HCaptcha => "hcaptcha",
    }
}

fn json(portal: &str, info: &PortalInfo) -> serde_json::Value {
    serde_json::json!({
        "portal": portal,
        "version": info.version,
        "standalone": info.standalone,
        "tenantStatus": status_name(info.tenant_status),
        "acceptsLogins": info.tenant_status.accepts_logins(),
        "sso": info.sso.as_ref().map(|s| serde_json::json!({"url": s.url, "label": s.label})),
        "ldapEnabled": info.ldap_enabled,
        "providers": info.providers,
        "passwordHash": info.password_hash.as_ref().map(|p| serde_json::json!({
            "salt": p.salt, "iterations": p.iterations, "size": p.size,
        })),
        "captcha": info.captcha.as_ref().map(|c| serde_json::json!({
            "kind": captcha_name(c.kind), "publicKey": c.public_key,
        })),
    })
}

fn text(portal: &str, info: &PortalInfo) -> String {
    let or_none = |value: Option<String>| value.unwrap_or_else(|| "none".to_owned());
    let version = if info.version.is_empty() {
        "version not published".to_owned()
    } else {
        format!("version {}", sanitize(&info.version))
    };
    let kind = if info.standalone {
        "self-hosted"
    } else {
        "cloud"
    };
    let providers = if info.providers.is_empty() {
        "none".to_owned()
    } else {
        sanitize(&info.providers.join(", "))
    };
    [
        format!("portal:         {}", sanitize(portal)),
        format!("DocSpace:       {version}, {kind}"),
        format!(
            "status:         {}{}",
            status_name(info.tenant_status),
            if info.tenant_status.accepts_logins() {
                ""
            } else {
                " (logins are refused)"
            }
        ),
        format!(
            "single sign-on: {}",
            or_none(info.sso.as_ref().map(|s| format!(
                "{} at {}",
                sanitize(&s.label),
                sanitize(&s.url)
            )))
        ),
        format!(
            "LDAP:           {}",
            if info.ldap_enabled {
                "on (LDAP accounts need the plain password)"
            } else {
                "off"
            }
        ),
        format!("social logins:  {providers}"),
        format!(
            "password hash:  {}",
            or_none(info.password_hash.as_ref().map(|p| format!(
                "PBKDF2-HMAC-SHA256, {} iterations, {} bits (login --hash-password)",
                p.iterations, p.size
            )))
        ),
        format!(
            "captcha:        {}",
            or_none(info.captcha.as_ref().map(|c| format!(
                "{} (site key {})",
                captcha_name(c.kind),
                sanitize(&c.public_key)
            )))
        ),
    ]
    .join("\n")
}
