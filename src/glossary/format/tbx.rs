//! TBX-Basic (ISO 30042): `conceptEntry`/`langSec`/`termSec` (TBX v3) or
//! `termEntry`/`langSet`/`tig` (TBX v2). Further French terms are variants; a
//! `subjectField` is the domain; passeur's own settings travel in an
//! `<admin type="x-passeur">` so that JSON → TBX → JSON loses nothing.

use quick_xml::events::Event;

use super::{RawEntries, RawEntry};
use crate::glossary::{Entry, GlossaryError};

pub(super) fn parse(name: &str, text: &str) -> Result<RawEntries, GlossaryError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let lines = crate::files::LineIndex::new(text);
    let line_of = |pos: u64| lines.line(pos as usize);
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

pub(super) fn write(entries: &[Entry]) -> String {
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
