//! What the commands write: a line on stdout, the private `--output` file, times as RFC 3339.

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use crate::error::CliError;

/// Writes `text` and a newline to stdout, flushed; a failure says `cannot write {what}`
/// (e.g. `what` = "the token to stdout").
pub fn print_line(text: &str, what: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write {what}: {e}")))
}

/// The directory `path` is written in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Fails early (before logging in) when the --output file cannot be created in its directory.
pub fn check_output_dir(path: &Path) -> Result<(), CliError> {
    let dir = directory_of(path);
    if dir.is_dir() && !path.is_dir() {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "cannot write the --output file {}: no such directory, or it is a directory",
            path.display()
        )))
    }
}

/// Writes `text` and a newline to `path` with mode 0600: into a new file created exclusively
/// (mode 0600 from the start) in the same directory, then renamed over `path`. A symlink at
/// `path` is replaced, never followed; when anything fails, the old file stays as it was.
pub fn write_private(path: &Path, text: &str) -> Result<(), CliError> {
    let fail = |e: std::io::Error| {
        CliError::usage(format!(
            "cannot write the --output file {}: {e}",
            path.display()
        ))
    };
    let dir = directory_of(path);
    // tempfile creates it with O_EXCL and mode 0600, and removes it if it is not persisted.
    let mut file = tempfile::Builder::new()
        .prefix(".docspace-auth-")
        .tempfile_in(dir)
        .map_err(fail)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.as_file().sync_all())
        .map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// RFC 3339 in UTC, e.g. `2026-11-28T07:23:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::from(t));
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
