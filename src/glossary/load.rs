//! Reading glossary files, and writing them back ([`write_glossary`]).
//!
//! Formats, chosen by file ending:
//! - JSON (`.json`), the native one: a list of entries, or `{"entries": [...]}`, each with
//!   `source`, `target` and optionally `variants`, `case_sensitive`, `whole_word`, `policy`
//!   (`inject`, `placeholder`, `check`), `note`, `domain`;
//! - TSV (`.tsv`, `.txt`) and CSV (`.csv`): source, target and an optional note per row, the
//!   format DeepL, Google and OmegaT accept; a `source,target` header row is skipped;
//! - TBX (`.tbx`), TBX-Basic (ISO 30042): `conceptEntry`/`langSec`/`termSec` (TBX v3) or
//!   `termEntry`/`langSet`/`tig` (TBX v2). Further French terms are variants; a
//!   `subjectField` is the domain; passeur's own settings travel in an
//!   `<admin type="x-passeur">` so that JSON → TBX → JSON loses nothing.
//!
//! Errors name the file, the line and the entry. A file that cannot be parsed fails whole;
//! an invalid entry is reported and skipped, and the valid ones are still used.

use std::path::Path;

use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use thiserror::Error;

use super::{Entry, Policy};

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
    #[error("{path}:{line}: entry {number} ({source_term:?}): {message}")]
    Entry {
        path: String,
        line: usize,
        number: usize,
        source_term: String,
        message: String,
    },
    #[error("{path}: unknown glossary format (use .json, .tsv, .csv or .tbx)")]
    UnknownFormat { path: String },
}

impl GlossaryError {
    pub fn path(&self) -> &str {
        match self {
            GlossaryError::Io { path, .. }
            | GlossaryError::Syntax { path, .. }
            | GlossaryError::Entry { path, .. }
            | GlossaryError::UnknownFormat { path } => path,
        }
    }

    pub fn line(&self) -> Option<usize> {
        match self {
            GlossaryError::Syntax { line, .. } | GlossaryError::Entry { line, .. } => Some(*line),
            _ => None,
        }
    }
}

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

/// The object form of a JSON glossary; the list form is a bare list of entries.
#[derive(Deserialize)]
struct GlossaryObject<'a> {
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_word: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
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
            whole_word: (!entry.whole_word).then_some(false),
            policy: (entry.policy != Policy::Inject).then_some(entry.policy),
            note: entry.note.clone(),
            domain: entry.domain.clone(),
        }
    }
}

/// Loads a glossary in the format its ending names.
pub fn load_glossary(path: &Path) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let name = path.display().to_string();
    let format = Format::from_path(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| GlossaryError::Io {
        path: name.clone(),
        source,
    })?;
    parse_glossary_text(&name, &text, format)
}

/// Parses glossary text. `name` is used in messages and entry origins.
pub fn parse_glossary_text(
    name: &str,
    text: &str,
    format: Format,
) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let raw = read_raw(name, text, format)?;
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (number, (line, raw)) in raw.into_iter().enumerate().map(|(i, r)| (i + 1, r)) {
        match validate(name, line, number, raw) {
            Ok(entry) => entries.push(entry),
            Err(error) => errors.push(error),
        }
    }
    Ok((entries, errors))
}

