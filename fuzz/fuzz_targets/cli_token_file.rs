//! The CLI's `--token-file` reader (plain token or the JSON `login --json --output` writes,
//! with the portal it records), compiled from the CLI's own source file. Input: the file's text.
#![no_main]

#[path = "../../cli/src/token_text.rs"]
#[allow(dead_code)]
mod token_text;

use docspace_auth::secrecy::ExposeSecret;

libfuzzer_sys::fuzz_target!(|text: &str| {
    let json = text.trim().starts_with('{');
    match token_text::token_from_text(text) {
        Ok(read) => {
            let token = read.token.expose_secret();
            assert!(!token.is_empty(), "an empty token was accepted");
            if !json {
                assert_eq!(token, text.trim(), "a plain token changed");
                assert!(read.portal.is_none(), "a plain token came with a portal");
            }
            if let Some(portal) = &read.portal {
                assert!(!portal.is_empty(), "an empty portal was kept");
                assert_eq!(portal, portal.trim(), "a portal was not trimmed");
            }
        }
        Err(token_text::TokenTextError::Empty) => {}
        Err(_) => assert!(json, "a plain text was read as JSON"),
    }
});
