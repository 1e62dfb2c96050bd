//! `passeur glossary lint`: what makes terminology untrustworthy, one function per kind of
//! finding. Lint reads the raw entries, before any trimming, so that it can report what
//! loading would silently fix.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::format::{read_raw, Format, RawEntries};
use super::load::{is_acronym, read_text, validate};
use super::normalize::Normalized;
use super::{Entry, EntryStatus, GlossaryError, Matcher};

/// A lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub line: usize,
    pub entry: usize,
    pub source: String,
    pub message: String,
}

/// Checks a glossary for what makes terminology untrustworthy: duplicates, one source with
/// several targets, entries that can never win a match, empty or padded terms, terms that
/// do not match their own text, and suspicious case.
pub fn lint(path: &Path) -> Result<Vec<Finding>, GlossaryError> {
    let name = path.display().to_string();
    let format = Format::from_path(path)?;
    let raw = read_raw(&name, &read_text(path)?, format)?;
    let mut findings = Vec::new();
    let valid = invalid_or_padded(&name, &raw, &mut findings);
    shared_spellings(&valid, &mut findings);
    not_matching_themselves(&valid, &mut findings);
    suspicious_case(&valid, &mut findings);
    forbidden_but_required(&valid, &mut findings);
    findings.sort_by_key(|f| (f.line, f.entry));
    findings.dedup();
    Ok(findings)
}

/// Glossaries used together (`lint A B`, `translate -g A -g B`), checked against each
/// other: a source term (normalised as matching sees it) that files render differently, or
/// give again. The first file given wins, as matching takes the first entry of a form;
/// each finding says which. `files` holds each file's name and entries, in the order given.
pub fn across(files: &[(String, Vec<Entry>)]) -> Vec<String> {
    let mut first: HashMap<String, (usize, &Entry)> = HashMap::new();
    let mut findings = Vec::new();
    for (k, (_, entries)) in files.iter().enumerate() {
        for entry in entries.iter().filter(|e| e.requires_target()) {
            let key = Normalized::new(&entry.source, true).text;
            match first.get(&key) {
                None => {
                    first.insert(key, (k, entry));
                }
                Some(&(j, winner)) if j != k => {
                    let same = Normalized::new(&winner.target, true).text
                        == Normalized::new(&entry.target, true).text;
                    findings.push(match same {
                        true => format!(
                            "{:?} is in {} and again in {} (→ {:?}); the first is used",
                            entry.source, winner.origin, entry.origin, winner.target
                        ),
                        false => format!(
                            "{:?} → {:?} in {} but → {:?} in {}: {} wins (the first glossary \
                             given); remove one, or make them agree",
                            entry.source,
                            winner.target,
                            winner.origin,
                            entry.target,
                            entry.origin,
                            files[j].0
                        ),
                    });
                }
                Some(_) => {}
            }
        }
    }
    // Each required target with the files that require it (the file's own are its lint's).
    let mut required: HashMap<String, Vec<(usize, &Entry)>> = HashMap::new();
    for (k, (_, entries)) in files.iter().enumerate() {
        for entry in entries.iter().filter(|e| e.requires_target()) {
            let key = Normalized::new(&entry.target, true).text;
            required.entry(key).or_default().push((k, entry));
        }
    }
    for (k, (_, entries)) in files.iter().enumerate() {
        for entry in entries
            .iter()
            .filter(|e| e.status == EntryStatus::Forbidden)
        {
            let key = Normalized::new(&entry.target, true).text;
            let elsewhere = required
                .get(&key)
                .and_then(|found| found.iter().find(|(j, _)| *j != k));
            if let Some((_, other)) = elsewhere {
                findings.push(format!(
                    "{} forbids {:?}, which {} requires ({:?} → {:?}): its translations would \
                     be flagged forbidden-term",
                    entry.origin, entry.target, other.origin, other.source, other.target
                ));
            }
        }
    }
    findings
}

/// An entry that loads, with its line and number.
struct Valid {
    line: usize,
    number: usize,
    entry: Entry,
}

impl Valid {
    fn finding(&self, message: String) -> Finding {
        Finding {
            line: self.line,
            entry: self.number,
            source: self.entry.source.clone(),
            message,
        }
    }
}

