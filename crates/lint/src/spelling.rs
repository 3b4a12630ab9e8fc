//! Which words `spelling` knows: harper's curated dictionary, the machine's Hunspell
//! dictionaries (Debian's `hunspell-en-us` and `hunspell-en-med`, or those named in
//! `editorial.dictionaries`), the FDA drug names shipped in `data/drugs.txt`, and the
//! workspace's own words.
//!
//! Set-up cost (`MEDREVIEW_NO_MEMO=1 medreview lint SLUG`; docs/numbers.md): harper builds its dictionary
//! in about 0.6 s, so its word list is kept on disk, in `<git dir>/medreview/`, keyed
//! by the medreview build and checked by a digest (a stale or damaged file is rebuilt,
//! never trusted); reading it back takes a few tens of milliseconds. Each Hunspell
//! dictionary parses in about 25 ms, in parallel with that. Nothing is loaded until an
//! article not in the memo is checked with `spelling` on.

use std::path::{Path, PathBuf};

/// Where Debian installs the dictionaries used when `editorial.dictionaries` is not set.
pub const DEFAULT_DICTIONARIES: &[&str] = &[
    "/usr/share/hunspell/en_US",
    "/usr/share/hunspell/en_med_glut",
];

/// The medical dictionary among the defaults, and the Debian packages to install.
const MEDICAL_DEFAULT: &str = "/usr/share/hunspell/en_med_glut";
const INSTALL: &str = "apt-get install hunspell-en-us hunspell-en-med";

/// One Hunspell dictionary on disk: its word list and the affix file it is read with.
#[derive(Debug, Clone, PartialEq)]
pub struct Hunspell {
    /// `NAME.dic`.
    pub dic: PathBuf,
    /// `NAME.aff`, or the first dictionary's when this one has none (as `hunspell -d
    /// en_US,en_med_glut` reads an extra word list), or none at all.
    pub aff: Option<PathBuf>,
}

/// The Hunspell dictionaries a workspace's settings name, as found on this machine.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The dictionaries found, in order.
    pub found: Vec<Hunspell>,
    /// Dictionaries the settings name that are not there (a refusal when `spelling` runs).
    pub missing: Vec<PathBuf>,
    /// What to say once when a default dictionary is not installed.
    pub notice: Option<String>,
    /// Path, size and modification time of every file read, for the memo key:
    /// installing or updating a dictionary changes the findings.
    pub identity: String,
}

/// `NAME` of `NAME`, `NAME.dic` or `NAME.aff`.
fn stem(path: &str) -> &str {
    path.strip_suffix(".dic")
        .or_else(|| path.strip_suffix(".aff"))
        .unwrap_or(path)
}

fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

fn file_identity(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(m) => format!(
            "{} {} {}.{}",
            path.display(),
            m.len(),
            m.mtime(),
            m.mtime_nsec()
        ),
        Err(_) => format!("{} missing", path.display()),
    }
}

/// Finds the dictionaries of `configured` (`editorial.dictionaries`; relative paths are
/// under `root`), or the Debian defaults that exist when it is not set.
pub fn resolve(configured: Option<&[String]>, root: Option<&Path>) -> Resolved {
    resolve_with(configured, root, DEFAULT_DICTIONARIES, MEDICAL_DEFAULT)
}

