//! The one place that knows which YAML library medreview uses.
//!
//! Everything else calls [`parse`] and [`to_string`], so moving from `serde_yaml`
//! (no longer maintained upstream) to a maintained fork touches this file only.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A YAML file that could not be read as the structure medreview expects.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct YamlError {
    /// The file, as the user would name it.
    pub file: PathBuf,
    /// The 1-based line in that file, where known.
    pub line: Option<usize>,
    /// What is wrong, without the location.
    pub message: String,
    /// How to fix it, when the mistake is a common one (a colon in a title, say).
    pub hint: Option<String>,
    /// Whether the file holds unresolved merge conflict markers (its code is then
    /// `merge-conflict`, not `invalid-yaml`).
    pub merge_conflict: bool,
}

/// Parses `text` from `file`; `first_line` is the line of `file` where `text` starts
/// (1 for a whole file), so errors point at the right line of front matter.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, YamlError> {
    if let Some(found) = precheck(text) {
        return Err(YamlError {
            file: file.to_path_buf(),
            line: Some(found.line + first_line - 1),
            message: found.message,
            hint: None,
            merge_conflict: found.merge_conflict,
        });
    }
    serde_yaml::from_str(text).map_err(|err| {
        let at = err.location().map(|loc| loc.line());
        let mut message = err.to_string();
        // serde_yaml appends " at line L column C"; the location is reported separately.
        if let Some(at) = message.find(" at line ") {
            message.truncate(at);
        }
        let hint = match at {
            Some(n) if message.starts_with("mapping values are not allowed") => {
                text.lines().nth(n.saturating_sub(1)).and_then(quote_hint)
            }
            _ => None,
        };
        YamlError {
            file: file.to_path_buf(),
            line: at.map(|n| n + first_line - 1),
            message,
            hint,
            merge_conflict: false,
        }
    })
}

/// For a line like `title: Diabetes: what to know`, whose plain value holds `: `
/// (which YAML reads as a second key): the hint to quote the value.
fn quote_hint(line: &str) -> Option<String> {
    let (indent, rest) = line.split_at(line.len() - line.trim_start().len());
    let (item, rest) = match rest.strip_prefix("- ") {
        Some(rest) => ("- ", rest),
        None => ("", rest),
    };
    let (key, value) = rest.split_once(": ")?;
    let value = value.trim();
    let plain_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let plain_value = !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '#'])
        && value.contains(": ");
    if !plain_key || !plain_value {
        return None;
    }
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!(
        "quote the {key}: {indent}{item}{key}: \"{quoted}\""
    ))
}

/// How deeply flow collections (`[`, `{`) may nest. Real front matter nests two or
/// three levels; the parser's time grows with the square of the depth.
pub(crate) const MAX_FLOW_DEPTH: usize = 64;

/// What [`precheck`] found.
struct Found {
    /// The 1-based line of the text.
    line: usize,
    message: String,
    merge_conflict: bool,
}

/// Cheap checks before the parser runs, each with the 1-based line it concerns:
/// merge conflict markers, flow collections nested too deeply, and a top-level key
/// given twice (the parser reports that at the start of the mapping, not at the duplicate).
fn precheck(text: &str) -> Option<Found> {
    let mut depth = 0usize;
    let mut keys: Vec<&str> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.starts_with("<<<<<<< ")
            || line.starts_with(">>>>>>> ")
            || line == "<<<<<<<"
            || line == ">>>>>>>"
        {
            return Some(Found {
                line: n,
                message: "the file holds unresolved merge conflict markers; resolve the conflict, then commit"
                    .into(),
                merge_conflict: true,
            });
        }
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '#') => break,
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(Found {
                            line: n,
                            message: format!(
                                "collections are nested more than {MAX_FLOW_DEPTH} levels deep"
                            ),
                            merge_conflict: false,
                        });
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if let Some((key, _)) = line.split_once(':')
            && !key.is_empty()
            && !line.starts_with([' ', '\t', '-', '#', '[', '{', '"', '\''])
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            if keys.contains(&key) {
                return Some(Found {
                    line: n,
                    message: format!("duplicate field `{key}`: it is already set above"),
                    merge_conflict: false,
                });
            }
            keys.push(key);
        }
    }
    None
}

/// Serializes `value` as a YAML document without the leading `---`.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain data structs (strings, numbers, lists, maps with string keys)
    // cannot fail; a failure would be a bug in medreview's own types.
    match serde_yaml::to_string(value) {
        Ok(text) => text,
        Err(err) => panic!("medreview's own data failed to serialize as YAML: {err}"), // invariant
    }
}

/// A top-level front-matter field as text, for showing changes field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A single value, as text.
    Scalar(String),
    /// A list, one text per item.
    List(Vec<String>),
}

/// The top-level fields of a YAML mapping, in document order; `None` if the text is
/// not a mapping (diffs then fall back to comparing the raw text).
pub fn top_level_fields(text: &str) -> Option<Vec<(String, FieldValue)>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    if precheck(text).is_some() {
        return None;
    }
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let mapping = value.as_mapping()?;
    let fields = mapping
        .iter()
        .map(|(key, value)| {
            let key = display(key);
            let value = match value {
                serde_yaml::Value::Sequence(items) => {
                    FieldValue::List(items.iter().map(display).collect())
                }
                other => FieldValue::Scalar(display(other)),
            };
            (key, value)
        })
        .collect();
    Some(fields)
}

/// One line of text for any YAML value: mappings as their values joined with " — ".
fn display(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value;
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Mapping(map) => map.values().map(display).collect::<Vec<_>>().join(" — "),
        Value::Tagged(tagged) => display(&tagged.value),
    }
}

