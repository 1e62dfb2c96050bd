//! Stage 1, read: inputs (files, folders, JSONL, stdin) in, articles out.
//!
//! An input that cannot be read (missing, not UTF-8, binary, empty, an invalid JSONL line)
//! becomes a [`ReadError`] naming the file and line; the other inputs are still read, so one
//! bad file never sinks a batch.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, Read};
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

/// Reads every input in order, all at once (for the commands that need every article:
/// `segment`, `glossary check`). `translate` streams with [`articles`].
pub fn read_inputs(inputs: &[Input]) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    for result in articles(inputs) {
        match result {
            Ok(article) => outcome.articles.push(article),
            Err(error) => outcome.errors.push(error),
        }
    }
    outcome
}

/// The articles of the inputs, in order, read as they are asked for: folders are walked
/// lazily in sorted order and JSONL is read line by line, so memory holds one article (or
/// one JSONL line) at a time, not the batch. An article whose id was seen before is an
/// error, not a second article.
pub fn articles(inputs: &[Input]) -> Articles<'_> {
    Articles {
        inputs: inputs.iter(),
        current: None,
        ids: HashMap::new(),
    }
}

type Source<'a> = Box<dyn Iterator<Item = Result<Article, ReadError>> + 'a>;

/// See [`articles`].
pub struct Articles<'a> {
    inputs: std::slice::Iter<'a, Input>,
    current: Option<Source<'a>>,
    /// Every id seen, with where it came from (for the duplicate message).
    ids: HashMap<String, String>,
}

impl Iterator for Articles<'_> {
    type Item = Result<Article, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(result) = self.current.as_mut().and_then(Iterator::next) {
                return Some(result.and_then(|article| match self.ids.get(&article.id) {
                    Some(first) => Err(ReadError::DuplicateId {
                        id: article.id,
                        origin: article.origin,
                        first: first.clone(),
                    }),
                    None => {
                        self.ids.insert(article.id.clone(), article.origin.clone());
                        Ok(article)
                    }
                }));
            }
            self.current = Some(source(self.inputs.next()?));
        }
    }
}

/// The articles of one input.
fn source(input: &Input) -> Source<'_> {
    match input {
        Input::Stdin => read_stdin(),
        Input::Path(path) if path.is_dir() => Box::new(walk(path).flat_map(move |file| {
            file.map_or_else(
                |error| Box::new(std::iter::once(Err(error))) as Source<'_>,
                |file| {
                    let id = relative_id(path, &file);
                    read_file(&file, id)
                },
            )
        })),
        Input::Path(path) => {
            let id = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            read_file(path, id)
        }
    }
}

/// How many articles the inputs hold, counted quickly (files walked, JSONL lines counted,
/// nothing decoded) for the progress bar; none for standard input, which can be read once
/// only.
pub fn count(inputs: &[Input]) -> Option<usize> {
    let mut total = 0;
    for input in inputs {
        let files: Vec<PathBuf> = match input {
            Input::Stdin => return None,
            Input::Path(path) if path.is_dir() => walk(path).filter_map(Result::ok).collect(),
            Input::Path(path) => vec![path.clone()],
        };
        for file in files {
            total += if file.extension().is_some_and(|e| e == JSONL_EXTENSION) {
                std::fs::read(&file).map_or(1, |bytes| {
                    bytes
                        .split(|&b| b == b'\n')
                        .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
                        .count()
                })
            } else {
                1
            };
        }
    }
    Some(total)
}

/// The readable files under a folder, sorted, hidden files and folders skipped, as they
/// are walked.
fn walk(root: &Path) -> impl Iterator<Item = Result<PathBuf, ReadError>> + '_ {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(move |entry| match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let ext = entry.path().extension().and_then(|e| e.to_str());
                ext.is_some_and(|e| TEXT_EXTENSIONS.contains(&e) || e == JSONL_EXTENSION)
                    .then(|| Ok(entry.into_path()))
            }
            Ok(_) => None,
            Err(error) => Some(Err(ReadError::Io {
                path: error
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string()),
                source: error.into(),
            })),
        })
}

