//! Secret scan of the command line (issue 10): every flow of
//! `tests/fixtures/secret-scan-flows.txt` runs the `docspace-auth` binary against the emulator,
//! in text and `--json` modes where the command has both (`logout` has no `--json`), and
//! captures stdout and stderr of every run (and the `--output` file). Then no known secret may
//! appear in them, except where it was asked for:
//!
//! - `login` that succeeds: its own new token on stdout (alone, or as `"token"` of `--json`);
//!   with `--output FILE`, in that file only (stdout then holds nothing).
//! - `totp`: the code it computed on stdout (alone, or as `"code"` of `--json`).
//! - nothing else, ever: not the password, not a code typed or computed, not the TOTP key, not a
//!   backup code, not a token given as input (`me`, `logout`), never anything on stderr, and
//!   nothing at all from a command that fails.
//!
//! The known secrets: the fixture passwords and the wrong ones typed, their PBKDF2 hashes (what
//! `--hash-password` sends), the captcha answers, the TOTP keys, every TOTP code valid around now
//! for those keys (what `--totp-secret-env` computes), every SMS code sent (phone activation
//! included), the backup codes (Bob's, Carol's new ones and Bob's regenerated ones, read through
//! the library), the token in the address an SSO web view ends on, every token printed by a login
//! or given to a command.
//!
//! The figures are written to stderr even without `--nocapture`, as `secret scan (CLI): …`.

mod common;

use std::io::Write;
use std::process::Output;
use std::time::Duration;

use common::*;
use docspace_auth::secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

#[path = "../../tests/src/secret_forms.rs"]
mod secret_forms;
use secret_forms::{json_escaped_ascii, listed_flows, percent, Known, WEIRD_PASSWORD};

const BOB_BACKUP: [&str; 5] = ["aB3-x_", "Qw9_zz", "00-a_B", "k2k2k2", "Z_-9aa"];
const PASSWORDS: [(&str, &str); 5] = [
    ("alice", "alice-pass"),
    ("bob", "bob-pass"),
    ("carol", "carol-pass"),
    ("dave", "dave-pass"),
    ("erin", "erin-pass"),
];

/// One captured output: where it came from, the text, and the secrets asked for in it.
struct Captured {
    what: String,
    text: String,
    allowed: Vec<String>,
}

#[derive(Default)]
struct Scan {
    flows: Vec<&'static str>,
    current: &'static str,
    captured: Vec<Captured>,
    secrets: Known,
    runs: usize,
}

impl Scan {
    fn flow(&mut self, name: &'static str) {
        assert!(listed_flows().contains(&name), "{name} is not in the list");
        assert!(!self.flows.contains(&name), "{name} twice");
        self.flows.push(name);
        self.current = name;
    }

    fn secret(&mut self, what: impl Into<String>, value: impl Into<String>) {
        self.secrets.add(what, value);
    }

    fn capture(&mut self, what: String, text: String, allowed: &[String]) {
        self.captured.push(Captured {
            what: format!("{}: {what}", self.current),
            text,
            allowed: allowed.to_vec(),
        });
    }

    /// A run's stdout (where `on_stdout` was asked for) and stderr (where nothing is).
    fn run(&mut self, what: &str, o: &Output, on_stdout: &[String]) {
        self.runs += 1;
        let code = o.status.code().unwrap_or(-1);
        self.capture(format!("{what} (exit {code}) stdout"), stdout(o), on_stdout);
        self.capture(format!("{what} (exit {code}) stderr"), stderr(o), &[]);
    }

    /// A `login` run: its token (if it succeeded) is a known secret, asked for on stdout only
    /// (or in the `--output` file). Returns the token.
    fn login(&mut self, what: &str, o: &Output, json: bool) -> Option<String> {
        let token = (o.status.success() && !o.stdout.is_empty()).then(|| {
            let out = stdout(o);
            if json {
                let v: Value = serde_json::from_str(&out).expect("JSON on stdout");
                v["token"].as_str().expect("a token").to_owned()
            } else {
                assert_eq!(out.lines().count(), 1, "the token alone: {out}");
                out.trim_end().to_owned()
            }
        });
        if let Some(token) = &token {
            self.secret(format!("token printed in {}", self.current), token);
        }
        self.run(what, o, token.as_slice());
        token
    }

    /// Every TOTP code valid around now for `key` (what the CLI computes from it).
    fn codes_around_now(&mut self, key: &str) {
        let now = unix_now();
        for step in 0..=4u64 {
            let t = now + step * 30 - 60;
            self.secret(format!("TOTP code of {key}"), totp_at(key, t));
        }
    }

    async fn sms_sent(&mut self, base: &str) {
        for code in sms_codes(base).await {
            self.secret(format!("SMS code in {}", self.current), code);
        }
    }

    /// The secrets found in `text` that were not asked for there.
    fn leaks_in(&self, text: &str, allowed: &[String]) -> Vec<String> {
        self.secrets.leaks_in(text, allowed)
    }
}

fn mode(json: bool) -> &'static str {
    if json {
        "--json"
    } else {
        "text"
    }
}

/// `cmd` with `--json` when `json`.
fn with_json(mut c: tokio::process::Command, json: bool) -> tokio::process::Command {
    if json {
        c.arg("--json");
    }
    c
}

/// `login` as a fixture user, codes as lines of stdin.
fn login_code_stdin(base: &str, name: &str, json: bool) -> tokio::process::Command {
    let mut c = login_user(base, name);
    c.arg("--code-stdin");
    with_json(c, json)
}

