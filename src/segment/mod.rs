//! Stage 2, segment: articles in, sentence segments out.
//!
//! Each paragraph (one line of the article) is split into sentences by French-aware rules
//! (see `rules.rs`). A [`Segment`] keeps its provenance: article, paragraph, sentence index and
//! the byte span of the sentence in the article text, so no later stage has to search the
//! text again to find where a sentence came from.

mod long;
pub mod print;
mod rules;

use std::ops::Range;

use serde::Serialize;

use crate::markup::{Code, CodeKind};
use crate::read::Article;

pub use long::split_long;
pub(crate) use rules::split_sentences;

/// One sentence of one paragraph of one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Index of the article in the run's article list.
    pub article: usize,
    /// Paragraph number within the article, counting non-empty lines from 0.
    pub paragraph: usize,
    /// Sentence number within the paragraph, from 0.
    pub index: usize,
    /// Byte span of the sentence in the article text.
    pub span: Range<usize>,
    /// The sentence itself (the text at `span`).
    pub text: String,
    /// The inline codes of the sentence, each at its byte offset in `text`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
}

/// A paragraph of an article: one line, with any list or heading marker kept aside so
/// that it is not sent to the model and is written back in front of the translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Index of the line in the article (0-based), blank lines included.
    pub line: usize,
    /// A leading Markdown heading, list or quote marker (`## `, `- `, `1. `, `> `), or "".
    pub marker: String,
    /// Byte span of the translatable text of the line in the article.
    pub span: Range<usize>,
}

/// Splits an article into its paragraphs (non-empty lines). Blank lines separate nothing
/// more than lines do, but [`crate::write`] restores them from the line numbers.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    let mut offset = 0;
    for (line_index, line) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed_start = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() {
            continue;
        }
        let marker_len = marker_length(content);
        let start = line_start + trimmed_start + marker_len;
        let end = line_start + trimmed_start + content.len();
        let body = &text[start..end];
        let body_lead = body.len() - body.trim_start().len();
        paragraphs.push(Paragraph {
            line: line_index,
            marker: content[..marker_len].trim_end().to_string(),
            span: start + body_lead..end,
        });
    }
    paragraphs.retain(|p| !p.span.is_empty());
    paragraphs
}

/// Length in bytes of a leading Markdown marker followed by a space, or 0.
fn marker_length(line: &str) -> usize {
    let bytes = line.as_bytes();
    let marker_end = if line.starts_with('#') {
        bytes.iter().take_while(|&&b| b == b'#').count()
    } else if matches!(bytes.first(), Some(b'-' | b'*' | b'+' | b'>')) {
        1
    } else {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && digits <= 3 && matches!(bytes.get(digits), Some(b'.' | b')')) {
            digits + 1
        } else {
            0
        }
    };
    if marker_end > 0 && bytes.get(marker_end) == Some(&b' ') {
        marker_end + 1
    } else {
        0
    }
}

/// The paragraphs of an article: its lines, with Markdown markers set aside for text; a
/// document's lines are its units as they are (no markers).
pub fn article_paragraphs(article: &Article) -> Vec<Paragraph> {
    match article.document.as_deref() {
        None => return paragraphs(&article.text),
        // Lines that are not prose (code, HTML blocks, reference definitions) are no
        // paragraphs: they are written back as they are.
        Some(crate::read::Document::Markdown(markdown)) => {
            let mut all = paragraphs(&article.text);
            all.retain(|p| !markdown.verbatim.contains(&p.line));
            return all;
        }
        Some(_) => {}
    }
    let mut offset = 0;
    let mut out = Vec::new();
    for (line, text) in article.text.split('\n').enumerate() {
        out.push(Paragraph {
            line,
            marker: String::new(),
            span: offset..offset + text.len(),
        });
        offset += text.len() + 1;
    }
    out
}

/// Segments one article: paragraphs, then sentences within each paragraph. Each inline code
/// goes with the sentence it belongs to, and sentences that a span of markup (`<b>…</b>`)
/// runs across stay one segment, so that every segment's codes nest.
pub fn segment_article(article_index: usize, article: &Article) -> Vec<Segment> {
    let paragraphs = article_paragraphs(article);
    by_paragraph(article_index, article, &paragraphs)
        .flatten()
        .collect()
}

