use docspace_auth::{Auth, Code};

async fn misuse() -> Result<(), docspace_auth::Error> {
    let auth = Auth::new("https://portal.example.com")?;
    let _ = auth.confirm(Code::parse("123456")?).await;
    Ok(())
}

fn main() {
    let _ = misuse();
}