/// `me` or `logout` with the token in DOCSPACE_TOKEN.
fn with_token(args: &[&str], base: &str, token: &str) -> tokio::process::Command {
    let mut c = cmd(args);
    c.args(["--portal", base]).env("DOCSPACE_TOKEN", token);
    c
}

/// A new token for Alice (through the CLI, scanned like any run).
async fn alice_token(scan: &mut Scan, base: &str) -> String {
    let o = output(login_user(base, "alice")).await;
    scan.login("login alice (for a token)", &o, false)
        .expect("a token")
}

async fn plain_login(scan: &mut Scan) {
    scan.flow("plain-login");
    let emu = start().await;
    let base = emu.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    for json in [false, true] {
        let m = mode(json);
        let o = output(with_json(login_user(base, "alice"), json)).await;
        assert_exit(&o, 0);
        let token = scan.login(&format!("login {m}"), &o, json).expect("token");
        assert!(
            stdout(&o).contains(&token),
            "asked for: the token on stdout"
        );

        let mut c = login(base, "alice@example.com");
        c.arg("--password-stdin");
        let o = output_with_stdin(with_json(c, json), "alice-pass\n").await;
        assert_exit(&o, 0);
        scan.login(&format!("login --password-stdin {m}"), &o, json);

        let file = dir.path().join(format!("token-{m}"));
        let mut c = with_json(login_user(base, "alice"), json);
        c.arg("--output").arg(&file);
        let o = output(c).await;
        assert_exit(&o, 0);
        assert!(o.stdout.is_empty(), "the token goes to the file only");
        let text = std::fs::read_to_string(&file).expect("the file");
        let token = if json {
            let v: Value = serde_json::from_str(&text).expect("JSON");
            v["token"].as_str().expect("token").to_owned()
        } else {
            text.trim_end().to_owned()
        };
        scan.secret("token written to --output", &token);
        scan.run(&format!("login --output {m}"), &o, &[]);
        scan.capture(
            format!("login --output {m}: the file"),
            text,
            std::slice::from_ref(&token),
        );

        let o = output(with_json(with_token(&["me"], base, &token), json)).await;
        assert_exit(&o, 0);
        scan.run(&format!("me {m}"), &o, &[]);
    }
}

async fn app_2fa(scan: &mut Scan) {
    scan.flow("app-2fa");
    let emu = start().await;
    let base = emu.base_url();
    scan.codes_around_now(BOB_KEY);
    for json in [false, true] {
        let m = mode(json);
        let c = with_json(login_with_key_env(base, "bob", "BOB_KEY", BOB_KEY), json);
        let o = output(c).await;
        assert_exit(&o, 0);
        scan.login(&format!("login --totp-secret-env {m}"), &o, json);

        let code = totp_now(BOB_KEY);
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &format!("{code}\n")).await;
        assert_exit(&o, 0);
        scan.login(&format!("login --code-stdin {m}"), &o, json);
    }
}

async fn enrolment(scan: &mut Scan) {
    scan.flow("enrolment");
    scan.codes_around_now(CAROL_KEY);
    for json in [false, true] {
        let m = mode(json);
        // A fresh portal each time: Carol enrols once.
        let emu = start().await;
        let base = emu.base_url();
        let c = with_json(
            login_with_key_env(base, "carol", "CAROL_KEY", CAROL_KEY),
            json,
        );
        let o = output(c).await;
        assert_exit(&o, 0);
        let token = scan.login(&format!("enrol with --totp-secret-env {m}"), &o, json);
        backup_codes_of(scan, base, &token.expect("token")).await;

        let emu = start().await;
        let base = emu.base_url();
        let code = totp_now(CAROL_KEY);
        let o =
            output_with_stdin(login_code_stdin(base, "carol", json), &format!("{code}\n")).await;
        assert_exit(&o, 0);
        assert!(
            stderr(&o).contains("only be shown on a terminal"),
            "{}",
            stderr(&o)
        );
        let token = scan.login(&format!("enrol with --code-stdin {m}"), &o, json);
        backup_codes_of(scan, base, &token.expect("token")).await;
    }
}

/// The backup codes of the user of `token`, read through the library (the CLI never shows
/// them): known secrets.
async fn backup_codes_of(scan: &mut Scan, base: &str, token: &str) {
    let session =
        docspace_auth::Auth::resume(base, SecretString::from(token.to_owned())).expect("resume");
    for code in session.backup_codes().await.expect("backup codes") {
        scan.secret("backup code", code.code.expose_secret());
    }
}

async fn backup_code(scan: &mut Scan) {
    scan.flow("backup-code");
    let emu = start().await;
    let base = emu.base_url();
    for (json, code) in [(false, BOB_BACKUP[0]), (true, BOB_BACKUP[1])] {
        let m = mode(json);
        let c = login_code_stdin(base, "bob", json);
        let o = output_with_stdin(c, &format!("{code}\n")).await;
        assert_exit(&o, 0);
        scan.login(&format!("login with a backup code {m}"), &o, json);
        // Used, then in another case: rejected.
        let upper = BOB_BACKUP[3].to_uppercase();
        let c = login_code_stdin(base, "bob", json);
        let o = output_with_stdin(c, &format!("{code}\n{upper}\n")).await;
        assert!(!o.status.success());
        scan.login(&format!("login with used backup codes {m}"), &o, json);
    }
}

