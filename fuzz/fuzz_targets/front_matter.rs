//! Feeds arbitrary bytes to the parsers of the files a user (or an attacker with
//! commit access) controls: `article.md` (front matter + body) and the sign-off files
//! (format 2 and the format-1 ledger `migrate` still reads).
//! Any input may be refused with an error; none may panic, abort or hang.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use medreview_core::article::{Article, split_front_matter};
use medreview_core::record::{entry, legacy};

fuzz_target!(|data: &[u8]| {
    // Errors are the expected outcome for most inputs; only a panic is a finding.
    let _ = Article::parse(data, Path::new("fuzz.md"));
    // A sign-off file under its own name (so the digest check passes and the
    // parser runs) and under a fixed one.
    if let Ok((_, e)) = entry::read("x.yaml", data, Path::new("x.yaml")) {
        let _ = e.to_file();
    }
    let name = format!(
        "20250101T000000Z-approved-ana-{}.yaml",
        &medreview_store::gitstore::GitStore::blob_id(data).as_str()[..entry::DIGEST_LEN]
    );
    let _ = entry::read(&name, data, Path::new(&name));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = legacy::parse(text, Path::new("fuzz.yaml"));
        // diff reads front matter field by field through the same YAML library,
        // into untyped values where aliases are expanded.
        if let Some((front, _body)) = split_front_matter(text) {
            let _ = medreview_core::yaml::top_level_fields(front);
        }
    }
});
