//! Request paths as Kestrel hands them to routing.

/// Percent-decodes a request path as Kestrel does: every `%XX` but `%2F`; a path whose decoded
/// bytes are not UTF-8 is left as it came.
pub(crate) fn decode_path(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' {
            if let Some(&[h, l]) = bytes.get(i + 1..i + 3) {
                if let (Some(h), Some(l)) = (hex(h), hex(l)) {
                    let b = u8::try_from(h * 16 + l).unwrap_or(b'%');
                    if b == b'/' {
                        out.extend_from_slice(&bytes[i..i + 3]);
                    } else {
                        out.push(b);
                    }
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::decode_path;

    #[test]
    fn decodes_all_but_slash_and_keeps_what_is_not_utf8() {
        assert_eq!(
            decode_path("/api/2.0/people/%40self"),
            "/api/2.0/people/@self"
        );
        assert_eq!(decode_path("/a%2Fb%2fc"), "/a%2Fb%2fc");
        assert_eq!(decode_path("/%ZZ/%"), "/%ZZ/%");
        assert_eq!(decode_path("/%FF%FE"), "/%FF%FE");
    }
}
