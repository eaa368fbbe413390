use docspace_auth::secrecy::SecretString;
use docspace_auth::{Auth, Code};

async fn misuse() -> Result<(), docspace_auth::Error> {
    let session = Auth::resume("https://portal.example.com", SecretString::from("token"))?;
    let _ = session.confirm(Code::parse("123456")?).await;
    Ok(())
}

fn main() {
    let _ = misuse();
}
