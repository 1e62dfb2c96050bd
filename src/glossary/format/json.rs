//! JSON, passeur's own glossary format: a list of entries, or `{"entries": [...]}`, each
//! with `source`, `target` and optionally `variants`, `case_sensitive`, `whole_word`,
//! `policy` (`inject`, `placeholder`, `check`), `note`, `domain`; or a `pattern`.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{RawEntries, RawEntry};
use crate::glossary::{Entry, GlossaryError};

/// The object form of a JSON glossary; the list form is a bare list of entries.
#[derive(Deserialize)]
struct GlossaryObject<'a> {
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
}

/// The object form, with its list of entries as written.
#[derive(Deserialize)]
struct GlossaryObjectList<'a> {
    #[serde(borrow)]
    entries: &'a RawValue,
}

/// The byte range of the list of entries (`[...]`) in a JSON glossary's text: the whole
/// text for the list form, the `entries` value for the object form, whatever else the
/// object holds.
pub(crate) fn list_range(name: &str, text: &str) -> Result<std::ops::Range<usize>, GlossaryError> {
    values(name, text)?;
    let list = if text.trim_start().starts_with('{') {
        serde_json::from_str::<GlossaryObjectList>(text)
            .expect("parsed just above")
            .entries
            .get()
    } else {
        text.trim()
    };
    let start = list.as_ptr() as usize - text.as_ptr() as usize;
    Ok(start..start + list.len())
}

/// The byte range of each entry of a JSON glossary in its text, for editing in place.
pub(crate) fn entry_ranges(
    name: &str,
    text: &str,
) -> Result<Vec<std::ops::Range<usize>>, GlossaryError> {
    Ok(values(name, text)?
        .into_iter()
        .map(|value| {
            let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
            start..start + value.get().len()
        })
        .collect())
}

fn values<'a>(name: &str, text: &'a str) -> Result<Vec<&'a RawValue>, GlossaryError> {
    let syntax = |e: serde_json::Error| GlossaryError::Syntax {
        path: name.into(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    };
    // Chosen by the first character rather than with an untagged enum, whose error would
    // hide the line and the reason.
    if text.trim_start().starts_with('{') {
        Ok(serde_json::from_str::<GlossaryObject>(text)
            .map_err(syntax)?
            .entries)
    } else {
        serde_json::from_str(text).map_err(syntax)
    }
}

pub(super) fn parse(name: &str, text: &str) -> Result<RawEntries, GlossaryError> {
    // Entries are kept raw first so that each one's line in the file is known for its own
    // errors.
    let raw = values(name, text)?;
    let lines = crate::files::LineIndex::new(text);
    Ok(raw
        .into_iter()
        .map(|value| {
            let offset = value.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = lines.line(offset);
            let entry = serde_json::from_str::<RawEntry>(value.get())
                .map_err(|e| strip_position(&e.to_string()));
            (line, entry)
        })
        .collect())
}

/// Writes entries one per line, so that `glossary add` and `remove` make one-line diffs.
pub(super) fn write(entries: &[Entry]) -> String {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let raw = RawEntry::from_entry(e);
            format!(
                "  {}",
                serde_json::to_string(&raw).expect("entries serialise")
            )
        })
        .collect();
    if lines.is_empty() {
        "[]\n".to_string()
    } else {
        format!("[\n{}\n]\n", lines.join(",\n"))
    }
}

/// serde_json appends " at line L column C"; the error already carries them.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}
