use docspace_auth::secrecy::SecretString;
use docspace_auth::Auth;

async fn misuse() -> Result<(), docspace_auth::Error> {
    let auth = Auth::new("https://portal.example.com")?;
    let _first = auth.login("alice@example.com", SecretString::from("pw")).await?;
    let _second = auth.login("alice@example.com", SecretString::from("pw")).await?;
    Ok(())
}

fn main() {
    let _ = misuse();
}