/// [`resolve`] with other default paths (for tests).
fn resolve_with(
    configured: Option<&[String]>,
    root: Option<&Path>,
    default_paths: &[&str],
    medical_default: &str,
) -> Resolved {
    let (names, defaults): (Vec<PathBuf>, bool) = match configured {
        Some(list) => (
            list.iter()
                .map(|p| {
                    let p = Path::new(stem(p.trim()));
                    match root {
                        Some(root) if p.is_relative() => root.join(p),
                        _ => p.to_path_buf(),
                    }
                })
                .collect(),
            false,
        ),
        None => (default_paths.iter().map(PathBuf::from).collect(), true),
    };
    let mut resolved = Resolved::default();
    let mut identity = Vec::new();
    let mut first_aff: Option<PathBuf> = None;
    let mut absent = Vec::new();
    for name in names {
        let dic = with_ext(&name, ".dic");
        let aff = with_ext(&name, ".aff");
        if !dic.is_file() {
            identity.push(file_identity(&dic));
            if defaults {
                absent.push(dic);
            } else {
                resolved.missing.push(dic);
            }
            continue;
        }
        let aff = if aff.is_file() {
            first_aff.get_or_insert_with(|| aff.clone());
            Some(aff)
        } else {
            first_aff.clone()
        };
        identity.push(file_identity(&dic));
        if let Some(aff) = &aff {
            identity.push(file_identity(aff));
        }
        resolved.found.push(Hunspell { dic, aff });
    }
    if defaults && !absent.is_empty() {
        let medical = absent
            .iter()
            .any(|d| d.as_path() == with_ext(Path::new(medical_default), ".dic"));
        let what = if resolved.found.is_empty() {
            "no Hunspell dictionary is installed, so `spelling` knows only harper's word list, \
             the FDA drug names and dictionary.txt"
                .to_owned()
        } else if medical {
            "the medical dictionary (OpenMedSpel) is not installed, so `spelling` may flag \
             procedure and anatomy terms"
                .to_owned()
        } else {
            format!(
                "{} is not installed",
                absent
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        resolved.notice = Some(format!(
            "{what}: install it with `{INSTALL}`, or name your dictionaries in medreview.yaml's editorial.dictionaries"
        ));
    }
    resolved.identity = identity.join("\n");
    resolved
}

/// The error for a dictionary the settings name that is not on this machine.
pub fn missing_error(missing: &[PathBuf]) -> medreview_core::error::Error {
    use medreview_core::error::{Code, Error};
    let files: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
    Error::with_hint(
        Code::InvalidSetting,
        format!(
            "medreview.yaml: editorial.dictionaries names {}, which {} not on this machine",
            files.join(", "),
            if files.len() == 1 { "is" } else { "are" }
        ),
        format!(
            "install the dictionary (Debian: `{INSTALL}`), or fix or remove the path in medreview.yaml's \
             editorial.dictionaries (without the setting, the Debian dictionaries that are installed are used)"
        ),
    )
}

#[cfg(feature = "language")]
pub use loaded::{Words, words};

#[cfg(feature = "language")]
mod loaded {
    use std::collections::{BTreeSet, HashMap, HashSet};
    use std::path::Path;
    use std::sync::{Arc, LazyLock, Mutex};

    use medreview_core::error::{Code, Error, Result};

    use super::Resolved;

    /// The drug names: one lower-case word a line, `#` comments (scripts/drugs.py).
    const DRUGS: &str = include_str!("../data/drugs.txt");

    /// The words one workspace's spelling knows, beside its own.
    pub struct Words {
        /// harper's curated dictionary, lower-case.
        harper: HashSet<String>,
        /// The FDA drug names.
        drugs: HashSet<&'static str>,
        /// The Hunspell dictionaries.
        hunspell: Vec<spellbook::Dictionary>,
    }

    impl Words {
        /// Whether `word` (as written; no digits) is known, or the workspace's
        /// `allowed` words (lower-case) have it.
        pub fn knows(&self, word: &str, allowed: &BTreeSet<String>) -> bool {
            let word = word.replace('’', "'");
            let lower = word.to_lowercase();
            let mut forms = vec![lower.as_str()];
            if let Some(stem) = lower.strip_suffix("'s") {
                forms.push(stem);
            } else if let Some(stem) = lower.strip_suffix('s') {
                forms.push(stem);
            }
            if forms.iter().any(|w| {
                allowed.contains(*w) || self.harper.contains(*w) || self.drugs.contains(*w)
            }) {
                return true;
            }
            let capital = capitalize(&lower);
            self.hunspell.iter().any(|d| {
                d.check(&word)
                    || d.check(&lower)
                    || d.check(&capital)
                    || lower
                        .strip_suffix("'s")
                        .is_some_and(|stem| d.check(stem) || d.check(&capitalize(stem)))
            })
        }
    }

    fn capitalize(word: &str) -> String {
        let mut c = word.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    static LOADED: LazyLock<Mutex<HashMap<String, Arc<Words>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));

    fn read(path: &Path, what: &str) -> Result<String> {
        std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| {
                Error::with_hint(
                    Code::InvalidSetting,
                    format!("cannot read the {what} {}: {e}", path.display()),
                    "check that the file is readable, or name another dictionary in medreview.yaml's editorial.dictionaries",
                )
            })
    }

    fn hunspell(resolved: &Resolved) -> Result<Vec<spellbook::Dictionary>> {
        let mut out = Vec::new();
        for h in &resolved.found {
            let dic = read(&h.dic, "Hunspell word list")?;
            let aff = match &h.aff {
                Some(aff) => read(aff, "Hunspell affix file")?,
                None => "SET UTF-8\n".to_owned(),
            };
            let dictionary = spellbook::Dictionary::new(&aff, &dic).map_err(|e| {
                Error::with_hint(
                    Code::InvalidSetting,
                    format!("{} is not a Hunspell dictionary: {e}", h.dic.display()),
                    "reinstall it, or leave it out of medreview.yaml's editorial.dictionaries",
                )
            })?;
            out.push(dictionary);
        }
        Ok(out)
    }

    /// The words of `resolved`, loaded once per process; `cache` is the folder where
    /// harper's word list is kept between runs.
    pub fn words(resolved: &Resolved, cache: Option<&Path>) -> Result<Arc<Words>> {
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(words) = loaded.get(&resolved.identity) {
            return Ok(words.clone());
        }
        let (harper, hunspell) = std::thread::scope(|s| {
            let hunspell = s.spawn(|| hunspell(resolved));
            let harper = super::harper_words::load(cache);
            let hunspell = hunspell.join().unwrap_or_else(|_| {
                Err(Error::new(
                    Code::InvalidSetting,
                    "reading the Hunspell dictionaries failed",
                ))
            });
            (harper, hunspell)
        });
        let drugs = DRUGS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let words = Arc::new(Words {
            harper,
            drugs,
            hunspell: hunspell?,
        });
        loaded.insert(resolved.identity.clone(), words.clone());
        Ok(words)
    }
}

