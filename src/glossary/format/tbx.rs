//! TBX-Basic (ISO 30042): `conceptEntry`/`langSec`/`termSec` (TBX v3) or
//! `termEntry`/`langSet`/`tig` (TBX v2). Further French terms are variants; a
//! `subjectField` is the domain; passeur's own settings travel in an
//! `<admin type="x-passeur">` so that JSON → TBX → JSON loses nothing.
//!
//! A term's `<termNote type="administrativeStatus">` is its status: a deprecated or
//! superseded French term is a deprecated entry (translated with the concept's English
//! term), a deprecated or superseded English term a forbidden one. Weblate's own values
//! (`forbidden`, `obsolete`) are read the same way; passeur writes TBX-Basic's
//! (`deprecatedTerm-admn-sts`). So a concept of several statuses gives several entries.

use quick_xml::events::Event;

use super::{RawEntries, RawEntry};
use crate::glossary::{Entry, EntryStatus, GlossaryError};

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
    // The concept being read: its line, French terms, English terms (each with whether
    // its status bans it) and extras.
    let mut concept: Option<(usize, Vec<Term>, Vec<Term>, RawEntry)> = None;
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
                    "descrip" | "admin" | "termNote" => {
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
                            fr.push((value, false))
                        }
                        "term" if lang.as_deref().is_some_and(|l| l.starts_with("en")) => {
                            en.push((value, false))
                        }
                        "termNote:administrativeStatus" => {
                            let terms = match lang.as_deref() {
                                Some(l) if l.starts_with("fr") => Some(&mut *fr),
                                Some(l) if l.starts_with("en") => Some(&mut *en),
                                _ => None,
                            };
                            if let Some((_, banned)) = terms.and_then(|t| t.last_mut()) {
                                *banned = is_banned(&value);
                            }
                        }
                        "note" | "descrip:definition" => extra.note = Some(value),
                        "descrip:subjectField" => extra.domain = Some(value),
                        "admin:x-passeur" => apply_settings(extra, &value),
                        "admin:x-passeur-pattern" => extra.pattern = Some(value),
                        _ => {}
                    }
                }
                match tag.as_str() {
                    "term" | "note" | "descrip" | "admin" | "termNote" => field = None,
                    "langSec" | "langSet" => lang = None,
                    "conceptEntry" | "termEntry" => {
                        if let Some((line, fr, en, extra)) = concept.take() {
                            out.extend(
                                concept_entries(fr, en, extra)
                                    .into_iter()
                                    .map(|e| (line, e)),
                            );
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

/// A term of a concept, and whether its administrative status bans it.
type Term = (String, bool);

/// Whether an administrative status says a term is not to be used.
fn is_banned(status: &str) -> bool {
    let status = status.trim().to_ascii_lowercase();
    ["deprecated", "superseded", "forbidden", "obsolete"]
        .iter()
        .any(|banned| status.starts_with(banned))
}

/// The entries of one concept: its French terms (the first the source, the others
/// variants) to its first English term; its banned French terms the same way, as a
/// deprecated entry; each banned English term as a forbidden entry.
fn concept_entries(fr: Vec<Term>, en: Vec<Term>, extra: RawEntry) -> Vec<Result<RawEntry, String>> {
    if extra.pattern.is_some() {
        return vec![Ok(extra)];
    }
    let (fr_banned, fr_ok): (Vec<Term>, Vec<Term>) = fr.into_iter().partition(|t| t.1);
    let (en_banned, en_ok): (Vec<Term>, Vec<Term>) = en.into_iter().partition(|t| t.1);
    let mut out = Vec::new();
    let entry = |terms: &[Term], target: &str, status: Option<EntryStatus>| {
        Ok(RawEntry {
            source: terms[0].0.clone(),
            target: target.to_string(),
            variants: terms[1..].iter().map(|t| t.0.clone()).collect(),
            status,
            ..extra.clone()
        })
    };
    if let Some((target, _)) = en_ok.first() {
        if !fr_ok.is_empty() {
            out.push(entry(&fr_ok, target, None));
        }
        if !fr_banned.is_empty() {
            out.push(entry(&fr_banned, target, Some(EntryStatus::Deprecated)));
        }
    }
    let named = if fr_ok.is_empty() { &fr_banned } else { &fr_ok };
    if !named.is_empty() {
        for (target, _) in &en_banned {
            out.push(entry(named, target, Some(EntryStatus::Forbidden)));
        }
    }
    if out.is_empty() {
        out.push(Err(
            "a concept needs a French (fr) and an English (en) term".into(),
        ));
    }
    out
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
        // The status is the banned term's: the French one of a deprecated entry, the
        // English one of a forbidden entry.
        let term = |text: &str, banned: bool| {
            let status = match banned {
                true => "\n            <termNote type=\"administrativeStatus\">deprecatedTerm-admn-sts</termNote>",
                false => "",
            };
            format!(
                "          <termSec>\n            <term>{}</term>{status}\n          </termSec>\n",
                esc(text)
            )
        };
        out += "        <langSec xml:lang=\"fr\">\n";
        out += &term(&e.source, e.status == EntryStatus::Deprecated);
        for variant in &e.variants {
            out += &term(variant, e.status == EntryStatus::Deprecated);
        }
        out += "        </langSec>\n        <langSec xml:lang=\"en\">\n";
        out += &term(&e.target, e.status == EntryStatus::Forbidden);
        out += "        </langSec>\n      </conceptEntry>\n";
    }
    out += "    </body>\n  </text>\n</tbx>\n";
    out
}
