//! The reading grade checked against Python's `textstat` 0.7.3 (the figure editors
//! compare with) on the sample articles and on harder texts, within ±0.5 grade.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The textstat version the grade is counted like (later ones fetch data at run time).
const TEXTSTAT: &str = "0.7.3";

/// How far the two grades may be apart.
const TOLERANCE: f64 = 0.5;

/// `python3` with textstat 0.7.3, or `None` (with a message) to skip; under
/// `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
fn python_textstat() -> Option<PathBuf> {
    let python = PathBuf::from("python3");
    let version = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('textstat'))",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stderr(Stdio::null())
        .output();
    let why = match version {
        Err(e) => format!("python3 cannot be run ({e})"),
        Ok(out) if !out.status.success() => "textstat is not installed".to_owned(),
        Ok(out) => {
            let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if v == TEXTSTAT {
                return Some(python);
            }
            format!("textstat {v} is installed, not {TEXTSTAT}")
        }
    };
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "python3 with textstat {TEXTSTAT} is required (MEDREVIEW_REQUIRE_TOOLS is set): {why}"
    );
    eprintln!("skipped: {why} (python3 -m pip install textstat=={TEXTSTAT})");
    None
}

/// textstat's `flesch_kincaid_grade` of `text`.
fn python_grade(python: &Path, text: &str) -> f64 {
    let mut child = Command::new(python)
        .args([
            "-c",
            "import sys, textstat; print(textstat.flesch_kincaid_grade(sys.stdin.read()))",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to python3");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(
        out.status.success(),
        "textstat failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    printed
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("textstat printed {printed:?}: {e}"))
}

/// The body of the article text `text` (after its front matter).
fn body(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    medreview_core::article::split_front_matter(&text)
        .expect("front matter")
        .1
        .to_owned()
}

/// Our grade and textstat's, for a body.
fn both(python: &Path, body: &str) -> (f64, f64) {
    let ours = medreview_lint::reading_grade(body).expect("a grade");
    let readable = medreview_lint::readable_text(body);
    let theirs = python_grade(python, &readable);
    (ours, theirs)
}

#[test]
fn the_sample_articles_grade_as_textstat_grades_them() {
    let Some(python) = python_textstat() else {
        return;
    };
    let articles = Path::new(env!("CARGO_MANIFEST_DIR")).join("articles");
    let mut checked = Vec::new();
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&articles).expect("the sample articles") {
        let file = entry.expect("an entry").path().join("article.md");
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (ours, theirs) = both(&python, &body(&text));
        let line = format!("{}: medreview {ours}, textstat {theirs}", file.display());
        if (ours - theirs).abs() > TOLERANCE {
            wrong.push(line.clone());
        }
        checked.push(line);
    }
    assert!(checked.len() >= 4, "only {checked:?}");
    assert!(
        wrong.is_empty(),
        "more than {TOLERANCE} apart:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn harder_texts_grade_as_textstat_grades_them() {
    let Some(python) = python_textstat() else {
        return;
    };
    let texts = [
        // One long sentence of long words.
        "Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein are administered intravenously in combination with chemotherapy regimens, and cardiotoxicity necessitates echocardiographic monitoring throughout the treatment duration, particularly among individuals with preexisting cardiovascular comorbidities.\n",
        // Markdown: emphasis, links, a list without periods, a table, a footnote.
        "## Treatment\n\nThe **multidisciplinary** oncology team individualizes *neoadjuvant* therapy.[^1] Read the [National Cancer Institute's](https://www.cancer.gov) explanation of immunohistochemistry.\n\nCommon examples include:\n\n- Trastuzumab, administered intravenously\n- Pertuzumab, frequently administered concurrently\n- Ado-trastuzumab emtansine, an antibody-drug conjugate\n\n| Medication | Administration |\n|---|---|\n| Trastuzumab | Intravenous infusion |\n\n[^1]: Breast Cancer Treatment (PDQ), National Cancer Institute, 2024.\n",
        // Short and long sentences mixed, numbers and abbreviations.
        "Ask. Your cardiologist will evaluate your left ventricular ejection fraction approximately every three months during HER2-targeted treatment. Is 3+ positive? Yes! Immunohistochemistry scores of 2+ are considered equivocal, necessitating fluorescence in situ hybridization.\n",
    ];
    for text in texts {
        let (ours, theirs) = both(&python, text);
        assert!(ours > 12.0, "not a hard text: grade {ours}: {text}");
        assert!(
            (ours - theirs).abs() <= TOLERANCE,
            "medreview says grade {ours}, textstat {theirs}, for:\n{text}"
        );
    }
}
