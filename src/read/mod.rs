//! Stage 1, read: inputs (files, folders, JSONL, stdin) in, articles out.
//!
//! Plain text, Markdown and JSONL articles are their text. HTML pages (`html.rs`) and
//! XLIFF files (`xliff.rs`) are parsed: their translatable text becomes the article text,
//! one paragraph per line, their inline tags become codes ([`crate::markup`]), and the
//! [`Document`] keeps what is needed to write the translation back into the same file.
//!
//! An input that cannot be read (missing, not UTF-8, binary, empty, an invalid JSONL line)
//! becomes a [`ReadError`] naming the file and line; the other inputs are still read, so one
//! bad file never sinks a batch.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use std::sync::Arc;

use serde::Deserialize;
use thiserror::Error;

use crate::markup::Code;
use crate::options::LanguagePair;

pub mod html;
pub mod language;
pub mod markdown;
pub mod xliff;

/// One French article: an id that names its outputs, where it came from, and its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Article {
    /// The path relative to its input root (`dir/a.txt`), the JSONL `id`, or `stdin`.
    pub id: String,
    /// Where it came from, for messages: a path, `file.jsonl:3` or `<stdin>`.
    pub origin: String,
    /// The text, as read (paragraphs are lines); for a document, its translatable text.
    pub text: String,
    /// Inline codes taken out of the text, in order, each at its byte offset in `text`.
    pub codes: Vec<Code>,
    /// The HTML or XLIFF document the text came from, written back translated; none for
    /// plain text, Markdown and JSONL.
    pub document: Option<Arc<Document>>,
}

impl Article {
    /// A plain-text article.
    pub fn plain(
        id: impl Into<String>,
        origin: impl Into<String>,
        text: impl Into<String>,
    ) -> Article {
        Article {
            id: id.into(),
            origin: origin.into(),
            text: text.into(),
            codes: Vec::new(),
            document: None,
        }
    }

    /// The bytes that decide whether the article changed: the document's when it has one
    /// (markup counts), the text's otherwise.
    pub fn content(&self) -> &str {
        match self.document.as_deref() {
            Some(Document::Html(page)) => &page.source,
            Some(Document::Xliff(job)) => &job.source,
            Some(Document::Markdown(markdown)) => &markdown.source,
            None => &self.text,
        }
    }
}

/// A structured file read as an article, kept to write its translation back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Document {
    Html(html::Page),
    Xliff(xliff::Job),
    /// A Markdown file with inline markup or blocks that are not prose: the file as read
    /// (its text is the article's without that markup, its markup the article's codes) and
    /// the lines written back as they are.
    Markdown(markdown::Markdown),
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
    #[error(
        "{path}:{line}: not valid UTF-8 (byte {byte} of the file); if it is in another \
         encoding, name it with --encoding (such as windows-1252)"
    )]
    NotUtf8 {
        path: String,
        line: usize,
        byte: usize,
    },
    #[error("{path}:{line}: not valid {encoding} (byte {byte} of the file)")]
    NotInEncoding {
        path: String,
        encoding: &'static str,
        line: usize,
        byte: usize,
    },
    #[error("{path}: binary file (it contains NUL bytes), not text")]
    Binary { path: String },
    #[error("{path}: starts with a UTF-16 byte order mark but is not valid UTF-16 ({reason})")]
    NotUtf16 { path: String, reason: &'static str },
    #[error("{path}: empty article, nothing to translate")]
    Empty { path: String },
    #[error("{path}:{line}: invalid JSONL line: {message}")]
    JsonLine {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Document { path: String, message: String },
    #[error(
        "{path}: article {} reads as {language} ({code}, confidence {confidence:.2}), not \
         {source_lang}: left untranslated; pass --source-lang to translate it (with a model \
         for that language)",
        shown_id(.id)
    )]
    OtherLanguage {
        path: String,
        id: String,
        language: &'static str,
        code: &'static str,
        confidence: f64,
        source_lang: String,
    },
    #[error("{origin}: article id {} is already used by {first}", shown_id(.id))]
    DuplicateId {
        id: String,
        origin: String,
        first: String,
    },
}

