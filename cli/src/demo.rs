//! `docspace-auth demo`: its arguments, and the whole login on the embedded emulator, step by
//! step.

use clap::Args;
use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::{totp, Auth, AuthBuilder, Challenge, Error, LoginOutcome};
use docspace_emulator::{Emulator, EmulatorConfig};

use crate::error::{CliError, Kind};
use crate::output::rfc3339;
use crate::second_factor::{enrollment_text, second_factor, CodeInput};
use crate::term;

/// Walk the whole login on an embedded emulator: enrolment QR code, code, token, me, logout.
#[derive(Args)]
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
pub struct DemoArgs {
    /// Ask for the code (from a real authenticator app that scanned the QR code) instead of
    /// computing it.
    #[arg(long)]
    pub interactive: bool,
    /// Run the embedded portal over HTTPS with a freshly generated CA.
    #[arg(long)]
    pub tls: bool,
}

const DEMO_USER: &str = "demo@example.com";
/// The emulator's throwaway demo user; the password is never printed all the same.
const DEMO_PASSWORD: &str = "demo-password-not-secret";
const DEMO_USERS: &str = r#"{"users":[{"email":"demo@example.com","password":"demo-password-not-secret",
  "tfa":"app","displayName":"Demo User","firstName":"Demo","lastName":"User"}]}"#;

fn step(n: u32, title: &str, text: &str) {
    println!("[{n}/7] {title:<16} {text}");
}

fn more(text: &str) {
    println!("{:<23}{text}", "");
}

fn internal(message: impl Into<String>) -> CliError {
    CliError::new(Kind::Internal, message)
}

pub async fn run(args: DemoArgs) -> Result<(), CliError> {
    println!("docspace-auth demo: a whole DocSpace login with an authenticator app, on an");
    println!("emulated portal embedded in this process (nothing leaves this machine).");
    println!();

    let mut config = EmulatorConfig::from_users_json(DEMO_USERS)
        .map_err(|e| internal(format!("the demo user is not valid: {e}")))?;
    config.tls = args.tls;
    let addr = "127.0.0.1:0"
        .parse()
        .map_err(|_| internal("bad listen address"))?;
    let emulator = Emulator::start(config, addr)
        .await
        .map_err(|e| internal(format!("cannot start the embedded emulator: {e}")))?;
    step(
        1,
        "Emulator",
        &format!("portal listening on {}", emulator.base_url()),
    );
    more(&format!(
        "user {DEMO_USER}: the portal requires an authenticator app; not enrolled yet"
    ));

    if emulator.ca_pem().is_some() {
        more("TLS on: trusting the emulator's freshly generated CA certificate");
    }
    let auth = client(&emulator).build()?;

    step(
        2,
        "Unauthenticated",
        "POST /api/2.0/authentication with the e-mail and password",
    );
    let pending = match auth
        .login(DEMO_USER, SecretString::from(DEMO_PASSWORD))
        .await?
    {
        LoginOutcome::TfaRequired(pending) => pending,
        LoginOutcome::Authenticated(_) => {
            return Err(internal("the demo portal did not ask for a second factor"))
        }
    };
    let Challenge::AppEnrollment(enrollment) = pending.challenge() else {
        return Err(internal(
            "the demo portal did not ask to enrol an authenticator",
        ));
    };
    more("-> TfaPending: password accepted, second factor required, enrolment first");
    let secret = enrollment.secret().clone();

    step(
        3,
        "Enrolment",
        "the portal sent the authenticator key (tfaKey). Shown here because showing it is",
    );
    more("the point of enrolment; it belongs to the emulator's throwaway demo user.");
    print!("{}", enrollment_text(enrollment).as_str());

    let interactive = args.interactive && term::stdin_is_tty() && term::has_tty();
    if args.interactive && !interactive {
        more("(--interactive needs a terminal on stdin; computing the code instead)");
    }
    let session = if interactive {
        step(
            4,
            "Code",
            "scan the QR code (or type the key) in your authenticator app, then type its code",
        );
        second_factor(pending, &CodeInput::Terminal, 3, false, None).await?
    } else {
        let code = totp::now(&secret)?;
        step(
            4,
            "Code",
            "computed from the key, as an authenticator app would: ****** (hidden)",
        );
        more("POST /api/2.0/authentication/{code}: the code, with the credentials again");
        pending
            .confirm(code)
            .await
            .map_err(|e| CliError::from(e.error()))?
    };
    let token = session.token().clone();
    step(
        5,
        "Authenticated",
        &format!(
            "token {} ({} characters, shortened here)",
            shorten(&token),
            token.expose_secret().len()
        ),
    );
    more(&format!(
        "expires {}",
        session
            .expires()
            .map(rfc3339)
            .unwrap_or_else(|| "(not said)".to_owned())
    ));

    let me = session.me().await?;
    step(
        6,
        "me",
        &format!(
            "GET /api/2.0/people/@self -> {} <{}>, id {}",
            me.display_name, me.email, me.id
        ),
    );

    session.logout().await?;
    step(
        7,
        "Logged out",
        "POST /api/2.0/authentication/logout (token as the asc_auth_key cookie)",
    );

    // Proof: the old token no longer works.
    let old = client(&emulator).resume(token)?;
    if old.is_valid().await? {
        return Err(internal("the token still works after logout"));
    }
    more("GET /api/2.0/authentication with the old token -> not valid");
    match old.me().await {
        Err(Error::Unauthorized) => {
            more("GET /api/2.0/people/@self with the old token -> 401: the token is revoked")
        }
        Ok(_) => return Err(internal("the token still works after logout")),
        Err(other) => return Err(other.into()),
    }
    println!();
    println!("Demo complete: login, enrolment, code, token, me, logout, revoked.");
    emulator.shutdown().await;
    Ok(())
}

/// A client for the embedded portal, trusting its CA when it runs TLS.
fn client(emulator: &Emulator) -> AuthBuilder {
    let builder = Auth::builder(emulator.base_url());
    match emulator.ca_pem() {
        Some(pem) => builder.add_root_certificate_pem(pem),
        None => builder,
    }
}

/// The first characters of the token, for recognising it.
fn shorten(token: &SecretString) -> String {
    let t = token.expose_secret();
    let head: String = t.chars().take(8).collect();
    format!("{head}...")
}