/// Builds an entry from its raw form, or says what is wrong with it.
pub(crate) fn validate(
    name: &str,
    line: usize,
    number: usize,
    raw: Result<RawEntry, String>,
) -> Result<Entry, GlossaryError> {
    let bad = |source_term: &str, message: &str| GlossaryError::Entry {
        path: name.into(),
        line,
        number,
        source_term: source_term.into(),
        message: message.into(),
    };
    let raw = raw.map_err(|message| bad("", &message))?;
    if let Some(pattern) = &raw.pattern {
        if !raw.source.is_empty() || !raw.target.is_empty() || !raw.variants.is_empty() {
            return Err(bad(
                pattern,
                "a pattern entry has no source, target or variants: it protects what it matches",
            ));
        }
        let regex = regex::Regex::new(pattern)
            .map_err(|e| bad(pattern, &format!("invalid pattern: {e}")))?;
        if regex.is_match("") {
            return Err(bad(pattern, "the pattern matches the empty string"));
        }
        return Ok(Entry {
            source: pattern.clone(),
            target: String::new(),
            variants: Vec::new(),
            case_sensitive: true,
            whole_word: raw.whole_word.unwrap_or(true),
            policy: raw.policy.unwrap_or(Policy::Placeholder),
            note: raw.note.filter(|n| !n.trim().is_empty()),
            domain: raw.domain.filter(|d| !d.trim().is_empty()),
            pattern: Some(pattern.clone()),
            origin: format!("{name}#{number}"),
        });
    }
    if raw.source.trim().is_empty() {
        return Err(bad(&raw.source, "the source term is empty"));
    }
    if raw.target.trim().is_empty() {
        return Err(bad(&raw.source, "the target term is empty"));
    }
    if let Some(variant) = raw.variants.iter().find(|v| v.trim().is_empty()) {
        return Err(bad(&raw.source, &format!("empty variant {variant:?}")));
    }
    let source = raw.source.trim().to_string();
    Ok(Entry {
        case_sensitive: raw.case_sensitive.unwrap_or_else(|| is_acronym(&source)),
        whole_word: raw.whole_word.unwrap_or(true),
        policy: raw.policy.unwrap_or_default(),
        target: raw.target.trim().to_string(),
        variants: raw.variants.iter().map(|v| v.trim().to_string()).collect(),
        note: raw.note.filter(|n| !n.trim().is_empty()),
        domain: raw.domain.filter(|d| !d.trim().is_empty()),
        pattern: None,
        origin: format!("{name}#{number}"),
        source,
    })
}

pub(crate) type RawEntries = Vec<(usize, Result<RawEntry, String>)>;

/// The byte range of each entry of a JSON glossary in its text, for editing in place.
pub(crate) fn json_entry_ranges(
    name: &str,
    text: &str,
) -> Result<Vec<std::ops::Range<usize>>, GlossaryError> {
    Ok(json_values(name, text)?
        .into_iter()
        .map(|value| {
            let start = value.get().as_ptr() as usize - text.as_ptr() as usize;
            start..start + value.get().len()
        })
        .collect())
}

/// The raw entries of a glossary file with their lines, before validation (for lint).
pub(crate) fn read_raw(
    name: &str,
    text: &str,
    format: Format,
) -> Result<RawEntries, GlossaryError> {
    match format {
        Format::Json => parse_json(name, text),
        Format::Tsv => parse_delimited(name, text, b'\t'),
        Format::Csv => parse_delimited(name, text, b','),
        Format::Tbx => parse_tbx(name, text),
    }
}

fn json_values<'a>(name: &str, text: &'a str) -> Result<Vec<&'a RawValue>, GlossaryError> {
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

fn parse_json(name: &str, text: &str) -> Result<RawEntries, GlossaryError> {
    // Entries are kept raw first so that each one's line in the file is known for its own
    // errors.
    let raw = json_values(name, text)?;
    Ok(raw
        .into_iter()
        .map(|value| {
            let offset = value.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = 1 + text[..offset].matches('\n').count();
            let entry = serde_json::from_str::<RawEntry>(value.get())
                .map_err(|e| strip_position(&e.to_string()));
            (line, entry)
        })
        .collect())
}

fn parse_delimited(name: &str, text: &str, delimiter: u8) -> Result<RawEntries, GlossaryError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .quoting(delimiter == b',')
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| GlossaryError::Syntax {
            path: name.into(),
            line: e.position().map_or(0, |p| p.line() as usize),
            column: 1,
            message: e.to_string(),
        })?;
        let line = record.position().map_or(index + 1, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        if index == 0
            && field(0).eq_ignore_ascii_case("source")
            && field(1).eq_ignore_ascii_case("target")
        {
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let entry = if record.len() < 2 {
            Err(format!(
                "expected source and target, found {} column",
                record.len()
            ))
        } else {
            Ok(RawEntry {
                source: field(0),
                target: field(1),
                note: record.get(2).map(str::to_string),
                ..RawEntry::default()
            })
        };
        out.push((line, entry));
    }
    Ok(out)
}

