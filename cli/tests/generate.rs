//! `docspace-auth completions` and `docspace-auth man`: the scripts are generated and bash
//! parses, loads and runs them; the manual pages list every command and render cleanly.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

/// The commands every build has; `demo` only with the `demo` feature.
const COMMANDS: [&str; 8] = [
    "login",
    "me",
    "logout",
    "portal",
    "sessions",
    "totp",
    "completions",
    "man",
];

async fn generated(args: &[&str]) -> String {
    let o = output(cmd(args)).await;
    assert_exit(&o, 0);
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    stdout(&o)
}

/// Runs `script` with `bash --norc --noprofile`, the arguments after it as `$1`, `$2`, ...
fn bash(script: &str, args: &[&Path]) -> Output {
    std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script, "bash"])
        .args(args)
        .env_remove("BASH_ENV")
        .output()
        .expect("bash runs")
}

/// What bash offers after `words` (the last one being completed) with the script `file` loaded.
fn bash_completes(file: &Path, words: &[&str]) -> Vec<String> {
    let script = r#"
        source "$1" || exit 3
        fn=$(complete -p docspace-auth | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
        [ -n "$fn" ] || exit 4
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        "$fn" docspace-auth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let mut c = std::process::Command::new("bash");
    c.args(["--norc", "--noprofile", "-c", script, "bash"])
        .arg(file)
        .args(words)
        .env_remove("BASH_ENV");
    let o = c.output().expect("bash runs");
    assert_eq!(o.status.code(), Some(0), "{words:?}: {}", stderr(&o));
    stdout(&o).lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn bash_completion_parses_loads_and_completes() {
    let script = generated(&["completions", "bash"]).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docspace-auth.bash");
    std::fs::write(&file, &script).unwrap();

    let o = bash(r#"bash -n "$1""#, &[&file]);
    assert_eq!(o.status.code(), Some(0), "bash -n: {}", stderr(&o));

    let o = bash(r#"source "$1" && complete -p docspace-auth"#, &[&file]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let spec = stdout(&o);
    assert!(spec.starts_with("complete "), "{spec}");
    assert!(
        spec.contains(" -F ") && spec.trim_end().ends_with(" docspace-auth"),
        "{spec}"
    );

    let commands = bash_completes(&file, &["docspace-auth", ""]);
    for c in COMMANDS {
        assert!(
            commands.iter().any(|w| w == c),
            "{c} missing in {commands:?}"
        );
    }
    assert_eq!(
        commands.iter().any(|w| w == "demo"),
        cfg!(feature = "demo"),
        "demo is offered exactly when the build has it: {commands:?}"
    );
    assert_eq!(
        bash_completes(&file, &["docspace-auth", "log"]),
        ["login", "logout"]
    );
    let options = bash_completes(&file, &["docspace-auth", "me", "--to"]);
    assert!(options.iter().any(|w| w == "--token-file"), "{options:?}");
    let options = bash_completes(&file, &["docspace-auth", "login", "--"]);
    for o in [
        "--portal",
        "--user",
        "--json",
        "--output",
        "--totp-secret-env",
    ] {
        assert!(options.iter().any(|w| w == o), "{o} missing in {options:?}");
    }
    let shells = bash_completes(&file, &["docspace-auth", "completions", ""]);
    for s in ["bash", "zsh", "fish"] {
        assert!(shells.iter().any(|w| w == s), "{s} missing in {shells:?}");
    }
}

/// zsh and fish scripts are generated for the command (and parsed when the shell is here).
#[tokio::test]
async fn zsh_and_fish_completions() {
    let zsh = generated(&["completions", "zsh"]).await;
    assert!(zsh.starts_with("#compdef docspace-auth\n"), "{zsh}");
    let fish = generated(&["completions", "fish"]).await;
    assert!(fish.contains("complete -c docspace-auth"), "{fish}");
    for c in ["login", "logout", "'--token-file=", "'--portal="] {
        assert!(zsh.contains(c), "{c} missing in the zsh script");
    }
    for c in ["login", "logout", "-l token-file", "-l portal"] {
        assert!(fish.contains(c), "{c} missing in the fish script");
    }
    let dir = tempfile::tempdir().unwrap();
    for (shell, script) in [("zsh", &zsh), ("fish", &fish)] {
        let file = dir.path().join(shell);
        std::fs::write(&file, script).unwrap();
        match std::process::Command::new(shell)
            .arg("-n")
            .arg(&file)
            .output()
        {
            Ok(o) => assert_eq!(o.status.code(), Some(0), "{shell} -n: {}", stderr(&o)),
            Err(e) => eprintln!("{shell} not run ({e}): only the script's content was checked"),
        }
    }

    let o = output(cmd(&["completions", "tcsh"])).await;
    assert_eq!(o.status.code(), Some(exit::USAGE), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

/// Fails when groff (where installed) warns about the page.
fn groff_renders(page: &Path) {
    match std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(page)
        .output()
    {
        Ok(o) => {
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(o.stderr.is_empty(), "groff: {}", stderr(&o));
        }
        Err(e) => eprintln!("groff not run ({e}): only the page's text was checked"),
    }
}

#[tokio::test]
async fn man_page_lists_every_command() {
    let page = generated(&["man"]).await;
    assert!(page.contains("\n.TH docspace-auth 1 "), "{page}");
    let subcommands = page
        .split("\n.SH SUBCOMMANDS\n")
        .nth(1)
        .expect("SUBCOMMANDS");
    let subcommands = subcommands.split("\n.SH ").next().unwrap();
    for c in COMMANDS {
        assert!(
            subcommands.contains(&format!("docspace\\-auth\\-{c}(1)")),
            "{c} missing in {subcommands}"
        );
    }
    assert_eq!(
        subcommands.contains("docspace\\-auth\\-demo(1)"),
        cfg!(feature = "demo")
    );
    assert!(!subcommands.contains("auth\\-help(1)"), "{subcommands}");
    // Examples and exit codes line by line, as in --help.
    assert!(page.contains("\n.SH NOTES\n.nf\nExamples:\n"), "{page}");
    assert!(page.contains("    10   token not valid"), "{page}");
    assert!(page.contains("\n.fi\n"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docspace-auth.1");
    std::fs::write(&file, &page).unwrap();
    groff_renders(&file);
}

#[tokio::test]
async fn man_dir_writes_a_page_per_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("share/man/man1");
    let o = output(cmd(&["man", "--dir", dir.to_str().unwrap()])).await;
    assert_exit(&o, 0);
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("docspace-auth-{c}.1"))
        .chain(["docspace-auth.1".to_owned()])
        .collect();
    if cfg!(feature = "demo") {
        expected.push("docspace-auth-demo.1".to_owned());
    }
    expected.sort();
    assert_eq!(names, expected);
    let login = std::fs::read_to_string(dir.join("docspace-auth-login.1")).unwrap();
    for option in [
        "\\-\\-portal",
        "\\-\\-user",
        "\\-\\-totp\\-secret\\-env",
        "\\-\\-json",
    ] {
        assert!(login.contains(option), "{option} missing in {login}");
    }
    for name in &names {
        groff_renders(&dir.join(name));
    }

    // A directory that cannot be made (under a file).
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let o = output(cmd(&["man", "--dir", file.join("man1").to_str().unwrap()])).await;
    assert_exit(&o, exit::USAGE);
    assert!(
        stderr(&o).contains("cannot write the manual pages into"),
        "{}",
        stderr(&o)
    );
}

/// A build without the `demo` feature has no `demo` command.
#[cfg(not(feature = "demo"))]
#[tokio::test]
async fn no_demo_command_without_the_feature() {
    let o = output(cmd(&["demo"])).await;
    assert_eq!(o.status.code(), Some(exit::USAGE), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unrecognized subcommand"),
        "{}",
        stderr(&o)
    );
    let help = generated(&["--help"]).await;
    assert!(!help.contains("demo"), "{help}");
}