/// harper's word list, kept on disk between runs.
#[cfg(feature = "language")]
mod harper_words {
    use std::collections::HashSet;
    use std::io::Write;
    use std::path::Path;

    const FILE: &str = "harper-words.txt";
    const MAGIC: &str = "medreview-harper-words-1";

    /// harper's curated words, lower-case, sorted (about 0.6 s).
    fn build() -> Vec<String> {
        use harper_core::spell::{Dictionary, MutableDictionary};
        let dictionary = MutableDictionary::curated();
        let mut words: Vec<String> = dictionary
            .words_iter()
            .map(|w| w.iter().collect::<String>().to_lowercase())
            .filter(|w| !w.contains('\n'))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    }

    fn digest(body: &str) -> String {
        medreview_core::memo::key(&[MAGIC, body])
    }

    /// The header line that says which build wrote `body`.
    fn header(body: &str, count: usize) -> String {
        format!(
            "{MAGIC}\t{}\t{count}\t{}\n",
            medreview_core::memo::build_id(),
            digest(body)
        )
    }

    /// The cached list in `text`, if it is this build's and intact.
    pub(super) fn parse(text: &str) -> Option<HashSet<String>> {
        let (first, body) = text.split_once('\n')?;
        let mut fields = first.split('\t');
        if fields.next()? != MAGIC || fields.next()? != medreview_core::memo::build_id() {
            return None;
        }
        let count: usize = fields.next()?.parse().ok()?;
        if fields.next()? != digest(body) || fields.next().is_some() {
            return None;
        }
        let words: HashSet<String> = body.lines().map(str::to_owned).collect();
        (words.len() == count).then_some(words)
    }

    /// The text of the cache file for `words`.
    pub(super) fn render(words: &[String]) -> String {
        let mut body = String::with_capacity(words.len() * 10);
        for w in words {
            body.push_str(w);
            body.push('\n');
        }
        let mut text = header(&body, words.len());
        text.push_str(&body);
        text
    }

