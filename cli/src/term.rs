//! Terminal and stdin input: hidden prompts on the controlling terminal, lines from stdin, and
//! output that must reach the person at the terminal but never stdout/stderr (enrolment key).
//!
//! Ctrl-C: `rpassword` reads with the terminal's signal keys off and raises SIGINT itself; the
//! process has a SIGINT handler (see `main`), so the prompt returns `Interrupted` and restores
//! the terminal. For a SIGINT from elsewhere while a prompt is open, the terminal settings saved
//! before the prompt are put back by [`restore_terminal`] before exiting.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::sync::Mutex;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use rustix::termios::{self, OptionalActions, Termios};
use zeroize::Zeroizing;

use crate::error::{CliError, Kind};

/// Terminal settings saved before a hidden prompt, to put back if the process is interrupted.
static SAVED: Mutex<Option<(File, Termios)>> = Mutex::new(None);

fn saved() -> std::sync::MutexGuard<'static, Option<(File, Termios)>> {
    SAVED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The controlling terminal, if the process has one.
pub fn open_tty() -> Option<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    termios::isatty(&file).then_some(file)
}

/// Whether there is a terminal to ask on.
pub fn has_tty() -> bool {
    open_tty().is_some()
}

/// Whether stdin is a terminal.
pub fn stdin_is_tty() -> bool {
    termios::isatty(rustix::stdio::stdin())
}

/// Writes to the terminal only (never stdout/stderr, so never into logs or pipes).
pub fn tty_write(text: &str) -> Result<(), CliError> {
    let mut tty = open_tty().ok_or_else(|| {
        CliError::usage("no terminal to show this on; run the command in a terminal")
    })?;
    tty.write_all(text.as_bytes())
        .and_then(|()| tty.flush())
        .map_err(|e| CliError::usage(format!("cannot write to the terminal: {e}")))
}

/// Asks on the terminal with the input hidden (no echo).
pub async fn hidden_prompt(prompt: String) -> Result<SecretString, CliError> {
    if let Some(tty) = open_tty() {
        if let Ok(settings) = termios::tcgetattr(&tty) {
            *saved() = Some((tty, settings));
        }
    }
    let result = tokio::task::spawn_blocking(move || rpassword::prompt_password(prompt)).await;
    *saved() = None;
    match result {
        Ok(Ok(text)) => Ok(SecretString::from(text)),
        Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => Err(CliError::interrupted()),
        Ok(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
            // Ctrl-D leaves the cursor after the prompt: end that line so the error has its own.
            if let Some(mut tty) = open_tty() {
                let _ = tty.write_all(b"\n");
            }
            Err(CliError::usage(
                "no input at the prompt (end of input); run the command again",
            ))
        }
        Ok(Err(e)) => Err(CliError::usage(format!(
            "cannot read from the terminal ({e}); run the command in a terminal or pass \
             the input on stdin"
        ))),
        Err(e) => Err(CliError::new(
            Kind::Internal,
            format!("the prompt failed: {e}"),
        )),
    }
}

/// Puts back the terminal settings saved before an open prompt (after Ctrl-C).
pub fn restore_terminal() {
    if let Some((mut tty, settings)) = saved().take() {
        let _ = termios::tcsetattr(&tty, OptionalActions::Now, &settings);
        let _ = tty.write_all(b"\n");
    }
}

/// Runs a blocking read of stdin off the async runtime.
async fn read_stdin<T: Send + 'static>(
    read: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, CliError> {
    match tokio::task::spawn_blocking(read).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(CliError::usage(format!("cannot read stdin: {e}"))),
        Err(e) => Err(CliError::new(
            Kind::Internal,
            format!("reading stdin failed: {e}"),
        )),
    }
}

/// Reads one line from stdin without its line ending; `None` at end of input.
pub async fn stdin_line() -> Result<Option<Zeroizing<String>>, CliError> {
    read_stdin(|| {
        let mut line = Zeroizing::new(String::with_capacity(256));
        if io::stdin().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        while line.ends_with('\n') || line.ends_with('\r') {
            line.pop();
        }
        Ok(Some(line))
    })
    .await
}

/// One secret line from stdin: hidden at a prompt when stdin is a terminal (so what is typed
/// is never echoed), else the next line as piped in. `None` at end of input.
pub async fn stdin_secret_line(prompt: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    if stdin_is_tty() && has_tty() {
        let typed = hidden_prompt(prompt.to_owned()).await?;
        return Ok(Some(Zeroizing::new(typed.expose_secret().to_owned())));
    }
    stdin_line().await
}

/// The most a token or secret read from stdin or a file may hold (64 KiB).
pub const SECRET_INPUT_CAP: u64 = 64 * 1024;

/// Reads all of stdin (bounded), for a token or secret piped in.
pub async fn stdin_all() -> Result<Zeroizing<String>, CliError> {
    read_stdin(|| {
        use std::io::Read;
        let mut text = Zeroizing::new(String::with_capacity(1024));
        io::stdin()
            .take(SECRET_INPUT_CAP)
            .read_to_string(&mut text)
            .map(|_| text)
    })
    .await
}

/// Asks for a line that is not secret on the terminal (echoed as typed).
pub async fn visible_prompt(prompt: &str) -> Result<String, CliError> {
    let prompt = prompt.to_owned();
    read_stdin(move || {
        let mut tty =
            open_tty().ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no terminal"))?;
        tty.write_all(prompt.as_bytes())?;
        tty.flush()?;
        let mut line = String::new();
        io::BufReader::new(tty).read_line(&mut line)?;
        Ok(line.trim().to_owned())
    })
    .await
}

/// A status line for the person running the command (stderr; never a secret).
pub fn info(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
    let _ = err.flush();
}