/// Entries that do not load, and empty terms or terms with stray white space; returns the
/// entries that load.
fn invalid_or_padded(name: &str, raw: &RawEntries, findings: &mut Vec<Finding>) -> Vec<Valid> {
    let mut valid = Vec::new();
    for (number, (line, entry)) in raw.iter().enumerate().map(|(i, r)| (i + 1, r)) {
        let said = std::cell::Cell::new(false);
        let mut say = |message: String, source: &str| {
            said.set(true);
            findings.push(Finding {
                line: *line,
                entry: number,
                source: source.to_string(),
                message,
            })
        };
        let raw = match entry {
            Ok(raw) => raw,
            Err(message) => {
                say(message.clone(), "");
                continue;
            }
        };
        let terms = if raw.pattern.is_some() { 0 } else { usize::MAX };
        for (what, term) in std::iter::once(("source", &raw.source))
            .chain(std::iter::once(("target", &raw.target)))
            .chain(raw.variants.iter().map(|v| ("variant", v)))
            .take(terms)
        {
            if term.trim().is_empty() {
                say(format!("empty {what} term"), &raw.source);
            } else if term.trim() != term {
                say(
                    format!("{what} term {term:?} has leading or trailing white space"),
                    &raw.source,
                );
            } else if term.contains("  ") {
                say(
                    format!("{what} term {term:?} has a double space"),
                    &raw.source,
                );
            }
        }
        match validate(name, *line, number, Ok(raw.clone())) {
            Ok(entry) => valid.push(Valid {
                line: *line,
                number,
                entry,
            }),
            // What loading refuses (an invalid pattern, one that matches the empty string,
            // a term that is nothing once normalised) is a finding too.
            Err(_) if said.get() => {}
            Err(GlossaryError::Entry { message, .. }) => {
                say(message, raw.pattern.as_deref().unwrap_or(&raw.source))
            }
            Err(other) => say(other.to_string(), &raw.source),
        }
    }
    valid
}

