//! The README's team walkthrough is a test: the one `sh` block after the marker line
//! is run as written, with `bash -euo pipefail`, in an empty folder, and must publish
//! the article with the doctor's name in its byline. A README that drifts from the
//! command line fails here, not in a newcomer's terminal.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{HER2_ARTICLE, SLUG, TestEnv, ssh_keygen};

/// The line right before the walkthrough's fenced block in README.md.
const MARKER: &str = "<!-- walkthrough: run as written by tests/cli/readme.rs -->";

/// The README at the root of this repository.
fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    fs::read_to_string(&path).expect("read README.md")
}

/// The body of the one ```sh block that follows `MARKER`.
fn walkthrough(readme: &str) -> String {
    let mut lines = readme.lines().skip_while(|line| line.trim() != MARKER);
    assert!(
        lines.next().is_some(),
        "README.md has no line {MARKER:?} before its walkthrough"
    );
    assert_eq!(
        lines.next().map(str::trim),
        Some("```sh"),
        "the line after {MARKER:?} must open a ```sh block"
    );
    let mut block = String::new();
    for line in lines {
        if line.trim_start().starts_with("```") {
            return block;
        }
        block.push_str(line);
        block.push('\n');
    }
    panic!("the walkthrough's ```sh block in README.md is never closed");
}

/// The body of the seeded article: what the walkthrough's `$EDITOR` writes.
fn article_body() -> &'static str {
    let mut parts = HER2_ARTICLE.splitn(3, "---\n");
    let (_, _, body) = (parts.next(), parts.next(), parts.next());
    body.expect("HER2_ARTICLE has front matter and a body")
}

/// An `$EDITOR` that keeps the front matter `medreview new` wrote (everything up to
/// its second `---` line) and writes a real body below it, as a writer would.
fn write_editor(dir: &Path) -> PathBuf {
    let body = dir.join("body.md");
    fs::write(&body, article_body()).expect("write the article body");
    let editor = dir.join("editor");
    let script = format!(
        "#!/bin/sh\nset -eu\nawk 'n < 2 {{ print }} /^---$/ {{ n++ }}' \"$1\" > \"$1.new\"\n\
         cat '{}' >> \"$1.new\"\nmv \"$1.new\" \"$1\"\n",
        body.display()
    );
    fs::write(&editor, script).expect("write the editor script");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).expect("chmod the editor");
    editor
}

#[test]
fn readme_walkthrough_block_is_found_and_covers_the_team_setup() {
    let block = walkthrough(&readme());
    for step in [
        "git init -q --bare",
        "medreview hook install --server",
        "git clone",
        "medreview init",
        "ssh-keygen -q -t ed25519 -N \"\"",
        "--public-key \"$(cat ../ana/ana_key.pub)\"",
        "medreview publisher add",
        "$EDITOR articles/",
        "medreview submit",
        "medreview approve her2-treatment --revision r1",
        "--key ana_key",
        "medreview sync",
        "medreview publish --out public --as",
    ] {
        assert!(
            block.contains(step),
            "the walkthrough lost {step:?}:\n{block}"
        );
    }
    let last = block.lines().rev().find(|line| !line.trim().is_empty());
    assert_eq!(
        last,
        Some("medreview check"),
        "the walkthrough ends with a check"
    );
}

#[test]
fn readme_walkthrough_runs_as_written_and_publishes_the_doctors_byline() {
    if ssh_keygen().is_none() {
        return;
    }
    let block = walkthrough(&readme());
    // TestEnv gives the hermetic environment every test uses: a cleared environment,
    // a temp HOME, GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM and a fixed
    // MEDREVIEW_NOW. The walkthrough runs in a folder of its own beside its repo.
    let env = TestEnv::bare();
    let team = env.outside("team");
    fs::create_dir_all(&team).expect("create the team folder");
    let script = env.outside("walkthrough.sh");
    fs::write(&script, &block).expect("write the walkthrough");
    let tools = env.outside("tools");
    fs::create_dir_all(&tools).expect("create the tools folder");
    let editor = write_editor(&tools);

    let binary = Path::new(env!("CARGO_BIN_EXE_medreview"));
    let mut path = std::ffi::OsString::from(binary.parent().expect("the binary's folder"));
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()));

    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-x"])
        .arg(&script)
        .env_clear()
        .envs(
            env.env_vars()
                .into_iter()
                .filter(|(name, _)| *name != "PATH"),
        )
        .env("PATH", &path)
        .env("EDITOR", &editor)
        .current_dir(&team)
        .output()
        .expect("run bash");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the README walkthrough failed ({}):\n--- stdout\n{}\n--- stderr (the failing command is the last `+` line)\n{stderr}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
    );

    let page = team.join("rosa/public").join(format!("{SLUG}.html"));
    let html = fs::read_to_string(&page)
        .unwrap_or_else(|e| panic!("the walkthrough published no {}: {e}", page.display()));
    assert!(
        html.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>"),
        "the published page's byline does not name the doctor:\n{html}"
    );
    assert!(
        html.contains("HER2-positive breast cancer makes too much of a protein"),
        "the published page lacks the body the editor wrote:\n{html}"
    );
}

/// The commands of the ```sh blocks of a Markdown text, one a line, comments dropped
/// and spaces collapsed.
fn commands(markdown: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside && line.trim() == "```sh";
            continue;
        }
        if inside {
            let command = line.split(" # ").next().unwrap_or(line);
            let command = command.split_whitespace().collect::<Vec<_>>().join(" ");
            if !command.is_empty() && !command.starts_with('#') {
                out.push(command);
            }
        }
    }
    out
}

/// The error and problem codes in a Markdown table's first column.
fn table_codes(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| line.split('|').nth(1))
        .flat_map(|cell| cell.split('`').skip(1).step_by(2))
        .filter(|code| {
            code.contains('-') && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .map(str::to_owned)
        .collect()
}

/// Regression guard for issue 22: the team README `init` writes gave other daily
/// commands and other advice than the project README.
#[test]
fn readme_and_the_team_readme_init_writes_give_the_same_commands_and_advice() {
    let readme = readme();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let env = TestEnv::new();
    let team = env.read("README.md");
    let team_commands = commands(&team);
    assert!(team_commands.len() > 20, "{team_commands:?}");
    for command in team_commands {
        assert!(
            flat.contains(&command),
            "the team README's `{command}` is not among README.md's daily commands"
        );
    }
    let troubleshooting = readme
        .split("## Troubleshooting")
        .nth(1)
        .expect("README.md has a Troubleshooting section");
    let team_codes = table_codes(&team);
    assert!(team_codes.len() > 10, "{team_codes:?}");
    for code in team_codes {
        assert!(
            troubleshooting.contains(&format!("`{code}`")),
            "the team README's advice for `{code}` is missing from README.md's Troubleshooting"
        );
    }
    assert!(
        !team.contains("edit `medreview.yaml`") && !readme.contains("edit `medreview.yaml`"),
        "nobody edits medreview.yaml by hand"
    );
}
