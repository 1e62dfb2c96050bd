//! The memory as TMX 1.4b, the exchange format of every CAT tool: `passeur memory export`
//! writes one `<tu>` per stored translation (its review state, origin and date kept as
//! `<prop>`s and `creationdate`), `passeur memory import` reads any tool's TMX back.

use std::path::Path;

use anyhow::{bail, Context, Result};
use quick_xml::events::Event;

use super::{collapse_spaces, Approved, Stored};
use crate::align::ReviewState;
use crate::write::xml_escape as escape;

/// The TMX document of `stored`, French to English.
pub fn write(stored: &[Stored]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n\
         <tmx version=\"1.4\">\n\
         \x20 <header creationtool=\"passeur\" creationtoolversion=\"{}\" segtype=\"sentence\" \
         o-tmf=\"passeur memory\" adminlang=\"en\" srclang=\"fr\" datatype=\"plaintext\"/>\n\
         \x20 <body>\n",
        env!("CARGO_PKG_VERSION")
    );
    for s in stored {
        let a = &s.approved;
        out += &format!("    <tu creationdate=\"{}\">\n", tmx_date(s.at));
        out += &format!(
            "      <prop type=\"x-state\">{}</prop>\n      <prop type=\"x-origin\">{}</prop>\n",
            a.state.name(),
            escape(&a.origin)
        );
        out += &format!(
            "      <tuv xml:lang=\"fr\"><seg>{}</seg></tuv>\n      <tuv xml:lang=\"en\"><seg>{}</seg></tuv>\n    </tu>\n",
            escape(&a.source),
            escape(&a.target)
        );
    }
    out + "  </body>\n</tmx>\n"
}

