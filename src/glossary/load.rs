//! Loading glossaries: a file in any format ([`super::format`]) to validated entries.
//! A file that cannot be parsed fails whole; an invalid entry is reported and skipped, and
//! the valid ones are still used.

use std::path::Path;

use super::format::{read_raw, Format, RawEntry};
use super::{Entry, EntryStatus, GlossaryError, Policy};

/// Loads a glossary in the format its ending names.
pub fn load_glossary(path: &Path) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let format = Format::from_path(path)?;
    let text = read_text(path)?;
    parse_glossary_text(&path.display().to_string(), &text, format)
}

/// A glossary file's text, its path named in the error.
/// A byte order mark (Excel writes one in "CSV UTF-8") is not text.
pub(crate) fn read_text(path: &Path) -> Result<String, GlossaryError> {
    std::fs::read_to_string(path)
        .map(|text| match text.strip_prefix('\u{FEFF}') {
            Some(rest) => rest.to_string(),
            None => text,
        })
        .map_err(|source| GlossaryError::Io {
            path: path.display().to_string(),
            source,
        })
}

/// Parses glossary text. `name` is used in messages and entry origins.
pub fn parse_glossary_text(
    name: &str,
    text: &str,
    format: Format,
) -> Result<(Vec<Entry>, Vec<GlossaryError>), GlossaryError> {
    let raw = read_raw(name, text, format)?;
    // A file with content but no entry is not an empty glossary: it was not understood
    // (JSON's `[]` is an empty glossary, and says so).
    if raw.is_empty() && format != Format::Json && !text.trim().is_empty() {
        return Err(GlossaryError::Syntax {
            path: name.into(),
            line: 1,
            column: 1,
            message: "no entry in this file (only a header or comments?)".into(),
        });
    }
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (number, (line, raw)) in raw.into_iter().enumerate().map(|(i, r)| (i + 1, r)) {
        match validate(name, line, number, raw) {
            Ok(entry) => entries.push(entry),
            Err(error) => errors.push(error),
        }
    }
    Ok((entries, errors))
}

/// Builds an entry from its raw form, or says what is wrong with it.
pub(crate) fn validate(
    name: &str,
    line: usize,
    number: usize,
    raw: Result<RawEntry, String>,
) -> Result<Entry, GlossaryError> {
    let bad = |source_term: &str, message: &str| GlossaryError::Entry {
        path: name.into(),
        line,
        number,
        source_term: source_term.into(),
        message: message.into(),
    };
    let raw = raw.map_err(|message| bad("", &message))?;
    if let Some(pattern) = &raw.pattern {
        if !raw.source.is_empty() || !raw.target.is_empty() || !raw.variants.is_empty() {
            return Err(bad(
                pattern,
                "a pattern entry has no source, target or variants: it protects what it matches",
            ));
        }
        if raw.status.is_some_and(|s| s != EntryStatus::Preferred) {
            return Err(bad(
                pattern,
                "a pattern entry has no status: it protects what it matches",
            ));
        }
        let regex = regex::Regex::new(pattern)
            .map_err(|e| bad(pattern, &format!("invalid pattern: {e}")))?;
        if regex.is_match("") {
            return Err(bad(pattern, "the pattern matches the empty string"));
        }
        return Ok(Entry {
            source: pattern.clone(),
            target: String::new(),
            variants: Vec::new(),
            case_sensitive: true,
            whole_word: raw.whole_word.unwrap_or(true),
            policy: raw.policy.unwrap_or(Policy::Placeholder),
            note: raw.note.filter(|n| !n.trim().is_empty()),
            domain: raw.domain.filter(|d| !d.trim().is_empty()),
            pattern: Some(pattern.clone()),
            status: EntryStatus::Preferred,
            origin: format!("{name}#{number}"),
        });
    }
    if raw.source.trim().is_empty() {
        return Err(bad(&raw.source, "the source term is empty"));
    }
    if raw.target.trim().is_empty() {
        return Err(bad(&raw.source, "the target term is empty"));
    }
    if let Some(variant) = raw.variants.iter().find(|v| v.trim().is_empty()) {
        return Err(bad(&raw.source, &format!("empty variant {variant:?}")));
    }
    // A term of soft hyphens or joiners only would match at every character.
    for term in std::iter::once(&raw.source).chain(&raw.variants) {
        if super::normalize::Normalized::new(term, true)
            .text
            .trim()
            .is_empty()
        {
            return Err(bad(
                &raw.source,
                &format!("{term:?} is nothing once normalised (only invisible characters)"),
            ));
        }
    }
    let source = raw.source.trim().to_string();
    let case = raw.case.map(|c| c == super::format::CaseRule::Sensitive);
    if let (Some(case), Some(sensitive)) = (case, raw.case_sensitive) {
        if case != sensitive {
            return Err(bad(
                &raw.source,
                "`case` and `case_sensitive` disagree: give one of them",
            ));
        }
    }
    Ok(Entry {
        case_sensitive: raw
            .case_sensitive
            .or(case)
            .unwrap_or_else(|| is_acronym(&source)),
        whole_word: raw.whole_word.unwrap_or(true),
        policy: raw.policy.unwrap_or_default(),
        target: raw.target.trim().to_string(),
        variants: raw.variants.iter().map(|v| v.trim().to_string()).collect(),
        note: raw.note.filter(|n| !n.trim().is_empty()),
        domain: raw.domain.filter(|d| !d.trim().is_empty()),
        pattern: None,
        status: raw.status.unwrap_or_default(),
        origin: format!("{name}#{number}"),
        source,
    })
}