/// An article id as messages show it: quoted, and cut after 80 characters (a JSONL id can
/// be a whole text), with its length said.
pub fn shown_id(id: &str) -> String {
    let length = id.chars().count();
    match id.char_indices().nth(80) {
        Some((cut, _)) => format!("{:?}… ({length} characters)", &id[..cut]),
        None => format!("{id:?}"),
    }
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::NotInEncoding { path, .. }
            | ReadError::Binary { path }
            | ReadError::NotUtf16 { path, .. }
            | ReadError::Empty { path }
            | ReadError::JsonLine { path, .. }
            | ReadError::Document { path, .. }
            | ReadError::OtherLanguage { path, .. } => path,
            ReadError::DuplicateId { origin, .. } => origin,
        }
    }

    /// The 1-based line the error is about, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ReadError::NotUtf8 { line, .. }
            | ReadError::NotInEncoding { line, .. }
            | ReadError::JsonLine { line, .. } => Some(*line),
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

/// How inputs are read: what `translate`, `segment` and `glossary check` share.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The encoding of text inputs (`.txt`, `.md`, plain standard input) without a byte
    /// order mark, from `--encoding`; UTF-8 when none is named. JSONL is UTF-8 by its
    /// definition, and HTML and XLIFF say theirs.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// The pair being translated: documents that declare another are refused.
    pub languages: LanguagePair,
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

/// File endings read when walking a folder, in any case (`.TXT`, `.Md`). A file named on
/// the command line is read whatever its ending.
const TEXT_EXTENSIONS: &[&str] = &["txt", "md", "html", "htm", "xlf", "xliff"];
const JSONL_EXTENSION: &str = "jsonl";

fn has_extension(path: &Path, wanted: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

fn is_jsonl(path: &Path) -> bool {
    has_extension(path, JSONL_EXTENSION)
}

/// A file or folder a folder walk left out, and why: nothing is skipped silently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Reads every input in order, all at once (for the commands that need every article:
/// `segment`, `glossary check`). `translate` streams with [`articles`].
pub fn read_inputs(inputs: &[Input], options: &ReadOptions) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    for result in articles(inputs, options) {
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
pub fn articles<'a>(inputs: &'a [Input], options: &ReadOptions) -> Articles<'a> {
    Articles {
        inputs: inputs.iter(),
        options: options.clone(),
        current: None,
        ids: HashMap::new(),
        skipped: Default::default(),
    }
}

type Source<'a> = Box<dyn Iterator<Item = Result<Article, ReadError>> + 'a>;

/// See [`articles`].
pub struct Articles<'a> {
    inputs: std::slice::Iter<'a, Input>,
    options: ReadOptions,
    current: Option<Source<'a>>,
    /// Every id seen, with where it came from (for the duplicate message).
    ids: HashMap<String, String>,
    skipped: Rc<RefCell<Vec<Skipped>>>,
}

impl Articles<'_> {
    /// What the folder walks so far left out.
    pub fn skipped(&self) -> Vec<Skipped> {
        self.skipped.borrow().clone()
    }
}

impl Iterator for Articles<'_> {
    type Item = Result<Article, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(result) = self.current.as_mut().and_then(Iterator::next) {
                let languages = &self.options.languages;
                let result = result.and_then(|article| language::check(article, languages));
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
            let input = self.inputs.next()?;
            self.current = Some(source(input, &self.options, self.skipped.clone()));
        }
    }
}

/// The articles of one input.
fn source<'a>(
    input: &'a Input,
    options: &ReadOptions,
    skipped: Rc<RefCell<Vec<Skipped>>>,
) -> Source<'a> {
    match input {
        Input::Stdin => read_stdin(options),
        Input::Path(path) if path.is_dir() => {
            let options = options.clone();
            Box::new(walk(path).flat_map(move |walked| match walked {
                Walked::File(file) => {
                    let id = relative_id(path, &file);
                    read_file(&file, id, &options)
                }
                Walked::Skipped(left_out) => {
                    skipped.borrow_mut().push(left_out);
                    Box::new(std::iter::empty())
                }
                Walked::Error(error) => Box::new(std::iter::once(Err(error))) as Source<'_>,
            }))
        }
        Input::Path(path) => {
            let id = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            read_file(path, id, options)
        }
    }
}

