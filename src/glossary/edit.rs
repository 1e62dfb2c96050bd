//! Glossary files edited and converted: `passeur glossary list`, `add`, `remove`,
//! `import` and `export`.
//!
//! `add` and `remove` edit a JSON glossary as text, splicing one entry in or out, so the
//! rest of the file (order, formatting) stays byte for byte as it was and a reviewer sees
//! a one-entry diff.

use std::path::Path;

use thiserror::Error;

use super::format::{
    json_entry_ranges, json_list_range, read_raw, write_glossary, Format, RawEntry,
};
use super::load::read_text;
use super::normalize::Normalized;
use super::{load_glossary, parse_glossary_text, Entry, EntryStatus, GlossaryError, Policy};

/// Waits for the glossary's lock (`.NAME.lock` beside it, kept): two `glossary add` at
/// once take turns, each reading what the other wrote, so neither entry is lost. A lock on
/// the glossary itself would not do: each edit replaces the file by another one.
fn lock(path: &Path) -> Result<std::fs::File, EditError> {
    let name = path
        .file_name()
        .map_or_else(|| "glossary".into(), |n| n.to_string_lossy().into_owned());
    let lock_path = path.with_file_name(format!(".{name}.lock"));
    let io = |source| {
        EditError::Glossary(GlossaryError::Io {
            path: lock_path.display().to_string(),
            source,
        })
    };
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io)?;
    file.lock().map_err(io)?;
    Ok(file)
}

/// Why an edit was refused; the file is left as it was.
#[derive(Debug, Error)]
pub enum EditError {
    #[error(
        "{path}: add and remove edit JSON glossaries; convert it first with \
         `passeur glossary import {path} FILE.json`"
    )]
    NotJson { path: String },
    #[error("{path}: entry {number} already has the source term {source_term:?}; remove it first")]
    Duplicate {
        path: String,
        number: usize,
        source_term: String,
    },
    #[error("{path}: not a JSON list")]
    NotAList { path: String },
    #[error(transparent)]
    Glossary(#[from] GlossaryError),
}

/// Writes a glossary file in place: through a symbolic link to the file it names (the link
/// stays a link), keeping the file's permissions.
fn write(path: &Path, text: &str) -> Result<(), GlossaryError> {
    let io = |source| GlossaryError::Io {
        path: path.display().to_string(),
        source,
    };
    let target = if path.exists() {
        std::fs::canonicalize(path).map_err(io)?
    } else {
        path.to_path_buf()
    };
    let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    crate::files::write_atomic(&target, text.as_bytes()).map_err(|e| io(e.source))?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(&target, permissions).map_err(io)?;
    }
    Ok(())
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
            if e.status != EntryStatus::Preferred {
                extras.push(e.status.name().to_string());
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
fn require_json(path: &Path) -> Result<(), EditError> {
    match Format::from_path(path) {
        Ok(Format::Json) => Ok(()),
        _ => Err(EditError::NotJson {
            path: path.display().to_string(),
        }),
    }
}

/// Adds an entry at the end of a JSON glossary, in the file's own layout.
pub fn add(path: &Path, entry: &Entry) -> Result<(), EditError> {
    require_json(path)?;
    let _lock = lock(path)?;
    let name = path.display().to_string();
    let text = if path.exists() {
        read_text(path)?
    } else {
        "[\n]\n".to_string()
    };
    let (entries, _) = parse_glossary_text(&name, &text, Format::Json)?;
    // One enforced entry per source; a forbidden one beside it bans one target.
    let key = Normalized::new(&entry.source, true).text;
    let forbidden = |e: &Entry| e.status == EntryStatus::Forbidden;
    let same = |e: &Entry| {
        Normalized::new(&e.source, true).text == key
            && forbidden(e) == forbidden(entry)
            && (!forbidden(e)
                || Normalized::new(&e.target, true).text
                    == Normalized::new(&entry.target, true).text)
    };
    if let Some((i, _)) = entries.iter().enumerate().find(|(_, e)| same(e)) {
        return Err(EditError::Duplicate {
            path: name,
            number: i + 1,
            source_term: entry.source.clone(),
        });
    }
    let json = serde_json::to_string(&RawEntry::from_entry(entry)).expect("entries serialise");
    let ranges = json_entry_ranges(&name, &text)?;
    let edited = match ranges.last() {
        Some(last) => {
            // Reuse the separator between the last two entries (",\n  "), or a new line
            // with the last entry's indentation; after an entry that shares its line with
            // the list's `[`, the same line.
            let separator = if ranges.len() >= 2 {
                text[ranges[ranges.len() - 2].end..ranges[ranges.len() - 1].start].to_string()
            } else {
                let line_start = text[..last.start].rfind('\n').map_or(0, |p| p + 1);
                let indent = &text[line_start..last.start];
                match indent.trim().is_empty() {
                    true => format!(",\n{indent}"),
                    false => ", ".to_string(),
                }
            };
            format!(
                "{}{separator}{json}{}",
                &text[..last.end],
                &text[last.end..]
            )
        }
        None => {
            // The end of the list of entries, not the last `]` of the file (an object
            // glossary may hold other lists after it).
            let list = json_list_range(&name, &text)?;
            if !text[list.clone()].ends_with(']') {
                return Err(EditError::NotAList { path: name });
            }
            let close = list.end - 1;
            format!(
                "{}  {json}\n{}",
                text[..close].trim_end().to_string() + "\n",
                &text[close..]
            )
        }
    };
    Ok(write(path, &edited)?)
}

/// Removes every entry whose source term is `source` (normalised comparison). Returns how
/// many were removed.
pub fn remove(path: &Path, source: &str) -> Result<usize, EditError> {
    require_json(path)?;
    let _lock = lock(path)?;
    let name = path.display().to_string();
    let text = read_text(path)?;
    let ranges = json_entry_ranges(&name, &text)?;
    let raw = read_raw(&name, &text, Format::Json)?;
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
    write(path, &edited)?;
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
    // Every entry invalid: nothing to write, and the file written would say "empty".
    if entries.is_empty() && !errors.is_empty() {
        return Err(errors.into_iter().next().expect("not empty"));
    }
    let format = Format::from_path(to)?;
    let text = write_glossary(&entries, format).map_err(|message| GlossaryError::Unwritable {
        path: to.display().to_string(),
        message,
    })?;
    write(to, &text)?;
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
            .to_string()
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

    /// Regression: an entry added to a one-line list (`[{…}]`) got the `[` as its
    /// indentation, and the file no longer parsed. A forbidden entry beside the preferred
    /// one of its source is no duplicate.
    #[test]
    fn add_to_a_one_line_list_and_beside_a_forbidden_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "g.json",
            r#"[{"source": "OTAN", "target": "Atlantic Alliance", "status": "forbidden"}]"#,
        );
        add(&path, &Entry::new("OTAN", "NATO", "")).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            r#"[{"source": "OTAN", "target": "Atlantic Alliance", "status": "forbidden"}, {"source":"OTAN","target":"NATO"}]"#
        );
        let (entries, errors) = load_glossary(&path).unwrap();
        assert!(errors.is_empty());
        assert_eq!(entries.len(), 2);
        let again = Entry {
            status: EntryStatus::Forbidden,
            ..Entry::new("otan", "atlantic alliance", "")
        };
        assert!(add(&path, &again).is_err());
    }
}
