//! `passeur glossary …`: maintaining glossaries.
//!
//! `add` and `remove` edit a JSON glossary as text, splicing one entry in or out, so the
//! rest of the file (order, formatting, comments-free layout) stays byte-for-byte as it
//! was and a reviewer sees a one-entry diff. `lint` reads the raw entries, before any
//! trimming, so that it can report what loading would silently fix.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::load::{
    self, json_entry_ranges, read_raw, write_glossary, Format, GlossaryError, RawEntry,
};
use super::normalize::Normalized;
use super::{load_glossary, Entry, Matcher, Policy};

/// Reads a whole file, naming it in the error.
fn read(path: &Path) -> Result<String, GlossaryError> {
    std::fs::read_to_string(path).map_err(|source| GlossaryError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), GlossaryError> {
    crate::files::write_atomic(path, text.as_bytes()).map_err(|e| GlossaryError::Io {
        path: path.display().to_string(),
        source: e.source,
    })
}

/// One line per entry: number, source → target, settings.
pub fn list(path: &Path) -> Result<(Vec<String>, Vec<GlossaryError>), GlossaryError> {
    let (entries, errors) = load_glossary(path)?;
    let lines = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut line = match &e.pattern {
                Some(pattern) => format!("{:>4}  pattern /{pattern}/ (kept as written)", i + 1),
                None => format!("{:>4}  {} → {}", i + 1, e.source, e.target),
            };
            let mut extras = Vec::new();
            if !e.variants.is_empty() {
                extras.push(format!("variants: {}", e.variants.join(", ")));
            }
            if e.policy != Policy::Inject && e.pattern.is_none() {
                extras.push(format!("policy: {}", e.policy.name()));
            }
            if e.case_sensitive && e.pattern.is_none() {
                extras.push("case-sensitive".into());
            }
            if !e.whole_word {
                extras.push("inside words".into());
            }
            if let Some(domain) = &e.domain {
                extras.push(format!("domain: {domain}"));
            }
            if let Some(note) = &e.note {
                extras.push(format!("note: {note}"));
            }
            if !extras.is_empty() {
                line += &format!("  ({})", extras.join("; "));
            }
            line
        })
        .collect();
    Ok((lines, errors))
}

/// `add` and `remove` edit JSON only: the other formats are converted with `import`.
fn require_json(path: &Path) -> Result<(), String> {
    match Format::from_path(path) {
        Ok(Format::Json) => Ok(()),
        _ => Err(format!(
            "{}: add and remove edit JSON glossaries; convert it first with `passeur glossary import {} FILE.json`",
            path.display(),
            path.display()
        )),
    }
}

/// Adds an entry at the end of a JSON glossary, in the file's own layout.
pub fn add(path: &Path, entry: &Entry) -> Result<(), String> {
    require_json(path)?;
    let name = path.display().to_string();
    let text = if path.exists() {
        read(path).map_err(|e| e.to_string())?
    } else {
        "[\n]\n".to_string()
    };
    let (entries, _) =
        load::parse_glossary_text(&name, &text, Format::Json).map_err(|e| e.to_string())?;
    let key = Normalized::new(&entry.source, true).text;
    if let Some((i, _)) = entries
        .iter()
        .enumerate()
        .find(|(_, e)| Normalized::new(&e.source, true).text == key)
    {
        return Err(format!(
            "{name}: entry {} already has the source term {:?}; remove it first",
            i + 1,
            entry.source
        ));
    }
    let json = serde_json::to_string(&RawEntry::from_entry(entry)).expect("entries serialise");
    let ranges = json_entry_ranges(&name, &text).map_err(|e| e.to_string())?;
    let edited = match ranges.last() {
        Some(last) => {
            // Reuse the separator between the last two entries (",\n  "), or a new line
            // with the last entry's indentation.
            let separator = if ranges.len() >= 2 {
                text[ranges[ranges.len() - 2].end..ranges[ranges.len() - 1].start].to_string()
            } else {
                let line_start = text[..last.start].rfind('\n').map_or(0, |p| p + 1);
                format!(",\n{}", &text[line_start..last.start])
            };
            format!(
                "{}{separator}{json}{}",
                &text[..last.end],
                &text[last.end..]
            )
        }
        None => {
            let close = text
                .rfind(']')
                .ok_or_else(|| format!("{name}: not a JSON list"))?;
            format!(
                "{}  {json}\n{}",
                text[..close].trim_end().to_string() + "\n",
                &text[close..]
            )
        }
    };
    write(path, &edited).map_err(|e| e.to_string())
}

