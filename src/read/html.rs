//! HTML articles (`.html`, `.htm`; a whole page or a fragment): what is translatable, and
//! where each piece goes back.
//!
//! lol_html (Cloudflare's streaming HTML5 tokenizer) reads the page and reports every start
//! tag, end tag, text and comment with its byte range in the file. passeur chose it over a
//! tree builder (html5ever) because the English page is made by splicing translations into
//! the original bytes: everything not translated (the head, scripts, entities, attribute
//! quoting, indentation, comments) stays byte for byte as the author wrote it, which a
//! serialised tree cannot promise. html5ever is used in the tests, to check that what
//! passeur writes parses to the same element tree.
//!
//! A paragraph is a run of text and inline elements between two block boundaries (any
//! element that is not inline: `p`, `li`, `td`, `h1`, `div`, …), so a sentence with a link
//! or an emphasis inside it is translated whole, and its inline tags become codes
//! ([`crate::markup`]). `alt`, `title`, `placeholder`, `aria-label`, the content of
//! `<meta name="description">` (and of the Open Graph and Twitter titles and descriptions)
//! and the label (`value`) of `<input>` buttons are paragraphs of their own. `script`, `style`, `pre`,
//! `textarea`, `template`, `svg`, `math` and anything marked `translate="no"` or
//! `class="notranslate"` are left alone; inline `code`, `kbd` and `samp` (and inline
//! elements marked not to translate) stay inside their sentence as one code, content and
//! all. Every `lang` of the source language becomes the target language; a page whose
//! `<html>` declares another language is refused.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use lol_html::html_content::{Comment, Element, EndTag, TextChunk};
use lol_html::{doc_comments, doc_text, element, rewrite_str, RewriteStrSettings};

use crate::markup::{self, Code, CodeKind};
use crate::options::LanguagePair;

/// Elements that stay inside a sentence.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "data", "del", "dfn", "em", "font", "i",
    "img", "ins", "label", "mark", "q", "rp", "rt", "ruby", "s", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u", "wbr",
];
/// Inline elements kept whole, content included, as one code: their content is not prose.
const INLINE_VERBATIM: &[&str] = &["code", "kbd", "samp", "var", "math", "svg"];
/// Elements whose content is never translated.
const SKIPPED: &[&str] = &[
    "script", "style", "pre", "textarea", "template", "noscript", "iframe", "object",
];
/// `<meta>` names (or properties) whose `content` is prose.
const META_PROSE: &[&str] = &[
    "description",
    "og:title",
    "og:description",
    "twitter:title",
    "twitter:description",
];
/// Attributes whose values are prose.
const ATTRIBUTES: &[&str] = &["alt", "title", "placeholder", "aria-label"];

/// A parsed HTML article: the original bytes and where each paragraph's translation goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// The file as read.
    pub source: String,
    /// One per paragraph of the article text, in order.
    pub units: Vec<Unit>,
    /// The bytes of every inline code in `source`, by code id.
    pub code_ranges: Vec<Range<usize>>,
    /// `lang` values that become the target language; an empty range is where `<html>`
    /// gets a `lang`.
    pub lang: Vec<Range<usize>>,
    /// The language the page is translated into (`lang` is set to it).
    pub target_language: String,
    /// The label of a `<meta charset>` other than UTF-8: the page was decoded from it and
    /// is written as UTF-8, so the label becomes `utf-8`.
    pub relabel: Option<Range<usize>>,
}

/// Where a paragraph's translation goes in the page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    /// The bytes it replaces: text and inline tags of a run, or an attribute's value.
    pub range: Range<usize>,
    pub attribute: bool,
}

/// What lol_html reported, in document order.
#[derive(Debug)]
enum Event {
    Start {
        name: String,
        range: Range<usize>,
        has_content: bool,
        /// `translate="no"` or `class="notranslate"`.
        keep: bool,
        /// Translatable attribute values: their byte ranges.
        attributes: Vec<Range<usize>>,
        /// `lang` and `xml:lang` values that become the target language.
        lang: Vec<Range<usize>>,
    },
    End {
        name: String,
        range: Range<usize>,
    },
    Text(Range<usize>),
    Comment(Range<usize>),
}

