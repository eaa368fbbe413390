//! The password-login answer (`POST /api/2.0/authentication`, 2xx): the envelope, the token,
//! the challenge and the enrolment key, as `Auth::login` reads them. Input: the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|body: &[u8]| {
    docspace_auth::fuzzing::login_answer(body, "portal.example.com", "carol@example.com");
});
