//! XLIFF files (`.xlf`, `.xliff`; 1.2, 2.0 and 2.1, told apart by the root's `version`):
//! which units need a translation, their source text and inline codes, and where the
//! translation goes back.
//!
//! quick-xml reads the file as events with their byte offsets. Only the units that need a
//! translation are touched when the file is written back; every other byte (skeleton,
//! headers, notes, other units, namespaces, formatting) is copied as it is.
//!
//! A unit needs a translation when it is translatable (`translate="no"` on it or on a
//! group around it leaves it alone) and
//! - 1.2: it has no `<target>`, an empty one, or one whose `state` is `new` or
//!   `needs-translation`; not `approved="yes"`; a unit already segmented (`<seg-source>`)
//!   keeps its segments: each `<mrk mtype="seg">` is translated into the `<mrk>` of the
//!   same `mid` in the target;
//! - 2.x, per `<segment>`: no `<target>`, an empty one, or one in the `initial` state written
//!   out (a target without a state was written by someone: it is kept).
//!
//! Each such unit (1.2) or segment (2.x) is one paragraph of the article text. Inline
//! elements become codes: 1.2 `<g>`/`<mrk>` are spans, `<x/>`, `<bx/>`, `<ex/>` stand
//! alone, and `<ph>`, `<bpt>`, `<ept>`, `<it>` are kept whole with the native code they
//! hold; 2.x `<pc>`/`<mrk>` are spans, `<ph/>`, `<sc/>`, `<ec/>`, `<sm/>`, `<em/>`,
//! `<cp/>` stand alone.

use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::markup::{self, Code, CodeKind};
use crate::options::LanguagePair;

/// The XLIFF version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Version {
    V1,
    V2,
}

/// A parsed XLIFF file: the original bytes and what to change in them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub source: String,
    pub version: Version,
    /// One per paragraph of the article text, in order.
    pub units: Vec<Unit>,
    /// Units that need a target but hold nothing to translate (only inline codes, numbers,
    /// punctuation or symbols): their source is copied as their target, as CAT tools do.
    pub copies: Vec<Unit>,
    /// The target language to write: the file's own (`target-language` / `trgLang`), or
    /// the pair's when it declares none.
    pub target_language: String,
    /// 2.x: where the root gets `trgLang="en"` when it has none (targets need it).
    pub add_target_language: Option<usize>,
    /// The label of an encoding other than UTF-8 in the XML declaration: the file was
    /// decoded from it, and is written back as UTF-8, so the label becomes `UTF-8`.
    pub relabel: Option<Range<usize>>,
}

/// A unit (1.2) or segment (2.x) to translate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    /// The unit's id, for messages.
    pub id: String,
    /// Where the translation goes. 1.2: the end of `</source>` (or `</seg-source>`), where
    /// a target (and a seg-source) is inserted: an empty range. 2.x: the whole `<segment>`,
    /// replaced.
    pub range: Range<usize>,
    /// 1.2: the unit's `<target>` element, replaced by the translation.
    pub target: Option<Range<usize>>,
    /// The source element's content, as written.
    pub source_inner: Range<usize>,
    /// The whitespace before `<source>`, to indent what is added like the file.
    pub indent: String,
    /// 2.x: the segment's start tag attributes except `id`, `state` and `subState`, as
    /// written.
    pub segment_attributes: String,
    /// 2.x: the segment's `id`, as written, if it has one (the segments it is cut into are
    /// numbered from it).
    pub segment_id: Option<String>,
    /// 2.x: the `<source>` start tag's attributes (`xml:space`), as written, for the
    /// sources of the segments it is cut into.
    pub source_attributes: String,
    /// 1.2, a unit segmented already: the content of its `<seg-source>`, which the target
    /// repeats with each segment's text translated (so that what sits between segments,
    /// such as `<mrk mtype="protected">`, stays).
    pub seg_source: Option<Range<usize>>,
    /// May the unit be cut into sentences (1.2 `<seg-source>`, 2.x several `<segment>`s)?
    pub resegment: bool,
    /// 1.2, a unit segmented already: the `mid` of this segment's `<mrk mtype="seg">`. The
    /// segments of one unit share its `range`.
    pub mid: Option<String>,
    /// 2.x: where this unit's notes go, and whether a `<notes>` is already open there. The
    /// same for every segment of one unit (they share it).
    pub notes_at: Option<(usize, bool)>,
}

