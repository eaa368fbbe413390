use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Code, LoginOutcome};

async fn misuse() -> Result<(), docspace_auth::Error> {
    let auth = Auth::new("https://portal.example.com")?;
    if let LoginOutcome::TfaRequired(pending) =
        auth.login("bob@example.com", SecretString::from("pw")).await?
    {
        let _session = pending.confirm(Code::parse("123456")?).await;
        let _again = pending.confirm(Code::parse("654321")?).await;
    }
    Ok(())
}

fn main() {
    let _ = misuse();
}