/// An article's segments a paragraph at a time (`paragraphs` are the article's, from
/// [`article_paragraphs`]): what [`segment_article`] gives, for a caller that need not
/// hold every segment of a long article at once.
pub fn by_paragraph<'a>(
    article_index: usize,
    article: &'a Article,
    paragraphs: &'a [Paragraph],
) -> ByParagraph<'a> {
    ByParagraph {
        article_index,
        article,
        paragraphs: paragraphs.iter().enumerate(),
        codes: article.codes.iter().peekable(),
    }
}

/// The iterator of [`by_paragraph`]: each item is one paragraph's segments, in order.
pub struct ByParagraph<'a> {
    article_index: usize,
    article: &'a Article,
    paragraphs: std::iter::Enumerate<std::slice::Iter<'a, Paragraph>>,
    codes: std::iter::Peekable<std::slice::Iter<'a, Code>>,
}

impl Iterator for ByParagraph<'_> {
    type Item = Vec<Segment>;

    fn next(&mut self) -> Option<Vec<Segment>> {
        let (paragraph_index, paragraph) = self.paragraphs.next()?;
        let text = &self.article.text;
        let body = &text[paragraph.span.clone()];
        let mut sentences: Vec<std::ops::Range<usize>> = split_sentences(body)
            .into_iter()
            .map(|r| paragraph.span.start + r.start..paragraph.span.start + r.end)
            .collect();
        // A paragraph's codes are those up to the end of its line: one after trailing
        // spaces (a table row's last pipe) is still its own, not the next line's.
        let line_end = text[paragraph.span.end..]
            .find('\n')
            .map_or(text.len(), |i| paragraph.span.end + i);
        let mut mine = Vec::new();
        while let Some(code) = self.codes.next_if(|c| c.at <= line_end) {
            mine.push(code.clone());
        }
        let owners = join_across_spans(&mut sentences, &mine);
        let segments = sentences
            .into_iter()
            .enumerate()
            .map(|(index, span)| {
                let codes = mine
                    .iter()
                    .zip(&owners)
                    .filter(|(_, &owner)| owner == index)
                    .map(|(code, _)| Code {
                        at: code.at.clamp(span.start, span.end) - span.start,
                        ..code.clone()
                    })
                    .collect();
                Segment {
                    article: self.article_index,
                    paragraph: paragraph_index,
                    index,
                    text: text[span.clone()].to_string(),
                    span,
                    codes,
                }
            })
            .collect();
        Some(segments)
    }
}

/// Which sentence each code belongs to: an opening code to the sentence whose text follows
/// it, a closing or standalone code to the sentence whose text precedes it. Sentences a span
/// crosses are joined first (the spans change in place).
fn join_across_spans(sentences: &mut Vec<std::ops::Range<usize>>, codes: &[Code]) -> Vec<usize> {
    loop {
        let owners: Vec<usize> = codes
            .iter()
            .map(|code| {
                let last = sentences.len().saturating_sub(1);
                match code.kind {
                    CodeKind::Open => sentences
                        .iter()
                        .position(|s| s.end > code.at)
                        .unwrap_or(last),
                    CodeKind::Close | CodeKind::Standalone => sentences
                        .iter()
                        .rposition(|s| s.start < code.at)
                        .unwrap_or(0),
                }
            })
            .collect();
        let crossing = codes.iter().zip(&owners).find_map(|(open, &first)| {
            let (_, &last) = codes
                .iter()
                .zip(&owners)
                .find(|(c, _)| c.kind == CodeKind::Close && c.pair == open.id && c.id != open.id)?;
            (open.kind == CodeKind::Open && last > first).then_some((first, last))
        });
        match crossing {
            Some((first, last)) => {
                let end = sentences[last].end;
                sentences[first].end = end;
                sentences.drain(first + 1..=last);
            }
            None => return owners,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        Article::plain("a.txt", "a.txt", text)
    }

    /// `<b>` opened in one sentence and closed in the next: they stay one segment, so that
    /// every segment's codes nest (XLIFF and HTML could not hold them otherwise).
    #[test]
    fn sentences_a_span_runs_across_stay_one_segment() {
        let code = |kind, id, pair, at| Code {
            kind,
            id,
            pair,
            markup: String::new(),
            at,
        };
        let mut a = Article::plain("a.html", "a.html", "Un. Deux trois. Quatre.");
        // <b> before "Deux", </b> after "Quatre." is not reached: after "trois.".
        a.codes = vec![
            code(CodeKind::Open, 0, 0, 0),
            code(CodeKind::Close, 1, 0, 15),
        ];
        let texts: Vec<String> = segment_article(0, &a).into_iter().map(|s| s.text).collect();
        assert_eq!(texts, ["Un. Deux trois.", "Quatre."]);
        a.codes = vec![
            code(CodeKind::Open, 0, 0, 4),
            code(CodeKind::Close, 1, 0, 15),
        ];
        let segments = segment_article(0, &a);
        let texts: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Un.", "Deux trois.", "Quatre."]);
        assert_eq!(segments[1].codes.len(), 2);
        assert_eq!((segments[1].codes[0].at, segments[1].codes[1].at), (0, 11));
    }

    #[test]
    fn spans_point_back_into_the_article() {
        let a = article("Titre\n\nPremière phrase. Deuxième phrase.\r\n- Un point de liste\n");
        let segments = segment_article(0, &a);
        let texts: Vec<_> = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Titre",
                "Première phrase.",
                "Deuxième phrase.",
                "Un point de liste"
            ]
        );
        for s in &segments {
            assert_eq!(&a.text[s.span.clone()], s.text);
        }
        assert_eq!(
            segments
                .iter()
                .map(|s| (s.paragraph, s.index))
                .collect::<Vec<_>>(),
            [(0, 0), (1, 0), (1, 1), (2, 0)]
        );
    }

    #[test]
    fn markdown_markers_are_kept_aside() {
        let p = paragraphs("## Le titre\n1. premier\n-pas une liste\n12345. non\n");
        let markers: Vec<_> = p.iter().map(|p| p.marker.as_str()).collect();
        assert_eq!(markers, ["##", "1.", "", ""]);
    }

    #[test]
    fn a_lone_marker_is_not_a_paragraph() {
        assert!(paragraphs("- \n#\n").iter().all(|p| !p.span.is_empty()));
        assert_eq!(paragraphs("  \n\t\n").len(), 0);
    }
}

