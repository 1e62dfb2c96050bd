//! Stage 1, read: inputs (files, folders, JSONL, stdin) in, articles out.
//!
//! An input that cannot be read (missing, not UTF-8, binary, empty, an invalid JSONL line)
//! becomes a [`ReadError`] naming the file and line; the other inputs are still read, so one
//! bad file never sinks a batch.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// One French article: an id that names its outputs, where it came from, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The path relative to its input root (`dir/a.txt`), the JSONL `id`, or `stdin`.
    pub id: String,
    /// Where it came from, for messages: a path, `file.jsonl:3` or `<stdin>`.
    pub origin: String,
    /// The text, as read (paragraphs are lines).
    pub text: String,
}

/// Why an input, or part of one, could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not valid UTF-8 (byte {byte} of the file)")]
    NotUtf8 {
        path: String,
        line: usize,
        byte: usize,
    },
    #[error("{path}: binary file (it contains NUL bytes), not text")]
    Binary { path: String },
    #[error("{path}: empty article, nothing to translate")]
    Empty { path: String },
    #[error("{path}:{line}: invalid JSONL line: {message}")]
    JsonLine {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{origin}: article id {id:?} is already used by {first}")]
    DuplicateId {
        id: String,
        origin: String,
        first: String,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::Binary { path }
            | ReadError::Empty { path }
            | ReadError::JsonLine { path, .. } => path,
            ReadError::DuplicateId { origin, .. } => origin,
        }
    }

    /// The 1-based line the error is about, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ReadError::NotUtf8 { line, .. } | ReadError::JsonLine { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// What reading all inputs gave: the articles in input order, and what could not be read.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub articles: Vec<Article>,
    pub errors: Vec<ReadError>,
}

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

impl Input {
    /// Parses a command-line operand: `-` is standard input.
    pub fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(arg.to_path_buf())
        }
    }
}

/// File endings read when walking a folder. A file named on the command line is read
/// whatever its ending.
const TEXT_EXTENSIONS: &[&str] = &["txt", "md"];
const JSONL_EXTENSION: &str = "jsonl";

/// Reads every input in order. Folders are walked recursively in sorted order.
pub fn read_inputs(inputs: &[Input]) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut add = |outcome: &mut ReadOutcome, result: Result<Article, ReadError>| match result {
        Ok(article) => match ids.get(&article.id) {
            Some(first) => outcome.errors.push(ReadError::DuplicateId {
                id: article.id.clone(),
                origin: article.origin.clone(),
                first: first.clone(),
            }),
            None => {
                ids.insert(article.id.clone(), article.origin.clone());
                outcome.articles.push(article);
            }
        },
        Err(error) => outcome.errors.push(error),
    };
    for input in inputs {
        match input {
            Input::Stdin => {
                for result in read_stdin() {
                    add(&mut outcome, result);
                }
            }
            Input::Path(path) if path.is_dir() => {
                for file in walk(path, &mut outcome.errors) {
                    let id = relative_id(path, &file);
                    for result in read_file(&file, id) {
                        add(&mut outcome, result);
                    }
                }
            }
            Input::Path(path) => {
                let id = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                for result in read_file(path, id) {
                    add(&mut outcome, result);
                }
            }
        }
    }
    outcome
}

/// The readable files under a folder, sorted, hidden files and folders skipped.
fn walk(root: &Path, errors: &mut Vec<ReadError>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in entries {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let ext = entry.path().extension().and_then(|e| e.to_str());
                if ext.is_some_and(|e| TEXT_EXTENSIONS.contains(&e) || e == JSONL_EXTENSION) {
                    files.push(entry.into_path());
                }
            }
            Ok(_) => {}
            Err(error) => errors.push(ReadError::Io {
                path: error
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string()),
                source: error.into(),
            }),
        }
    }
    files
}

