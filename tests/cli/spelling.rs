//! `spelling` with a medical vocabulary: the machine's Hunspell dictionaries (Debian's
//! `hunspell-en-us` and `hunspell-en-med`, or those `editorial.dictionaries` names),
//! the FDA drug names shipped with medreview, and the workspace's words. Real
//! drug, test and procedure names are known; a misspelled one is still found.

use std::path::Path;

use crate::common::SLUG;
use crate::lint::{FRONT, Hit, at, env_with, findings, places};

/// Debian's dictionaries, which the default settings read.
const EN_US: &str = "/usr/share/hunspell/en_US.dic";
const EN_MED: &str = "/usr/share/hunspell/en_med_glut.dic";

/// Whether Debian's dictionaries are installed; under `MEDREVIEW_REQUIRE_TOOLS` they
/// must be (`.ci/run` installs them).
fn dictionaries_installed() -> bool {
    let there = Path::new(EN_US).is_file() && Path::new(EN_MED).is_file();
    if !there {
        assert!(
            std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
            "the Hunspell dictionaries are required (MEDREVIEW_REQUIRE_TOOLS is set) but {EN_US} or {EN_MED} is missing"
        );
        eprintln!(
            "skipped: the Hunspell dictionaries are not installed (apt-get install hunspell-en-us hunspell-en-med)"
        );
    }
    there
}

/// A patient page on HER2-positive breast cancer treatment (about 300 words), with
/// two misspellings: `Trastuzumib` and `brachytherepy`.
const HER2: &str = "\
## Treating HER2-positive breast cancer

Your oncologist will explain each step. Most people first have a mammogram and a \
biopsy, then surgery: a lumpectomy, which removes the tumor and a margin of healthy \
tissue, or a mastectomy, which removes the whole breast. Some women also have \
radiation, either from outside the body or as brachytherapy, where small sources are \
placed near the tumor bed for a few days.

Targeted drugs attach to the HER2 protein. Trastuzumab (Herceptin) was the first; \
it is often given with pertuzumab (Perjeta), and both come together in one injection \
under the skin, Phesgo. Trastuzumab's effect on the heart is checked with an \
echocardiogram every three months, because the heart's pumping can weaken.

Antibody-drug conjugates join an antibody to a chemotherapy drug. Ado-trastuzumab \
emtansine (Kadcyla) is used when cancer remains after surgery. Fam-trastuzumab \
deruxtecan (Enhertu) is used when the cancer has spread, and for some cancers with \
low levels of HER2.

Kinase inhibitors are pills that block signals inside the cell. Lapatinib, \
neratinib and tucatinib are used for cancer that has spread, sometimes to the brain. \
Diarrhea is common with neratinib; your care team can help you manage it.

Trastuzumib is a misspelling that a careful reader should still catch, as is \
brachytherepy. Ask your oncologist which treatments fit you, and keep every \
appointment for scans and blood tests.
";

/// The words `spelling` found, as its messages quote them.
fn spelled(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .filter(|h| h.code == "spelling")
        .map(|h| {
            h.message
                .split('`')
                .nth(1)
                .expect("the message quotes the word")
                .to_owned()
        })
        .collect()
}

#[test]
fn real_drug_and_procedure_names_are_known_and_misspellings_are_not() {
    if !dictionaries_installed() {
        return;
    }
    let env = env_with("", &format!("{FRONT}{HER2}"));
    let run = env.run(&["lint", SLUG, "--json"]);
    assert!(
        !run.stderr.contains("note:"),
        "no notice when the dictionaries are installed: {}",
        run.stderr
    );
    let hits = findings(&env);
    assert_eq!(
        spelled(&hits),
        ["Trastuzumib", "brachytherepy"],
        "only the misspellings: {hits:#?}"
    );
    assert_eq!(
        places(&hits, "spelling"),
        vec![at(HER2, "Trastuzumib"), at(HER2, "brachytherepy")]
    );
    assert!(
        hits.iter()
            .filter(|h| h.code == "spelling")
            .all(|h| h.severity == "info"),
        "{hits:#?}"
    );
}

#[test]
fn current_drug_names_are_known_without_any_hunspell_dictionary() {
    // FDA names newer than OpenMedSpel (2014), from the list shipped with medreview.
    let body =
        "Kadcyla, Enhertu, Phesgo, tucatinib and deruxtecan are FDA names. Zentrovax is not.\n";
    let env = env_with(
        "editorial:\n  dictionaries: []\n",
        &format!("{FRONT}{body}"),
    );
    let run = env.run(&["lint", SLUG]);
    assert!(
        !run.stderr.contains("note:"),
        "no dictionaries asked for, so no notice: {}",
        run.stderr
    );
    let hits = findings(&env);
    assert_eq!(spelled(&hits), ["Zentrovax"], "{hits:#?}");
}

