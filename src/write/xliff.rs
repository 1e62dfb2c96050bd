//! `aligned.xlf`: XLIFF 1.2, the version Okapi, OmegaT, Virtaal and Lokalize all open. One
//! `<file>` per article, one `<trans-unit>` per sentence, the machine translation as a
//! target that needs review, and each QA finding as a `<note>`.

use super::xml::escape;
use super::{Totals, Writer};
use crate::align::{AlignedSegment, ReviewState};
use crate::check::Severity;
use crate::markup::{Code, CodeKind};

pub struct Xliff;

/// An inline code as XLIFF 1.2 has it when the native markup is not XLIFF: `<bpt>`/`<ept>`
/// around a span (linked by `rid`), `<ph>` for the others, holding the markup escaped.
fn code(code: &Code) -> String {
    let markup = escape(&code.markup);
    match code.kind {
        CodeKind::Open => format!(
            "<bpt id=\"{}\" rid=\"{}\">{markup}</bpt>",
            code.id + 1,
            code.pair + 1
        ),
        CodeKind::Close => format!(
            "<ept id=\"{}\" rid=\"{}\">{markup}</ept>",
            code.id + 1,
            code.pair + 1
        ),
        CodeKind::Standalone => format!("<ph id=\"{}\">{markup}</ph>", code.id + 1),
    }
}

/// The trans-unit id of a sentence: unique within its article's `<file>`, and how
/// `review import` finds the sentence again.
pub fn unit_id(paragraph: usize, index: usize) -> String {
    format!("p{paragraph}-s{index}")
}

impl Writer for Xliff {
    fn file_name(&self) -> &'static str {
        "aligned.xlf"
    }

    fn head(&self, _: &Totals) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n"
            .into()
    }

    fn article_start(&self, first: &AlignedSegment) -> String {
        format!(
                "  <file original=\"{}\" source-language=\"fr\" target-language=\"en\" datatype=\"plaintext\" tool-id=\"passeur\">\n\
                 \x20   <header>\n      <tool tool-id=\"passeur\" tool-name=\"passeur\" tool-version=\"{}\"/>\n    </header>\n\
                 \x20   <body>\n",
                escape(&first.article),
                env!("CARGO_PKG_VERSION")
            )
    }

    fn rows(&self, article: &[AlignedSegment]) -> String {
        let mut out = String::new();
        {
            for s in article {
                out += &format!(
                    "      <trans-unit id=\"{}\">\n        <source xml:lang=\"fr\">{}</source>\n",
                    unit_id(s.paragraph, s.index),
                    s.source_with_codes(escape, code)
                );
                // XLIFF 1.2's states: a person's translation `translated`, an approved one
                // `final`, a rejected one to translate again; machine output to review.
                let state = match (s.state(), s.memory) {
                    (ReviewState::Approved, _) => "state=\"final\"",
                    (ReviewState::Translated, true) => {
                        "state=\"translated\" state-qualifier=\"leveraged-tm\""
                    }
                    (ReviewState::Translated, false) => "state=\"translated\"",
                    (ReviewState::Rejected, _) => "state=\"needs-translation\"",
                    (ReviewState::NeedsReview, _) => {
                        "state=\"needs-review-translation\" state-qualifier=\"mt-suggestion\""
                    }
                };
                out += &format!(
                    "        <target xml:lang=\"en\" {state}>{}</target>\n",
                    s.target_with_codes(escape, code)
                );
                for f in &s.flags {
                    let priority = match f.severity {
                        Severity::Error => 1,
                        Severity::Warning => 3,
                        Severity::Info => 5,
                    };
                    out += &format!(
                        "        <note from=\"passeur\" priority=\"{priority}\">{} ({}): {}</note>\n",
                        escape(f.check.name()),
                        f.severity.name(),
                        escape(&f.reason)
                    );
                }
                for t in &s.terms {
                    out += &format!(
                        "        <note from=\"passeur-glossary\" priority=\"{}\">term {} → {}: {}</note>\n",
                        if t.status.is_present() { 8 } else { 2 },
                        escape(&t.source),
                        escape(&t.target),
                        t.status.name()
                    );
                }
                for alternative in &s.alternatives {
                    out += &format!(
                        "        <alt-trans origin=\"passeur n-best\">\n          <target xml:lang=\"en\">{}</target>\n        </alt-trans>\n",
                        escape(alternative)
                    );
                }
                out += "      </trans-unit>\n";
            }
        }
        out
    }

    fn article_end(&self) -> String {
        "    </body>\n  </file>\n".into()
    }

    fn tail(&self) -> String {
        "</xliff>\n".into()
    }
}
