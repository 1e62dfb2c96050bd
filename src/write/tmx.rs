//! `aligned.tmx`: TMX 1.4b, the translation-memory exchange format every CAT tool reads.

use super::xml::escape;
use super::{Totals, Writer};
use crate::align::AlignedSegment;

pub struct Tmx;

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

    fn article(&self, segments: &[AlignedSegment]) -> String {
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
                escape(&s.source),
                escape(&s.target)
            );
        }
        out
    }

    fn tail(&self) -> String {
        "  </body>\n</tmx>\n".into()
    }
}