/// Removes every entry whose source term is `source` (normalised comparison). Returns how
/// many were removed.
pub fn remove(path: &Path, source: &str) -> Result<usize, String> {
    require_json(path)?;
    let name = path.display().to_string();
    let text = read(path).map_err(|e| e.to_string())?;
    let ranges = json_entry_ranges(&name, &text).map_err(|e| e.to_string())?;
    let raw = load::read_raw(&name, &text, Format::Json).map_err(|e| e.to_string())?;
    let key = Normalized::new(source.trim(), true).text;
    let doomed: Vec<usize> = raw
        .iter()
        .enumerate()
        .filter(|(_, (_, r))| {
            r.as_ref()
                .is_ok_and(|r| Normalized::new(r.source.trim(), true).text == key)
        })
        .map(|(i, _)| i)
        .collect();
    if doomed.is_empty() {
        return Ok(0);
    }
    let mut edited = text.clone();
    // From the last to the first, so earlier ranges stay valid. Each entry goes with the
    // separator before it (or, for the first entry, the one after it).
    for &i in doomed.iter().rev() {
        let cut = if i > 0 {
            ranges[i - 1].end..ranges[i].end
        } else if ranges.len() > 1 && !doomed.contains(&1) {
            ranges[0].start..ranges[1].start
        } else {
            let line_start = text[..ranges[0].start]
                .rfind('\n')
                .map_or(ranges[0].start, |p| p + 1);
            let line_end = text[ranges[0].end..]
                .find('\n')
                .map_or(ranges[0].end, |p| ranges[0].end + p + 1);
            line_start..line_end
        };
        edited.replace_range(cut, "");
    }
    write(path, &edited).map_err(|e| e.to_string())?;
    Ok(doomed.len())
}

/// What a conversion did.
pub struct Converted {
    pub written: usize,
    /// Pattern entries left out: TSV and CSV hold terms only.
    pub skipped_patterns: usize,
    pub errors: Vec<GlossaryError>,
}

/// Converts a glossary between formats, chosen by the files' endings.
pub fn convert(from: &Path, to: &Path) -> Result<Converted, GlossaryError> {
    let (entries, errors) = load_glossary(from)?;
    let format = Format::from_path(to)?;
    write(to, &write_glossary(&entries, format))?;
    let patterns = entries.iter().filter(|e| e.pattern.is_some()).count();
    let skipped_patterns = if matches!(format, Format::Tsv | Format::Csv) {
        patterns
    } else {
        0
    };
    Ok(Converted {
        written: entries.len() - skipped_patterns,
        skipped_patterns,
        errors,
    })
}

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
    let raw = read_raw(&name, &read(path)?, format)?;
    let mut findings = Vec::new();
    let mut valid: Vec<(usize, usize, Entry)> = Vec::new();
    for (number, (line, entry)) in raw.iter().enumerate().map(|(i, r)| (i + 1, r)) {
        let mut say = |message: String, source: &str| {
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
        if let Ok(entry) = load::validate(&name, *line, number, Ok(raw.clone())) {
            valid.push((*line, number, entry));
        }
    }

    // Entries that share a spelling: duplicates, conflicts and shadowing.
    let mut by_source: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (_, _, entry)) in valid
        .iter()
        .enumerate()
        .filter(|(_, (_, _, e))| e.pattern.is_none())
    {
        for spelling in std::iter::once(&entry.source).chain(&entry.variants) {
            by_source
                .entry(Normalized::new(spelling, !entry.case_sensitive).text)
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
        let (_, first_number, first) = &valid[a];
        let (line, number, second) = &valid[b];
        let message = if first.target == second.target {
            format!(
                "duplicate of entry {first_number} ({:?} → {:?})",
                first.source, first.target
            )
        } else {
            format!(
                "conflicts with entry {first_number}: {:?} → {:?} there, {:?} here; entry {first_number} always wins, so this one never matches",
                first.source, first.target, second.target
            )
        };
        findings.push(Finding {
            line: *line,
            entry: *number,
            source: second.source.clone(),
            message,
        });
    }

    // Each entry must find itself in its own source text.
    let entries: Vec<Entry> = valid.iter().map(|(_, _, e)| e.clone()).collect();
    let matcher = Matcher::new(entries.clone());
    for (i, (line, number, entry)) in valid.iter().enumerate() {
        if entry.pattern.is_some() {
            continue;
        }
        let found = matcher.find(&entry.source);
        let winner = found.iter().find(|m| m.span == (0..entry.source.len()));
        let already = findings.iter().any(|f| f.entry == *number);
        let problem = match winner {
            Some(m) if m.entry_index == i => None,
            Some(m) => Some(format!(
                "shadowed by entry {} ({:?}), which matches this text first (a plural or variant of it?); this entry never applies",
                valid[m.entry_index].1,
                valid[m.entry_index].2.source
            )),
            None => Some("the source term does not match its own text (check case_sensitive and whole_word)".into()),
        };
        if let Some(message) = problem.filter(|_| !already) {
            findings.push(Finding {
                line: *line,
                entry: *number,
                source: entry.source.clone(),
                message,
            });
        }
        // Suspicious case: an acronym-like source matched case-insensitively, or a
        // capitalised name whose target is lower case.
        if load::is_acronym(&entry.source)
            && !entry.case_sensitive
            && entry.source.chars().count() <= 3
        {
            findings.push(Finding {
                line: *line,
                entry: *number,
                source: entry.source.clone(),
                message: format!(
                    "short acronym {:?} matched case-insensitively: it will also match the word {:?}",
                    entry.source,
                    entry.source.to_lowercase()
                ),
            });
        }
        let capitalised = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
        if capitalised(&entry.source)
            && !load::is_acronym(&entry.source)
            && entry.target.chars().next().is_some_and(char::is_lowercase)
        {
            findings.push(Finding {
                line: *line,
                entry: *number,
                source: entry.source.clone(),
                message: format!(
                    "capitalised source {:?} has a lower-case target {:?}",
                    entry.source, entry.target
                ),
            });
        }
    }
    findings.sort_by_key(|f| (f.line, f.entry));
    findings.dedup();
    Ok(findings)
}

