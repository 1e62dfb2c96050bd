//! Loading glossary files. The native format is JSON: a list of entries, or an object with
//! an `entries` list, each entry with at least `source` and `target`.

use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use super::Entry;

/// Why a glossary, or one of its entries, cannot be used.
#[derive(Debug, Error)]
pub enum GlossaryError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid glossary: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: entry {number} ({source_term:?}): {message}")]
    Entry {
        path: String,
        number: usize,
        source_term: String,
        message: String,
    },
}

impl GlossaryError {
    pub fn path(&self) -> &str {
        match self {
            GlossaryError::Io { path, .. }
            | GlossaryError::Syntax { path, .. }
            | GlossaryError::Entry { path, .. } => path,
        }
    }

    pub fn line(&self) -> Option<usize> {
        match self {
            GlossaryError::Syntax { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// The object form of a glossary file; the list form is a bare `Vec<RawEntry>`.
#[derive(Deserialize)]
struct GlossaryObject {
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    source: String,
    target: String,
    #[serde(default)]
    variants: Vec<String>,
    case_sensitive: Option<bool>,
    note: Option<String>,
    // Accepted now so that files written for later versions still load.
    #[serde(default)]
    #[allow(dead_code)]
    whole_word: Option<bool>,
    #[serde(default)]
    #[allow(dead_code)]
    policy: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    domain: Option<String>,
}

/// Loads a JSON glossary. A syntax error fails the whole file; an invalid entry is
/// reported and skipped, and the valid entries are still returned.
pub fn load_glossary(path: &Path) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| GlossaryError::Io {
        path: name.clone(),
        source,
    })?;
    parse_glossary(&name, &text)
}

pub(crate) fn parse_glossary(
    name: &str,
    text: &str,
) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let syntax = |e: serde_json::Error| GlossaryError::Syntax {
        path: name.into(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    };
    // Chosen by the first character rather than with an untagged enum, whose error would
    // hide the line and the reason.
    let raw: Vec<RawEntry> = if text.trim_start().starts_with('{') {
        serde_json::from_str::<GlossaryObject>(text)
            .map_err(syntax)?
            .entries
    } else {
        serde_json::from_str(text).map_err(syntax)?
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in raw.into_iter().enumerate() {
        let number = index + 1;
        let problem = if raw.source.trim().is_empty() {
            Some("the source term is empty")
        } else if raw.target.trim().is_empty() {
            Some("the target term is empty")
        } else {
            None
        };
        if let Some(message) = problem {
            errors.push(GlossaryError::Entry {
                path: name.into(),
                number,
                source_term: raw.source,
                message: message.into(),
            });
            continue;
        }
        let source = raw.source.trim().to_string();
        let case_sensitive = raw.case_sensitive.unwrap_or_else(|| is_acronym(&source));
        entries.push(Entry {
            target: raw.target.trim().to_string(),
            variants: raw.variants,
            case_sensitive,
            note: raw.note,
            origin: format!("{name} entry {number}"),
            source,
        });
    }
    Ok((entries, errors))
}

/// `UE`, `OTAN`, `G7`: two or more characters, all letters capitals.
fn is_acronym(term: &str) -> bool {
    term.chars().count() >= 2
        && term.chars().any(char::is_alphabetic)
        && term
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// serde_json appends " at line L column C"; the error already carries them.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_both_shapes_and_defaults_case_for_acronyms() {
        let (entries, errors) =
            parse_glossary("g.json", r#"[{"source": "OTAN", "target": "NATO"}, {"source": "bureau de liaison", "target": "liaison office", "note": "office"}]"#).unwrap();
        assert!(errors.is_empty());
        assert!(entries[0].case_sensitive);
        assert!(!entries[1].case_sensitive);
        let (entries, _) = parse_glossary(
            "g.json",
            r#"{"entries": [{"source": "UE", "target": "EU"}]}"#,
        )
        .unwrap();
        assert_eq!(entries[0].target, "EU");
    }

    #[test]
    fn names_the_line_of_a_syntax_error() {
        let error =
            parse_glossary("g.json", "[\n{\"source\": \"OTAN\",\n\"target\": }\n]").unwrap_err();
        assert_eq!(error.line(), Some(3));
        assert!(error.to_string().starts_with("g.json:3:"), "{error}");
    }

    #[test]
    fn skips_an_invalid_entry_and_keeps_the_rest() {
        let (entries, errors) = parse_glossary(
            "g.json",
            r#"[{"source": " ", "target": "x"}, {"source": "ONU", "target": "UN"}]"#,
        )
        .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "g.json: entry 1 (\" \"): the source term is empty"
        );
    }
}
