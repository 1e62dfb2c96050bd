//! Markdown inline markup as codes: `**bold**`, `*em*`, `~~struck~~`, `[link](url)`,
//! `![alt](src)` become spans around their words and `` `code` `` and inline HTML stand
//! alone, so that they reach the English file around the right words instead of being
//! translated as text (or lost).
//!
//! pulldown-cmark (the CommonMark parser rustdoc uses) finds the markup and its byte
//! ranges; the text keeps everything else as written, line by line (headings and list
//! markers are set aside later, by the segment stage).
//!
//! Blocks that are not prose are kept as they are, line by line ([`Markdown::verbatim`]):
//! fenced and indented code, HTML blocks and comments, link reference definitions (their
//! URLs), and a table's delimiter row; a table row's pipes are codes, so its cells are
//! translated with the pipes where they were.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::markup::{Code, CodeKind};

/// A Markdown file read as an article.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Markdown {
    /// The file as read.
    pub source: String,
    /// The lines (0-based) written back as they are, untranslated.
    pub verbatim: Vec<usize>,
}

/// The text without its inline markup, the markup as codes at their offsets in it, and
/// the lines that are not prose (see the module documentation).
pub fn parse(source: &str) -> (String, Vec<Code>, Vec<usize>) {
    // (kind, bytes in the source), in source order.
    let mut pieces: Vec<(CodeKind, Range<usize>, usize)> = Vec::new();
    // Open spans: their whole range, and the range their content covers so far.
    let mut open: Vec<(Range<usize>, Option<Range<usize>>)> = Vec::new();
    let extend = |open: &mut Vec<(Range<usize>, Option<Range<usize>>)>, r: &Range<usize>| {
        if let Some((_, content)) = open.last_mut() {
            *content = Some(match content.take() {
                Some(c) => c.start.min(r.start)..c.end.max(r.end),
                None => r.clone(),
            });
        }
    };
    let mut spans = 0;
    let lines = crate::files::LineIndex::new(source);
    let line_of = |at: usize| lines.line(at) - 1;
    let mut verbatim: Vec<usize> = Vec::new();
    let mut keep_lines = |range: &Range<usize>| {
        let last = line_of(range.end.saturating_sub(1).max(range.start));
        verbatim.extend(line_of(range.start)..=last);
    };
    // Table rows: their cells, to find the pipes between them.
    let mut cells: Vec<Range<usize>> = Vec::new();
    let mut rows: Vec<Range<usize>> = Vec::new();
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let parser = Parser::new_ext(source, options).into_offset_iter();
    for (_, definition) in parser.reference_definitions().iter() {
        keep_lines(&definition.span);
    }
    for (event, range) in parser {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) | Event::Html(_) => keep_lines(&range),
            Event::Start(Tag::Table(_)) => keep_lines(&range),
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(range.clone()),
            Event::Start(Tag::TableCell) => cells.push(range.clone()),
            Event::Start(
                Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. },
            ) => {
                open.push((range, None));
            }
            Event::End(end) if is_span(end) => {
                let Some((whole, content)) = open.pop() else {
                    continue;
                };
                let content = content.unwrap_or(whole.end..whole.end);
                let pair = spans;
                spans += 1;
                pieces.push((CodeKind::Open, whole.start..content.start, pair));
                pieces.push((CodeKind::Close, content.end..whole.end, pair));
                extend(&mut open, &whole);
            }
            Event::Code(_) | Event::InlineHtml(_) => {
                pieces.push((CodeKind::Standalone, range.clone(), usize::MAX));
                extend(&mut open, &range);
            }
            Event::Text(_) | Event::SoftBreak | Event::HardBreak => extend(&mut open, &range),
            _ => {}
        }
    }
    // A table's rows are prose again (only its delimiter row stays as it is), their pipes
    // codes of their own.
    for row in &rows {
        verbatim.retain(|&line| line != line_of(row.start));
        for (i, _) in source[row.clone()].match_indices('|') {
            let at = row.start + i;
            if !cells.iter().any(|cell| cell.contains(&at)) {
                pieces.push((CodeKind::Standalone, at..at + 1, usize::MAX));
            }
        }
    }
    verbatim.sort_unstable();
    verbatim.dedup();
    // Nothing inside a verbatim line is a code: it is written back whole.
    pieces.retain(|(_, r, _)| !verbatim.contains(&line_of(r.start)));
    pieces.retain(|(_, r, _)| !r.is_empty() && !source[r.clone()].contains('\n'));
    pieces.sort_by_key(|(_, r, _)| r.start);
    // A span whose ends are on different lines (emphasis over a line break) cannot be one
    // sentence's: its ends stand alone.
    let mut text = String::with_capacity(source.len());
    let mut codes = Vec::with_capacity(pieces.len());
    let mut last = 0;
    let mut ids_of_pairs: Vec<(usize, usize)> = Vec::new(); // (pair, id of its opening)
    for (kind, range, pair) in &pieces {
        if range.start < last {
            continue;
        }
        text.push_str(&source[last..range.start]);
        last = range.end;
        let id = codes.len();
        let line = text.matches('\n').count();
        let (kind, pair_id) = match kind {
            CodeKind::Open => {
                ids_of_pairs.push((*pair, id));
                (CodeKind::Open, id)
            }
            CodeKind::Close => match ids_of_pairs.iter().find(|(p, _)| p == pair) {
                Some(&(_, opening)) => (CodeKind::Close, opening),
                None => (CodeKind::Standalone, id),
            },
            CodeKind::Standalone => (CodeKind::Standalone, id),
        };
        codes.push((
            line,
            Code {
                kind,
                id,
                pair: pair_id,
                markup: source[range.clone()].to_string(),
                at: text.len(),
            },
        ));
    }
    text.push_str(&source[last..]);
    // Pairs across lines stand alone.
    let lines: Vec<usize> = codes.iter().map(|(line, _)| *line).collect();
    let mut codes: Vec<Code> = codes.into_iter().map(|(_, c)| c).collect();
    for i in 0..codes.len() {
        if codes[i].kind == CodeKind::Close {
            let opening = codes[i].pair;
            if lines[opening] != lines[i] {
                codes[opening].kind = CodeKind::Standalone;
                codes[i].kind = CodeKind::Standalone;
                codes[i].pair = i;
            }
        }
    }
    (text, codes, verbatim)
}

