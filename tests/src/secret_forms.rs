//! What the secret scans (`tests/tests/secret_scan.rs`, `cli/tests/secret_scan.rs`) share: the
//! flow list and the forms in which a secret could show up in a text. Only std and serde_json,
//! so that the CLI's tests compile it too (`#[path]`).

/// The shared list of flows (all layers run the same ones).
pub const FLOWS: &str = include_str!("../fixtures/secret-scan-flows.txt");

/// A password with what needs escaping in JSON, in a URL and in a form: the 403 echo checks
/// that each of those forms is caught.
pub const WEIRD_PASSWORD: &str = "p\"w d/é\\ü&=+%7";

/// The flow names of the shared list, in order.
pub fn listed_flows() -> Vec<&'static str> {
    FLOWS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().expect("a flow name"))
        .collect()
}

/// The forms in which a secret could show up: as is, JSON-escaped, percent-encoded (every byte
/// that is not alphanumeric), form-encoded; lower-cased (compared case-insensitively).
pub fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("a string");
    let json = json[1..json.len() - 1].to_owned();
    let percent = percent(secret);
    let form = percent.replace("%20", "+");
    let mut all: Vec<String> = [
        secret.to_owned(),
        json,
        json_escaped_ascii(secret),
        percent,
        form,
    ]
    .into_iter()
    .map(|f| f.to_lowercase())
    .collect();
    all.sort();
    all.dedup();
    all
}

/// JSON-escaped as .NET's default encoder writes it (DocSpace is .NET): `\` as `\\`, and
/// `"&'+<>` and every character outside printable ASCII as `\uXXXX`.
pub fn json_escaped_ascii(secret: &str) -> String {
    let mut out = String::new();
    for c in secret.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' | '&' | '\'' | '+' | '<' | '>' | '`' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            ' '..='~' => out.push(c),
            _ => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

pub fn percent(secret: &str) -> String {
    let mut out = String::new();
    for b in secret.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// Whether `text` (lower-cased) holds `form`; a secret of digits only (a code) counts only where
/// it is not part of a longer number.
pub fn contains_form(text: &str, form: &str, digits_only: bool) -> bool {
    if !digits_only {
        return text.contains(form);
    }
    let bytes = text.as_bytes();
    text.match_indices(form).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + form.len()).copied();
        !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
    })
}