#[test]
fn a_configured_dictionary_that_is_missing_is_refused_naming_it() {
    let env = env_with(
        "editorial:\n  dictionaries: [/nonexistent/hunspell/en_XX]\n",
        &format!("{FRONT}Drink water.\n"),
    );
    let stderr = env.redact(&env.refuse(&["lint", SLUG]));
    insta::assert_snapshot!(stderr, @"
    Error: medreview.yaml: editorial.dictionaries names /nonexistent/hunspell/en_XX.dic, which is not on this machine
    Hint: install the dictionary (Debian: `apt-get install hunspell-en-us hunspell-en-med`), or fix or remove the path in medreview.yaml's editorial.dictionaries (without the setting, the Debian dictionaries that are installed are used)
    Code: invalid-setting
    ");
    // With spelling off the dictionary is not needed: no refusal.
    let env = env_with(
        "editorial:\n  dictionaries: [/nonexistent/hunspell/en_XX]\n  severity:\n    spelling: off\n    grammar: off\n",
        &format!("{FRONT}Drink water.\n"),
    );
    env.ok(&["lint", SLUG]);
}

#[test]
fn an_empty_dictionary_entry_is_refused() {
    let env = env_with(
        "editorial:\n  dictionaries: ['']\n",
        &format!("{FRONT}Drink water.\n"),
    );
    let stderr = env.redact(&env.refuse(&["lint", SLUG]));
    assert!(
        stderr.contains("editorial.dictionaries has an empty entry"),
        "{stderr}"
    );
}

/// A workspace's own Hunspell dictionary, with an affix file: its words and their
/// affixed forms are known, capitalised or not; changing it changes the findings
/// at once (the memo is keyed by the dictionaries' size and time).
#[test]
fn a_workspace_dictionary_is_read_with_its_affixes_and_the_memo_follows_it() {
    let body = "Zentrovax and zentrovaxes help. Plimzera does too. Zentrovaxing is not a word.\n";
    let env = env_with(
        "editorial:\n  dictionaries: [words/house]\n",
        &format!("{FRONT}{body}"),
    );
    env.write("words/house.aff", "SET UTF-8\nSFX S Y 1\nSFX S 0 es .\n");
    env.write("words/house.dic", "1\nzentrovax/S\n");
    let hits = findings(&env);
    assert_eq!(spelled(&hits), ["Plimzera", "Zentrovaxing"], "{hits:#?}");
    env.write("words/house.dic", "2\nzentrovax/S\nPlimzera\n");
    let hits = findings(&env);
    assert_eq!(spelled(&hits), ["Zentrovaxing"], "{hits:#?}");
}

/// harper's word list is kept in the git folder between runs; a damaged copy is
/// rebuilt, not trusted.
#[test]
fn harpers_word_list_is_cached_and_a_damaged_cache_is_rebuilt() {
    let body = "Patients recieve a letter.\n";
    let env = env_with(
        "editorial:\n  dictionaries: []\n",
        &format!("{FRONT}{body}"),
    );
    let first = findings(&env);
    assert_eq!(spelled(&first), ["recieve"], "{first:#?}");
    let git_dir = env.root().join(".git");
    let cache = git_dir.join("medreview").join("harper-words.txt");
    let text = std::fs::read_to_string(&cache).expect("harper's words are cached");
    assert!(
        text.lines().skip(1).any(|l| l == "letter"),
        "a real word is in it"
    );
    // Damage: "patients" taken out and "recieve" put in, with the header unchanged.
    let damaged = text
        .replace("\npatients\n", "\nrecieve\n")
        .replace("\nletter\n", "\nrecieve\n");
    std::fs::write(&cache, damaged).expect("damage the cache");
    // A new text, so the memo does not answer and the words are read again.
    let body = "Patients recieve a second letter.\n";
    env.write(crate::common::ARTICLE, &format!("{FRONT}{body}"));
    let hits = findings(&env);
    assert_eq!(spelled(&hits), ["recieve"], "{hits:#?}");
    let fresh = std::fs::read_to_string(&cache).expect("rebuilt");
    assert!(
        fresh == text,
        "the damaged cache is replaced by the real list"
    );
}
