//! Inline codes: the markup inside a paragraph that is not text (`<a href="…">`, `</b>`,
//! XLIFF `<x id="1"/>`, a `<code>` element kept whole), and what happens to it on the way
//! through the stages.
//!
//! A reader takes the codes out of the text and records where each one sat ([`Code::at`]);
//! segmentation never splits a sentence between an opening code and its closing code; the
//! glossary stage puts a protected token in the model input for each code, numbered after
//! the glossary's own placeholders (one mechanism for both); after translation,
//! [`place`] finds the tokens in the output and takes them out again, so every stage works on
//! plain text and the codes travel beside it as positions. When the model lost, repeated or
//! misnested a token, [`project`] places every code by the words it enclosed or by its
//! relative position instead: a code is never lost or duplicated, and the row is flagged
//! (`xmltags`). [`render`] puts the codes back into a text for each output format.
//!
//! Shared by every stage from read to write, like `files`: it is data and pure functions,
//! not a stage.

use serde::{Deserialize, Serialize};

/// What a code does to the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeKind {
    /// Opens a span (`<b>`, `<g id="1">`, `<pc>`): its closing code follows.
    Open,
    /// Closes the span its [`Code::pair`] opened.
    Close,
    /// Stands alone (`<br>`, `<x/>`, an image, a whole `<code>` element).
    Standalone,
}

/// One inline code of a paragraph or sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub kind: CodeKind,
    /// The code's number in its article, from 0, in source order.
    pub id: usize,
    /// The `id` of the opening code of the span this code belongs to (its own for an
    /// opening or a standalone code): an opening code and its closing code share it.
    pub pair: usize,
    /// The markup exactly as the source has it.
    pub markup: String,
    /// Byte offset in the text where the code sits: in the article text when read, in the
    /// sentence once segmented.
    pub at: usize,
}

/// The `pair` of code `id` when an article's codes are read in source order, `open` holding
/// the ids of the spans still open: a closing code belongs to the innermost open span (to
/// itself when none is open).
pub fn pair_in_order(kind: CodeKind, id: usize, open: &mut Vec<usize>) -> usize {
    match kind {
        CodeKind::Open => {
            open.push(id);
            id
        }
        CodeKind::Close => open.pop().unwrap_or(id),
        CodeKind::Standalone => id,
    }
}

/// Where a code went in a translation: the code's index in its sentence's codes, and the
/// byte offset in the translated text. Listed in the order the codes appear in the target.
pub type Placed = (usize, usize);

/// The token standing for a code, or a glossary placeholder, in a model input: short,
/// Latin, capitals and digits, which translation models copy through like an acronym.
pub fn token(n: usize) -> String {
    format!("XPH{n}X")
}

/// A model input being built: text, and the codes' tokens as words of their own.
#[derive(Debug, Default)]
pub struct ModelInput {
    text: String,
    /// The last thing added was a token (followed by the space that makes it a word).
    after_token: bool,
}

impl ModelInput {
    /// Appends a code's token, as a word of its own.
    pub fn push_token(&mut self, token: &str) {
        if !self.text.is_empty() && !self.text.ends_with(char::is_whitespace) {
            self.text.push(' ');
        }
        self.text.push_str(token);
        self.text.push(' ');
        self.after_token = true;
    }

    /// Appends text. After a token, the space it left is not doubled by the text's own
    /// whitespace, and punctuation stays against the token as it was against the code
    /// (`</a>,`).
    pub fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.after_token
            && (text.starts_with(char::is_whitespace) || text.starts_with(is_closing_punctuation))
        {
            self.text.pop();
        }
        self.text.push_str(text);
        self.after_token = false;
    }

    /// The input, without the space a token at its very end left.
    pub fn finish(mut self) -> String {
        if self.after_token {
            self.text.pop();
        }
        self.text
    }
}

fn is_closing_punctuation(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']' | '…' | '»' | '”'
    )
}

/// Appends text read from markup to a paragraph being built: runs of ASCII whitespace as
/// one space, none at the start (how HTML and XLIFF read spacing; a no-break space is a
/// character). A space right after a code, at `last_code_at`, is kept even after a space
/// before it (`a <code>x</code> b`): the code sits between two words.
pub fn push_collapsed(text: &mut String, piece: &str, last_code_at: Option<usize>) {
    for c in piece.chars() {
        if c.is_ascii_whitespace() {
            let after_code = last_code_at == Some(text.len());
            if !text.is_empty() && (!text.ends_with(' ') || after_code) {
                text.push(' ');
            }
        } else {
            text.push(c);
        }
    }
}