/// Why an XLIFF file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum XliffError {
    #[error("byte {at}: not well-formed XML: {message}")]
    Xml { at: usize, message: String },
    #[error("line {line}: {source}")]
    AtLine {
        line: usize,
        #[source]
        source: Box<XliffError>,
    },
    #[error("not XLIFF: the root element is <{0}>, not <xliff>")]
    NotXliff(String),
    #[error("XLIFF version {0:?} is not supported (1.2, 2.0 and 2.1 are)")]
    Version(String),
    #[error(
        "the file is a {declared} job, but passeur translates {} → {}; pass --source-lang \
         and --target-lang to translate that pair (with a model for it)",
        .pair.source, .pair.target
    )]
    Languages {
        declared: String,
        pair: LanguagePair,
    },
}

/// Parses an XLIFF file into the text to translate (one unit or segment per line), the
/// inline codes taken out of it, and the job to write the translations into.
///
/// A file that declares a language pair other than `languages` is refused before anything
/// is read from it: filling a Chinese target with English, or translating Italian with a
/// French model, would be wrong without a word.
pub fn parse(
    source: String,
    languages: &LanguagePair,
) -> Result<(String, Vec<Code>, Job), XliffError> {
    let mut parser = Parser {
        source: &source,
        languages: (None, None),
        preserve: false,
        reader: Reader::from_str(&source),
        text: String::new(),
        codes: Vec::new(),
        units: Vec::new(),
        copies: Vec::new(),
    };
    parser.reader.config_mut().trim_text(false);
    let at_line = |error: XliffError| match error {
        XliffError::Xml { at, .. } => XliffError::AtLine {
            line: 1 + source[..at.min(source.len())].matches('\n').count(),
            source: Box::new(error),
        },
        other => other,
    };
    let (version, add_target_language) = parser.root().map_err(at_line)?;
    parser.body(version).map_err(at_line)?;
    let Parser {
        text,
        codes,
        units,
        copies,
        languages: (declared_source, declared_target),
        ..
    } = parser;
    let wrong_source = declared_source
        .as_deref()
        .is_some_and(|s| !languages.is_source(s));
    let wrong_target = declared_target
        .as_deref()
        .is_some_and(|t| !languages.is_target(t));
    if wrong_source || wrong_target {
        let declared = format!(
            "{} → {}",
            declared_source.as_deref().unwrap_or("?"),
            declared_target.as_deref().unwrap_or("?")
        );
        return Err(XliffError::Languages {
            declared,
            pair: languages.clone(),
        });
    }
    Ok((
        text,
        codes,
        Job {
            version,
            units,
            copies,
            target_language: declared_target.unwrap_or_else(|| languages.target.clone()),
            add_target_language,
            relabel: super::not_utf8_label(&source),
            source,
        },
    ))
}

/// A source element read: its content's range, text and codes (offsets in the text).
struct Source {
    inner: Range<usize>,
    text: String,
    codes: Vec<(CodeKind, Range<usize>)>,
    offsets: Vec<usize>,
}

/// A 2.x segment read.
struct Segment {
    id: Option<String>,
    range: Range<usize>,
    attributes: String,
    source_attributes: String,
    source: Source,
    indent: String,
    wanted: bool,
}

struct Parser<'s> {
    source: &'s str,
    /// The source and target languages the file declares (2.x on the root, 1.2 on its
    /// first `<file>`).
    languages: (Option<String>, Option<String>),
    /// `xml:space="preserve"` on the unit being read.
    preserve: bool,
    reader: Reader<&'s [u8]>,
    text: String,
    codes: Vec<Code>,
    units: Vec<Unit>,
    copies: Vec<Unit>,
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_string()
}

/// A start tag's attributes, as written (` a="…"` each), but those named in `except`.
fn written_attributes(e: &BytesStart, except: &[&[u8]]) -> String {
    e.attributes()
        .flatten()
        .filter(|a| !except.contains(&a.key.as_ref()))
        .map(|a| {
            format!(
                " {}=\"{}\"",
                String::from_utf8_lossy(a.key.as_ref()),
                String::from_utf8_lossy(&a.value)
            )
        })
        .collect()
}

fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| local(a.key.as_ref()) == name && !a.key.as_ref().starts_with(b"xmlns"))
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

impl<'s> Parser<'s> {
    /// The next event and its byte range.
    fn next(&mut self) -> Result<(Event<'s>, Range<usize>), XliffError> {
        let start = self.reader.buffer_position() as usize;
        let event = self.reader.read_event().map_err(|e| XliffError::Xml {
            at: self.reader.error_position() as usize,
            message: e.to_string(),
        })?;
        let end = self.reader.buffer_position() as usize;
        Ok((event, start..end))
    }

    /// Finds the root, its version, its languages (2.x) and, when it has no `trgLang`,
    /// where one goes.
    fn root(&mut self) -> Result<(Version, Option<usize>), XliffError> {
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = local(e.name().as_ref());
                    if name != "xliff" {
                        return Err(XliffError::NotXliff(name));
                    }
                    let version = attribute(&e, "version").unwrap_or_default();
                    return match version.as_str() {
                        "1.2" | "1.1" => Ok((Version::V1, None)),
                        "2.0" | "2.1" | "2.2" => {
                            let target = attribute(&e, "trgLang");
                            let add = target
                                .is_none()
                                .then(|| range.start + 1 + e.name().as_ref().len());
                            self.languages = (attribute(&e, "srcLang"), target);
                            Ok((Version::V2, add))
                        }
                        _ => Err(XliffError::Version(version)),
                    };
                }
                Event::Eof => return Err(XliffError::NotXliff("nothing".into())),
                _ => {}
            }
        }
    }

    fn body(&mut self, version: Version) -> Result<(), XliffError> {
        // translate="no" on the enclosing elements (file, group, unit).
        let mut keep: Vec<bool> = Vec::new();
        let mut last_indent = String::new();
        // 2.x unit state.
        let mut unit_id = String::new();
        let mut unit_resegment = true;
        let mut segments: Vec<Segment> = Vec::new();
        let mut notes_at: Option<(usize, bool)> = None;
        // 1.2 trans-unit state.
        let mut trans: Option<TransUnit> = None;
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Eof => return Ok(()),
                Event::Text(t) => {
                    let raw = String::from_utf8_lossy(t.as_ref());
                    last_indent = raw
                        .rsplit('\n')
                        .next()
                        .filter(|s| s.trim().is_empty())
                        .unwrap_or("")
                        .to_string();
                }
                Event::Start(e) => {
                    let name = local(e.name().as_ref());
                    let no = attribute(&e, "translate").as_deref() == Some("no");
                    match (version, name.as_str()) {
                        (_, "file" | "group") => {
                            if version == Version::V1 && name == "file" && keep.is_empty() {
                                self.languages.0 = self
                                    .languages
                                    .0
                                    .take()
                                    .or_else(|| attribute(&e, "source-language"));
                                self.languages.1 = self
                                    .languages
                                    .1
                                    .take()
                                    .or_else(|| attribute(&e, "target-language"));
                            }
                            keep.push(no || keep.last().copied().unwrap_or(false));
                        }
                        (Version::V1, "trans-unit") => {
                            self.preserve = attribute(&e, "space").as_deref() == Some("preserve");
                            trans = Some(TransUnit {
                                id: attribute(&e, "id").unwrap_or_default(),
                                keep: no
                                    || keep.last().copied().unwrap_or(false)
                                    || attribute(&e, "approved").as_deref() == Some("yes"),
                                source: None,
                                source_end: 0,
                                indent: String::new(),
                                target: None,
                                segments: Vec::new(),
                                seg_source: None,
                            });
                        }
                        (Version::V1, "source") if trans.is_some() => {
                            let source = self.source_content(range.end, "source", version)?;
                            let t = trans.as_mut().expect("checked");
                            t.source_end = self.reader.buffer_position() as usize;
                            t.indent = last_indent.clone();
                            t.source = Some(source);
                        }
                        (Version::V1, "seg-source") if trans.is_some() => {
                            let (segments, end) = self.seg_source()?;
                            let t = trans.as_mut().expect("checked");
                            t.segments = segments;
                            t.seg_source = Some(range.end..end);
                            t.source_end = self.reader.buffer_position() as usize;
                        }
                        (Version::V1, "target") if trans.is_some() => {
                            let state = attribute(&e, "state");
                            let inner_start = range.end;
                            let inner_end = self.skip_to_end("target")?;
                            let end = self.reader.buffer_position() as usize;
                            let empty = self.source[inner_start..inner_end].trim().is_empty();
                            let t = trans.as_mut().expect("checked");
                            t.target = Some((range.start..end, state, empty));
                        }
                        (Version::V2, "unit") => {
                            self.preserve = attribute(&e, "space").as_deref() == Some("preserve");
                            unit_id = attribute(&e, "id").unwrap_or_default();
                            unit_resegment = attribute(&e, "canResegment").as_deref() != Some("no");
                            keep.push(no || keep.last().copied().unwrap_or(false));
                            segments.clear();
                            notes_at = None;
                        }
                        (Version::V2, "notes") => {
                            let end = self.skip_to_end("notes")?;
                            notes_at = Some((end, true));
                        }
                        (Version::V2, "originalData" | "ignorable") => {
                            if notes_at.is_none() {
                                notes_at = Some((range.start, false));
                            }
                            self.skip_to_end(&name)?;
                        }
                        (Version::V2, "segment") => {
                            if notes_at.is_none() {
                                notes_at = Some((range.start, false));
                            }
                            let segment = self.segment(&e, range.start, &last_indent)?;
                            let keep_unit = keep.last().copied().unwrap_or(false);
                            segments.push(Segment {
                                wanted: segment.wanted && !keep_unit,
                                ..segment
                            });
                        }
                        _ => {}
                    }
                }
                Event::End(e) => {
                    let name = local(e.name().as_ref());
                    match (version, name.as_str()) {
                        (_, "file" | "group") => {
                            keep.pop();
                        }
                        (Version::V1, "trans-unit") => {
                            if let Some(t) = trans.take() {
                                self.trans_unit(t);
                            }
                        }
                        (Version::V2, "unit") => {
                            keep.pop();
                            let alone = segments.len() == 1;
                            for segment in std::mem::take(&mut segments) {
                                if segment.wanted {
                                    let source_inner = segment.source.inner.clone();
                                    self.add(
                                        segment.source,
                                        Unit {
                                            source_attributes: segment.source_attributes,
                                            seg_source: None,
                                            id: format!(
                                                "{unit_id}/{}",
                                                segment.id.as_deref().unwrap_or_default()
                                            ),
                                            range: segment.range,
                                            target: None,
                                            source_inner,
                                            indent: segment.indent,
                                            segment_attributes: segment.attributes,
                                            segment_id: segment.id,
                                            resegment: unit_resegment && alone,
                                            notes_at,
                                            mid: None,
                                        },
                                    );
                                }
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// A 2.x `<segment>` (its start tag just read), through its end.
    fn segment(
        &mut self,
        start_tag: &BytesStart,
        start: usize,
        indent: &str,
    ) -> Result<Segment, XliffError> {
        let state = attribute(start_tag, "state");
        let id = start_tag
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == b"id")
            .map(|a| String::from_utf8_lossy(&a.value).into_owned());
        let attributes = written_attributes(start_tag, &[b"id", b"state", b"subState"]);
        let mut source = None;
        let mut source_attributes = String::new();
        let mut target: Option<bool> = None; // Some(empty)
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Start(e) if local(e.name().as_ref()) == "source" => {
                    source_attributes = written_attributes(&e, &[]);
                    source = Some(self.source_content(range.end, "source", Version::V2)?);
                }
                Event::Start(e) if local(e.name().as_ref()) == "target" => {
                    let end = self.skip_to_end("target")?;
                    target = Some(self.source[range.end..end].trim().is_empty());
                }
                Event::Empty(e) if local(e.name().as_ref()) == "target" => target = Some(true),
                Event::End(e) if local(e.name().as_ref()) == "segment" => break,
                Event::Eof => {
                    return Err(XliffError::Xml {
                        at: range.start,
                        message: "unclosed <segment>".into(),
                    })
                }
                _ => {}
            }
        }
        let end = self.reader.buffer_position() as usize;
        let wanted = match target {
            None | Some(true) => true,
            Some(false) => state.as_deref() == Some("initial"),
        };
        Ok(Segment {
            id,
            range: start..end,
            attributes,
            source_attributes,
            source: source.unwrap_or(Source {
                inner: 0..0,
                text: String::new(),
                codes: Vec::new(),
                offsets: Vec::new(),
            }),
            indent: indent.to_string(),
            wanted,
        })
    }

    /// Reads through the end tag of `name`; returns where the end tag starts.
    fn skip_to_end(&mut self, name: &str) -> Result<usize, XliffError> {
        let mut depth = 1;
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Start(e) if local(e.name().as_ref()) == name => depth += 1,
                Event::End(e) if local(e.name().as_ref()) == name => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(range.start);
                    }
                }
                Event::Eof => {
                    return Err(XliffError::Xml {
                        at: range.start,
                        message: format!("unclosed <{name}>"),
                    })
                }
                _ => {}
            }
        }
    }

    /// The content of a `<source>` (its start tag just read): text with whitespace runs as
    /// one space, and its inline codes. Under `xml:space="preserve"`, each line break is a
    /// code of its own, so that it reaches the target where the words around it go.
    fn source_content(
        &mut self,
        inner_start: usize,
        name: &str,
        version: Version,
    ) -> Result<Source, XliffError> {
        let preserve = self.preserve;
        let mut text = String::new();
        let mut codes: Vec<(CodeKind, Range<usize>)> = Vec::new();
        let mut offsets = Vec::new();
        // Elements named like the one being read, open inside it (a `<mrk>` in a `<mrk>`).
        let mut nested = 0;
        // Whitespace runs as one space (see `markup::push_collapsed`).
        let push_text = |text: &mut String, offsets: &[usize], piece: &str| {
            markup::push_collapsed(text, piece, offsets.last().copied());
        };
        // Elements that open a span around words; every other element inside a source is
        // kept whole as one code (1.2 `<ph>`, `<bpt>`, `<ept>`, `<it>` hold native code; 2.x
        // codes are empty elements; an unknown element is kept rather than read as text).
        let paired: &[&str] = match version {
            Version::V1 => &["g", "mrk"],
            Version::V2 => &["pc", "mrk"],
        };
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Text(t) => {
                    let raw = String::from_utf8_lossy(t.as_ref()).into_owned();
                    let lines: Vec<&str> = if preserve {
                        raw.split('\n').collect()
                    } else {
                        vec![raw.as_str()]
                    };
                    let mut at = range.start;
                    for (k, line) in lines.iter().enumerate() {
                        if k > 0 {
                            // The line break is a code, and separates words like a space.
                            codes.push((CodeKind::Standalone, at - 1..at));
                            offsets.push(text.len());
                            text.push(' ');
                        }
                        let piece =
                            quick_xml::escape::unescape(line).map_err(|e| XliffError::Xml {
                                at,
                                message: e.to_string(),
                            })?;
                        push_text(&mut text, &offsets, &piece);
                        at += line.len() + 1;
                    }
                }
                Event::CData(t) => push_text(&mut text, &offsets, &String::from_utf8_lossy(&t)),
                Event::Empty(_) => {
                    codes.push((CodeKind::Standalone, range));
                    offsets.push(text.len());
                }
                Event::Start(e) => {
                    let element = local(e.name().as_ref());
                    // Text marked not to be translated (1.2 `mtype="protected"`, 2.x
                    // `translate="no"`) is one code, content and all.
                    let protected = element == "mrk"
                        && (attribute(&e, "mtype").as_deref() == Some("protected")
                            || attribute(&e, "translate").as_deref() == Some("no"));
                    if paired.contains(&element.as_str()) && !protected {
                        if element == name {
                            nested += 1;
                        }
                        codes.push((CodeKind::Open, range));
                        offsets.push(text.len());
                    } else {
                        // Kept whole, content and all.
                        self.skip_to_end(&element)?;
                        let end = self.reader.buffer_position() as usize;
                        codes.push((CodeKind::Standalone, range.start..end));
                        offsets.push(text.len());
                    }
                }
                Event::End(e) => {
                    let element = local(e.name().as_ref());
                    if element == name && nested == 0 {
                        return Ok(Source {
                            inner: inner_start..range.start,
                            text,
                            codes,
                            offsets,
                        });
                    }
                    if element == name {
                        nested -= 1;
                    }
                    codes.push((CodeKind::Close, range));
                    offsets.push(text.len());
                }
                Event::Eof => {
                    return Err(XliffError::Xml {
                        at: range.start,
                        message: format!("unclosed <{name}>"),
                    })
                }
                _ => {}
            }
        }
    }

    fn trans_unit(&mut self, t: TransUnit) {
        let Some(source) = t.source else {
            return;
        };
        let wanted = !t.keep
            && match &t.target {
                None => true,
                Some((_, state, empty)) => {
                    *empty || matches!(state.as_deref(), Some("new" | "needs-translation"))
                }
            };
        if !wanted {
            return;
        }
        let range = t.source_end..t.source_end;
        let target = t.target.as_ref().map(|(range, _, _)| range.clone());
        if !t.segments.is_empty() {
            let seg_source = t.seg_source.clone();
            let copy = Unit {
                id: t.id.clone(),
                range: range.clone(),
                target: target.clone(),
                source_inner: seg_source.clone().unwrap_or_default(),
                indent: t.indent.clone(),
                segment_attributes: String::new(),
                segment_id: None,
                source_attributes: String::new(),
                seg_source: None,
                resegment: false,
                notes_at: None,
                mid: None,
            };
            if t.segments.iter().all(|(_, s)| !has_words(&s.text)) {
                self.copies.push(copy);
                return;
            }
            for (mid, segment) in t.segments {
                let inner = segment.inner.clone();
                self.add(
                    segment,
                    Unit {
                        source_attributes: String::new(),
                        seg_source: seg_source.clone(),
                        id: format!("{}#{mid}", t.id),
                        range: range.clone(),
                        target: target.clone(),
                        source_inner: inner,
                        indent: t.indent.clone(),
                        segment_attributes: String::new(),
                        segment_id: None,
                        resegment: false,
                        notes_at: None,
                        mid: Some(mid),
                    },
                );
            }
            return;
        }
        let inner = source.inner.clone();
        self.add(
            source,
            Unit {
                source_attributes: String::new(),
                seg_source: None,
                id: t.id,
                range,
                target,
                source_inner: inner,
                indent: t.indent,
                segment_attributes: String::new(),
                segment_id: None,
                resegment: true,
                notes_at: None,
                mid: None,
            },
        );
    }

    /// The segments of a `<seg-source>` (its start tag just read), through its end, and
    /// where its content ends.
    fn seg_source(&mut self) -> Result<(Vec<(String, Source)>, usize), XliffError> {
        let mut segments = Vec::new();
        loop {
            let (event, range) = self.next()?;
            match event {
                Event::Start(e)
                    if local(e.name().as_ref()) == "mrk"
                        && attribute(&e, "mtype").as_deref() == Some("seg") =>
                {
                    let mid = attribute(&e, "mid").unwrap_or_default();
                    let source = self.source_content(range.end, "mrk", Version::V1)?;
                    segments.push((mid, source));
                }
                Event::End(e) if local(e.name().as_ref()) == "seg-source" => {
                    return Ok((segments, range.start))
                }
                Event::Eof => {
                    return Err(XliffError::Xml {
                        at: range.start,
                        message: "unclosed <seg-source>".into(),
                    })
                }
                _ => {}
            }
        }
    }

    /// A paragraph: its text on a line of its own, its codes numbered in the article.
    fn add(&mut self, source: Source, unit: Unit) {
        let trimmed_start = source.text.len() - source.text.trim_start().len();
        let line = source.text.trim();
        if !has_words(line) {
            // A segment of a unit segmented already stays as it is in the target's copy
            // of the seg-source; any other unit gets its source as its target.
            if unit.seg_source.is_none() {
                self.copies.push(unit);
            }
            return;
        }
        if !self.units.is_empty() {
            self.text.push('\n');
        }
        let line_start = self.text.len();
        let mut open: Vec<usize> = Vec::new();
        for ((kind, range), offset) in source.codes.iter().zip(&source.offsets) {
            let id = self.codes.len();
            self.codes.push(Code {
                kind: *kind,
                id,
                pair: markup::pair_in_order(*kind, id, &mut open),
                markup: self.source[range.clone()].to_string(),
                at: line_start + offset.saturating_sub(trimmed_start).min(line.len()),
            });
        }
        self.text.push_str(line);
        self.units.push(unit);
    }
}

