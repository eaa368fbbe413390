//! Interactive flows through a pseudo-terminal: hidden prompts, a wrong code then the right one
//! on the same pending login, enrolment QR code, SMS resend, Ctrl-C.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{ControlCode, Eof, Expect, Session};

/// The binary on a fresh pseudo-terminal, with echo switched on first (as in a normal shell)
/// so that anything not hidden would show up in the transcript.
struct Tty {
    session: OsSession,
    transcript: String,
}

impl Tty {
    fn spawn(args: &[&str]) -> Tty {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("stty echo icanon isig && exec \"$0\" \"$@\"")
            .arg(BIN)
            .args(args);
        for var in DOCSPACE_VARS {
            c.env_remove(var);
        }
        let mut session = Session::spawn(c).expect("spawn on a pty");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Tty {
            session,
            transcript: String::new(),
        }
    }

    /// `login --portal BASE --user USER`, up to the password prompt.
    fn login(base: &str, user: &str) -> Tty {
        let mut tty = Tty::spawn(&["login", "--portal", base, "--user", user]);
        tty.expect(&format!("Password for {user}: "));
        tty
    }

    fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self
                .transcript
                .push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("{text:?} not seen ({e}); so far:\n{}", self.transcript),
        }
    }

    fn send_line(&mut self, line: &str) {
        self.session.send_line(line).unwrap();
    }

    /// Waits until the terminal's echo is off (the prompt is hiding what is typed).
    fn wait_echo_off(&mut self) {
        let start = Instant::now();
        while self.session.get_process().get_echo().unwrap() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "echo stays on at the prompt"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Reads to the end and returns the exit code.
    fn finish(&mut self) -> i32 {
        let rest = self.session.expect(Eof).expect("the command ends");
        self.transcript
            .push_str(&String::from_utf8_lossy(rest.as_bytes()));
        match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("{other:?}; transcript:\n{}", self.transcript),
        }
    }

    fn echo_is_on(&self) -> bool {
        self.session.get_process().get_echo().unwrap()
    }

    /// Reads to the end: the exit code and the whole transcript.
    fn done(mut self) -> (i32, String) {
        let code = self.finish();
        (code, self.transcript)
    }
}

