//! TSV (`.tsv`, `.txt`, `.tab`) and CSV (`.csv`): source, target and an optional note per
//! row, the format DeepL, Google and OmegaT accept; a `source,target` header row is skipped.

use super::{Format, RawEntries, RawEntry};
use crate::glossary::{Entry, GlossaryError};

pub(super) fn parse(name: &str, text: &str, delimiter: u8) -> Result<RawEntries, GlossaryError> {
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

/// Writes the term entries (patterns are not terms: TSV and CSV have no place for them).
/// What the file could not give back as it was is refused, naming the entry: in TSV, which
/// has no quoting, a tab or line break inside a term, or a term starting with `#` (read
/// back as a comment). CSV quotes such fields.
pub(super) fn write(entries: &[Entry], format: Format) -> Result<String, String> {
    let tsv = format == Format::Tsv;
    let needs_quotes = entries
        .iter()
        .flat_map(|e| [&e.source, &e.target])
        .any(|t| t.starts_with('#'));
    let mut writer = csv::WriterBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .flexible(true)
        .quote_style(match (tsv, needs_quotes) {
            (true, _) => csv::QuoteStyle::Never,
            // The reader skips lines starting with `#`: quoted, they do not.
            (false, true) => csv::QuoteStyle::Always,
            (false, false) => csv::QuoteStyle::Necessary,
        })
        .from_writer(Vec::new());
    for (number, e) in entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.pattern.is_none())
    {
        let mut row = vec![e.source.as_str(), e.target.as_str()];
        if let Some(note) = &e.note {
            row.push(note);
        }
        if tsv {
            if let Some(bad) = row.iter().find(|f| f.contains(['\t', '\n', '\r'])) {
                return Err(format!(
                    "entry {} ({:?}): {bad:?} holds a tab or a line break, which TSV cannot; \
                     export to CSV, TBX or JSON",
                    number + 1,
                    e.source
                ));
            }
            if row[0].starts_with('#') {
                return Err(format!(
                    "entry {} ({:?}) starts with '#', which TSV reads back as a comment; \
                     export to CSV, TBX or JSON",
                    number + 1,
                    e.source
                ));
            }
        }
        writer.write_record(&row).expect("writing to memory");
    }
    Ok(
        String::from_utf8(writer.into_inner().expect("writing to memory"))
            .expect("UTF-8 in, UTF-8 out"),
    )
}
