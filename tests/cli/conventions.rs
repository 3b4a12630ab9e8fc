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
    insta::assert_snapshot!(sections.join("\n"), @r#"
        .SH NAME
        .SH SYNOPSIS
        .SH DESCRIPTION
        .SH OPTIONS
        .SH SUBCOMMANDS
        .SH "EXIT STATUS"
        .SH VERSION
        "#);
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

#[test]
fn writer_list_and_reviewer_list_as_tables_and_json() {
    let mut env = TestEnv::seeded();
    let key = crate::common::public_key("ana_ed25519");
    env.ok(&["reviewer", "edit", "ana-example", "--public-key", &key]);
    env.set_now(crate::common::NEXT_DAY);
    env.ok(&["reviewer", "retire", "david-okafor"]);
    let writers = env.ok(&["writer", "list"]);
    let reviewers = env.ok(&["reviewer", "list"]);
    insta::assert_snapshot!(format!("{}{}{}{}", writers.stdout, writers.stderr, reviewers.stdout, reviewers.stderr), @"
    ID               NAME             EMAIL                KEY
    suzanne-example  Suzanne Example  suzanne@example.org  no
    ID            NAME          CREDENTIALS  SPECIALTIES  EMAIL              LICENSE EXPIRES  KEY  STATUS
    ana-example   Ana Example   M.D.         oncology     ana@example.org    2027-06-30       yes  active
    david-okafor  David Okafor  M.D., Ph.D.  cardiology   david@example.org  -                no   retired 2025-03-04
    ");
    let json = env.ok(&["reviewer", "list", "--json"]).stdout;
    insta::assert_snapshot!(json, @r#"
    {
      "reviewers": [
        {
          "id": "ana-example",
          "name": "Ana Example",
          "credentials": "M.D.",
          "specialties": [
            "oncology"
          ],
          "email": "ana@example.org",
          "license_number": "12345",
          "license_region": "NY",
          "license_expires": "2027-06-30",
          "licensed": true,
          "retired": null,
          "has_key": true,
          "verified_by": null,
          "verified_on": null,
          "disclosures": null
        },
        {
          "id": "david-okafor",
          "name": "David Okafor",
          "credentials": "M.D., Ph.D.",
          "specialties": [
            "cardiology"
          ],
          "email": "david@example.org",
          "license_number": null,
          "license_region": null,
          "license_expires": null,
          "licensed": true,
          "retired": "2025-03-04",
          "has_key": false,
          "verified_by": null,
          "verified_on": null,
          "disclosures": null
        }
      ]
    }
    "#);
    let json = env.ok(&["writer", "list", "--json"]).stdout;
    insta::assert_snapshot!(json, @r#"
    {
      "writers": [
        {
          "id": "suzanne-example",
          "name": "Suzanne Example",
          "email": "suzanne@example.org",
          "has_key": false
        }
      ]
    }
    "#);

    // After the license's last day, the table says so.
    env.set_now("2027-07-01T09:00:00-04:00");
    let reviewers = env.ok(&["reviewer", "list"]).stdout;
    assert!(
        reviewers.contains("license expired 2027-06-30"),
        "{reviewers}"
    );
    let json = crate::common::json(&env.ok(&["reviewer", "list", "--json"]).stdout);
    assert_eq!(json["reviewers"][0]["licensed"], false, "{json}");
}

#[test]
fn an_empty_roster_list_says_how_to_add_someone() {
    let env = TestEnv::new();
    let run = env.ok(&["reviewer", "list"]);
    insta::assert_snapshot!(format!("{}|{}", run.stdout, run.stderr), @"|No reviewers in reviewers/ yet; add one with `medreview reviewer add ID --name NAME --credentials CRED --email E`.");
    let run = env.ok(&["writer", "list", "--json"]);
    insta::assert_snapshot!(format!("{}|{}", run.stdout, run.stderr), @r#"
    {
      "writers": []
    }
    |
    "#);
}

#[test]
fn counts_of_one_are_singular_and_of_two_plural() {
    let mut env = TestEnv::seeded();
    let front = crate::common::HER2_ARTICLE
        .split_once("---\n")
        .and_then(|(_, rest)| rest.split_once("---\n"))
        .map(|(front, _)| format!("---\n{front}---\n"))
        .unwrap_or_default();
    env.write(crate::common::ARTICLE, &format!("{front}Hello.\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(crate::common::NEXT_DAY);
    env.write(crate::common::ARTICLE, &format!("{front}Hello there.\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let log = env.ok(&["log", SLUG]).stdout;
    let counts: Vec<&str> = log.lines().filter(|l| l.contains("word")).collect();
    insta::assert_snapshot!(counts.join("\n"), @"
    (33 words)
    (1 word added, 0 removed since r1)
    ");
    let diff = env.ok(&["diff", SLUG, "r1", "r2"]).stdout;
    assert!(diff.contains("\n1 word added, 0 removed.\n"), "{diff}");

    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    let check = env.run(&["check"]);
    insta::assert_snapshot!(format!("{}\n{}", check.code, check.stderr), @"
    0
    Checked 1 article, 3 sign-offs and 1 commit since the checkpoint 327231cdae (1 new sign-off verified): no problems.
    ");
    let out = env.outside("site");
    let publish = env.ok(&["publish", "--out", &out.display().to_string()]);
    assert!(
        publish.stderr.contains("Published 1 article from commit"),
        "{}",
        publish.stderr
    );
}

#[test]
fn init_writes_a_gitignore_for_public_and_a_readme_the_settings_point_to() {
    let env = TestEnv::new();
    assert_eq!(
        env.read(".gitignore"),
        "# The site `medreview publish --out public` builds: made from the record, never committed.\npublic/\n"
    );
    let readme = env.read("README.md");
    assert!(
        readme.starts_with("# Example Health: medical review workspace\n"),
        "{readme}"
    );
    for part in [
        "`articles/<slug>/signoffs/`",
        "medreview submit SLUG",
        "medreview approve SLUG",
        "medreview publish --out public",
    ] {
        assert!(readme.contains(part), "{part} missing from:\n{readme}");
    }
    let config = env.read("medreview.yaml");
    insta::assert_snapshot!(config.lines().take(2).collect::<Vec<_>>().join("\n"), @"
    # medreview settings: the publication and its review policy. An admin changes them
    # with `medreview config set KEY VALUE` (each change is recorded); never edit by hand.
    ");
    let files = env.changed_files("HEAD");
    assert!(
        files.contains(&".gitignore".to_owned()) && files.contains(&"README.md".to_owned()),
        "{files:?}"
    );
    assert_eq!(env.porcelain(), "");
    // The built site stays out of git.
    let out = env.root().join("public");
    std::fs::create_dir_all(&out).expect("create public/");
    std::fs::write(out.join("index.html"), "x").expect("write");
    assert_eq!(env.porcelain(), "");
}

#[test]
fn init_keeps_a_readme_and_appends_to_a_gitignore_the_team_already_has() {
    let env = TestEnv::bare();
    env.write("README.md", "# Our site\n");
    env.write(".gitignore", "target/\n*.swp");
    env.ok(&["init", "--publication", "Example Health", "--no-admin"]);
    assert_eq!(env.read("README.md"), "# Our site\n");
    assert_eq!(env.read(".gitignore"), "target/\n*.swp\npublic/\n");
    let files = env.changed_files("HEAD");
    assert!(files.contains(&".gitignore".to_owned()), "{files:?}");
    assert!(!files.contains(&"README.md".to_owned()), "{files:?}");

    // A .gitignore that already ignores the site is left as it is.
    let env = TestEnv::bare();
    env.write(".gitignore", "/public\n");
    env.ok(&["init", "--no-admin"]);
    assert_eq!(env.read(".gitignore"), "/public\n");
    assert!(!env.changed_files("HEAD").contains(&".gitignore".to_owned()));
}