/// A translation with its codes taken out and placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The translation without the tokens.
    pub text: String,
    pub placed: Vec<Placed>,
    /// True when the model kept every token once and well nested, so each code sits where
    /// the model put it; false when they were placed by [`project`].
    pub exact: bool,
}

/// Takes the codes' tokens (`tokens[i]` stands for `codes[i]`) out of a translation. When
/// each token is there exactly once and the spans nest, the codes go where the tokens were;
/// otherwise every token is removed and the codes are projected from the source.
pub fn place(
    translation: &str,
    tokens: &[String],
    codes: &[Code],
    source: &str,
    anchors: &[Anchor],
) -> Placement {
    let mut found: Vec<(usize, usize)> = Vec::new(); // (byte offset, code index)
    let mut exact = true;
    for (i, token) in tokens.iter().enumerate() {
        let hits: Vec<usize> = translation
            .match_indices(token.as_str())
            .map(|(at, _)| at)
            .collect();
        exact &= hits.len() == 1;
        found.extend(hits.into_iter().map(|at| (at, i)));
    }
    found.sort();
    let (text, positions) = remove_tokens(translation, tokens, codes, &found, source);
    if exact {
        let placed: Vec<Placed> = found
            .iter()
            .zip(&positions)
            .map(|(&(_, i), &at)| (i, at))
            .collect();
        if nests(codes, &placed) {
            return Placement {
                text,
                placed,
                exact: true,
            };
        }
    }
    let placed = project(source, codes, &text, anchors);
    Placement {
        text,
        placed,
        exact: false,
    }
}

/// Removes the tokens found (sorted by offset) with the space each one brought, and returns
/// the text and where each token was in it. An opening code keeps to the word after it, a
/// closing or standalone code to the word before it; where the source had no space on a
/// code's other side either (`l'<b>OTAN`, `bien</em>.`), the space there goes too.
fn remove_tokens(
    translation: &str,
    tokens: &[String],
    codes: &[Code],
    found: &[(usize, usize)],
    source: &str,
) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(translation.len());
    let mut positions = Vec::with_capacity(found.len());
    let mut last = 0;
    for &(at, i) in found {
        if at < last {
            // Overlapping tokens cannot happen with distinct numbers; skip defensively.
            positions.push(text.len());
            continue;
        }
        let mut before = &translation[last..at];
        let mut end = at + tokens[i].len();
        let after_space = translation[end..].starts_with(' ');
        let code_at = codes[i].at.min(source.len());
        let space_before_in_source =
            code_at == 0 || source[..code_at].ends_with(char::is_whitespace);
        let space_after_in_source =
            code_at == source.len() || source[code_at..].starts_with(char::is_whitespace);
        match codes[i].kind {
            // A line break kept as a code (XLIFF `xml:space="preserve"`) stands for the space
            // on both sides of it.
            _ if codes[i].markup.trim().is_empty() => {
                if before.ends_with(' ') {
                    before = &before[..before.len() - 1];
                }
                if after_space {
                    end += 1;
                }
            }
            CodeKind::Open => {
                if after_space {
                    end += 1;
                }
                if !space_before_in_source && before.ends_with(' ') {
                    before = &before[..before.len() - 1];
                }
            }
            // Between two spaces in the source: both stay, the code between them.
            CodeKind::Standalone if space_before_in_source && space_after_in_source => {}
            CodeKind::Close | CodeKind::Standalone => {
                if before.ends_with(' ') {
                    before = &before[..before.len() - 1];
                    if !space_after_in_source && after_space {
                        end += 1;
                    }
                } else if after_space {
                    end += 1;
                }
            }
        }
        text.push_str(before);
        positions.push(text.len());
        last = end;
    }
    text.push_str(&translation[last..]);
    // A token at the very start or end leaves no stray space behind.
    let trimmed_start = text.len() - text.trim_start().len();
    let text_trimmed = text.trim().to_string();
    let len = text_trimmed.len();
    let positions = positions
        .into_iter()
        .map(|p| p.saturating_sub(trimmed_start).min(len))
        .collect();
    (text_trimmed, positions)
}

