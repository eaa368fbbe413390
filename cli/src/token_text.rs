//! What a token file (or stdin, or DOCSPACE_TOKEN) holds: the token itself, or the JSON that
//! `login --json --output FILE` writes, whose `"token"` is taken, and its `"portal"` (the
//! portal that issued the token) when it has one. Pure, so that `fuzz/` can read it too.

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Why a text holds no token.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenTextError {
    /// It starts with `{` but is not JSON (or its `"token"` or `"portal"` is not a string).
    NotJson,
    /// JSON without a `"token"`.
    NoToken,
    /// Nothing but whitespace (or an empty `"token"`).
    Empty,
}

/// What a token text holds.
#[derive(Debug)]
pub struct TokenText {
    /// The token: never empty.
    pub token: SecretString,
    /// The JSON form's `"portal"`, trimmed; `None` for a plain token, and for JSON without a
    /// `"portal"` (written before it was recorded), with `null` or an empty one.
    pub portal: Option<String>,
}

/// The JSON form: only its `"token"` (straight into a secret) and `"portal"` are read.
#[derive(Deserialize)]
struct TokenJson {
    token: Option<SecretString>,
    portal: Option<String>,
}

/// The token in `text`: trimmed, or the `"token"` of a JSON object (with its `"portal"`).
pub fn token_from_text(text: &str) -> Result<TokenText, TokenTextError> {
    let trimmed = text.trim();
    let (token, portal) = if trimmed.starts_with('{') {
        let json =
            serde_json::from_str::<TokenJson>(trimmed).map_err(|_| TokenTextError::NotJson)?;
        let portal = json
            .portal
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        (json.token.ok_or(TokenTextError::NoToken)?, portal)
    } else {
        (SecretString::from(trimmed), None)
    };
    if token.expose_secret().is_empty() {
        return Err(TokenTextError::Empty);
    }
    Ok(TokenText { token, portal })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str) -> Result<String, TokenTextError> {
        token_from_text(text).map(|t| t.token.expose_secret().to_owned())
    }

    fn portal(text: &str) -> Option<String> {
        token_from_text(text).unwrap().portal
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

    #[test]
    fn the_portal_of_the_json_form() {
        assert_eq!(
            portal("{\"token\": \"t\", \"portal\": \"https://p.example.com/\"}").as_deref(),
            Some("https://p.example.com/")
        );
        assert_eq!(
            portal("{\"portal\": \" https://p.example.com \", \"token\": \"t\"}").as_deref(),
            Some("https://p.example.com")
        );
        assert_eq!(portal("{\"token\": \"t\"}"), None);
        assert_eq!(portal("{\"token\": \"t\", \"portal\": null}"), None);
        assert_eq!(portal("{\"token\": \"t\", \"portal\": \" \"}"), None);
        // A plain token never has one, whatever it looks like.
        assert_eq!(portal("https://p.example.com/"), None);
        assert_eq!(
            token("{\"token\": \"t\", \"portal\": 5}"),
            Err(TokenTextError::NotJson)
        );
        assert_eq!(
            token("{\"portal\": \"https://p.example.com/\"}"),
            Err(TokenTextError::NoToken)
        );
    }
}
