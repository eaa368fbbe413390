//! `Code::parse`, which every typed code goes through before any request. Input: the text.
#![no_main]

use docspace_auth::Code;

libfuzzer_sys::fuzz_target!(|text: &str| {
    let typed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let well_formed = typed.len() == 6
        && typed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match Code::parse(text) {
        Ok(code) => {
            assert!(well_formed, "a malformed code was accepted");
            assert_eq!(code.expose(), typed, "the code changed");
            assert_eq!(format!("{code:?}"), "Code([REDACTED])");
        }
        Err(error) => {
            assert!(!well_formed, "a well-formed code was refused");
            assert!(matches!(error, docspace_auth::Error::InvalidCodeFormat));
        }
    }
});