/// Why an HTML file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HtmlError(String);

/// Parses an HTML article into its plain text (one paragraph per line), the inline codes
/// taken out of it, and the page to write the translation into. A page whose `<html>`
/// declares a language other than the pair's source is refused: it is not passeur's to
/// translate.
pub fn parse(
    source: String,
    languages: &LanguagePair,
) -> Result<(String, Vec<Code>, Page), HtmlError> {
    let (events, declared) = events(&source, languages)?;
    if let Some(declared) = declared.filter(|d| !languages.is_source(d)) {
        return Err(HtmlError(format!(
            "the page declares lang=\"{declared}\", but passeur translates {} → {}; pass \
             --source-lang to translate from that language (with a model for it)",
            languages.source, languages.target
        )));
    }
    let mut builder = Builder {
        source: &source,
        text: String::new(),
        codes: Vec::new(),
        page_units: Vec::new(),
        code_ranges: Vec::new(),
        lang: Vec::new(),
        run: Vec::new(),
    };
    builder.walk(&events);
    let Builder {
        text,
        codes,
        page_units,
        code_ranges,
        lang,
        ..
    } = builder;
    let page = Page {
        relabel: super::not_utf8_label(&source),
        source,
        units: page_units,
        code_ranges,
        lang,
        target_language: languages.target.clone(),
    };
    Ok((text, codes, page))
}

/// What lol_html reports, and the language `<html>` declares (`lang`, else `xml:lang`; when
/// the two disagree and one is the source language, that one: the other is set to the
/// target like it, so that the page's two declarations agree again).
fn events(
    source: &str,
    languages: &LanguagePair,
) -> Result<(Vec<Event>, Option<String>), HtmlError> {
    let events = Rc::new(RefCell::new(Vec::new()));
    let declared = Rc::new(RefCell::new(None));
    let on_element = {
        let events = events.clone();
        let declared = declared.clone();
        move |el: &mut Element| {
            let name = el.tag_name();
            if name == "html" {
                let given: Vec<String> = [el.get_attribute("lang"), el.get_attribute("xml:lang")]
                    .into_iter()
                    .flatten()
                    .filter(|l| !l.trim().is_empty())
                    .collect();
                *declared.borrow_mut() = given
                    .iter()
                    .find(|l| languages.is_source(l))
                    .or(given.first())
                    .cloned();
            }
            // An element in another language (a quotation `<blockquote lang="en">`) is not
            // the model's to translate: it stays as written, like `translate="no"`.
            let other_language = name != "html"
                && el
                    .get_attribute("lang")
                    .or_else(|| el.get_attribute("xml:lang"))
                    .is_some_and(|l| !l.trim().is_empty() && !languages.is_source(&l));
            let keep = other_language
                || el
                    .get_attribute("translate")
                    .is_some_and(|v| v.trim() == "no")
                || el
                    .get_attribute("class")
                    .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "notranslate"));
            // Metadata shown to readers: the description, and the titles and descriptions
            // social networks and search engines show (Open Graph, Twitter cards).
            let is_description = name == "meta"
                && ["name", "property"].iter().any(|key| {
                    el.get_attribute(key)
                        .is_some_and(|n| META_PROSE.contains(&n.to_ascii_lowercase().as_str()))
                });
            let is_button = name == "input"
                && el.get_attribute("type").is_some_and(|t| {
                    matches!(
                        t.to_ascii_lowercase().as_str(),
                        "submit" | "button" | "reset"
                    )
                });
            let mut attributes = Vec::new();
            let mut lang = Vec::new();
            for attribute in el.attributes() {
                let attribute_name = attribute.name();
                let Some(value) = attribute.value_source_location() else {
                    continue;
                };
                let value = value.bytes();
                if ATTRIBUTES.contains(&attribute_name.as_str())
                    || (is_description && attribute_name == "content")
                    || (is_button && attribute_name == "value")
                {
                    attributes.push(value);
                } else if (attribute_name == "lang" || attribute_name == "xml:lang")
                    && (languages.is_source(&attribute.value()) || name == "html")
                {
                    // On `<html>` both declarations follow the one that said French.
                    lang.push(value);
                }
            }
            if name == "html" && !el.has_attribute("lang") {
                let at = el.source_location().bytes().start + "<html".len();
                lang.push(at..at);
            }
            let has_content = el.can_have_content();
            events.borrow_mut().push(Event::Start {
                name: name.clone(),
                range: el.source_location().bytes(),
                has_content,
                keep,
                attributes,
                lang,
            });
            if has_content {
                let events = events.clone();
                el.on_end_tag(Box::new(move |end: &mut EndTag| {
                    events.borrow_mut().push(Event::End {
                        name: end.name(),
                        range: end.source_location().bytes(),
                    });
                    Ok(())
                }))?;
            }
            Ok(())
        }
    };
    let on_text = {
        let events = events.clone();
        move |chunk: &mut TextChunk| {
            let range = chunk.source_location().bytes();
            if !range.is_empty() {
                events.borrow_mut().push(Event::Text(range));
            }
            Ok(())
        }
    };
    let on_comment = {
        let events = events.clone();
        move |comment: &mut Comment| {
            events
                .borrow_mut()
                .push(Event::Comment(comment.source_location().bytes()));
            Ok(())
        }
    };
    rewrite_str(
        source,
        RewriteStrSettings {
            element_content_handlers: vec![element!("*", on_element)],
            document_content_handlers: vec![doc_text!(on_text), doc_comments!(on_comment)],
            ..RewriteStrSettings::new()
        },
    )
    .map_err(|e| HtmlError(format!("not readable as HTML: {e}")))?;
    let events = std::mem::take(&mut *events.borrow_mut());
    let declared = declared.borrow_mut().take();
    Ok((events, declared))
}