/// Dave with codes on stdin: `lines(first_sms_code, all codes)` are typed once the first SMS
/// came; `resend` lines (`r`) wait for the next SMS.
async fn dave(
    scan: &mut Scan,
    what: &str,
    base: &str,
    json: bool,
    wrong_first: bool,
    resend: bool,
) {
    // Counted before the CLI starts: it may send the SMS before the next line here runs.
    let before = sms_codes(base).await.len();
    let (child, mut stdin) = spawn_with_stdin(login_code_stdin(base, "dave", json));
    let mut codes = wait_for_sms(base, before + 1).await;
    if wrong_first {
        let wrong = if codes[before] == "000000" {
            "111111"
        } else {
            "000000"
        };
        scan.secret("wrong SMS code", wrong);
        send(&mut stdin, &format!("{wrong}\n")).await;
    }
    if resend {
        send(&mut stdin, "r\n").await;
        codes = wait_for_sms(base, before + 2).await;
    }
    let code = codes.last().expect("a code").clone();
    send(&mut stdin, &format!("{code}\n")).await;
    drop(stdin);
    let o = wait(child).await;
    assert_exit(&o, 0);
    scan.sms_sent(base).await;
    scan.login(what, &o, json);
}

async fn sms(scan: &mut Scan) {
    scan.flow("sms");
    let emu = start().await;
    for json in [false, true] {
        let what = format!("dave, a wrong then the right SMS code {}", mode(json));
        dave(scan, &what, emu.base_url(), json, true, false).await;
    }
}

async fn sms_resend(scan: &mut Scan) {
    scan.flow("sms-resend");
    let emu = start().await;
    for json in [false, true] {
        let what = format!("dave, a new SMS then its code {}", mode(json));
        dave(scan, &what, emu.base_url(), json, false, true).await;
    }
}

async fn wrong_password(scan: &mut Scan) {
    scan.flow("wrong-password");
    let emu = start().await;
    let base = emu.base_url();
    for json in [false, true] {
        let m = mode(json);
        for (user, password) in [
            ("alice@example.com", "alice-pass-wrong"),
            ("bob@example.com", WEIRD_PASSWORD),
            ("nobody@example.com", "nobody-pass"),
            ("dave@example.com", "bob-pass"),
        ] {
            scan.secret("wrong password", password);
            let o = output(with_json(login_as(base, user, password), json)).await;
            assert_exit(&o, exit::BAD_CREDENTIALS);
            scan.login(&format!("login {user} wrong password {m}"), &o, json);
            let mut c = login(base, user);
            c.arg("--password-stdin");
            let o = output_with_stdin(with_json(c, json), &format!("{password}\n")).await;
            assert_exit(&o, exit::BAD_CREDENTIALS);
            scan.login(
                &format!("login {user} wrong password on stdin {m}"),
                &o,
                json,
            );
        }
    }
}

async fn wrong_code_flow(scan: &mut Scan) {
    scan.flow("wrong-code");
    let wrong = wrong_code(BOB_KEY);
    scan.secret("wrong code", &wrong);
    scan.codes_around_now(BOB_KEY);
    for json in [false, true] {
        let m = mode(json);
        // A fresh portal for each mode: 5 wrong codes a minute block the code step.
        let emu = start().await;
        let base = emu.base_url();
        let input = format!("{wrong}\n{}\n", totp_now(BOB_KEY));
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &input).await;
        assert_exit(&o, 0);
        scan.login(&format!("a wrong code, then the right one {m}"), &o, json);
        let input = format!("{wrong}\n{wrong}\n{wrong}\n");
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &input).await;
        assert_exit(&o, exit::CODE_REJECTED);
        scan.login(&format!("three wrong codes {m}"), &o, json);
    }
}