/// How many articles the inputs hold, counted quickly (files walked, JSONL lines counted,
/// nothing decoded) for the progress bar; none for standard input, which can be read once
/// only.
pub fn count(inputs: &[Input]) -> Option<usize> {
    let articles_in = |file: &Path| {
        if !is_jsonl(file) {
            return 1;
        }
        // Line by line: a JSONL file may be far bigger than memory.
        File::open(file).map_or(1, |f| {
            std::io::BufReader::new(f)
                .split(b'\n')
                .map_while(Result::ok)
                .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
                .count()
        })
    };
    let mut total = 0;
    for input in inputs {
        total += match input {
            Input::Stdin => return None,
            Input::Path(path) if path.is_dir() => walk(path)
                .map(|walked| match walked {
                    Walked::File(file) => articles_in(&file),
                    _ => 0,
                })
                .sum(),
            Input::Path(path) => articles_in(path),
        };
    }
    Some(total)
}

/// What a folder walk finds.
enum Walked {
    File(PathBuf),
    Skipped(Skipped),
    Error(ReadError),
}

/// The readable files under a folder, sorted, as they are walked. Symbolic links are
/// followed (a link back to a folder above is reported, not walked again); hidden files
/// and folders, files of other kinds and passeur output folders (which hold
/// `.passeur/`, so that an output folder inside an input folder is never read back) are
/// skipped and reported.
fn walk(root: &Path) -> impl Iterator<Item = Walked> + '_ {
    let mut left_out: Vec<Skipped> = Vec::new();
    let entries = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    let mut entries = entries;
    std::iter::from_fn(move || loop {
        if let Some(skipped) = left_out.pop() {
            return Some(Walked::Skipped(skipped));
        }
        let entry = match entries.next()? {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                if error.loop_ancestor().is_some() {
                    return Some(Walked::Skipped(Skipped {
                        path,
                        reason: "a symbolic link to a folder above it (a loop)".into(),
                    }));
                }
                return Some(Walked::Error(ReadError::Io {
                    path,
                    source: error.into(),
                }));
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        let skip = |reason: &str| Skipped {
            path: path.display().to_string(),
            reason: reason.into(),
        };
        if entry.file_type().is_dir() {
            if name.starts_with('.') {
                entries.skip_current_dir();
                left_out.push(skip("hidden folder"));
            } else if path.join(".passeur").is_dir() {
                entries.skip_current_dir();
                left_out.push(skip("a passeur output folder"));
            }
            continue;
        }
        if name.starts_with('.') {
            return Some(Walked::Skipped(skip("hidden file")));
        }
        if TEXT_EXTENSIONS.iter().any(|e| has_extension(path, e)) || is_jsonl(path) {
            return Some(Walked::File(entry.into_path()));
        }
        return Some(Walked::Skipped(skip(
            "not .txt, .md, .html, .htm, .xlf, .xliff or .jsonl",
        )));
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
fn read_stdin(options: &ReadOptions) -> Source<'static> {
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
    Box::new(std::iter::once(
        decode_text(&origin, head, options.encoding).and_then(|text| {
            // An XLIFF file or an HTML page piped in is read as the file would be.
            match sniff(&text) {
                Some(name) => document(Path::new(name), name.into(), origin, text, options),
                None => Ok(Article::plain("stdin", origin, text)),
            }
        }),
    ))
}

/// What standard input holds when it is not plain text: `stdin.xlf` for XLIFF (an XML
/// declaration or root naming `xliff` at the start), `stdin.html` for a page that starts
/// with a doctype or `<html>`.
fn sniff(text: &str) -> Option<&'static str> {
    let start = text.trim_start();
    let head: String = start
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        Some("stdin.html")
    } else if (head.starts_with("<?xml") || head.starts_with("<xliff")) && head.contains("<xliff") {
        Some("stdin.xlf")
    } else {
        None
    }
}

