//! Glossary file formats, chosen by file ending, each in its own file that both reads and
//! writes it: [`json`] (passeur's own), [`delimited`] (TSV and CSV), [`tbx`] (TBX-Basic).
//! Reading gives raw entries with their lines; [`crate::glossary::load`] validates them.

mod delimited;
mod json;
mod tbx;

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::load::is_acronym;
use super::{Entry, EntryStatus, GlossaryError, Policy};

pub(crate) use json::{entry_ranges as json_entry_ranges, list_range as json_list_range};

/// A glossary file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Tsv,
    Csv,
    Tbx,
}

impl Format {
    /// The format a file's ending names.
    pub fn from_path(path: &Path) -> Result<Format, GlossaryError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Ok(Format::Json),
            Some("tsv" | "txt" | "tab") => Ok(Format::Tsv),
            Some("csv") => Ok(Format::Csv),
            Some("tbx" | "xml") => Ok(Format::Tbx),
            _ => Err(GlossaryError::UnknownFormat {
                path: path.display().to_string(),
            }),
        }
    }
}

/// A term's case rule, as `case` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CaseRule {
    Sensitive,
    Insensitive,
}

/// One JSON entry, as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// A regular expression instead of a term (see [`Entry::pattern`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_sensitive: Option<bool>,
    /// `sensitive` or `insensitive`: the same setting by the name Weblate and Tolgee give
    /// it (read, never written: `case_sensitive` is).
    #[serde(default, skip_serializing)]
    pub case: Option<CaseRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_word: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `preferred` (the default), `deprecated` or `forbidden` ([`EntryStatus`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<EntryStatus>,
}

impl RawEntry {
    /// The entry as it would be written: settings equal to their defaults are left out.
    pub(crate) fn from_entry(entry: &Entry) -> RawEntry {
        if entry.pattern.is_some() {
            return RawEntry {
                pattern: entry.pattern.clone(),
                whole_word: (!entry.whole_word).then_some(false),
                policy: (entry.policy != Policy::Placeholder).then_some(entry.policy),
                note: entry.note.clone(),
                domain: entry.domain.clone(),
                ..RawEntry::default()
            };
        }
        RawEntry {
            source: entry.source.clone(),
            target: entry.target.clone(),
            pattern: None,
            variants: entry.variants.clone(),
            case_sensitive: (entry.case_sensitive != is_acronym(&entry.source))
                .then_some(entry.case_sensitive),
            case: None,
            whole_word: (!entry.whole_word).then_some(false),
            policy: (entry.policy != Policy::Inject).then_some(entry.policy),
            note: entry.note.clone(),
            domain: entry.domain.clone(),
            status: (entry.status != EntryStatus::Preferred).then_some(entry.status),
        }
    }
}

pub(crate) type RawEntries = Vec<(usize, Result<RawEntry, String>)>;

/// The raw entries of a glossary file with their lines, before validation (for lint).
pub(crate) fn read_raw(
    name: &str,
    text: &str,
    format: Format,
) -> Result<RawEntries, GlossaryError> {
    match format {
        Format::Json => json::parse(name, text),
        Format::Tsv => delimited::parse(name, text, b'\t'),
        Format::Csv => delimited::parse(name, text, b','),
        Format::Tbx => tbx::parse(name, text),
    }
}

/// Writes entries in a format, or says which entry the format cannot hold as it is.
pub fn write_glossary(entries: &[Entry], format: Format) -> Result<String, String> {
    match format {
        Format::Json => Ok(json::write(entries)),
        Format::Tsv | Format::Csv => delimited::write(entries, format),
        Format::Tbx => Ok(tbx::write(entries)),
    }
}