fn relative_id(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Standard input: one text article, or JSONL articles when the first line is a JSON
/// object with a `text` (so `cat batch.jsonl | passeur translate -` works).
fn read_stdin() -> Vec<Result<Article, ReadError>> {
    let origin = "<stdin>".to_string();
    let mut bytes = Vec::new();
    if let Err(source) = std::io::stdin().read_to_end(&mut bytes) {
        return vec![Err(ReadError::Io {
            path: origin,
            source,
        })];
    }
    let text = match decode_text(&origin, bytes) {
        Ok(text) => text,
        Err(error) => return vec![Err(error)],
    };
    if looks_like_jsonl(&text) {
        return parse_jsonl(&origin, &text);
    }
    vec![Ok(Article {
        id: "stdin".into(),
        origin,
        text,
    })]
}

fn looks_like_jsonl(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.get("text").is_some())
}

/// Reads one file: one article, or for `.jsonl` one article per valid line.
fn read_file(path: &Path, id: String) -> Vec<Result<Article, ReadError>> {
    let origin = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(source) => {
            return vec![Err(ReadError::Io {
                path: origin,
                source,
            })]
        }
    };
    let text = match decode_text(&origin, bytes) {
        Ok(text) => text,
        Err(error) => return vec![Err(error)],
    };
    if path.extension().is_some_and(|e| e == JSONL_EXTENSION) {
        return parse_jsonl(&origin, &text);
    }
    vec![Ok(Article { id, origin, text })]
}

/// Checks that bytes are UTF-8 text, naming the line of the first bad byte; drops a BOM.
fn decode_text(origin: &str, mut bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary {
            path: origin.into(),
        });
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let line = 1 + error.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ReadError::NotUtf8 {
            path: origin.into(),
            line,
            byte: valid,
        }
    })?;
    if text.trim().is_empty() {
        return Err(ReadError::Empty {
            path: origin.into(),
        });
    }
    Ok(text)
}

#[derive(Deserialize)]
struct JsonArticle {
    id: JsonId,
    text: String,
}

/// JSONL ids may be strings or numbers.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonId {
    Text(String),
    Number(serde_json::Number),
}

fn parse_jsonl(origin: &str, text: &str) -> Vec<Result<Article, ReadError>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let line_no = index + 1;
            let bad = |message: String| ReadError::JsonLine {
                path: origin.into(),
                line: line_no,
                message,
            };
            let record: JsonArticle = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            let id = match record.id {
                JsonId::Text(id) => id,
                JsonId::Number(n) => n.to_string(),
            };
            if id.trim().is_empty() {
                return Err(bad("the id is empty".into()));
            }
            let line_origin = format!("{origin}:{line_no}");
            if record.text.trim().is_empty() {
                return Err(ReadError::Empty { path: line_origin });
            }
            Ok(Article {
                id,
                origin: line_origin,
                text: record.text,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_of_invalid_utf8() {
        let error = decode_text("f.txt", b"ok\nok\nbad \xff here\n".to_vec()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "f.txt:3: not valid UTF-8 (byte 10 of the file)"
        );
    }

    #[test]
    fn rejects_binary_and_empty_text() {
        assert!(matches!(
            decode_text("b", vec![1, 0, 2]),
            Err(ReadError::Binary { .. })
        ));
        assert!(matches!(
            decode_text("e", b" \n\t".to_vec()),
            Err(ReadError::Empty { .. })
        ));
        assert_eq!(
            decode_text("bom", b"\xEF\xBB\xBFSalut".to_vec()).unwrap(),
            "Salut"
        );
    }

    #[test]
    fn recognises_jsonl_on_standard_input() {
        assert!(looks_like_jsonl("\n{\"id\": \"a\", \"text\": \"Un.\"}\n"));
        assert!(!looks_like_jsonl("{Un article entre accolades}"));
        assert!(!looks_like_jsonl("Un article."));
    }

    #[test]
    fn jsonl_keeps_good_lines_and_names_bad_ones() {
        let results = parse_jsonl(
            "in.jsonl",
            "{\"id\": \"a\", \"text\": \"Un.\"}\n{oops\n\n{\"id\": 7, \"text\": \"Deux.\"}\n{\"id\": \"\", \"text\": \"x\"}\n",
        );
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].as_ref().unwrap().id, "a");
        assert!(results[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("in.jsonl:2: invalid JSONL line"));
        assert_eq!(results[2].as_ref().unwrap().id, "7");
        assert_eq!(results[2].as_ref().unwrap().origin, "in.jsonl:4");
        assert_eq!(results[3].as_ref().unwrap_err().line(), Some(5));
    }
}
