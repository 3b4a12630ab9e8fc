//! Where harper's and the Hunspell dictionaries' set-up time goes, one step at a time:
//! `cargo run --release -p medreview-lint --example harper_setup`.

use std::time::Instant;

use harper_core::linting::LintGroup;
use harper_core::spell::{FstDictionary, MutableDictionary};
use harper_core::{Dialect, Document};

fn main() {
    let t = Instant::now();
    let m = MutableDictionary::curated();
    println!(
        "MutableDictionary::curated  {:>6} ms",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let d = FstDictionary::curated();
    println!(
        "FstDictionary::curated      {:>6} ms",
        t.elapsed().as_millis()
    );
    drop(m);
    let t = Instant::now();
    let doc = Document::new_plain_english_curated("Patients take trastuzumab every three weeks.");
    println!(
        "first Document              {:>6} ms",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let _ = Document::new_plain_english_curated("A second document is cheap.");
    println!(
        "second Document             {:>6} ms",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let mut group = LintGroup::new_curated(d.clone(), Dialect::American);
    println!(
        "LintGroup::new_curated      {:>6} ms",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let _ = group.organized_lints(&doc);
    println!(
        "first organized_lints       {:>6} ms",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let _ = group.organized_lints(&doc);
    println!(
        "second organized_lints      {:>6} ms",
        t.elapsed().as_millis()
    );
    for (aff, dic) in [
        (
            "/usr/share/hunspell/en_US.aff",
            "/usr/share/hunspell/en_US.dic",
        ),
        (
            "/usr/share/hunspell/en_US.aff",
            "/usr/share/hunspell/en_med_glut.dic",
        ),
    ] {
        let (Ok(a), Ok(w)) = (std::fs::read_to_string(aff), std::fs::read_to_string(dic)) else {
            println!("{dic}: not installed");
            continue;
        };
        let t = Instant::now();
        match spellbook::Dictionary::new(&a, &w) {
            Ok(d) => println!(
                "spellbook {dic:<40} {:>6} ms (trastuzumab's: {}, brachytherapies: {})",
                t.elapsed().as_millis(),
                d.check("trastuzumab's"),
                d.check("brachytherapies")
            ),
            Err(e) => println!("spellbook {dic}: {e}"),
        }
    }
}
