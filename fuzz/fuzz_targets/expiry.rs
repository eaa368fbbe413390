//! `expires` (token and SMS answers) and `Retry-After`. Input: the text.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| {
    docspace_auth::fuzzing::expiry(text);
});