/// TMX's date form (ISO 8601 basic, UTC): `20261202T001500Z`.
fn tmx_date(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The translation units of a TMX file: for each `<tu>`, the text of its source-language
/// variant (the `srclang` of the unit or the header; the first variant when that is
/// `*all*`) and of the first variant in another language. Inline codes (`<bpt>`, `<ept>`,
/// `<ph>`, `<it>`) are dropped with their native markup, as `review import` does; an
/// `x-state` property of passeur's is kept, any other unit is an approval.
pub fn read(path: &Path) -> Result<Vec<Approved>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let name = path.display().to_string();
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut found = Vec::new();
    let mut header_source: Option<String> = None;
    let mut unit: Option<Unit> = None;
    // Inside a `<seg>` (its variant's index), inside native code within it, inside a prop.
    let mut in_seg: Option<usize> = None;
    let mut native = 0usize;
    let mut prop: Option<String> = None;
    let lines = crate::files::LineIndex::new(&text);
    loop {
        let position = reader.buffer_position() as usize;
        let line = || lines.line(position);
        let event = reader
            .read_event()
            .map_err(|e| anyhow::anyhow!("{name}:{}: invalid TMX: {e}", line()))?;
        let attr = |e: &quick_xml::events::BytesStart, key: &[u8]| {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == key)
                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
        };
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"header" => {
                header_source = attr(&e, b"srclang");
            }
            Event::Start(e) => match e.local_name().as_ref() {
                b"tu" => {
                    unit = Some(Unit {
                        source_lang: attr(&e, b"srclang").or(header_source.clone()),
                        line: line(),
                        ..Unit::default()
                    })
                }
                b"tuv" => {
                    if let Some(unit) = unit.as_mut() {
                        let lang = attr(&e, b"xml:lang").or(attr(&e, b"lang"));
                        unit.variants
                            .push((lang.unwrap_or_default(), String::new()));
                    }
                }
                b"seg" => in_seg = unit.as_ref().map(|u| u.variants.len().saturating_sub(1)),
                b"bpt" | b"ept" | b"ph" | b"it" if in_seg.is_some() => native += 1,
                b"prop" => prop = attr(&e, b"type"),
                _ => {}
            },
            Event::Text(t) => {
                let value = t
                    .unescape()
                    .map_err(|e| anyhow::anyhow!("{name}:{}: invalid TMX: {e}", line()))?;
                if let (Some(k), 0, Some(unit)) = (in_seg, native, unit.as_mut()) {
                    if let Some(variant) = unit.variants.get_mut(k) {
                        variant.1 += &value;
                    }
                } else if let (Some(kind), Some(unit)) = (prop.as_deref(), unit.as_mut()) {
                    unit.props.push((kind.to_string(), value.into_owned()));
                }
            }
            Event::CData(t) => {
                if let (Some(k), 0, Some(unit)) = (in_seg, native, unit.as_mut()) {
                    if let Some(variant) = unit.variants.get_mut(k) {
                        variant.1 += &String::from_utf8_lossy(&t);
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"seg" => in_seg = None,
                b"bpt" | b"ept" | b"ph" | b"it" if in_seg.is_some() => {
                    native = native.saturating_sub(1)
                }
                b"prop" => prop = None,
                b"tu" => {
                    if let Some(approved) = unit.take().and_then(|u| u.approved(&name)) {
                        found.push(approved);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if found.is_empty() && text.contains("<tu") {
        bail!("{name}: no translation unit with a source and a target in it");
    }
    Ok(found)
}

/// A `<tu>` being read.
#[derive(Default)]
struct Unit {
    source_lang: Option<String>,
    /// (language, text) per `<tuv>`.
    variants: Vec<(String, String)>,
    props: Vec<(String, String)>,
    line: usize,
}

impl Unit {
    fn approved(self, name: &str) -> Option<Approved> {
        let same = |a: &str, b: &str| {
            let primary = |l: &str| l.split(['-', '_']).next().unwrap_or("").to_lowercase();
            primary(a) == primary(b)
        };
        let source_index = match self.source_lang.as_deref() {
            Some(lang) if lang != "*all*" => {
                self.variants.iter().position(|(l, _)| same(l, lang))?
            }
            _ => 0,
        };
        let (source_lang, source) = self.variants.get(source_index)?.clone();
        let (_, target) = self
            .variants
            .iter()
            .find(|(l, _)| !same(l, &source_lang))?
            .clone();
        let (source, target) = (collapse_spaces(&source), collapse_spaces(&target));
        if source.is_empty() || target.is_empty() {
            return None;
        }
        let state = self
            .props
            .iter()
            .find(|(kind, _)| kind == "x-state")
            .and_then(|(_, v)| ReviewState::from_name(v))
            .filter(|s| s.is_reviewed())
            .unwrap_or(ReviewState::Approved);
        let origin = self
            .props
            .iter()
            .find(|(kind, _)| kind == "x-origin")
            .map_or_else(|| format!("{name}:{}", self.line), |(_, v)| v.clone());
        Some(Approved {
            source,
            target,
            origin,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_goes_out_as_tmx_and_comes_back_as_it_was() {
        let stored = vec![Stored {
            approved: Approved {
                source: "L'OTAN & l'UE <réunies>.".into(),
                target: "NATO & the EU <together>.".into(),
                origin: "a.txt:0:0".into(),
                state: ReviewState::Translated,
            },
            at: 1_796_170_320,
        }];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.tmx");
        std::fs::write(&path, write(&stored)).unwrap();
        assert!(write(&stored).contains("creationdate=\"20261202T001200Z\""));
        assert_eq!(read(&path).unwrap(), vec![stored[0].approved.clone()]);
    }

    #[test]
    fn another_tools_tmx_is_read_whatever_its_order_and_codes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.tmx");
        std::fs::write(
            &path,
            r#"<?xml version="1.0"?><tmx version="1.4"><header srclang="fr-FR" segtype="sentence"/><body>
<tu><tuv xml:lang="en-GB"><seg>The <bpt i="1">&lt;b&gt;</bpt>council<ept i="1">&lt;/b&gt;</ept> meets.</seg></tuv>
<tuv xml:lang="fr-FR"><seg>Le <bpt i="1">&lt;b&gt;</bpt>conseil<ept i="1">&lt;/b&gt;</ept> se réunit.</seg></tuv></tu>
<tu><tuv xml:lang="fr-FR"><seg>Seul.</seg></tuv></tu>
</body></tmx>"#,
        )
        .unwrap();
        let read = read(&path).unwrap();
        assert_eq!(
            read.len(),
            1,
            "a unit without a target is not a translation"
        );
        assert_eq!(read[0].source, "Le conseil se réunit.");
        assert_eq!(read[0].target, "The council meets.");
        assert_eq!(read[0].state, ReviewState::Approved);
    }
}
