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
}

/// Parses `text` from `file`; `first_line` is the line of `file` where `text` starts
/// (1 for a whole file), so errors point at the right line of front matter.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|err| {
        let line = err.location().map(|loc| loc.line() + first_line - 1);
        let mut message = err.to_string();
        // serde_yaml appends " at line L column C"; the location is reported separately.
        if let Some(at) = message.find(" at line ") {
            message.truncate(at);
        }
        YamlError {
            file: file.to_path_buf(),
            line,
            message,
        }
    })
}

/// Serializes `value` as a YAML document without the leading `---`.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain data structs (strings, numbers, lists, maps with string keys)
    // cannot fail; a failure would be a bug in medreview's own types.
    match serde_yaml::to_string(value) {
        Ok(text) => text,
        Err(err) => panic!("medreview's own data failed to serialize as YAML: {err}"),
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
    fn duplicate_keys_are_refused() {
        let err = parse::<Person>("name: a\nname: b\n", Path::new("x.yaml"), 1)
            .expect_err("duplicate key");
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }
}