/// Runs a blocking pty conversation while the emulator keeps serving on the runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// Does `act` at alice's hidden password prompt, then reads to the end: the exit code, whether
/// the terminal's echo is back on, and the transcript.
async fn at_the_password_prompt(
    base: String,
    act: impl FnOnce(&mut Tty) + Send + 'static,
) -> (i32, bool, String) {
    blocking(move || {
        let mut tty = Tty::login(&base, "alice@example.com");
        tty.wait_echo_off();
        act(&mut tty);
        let code = tty.finish();
        (code, tty.echo_is_on(), tty.transcript)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_password_prompt_wrong_code_then_right_code() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let wrong = wrong_code(BOB_KEY);
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::login(&base, "bob@example.com");
        tty.wait_echo_off();
        tty.send_line("bob-pass");
        tty.expect("authenticator app");
        tty.expect("Code: ");
        tty.wait_echo_off();
        tty.send_line(&wrong);
        tty.expect("The code was rejected");
        tty.expect("2 attempt(s) left");
        tty.expect("Code: ");
        tty.send_line(&totp_now(BOB_KEY));
        let code = tty.finish();
        assert!(tty.echo_is_on(), "the terminal's echo is back on");
        (code, tty.transcript)
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(
        !transcript.contains("bob-pass"),
        "password echoed: {transcript}"
    );
    assert!(
        !transcript.contains(&wrong_code(BOB_KEY)),
        "code echoed: {transcript}"
    );
    let token = transcript
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap();
    assert_eq!(token_email(emu.base_url(), token).await, "bob@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carol_enrolment_shows_the_qr_code_key_and_uri() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::login(&base, "carol@example.com");
        tty.send_line("carol-pass");
        tty.expect("Scan this QR code");
        tty.expect(&format!("add this key by hand: {CAROL_KEY}"));
        tty.expect("otpauth://totp/127.0.0.1:carol%40example.com?secret=");
        tty.expect("Code: ");
        tty.send_line(&totp_now(CAROL_KEY));
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains('▀') || transcript.contains('▄'),
        "{transcript}"
    );
}

/// Issue 10 #3: a step-1 answer whose `tfaKey` is not Base32 (here it would override the issuer
/// in the otpauth URI and clear the screen) is an unexpected answer: on a terminal, where an
/// enrolment key is shown, neither the key nor its escape sequence is written, and no QR code
/// is drawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tfa_key_that_is_not_base32_never_reaches_the_terminal() {
    let emu = start().await;
    let answer = serde_json::json!({
        "response": {"tfa": true, "tfaKey": "ABC&issuer=Evil\u{1b}[2J",
                     "confirmUrl": "https://portal.example/confirm"},
        "status": 0, "statusCode": 200,
    });
    fault(
        emu.base_url(),
        serde_json::json!({"kind": "status", "status": 200, "body": answer.to_string(),
                           "path": "/api/2.0/authentication"}),
    )
    .await;
    let base = emu.base_url().to_owned();
    let (code, transcript) = blocking(move || {
        let user = "carol@example.com";
        let args = [
            "login",
            "--portal",
            &base,
            "--user",
            user,
            "--max-attempts",
            "1",
        ];
        let mut tty = Tty::spawn(&args);
        tty.expect(&format!("Password for {user}: "));
        tty.send_line("carol-pass");
        // Were the key shown, a code would be asked for next: one wrong code ends it.
        tty.send_line("000000");
        tty.done()
    })
    .await;
    assert!(
        !transcript.contains('\u{1b}'),
        "an escape was written: {transcript:?}"
    );
    assert!(
        !transcript.contains("Evil"),
        "the key was written: {transcript:?}"
    );
    assert!(
        !transcript.contains('▀') && !transcript.contains('▄'),
        "a QR code was drawn: {transcript}"
    );
    assert_eq!(code, exit::SERVER, "{transcript}");
    assert!(transcript.contains("tfaKey"), "{transcript}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dave_asks_for_a_new_sms_at_the_prompt() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let runtime = tokio::runtime::Handle::current();
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::login(&base, "dave@example.com");
        tty.send_line("dave-pass");
        tty.expect("sent by SMS to +1555");
        tty.expect("Code (or r for a new SMS): ");
        tty.send_line("r");
        tty.expect("A new code was sent");
        let codes = runtime.block_on(wait_for_sms(&base, 2));
        tty.expect("Code (or r for a new SMS): ");
        tty.send_line(&codes[1]);
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_at_a_prompt_exits_130_and_restores_the_terminal() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let (code, echo, transcript) = at_the_password_prompt(base, |tty| {
        tty.session.send(ControlCode::EndOfText).unwrap();
    })
    .await;
    assert_eq!(code, exit::INTERRUPTED, "{transcript}");
    assert!(echo, "echo restored after Ctrl-C");
    assert!(transcript.contains("error: interrupted"), "{transcript}");
    assert!(!transcript.contains("panicked"), "{transcript}");

    // And at the code prompt, after the password.
    let base = emu.base_url().to_owned();
    let (code, echo) = blocking(move || {
        let mut tty = Tty::login(&base, "bob@example.com");
        tty.send_line("bob-pass");
        tty.expect("Code: ");
        tty.wait_echo_off();
        tty.session.send(ControlCode::EndOfText).unwrap();
        (tty.finish(), tty.echo_is_on())
    })
    .await;
    assert_eq!(code, exit::INTERRUPTED);
    assert!(echo);
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_demo_asks_for_the_code() {
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::spawn(&["demo", "--interactive"]);
        tty.expect("or add this key by hand: ");
        let key = match tty.session.expect("\n") {
            Ok(found) => String::from_utf8_lossy(found.before()).trim().to_owned(),
            Err(e) => panic!("no key: {e}"),
        };
        tty.expect("Code: ");
        tty.send_line(&wrong_code(&key));
        tty.expect("The code was rejected");
        tty.expect("Code: ");
        tty.send_line(&totp_now(&key));
        tty.expect("[5/7] Authenticated");
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("Demo complete"), "{transcript}");
}

/// `--password-stdin`, `--code-stdin`, `totp --secret-stdin` and `--token-file -` typed at a
/// terminal: the input is hidden like at the prompts, never echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_secrets_typed_at_a_terminal_are_hidden() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let wrong = wrong_code(BOB_KEY);
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::spawn(&[
            "login",
            "--portal",
            &base,
            "--user",
            "bob@example.com",
            "--password-stdin",
            "--code-stdin",
        ]);
        tty.expect("Password for bob@example.com: ");
        tty.wait_echo_off();
        tty.send_line("bob-pass");
        tty.expect("Code: ");
        tty.wait_echo_off();
        tty.send_line(&wrong);
        tty.expect("Code: ");
        tty.wait_echo_off();
        tty.send_line(&totp_now(BOB_KEY));
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(!transcript.contains("bob-pass"), "{transcript}");
    assert!(!transcript.contains(&wrong_code(BOB_KEY)), "{transcript}");

    let (code, transcript) = blocking(move || {
        let mut tty = Tty::spawn(&["totp", "--secret-stdin"]);
        tty.expect("TOTP secret");
        tty.wait_echo_off();
        tty.send_line(BOB_KEY);
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(!transcript.contains(BOB_KEY), "{transcript}");

    let token = stdout(&output(login_user(emu.base_url(), "alice")).await)
        .trim_end()
        .to_owned();
    let base = emu.base_url().to_owned();
    let typed = token.clone();
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::spawn(&["me", "--portal", &base, "--token-file", "-"]);
        tty.expect("Token");
        tty.wait_echo_off();
        tty.send_line(&typed);
        tty.expect("alice@example.com");
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(!transcript.contains(&token), "{transcript}");
}

/// Ctrl-D (end of input) at a hidden prompt: the error starts on a line of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_of_input_at_a_prompt_ends_the_prompt_line() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let (code, echo, transcript) = at_the_password_prompt(base, |tty| {
        tty.session.send(ControlCode::EndOfTransmission).unwrap();
    })
    .await;
    assert_eq!(code, exit::USAGE, "{transcript}");
    assert!(echo, "echo restored");
    let error_line = transcript
        .lines()
        .find(|l| l.contains("error:"))
        .unwrap_or_else(|| panic!("{transcript}"));
    assert!(
        error_line.trim_start().starts_with("error: "),
        "the error shares the prompt's line: {transcript:?}"
    );
}