async fn lockout(scan: &mut Scan) {
    scan.flow("lockout");
    scan.secret("wrong password", "alice-typo");
    for json in [false, true] {
        let m = mode(json);
        let emu = start().await;
        let base = emu.base_url();
        for i in 0..6 {
            let o = output(with_json(
                login_as(base, "alice@example.com", "alice-typo"),
                json,
            ))
            .await;
            assert!(!o.status.success());
            scan.login(&format!("wrong password #{i} {m}"), &o, json);
        }
        let o = output(with_json(login_user(base, "alice"), json)).await;
        assert_exit(&o, exit::LOCKED_OUT);
        scan.login(&format!("the right password, locked out {m}"), &o, json);
    }

    // The code step: locked out while the code is being typed.
    scan.codes_around_now(BOB_KEY);
    scan.secret("wrong password", "bob-typo");
    for json in [false, true] {
        let m = mode(json);
        let mut config = config();
        config.lockout.attempt_count = 1;
        let emu = start_with(config).await;
        let base = emu.base_url();
        let (child, mut stdin) = spawn_with_stdin(login_code_stdin(base, "bob", json));
        for _ in 0..500 {
            if api_requests(base).await >= 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(api_requests(base).await, 1, "the password step is done");
        for i in 0..2 {
            let o = output(with_json(
                login_as(base, "bob@example.com", "bob-typo"),
                json,
            ))
            .await;
            scan.login(&format!("bob wrong password #{i} {m}"), &o, json);
        }
        send(&mut stdin, &format!("{}\n", totp_now(BOB_KEY))).await;
        drop(stdin);
        let o = wait(child).await;
        assert_exit(&o, exit::LOCKED_OUT);
        scan.login(&format!("the code, locked out {m}"), &o, json);
    }
}

async fn disabled_user(scan: &mut Scan) {
    scan.flow("disabled-user");
    let emu = start().await;
    for json in [false, true] {
        let o = output(with_json(login_user(emu.base_url(), "erin"), json)).await;
        assert_exit(&o, exit::USER_DISABLED);
        scan.login(&format!("erin {}", mode(json)), &o, json);
    }
}

async fn logout_flow(scan: &mut Scan) {
    scan.flow("logout");
    let emu = start().await;
    let base = emu.base_url();
    let token = alice_token(scan, base).await;
    let o = output(with_token(&["logout"], base, &token)).await;
    assert_exit(&o, 0);
    scan.run("logout (DOCSPACE_TOKEN)", &o, &[]);
    let o = output(with_token(&["logout"], base, &token)).await;
    assert_exit(&o, exit::TOKEN_INVALID);
    scan.run("logout again", &o, &[]);
    for json in [false, true] {
        let o = output(with_json(with_token(&["me"], base, &token), json)).await;
        assert_exit(&o, exit::TOKEN_INVALID);
        scan.run(
            &format!("me with the revoked token {}", mode(json)),
            &o,
            &[],
        );
    }
    // The token from stdin, and from a JSON file.
    let token = alice_token(scan, base).await;
    let c = cmd(&["logout", "--portal", base, "--token-file", "-"]);
    let o = output_with_stdin(c, &format!("{token}\n")).await;
    assert_exit(&o, 0);
    scan.run("logout --token-file -", &o, &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token.json");
    let mut c = login_user(base, "alice");
    c.args(["--json", "--output"]).arg(&file);
    let o = output(c).await;
    assert_exit(&o, 0);
    let text = std::fs::read_to_string(&file).expect("file");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    scan.secret(
        "token written to --output",
        v["token"].as_str().expect("token"),
    );
    scan.run("login --json --output", &o, &[]);
    let mut c = cmd(&["logout", "--portal", base, "--token-file"]);
    c.arg(&file);
    let o = output(c).await;
    assert_exit(&o, 0);
    scan.run("logout --token-file FILE", &o, &[]);
}

async fn local_input(scan: &mut Scan) {
    scan.flow("local-input");
    let emu = start().await;
    let base = emu.base_url();
    scan.codes_around_now(BOB_KEY);
    for json in [false, true] {
        let m = mode(json);
        // Lines that are not codes, then the code.
        let typed = ["alice-pass", "1234567", "12 34 5x", "aB3-x_!"];
        for t in typed {
            scan.secret("malformed code", t);
        }
        let input = format!("{}\n{}\n", typed.join("\n"), totp_now(BOB_KEY));
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &input).await;
        assert_exit(&o, 0);
        scan.login(&format!("malformed codes, then the code {m}"), &o, json);

        for key in ["not base32: bob-pass", "IFREGZCFMYWV6MJ1"] {
            scan.secret("bad TOTP key", key);
            let c = with_json(login_with_key_env(base, "bob", "BOB_KEY", key), json);
            let o = output(c).await;
            assert!(!o.status.success());
            scan.login(&format!("login with a bad key {m}"), &o, json);
            let mut c = with_json(cmd(&["totp"]), json);
            c.env("DOCSPACE_TOTP_SECRET", key);
            let o = output(c).await;
            assert!(!o.status.success());
            scan.run(&format!("totp with a bad key {m}"), &o, &[]);
            let c = with_json(cmd(&["totp", "--secret-stdin"]), json);
            let o = output_with_stdin(c, &format!("{key}\n")).await;
            assert!(!o.status.success());
            scan.run(&format!("totp --secret-stdin with a bad key {m}"), &o, &[]);
        }
        for token in ["token with spaces", "tökén-secret"] {
            scan.secret("bad token", token);
            let o = output(with_json(with_token(&["me"], base, token), json)).await;
            assert!(!o.status.success());
            scan.run(&format!("me with a bad token {m}"), &o, &[]);
        }
        for url in [
            "http://carol:carol-pass@127.0.0.1:1",
            "https://erin:erin-pass@portal.example.com",
        ] {
            let o = output(with_json(login_user(url, "alice"), json)).await;
            assert_exit(&o, exit::USAGE);
            scan.login(&format!("login --portal with credentials {m}"), &o, json);
        }
    }
}

async fn totp_flow(scan: &mut Scan) {
    scan.flow("totp");
    for key in [BOB_KEY, CAROL_KEY] {
        scan.codes_around_now(key);
        for json in [false, true] {
            let m = mode(json);
            let mut env = with_json(cmd(&["totp"]), json);
            env.env("DOCSPACE_TOTP_SECRET", key);
            let mut var = with_json(cmd(&["totp", "--secret-env", "MY_KEY"]), json);
            var.env("MY_KEY", key);
            for (how, o) in [
                ("DOCSPACE_TOTP_SECRET", output(env).await),
                ("--secret-env", output(var).await),
                (
                    "--secret-stdin",
                    output_with_stdin(
                        with_json(cmd(&["totp", "--secret-stdin"]), json),
                        &format!("{key}\n"),
                    )
                    .await,
                ),
            ] {
                assert_exit(&o, 0);
                let out = stdout(&o);
                // Asked for: the code on stdout.
                let code = if json {
                    let v: Value = serde_json::from_str(&out).expect("JSON");
                    v["code"].as_str().expect("code").to_owned()
                } else {
                    out.trim_end().to_owned()
                };
                assert_eq!(code.len(), 6, "{out}");
                scan.secret("TOTP code printed", &code);
                scan.run(&format!("totp {how} {m}"), &o, &[code]);
            }
        }
    }
}

/// The `passwordHash` of `password` with the fixture portal's parameters (what
/// `login --hash-password` sends: a secret as good as the password).
fn password_hash(password: &str) -> String {
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(USERS).expect("users file")).expect("JSON");
    let p = &fixture["portal"]["passwordHash"];
    let params = docspace_auth::PasswordHashParams {
        salt: p["salt"].as_str().expect("salt").to_owned(),
        iterations: p["iterations"].as_u64().expect("iterations") as u32,
        size: p["size"].as_u64().expect("size") as u32,
    };
    let hash = params
        .hash(&SecretString::from(password.to_owned()))
        .expect("hash");
    hash.expose_secret().to_owned()
}

