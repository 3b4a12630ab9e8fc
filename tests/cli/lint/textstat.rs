//! The reading grade checked against Python's `textstat` 0.7.3 (the figure editors
//! compare with), fed exactly the graded text (`medreview_lint::graded_text`): on the
//! sample articles, a treatment page of lists and headings, and harder texts, within
//! ±0.5 grade. And what is graded, as docs/workflow.md defines it: headings, tables,
//! footnotes, image descriptions and code are not; a list item is a sentence of its
//! own; the grade and what it counted read the same in `lint`, `lint --json` and
//! `preview`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{FRONT, QUIET, env_with};
use crate::common::{ARTICLE, SLUG, json};
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

/// An article of front matter `FRONT` and `body`.
fn article(body: &str) -> String {
    format!("{FRONT}{body}")
}

/// Our reading of the article `text`.
fn reading(text: &str) -> medreview_lint::Reading {
    medreview_lint::reading(text)
        .expect("the article parses")
        .expect("a grade")
}

/// Our grade and textstat's on the same graded text, for the article `text`.
fn both(python: &Path, text: &str) -> (f64, f64) {
    let ours = reading(text).grade;
    let graded = medreview_lint::graded_text(text).expect("the article parses");
    let theirs = python_grade(python, &graded);
    (ours, theirs)
}

/// A patient page of the kind the issue measured: headings without periods, list
/// introductions ending "include:", bullet lists of drug names and fragments, a
/// quote, a footnote and a table.
const HER2_LISTS: &str = "\
---
title: Treatments for HER2-Positive Breast Cancer
writer: suzanne-example
reviewer: ana-example
topic: oncology
summary: Several medicines target the HER2 protein. This page explains how they work, how they are given and what side effects to watch for.
sources:
  - title: Targeted Therapy to Treat Cancer (National Cancer Institute)
    url: https://www.cancer.gov/about-cancer/treatment/types/targeted-therapies
---

HER2-positive breast cancer makes too much of a protein called HER2. Targeted therapies turn off or interfere with signals that tell cancer cells to grow and divide. They are often given together with chemotherapy, before or after surgery.

## Monoclonal antibodies

Monoclonal antibodies are proteins made in a lab. They attach to HER2 on the surface of cancer cells and mark those cells for the immune system.

Monoclonal antibodies used to treat HER2-positive breast cancer include:

- Trastuzumab (Herceptin)
- Pertuzumab (Perjeta)
- Margetuximab (Margenza)
- A combination of trastuzumab, pertuzumab and hyaluronidase given as a shot under the skin

Most people get these medicines through a vein every three weeks for about a year.

## Kinase inhibitors

Kinase inhibitors are pills. They block proteins inside the cell that pass on the signal to grow.

Kinase inhibitors used to treat HER2-positive breast cancer include:

- Lapatinib (Tykerb)
- Neratinib (Nerlynx)
- Tucatinib (Tukysa)

> Targeted therapies work by turning off or interfering with signals that tell cancer cells to grow and divide.

## Antibody-drug conjugates

An antibody-drug conjugate joins a monoclonal antibody to a chemotherapy drug. The antibody carries the drug straight to the cancer cells, so less of it reaches healthy cells.

ADCs used to treat HER2-positive breast cancer include:

- Ado-trastuzumab emtansine (Kadcyla)
- Fam-trastuzumab deruxtecan (Enhertu)

## Side effects

Side effects depend on the medicine. Common ones include:

- Diarrhea
- Feeling tired
- Nausea
- Rash or dry skin
- Sores in the mouth

Trastuzumab can weaken the heart muscle in a small number of people.[^heart] Your care team will check your heart with a scan before treatment and every few months during it. Call your doctor right away if you are short of breath, your ankles swell or your heart beats fast.

| Medicine | How it is given |
| --- | --- |
| Trastuzumab | Through a vein |
| Tucatinib | By mouth |

## Questions to ask your care team

- Which targeted therapy do you recommend for me, and why?
- How long will my treatment last?
- What side effects should I call you about?

[^heart]: Targeted Therapy to Treat Cancer, National Cancer Institute, 2024.
";