/// `UE`, `OTAN`, `G7`: two or more characters, all letters capitals.
pub(crate) fn is_acronym(term: &str) -> bool {
    term.chars().count() >= 2
        && term.chars().any(char::is_alphabetic)
        && term
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::format::write_glossary;

    fn parse(text: &str, format: Format) -> (Vec<Entry>, Vec<GlossaryError>) {
        parse_glossary_text("g", text, format).unwrap()
    }

    #[test]
    fn loads_both_json_shapes_and_defaults_case_for_acronyms() {
        let (entries, errors) = parse(
            r#"[{"source": "OTAN", "target": "NATO"}, {"source": "bureau de liaison", "target": "liaison office", "note": "office", "policy": "check"}]"#,
            Format::Json,
        );
        assert!(errors.is_empty());
        assert!(entries[0].case_sensitive);
        assert!(!entries[1].case_sensitive);
        assert_eq!(entries[1].policy, Policy::Check);
        assert_eq!(entries[1].origin, "g#2");
        let (entries, _) = parse(
            r#"{"entries": [{"source": "UE", "target": "EU"}]}"#,
            Format::Json,
        );
        assert_eq!(entries[0].target, "EU");
    }

    /// `case: sensitive|insensitive` (Weblate's and Tolgee's name) is `case_sensitive`.
    #[test]
    fn case_is_read_by_either_name() {
        let (entries, errors) = parse(
            r#"[{"source": "Otan", "target": "NATO", "case": "sensitive"},
                {"source": "UE", "target": "EU", "case": "insensitive"},
                {"source": "ONU", "target": "UN", "case": "insensitive", "case_sensitive": true}]"#,
            Format::Json,
        );
        assert!(entries[0].case_sensitive);
        assert!(!entries[1].case_sensitive);
        assert_eq!(entries.len(), 2);
        assert!(errors[0].to_string().contains("disagree"), "{errors:?}");
    }

    #[test]
    fn names_the_line_of_a_syntax_error() {
        let error = parse_glossary_text(
            "g.json",
            "[\n{\"source\": \"OTAN\",\n\"target\": }\n]",
            Format::Json,
        )
        .unwrap_err();
        assert_eq!(error.line(), Some(3));
        assert!(error.to_string().starts_with("g.json:3:"), "{error}");
    }

    #[test]
    fn names_the_line_and_number_of_a_bad_entry_and_keeps_the_rest() {
        let (entries, errors) = parse(
            "[\n  {\"source\": \"ONU\", \"target\": \"UN\"},\n  {\"source\": \" \", \"target\": \"x\"},\n  {\"source\": \"UE\", \"targte\": \"EU\"}\n]",
            Format::Json,
        );
        assert_eq!(entries.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "g:3: entry 2 (\" \"): the source term is empty"
        );
        assert!(
            errors[1].to_string().starts_with("g:4: entry 3"),
            "{}",
            errors[1]
        );
        assert!(errors[1].to_string().contains("targte"), "{}", errors[1]);
    }

    #[test]
    fn reads_tsv_and_csv_with_notes_and_headers() {
        let (entries, errors) = parse(
            "source\ttarget\nOTAN\tNATO\tthe alliance\n\n# comment\nONU\tUN\nseul\n",
            Format::Tsv,
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].note.as_deref(), Some("the alliance"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line(), Some(6));
        let (entries, _) = parse(
            "\"Corée du Sud\",\"South Korea\",\"pays, Asie\"\n",
            Format::Csv,
        );
        assert_eq!(entries[0].note.as_deref(), Some("pays, Asie"));
    }

    /// A concept with a deprecated French term and a deprecated English one, as a
    /// terminologist writes it (and Weblate's `forbidden`), gives three entries; passeur's
    /// own export of them reads back the same.
    #[test]
    fn tbx_administrative_status_gives_deprecated_and_forbidden_entries() {
        let tbx = r#"<tbx type="TBX-Basic" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
            <conceptEntry id="c1">
              <langSec xml:lang="fr">
                <termSec><term>OTAN</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
                <termSec><term>Organisation du traité de l'Atlantique Nord</term><termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec>
              </langSec>
              <langSec xml:lang="en">
                <termSec><term>NATO</term></termSec>
                <termSec><term>Atlantic Alliance</term><termNote type="administrativeStatus">forbidden</termNote></termSec>
              </langSec></conceptEntry>
            </body></text></tbx>"#;
        let (entries, errors) = parse(tbx, Format::Tbx);
        assert!(errors.is_empty(), "{errors:?}");
        let seen: Vec<(&str, &str, EntryStatus)> = entries
            .iter()
            .map(|e| (e.source.as_str(), e.target.as_str(), e.status))
            .collect();
        assert_eq!(
            seen,
            [
                ("OTAN", "NATO", EntryStatus::Preferred),
                (
                    "Organisation du traité de l'Atlantique Nord",
                    "NATO",
                    EntryStatus::Deprecated
                ),
                ("OTAN", "Atlantic Alliance", EntryStatus::Forbidden),
            ]
        );
        for format in [Format::Tbx, Format::Json] {
            let written = write_glossary(&entries, format).unwrap();
            let (again, _) = parse(&written, format);
            let plain = |e: &[Entry]| {
                e.iter()
                    .map(|e| (e.source.clone(), e.target.clone(), e.status))
                    .collect::<Vec<_>>()
            };
            assert_eq!(plain(&again), plain(&entries), "{format:?}:\n{written}");
        }
        let written = write_glossary(&entries, Format::Json).unwrap();
        assert!(written.contains(r#""status":"forbidden""#), "{written}");
        // TSV cannot hold a status: the export is refused, naming the entry.
        let refused = write_glossary(&entries[1..], Format::Tsv).unwrap_err();
        assert!(
            refused.contains("entry 1") && refused.contains("status deprecated"),
            "{refused}"
        );
    }

    #[test]
    fn reads_tbx_v2_and_v3() {
        let v3 = r#"<?xml version="1.0"?><tbx type="TBX-Basic" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
            <conceptEntry id="c1"><descrip type="subjectField">defence</descrip>
              <langSec xml:lang="fr"><termSec><term>OTAN</term></termSec><termSec><term>Otan</term></termSec></langSec>
              <langSec xml:lang="en"><termSec><term>NATO</term></termSec></langSec></conceptEntry>
            <conceptEntry id="c2"><langSec xml:lang="fr"><termSec><term>seul</term></termSec></langSec></conceptEntry>
            </body></text></tbx>"#;
        let (entries, errors) = parse(v3, Format::Tbx);
        assert_eq!(entries[0].source, "OTAN");
        assert_eq!(entries[0].variants, ["Otan"]);
        assert_eq!(entries[0].domain.as_deref(), Some("defence"));
        assert_eq!(errors.len(), 1);
        let v2 = r#"<martif type="TBX-Basic"><text><body><termEntry><langSet xml:lang="fr-FR"><tig><term>ONU &amp; co</term></tig></langSet><langSet xml:lang="en"><tig><term>UN</term></tig></langSet></termEntry></body></text></martif>"#;
        let (entries, _) = parse(v2, Format::Tbx);
        assert_eq!(entries[0].source, "ONU & co");
    }

    #[test]
    fn json_and_tbx_round_trip_without_loss() {
        let json = r#"[
  {"source":"OTAN","target":"NATO","domain":"organisation"},
  {"source":"www.otan.int","target":"www.otan.int","policy":"placeholder","note":"URL <keep> & co"},
  {"source":"cyber","target":"cyber","variants":["Cyber"],"case_sensitive":true,"whole_word":false,"policy":"check"},
  {"pattern":"https?://[^ ]+","note":"URLs <as is>"}
]
"#;
        let (entries, errors) = parse(json, Format::Json);
        assert!(errors.is_empty());
        for format in [Format::Json, Format::Tbx] {
            let written = write_glossary(&entries, format).unwrap();
            let (again, errors) = parse(&written, format);
            assert!(errors.is_empty(), "{format:?}: {errors:?}");
            let strip = |e: &[Entry]| {
                e.iter()
                    .map(|e| Entry {
                        origin: String::new(),
                        ..e.clone()
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&again), strip(&entries), "{format:?}:\n{written}");
        }
        // TSV holds source, target and note: an entry with more is refused, named.
        let refused = write_glossary(&entries, Format::Tsv).unwrap_err();
        assert!(
            refused.contains("entry 1 (\"OTAN\") has domain"),
            "{refused}"
        );
        let plain = [Entry {
            note: Some("URL <keep> & co".into()),
            ..Entry::new("siège", "headquarters", "")
        }];
        let tsv = write_glossary(&plain, Format::Tsv).unwrap();
        let (again, _) = parse(&tsv, Format::Tsv);
        assert_eq!(again[0].note.as_deref(), Some("URL <keep> & co"));
    }
}