/// `sessions` with the token in DOCSPACE_TOKEN.
fn sessions_cmd(base: &str, token: &str, args: &[&str]) -> tokio::process::Command {
    let mut c = with_token(&["sessions"], base, token);
    c.args(args);
    c
}

/// The portal shapes (docs/protocol.md §10–§17) from a shell: `portal`, `login --hash-password`,
/// the lockout's message (the CLI has no captcha option), `login --sso` with the address pasted
/// back and the SSO logout, the phone activation with `--phone`, a login with a regenerated
/// backup code, `sessions` listed and ended.
async fn portal_shapes(scan: &mut Scan) {
    scan.flow("portal-shapes");
    // Never given to the CLI, but a portal answer or a message must not show them either.
    scan.secret("captcha answer", "captcha-ok");
    scan.secret("captcha answer (wrong)", "wrong-captcha-answer");
    scan.secret("password of heidi", "heidi-pass");
    scan.secret("password of grace", "grace-pass");
    scan.secret("wrong password", "alice-typo");
    scan.secret("wrong password", "carol-typo");
    for (name, password) in PASSWORDS
        .into_iter()
        .chain([("grace", "grace-pass"), ("alice (wrong)", "alice-typo")])
    {
        scan.secret(format!("password hash of {name}"), password_hash(password));
    }
    scan.codes_around_now(BOB_KEY);
    for json in [false, true] {
        let m = mode(json);
        let emu = start().await;
        let base = emu.base_url();

        // Discovery.
        let o = output(with_json(cmd(&["portal", "--portal", base]), json)).await;
        assert_exit(&o, 0);
        scan.run(&format!("portal {m}"), &o, &[]);

        // Hashed logins: Alice, a wrong password, Bob with his key, Grace (LDAP: refused).
        let hashed = |c: tokio::process::Command| {
            let mut c = with_json(c, json);
            c.arg("--hash-password");
            c
        };
        let o = output(hashed(login_user(base, "alice"))).await;
        assert_exit(&o, 0);
        let alice = scan
            .login(&format!("login --hash-password alice {m}"), &o, json)
            .expect("a token");
        let o = output(hashed(login_as(base, "alice@example.com", "alice-typo"))).await;
        assert_exit(&o, exit::BAD_CREDENTIALS);
        scan.login(
            &format!("login --hash-password, wrong password {m}"),
            &o,
            json,
        );
        let o = output(hashed(login_with_key_env(base, "bob", "BOB_KEY", BOB_KEY))).await;
        assert_exit(&o, 0);
        let bob = scan
            .login(
                &format!("login --hash-password bob --totp-secret-env {m}"),
                &o,
                json,
            )
            .expect("a token");
        let o = output(hashed(login_user(base, "grace"))).await;
        assert_exit(&o, exit::BAD_CREDENTIALS);
        scan.login(&format!("login --hash-password grace (LDAP) {m}"), &o, json);

        // Backup codes regenerated (through the library: the CLI never shows them), then one
        // typed at the code prompt.
        let session =
            docspace_auth::Auth::resume(base, SecretString::from(bob.clone())).expect("resume");
        let fresh = session
            .regenerate_backup_codes()
            .await
            .expect("regenerated");
        for code in &fresh {
            scan.secret("backup code (regenerated)", code.code.expose_secret());
        }
        let code = fresh[0].code.expose_secret().to_owned();
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &format!("{code}\n")).await;
        assert_exit(&o, 0);
        scan.login(
            &format!("login with a regenerated backup code {m}"),
            &o,
            json,
        );
        let input = format!("{code}\n{code}\n{code}\n");
        let o = output_with_stdin(login_code_stdin(base, "bob", json), &input).await;
        assert_exit(&o, exit::CODE_REJECTED);
        scan.login(
            &format!("login with a used regenerated backup code {m}"),
            &o,
            json,
        );

        // SSO: the address the web view ends on holds the token; then the SSO logout.
        let end = sso_end(base, "frank@example.com").await;
        let url = reqwest::Url::parse(&end).expect("the end address");
        let (_, token) = url
            .query_pairs()
            .find(|(k, _)| k == "token")
            .expect("a token in the address");
        scan.secret("token in the SSO address", token.as_ref());
        let c = with_json(cmd(&["login", "--portal", base, "--sso"]), json);
        let o = output_with_stdin(c, &format!("{end}\n")).await;
        assert_exit(&o, 0);
        let frank = scan
            .login(&format!("login --sso {m}"), &o, json)
            .expect("a token");
        assert_eq!(frank, token, "the token of the address");
        let o = output(with_token(&["logout"], base, &frank)).await;
        assert_exit(&o, 0);
        assert!(stderr(&o).contains("/sso/slo?"), "{}", stderr(&o));
        scan.run(
            &format!("logout of the SSO token (the SLO address) {m}"),
            &o,
            &[],
        );
        let end = sso_end(base, "ivan@example.com").await;
        let c = with_json(cmd(&["login", "--portal", base, "--sso"]), json);
        let o = output_with_stdin(c, &format!("{end}\n")).await;
        assert_exit(&o, exit::SSO);
        scan.login(&format!("login --sso, the SSO error page {m}"), &o, json);
        let foreign = "https://elsewhere.example.com/?token=foreign-token-value";
        scan.secret("token in a foreign address", "foreign-token-value");
        let c = with_json(cmd(&["login", "--portal", base, "--sso"]), json);
        let o = output_with_stdin(c, &format!("{foreign}\n")).await;
        assert_exit(&o, exit::USAGE);
        scan.login(&format!("login --sso, another address {m}"), &o, json);

        // Phone activation: a number without digits, then the number and the SMS code.
        let mut c = with_json(login(base, "heidi@example.com"), json);
        c.args(["--password-stdin", "--code-stdin", "--phone", "no digits"]);
        let o = output_with_stdin(c, "heidi-pass\n").await;
        assert_exit(&o, exit::USAGE);
        scan.login(&format!("heidi --phone without digits {m}"), &o, json);
        let mut c = with_json(login(base, "heidi@example.com"), json);
        c.args([
            "--password-stdin",
            "--code-stdin",
            "--phone",
            "+1 555 765 4321",
        ]);
        let before = control(base).sms_sent_to("+15557654321").len();
        let (child, mut stdin) = spawn_with_stdin(c);
        send(&mut stdin, "heidi-pass\n").await;
        for _ in 0..500 {
            if control(base).sms_sent_to("+15557654321").len() > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let sent = control(base).sms_sent_to("+15557654321");
        let code = sent.last().expect("an SMS to the new phone").code.clone();
        send(&mut stdin, &format!("{code}\n")).await;
        drop(stdin);
        let o = wait(child).await;
        assert_exit(&o, 0);
        for sms in control(base).sms_sent_to("+15557654321") {
            scan.secret("SMS code (phone activation)", sms.code);
        }
        scan.login(&format!("heidi --phone, then the SMS code {m}"), &o, json);

        // Active sessions: listed, this one refused, another one ended, then the others.
        let other = alice_token(scan, base).await;
        let o = output(with_json(sessions_cmd(base, &alice, &[]), json)).await;
        assert_exit(&o, 0);
        scan.run(&format!("sessions {m}"), &o, &[]);
        let list = |o: &Output| -> Vec<Value> { serde_json::from_str(&stdout(o)).expect("JSON") };
        let o = output(sessions_cmd(base, &alice, &["--json"])).await;
        assert_exit(&o, 0);
        scan.run(&format!("sessions --json (the ids) {m}"), &o, &[]);
        let this_id = list(&o)
            .iter()
            .find(|s| s["current"] == true)
            .and_then(|s| s["id"].as_i64())
            .expect("the current session");
        let o = output(sessions_cmd(base, &other, &["--json"])).await;
        assert_exit(&o, 0);
        scan.run(&format!("sessions --json of another session {m}"), &o, &[]);
        let other_id = list(&o)
            .iter()
            .find(|s| s["current"] == true)
            .and_then(|s| s["id"].as_i64())
            .expect("the other session");
        let o = output(sessions_cmd(base, &alice, &["--end", &this_id.to_string()])).await;
        assert_exit(&o, exit::USAGE);
        scan.run(&format!("sessions --end (this one) {m}"), &o, &[]);
        let o = output(sessions_cmd(
            base,
            &alice,
            &["--end", &other_id.to_string()],
        ))
        .await;
        assert_exit(&o, 0);
        scan.run(&format!("sessions --end (another one) {m}"), &o, &[]);
        let o = output(sessions_cmd(base, &alice, &["--end-others"])).await;
        assert_exit(&o, 0);
        scan.run(&format!("sessions --end-others {m}"), &o, &[]);
        let o = output(with_token(&["logout"], base, &alice)).await;
        assert_exit(&o, 0);
        scan.run(&format!("logout {m}"), &o, &[]);
    }

    // Locked out after one wrong password: the lockout's message (exit 11), even for the right
    // password. The captcha that would let an app through has no option in the CLI.
    for json in [false, true] {
        let m = mode(json);
        let mut config = config();
        config.lockout.attempt_count = 1;
        let emu = start_with(config).await;
        let base = emu.base_url();
        let mut locked = false;
        for i in 0..2 {
            let o = output(with_json(
                login_as(base, "carol@example.com", "carol-typo"),
                json,
            ))
            .await;
            assert!(!o.status.success());
            locked |= o.status.code() == Some(exit::LOCKED_OUT);
            scan.login(&format!("carol wrong password #{i} {m}"), &o, json);
        }
        assert!(locked, "locked out after a wrong password");
        let o = output(with_json(login_user(base, "carol"), json)).await;
        assert_exit(&o, exit::LOCKED_OUT);
        assert!(stderr(&o).contains("captcha"), "{}", stderr(&o));
        scan.login(&format!("the right password, locked out {m}"), &o, json);
    }
}

