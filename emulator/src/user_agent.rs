//! A small User-Agent parser for login events (docs/protocol.md §15.2: `browser` and `platform`
//! "parsed from the User-Agent"). The server uses a full UA database; this recognises the common
//! browsers and systems and otherwise reports the first product token.

/// `(browser, platform)`, e.g. `("Chrome 120.0", "Windows 10")`.
pub(crate) fn parse(ua: &str) -> (String, String) {
    (browser(ua), platform(ua))
}

/// `name/1.2.3` ⇒ `1.2` (major.minor), or the whole version when it has no dot.
fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = ua.find(token)? + token.len();
    let v: String = ua[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let mut parts = v.split('.');
    let major = parts.next().filter(|m| !m.is_empty())?;
    Some(match parts.next() {
        Some(minor) => format!("{major}.{minor}"),
        None => major.to_string(),
    })
}

fn browser(ua: &str) -> String {
    const KNOWN: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("YaBrowser/", "Yandex Browser"),
        ("Firefox/", "Firefox"),
        ("CriOS/", "Chrome Mobile iOS"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    for (token, name) in KNOWN {
        if token == "Version/" && !ua.contains("Safari/") {
            continue;
        }
        if let Some(v) = version_after(ua, token) {
            return format!("{name} {v}");
        }
    }
    // Anything else: the first product token, `name/version` ⇒ `name version`.
    match ua.split_whitespace().next() {
        Some(first) => match first.split_once('/') {
            Some((name, _)) if !name.is_empty() => {
                let v = version_after(first, "/").unwrap_or_default();
                format!("{name} {v}").trim().to_string()
            }
            _ => first.to_string(),
        },
        None => "Other".to_string(),
    }
}

fn platform(ua: &str) -> String {
    if ua.contains("Windows NT 10.0") {
        "Windows 10".into()
    } else if ua.contains("Windows") {
        "Windows".into()
    } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iOS") {
        "iOS".into()
    } else if ua.contains("Android") {
        "Android".into()
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "Mac OS X".into()
    } else if ua.contains("Linux") {
        "Linux".into()
    } else {
        "Other".into()
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn common_agents() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36";
        assert_eq!(parse(chrome), ("Chrome 120.0".into(), "Windows 10".into()));
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(parse(safari), ("Safari 17.1".into(), "iOS".into()));
        assert_eq!(
            parse("docspace-auth/0.1.0"),
            ("docspace-auth 0.1".into(), "Other".into())
        );
        assert_eq!(parse("okhttp/4.12.0 (Linux)").1, "Linux");
        assert_eq!(parse(""), ("Other".into(), "Other".into()));
    }
}