fn is_span(end: pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd;
    matches!(
        end,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_becomes_codes_around_its_words() {
        let source = "## Un **titre** fort\n\n- Voir [l'OTAN](https://nato.int) et `make all`.\nFin *simple*.";
        let (text, codes, _) = parse(source);
        assert_eq!(text, "## Un titre fort\n\n- Voir l'OTAN et .\nFin simple.");
        let markups: Vec<(&str, CodeKind, usize)> = codes
            .iter()
            .map(|c| (c.markup.as_str(), c.kind, c.at))
            .collect();
        assert_eq!(
            markups,
            [
                ("**", CodeKind::Open, 6),
                ("**", CodeKind::Close, 11),
                ("[", CodeKind::Open, 25),
                ("](https://nato.int)", CodeKind::Close, 31),
                ("`make all`", CodeKind::Standalone, 35),
                ("*", CodeKind::Open, 41),
                ("*", CodeKind::Close, 47),
            ]
        );
        assert_eq!(codes[1].pair, codes[0].id);
    }

    #[test]
    fn plain_text_and_escapes_stay_as_they_are() {
        let source = "Un texte \\*sans\\* balisage, 3 * 4 = 12.";
        let (text, codes, verbatim) = parse(source);
        assert_eq!(text, source);
        assert!(codes.is_empty() && verbatim.is_empty());
    }

    /// Regression: code blocks, HTML blocks, tables (pipes lost), link reference
    /// definitions (URLs lost) and comments went to the model as text.
    #[test]
    fn blocks_that_are_not_prose_are_kept_and_table_pipes_are_codes() {
        let source =
            "Un paragraphe [lien][otan].\n\n```sh\nmake *tout*\n```\n\n    code indenté\n\n\
                      <div class=\"x\">\nBloc HTML\n</div>\n\n<!-- un commentaire -->\n\n\
                      | Pays | Capitale |\n|------|----------|\n| France | Paris |\n\n\
                      [otan]: https://www.nato.int/fr \"OTAN\"\n";
        let (text, codes, verbatim) = parse(source);
        let lines: Vec<&str> = source.split('\n').collect();
        let kept: Vec<&str> = verbatim.iter().map(|&l| lines[l]).collect();
        assert_eq!(
            kept,
            [
                "```sh",
                "make *tout*",
                "```",
                "    code indenté",
                "<div class=\"x\">",
                "Bloc HTML",
                "</div>",
                "<!-- un commentaire -->",
                "|------|----------|",
                "[otan]: https://www.nato.int/fr \"OTAN\"",
            ]
        );
        let text_lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(text_lines[14], " Pays  Capitale ");
        assert_eq!(
            codes.iter().filter(|c| c.markup == "|").count(),
            6,
            "the pipes of both rows"
        );
    }
}