/// A fault (its JSON form, without `path`) for a request that carried `secrets`.
type Shape = Box<dyn Fn(&[String]) -> Value>;

fn fixed(fault: Value) -> Shape {
    Box::new(move |_| fault.clone())
}

fn error_envelope(message: &str, status: u16) -> String {
    json!({
        "error": {"message": message, "type": null, "stack": null, "hresult": 0},
        "status": 1,
        "statusCode": status,
    })
    .to_string()
}

/// `status` with an error envelope repeating the secrets, and `headers`.
fn echo(status: u16, headers: Value) -> Shape {
    Box::new(move |secrets| {
        json!({
            "kind": "status",
            "status": status,
            "headers": headers,
            "body": error_envelope(&format!("you sent {}", secrets.join(" and ")), status),
        })
    })
}

/// A 403 repeating the secrets in one form.
fn echo_403(form: fn(&str) -> String) -> Shape {
    Box::new(move |secrets| {
        let shown: Vec<String> = secrets.iter().map(|s| form(s)).collect();
        json!({
            "kind": "status",
            "status": 403,
            "body": error_envelope(&format!("Access denied for {}", shown.join(" / ")), 403),
        })
    })
}

/// A 200 with `body(secrets joined by a space)`.
fn ok_body(body: fn(&str) -> Value) -> Shape {
    Box::new(
        move |secrets| json!({"kind": "status", "status": 200, "body": body(&secrets.join(" ")).to_string()}),
    )
}