#[cfg(test)]
mod properties {
    //! Whatever the input, segmentation never panics, and the segments with what lies
    //! between them rebuild the article exactly.

    use proptest::prelude::*;

    use super::*;

    /// Text that stresses the rules: French punctuation, quotes, spaces of every kind,
    /// markers, digits, control characters and arbitrary Unicode.
    fn tricky_text() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("M.".to_string()),
            Just("J.-C.".to_string()),
            Just("« ".to_string()),
            Just(" »".to_string()),
            Just("\"".to_string()),
            Just("...".to_string()),
            Just("…".to_string()),
            Just(". ".to_string()),
            Just("? ".to_string()),
            Just("; Le ".to_string()),
            Just(": ".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\u{00A0}".to_string()),
            Just("\u{202F}".to_string()),
            Just("- ".to_string()),
            Just("## ".to_string()),
            Just("1. ".to_string()),
            Just("U.E. ".to_string()),
            "[A-Za-zÉéèàç]{1,8}".prop_map(String::from),
            "[0-9]{1,4}".prop_map(String::from),
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    fn check(text: &str) {
        let article = Article::plain("p", "p", text.to_string());
        let segments = segment_article(0, &article);
        let mut last = 0;
        for s in &segments {
            assert!(s.span.start >= last, "spans out of order in {text:?}");
            assert!(s.span.start < s.span.end, "empty segment in {text:?}");
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            assert_eq!(&text[s.span.clone()], s.text);
            // Between segments: white space and line markers only.
            let gap = &text[last..s.span.start];
            assert!(
                gap.chars()
                    .all(|c| c.is_whitespace() || "#-*+>0123456789.)".contains(c)),
                "{gap:?} lost between segments of {text:?}"
            );
            last = s.span.end;
        }
        assert!(
            text[last..].chars().all(char::is_whitespace),
            "tail lost in {text:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_tricky_text_is_rebuilt(text in tricky_text()) {
            check(&text);
        }

        #[test]
        fn any_unicode_is_rebuilt(text in any::<String>()) {
            check(&text);
        }

        #[test]
        fn split_sentences_covers_every_non_space_character(text in tricky_text()) {
            let text = text.replace(['\n', '\r'], " ");
            let ranges = split_sentences(&text);
            let mut rebuilt = String::new();
            let mut last = 0;
            for r in &ranges {
                assert!(text[last..r.start].chars().all(char::is_whitespace));
                rebuilt.push_str(&text[r.clone()]);
                last = r.end;
            }
            assert!(text[last..].chars().all(char::is_whitespace));
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(squeeze(&rebuilt), squeeze(&text));
        }
    }

    #[test]
    fn a_very_long_line_without_spaces() {
        check(&"a.".repeat(200_000));
        check(&"«".repeat(50_000));
    }
}
