//! What a token file (or stdin, or DOCSPACE_TOKEN) holds: the token itself, or the JSON that
//! `login --json --output FILE` writes, whose `"token"` is taken. Pure, so that `fuzz/` can
//! read it too.

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Why a text holds no token.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenTextError {
    /// It starts with `{` but is not JSON (or its `"token"` is not a string).
    NotJson,
    /// JSON without a `"token"`.
    NoToken,
    /// Nothing but whitespace (or an empty `"token"`).
    Empty,
}

/// The JSON form: only its `"token"` is read, straight into a secret.
#[derive(Deserialize)]
struct TokenJson {
    token: Option<SecretString>,
}

/// The token in `text`: trimmed, or the `"token"` of a JSON object.
pub fn token_from_text(text: &str) -> Result<SecretString, TokenTextError> {
    let trimmed = text.trim();
    let token = if trimmed.starts_with('{') {
        serde_json::from_str::<TokenJson>(trimmed)
            .map_err(|_| TokenTextError::NotJson)?
            .token
            .ok_or(TokenTextError::NoToken)?
    } else {
        SecretString::from(trimmed)
    };
    if token.expose_secret().is_empty() {
        return Err(TokenTextError::Empty);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str) -> Result<String, TokenTextError> {
        token_from_text(text).map(|t| t.expose_secret().to_owned())
    }

    #[test]
    fn plain_and_json_forms() {
        assert_eq!(token(" abc.def\n").as_deref(), Ok("abc.def"));
        assert_eq!(
            token("{\"token\": \"t1\", \"expires\": null}\n").as_deref(),
            Ok("t1")
        );
        assert_eq!(token("{\"token\": 5}"), Err(TokenTextError::NotJson));
        assert_eq!(token("{\"tok"), Err(TokenTextError::NotJson));
        assert_eq!(token("{\"user\": \"a\"}"), Err(TokenTextError::NoToken));
        assert_eq!(token(" \n"), Err(TokenTextError::Empty));
        assert_eq!(token("{\"token\": \"\"}"), Err(TokenTextError::Empty));
    }
}