fn fault_flows() -> Vec<(&'static str, Vec<Shape>)> {
    vec![
        (
            "fault-delay",
            vec![fixed(json!({"kind": "delay", "delayMs": 2500}))],
        ),
        ("fault-drop", vec![fixed(json!({"kind": "drop"}))]),
        ("fault-html", vec![fixed(json!({"kind": "html"}))]),
        (
            "fault-malformed-json",
            vec![fixed(json!({"kind": "malformedJson"}))],
        ),
        ("fault-oversized", vec![fixed(json!({"kind": "oversized"}))]),
        (
            "fault-redirect",
            vec![
                fixed(json!({"kind": "redirect"})),
                Box::new(|secrets: &[String]| {
                    let query: Vec<String> = secrets.iter().map(|s| percent(s)).collect();
                    json!({
                        "kind": "redirect",
                        "location": format!("http://127.0.0.1:1/steal?s={}", query.join(",")),
                    })
                }),
            ],
        ),
        (
            "fault-status-4xx",
            vec![
                echo(400, json!({})),
                echo(401, json!({})),
                echo(404, json!({})),
            ],
        ),
        (
            "fault-status-429",
            vec![
                echo(429, json!({"Retry-After": "7"})),
                echo(429, json!({"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"})),
            ],
        ),
        (
            "fault-status-5xx",
            vec![
                echo(500, json!({})),
                echo(502, json!({})),
                echo(503, json!({"Retry-After": "3"})),
            ],
        ),
        (
            "fault-403-echo",
            vec![
                echo_403(|s| s.to_owned()),
                echo_403(|s| s.to_uppercase()),
                echo_403(|s| {
                    let json = serde_json::to_string(s).expect("string");
                    json[1..json.len() - 1].to_owned()
                }),
                echo_403(json_escaped_ascii),
                echo_403(percent),
                echo_403(|s| percent(s).to_uppercase().replace("%20", "+")),
            ],
        ),
        (
            "fault-200-echo",
            vec![
                ok_body(|s| json!({"response": s, "status": 0, "statusCode": 200})),
                ok_body(|s| {
                    json!({"response": {"token": format!("{s} x"), "expires": "2099-01-01T00:00:00Z",
                        "sms": false, "tfa": false}, "status": 0, "statusCode": 200})
                }),
                ok_body(|s| {
                    json!({"response": {"tfa": true, "tfaKey": format!("{s}!"), "sms": false},
                        "status": 0, "statusCode": 200})
                }),
                ok_body(|s| {
                    json!({"response": {"token": s}, "status": 1, "statusCode": 200,
                        "error": {"message": s}})
                }),
            ],
        ),
    ]
}

/// Installs `shape` built for `secrets`, on requests whose path starts with `path`.
async fn install(base: &str, shape: &Shape, path: &str, secrets: &[String]) {
    let mut rule = shape(secrets);
    rule["path"] = json!(path);
    fault(base, rule).await;
}