/// Standard input is JSONL when its first non-empty line looks like a JSON object (`{"`
/// first, `}` last), valid or not: a bad first line is then reported as a bad JSONL line,
/// not read as a plain-text article.
fn looks_like_jsonl(text: &str) -> bool {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    first.ends_with('}')
        && first
            .strip_prefix('{')
            .is_some_and(|rest| rest.trim_start().starts_with('"'))
}

/// Reads one file: one article, or for `.jsonl` one article per valid line, line by line.
fn read_file(path: &Path, id: String, options: &ReadOptions) -> Source<'static> {
    let origin = path.display().to_string();
    let io_error = |origin: String, source| {
        Box::new(std::iter::once(Err(ReadError::Io {
            path: origin,
            source,
        })))
    };
    if is_jsonl(path) {
        return match File::open(path) {
            Ok(file) => Box::new(JsonlLines::new(origin, std::io::BufReader::new(file))),
            Err(source) => io_error(origin, source),
        };
    }
    // Documents say their own encoding (an XML declaration, a `<meta charset>`);
    // `--encoding` is for plain text.
    let is_text = !["html", "htm", "xlf", "xliff"]
        .iter()
        .any(|e| has_extension(path, e));
    match std::fs::read(path) {
        Ok(bytes) => {
            let encoding = match is_text {
                true => options.encoding,
                false => declared_encoding(&bytes),
            };
            Box::new(std::iter::once(
                decode_text(&origin, bytes, encoding)
                    .and_then(|text| document(path, id, origin, text, options)),
            ))
        }
        Err(source) => io_error(origin, source),
    }
}

/// An article from a file's text: parsed when its ending says HTML or XLIFF, or Markdown with
/// inline markup; plain otherwise.
fn document(
    path: &Path,
    id: String,
    origin: String,
    text: String,
    options: &ReadOptions,
) -> Result<Article, ReadError> {
    let failed = |message: String| ReadError::Document {
        path: origin.clone(),
        message,
    };
    let (plain, codes, document) = if has_extension(path, "html") || has_extension(path, "htm") {
        let (plain, codes, page) =
            html::parse(text, &options.languages).map_err(|e| failed(e.to_string()))?;
        (plain, codes, Document::Html(page))
    } else if has_extension(path, "xlf") || has_extension(path, "xliff") {
        let (plain, codes, job) =
            xliff::parse(text, &options.languages).map_err(|e| failed(e.to_string()))?;
        (plain, codes, Document::Xliff(job))
    } else if has_extension(path, "md") {
        let (plain, codes, verbatim) = markdown::parse(&text);
        if codes.is_empty() && verbatim.is_empty() {
            return Ok(Article::plain(id, origin, text));
        }
        let markdown = markdown::Markdown {
            source: text,
            verbatim,
        };
        (plain, codes, Document::Markdown(markdown))
    } else {
        return Ok(Article::plain(id, origin, text));
    };
    Ok(Article {
        id,
        origin,
        text: plain,
        codes,
        document: Some(Arc::new(document)),
    })
}

