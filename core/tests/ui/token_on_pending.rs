use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, LoginOutcome};

async fn misuse() -> Result<(), docspace_auth::Error> {
    let auth = Auth::new("https://portal.example.com")?;
    if let LoginOutcome::TfaRequired(pending) =
        auth.login("bob@example.com", SecretString::from("pw")).await?
    {
        let _token = pending.token();
    }
    Ok(())
}

fn main() {
    let _ = misuse();
}
