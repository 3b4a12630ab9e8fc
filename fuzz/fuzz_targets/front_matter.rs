//! Feeds arbitrary bytes to the parsers of the files a user (or an attacker with
//! commit access) controls: `article.md` (front matter + body) and `signoffs.yaml`.
//! Any input may be refused with an error; none may panic, abort or hang.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use medreview::article::{Article, split_front_matter};
use medreview::ledger::Ledger;

fuzz_target!(|data: &[u8]| {
    // Errors are the expected outcome for most inputs; only a panic is a finding.
    let _ = Article::parse(data, Path::new("fuzz.md"));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Ledger::parse(text, Path::new("fuzz.yaml"));
        // diff reads front matter field by field through the same YAML library,
        // into untyped values where aliases are expanded.
        if let Some((front, _body)) = split_front_matter(text) {
            let _ = medreview::yaml::top_level_fields(front);
        }
    }
});
