//! `docspace-auth completions` and `docspace-auth man`: shell completions and manual pages,
//! generated from the same clap definitions the parser uses, so they cannot drift from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Command};
use clap_complete::Shell;

use crate::error::CliError;

/// Print a completion script for a shell (bash, zsh, fish, elvish, powershell) to stdout.
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    docspace-auth completions bash > ~/.local/share/bash-completion/completions/docspace-auth\n",
    "    docspace-auth completions zsh > ~/.zfunc/_docspace-auth   # with fpath+=(~/.zfunc) before compinit\n",
    "    docspace-auth completions fish > ~/.config/fish/completions/docspace-auth.fish\n",
    "    source <(docspace-auth completions bash)                  # this bash session only\n",
))]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// Print the manual page (roff) to stdout, or write one page per command into a directory.
#[derive(Args)]
#[command(after_help = concat!(
    "Examples:\n",
    "    docspace-auth man | man -l -\n",
    "    docspace-auth man --dir ~/.local/share/man/man1   # docspace-auth.1, docspace-auth-login.1, ...\n",
))]
pub struct ManArgs {
    /// Write docspace-auth.1 and a page per command (docspace-auth-login.1, ...) into this
    /// directory (created if needed) instead of printing docspace-auth.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script for `args.shell` for the command `cmd`.
pub fn completions(args: CompletionsArgs, mut cmd: Command) -> Result<(), CliError> {
    let name = cmd.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, &name, &mut script);
    if args.shell == Shell::Bash {
        script = fix_bash_states(&script, &name);
    }
    print_all(&script, "the completion script to stdout")
}

/// clap_complete's bash script (4.6.12 and before) tracks the command line in states named
/// `docspace__auth__subcmd__me`, but labels the `case` arms of a hyphenated binary's
/// subcommands `docspace__subcmd__auth__subcmd__me`: no arm matches, and nothing after a
/// subcommand completes (clap-rs/clap#6421, #6529). The arms are relabelled as the states are
/// named; a fixed clap_complete produces nothing to relabel.
fn fix_bash_states(script: &[u8], name: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(script);
    let wrong = format!("{}__subcmd__", name.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", name.replace('-', "__"));
    text.replace(&wrong, &right).into_bytes()
}

/// Prints the manual page of `cmd`, or writes every page into `args.dir`.
pub fn man(args: ManArgs, cmd: Command) -> Result<(), CliError> {
    // `help` is not a page of its own (`--help` is on every page).
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    match args.dir {
        Some(dir) => std::fs::create_dir_all(&dir)
            .and_then(|()| write_pages(&cmd, &dir))
            .map_err(|e| {
                CliError::usage(format!(
                    "cannot write the manual pages into {}: {e}",
                    dir.display()
                ))
            }),
        None => print_all(&page(&cmd), "the manual page to stdout"),
    }
}

/// Writes the page of `cmd` and of each of its visible subcommands, recursively, into `dir`.
fn write_pages(cmd: &Command, dir: &Path) -> std::io::Result<()> {
    let name = clap_mangen::Man::new(cmd.clone()).get_filename();
    std::fs::write(dir.join(name), page(cmd))?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir)?;
    }
    Ok(())
}

/// The roff page of `cmd`. The help's closing text (examples, the exit-code table) is laid
/// out as in `--help`, line by line, rather than filled into one paragraph.
fn page(cmd: &Command) -> Vec<u8> {
    let mut page = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone())
        .source(concat!("docspace-auth ", env!("CARGO_PKG_VERSION")))
        .render(&mut page);
    let text = String::from_utf8_lossy(&page);
    let Some(start) = text.find("\n.SH EXTRA\n") else {
        return page;
    };
    let body = start + "\n.SH EXTRA\n".len();
    let end = text[body..]
        .find("\n.SH ")
        .map_or(text.len(), |i| body + i + 1);
    format!(
        "{}.SH NOTES\n.nf\n{}.fi\n{}",
        &text[..start + 1],
        &text[body..end],
        &text[end..]
    )
    .into_bytes()
}

/// Writes `bytes` to stdout as they are, flushed.
fn print_all(bytes: &[u8], what: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write {what}: {e}")))
}