/// Checks that bytes are text, naming the line of the first bad byte: UTF-8 (a BOM
/// dropped), UTF-16 with its BOM (as Windows tools save "Unicode" text), or the
/// `encoding` named with `--encoding`, decoded. Line ends are made `\n`: a lone `\r` (old
/// Mac files) becomes `\n`, byte for byte, so that such a file still has its paragraphs.
fn decode_text(
    origin: &str,
    mut bytes: Vec<u8>,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<String, ReadError> {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        Some([0xFE, 0xFF]) => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    let named =
        encoding.filter(|e| *e != encoding_rs::UTF_8 && !bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = if let Some(unit) = utf16 {
        let not_utf16 = |reason| ReadError::NotUtf16 {
            path: origin.into(),
            reason,
        };
        if !bytes.len().is_multiple_of(2) {
            // A last lone byte: the file was cut, or is not UTF-16 at all.
            return Err(not_utf16("an odd number of bytes"));
        }
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| unit([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| not_utf16("an unpaired surrogate"))?
    } else if let Some(encoding) = named {
        decode_named(origin, &bytes, encoding)?
    } else {
        if bytes.contains(&0) {
            return Err(ReadError::Binary {
                path: origin.into(),
            });
        }
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        String::from_utf8(bytes).map_err(|error| {
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
        })?
    };
    if text.contains('\0') {
        return Err(ReadError::Binary {
            path: origin.into(),
        });
    }
    let text = lone_carriage_returns_to_newlines(text);
    if text.trim().is_empty() {
        return Err(ReadError::Empty {
            path: origin.into(),
        });
    }
    Ok(text)
}

/// The encoding a document declares in its first kilobyte, when the label is one
/// `encoding_rs` knows: an XML declaration's `encoding`, or an HTML `<meta charset>` (or
/// the `charset=` of a `<meta http-equiv>` content). Labels are ASCII, so the bytes are
/// searched before they are decoded, as browsers prescan.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let (_, label) = declared_label(&head)?;
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// Where a document's text declares its encoding: the byte range of the label in `text`
/// (an XML declaration's `encoding="…"`, a `<meta charset="…">`, or `charset=…` in a
/// `<meta>` content), and the label, within the first kilobyte. The writers relabel it, as
/// they write UTF-8.
pub fn declared_label(text: &str) -> Option<(std::ops::Range<usize>, String)> {
    let mut end = text.len().min(1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text[..end].to_ascii_lowercase();
    let value_after = |key_end: usize| -> Option<std::ops::Range<usize>> {
        let rest = &head[key_end..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '=', '"', '\'']).len();
        let start = key_end + skipped;
        let length = head[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.:".contains(c)))
            .unwrap_or(head.len() - start);
        (length > 0).then(|| start..start + length)
    };
    let range = if head.trim_start().starts_with("<?xml") {
        let declaration = &head[..head.find("?>")?];
        value_after(declaration.find("encoding")? + "encoding".len())?
    } else {
        let at = head.find("charset")?;
        // Inside a `<meta …>`: the nearest tag before it is a meta.
        let tag = head[..at].rfind('<')?;
        if !head[tag..].starts_with("<meta") {
            return None;
        }
        value_after(at + "charset".len())?
    };
    Some((range.clone(), text[range].to_string()))
}

/// Where a document declares an encoding other than UTF-8 (see [`declared_label`]): what the
/// writers relabel `UTF-8`.
fn not_utf8_label(source: &str) -> Option<std::ops::Range<usize>> {
    declared_label(source)
        .filter(|(_, label)| {
            !label.eq_ignore_ascii_case("utf-8") && !label.eq_ignore_ascii_case("utf8")
        })
        .map(|(range, _)| range)
}

/// Bytes in a named encoding (not UTF-8, no byte order mark), decoded without replacement:
/// the first byte that is not valid in it is an error naming its line.
fn decode_named(
    origin: &str,
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
) -> Result<String, ReadError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        encoding_rs::DecoderResult::Malformed(length, after) => {
            let byte = read - length as usize - after as usize;
            Err(ReadError::NotInEncoding {
                path: origin.into(),
                encoding: encoding.name(),
                line: 1 + bytes[..byte].iter().filter(|&&b| b == b'\n').count(),
                byte,
            })
        }
        encoding_rs::DecoderResult::OutputFull => unreachable!("the buffer holds the worst case"),
    }
}

/// `\r` not followed by `\n` becomes `\n` (same length, so byte offsets hold).
fn lone_carriage_returns_to_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("ASCII replaced by ASCII")
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
    // serde's message counts lines within the line given to it ("at line 1 column 19"):
    // the column is kept, the file's own line is the one reported.
    let record: JsonArticle = serde_json::from_str(line).map_err(|e| {
        let message = e.to_string();
        let what = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(what, _)| what);
        bad(format!("{what} (column {})", e.column()))
    })?;
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
    Ok(Article::plain(id, line_origin, record.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_of_invalid_utf8() {
        let error = decode_text("f.txt", b"ok\nok\nbad \xff here\n".to_vec(), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "f.txt:3: not valid UTF-8 (byte 10 of the file); if it is in another encoding, \
             name it with --encoding (such as windows-1252)"
        );
    }

    #[test]
    fn reads_a_named_encoding_and_names_the_line_of_a_bad_byte() {
        let latin = encoding_rs::Encoding::for_label(b"iso-8859-15");
        let text = decode_text("l.txt", b"L'\xe9t\xe9 \xa4\n".to_vec(), latin).unwrap();
        assert_eq!(text, "L'été €\n");
        // windows-1252 (what "latin1" means on the web) has the curly quotes newsrooms use.
        let cp1252 = encoding_rs::Encoding::for_label(b"latin1");
        let text = decode_text("w.txt", b"\x93Oui\x94, dit-il.".to_vec(), cp1252).unwrap();
        assert_eq!(text, "\u{201c}Oui\u{201d}, dit-il.");
        // A byte order mark still wins over the named encoding.
        let text = decode_text("b.txt", b"\xEF\xBB\xBFd\xc3\xa9j\xc3\xa0".to_vec(), cp1252);
        assert_eq!(text.unwrap(), "déjà");
        let sjis = encoding_rs::Encoding::for_label(b"shift_jis");
        let error = decode_text("s.txt", b"ok\nok \x82".to_vec(), sjis).unwrap_err();
        assert_eq!(
            error.to_string(),
            "s.txt:2: not valid Shift_JIS (byte 6 of the file)"
        );
    }

    #[test]
    fn documents_declare_their_encoding() {
        let xml = "<?xml version=\"1.0\" encoding='ISO-8859-1'?>\n<xliff version=\"1.2\"/>";
        let (range, label) = declared_label(xml).unwrap();
        assert_eq!((&xml[range], label.as_str()), ("ISO-8859-1", "ISO-8859-1"));
        let html = "<!DOCTYPE html><html><head><META charset=windows-1252><title>x</title>";
        assert_eq!(declared_label(html).unwrap().1, "windows-1252");
        let legacy = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; \
                      charset=iso-8859-15\">";
        assert_eq!(declared_label(legacy).unwrap().1, "iso-8859-15");
        assert_eq!(declared_label("<p>Le charset du texte</p>"), None);
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><xliff>\x93</xliff>";
        let decoded = decode_text("x.xlf", bytes.to_vec(), declared_encoding(bytes)).unwrap();
        assert!(decoded.ends_with("<xliff>\u{201c}</xliff>"));
    }

    /// Regression: a UTF-16 file with an odd number of bytes was decoded into garbage.
    #[test]
    fn utf16_with_an_odd_number_of_bytes_is_an_error() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("Salut".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_text("u.txt", bytes.clone(), None).unwrap(), "Salut");
        bytes.push(b'x');
        assert_eq!(
            decode_text("u.txt", bytes, None).unwrap_err().to_string(),
            "u.txt: starts with a UTF-16 byte order mark but is not valid UTF-16 (an odd \
             number of bytes)"
        );
    }

    #[test]
    fn rejects_binary_and_empty_text() {
        assert!(matches!(
            decode_text("b", vec![1, 0, 2], None),
            Err(ReadError::Binary { .. })
        ));
        assert!(matches!(
            decode_text("e", b" \n\t".to_vec(), None),
            Err(ReadError::Empty { .. })
        ));
        assert_eq!(
            decode_text("bom", b"\xEF\xBB\xBFSalut".to_vec(), None).unwrap(),
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
        // Regression: serde's own "line 1 column 2" was reported beside the file's line 2.
        assert_eq!(
            results[1].as_ref().unwrap_err().to_string(),
            "in.jsonl:2: invalid JSONL line: key must be a string (column 2)"
        );
        assert_eq!(results[2].as_ref().unwrap().id, "7");
        assert_eq!(results[2].as_ref().unwrap().origin, "in.jsonl:4");
        assert_eq!(results[3].as_ref().unwrap_err().line(), Some(5));
    }
}