fn parse_tbx(name: &str, text: &str) -> Result<RawEntries, GlossaryError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let line_of = |pos: u64| 1 + text[..(pos as usize).min(text.len())].matches('\n').count();
    let syntax = |pos: u64, message: String| GlossaryError::Syntax {
        path: name.into(),
        line: line_of(pos),
        column: 1,
        message,
    };
    let mut out = Vec::new();
    // The concept being read: its line, French terms, English terms and extras.
    let mut concept: Option<(usize, Vec<String>, Vec<String>, RawEntry)> = None;
    let mut lang: Option<String> = None;
    let mut field: Option<String> = None;
    let mut buffer = String::new();
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| syntax(position, e.to_string()))?;
        match event {
            Event::Start(e) => {
                let tag = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match tag.as_str() {
                    "conceptEntry" | "termEntry" => {
                        concept = Some((line_of(position), vec![], vec![], RawEntry::default()))
                    }
                    "langSec" | "langSet" => {
                        lang = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"lang")
                            .map(|a| String::from_utf8_lossy(&a.value).to_ascii_lowercase());
                    }
                    "term" | "note" => field = Some(tag),
                    "descrip" | "admin" => {
                        let kind = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.as_ref() == b"type")
                            .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                        field = kind.map(|k| format!("{tag}:{k}"));
                    }
                    _ => {}
                }
                buffer.clear();
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| syntax(position, e.to_string()))?;
                buffer.push_str(&text);
            }
            Event::CData(t) => buffer.push_str(&String::from_utf8_lossy(&t)),
            Event::End(e) => {
                let tag = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if let (Some((_, fr, en, extra)), Some(f)) = (concept.as_mut(), field.as_deref()) {
                    let value = buffer.trim().to_string();
                    match f {
                        "term" if lang.as_deref().is_some_and(|l| l.starts_with("fr")) => {
                            fr.push(value)
                        }
                        "term" if lang.as_deref().is_some_and(|l| l.starts_with("en")) => {
                            en.push(value)
                        }
                        "note" | "descrip:definition" => extra.note = Some(value),
                        "descrip:subjectField" => extra.domain = Some(value),
                        "admin:x-passeur" => apply_settings(extra, &value),
                        "admin:x-passeur-pattern" => extra.pattern = Some(value),
                        _ => {}
                    }
                }
                match tag.as_str() {
                    "term" | "note" | "descrip" | "admin" => field = None,
                    "langSec" | "langSet" => lang = None,
                    "conceptEntry" | "termEntry" => {
                        if let Some((line, fr, en, mut extra)) = concept.take() {
                            let entry = match (fr.first(), en.first()) {
                                _ if extra.pattern.is_some() => Ok(extra),
                                (Some(source), Some(target)) => {
                                    extra.source = source.clone();
                                    extra.target = target.clone();
                                    extra.variants = fr[1..].to_vec();
                                    Ok(extra)
                                }
                                _ => {
                                    Err("a concept needs a French (fr) and an English (en) term"
                                        .into())
                                }
                            };
                            out.push((line, entry));
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Reads `policy=check;case_sensitive=true;whole_word=false` from a TBX admin note.
fn apply_settings(entry: &mut RawEntry, settings: &str) {
    for pair in settings.split(';') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        match key.trim() {
            "policy" => {
                entry.policy =
                    serde_json::from_value(serde_json::Value::String(value.trim().into())).ok()
            }
            "case_sensitive" => entry.case_sensitive = value.trim().parse().ok(),
            "whole_word" => entry.whole_word = value.trim().parse().ok(),
            _ => {}
        }
    }
}

/// Writes entries in a format. JSON keeps one entry per line, so that `glossary add` and
/// `remove` make one-line diffs.
pub fn write_glossary(entries: &[Entry], format: Format) -> String {
    match format {
        Format::Json => {
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
        Format::Tsv | Format::Csv => {
            let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .quote_style(if format == Format::Tsv {
                    csv::QuoteStyle::Never
                } else {
                    csv::QuoteStyle::Necessary
                })
                .from_writer(Vec::new());
            // Patterns are not terms; TSV and CSV have no place for them.
            for e in entries.iter().filter(|e| e.pattern.is_none()) {
                let clean = |s: &str| {
                    if format == Format::Tsv {
                        s.replace(['\t', '\n'], " ")
                    } else {
                        s.to_string()
                    }
                };
                let mut row = vec![clean(&e.source), clean(&e.target)];
                if let Some(note) = &e.note {
                    row.push(clean(note));
                }
                writer.write_record(&row).expect("writing to memory");
            }
            String::from_utf8(writer.into_inner().expect("writing to memory"))
                .expect("UTF-8 in, UTF-8 out")
        }
        Format::Tbx => write_tbx(entries),
    }
}

fn write_tbx(entries: &[Entry]) -> String {
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <tbx type=\"TBX-Basic\" style=\"dca\" xml:lang=\"fr\" xmlns=\"urn:iso:std:iso:30042:ed-2\">\n\
         \x20 <tbxHeader>\n    <fileDesc>\n      <sourceDesc>\n        <p>Exported by passeur</p>\n      </sourceDesc>\n    </fileDesc>\n  </tbxHeader>\n\
         \x20 <text>\n    <body>\n",
    );
    for (i, e) in entries.iter().enumerate() {
        out += &format!("      <conceptEntry id=\"c{}\">\n", i + 1);
        if let Some(domain) = &e.domain {
            out += &format!(
                "        <descrip type=\"subjectField\">{}</descrip>\n",
                esc(domain)
            );
        }
        if let Some(note) = &e.note {
            out += &format!("        <note>{}</note>\n", esc(note));
        }
        let raw = RawEntry::from_entry(e);
        let mut settings = Vec::new();
        if let Some(policy) = raw.policy {
            settings.push(format!("policy={}", policy.name()));
        }
        if let Some(case) = raw.case_sensitive {
            settings.push(format!("case_sensitive={case}"));
        }
        if let Some(whole) = raw.whole_word {
            settings.push(format!("whole_word={whole}"));
        }
        if !settings.is_empty() {
            out += &format!(
                "        <admin type=\"x-passeur\">{}</admin>\n",
                settings.join(";")
            );
        }
        if let Some(pattern) = &e.pattern {
            // A pattern is no term: it travels as passeur's own admin note only.
            out += &format!(
                "        <admin type=\"x-passeur-pattern\">{}</admin>\n      </conceptEntry>\n",
                esc(pattern)
            );
            continue;
        }
        out += "        <langSec xml:lang=\"fr\">\n";
        for term in std::iter::once(&e.source).chain(&e.variants) {
            out += &format!(
                "          <termSec>\n            <term>{}</term>\n          </termSec>\n",
                esc(term)
            );
        }
        out += "        </langSec>\n        <langSec xml:lang=\"en\">\n";
        out += &format!(
            "          <termSec>\n            <term>{}</term>\n          </termSec>\n",
            esc(&e.target)
        );
        out += "        </langSec>\n      </conceptEntry>\n";
    }
    out += "    </body>\n  </text>\n</tbx>\n";
    out
}

/// `UE`, `OTAN`, `G7`: two or more characters, all letters capitals.
pub(crate) fn is_acronym(term: &str) -> bool {
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

    fn parse(text: &str, format: Format) -> (Vec<Entry>, Vec<GlossaryError>) {
        parse_glossary_text("g", text, format).unwrap()
    }

    #[test]
    fn loads_both_json_shapes_and_defaults_case_for_acronyms() {
        let (entries, errors) = parse(
            r#"[{"source": "OTAN", "target": "NATO"}, {"source": "bureau de liaison", "target": "liaison office", "note": "office", "policy": "check"}]"#,
            Format::Json,
        );
        assert!(errors.is_empty());
        assert!(entries[0].case_sensitive);
        assert!(!entries[1].case_sensitive);
        assert_eq!(entries[1].policy, Policy::Check);
        assert_eq!(entries[1].origin, "g#2");
        let (entries, _) = parse(
            r#"{"entries": [{"source": "UE", "target": "EU"}]}"#,
            Format::Json,
        );
        assert_eq!(entries[0].target, "EU");
    }

    #[test]
    fn names_the_line_of_a_syntax_error() {
        let error = parse_glossary_text(
            "g.json",
            "[\n{\"source\": \"OTAN\",\n\"target\": }\n]",
            Format::Json,
        )
        .unwrap_err();
        assert_eq!(error.line(), Some(3));
        assert!(error.to_string().starts_with("g.json:3:"), "{error}");
    }

    #[test]
    fn names_the_line_and_number_of_a_bad_entry_and_keeps_the_rest() {
        let (entries, errors) = parse(
            "[\n  {\"source\": \"ONU\", \"target\": \"UN\"},\n  {\"source\": \" \", \"target\": \"x\"},\n  {\"source\": \"UE\", \"targte\": \"EU\"}\n]",
            Format::Json,
        );
        assert_eq!(entries.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "g:3: entry 2 (\" \"): the source term is empty"
        );
        assert!(
            errors[1].to_string().starts_with("g:4: entry 3"),
            "{}",
            errors[1]
        );
        assert!(errors[1].to_string().contains("targte"), "{}", errors[1]);
    }

    #[test]
    fn reads_tsv_and_csv_with_notes_and_headers() {
        let (entries, errors) = parse(
            "source\ttarget\nOTAN\tNATO\tthe alliance\n\n# comment\nONU\tUN\nseul\n",
            Format::Tsv,
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].note.as_deref(), Some("the alliance"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line(), Some(6));
        let (entries, _) = parse(
            "\"Corée du Sud\",\"South Korea\",\"pays, Asie\"\n",
            Format::Csv,
        );
        assert_eq!(entries[0].note.as_deref(), Some("pays, Asie"));
    }

    #[test]
    fn reads_tbx_v2_and_v3() {
        let v3 = r#"<?xml version="1.0"?><tbx type="TBX-Basic" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
            <conceptEntry id="c1"><descrip type="subjectField">defence</descrip>
              <langSec xml:lang="fr"><termSec><term>OTAN</term></termSec><termSec><term>Otan</term></termSec></langSec>
              <langSec xml:lang="en"><termSec><term>NATO</term></termSec></langSec></conceptEntry>
            <conceptEntry id="c2"><langSec xml:lang="fr"><termSec><term>seul</term></termSec></langSec></conceptEntry>
            </body></text></tbx>"#;
        let (entries, errors) = parse(v3, Format::Tbx);
        assert_eq!(entries[0].source, "OTAN");
        assert_eq!(entries[0].variants, ["Otan"]);
        assert_eq!(entries[0].domain.as_deref(), Some("defence"));
        assert_eq!(errors.len(), 1);
        let v2 = r#"<martif type="TBX-Basic"><text><body><termEntry><langSet xml:lang="fr-FR"><tig><term>ONU &amp; co</term></tig></langSet><langSet xml:lang="en"><tig><term>UN</term></tig></langSet></termEntry></body></text></martif>"#;
        let (entries, _) = parse(v2, Format::Tbx);
        assert_eq!(entries[0].source, "ONU & co");
    }

    #[test]
    fn json_and_tbx_round_trip_without_loss() {
        let json = r#"[
  {"source":"OTAN","target":"NATO","domain":"organisation"},
  {"source":"www.otan.int","target":"www.otan.int","policy":"placeholder","note":"URL <keep> & co"},
  {"source":"cyber","target":"cyber","variants":["Cyber"],"case_sensitive":true,"whole_word":false,"policy":"check"},
  {"pattern":"https?://[^ ]+","note":"URLs <as is>"}
]
"#;
        let (entries, errors) = parse(json, Format::Json);
        assert!(errors.is_empty());
        for format in [Format::Json, Format::Tbx] {
            let written = write_glossary(&entries, format);
            let (again, errors) = parse(&written, format);
            assert!(errors.is_empty(), "{format:?}: {errors:?}");
            let strip = |e: &[Entry]| {
                e.iter()
                    .map(|e| Entry {
                        origin: String::new(),
                        ..e.clone()
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&again), strip(&entries), "{format:?}:\n{written}");
        }
        let tsv = write_glossary(&entries, Format::Tsv);
        let (again, _) = parse(&tsv, Format::Tsv);
        assert_eq!(again[1].note.as_deref(), Some("URL <keep> & co"));
    }
}