/// The comment lines (and blank lines) a YAML file starts with: kept when a setting
/// is changed, as the file's own documentation.
fn leading_comments(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            out.push_str(line);
            out.push('\n');
        } else {
            break;
        }
    }
    out
}

/// A dotted setting name (`review.required_approvals`) as its keys.
fn keys(dotted: &str) -> Vec<&str> {
    dotted.split('.').collect()
}

/// The value of the dotted setting `key` in the mapping `text`, as YAML text
/// (`2`, `true`, `[a, b]`), or `None` where it is not set.
pub fn setting(text: &str, key: &str, file: &Path) -> Result<Option<String>, YamlError> {
    let value: serde_yaml::Value = parse(text, file, 1)?;
    let mut at = &value;
    for k in keys(key) {
        match at.as_mapping().and_then(|m| m.get(k)) {
            Some(v) => at = v,
            None => return Ok(None),
        }
    }
    Ok(Some(flow(at)))
}

/// A value on one line: a scalar as itself, a list or mapping in flow style.
fn flow(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value;
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Mapping(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", flow(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Tagged(t) => flow(&t.value),
    }
}

/// `text` (a YAML mapping) with the dotted setting `key` set to `value` (read as
/// YAML: `2`, `true`, `[a, b]`, or a plain string), or removed when `value` is
/// `None`. The comments the file starts with are kept; the rest is written anew.
/// Emptied sections are removed.
pub fn with_setting(
    text: &str,
    key: &str,
    value: Option<&str>,
    file: &Path,
) -> Result<String, YamlError> {
    use serde_yaml::{Mapping, Value};
    let mut root: Value = parse(text, file, 1)?;
    if root.is_null() {
        root = Value::Mapping(Mapping::new());
    }
    let new = value.map(|v| match serde_yaml::from_str::<Value>(v) {
        Ok(Value::Null) | Err(_) => Value::String(v.to_owned()),
        Ok(parsed) => parsed,
    });
    let path = keys(key);
    let not_a_mapping = |at: &str| YamlError {
        file: file.to_path_buf(),
        line: None,
        message: format!("{at} is not a section, so {key} cannot be set in it"),
        hint: None,
        merge_conflict: false,
    };
    fn set(
        map: &mut Value,
        path: &[&str],
        new: &Option<Value>,
        fail: &dyn Fn(&str) -> YamlError,
    ) -> Result<(), YamlError> {
        let Some(m) = map.as_mapping_mut() else {
            return Err(fail(path.first().copied().unwrap_or_default()));
        };
        let Some((first, rest)) = path.split_first() else {
            return Ok(());
        };
        let k = Value::String((*first).to_owned());
        if rest.is_empty() {
            match new {
                Some(v) => {
                    m.insert(k, v.clone());
                }
                None => {
                    m.remove(&k);
                }
            }
            return Ok(());
        }
        if new.is_none() && !m.contains_key(&k) {
            return Ok(());
        }
        let child = m
            .entry(k.clone())
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        set(child, rest, new, &|at| fail(&format!("{first}.{at}")))?;
        if child.as_mapping().is_some_and(Mapping::is_empty) {
            m.remove(&k);
        }
        Ok(())
    }
    set(&mut root, &path, &new, &not_a_mapping)?;
    Ok(format!("{}{}", leading_comments(text), to_string(&root)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn error_line_is_offset_into_the_file() {
        let err = parse::<BTreeMap<String, String>>("a: b\nc: [\n", Path::new("x.md"), 2)
            .expect_err("invalid yaml");
        assert_eq!(err.file, Path::new("x.md"));
        assert!(err.line.is_some_and(|l| l >= 3), "{err:?}");
        assert!(!err.message.contains(" at line "));
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code, reason = "only parsed, never read")]
    struct Person {
        name: String,
    }

    #[test]
    fn prechecks_name_the_line() {
        let nested = format!("a: {}\n", "[".repeat(10_000));
        let err =
            parse::<BTreeMap<String, String>>(&nested, Path::new("x.yaml"), 1).expect_err("deep");
        assert!(err.message.contains("nested more than"), "{err}");
        let err = parse::<Person>("name: a\n<<<<<<< HEAD\n", Path::new("x.yaml"), 1)
            .expect_err("conflict");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("merge conflict"), "{err}");
        let err = parse::<Person>("name: a\nother: b\nname: c\n", Path::new("x.yaml"), 3)
            .expect_err("dup");
        assert_eq!(
            err.line,
            Some(5),
            "regression: reported at the duplicate, not the mapping"
        );
        assert!(parse::<Person>("name: '[[[[ # not nesting'\n", Path::new("x.yaml"), 1).is_ok());
    }

    #[test]
    fn a_colon_in_a_plain_value_gets_the_hint_to_quote_it() {
        let err = parse::<BTreeMap<String, String>>(
            "writer: a\ntitle: Diabetes: what to \"know\"\n",
            Path::new("article.md"),
            2,
        )
        .expect_err("a colon in a plain value");
        assert_eq!(err.line, Some(3), "{err:?}");
        assert_eq!(
            err.hint.as_deref(),
            Some(r#"quote the title: title: "Diabetes: what to \"know\"""#)
        );
        assert_eq!(
            quote_hint("  - title: Type 2: basics").as_deref(),
            Some(r#"quote the title:   - title: "Type 2: basics""#)
        );
        assert_eq!(quote_hint(r#"title: "A: b" c: d"#), None);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse::<Person>("name: a\nname: b\n", Path::new("x.yaml"), 1)
            .expect_err("duplicate key");
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }
}