    /// harper's words: from `cache` when it holds this build's list intact, else built
    /// and written there (atomically; a cache that cannot be written is not an error).
    pub(super) fn load(cache: Option<&Path>) -> HashSet<String> {
        let file = cache.map(|c| c.join(FILE));
        if let Some(file) = &file
            && let Ok(text) = std::fs::read_to_string(file)
            && let Some(words) = parse(&text)
        {
            return words;
        }
        let words = build();
        if let (Some(file), Some(dir)) = (&file, cache) {
            let text = render(&words);
            let write = || -> std::io::Result<()> {
                std::fs::create_dir_all(dir)?;
                let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
                let result = std::fs::File::create(&tmp)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .and_then(|()| std::fs::rename(&tmp, file));
                if result.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                result
            };
            let _ = write();
        }
        words.into_iter().collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_cache_round_trips_and_damage_is_refused() {
            let words = vec!["apple".to_owned(), "banana".to_owned()];
            let text = render(&words);
            let back = parse(&text).expect("intact");
            assert!(back.contains("apple") && back.contains("banana") && back.len() == 2);
            // One changed word, a missing line, another build's header: rebuilt.
            assert!(parse(&text.replace("banana", "bananb")).is_none());
            assert!(parse(text.trim_end_matches("banana\n")).is_none());
            assert!(parse(&text.replacen(medreview_core::memo::build_id(), "other", 1)).is_none());
            assert!(parse("").is_none());
            assert!(parse("garbage\n").is_none());
        }
    }
}

/// Words of `text` for spelling, with their byte offsets: runs of letters and digits
/// with apostrophes inside them (`trastuzumab's`); hyphens and other punctuation split
/// words (`ado-trastuzumab` is two). Addresses (`https://…`, `www.…`, e-mail) are skipped.
pub fn words_of(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut chunk_start = 0;
    for piece in text.split_inclusive(char::is_whitespace) {
        let start = chunk_start;
        chunk_start += piece.len();
        let chunk = piece.trim_end();
        if chunk.contains("://") || chunk.contains('@') || chunk.starts_with("www.") {
            continue;
        }
        let mut word_start: Option<usize> = None;
        let chars: Vec<(usize, char)> = chunk.char_indices().collect();
        for (k, &(at, c)) in chars.iter().enumerate() {
            let inside_apostrophe = (c == '\'' || c == '’')
                && word_start.is_some()
                && chars.get(k + 1).is_some_and(|&(_, n)| n.is_alphabetic());
            if c.is_alphanumeric() || inside_apostrophe {
                word_start.get_or_insert(at);
            } else if let Some(s) = word_start.take() {
                out.push((start + s, &chunk[s..at]));
            }
        }
        if let Some(s) = word_start {
            out.push((start + s, &chunk[s..]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_hyphens_and_keep_possessives() {
        let text = "Ado-trastuzumab's dose (see https://x.org/a-b, or a@b.org) isn’t 5mg.";
        let words: Vec<&str> = words_of(text).into_iter().map(|(_, w)| w).collect();
        assert_eq!(
            words,
            ["Ado", "trastuzumab's", "dose", "see", "or", "isn’t", "5mg"]
        );
        for (at, w) in words_of(text) {
            assert_eq!(&text[at..at + w.len()], w);
        }
    }

    #[test]
    fn default_dictionaries_that_are_missing_give_one_notice() {
        let r = resolve(Some(&["/nonexistent/xx_YY".to_owned()]), None);
        assert_eq!(r.missing, [PathBuf::from("/nonexistent/xx_YY.dic")]);
        assert!(r.notice.is_none());
        let r = resolve(Some(&[]), None);
        assert!(r.found.is_empty() && r.missing.is_empty() && r.notice.is_none());
        // The defaults, none installed: one notice, no refusal.
        let r = resolve_with(
            None,
            None,
            &["/nonexistent/en_US", "/nonexistent/en_med"],
            "/nonexistent/en_med",
        );
        assert!(r.missing.is_empty() && r.found.is_empty());
        let notice = r.notice.expect("a notice");
        assert!(
            notice.starts_with("no Hunspell dictionary is installed"),
            "{notice}"
        );
        assert!(
            notice.contains("apt-get install hunspell-en-us hunspell-en-med"),
            "{notice}"
        );
    }
}