fn relative_id(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap_or(file);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Standard input: one text article, or JSONL articles (read line by line) when its first
/// non-empty line is a JSON object with a `text` (so `cat batch.jsonl | passeur translate -`
/// works).
fn read_stdin() -> Source<'static> {
    let origin = "<stdin>".to_string();
    let mut reader = std::io::BufReader::new(std::io::stdin());
    let mut head = Vec::new();
    let mut first_line = String::new();
    loop {
        let start = head.len();
        match reader.read_until(b'\n', &mut head) {
            Ok(0) => break,
            Ok(_) => {
                let line = String::from_utf8_lossy(&head[start..]);
                if !line.trim().is_empty() {
                    first_line = line.into_owned();
                    break;
                }
            }
            Err(source) => {
                return Box::new(std::iter::once(Err(ReadError::Io {
                    path: origin,
                    source,
                })))
            }
        }
    }
    if looks_like_jsonl(&first_line) {
        return Box::new(JsonlLines::new(
            origin,
            std::io::Cursor::new(head).chain(reader),
        ));
    }
    if let Err(source) = reader.read_to_end(&mut head) {
        return Box::new(std::iter::once(Err(ReadError::Io {
            path: origin,
            source,
        })));
    }
    Box::new(std::iter::once(decode_text(&origin, head).map(|text| {
        Article {
            id: "stdin".into(),
            origin,
            text,
        }
    })))
}

fn looks_like_jsonl(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    first.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.get("text").is_some())
}

/// Reads one file: one article, or for `.jsonl` one article per valid line, line by line.
fn read_file(path: &Path, id: String) -> Source<'static> {
    let origin = path.display().to_string();
    let io_error = |origin: String, source| {
        Box::new(std::iter::once(Err(ReadError::Io {
            path: origin,
            source,
        })))
    };
    if path.extension().is_some_and(|e| e == JSONL_EXTENSION) {
        return match File::open(path) {
            Ok(file) => Box::new(JsonlLines::new(origin, std::io::BufReader::new(file))),
            Err(source) => io_error(origin, source),
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => Box::new(std::iter::once(
            decode_text(&origin, bytes).map(|text| Article { id, origin, text }),
        )),
        Err(source) => io_error(origin, source),
    }
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

/// The articles of a JSONL stream, one line at a time: a bad line (not UTF-8, not JSON,
/// no id, empty text) is an error naming its line, and the next lines are still read.
struct JsonlLines<R> {
    origin: String,
    reader: R,
    line: usize,
    /// Bytes read so far, for the position of a bad byte.
    offset: usize,
    done: bool,
}

impl<R: BufRead> JsonlLines<R> {
    fn new(origin: String, reader: R) -> JsonlLines<R> {
        JsonlLines {
            origin,
            reader,
            line: 0,
            offset: 0,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonlLines<R> {
    type Item = Result<Article, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut bytes = Vec::new();
        while !self.done {
            bytes.clear();
            let read = match self.reader.read_until(b'\n', &mut bytes) {
                Ok(read) => read,
                Err(source) => {
                    self.done = true;
                    return Some(Err(ReadError::Io {
                        path: self.origin.clone(),
                        source,
                    }));
                }
            };
            if read == 0 {
                self.done = true;
                break;
            }
            self.line += 1;
            let start = self.offset;
            self.offset += read;
            let mut line = bytes.as_slice();
            if self.line == 1 {
                line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
            }
            let text = match std::str::from_utf8(line) {
                Ok(text) => text,
                Err(error) => {
                    return Some(Err(ReadError::NotUtf8 {
                        path: self.origin.clone(),
                        line: self.line,
                        byte: start + error.valid_up_to(),
                    }))
                }
            };
            if !text.trim().is_empty() {
                return Some(parse_jsonl_line(&self.origin, self.line, text));
            }
        }
        None
    }
}

fn parse_jsonl_line(origin: &str, line_no: usize, line: &str) -> Result<Article, ReadError> {
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
        let text = "{\"id\": \"a\", \"text\": \"Un.\"}\n{oops\n\n{\"id\": 7, \"text\": \"Deux.\"}\n{\"id\": \"\", \"text\": \"x\"}\n";
        let results: Vec<_> = JsonlLines::new("in.jsonl".into(), text.as_bytes()).collect();
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