/// One item of the run being gathered.
#[derive(Debug)]
enum Item {
    Text(Range<usize>),
    /// An inline code: its kind and its bytes; element name for pairing.
    Code(CodeKind, Range<usize>, String),
}

struct Builder<'s> {
    source: &'s str,
    text: String,
    codes: Vec<Code>,
    page_units: Vec<Unit>,
    code_ranges: Vec<Range<usize>>,
    lang: Vec<Range<usize>>,
    run: Vec<Item>,
}

impl Builder<'_> {
    fn walk(&mut self, events: &[Event]) {
        let mut i = 0;
        while i < events.len() {
            match &events[i] {
                Event::Start {
                    name,
                    range,
                    has_content,
                    keep,
                    attributes,
                    lang,
                } => {
                    self.lang.extend(lang.iter().cloned());
                    let verbatim = INLINE_VERBATIM.contains(&name.as_str())
                        || (*keep && INLINE.contains(&name.as_str()));
                    let skipped = SKIPPED.contains(&name.as_str()) || *keep;
                    if *has_content && (verbatim || skipped) {
                        let end = closing(events, i, name);
                        let last = events.get(end).map_or(range.end, event_end);
                        if verbatim {
                            self.run.push(Item::Code(
                                CodeKind::Standalone,
                                range.start..last,
                                name.clone(),
                            ));
                        } else {
                            self.flush_run();
                        }
                        i = end + 1;
                        continue;
                    }
                    if INLINE.contains(&name.as_str()) || verbatim {
                        let kind = if *has_content && name != "br" && name != "wbr" {
                            CodeKind::Open
                        } else {
                            CodeKind::Standalone
                        };
                        self.run.push(Item::Code(kind, range.clone(), name.clone()));
                    } else {
                        self.flush_run();
                    }
                    for value in attributes {
                        self.attribute(value.clone());
                    }
                }
                Event::End { name, range } => {
                    if INLINE.contains(&name.as_str()) {
                        self.run
                            .push(Item::Code(CodeKind::Close, range.clone(), name.clone()));
                    } else {
                        self.flush_run();
                    }
                }
                Event::Text(range) => self.run.push(Item::Text(range.clone())),
                Event::Comment(range) => self.run.push(Item::Code(
                    CodeKind::Standalone,
                    range.clone(),
                    String::new(),
                )),
            }
            i += 1;
        }
        self.flush_run();
    }

    /// Markup between the items of a run that lol_html reported as no element of it (an end
    /// tag whose element began in an earlier block: the `</a>` of `<p>…<a>…</p><p>…</a>`)
    /// becomes a code of its own, so that it stays in the page where it was.
    fn with_unreported_markup(&self, run: Vec<Item>) -> Vec<Item> {
        let mut out = Vec::with_capacity(run.len());
        let mut last_end: Option<usize> = None;
        for item in run {
            let range = match &item {
                Item::Text(r) | Item::Code(_, r, _) => r.clone(),
            };
            if let Some(end) = last_end.filter(|&end| end < range.start) {
                if !self.source[end..range.start].trim().is_empty() {
                    out.push(Item::Code(
                        CodeKind::Standalone,
                        end..range.start,
                        String::new(),
                    ));
                }
            }
            last_end = Some(range.end);
            out.push(item);
        }
        out
    }

    /// A translatable attribute value: a paragraph of its own.
    fn attribute(&mut self, value: Range<usize>) {
        let mut text = String::new();
        markup::push_collapsed(&mut text, &decode(&self.source[value.clone()]), None);
        if text.trim().is_empty() || !has_letters(&text) {
            return;
        }
        self.new_line();
        self.text.push_str(text.trim());
        self.page_units.push(Unit {
            range: value,
            attribute: true,
        });
    }

    fn new_line(&mut self) {
        if !self.page_units.is_empty() {
            self.text.push('\n');
        }
    }

    /// Ends the run gathered so far: a paragraph if it has words.
    fn flush_run(&mut self) {
        let run = std::mem::take(&mut self.run);
        let run = self.with_unreported_markup(run);
        let words: String = run
            .iter()
            .filter_map(|item| match item {
                Item::Text(range) => Some(decode(&self.source[range.clone()])),
                Item::Code(..) => None,
            })
            .collect();
        if !has_letters(&words) {
            return;
        }
        // The run's bytes, without the whitespace around it (the page's indentation).
        let first = run
            .iter()
            .position(
                |item| !matches!(item, Item::Text(r) if self.source[r.clone()].trim().is_empty()),
            )
            .expect("a run with words");
        let last = run
            .iter()
            .rposition(
                |item| !matches!(item, Item::Text(r) if self.source[r.clone()].trim().is_empty()),
            )
            .expect("a run with words");
        let start = match &run[first] {
            Item::Text(r) => {
                r.start + (self.source[r.clone()].len() - self.source[r.clone()].trim_start().len())
            }
            Item::Code(_, r, _) => r.start,
        };
        let end = match &run[last] {
            Item::Text(r) => r.start + self.source[r.clone()].trim_end().len(),
            Item::Code(_, r, _) => r.end,
        };
        let kinds = pair_up(&run[first..=last]);
        self.new_line();
        let line_start = self.text.len();
        let mut line = String::new();
        let base = self.codes.len();
        let mut pairs: Vec<usize> = Vec::new();
        for (item, kind) in run[first..=last].iter().zip(kinds) {
            match item {
                Item::Text(range) => {
                    let mut piece = &self.source[range.clone()];
                    if range.start < start {
                        piece = &piece[start - range.start..];
                    }
                    if range.end > end {
                        piece = &piece[..piece.len() - (range.end - end)];
                    }
                    let last_code_at = self.codes[base..].last().map(|code| code.at - line_start);
                    markup::push_collapsed(&mut line, &decode(piece), last_code_at);
                }
                Item::Code(_, range, name) => {
                    let id = self.codes.len();
                    self.codes.push(Code {
                        kind,
                        id,
                        pair: markup::pair_in_order(kind, id, &mut pairs),
                        markup: self.source[range.clone()].to_string(),
                        at: line_start + line.len(),
                    });
                    self.code_ranges.push(range.clone());
                    // A line break separates words (and sentences: `fin.<br>Début`).
                    if name == "br" && !line.ends_with(' ') {
                        line.push(' ');
                    }
                }
            }
        }
        // The line is trimmed: codes past its end move to its end.
        let trimmed = line.trim_end().len();
        line.truncate(trimmed);
        for code in &mut self.codes[base..] {
            code.at = code.at.min(line_start + trimmed);
        }
        self.text.push_str(&line);
        self.page_units.push(Unit {
            range: start..end,
            attribute: false,
        });
    }
}