/// One fault flow: each shape on each kind of request the CLI makes, in both modes.
async fn fault_flow(scan: &mut Scan, name: &'static str, shapes: &[Shape]) {
    scan.flow(name);
    let emu = start().await;
    let base = emu.base_url();
    scan.codes_around_now(BOB_KEY);
    let now = unix_now();
    let bob_codes: Vec<String> = (0..=4u64)
        .map(|s| totp_at(BOB_KEY, now + s * 30 - 60))
        .collect();
    let s = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let auth = "/api/2.0/authentication";
    for (i, shape) in shapes.iter().enumerate() {
        for json in [false, true] {
            let m = mode(json);
            let what = |call: &str| format!("{call} under shape #{i} {m}");
            // The password step, a fixture password and one that needs escaping.
            for password in ["alice-pass", WEIRD_PASSWORD] {
                scan.secret("password", password);
                install(base, shape, auth, &s(&[password])).await;
                let mut c = with_json(login_as(base, "alice@example.com", password), json);
                c.args(["--timeout", "1"]);
                let o = output(c).await;
                scan.login(&what("login"), &o, json);
            }
            // The code step (the code the CLI computes is one of `bob_codes`).
            let mut secrets = s(&["bob-pass"]);
            secrets.extend(bob_codes.iter().cloned());
            install(base, shape, &format!("{auth}/"), &secrets).await;
            let mut c = with_json(login_with_key_env(base, "bob", "BOB_KEY", BOB_KEY), json);
            c.args(["--timeout", "1"]);
            let o = output(c).await;
            scan.login(&what("confirm"), &o, json);
            // The SMS resend (the CLI says it could not, then takes the code sent at login).
            install(base, shape, &format!("{auth}/sendsms"), &s(&["dave-pass"])).await;
            let mut c = login_code_stdin(base, "dave", json);
            c.args(["--timeout", "1"]);
            let before = sms_codes(base).await.len();
            let (child, mut stdin) = spawn_with_stdin(c);
            let codes = wait_for_sms(base, before + 1).await;
            // The CLI reads the next line only once the resend has failed.
            let code = codes.last().expect("a code");
            send(&mut stdin, &format!("r\n{code}\n")).await;
            drop(stdin);
            let o = wait(child).await;
            scan.sms_sent(base).await;
            scan.login(&what("resend"), &o, json);
            // `login --json` reads the profile after the token: a fault there. That request
            // carries only the new token, unknown here, so the echo repeats nothing.
            if json {
                install(base, shape, "/api/2.0/people", &[]).await;
                let mut c = login_user(base, "alice");
                c.args(["--json", "--timeout", "1"]);
                let o = output(c).await;
                scan.login(&what("login, then me"), &o, json);
            }
            // The commands with a token.
            let token = alice_token(scan, base).await;
            install(base, shape, "/api/2.0/people", std::slice::from_ref(&token)).await;
            let mut c = with_json(with_token(&["me"], base, &token), json);
            c.args(["--timeout", "1"]);
            scan.run(&what("me"), &output(c).await, &[]);
            if !json {
                // `logout`: the token check, then the logout itself.
                for path in [auth, &format!("{auth}/logout")] {
                    let token = alice_token(scan, base).await;
                    install(base, shape, path, std::slice::from_ref(&token)).await;
                    let mut c = with_token(&["logout"], base, &token);
                    c.args(["--timeout", "1"]);
                    scan.run(
                        &what(&format!("logout, fault on {path}")),
                        &output(c).await,
                        &[],
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_anything_the_cli_prints_unless_asked_for() {
    let mut scan = Scan::default();

    // The scanner finds what it looks for, and lets through what was asked for.
    scan.secret("self-test", WEIRD_PASSWORD);
    scan.secret("self-test code", "482913");
    for planted in [
        format!("x{WEIRD_PASSWORD}x"),
        format!("x{}x", WEIRD_PASSWORD.to_uppercase()),
        format!("x{}x", percent(WEIRD_PASSWORD).to_uppercase()),
        serde_json::to_string(WEIRD_PASSWORD).expect("json"),
        format!("x{}x", json_escaped_ascii(WEIRD_PASSWORD)),
        "code: 482913.".to_owned(),
    ] {
        assert!(!scan.leaks_in(&planted, &[]).is_empty(), "{planted}");
    }
    assert!(scan.leaks_in("482913\n", &["482913".into()]).is_empty());
    assert!(scan.leaks_in("tv_nsec: 1482913000", &[]).is_empty());
    scan.secrets.clear();

    // The fixture secrets are known whether or not a flow meets them.
    for (name, password) in PASSWORDS {
        scan.secret(format!("password of {name}"), password);
    }
    scan.secret("Bob's TOTP key", BOB_KEY);
    scan.secret("Carol's TOTP key", CAROL_KEY);
    for code in BOB_BACKUP {
        scan.secret("Bob's backup code", code);
    }

    plain_login(&mut scan).await;
    app_2fa(&mut scan).await;
    enrolment(&mut scan).await;
    backup_code(&mut scan).await;
    sms(&mut scan).await;
    sms_resend(&mut scan).await;
    wrong_password(&mut scan).await;
    wrong_code_flow(&mut scan).await;
    lockout(&mut scan).await;
    disabled_user(&mut scan).await;
    logout_flow(&mut scan).await;
    local_input(&mut scan).await;
    totp_flow(&mut scan).await;
    portal_shapes(&mut scan).await;
    for (name, shapes) in fault_flows() {
        fault_flow(&mut scan, name, &shapes).await;
    }

    assert_eq!(scan.flows, listed_flows(), "every listed flow, in order");
    let count = |prefix: &str| {
        scan.secrets
            .iter()
            .filter(|(what, _)| what.starts_with(prefix))
            .count()
    };
    assert!(count("token") >= 30, "tokens: {}", count("token"));
    assert!(count("SMS code") >= 10, "SMS codes: {}", count("SMS code"));
    assert!(
        count("backup code") >= 10,
        "backup codes: {}",
        count("backup code")
    );

    if let Some(path) = std::env::var_os("SECRET_SCAN_DUMP") {
        let dump: String = scan
            .captured
            .iter()
            .map(|c| {
                format!(
                    "== {} (asked for: {})\n{}\n",
                    c.what,
                    c.allowed.len(),
                    c.text
                )
            })
            .collect();
        std::fs::write(path, dump).expect("dump written");
    }
    let mut leaks = Vec::new();
    for c in &scan.captured {
        for leak in scan.leaks_in(&c.text, &c.allowed) {
            leaks.push(format!("{}: {leak}\n    in: {}", c.what, c.text));
        }
    }
    let summary = format!(
        "secret scan (CLI): {} flows, {} runs, {} captured outputs, {} known secrets, {} secrets found",
        scan.flows.len(),
        scan.runs,
        scan.captured.len(),
        scan.secrets.count(),
        leaks.len()
    );
    // Straight to stderr: libtest captures `eprintln!`, not this.
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(leaks.is_empty(), "{summary}:\n{}", leaks.join("\n"));
}
