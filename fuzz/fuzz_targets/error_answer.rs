//! A non-2xx answer: status, endpoint kind, `Retry-After`, the error body and the 403
//! redaction of the secrets the request carried. Input: 2 bytes of status (big-endian), 1 byte
//! of endpoint kind, then NUL-separated parts: the body, the `Retry-After` value, the secrets.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [hi, lo, kind, rest @ ..] = data else {
        return;
    };
    let mut parts = rest.split(|&b| b == 0);
    let body = parts.next().unwrap_or_default();
    let retry_after = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let secrets: Vec<String> = parts
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    docspace_auth::fuzzing::error_answer(
        u16::from_be_bytes([*hi, *lo]),
        *kind,
        &retry_after,
        body,
        &secrets,
    );
});
