use docspace_auth::secrecy::SecretString;
use docspace_auth::Auth;

async fn misuse() -> Result<(), docspace_auth::Error> {
    let session = Auth::resume("https://portal.example.com", SecretString::from("token"))?;
    session.logout().await?;
    let _token = session.token();
    Ok(())
}

fn main() {
    let _ = misuse();
}