/// Entries that share a spelling: duplicates (same target) and conflicts (another target;
/// the first entry always wins).
fn shared_spellings(valid: &[Valid], findings: &mut Vec<Finding>) {
    let mut by_source: HashMap<String, Vec<usize>> = HashMap::new();
    // A forbidden entry shares its source with the preferred one by design (OTAN → NATO,
    // never OTAN → "Atlantic Alliance").
    for (i, v) in valid
        .iter()
        .enumerate()
        .filter(|(_, v)| v.entry.requires_target())
    {
        for spelling in std::iter::once(&v.entry.source).chain(&v.entry.variants) {
            by_source
                .entry(Normalized::new(spelling, !v.entry.case_sensitive).text)
                .or_default()
                .push(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = by_source
        .values()
        .flat_map(|ids| {
            ids.iter()
                .enumerate()
                .flat_map(move |(k, &a)| ids[k + 1..].iter().map(move |&b| (a, b)))
        })
        .filter(|(a, b)| a != b)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (a, b) in pairs {
        let (first, second) = (&valid[a], &valid[b]);
        let first_number = first.number;
        let message = if first.entry.target == second.entry.target {
            format!(
                "duplicate of entry {first_number} ({:?} → {:?})",
                first.entry.source, first.entry.target
            )
        } else {
            format!(
                "conflicts with entry {first_number}: {:?} → {:?} there, {:?} here; entry {first_number} always wins, so this one never matches",
                first.entry.source, first.entry.target, second.entry.target
            )
        };
        findings.push(second.finding(message));
    }
}

/// Each entry must find itself in its own source text: one that does not, or that another
/// entry shadows, never applies. Entries with a finding already are left alone.
fn not_matching_themselves(valid: &[Valid], findings: &mut Vec<Finding>) {
    let matcher = Matcher::new(valid.iter().map(|v| v.entry.clone()).collect());
    for (i, v) in valid.iter().enumerate() {
        if v.entry.pattern.is_some()
            || v.entry.status == EntryStatus::Forbidden
            || findings.iter().any(|f| f.entry == v.number)
        {
            continue;
        }
        let found = matcher.find(&v.entry.source);
        let winner = found.iter().find(|m| m.span == (0..v.entry.source.len()));
        let problem = match winner {
            Some(m) if m.entry_index == i => None,
            Some(m) => Some(format!(
                "shadowed by entry {} ({:?}), which matches this text first (a plural or variant of it?); this entry never applies",
                valid[m.entry_index].number,
                valid[m.entry_index].entry.source
            )),
            None => Some("the source term does not match its own text (check case_sensitive and whole_word)".into()),
        };
        if let Some(message) = problem {
            findings.push(v.finding(message));
        }
    }
}

/// A target one entry forbids and another requires: every translation that follows the
/// second is flagged by the first.
fn forbidden_but_required(valid: &[Valid], findings: &mut Vec<Finding>) {
    let required: HashMap<String, &Valid> = valid
        .iter()
        .rev()
        .filter(|v| v.entry.requires_target())
        .map(|v| (Normalized::new(&v.entry.target, true).text, v))
        .collect();
    for v in valid
        .iter()
        .filter(|v| v.entry.status == EntryStatus::Forbidden)
    {
        if let Some(other) = required.get(&Normalized::new(&v.entry.target, true).text) {
            findings.push(v.finding(format!(
                "forbids {:?}, which entry {} ({:?}) requires: its translations would be flagged",
                v.entry.target, other.number, other.entry.source
            )));
        }
    }
}

/// Suspicious case: a short acronym matched case-insensitively, or a capitalised name
/// whose target is lower case.
fn suspicious_case(valid: &[Valid], findings: &mut Vec<Finding>) {
    for v in valid.iter().filter(|v| v.entry.pattern.is_none()) {
        let entry = &v.entry;
        if is_acronym(&entry.source) && !entry.case_sensitive && entry.source.chars().count() <= 3 {
            findings.push(v.finding(format!(
                "short acronym {:?} matched case-insensitively: it will also match the word {:?}",
                entry.source,
                entry.source.to_lowercase()
            )));
        }
        let capitalised = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
        if capitalised(&entry.source)
            && !is_acronym(&entry.source)
            && entry.target.chars().next().is_some_and(char::is_lowercase)
        {
            findings.push(v.finding(format!(
                "capitalised source {:?} has a lower-case target {:?}",
                entry.source, entry.target
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn lint_finds_what_makes_terminology_untrustworthy() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "g.json",
            r#"[
  {"source": "OTAN", "target": "NATO"},
  {"source": "Otan", "target": "NATO", "case_sensitive": false},
  {"source": " ONU", "target": "UN"},
  {"source": "bureau de liaison", "target": "liaison office"},
  {"source": "bureau de liaison", "target": "contact office"},
  {"source": "UE", "target": "EU", "case_sensitive": false},
  {"source": "Japon", "target": "japan"},
  {"source": "bureaux de liaison", "target": "liaison offices"}
]"#,
        );
        let findings = lint(&path).unwrap();
        let said = |line: usize, needle: &str| {
            findings
                .iter()
                .any(|f| f.line == line && f.message.contains(needle))
        };
        assert!(said(4, "leading or trailing white space"), "{findings:#?}");
        assert!(said(6, "conflicts with entry 4"), "{findings:#?}");
        assert!(said(7, "short acronym"), "{findings:#?}");
        assert!(said(8, "lower-case target"), "{findings:#?}");
        assert!(said(9, "shadowed by entry 4"), "{findings:#?}");
        assert!(!findings.iter().any(|f| f.line == 2), "{findings:#?}");
    }

    /// A forbidden entry beside the preferred one of the same source is no conflict; a
    /// target both forbidden and required is.
    #[test]
    fn lint_knows_forbidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "g.json",
            r#"[
  {"source": "OTAN", "target": "NATO"},
  {"source": "OTAN", "target": "Atlantic Alliance", "status": "forbidden"},
  {"source": "Alliance atlantique", "target": "Atlantic Alliance"}
]"#,
        );
        let findings = lint(&path).unwrap();
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].line, 3);
        assert!(
            findings[0].message.contains("which entry 3"),
            "{findings:#?}"
        );
    }

    #[test]
    fn the_starter_glossary_lints_clean() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries/fr-en.json");
        assert_eq!(lint(&path).unwrap(), []);
    }
}
