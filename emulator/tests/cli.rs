//! The binary's contract: first line, `--tls` with the CA file, SIGTERM ⇒ exit 0,
//! malformed users file or port in use ⇒ clear error and non-zero exit.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_docspace-emulator");

fn fixture() -> String {
    format!(
        "{}/../tests/fixtures/users.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

struct Running {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Running {
    /// Reads the first stdout line, `listening on <base URL>`, and returns the base URL.
    fn base_url(&mut self) -> String {
        let first = self.lines.next().unwrap().unwrap();
        first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .to_string()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn emulator");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    Running { child, lines }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("emulator did not exit within 5 s");
}

#[tokio::test]
async fn first_line_serves_and_sigterm_exits_zero() {
    let users = fixture();
    let mut run = spawn(&["--listen", "127.0.0.1:0", "--users", &users]);
    let base = run.base_url();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let c = client();
    let r = login_as(&c, &base, ALICE).await;
    assert_eq!(r.status, 200);
    sigterm(&run.child);
    let st = wait_exit(&mut run.child);
    assert_eq!(st.code(), Some(0));
}

#[tokio::test]
async fn tuning_flags_apply() {
    let users = fixture();
    let mut run = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--users",
        &users,
        "--lockout-attempts",
        "1",
        "--lockout-window-secs",
        "10",
        "--lockout-block-secs",
        "10",
        "--code-attempts",
        "1",
        "--code-window-secs",
        "10",
        "--token-lifetime-secs",
        "30",
        "--sms-validity-secs",
        "20",
    ]);
    let base = run.base_url();
    let c = client();
    assert_eq!(login(&c, &base, "alice@example.com", "x").await.status, 401);
    assert_eq!(login(&c, &base, "alice@example.com", "x").await.status, 403);
    let t = login_as(&c, &base, BOB).await;
    assert_eq!(t.status, 200);
    assert_eq!(code_as(&c, &base, BOB, "000000").await.status, 401);
    assert_eq!(code_as(&c, &base, BOB, "Qw9_zz").await.status, 401);
    advance_over_http(&c, &base, 11).await;
    let tok = code_as(&c, &base, BOB, "Qw9_zz").await.token();
    advance_over_http(&c, &base, 31).await;
    let r = get_auth(&c, &format!("{base}/api/2.0/authentication"), &tok).await;
    assert_eq!(r.response(), false);
    sigterm(&run.child);
    assert_eq!(wait_exit(&mut run.child).code(), Some(0));
}

#[tokio::test]
async fn tls_flag_prints_the_ca_path() {
    let users = fixture();
    let mut run = spawn(&["--listen", "127.0.0.1:0", "--users", &users, "--tls"]);
    let base = run.base_url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let second = run.lines.next().unwrap().unwrap();
    let path = second
        .strip_prefix("ca certificate: ")
        .expect(&second)
        .to_string();
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.contains("BEGIN CERTIFICATE"));
    let c = tls_client(&pem);
    let r = login_as(&c, &base, ALICE).await;
    assert_eq!(r.status, 200);
    // plain HTTP to the TLS port does not get an API answer
    let plain = client()
        .get(base.replace("https://", "http://") + "/api/2.0/authentication")
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    sigterm(&run.child);
    assert_eq!(wait_exit(&mut run.child).code(), Some(0));
}

fn expect_failure(args: &[&str], needle: &str) {
    let mut run = spawn(args);
    let st = wait_exit(&mut run.child);
    assert!(!st.success(), "should fail: {args:?}");
    let mut err = String::new();
    run.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    let mut out = String::new();
    while let Some(Ok(l)) = run.lines.next() {
        out.push_str(&l);
    }
    assert!(!out.contains("listening on"), "{out}");
}

#[test]
fn malformed_users_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("docspace-emu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "broken.json",
            r#"{"users": [ {"email": "a@b.c", "#,
            "malformed users JSON",
        ),
        (
            "badtfa.json",
            r#"{"users":[{"email":"a@b.c","password":"p","tfa":"fax"}]}"#,
            "unknown variant",
        ),
        (
            "typo.json",
            r#"{"users":[{"email":"a@b.c","password":"p","tfa":"app","totpSecrett":"X"}]}"#,
            "unknown field",
        ),
        (
            "secret.json",
            r#"{"users":[{"email":"a@b.c","password":"p","tfa":"app","totpSecret":"not base32!"}]}"#,
            "totpSecret",
        ),
        (
            "dup.json",
            r#"{"users":[{"email":"a@b.c","password":"p","tfa":"none"},{"email":"A@b.c","password":"q","tfa":"none"}]}"#,
            "duplicate",
        ),
    ];
    for (name, content, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        expect_failure(
            &["--listen", "127.0.0.1:0", "--users", path.to_str().unwrap()],
            needle,
        );
    }
    expect_failure(
        &[
            "--listen",
            "127.0.0.1:0",
            "--users",
            dir.join("missing.json").to_str().unwrap(),
        ],
        "cannot read users file",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    expect_failure(
        &["--listen", &addr, "--users", &fixture()],
        "cannot listen on",
    );
}
