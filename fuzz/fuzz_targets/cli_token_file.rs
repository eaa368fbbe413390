//! The CLI's `--token-file` reader (plain token or the JSON `login --json --output` writes),
//! compiled from the CLI's own source file. Input: the file's text.
#![no_main]

#[path = "../../cli/src/token_text.rs"]
#[allow(dead_code)]
mod token_text;

use docspace_auth::secrecy::ExposeSecret;

libfuzzer_sys::fuzz_target!(|text: &str| {
    match token_text::token_from_text(text) {
        Ok(token) => {
            let token = token.expose_secret();
            assert!(!token.is_empty(), "an empty token was accepted");
            if !text.trim().starts_with('{') {
                assert_eq!(token, text.trim(), "a plain token changed");
            }
        }
        Err(token_text::TokenTextError::Empty) => {}
        Err(_) => assert!(
            text.trim().starts_with('{'),
            "a plain text was read as JSON"
        ),
    }
});
