//! `aligned.tsv`: the aligned pairs for spreadsheets, one row per sentence. Its `state`
//! column is the segment's review state: `needs-review` for machine output, `translated`,
//! `approved` or `rejected` once a person saw it (memory matches are `translated`); a
//! reviewer sets it to `translated` or `final` on the rows they approve, and
//! `passeur review import` takes only those.

use super::{Totals, Writer};
use crate::align::AlignedSegment;

pub struct Tsv;

/// One cell: tabs and line breaks would break the rows for many tools, so they become
/// spaces; a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a
/// leading `'`, which spreadsheets show as text and `passeur review import` removes again.
/// Quotes are left to the CSV writer, which quotes a cell that needs it.
pub(crate) fn cell(text: &str) -> String {
    let text = text.replace(['\t', '\n', '\r'], " ");
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

/// Undoes [`cell`]'s formula guard on a cell read back.
pub(crate) fn uncell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => text,
    }
}

/// One TSV row, quoted where a cell needs it (RFC 4180 rules with tabs, as spreadsheets
/// write TSV), so that a cell starting with `"` reads back as written.
fn row(cells: &[String]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(cells).expect("writing to memory");
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8")
}

impl Writer for Tsv {
    fn file_name(&self) -> &'static str {
        "aligned.tsv"
    }

    fn head(&self, _: &Totals) -> String {
        "article\tparagraph\tindex\tsource\ttarget\tstate\tscore\tflags\tterms\n".into()
    }

    fn rows(&self, segments: &[AlignedSegment]) -> String {
        let mut out = String::new();
        for s in segments {
            let flags: Vec<String> = s.flags.iter().map(|f| f.check.name().to_string()).collect();
            let terms: Vec<String> = s
                .terms
                .iter()
                .map(|t| format!("{}→{} ({})", t.source, t.target, t.status.name()))
                .collect();
            out += &row(&[
                cell(&s.article),
                s.paragraph.to_string(),
                s.index.to_string(),
                cell(&s.source),
                cell(&s.target),
                s.state().name().to_string(),
                s.score.map_or(String::new(), |v| format!("{v:.4}")),
                flags.join(" "),
                cell(&terms.join("; ")),
            ]);
        }
        out
    }

    fn tail(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_read_back_as_written() {
        for text in ["=SUM(A1:A9)", "+33 1 23", "-2 it is", "@here"] {
            let written = cell(text);
            assert!(written.starts_with('\''), "{written}");
            assert_eq!(uncell(&written), text);
        }
        assert_eq!(cell("Paris\tLyon\nNice"), "Paris Lyon Nice");
        assert_eq!(
            uncell("'plain"),
            "'plain",
            "an apostrophe of the text stays"
        );
    }
}
