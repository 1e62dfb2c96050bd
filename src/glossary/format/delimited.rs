//! TSV (`.tsv`, `.txt`, `.tab`) and CSV (`.csv`): source, target and an optional note per
//! row, the format DeepL, Google and OmegaT accept; a `source,target` header row is skipped.
//! The separator is sniffed, since spreadsheets write what their locale says (a French
//! Excel saves "CSV" with `;`): tab, `;` or `,`, whichever splits the rows alike.

use super::{Format, RawEntries, RawEntry};
use crate::glossary::{Entry, GlossaryError};

/// The separator of a delimited file: of tab, `;` and `,` (the ending's own first), the one
/// that gives most of the first rows two fields or more, the same number each (quoted
/// fields counted as one). None when no row has two fields.
fn sniff(text: &str, preferred: u8) -> Option<u8> {
    let rows: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .take(20)
        .collect();
    let fields = |row: &str, separator: u8| {
        let mut quoted = false;
        let mut count = 1;
        for b in row.bytes() {
            match b {
                b'"' if separator != b'\t' => quoted = !quoted,
                b if b == separator && !quoted => count += 1,
                _ => {}
            }
        }
        count
    };
    let mut candidates = vec![preferred];
    candidates.extend([b'\t', b';', b','].into_iter().filter(|&c| c != preferred));
    let score = |separator: u8| {
        let counts: Vec<usize> = rows.iter().map(|r| fields(r, separator)).collect();
        let most = counts
            .iter()
            .copied()
            .filter(|&n| n >= 2)
            .max()
            .unwrap_or(0);
        let alike = counts.iter().filter(|&&n| n == most).count();
        (most >= 2).then_some(alike)
    };
    let best = candidates.iter().filter_map(|&c| score(c)).max()?;
    candidates.into_iter().find(|&c| score(c) == Some(best))
}

pub(super) fn parse(name: &str, text: &str, preferred: u8) -> Result<RawEntries, GlossaryError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let Some(delimiter) = sniff(text, preferred) else {
        let line = 1 + text
            .lines()
            .position(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .unwrap_or(0);
        return Err(GlossaryError::Syntax {
            path: name.into(),
            line,
            column: 1,
            message: "no row has a source and a target: expected columns separated by a tab, \
                      `;` or `,`"
                .into(),
        });
    };
    // Line ends as one `\n`: the csv crate counts a CRLF file's lines one short.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        // TSV as passeur and OmegaT write it has no quoting; CSV of either separator does.
        .quoting(delimiter != b'\t')
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
/// The first field of an entry, other than source, target and note, that is not its
/// default: a delimited file would lose it.
fn unheld_field(e: &Entry) -> Option<String> {
    if !e.variants.is_empty() {
        return Some(format!("variants ({})", e.variants.join(", ")));
    }
    if e.policy != crate::glossary::Policy::Inject {
        return Some(format!("policy {}", e.policy.name()));
    }
    if e.case_sensitive != crate::glossary::load::is_acronym(&e.source) {
        return Some(format!("case_sensitive {}", e.case_sensitive));
    }
    if !e.whole_word {
        return Some("whole_word false".into());
    }
    if e.status != crate::glossary::EntryStatus::Preferred {
        return Some(format!("status {}", e.status.name()));
    }
    e.domain.as_ref().map(|d| format!("domain {d:?}"))
}

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
        if let Some(field) = unheld_field(e) {
            return Err(format!(
                "entry {} ({:?}) has {field}, which {} cannot hold (source, target and note \
                 only); export to JSON or TBX, or remove it first",
                number + 1,
                e.source,
                if tsv { "TSV" } else { "CSV" }
            ));
        }
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