/// True when, in target order, every closing code closes the innermost open span, every
/// span is closed, and each code appears once.
pub fn nests(codes: &[Code], placed: &[Placed]) -> bool {
    if placed.len() != codes.len() {
        return false;
    }
    let mut seen = vec![false; codes.len()];
    let mut open: Vec<usize> = Vec::new();
    for &(i, _) in placed {
        if i >= codes.len() || std::mem::replace(&mut seen[i], true) {
            return false;
        }
        let code = &codes[i];
        match code.kind {
            CodeKind::Open => open.push(code.pair),
            CodeKind::Close => {
                if open.pop() != Some(code.pair) {
                    return false;
                }
            }
            CodeKind::Standalone => {}
        }
    }
    open.is_empty()
}

/// A stretch of the source whose translation is known (a glossary term and its target), to
/// find the words a span enclosed in the translation.
pub type Anchor = (std::ops::Range<usize>, String);

/// Places every code in a translation without the model's help, in source order (which
/// nests, as the source does): a span around the translation of the words it enclosed when
/// it can be found (the words themselves when they come through unchanged, such as names
/// and numbers, or the glossary target of the term they hold), otherwise each code at its
/// relative position in the source, moved to the nearest word boundary.
pub fn project(source: &str, codes: &[Code], target: &str, anchors: &[Anchor]) -> Vec<Placed> {
    let source_len = source.len().max(1);
    let mut wanted: Vec<usize> = codes
        .iter()
        .map(|code| {
            let at = code.at.min(source.len()) * target.len() / source_len;
            snap(target, at, code.kind)
        })
        .collect();
    // Spans whose words were copied: put the span around them.
    for (i, open) in codes.iter().enumerate() {
        if open.kind != CodeKind::Open {
            continue;
        }
        let Some(j) = codes
            .iter()
            .position(|c| c.kind == CodeKind::Close && c.pair == open.pair)
        else {
            continue;
        };
        let span = open.at.min(codes[j].at)..codes[j].at;
        let inner = source.get(span.clone()).unwrap_or("").trim();
        let terms: Vec<&str> = anchors
            .iter()
            .filter(|(range, _)| range.start >= span.start && range.end <= span.end)
            .map(|(_, target)| target.as_str())
            .collect();
        let candidates = std::iter::once(inner)
            .filter(|inner| inner.chars().count() >= 2)
            .chain((terms.len() == 1).then(|| terms[0]));
        let found = candidates
            .filter(|c| !c.is_empty())
            .find_map(|c| target.find(c).map(|at| (at, at + c.len())));
        if let Some((start, end)) = found {
            wanted[i] = start;
            wanted[j] = end;
        } else if wanted[j] <= wanted[i] {
            // A span around words keeps at least the word it starts at.
            let from = wanted[i].min(target.len());
            let word_end = target[from..]
                .find(char::is_whitespace)
                .map_or(target.len(), |n| from + n);
            wanted[j] = word_end;
        }
    }
    // Source order with non-decreasing positions keeps the source's nesting.
    let mut floor = 0;
    wanted
        .into_iter()
        .enumerate()
        .map(|(i, at)| {
            floor = floor.max(at);
            (i, floor)
        })
        .collect()
}

/// The word boundary nearest to a byte offset: the start of a word for an opening code, the
/// end of one for the others.
fn snap(text: &str, at: usize, kind: CodeKind) -> usize {
    let at = at.min(text.len());
    let is_boundary = |i: usize| -> bool {
        if !text.is_char_boundary(i) {
            return false;
        }
        match kind {
            CodeKind::Open => i == 0 || text[..i].ends_with(char::is_whitespace),
            _ => i == text.len() || text[i..].starts_with(char::is_whitespace),
        }
    };
    (0..=text.len())
        .filter(|&i| is_boundary(i))
        .min_by_key(|&i| i.abs_diff(at))
        .unwrap_or(at)
}

