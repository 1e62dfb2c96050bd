//! `aligned.tsv`: the aligned pairs for spreadsheets, one row per sentence. Its `state`
//! column starts as `needs-review` (or `translated` for memory matches); a reviewer sets it
//! to `translated` or `final` on the rows they approve, and `passeur review import` takes
//! only those.

use super::{Totals, Writer};
use crate::align::AlignedSegment;

pub struct Tsv;

/// Tabs and line breaks would break the columns.
fn cell(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

impl Writer for Tsv {
    fn file_name(&self) -> &'static str {
        "aligned.tsv"
    }

    fn head(&self, _: &Totals) -> String {
        "article\tparagraph\tindex\tsource\ttarget\tstate\tscore\tflags\tterms\n".into()
    }

    fn article(&self, segments: &[AlignedSegment]) -> String {
        let mut out = String::new();
        for s in segments {
            let flags: Vec<String> = s.flags.iter().map(|f| f.check.name().to_string()).collect();
            let terms: Vec<String> = s
                .terms
                .iter()
                .map(|t| format!("{}→{} ({})", t.source, t.target, t.status.name()))
                .collect();
            out += &format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                cell(&s.article),
                s.paragraph,
                s.index,
                cell(&s.source),
                cell(&s.target),
                if s.memory {
                    "translated"
                } else {
                    "needs-review"
                },
                s.score.map_or(String::new(), |v| format!("{v:.4}")),
                flags.join(" "),
                cell(&terms.join("; "))
            );
        }
        out
    }

    fn tail(&self) -> String {
        String::new()
    }
}