/// SIGTERM (`kill`, `timeout`) at a hidden prompt: the terminal's echo is put back, and the
/// exit code says so (143).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_at_a_prompt_restores_the_terminal() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let (code, echo, transcript) = at_the_password_prompt(base, |tty| {
        tty.session
            .get_process_mut()
            .signal(expectrl::process::unix::Signal::SIGTERM)
            .unwrap();
    })
    .await;
    assert!(echo, "echo left off after SIGTERM: {transcript}");
    assert_eq!(code, exit::TERMINATED, "{transcript}");
    assert!(transcript.contains("error: terminated"), "{transcript}");
}

/// A user asked to activate a phone gives the number at a (visible) prompt, then the SMS code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heidi_gives_her_phone_number_at_the_prompt() {
    let emu = start().await;
    let base = emu.base_url().to_owned();
    let runtime = tokio::runtime::Handle::current();
    let (code, transcript) = blocking(move || {
        let mut tty = Tty::login(&base, "heidi@example.com");
        tty.send_line("heidi-pass");
        tty.expect("Mobile phone number (e.g. +1 555 123 4567): ");
        tty.send_line("+1 555 765 4321");
        tty.expect("4321");
        let codes = runtime.block_on(wait_for_sms(&base, 1));
        tty.expect("Code (or r for a new SMS): ");
        tty.send_line(&codes[0]);
        tty.done()
    })
    .await;
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("+1 555 765 4321"),
        "the number is echoed: {transcript}"
    );
}
