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

/// The secrets a scan knows, each with its forms worked out once (a scan checks thousands of
/// texts against every secret).
#[derive(Default)]
pub struct Known {
    entries: Vec<Entry>,
}

struct Entry {
    what: String,
    value: String,
    forms: Vec<String>,
    digits_only: bool,
}

impl Known {
    /// Knows `value` (not empty) as `what`, unless it is known already.
    pub fn add(&mut self, what: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        assert!(!value.is_empty(), "an empty secret");
        if self.entries.iter().any(|e| e.value == value) {
            return;
        }
        self.entries.push(Entry {
            what: what.into(),
            forms: forms(&value),
            digits_only: value.bytes().all(|b| b.is_ascii_digit()),
            value,
        });
    }

    /// The secrets found in `text`, other than those in `allowed`: what each is, in which form.
    pub fn leaks_in(&self, text: &str, allowed: &[String]) -> Vec<String> {
        let text = text.to_lowercase();
        let mut found = Vec::new();
        for e in self.entries.iter().filter(|e| !allowed.contains(&e.value)) {
            for form in &e.forms {
                if contains_form(&text, form, e.digits_only) {
                    found.push(format!("{} ({:?} as {form:?})", e.what, e.value));
                }
            }
        }
        found
    }

    /// (what, secret) of each known secret.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.what.as_str(), e.value.as_str()))
    }

    /// How many secrets are known.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// Forgets them all.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