/// A text with its codes put back: each stretch of text through `text_to`, each code through
/// `code_to`, in target order.
pub fn render(
    text: &str,
    codes: &[Code],
    placed: &[Placed],
    text_to: impl Fn(&str) -> String,
    code_to: impl Fn(&Code) -> String,
) -> String {
    let mut out = String::with_capacity(text.len() + 16 * placed.len());
    let mut last = 0;
    for &(i, at) in placed {
        let at = at.clamp(last, text.len());
        out += &text_to(&text[last..at]);
        if let Some(code) = codes.get(i) {
            out += &code_to(code);
        }
        last = at;
    }
    out += &text_to(&text[last..]);
    out
}

/// The codes of a source sentence where the source has them, in order.
pub fn in_source_order(codes: &[Code]) -> Vec<Placed> {
    codes.iter().enumerate().map(|(i, c)| (i, c.at)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `<a>` … `</a>` around `at`..`end`, and a `<br/>` at `br`.
    fn codes(at: usize, end: usize, br: usize) -> Vec<Code> {
        let code = |kind, id, pair, markup: &str, at| Code {
            kind,
            id,
            pair,
            markup: markup.into(),
            at,
        };
        vec![
            code(CodeKind::Open, 0, 0, "<a href=\"x\">", at),
            code(CodeKind::Close, 1, 0, "</a>", end),
            code(CodeKind::Standalone, 2, 2, "<br/>", br),
        ]
    }

    fn tokens(n: usize) -> Vec<String> {
        (1..=n).map(token).collect()
    }

    fn show(p: &Placement, codes: &[Code]) -> String {
        render(&p.text, codes, &p.placed, str::to_string, |c| {
            c.markup.clone()
        })
    }

    #[test]
    fn tokens_the_model_kept_place_their_codes() {
        // "Selon <a href="x">l'OTAN</a>, c'est fini.<br/>"
        let source = "Selon l'OTAN, c'est fini.";
        let codes = codes(6, 12, 25);
        let p = place(
            "According to XPH1X NATO XPH2X , it's over. XPH3X",
            &tokens(3),
            &codes,
            source,
            &[],
        );
        assert!(p.exact);
        assert_eq!(
            show(&p, &codes),
            "According to <a href=\"x\">NATO</a>, it's over.<br/>"
        );
    }

    #[test]
    fn a_line_break_code_takes_the_spaces_around_its_token() {
        let newline = Code {
            kind: CodeKind::Standalone,
            id: 0,
            pair: 0,
            markup: "\n".into(),
            at: 9,
        };
        let codes = [newline];
        let p = place(
            "Line one, XPH1X line two.",
            &tokens(1),
            &codes,
            "Ligne un, ligne deux.",
            &[],
        );
        assert!(p.exact);
        assert_eq!(show(&p, &codes), "Line one,\nline two.");
    }

    #[test]
    fn lost_repeated_or_misnested_tokens_fall_back_to_projection() {
        let source = "Selon Paris, c'est fini.";
        let codes = codes(6, 11, 24);
        for output in [
            "According to Paris, it's over.",                    // lost
            "XPH1X According XPH1X to Paris XPH2X, over. XPH3X", // repeated
            "According XPH2X to XPH1X Paris, it's over. XPH3X",  // misnested
        ] {
            let p = place(output, &tokens(3), &codes, source, &[]);
            assert!(!p.exact, "{output}");
            assert!(!p.text.contains("XPH"), "{output}: {}", p.text);
            assert!(nests(&codes, &p.placed), "{output}");
            // The copied name is found again and the link goes around it.
            assert!(
                show(&p, &codes).contains("<a href=\"x\">Paris</a>"),
                "{}",
                show(&p, &codes)
            );
        }
    }

    #[test]
    fn a_span_around_a_glossary_term_goes_around_its_target() {
        // "Selon <a>l'OTAN</a>, rien." with OTAN → NATO (span 8..12).
        let source = "Selon l'OTAN, rien.";
        let codes = codes(6, 12, 19);
        let target = "According to the NATO, nothing.";
        let placed = project(source, &codes, target, &[(8..12, "NATO".into())]);
        let shown = render(target, &codes, &placed, str::to_string, |c| {
            c.markup.clone()
        });
        assert_eq!(
            shown,
            "According to the <a href=\"x\">NATO</a>, nothing.<br/>"
        );
    }

    #[test]
    fn projection_keeps_every_code_once_and_nested() {
        let source = "Le gouvernement a annoncé une réforme importante.";
        let codes = codes(3, 15, 50);
        let placed = project(
            source,
            &codes,
            "The government announced a major reform.",
            &[],
        );
        assert!(nests(&codes, &placed));
        let text = "The government announced a major reform.";
        let shown = render(text, &codes, &placed, str::to_string, |c| c.markup.clone());
        assert_eq!(shown.matches("<a href").count(), 1);
        assert_eq!(shown.matches("</a>").count(), 1);
        assert!(shown.ends_with("reform.<br/>"), "{shown}");
        // Empty translations still keep their codes.
        let placed = project(source, &codes, "", &[]);
        assert_eq!(
            render("", &codes, &placed, str::to_string, |c| c.markup.clone()),
            "<a href=\"x\"></a><br/>"
        );
    }

    #[test]
    fn model_inputs_give_tokens_words_of_their_own() {
        let mut out = ModelInput::default();
        out.push_text("Selon");
        out.push_token("XPH1X");
        out.push_text("l'OTAN");
        out.push_token("XPH2X");
        out.push_text(" a dit");
        assert_eq!(out.finish(), "Selon XPH1X l'OTAN XPH2X a dit");
    }

    /// A no-break space after a code (`</a>&nbsp;:`) is text like any other.
    #[test]
    fn a_no_break_space_after_a_token_is_kept() {
        let mut out = ModelInput::default();
        out.push_text("l'OTAN");
        out.push_token("XPH1X");
        out.push_text("\u{a0}: oui");
        assert_eq!(out.finish(), "l'OTAN XPH1X\u{a0}: oui");
    }

    /// Whatever the model does with the tokens (keeps, drops, repeats, swaps them), every
    /// code comes back exactly once and nested: checked over many generated sentences.
    #[test]
    fn no_code_is_ever_lost_or_duplicated() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let words = [
            "le", "chat", "OTAN", "dit", "que", "la", "région", "va", "bien", "1 200",
        ];
        let code = |kind, id, pair, markup: String, at| Code {
            kind,
            id,
            pair,
            markup,
            at,
        };
        let close = |codes: &mut Vec<Code>, pair: usize, at: usize| {
            let id = codes.len();
            codes.push(code(CodeKind::Close, id, pair, format!("</b{pair}>"), at));
        };
        for _ in 0..2000 {
            // A source of a few words with nested spans and standalone codes between them.
            let mut source = String::new();
            let mut codes: Vec<Code> = Vec::new();
            let mut open: Vec<usize> = Vec::new();
            for _ in 0..1 + next(8) {
                match next(4) {
                    0 => {
                        let id = codes.len();
                        open.push(id);
                        codes.push(code(
                            CodeKind::Open,
                            id,
                            id,
                            format!("<b{id}>"),
                            source.len(),
                        ));
                    }
                    1 if !open.is_empty() => {
                        close(&mut codes, open.pop().unwrap(), source.len());
                    }
                    2 => {
                        let id = codes.len();
                        codes.push(code(
                            CodeKind::Standalone,
                            id,
                            id,
                            format!("<x{id}/>"),
                            source.len(),
                        ));
                    }
                    _ => {}
                }
                if !source.is_empty() {
                    source.push(' ');
                }
                source.push_str(words[next(words.len())]);
            }
            while let Some(pair) = open.pop() {
                close(&mut codes, pair, source.len());
            }
            let tokens: Vec<String> = (1..=codes.len()).map(token).collect();
            // A "translation": words, and each token kept, dropped, doubled or moved.
            let mut pieces: Vec<String> = (0..1 + next(6))
                .map(|_| words[next(words.len())].to_string())
                .collect();
            for t in &tokens {
                match next(4) {
                    0 => {}
                    1 => {
                        pieces.insert(next(pieces.len() + 1), t.clone());
                        pieces.insert(next(pieces.len() + 1), t.clone());
                    }
                    _ => pieces.insert(next(pieces.len() + 1), t.clone()),
                }
            }
            let translation = pieces.join(" ");
            let p = place(&translation, &tokens, &codes, &source, &[]);
            assert!(
                nests(&codes, &p.placed),
                "{source:?} → {translation:?}: {:?}",
                p.placed
            );
            assert!(!p.text.contains("XPH"), "{translation:?} → {:?}", p.text);
            assert!(p
                .placed
                .iter()
                .all(|&(_, at)| at <= p.text.len() && p.text.is_char_boundary(at)));
        }
    }
}