/// A 1.2 `<trans-unit>` being read.
struct TransUnit {
    id: String,
    keep: bool,
    source: Option<Source>,
    source_end: usize,
    indent: String,
    /// The target element's range, its state, and whether it is empty.
    target: Option<(Range<usize>, Option<String>, bool)>,
    /// The `<mrk mtype="seg">` segments of its `<seg-source>`, with their `mid`s.
    segments: Vec<(String, Source)>,
    /// The content of its `<seg-source>`.
    seg_source: Option<Range<usize>>,
}

/// Whether a text holds anything to translate: a letter. Numbers, punctuation, symbols
/// and emoji alone are the same in any language.
fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// Text for XML content (`&`, `<`, `>`; quotes stay as they are).
pub fn escape(text: &str) -> String {
    quick_xml::escape::partial_escape(text).into_owned()
}

/// Text for a double-quoted XML attribute value.
pub fn escape_attribute(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xliff_1_2_units_that_need_translation_and_their_codes() {
        let file = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.html" source-language="fr" target-language="en" datatype="html">
    <body>
      <trans-unit id="1">
        <source>Selon <g id="1">l'OTAN</g>,<x id="2"/> tout &amp; va bien.</source>
      </trans-unit>
      <trans-unit id="2">
        <source>Déjà traduit.</source>
        <target state="translated">Already translated.</target>
      </trans-unit>
      <trans-unit id="3" translate="no"><source>Garder.</source></trans-unit>
      <trans-unit id="4">
        <source>À faire <ph id="3">&lt;br/&gt;</ph>ici.</source>
        <target state="new"></target>
      </trans-unit>
    </body>
  </file>
</xliff>
"#;
        let (text, codes, job) = parse(file.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(text, "Selon l'OTAN, tout & va bien.\nÀ faire ici.");
        assert_eq!(job.version, Version::V1);
        assert_eq!(job.units.len(), 2);
        let markups: Vec<&str> = codes.iter().map(|c| c.markup.as_str()).collect();
        assert_eq!(
            markups,
            [
                "<g id=\"1\">",
                "</g>",
                "<x id=\"2\"/>",
                "<ph id=\"3\">&lt;br/&gt;</ph>"
            ]
        );
        assert_eq!(codes[1].pair, 0);
        assert_eq!(codes[0].at, 6);
        assert_eq!(job.units[0].range.len(), 0);
        let target = job.units[1].target.clone().unwrap();
        assert!(file[target].starts_with("<target state=\"new\">"));
    }

    #[test]
    fn preserved_line_breaks_are_codes() {
        let file = "<xliff version=\"1.2\"><file original=\"a\" source-language=\"fr\" datatype=\"po\"><body>\
                    <trans-unit id=\"1\" xml:space=\"preserve\"><source>Ligne un,\nligne &amp; deux.</source></trans-unit>\
                    <trans-unit id=\"2\"><source>Un\n   deux.</source></trans-unit></body></file></xliff>";
        let (text, codes, _) = parse(file.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(text, "Ligne un, ligne & deux.\nUn deux.");
        assert_eq!(codes.len(), 1);
        assert_eq!((codes[0].markup.as_str(), codes[0].at), ("\n", 9));
    }

    #[test]
    fn xliff_2_segments_in_the_initial_state() {
        let file = r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="fr">
 <file id="f1">
  <unit id="u1">
   <segment id="s1"><source>Un <pc id="1">deux</pc> trois.</source></segment>
  </unit>
  <unit id="u2">
   <segment state="final"><source>Fini.</source><target>Done.</target></segment>
  </unit>
 </file>
</xliff>"#;
        let (text, codes, job) = parse(file.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(text, "Un deux trois.");
        assert_eq!(codes.len(), 2);
        assert_eq!(job.version, Version::V2);
        assert!(job.add_target_language.is_some());
        assert!(file[job.units[0].range.clone()].starts_with("<segment id=\"s1\">"));
    }
}
