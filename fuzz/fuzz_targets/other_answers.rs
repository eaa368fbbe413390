//! Every other 2xx answer (a code, `sendsms`, backup codes, `people/@self`, the token check,
//! logout), as the client reads them. Input: the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|body: &[u8]| {
    docspace_auth::fuzzing::other_answers(body);
});