/// The kind of each item's code within a run: opening and closing tags that pair up by
/// element name stay a pair; the others (a tag whose partner is outside the run, beyond a
/// block boundary) stand alone, so that the run's codes always nest.
fn pair_up(items: &[Item]) -> Vec<CodeKind> {
    let mut kinds: Vec<CodeKind> = items
        .iter()
        .map(|item| match item {
            Item::Code(kind, ..) => *kind,
            Item::Text(_) => CodeKind::Standalone,
        })
        .collect();
    let mut open: Vec<(usize, &str)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Item::Code(kind, _, name) = item else {
            continue;
        };
        match kind {
            CodeKind::Open => open.push((i, name)),
            CodeKind::Close => match open.iter().rposition(|(_, n)| n == name) {
                Some(at) => {
                    for (unclosed, _) in open.drain(at + 1..) {
                        kinds[unclosed] = CodeKind::Standalone;
                    }
                    open.pop();
                }
                None => kinds[i] = CodeKind::Standalone,
            },
            CodeKind::Standalone => {}
        }
    }
    for (unclosed, _) in open {
        kinds[unclosed] = CodeKind::Standalone;
    }
    kinds
}

/// The index of the end tag closing the element started at `start`, counting nested
/// elements of the same name; the last event when it is never closed.
fn closing(events: &[Event], start: usize, name: &str) -> usize {
    let mut depth = 0;
    for (i, event) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start {
                name: n,
                has_content: true,
                ..
            } if n == name => depth += 1,
            Event::End { name: n, .. } if n == name => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn event_end(event: &Event) -> usize {
    match event {
        Event::Start { range, .. }
        | Event::End { range, .. }
        | Event::Text(range)
        | Event::Comment(range) => range.end,
    }
}

/// Character references decoded (`&amp;`, `&eacute;`, `&#8217;`), as a browser shows them.
fn decode(raw: &str) -> String {
    htmlize::unescape(raw).into_owned()
}

fn has_letters(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// Text for HTML content: `&`, `<`, `>` escaped (a no-break space stays a character).
pub fn escape_text(text: &str) -> String {
    htmlize::escape_text(text).into_owned()
}

/// Text for a double-quoted attribute value.
pub fn escape_attribute(text: &str) -> String {
    htmlize::escape_attribute(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: an `<a>` opened in one paragraph and closed in the next lost its `</a>`.
    #[test]
    fn an_end_tag_whose_element_began_in_another_block_is_kept() {
        let html = "<p>Voir <a href=\"/x\">le premier.</p><p>Et le second</a> ici.</p>";
        let (text, codes, _) = parse(html.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(text, "Voir le premier.\nEt le second ici.");
        let markups: Vec<&str> = codes.iter().map(|c| c.markup.as_str()).collect();
        assert_eq!(markups, ["<a href=\"/x\">", "</a>"]);
        assert!(codes.iter().all(|c| c.kind == CodeKind::Standalone));
    }

    /// Regression: `<html xml:lang="fr" lang="en">` (or both French) came back with one
    /// declaration translated and the other not.
    #[test]
    fn both_language_declarations_of_the_page_follow_the_translation() {
        for html in [
            "<html xml:lang=\"fr\" lang=\"en\"><body><p>Une phrase.</p></body></html>",
            "<html lang=\"fr\" xml:lang=\"fr\"><body><p>Une phrase.</p></body></html>",
        ] {
            let (_, _, page) = parse(html.to_string(), &LanguagePair::default()).unwrap();
            assert_eq!(page.lang.len(), 2, "{html}: {:?}", page.lang);
        }
    }

    /// Regression: a `<blockquote lang="en">` inside a French page went to the French model.
    #[test]
    fn elements_in_another_language_are_left_as_written() {
        let html = "<html lang=\"fr\"><body><p>Il a dit :</p>\
                    <blockquote lang=\"en\"><p>We shall <em>never</em> surrender.</p></blockquote>\
                    <p lang=\"fr-CA\">Une phrase.</p></body></html>";
        let (text, _, page) = parse(html.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(text, "Il a dit :\nUne phrase.");
        // Both French `lang`s become English; the quotation keeps its own.
        let langs: Vec<&str> = page.lang.iter().map(|r| &html[r.clone()]).collect();
        assert_eq!(langs, ["fr", "fr-CA"]);
    }

    #[test]
    fn runs_keep_inline_tags_as_codes_and_skip_code_and_scripts() {
        let html = "<!DOCTYPE html>\n<html lang=\"fr\"><head><title>Le titre</title>\
                    <script>var x = \"Bonjour\";</script></head>\n<body>\n  <p>Selon <a href=\"/otan\">l&rsquo;OTAN</a>, \
                    tout va <em>bien</em>.<br>Fin.</p>\n  <pre>Ne pas traduire.</pre>\n  \
                    <p translate=\"no\">Garder.</p><p>Lancez <code>make all</code> ici.</p>\
                    <img src=\"x.png\" alt=\"Une image\"></body></html>";
        let (text, codes, page) = parse(html.to_string(), &LanguagePair::default()).unwrap();
        assert_eq!(
            text,
            "Le titre\nSelon l’OTAN, tout va bien. Fin.\nLancez  ici.\nUne image"
        );
        let markups: Vec<&str> = codes.iter().map(|c| c.markup.as_str()).collect();
        assert_eq!(
            markups,
            [
                "<a href=\"/otan\">",
                "</a>",
                "<em>",
                "</em>",
                "<br>",
                "<code>make all</code>"
            ]
        );
        assert_eq!(codes[1].pair, codes[0].id);
        assert_eq!(page.units.len(), 4);
        assert!(page.units[3].attribute);
        assert_eq!(&html[page.units[1].range.clone()][..6], "Selon ");
        assert_eq!(page.lang.len(), 1);
        assert_eq!(&html[page.lang[0].clone()], "fr");
    }

    #[test]
    fn button_labels_are_translated_other_input_values_not() {
        let (text, _, page) = parse(
            "<form><input type=\"submit\" value=\"Envoyer\"><input type=\"text\" value=\"Paris\"></form>"
                .into(),
            &LanguagePair::default(),
        )
        .unwrap();
        assert_eq!(text, "Envoyer");
        assert!(page.units[0].attribute);
        let (text, _, _) = parse(
            "<meta property=\"og:title\" content=\"Le titre\"><meta name=\"viewport\" content=\"width=device-width\">"
                .into(),
            &LanguagePair::default(),
        )
        .unwrap();
        assert_eq!(text, "Le titre");
    }

    #[test]
    fn tags_whose_partner_is_beyond_a_block_stand_alone() {
        let (_, codes, _) = parse(
            "<p><b>Un début</p><p>et une fin</b>.</p>".into(),
            &LanguagePair::default(),
        )
        .unwrap();
        assert!(codes.iter().all(|c| c.kind == CodeKind::Standalone));
    }
}
