//! Conventions users expect from a command-line tool: shell completions, a man page,
//! `--color`, plurals.

use std::process::Command;

use crate::common::{SLUG, TestEnv};

#[test]
fn bash_completions_load_in_a_real_bash() {
    let env = TestEnv::bare();
    let run = env.ok(&["completions", "bash"]);
    assert!(run.stdout.contains("_medreview()"), "{}", run.stdout);
    assert!(run.stdout.contains("request-changes"), "{}", run.stdout);
    assert_eq!(run.stderr, "");
    let script = env.outside("medreview.bash");
    std::fs::write(&script, &run.stdout).expect("write the script");
    let bash = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p medreview && COMP_WORDS=(medreview req) COMP_CWORD=1 && _medreview medreview req medreview && echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .expect("run bash");
    insta::assert_snapshot!(
        format!(
            "{}\n{}{}",
            bash.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&bash.stdout),
            String::from_utf8_lossy(&bash.stderr)
        ),
        @"
        0
        complete -o bashdefault -o default -o nosort -F _medreview medreview
        request-changes
        "
    );
}

#[test]
fn completions_for_every_shell_and_a_bad_one() {
    let env = TestEnv::bare();
    for (shell, marker) in [
        ("zsh", "#compdef medreview"),
        ("fish", "complete -c medreview"),
        ("elvish", "edit:completion:arg-completer[medreview]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = env.ok(&["completions", shell]);
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
    }
    let run = env.run(&["completions", "tcsh"]);
    insta::assert_snapshot!(format!("{}\n{}", run.code, run.stderr), @"
        2
        error: invalid value 'tcsh' for '<SHELL>'
          [possible values: bash, elvish, fish, powershell, zsh]

          tip: a similar value exists: 'zsh'

        For more information, try '--help'.
        ");
}

#[test]
fn the_man_page_lists_the_commands() {
    let env = TestEnv::bare();
    let run = env.ok(&["man"]);
    assert!(run.stdout.starts_with(".ie"), "{}", run.stdout);
    assert!(run.stdout.contains(".TH medreview 1"), "{}", run.stdout);
    let sections: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with(".SH"))
        .collect();
    insta::assert_snapshot!(sections.join("\n"), @"
        .SH NAME
        .SH SYNOPSIS
        .SH DESCRIPTION
        .SH OPTIONS
        .SH SUBCOMMANDS
        .SH VERSION
        ");
    for command in [
        "init",
        "submit",
        "approve",
        "request\\-changes",
        "log",
        "completions",
    ] {
        assert!(
            run.stdout.contains(&format!("medreview\\-{command}(1)")),
            "{command} missing"
        );
    }
    // Rendered for real where man and groff are installed.
    if std::path::Path::new("/usr/bin/groff").exists() {
        let page = env.outside("medreview.1");
        std::fs::write(&page, &run.stdout).expect("write the page");
        let text = Command::new("groff")
            .args(["-man", "-Tutf8", "-P", "-c"])
            .arg(&page)
            .output()
            .expect("run groff");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("Medical review sign‐offs") || text.contains("Medical review sign-offs"),
            "{text}"
        );
    }
}

/// Two revisions whose redline has both an insertion and a deletion.
fn two_revisions() -> TestEnv {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let text = env.read(crate::common::ARTICLE).replace("twenty", "thirty");
    env.write(crate::common::ARTICLE, &text);
    env
}

#[test]
fn color_always_colours_a_pipe_and_never_or_no_color_do_not() {
    let env = two_revisions();
    // The test environment sets NO_COLOR=1: `always` wins over it.
    let always = env.ok(&["diff", SLUG, "r1", "--color", "always"]).stdout;
    assert!(
        always.contains("\x1b[9;31mtwenty\x1b[0m") && always.contains("\x1b[4;32mthirty\x1b[0m"),
        "{always:?}"
    );
    let global_first = env.ok(&["--color=always", "diff", SLUG, "r1"]).stdout;
    assert_eq!(global_first, always);
    for args in [
        &["diff", SLUG, "r1", "--color", "never"][..],
        &["diff", SLUG, "r1", "--color", "auto"][..],
        &["diff", SLUG, "r1"][..],
    ] {
        let out = env.ok(args).stdout;
        assert!(
            !out.contains('\x1b') && out.contains("[-twenty-]{+thirty+}"),
            "{args:?}: {out:?}"
        );
    }
    let run = env.run(&["diff", SLUG, "r1", "--color", "sometimes"]);
    insta::assert_snapshot!(format!("{}\n{}", run.code, run.stderr), @"
        2
        error: invalid value 'sometimes' for '--color <WHEN>'
          [possible values: auto, always, never]

        For more information, try '--help'.
        ");
}