/// How often each entry occurs in a set of articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub entry: String,
    pub source: String,
    pub target: String,
    pub occurrences: usize,
    pub articles: usize,
}

/// Counts the occurrences of each entry in articles, most frequent first; entries that
/// never occur are listed with zero.
pub fn usage(entries: &[Entry], articles: &[crate::read::Article]) -> Vec<Usage> {
    let matcher = Matcher::new(entries.to_vec());
    let mut counts = vec![(0usize, 0usize); entries.len()];
    for article in articles {
        let mut seen = vec![false; entries.len()];
        for m in matcher.find(&article.text) {
            counts[m.entry_index].0 += 1;
            if !seen[m.entry_index] {
                seen[m.entry_index] = true;
                counts[m.entry_index].1 += 1;
            }
        }
    }
    let mut usage: Vec<Usage> = entries
        .iter()
        .zip(counts)
        .map(|(e, (occurrences, articles))| Usage {
            entry: e.origin.clone(),
            source: e.source.clone(),
            target: e.target.clone(),
            occurrences,
            articles,
        })
        .collect();
    usage.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then(a.entry.cmp(&b.entry))
    });
    usage
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
    fn add_and_remove_keep_the_rest_of_the_file_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let original = "[\n  {\"source\": \"OTAN\", \"target\": \"NATO\"},\n  {\"source\": \"ONU\", \"target\": \"UN\"}\n]\n";
        let path = file(&dir, "g.json", original);
        let mut entry = Entry::new("Union européenne", "European Union", "");
        entry.domain = Some("organisation".into());
        add(&path, &entry).unwrap();
        let added = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            added,
            "[\n  {\"source\": \"OTAN\", \"target\": \"NATO\"},\n  {\"source\": \"ONU\", \"target\": \"UN\"},\n  {\"source\":\"Union européenne\",\"target\":\"European Union\",\"domain\":\"organisation\"}\n]\n"
        );
        assert!(add(&path, &Entry::new("otan", "NATO", ""))
            .unwrap_err()
            .contains("entry 1 already"));
        assert_eq!(remove(&path, "Union européenne").unwrap(), 1);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
        assert_eq!(remove(&path, "OTAN").unwrap(), 1);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[\n  {\"source\": \"ONU\", \"target\": \"UN\"}\n]\n"
        );
        assert_eq!(remove(&path, "absent").unwrap(), 0);
        assert_eq!(remove(&path, "ONU").unwrap(), 1);
        add(&path, &Entry::new("OTAN", "NATO", "")).unwrap();
        let (entries, _) = load_glossary(&path).unwrap();
        assert_eq!(entries.len(), 1);
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

    #[test]
    fn the_starter_glossary_lints_clean() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("glossaries/fr-en.json");
        assert_eq!(lint(&path).unwrap(), []);
    }

    #[test]
    fn counts_usage_in_articles() {
        let entries = vec![
            Entry::new("OTAN", "NATO", "g#1"),
            Entry::new("ONU", "UN", "g#2"),
        ];
        let articles = vec![crate::read::Article {
            id: "a".into(),
            origin: "a".into(),
            text: "L'OTAN et l’OTAN.".into(),
        }];
        let usage = usage(&entries, &articles);
        assert_eq!(
            (
                usage[0].source.as_str(),
                usage[0].occurrences,
                usage[0].articles
            ),
            ("OTAN", 2, 1)
        );
        assert_eq!(usage[1].occurrences, 0);
    }
}
