//! `aligned.tmx`: TMX 1.4b, the translation-memory exchange format every CAT tool reads.

use super::xml::escape;
use super::{Totals, Writer};
use crate::align::AlignedSegment;
use crate::markup::{Code, CodeKind};

pub struct Tmx;

/// An inline code as TMX has it: `<bpt>`/`<ept>` around a span (paired by `i`), `<ph>` for
/// the others, each holding the original markup escaped.
fn code(code: &Code) -> String {
    let markup = escape(&code.markup);
    match code.kind {
        CodeKind::Open => format!("<bpt i=\"{}\">{markup}</bpt>", code.pair + 1),
        CodeKind::Close => format!("<ept i=\"{}\">{markup}</ept>", code.pair + 1),
        CodeKind::Standalone => format!("<ph x=\"{}\">{markup}</ph>", code.id + 1),
    }
}

impl Writer for Tmx {
    fn file_name(&self) -> &'static str {
        "aligned.tmx"
    }

    fn head(&self, _: &Totals) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n\
             <tmx version=\"1.4\">\n\
             \x20 <header creationtool=\"passeur\" creationtoolversion=\"{}\" segtype=\"sentence\" \
             o-tmf=\"passeur aligned.jsonl\" adminlang=\"en\" srclang=\"fr\" datatype=\"plaintext\"/>\n\
             \x20 <body>\n",
            env!("CARGO_PKG_VERSION")
        )
    }

    fn rows(&self, segments: &[AlignedSegment]) -> String {
        let mut out = String::new();
        for s in segments {
            out += &format!(
                "    <tu tuid=\"{}\">\n",
                escape(&format!("{}#{}.{}", s.article, s.paragraph, s.index))
            );
            let mut prop = |kind: &str, value: &str| {
                out += &format!("      <prop type=\"x-{kind}\">{}</prop>\n", escape(value));
            };
            prop("article", &s.article);
            prop("paragraph", &s.paragraph.to_string());
            prop("index", &s.index.to_string());
            if let Some(score) = s.score {
                prop("score", &format!("{score:.4}"));
            }
            if !s.flags.is_empty() {
                let flags: Vec<String> = s
                    .flags
                    .iter()
                    .map(|f| format!("{}:{}", f.check, f.severity.name()))
                    .collect();
                prop("flags", &flags.join(" "));
            }
            out += &format!(
                "      <tuv xml:lang=\"fr\"><seg>{}</seg></tuv>\n      <tuv xml:lang=\"en\"><seg>{}</seg></tuv>\n    </tu>\n",
                s.source_with_codes(escape, code),
                s.target_with_codes(escape, code)
            );
        }
        out
    }

    fn tail(&self) -> String {
        "  </body>\n</tmx>\n".into()
    }
}