#[test]
fn the_sample_articles_grade_as_textstat_grades_them() {
    let Some(python) = python_textstat() else {
        return;
    };
    let articles = Path::new(env!("CARGO_MANIFEST_DIR")).join("articles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&articles)
        .expect("the sample articles")
        .map(|e| e.expect("an entry").path().join("article.md"))
        .filter(|f| f.is_file())
        .collect();
    files.sort();
    let mut checked = vec![];
    let mut wrong = vec![];
    for file in files {
        let text = std::fs::read_to_string(&file).expect("the article");
        let (ours, theirs) = both(&python, &text);
        let line = format!("{}: medreview {ours}, textstat {theirs}", file.display());
        if (ours - theirs).abs() > TOLERANCE {
            wrong.push(line.clone());
        }
        checked.push(line);
    }
    eprintln!("{}", checked.join("\n"));
    assert!(checked.len() >= 4, "only {checked:?}");
    assert!(
        wrong.is_empty(),
        "more than {TOLERANCE} apart:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_page_of_lists_and_headings_grades_as_textstat_grades_it() {
    let Some(python) = python_textstat() else {
        return;
    };
    let (ours, theirs) = both(&python, HER2_LISTS);
    eprintln!("HER2 lists page: medreview {ours}, textstat {theirs}");
    assert!(
        (ours - theirs).abs() <= TOLERANCE,
        "medreview says grade {ours}, textstat {theirs}"
    );
    // What was fed to textstat is what the definition says: the summary, each
    // paragraph, item and quote on a line, each ending a sentence; no heading, no
    // table cell, no footnote.
    let graded = medreview_lint::graded_text(HER2_LISTS).expect("parses");
    let lines: Vec<&str> = graded.lines().collect();
    assert_eq!(
        lines[0],
        "Several medicines target the HER2 protein. This page explains how they work, how they are given and what side effects to watch for."
    );
    for line in [
        "Trastuzumab (Herceptin).",
        "Monoclonal antibodies used to treat HER2-positive breast cancer include:.",
        "Targeted therapies work by turning off or interfering with signals that tell cancer cells to grow and divide.",
        "Diarrhea.",
        "Which targeted therapy do you recommend for me, and why?",
    ] {
        assert!(lines.contains(&line), "{line:?} not in:\n{graded}");
    }
    for absent in [
        "Monoclonal antibodies\n",
        "Side effects\n",
        "Through a vein",
        "2024",
        "Medicine",
    ] {
        assert!(!graded.contains(absent), "{absent:?} is graded:\n{graded}");
    }
    let r = reading(HER2_LISTS);
    assert_eq!(r.graded, ["summary", "paragraphs", "list items", "quotes"]);
    assert_eq!(r.not_graded, ["headings", "tables", "footnotes"]);
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
    for body in texts {
        let (ours, theirs) = both(&python, &article(body));
        assert!(ours > 12.0, "not a hard text: grade {ours}: {body}");
        assert!(
            (ours - theirs).abs() <= TOLERANCE,
            "medreview says grade {ours}, textstat {theirs}, for:\n{body}"
        );
    }
}

/// The reading of `body` without its front matter's effect (there is no summary).
fn counts(body: &str) -> (f64, usize, usize, usize) {
    let r = reading(&article(body));
    (r.grade, r.words, r.sentences, r.syllables)
}

#[test]
fn headings_tables_notes_images_and_code_are_not_graded() {
    let prose = "Your care team checks your heart before treatment starts. Tell them if you feel short of breath, because the medicine can weaken the heart muscle in a few people.\n\nMost people feel well during treatment and keep working.\n";
    let with = format!(
        "## How your heart is checked before and during treatment\n\n{prose}\n### What the scan shows your doctor\n\n\
         | Scan | How often |\n| --- | --- |\n| Echocardiogram of the heart muscle | Every three months |\n\n\
         ![A nurse places a probe on the chest of a patient lying on her side](https://example.org/echo.png)\n\n\
         ```\nejection fraction 55 percent or more is typical\n```\n\n\
         Heart checks are routine.[^echo]\n\n[^echo]: Cardiac Monitoring During Trastuzumab Therapy, Journal of Clinical Oncology, 2023.\n"
    );
    let without = format!("{prose}\nHeart checks are routine.\n");
    assert_eq!(counts(&with), counts(&without), "{with}");
    let r = reading(&article(&with));
    assert_eq!(r.graded, ["paragraphs"]);
    assert_eq!(
        r.not_graded,
        [
            "headings",
            "tables",
            "footnotes",
            "image descriptions",
            "code blocks"
        ]
    );
}

#[test]
fn a_list_item_is_a_sentence_of_its_own_with_or_without_a_period() {
    let bare = "Call your doctor if you have:\n\n- A fever of 101 degrees or higher\n- Chills that make you shake\n- Pain, redness or swelling where the needle went in\n- Fatigue\n";
    let stopped = "Call your doctor if you have:\n\n- A fever of 101 degrees or higher.\n- Chills that make you shake.\n- Pain, redness or swelling where the needle went in.\n- Fatigue.\n";
    assert_eq!(counts(bare), counts(stopped));
    // Four sentences: the introduction and three items; "Fatigue" adds a word, not a
    // sentence (two words or fewer, as textstat counts).
    let (_, words, sentences, _) = counts(bare);
    assert_eq!(
        (words, sentences),
        (28, 4),
        "{}",
        medreview_lint::graded_text(&article(bare)).unwrap()
    );
}

#[test]
fn lint_json_and_preview_state_the_same_grade_and_what_it_counted() {
    let hard = "Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein are administered intravenously in combination with chemotherapy regimens.\n\n## Monitoring\n\n- Echocardiographic monitoring throughout the treatment duration\n- Cardiotoxicity, particularly among individuals with cardiovascular comorbidities\n";
    let text = article(hard);
    let r = reading(&text);
    let env = env_with(QUIET, &text);
    let run = env.run(&["lint", SLUG, "--json"]);
    let v = json(&run.stdout);
    let grade = &v["articles"][0]["reading_grade"];
    assert_eq!(grade["grade"], r.grade, "{grade}");
    assert_eq!(grade["target"], 8.0);
    assert_eq!(grade["words"], r.words);
    assert_eq!(grade["sentences"], r.sentences);
    assert_eq!(grade["syllables"], r.syllables);
    assert_eq!(
        grade["graded"],
        serde_json::json!(["paragraphs", "list items"])
    );
    assert_eq!(grade["not_graded"], serde_json::json!(["headings"]));
    let described = r.describe();
    assert!(
        described.starts_with(&format!(
            "reading grade {:.1} (Flesch–Kincaid, target 8) over {} words in {} sentences of paragraphs and list items; headings are not graded",
            r.grade, r.words, r.sentences
        )),
        "{described}"
    );
    let problem = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["code"] == "reading-grade")
        .expect("a reading-grade finding");
    let message = problem["message"].as_str().expect("message");
    assert!(message.contains(&described), "{message}");
    let text_run = env.run(&["lint", SLUG]);
    assert!(text_run.stdout.contains(&described), "{text_run:?}");
    let page = env.ok(&["preview", SLUG]).stdout;
    assert!(
        page.contains(&described),
        "the preview does not say {described:?}"
    );
    // The same file as the one graded.
    assert_eq!(problem["file"], ARTICLE);
}

#[test]
fn an_article_whose_only_graded_text_is_its_summary_is_graded_at_the_summary() {
    let text = "---\ntitle: T\nwriter: suzanne-example\nreviewer: ana-example\nsummary: Immunohistochemistry quantifies overexpression of transmembrane glycoproteins, necessitating confirmatory hybridization methodologies.\nsources:\n  - title: Breast Cancer (National Cancer Institute)\n    url: https://www.cancer.gov/types/breast\n---\n## Testing\n";
    let r = reading(text);
    assert_eq!(r.graded, ["summary"]);
    let env = env_with(QUIET, text);
    let v = json(&env.run(&["lint", SLUG, "--json"]).stdout);
    let problem = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["code"] == "reading-grade")
        .expect("a reading-grade finding")
        .clone();
    assert_eq!(problem["line"], 5, "{problem}");
}
