//! Splitting sentences that are too long for the model.
//!
//! OPUS-MT was trained on sentences, and CTranslate2 cuts its input at `max_input_length`:
//! a 300-token sentence would lose its end, and long inputs translate worse anyway. Such a
//! sentence is cut at clause boundaries, the strongest first (`;`, `:`, dashes, commas),
//! each cut as close to the middle as the punctuation allows, until every piece fits. The
//! pieces are translated separately and rejoined, so the alignment stays one row per source
//! sentence.

use std::ops::Range;

/// Clause separators, strongest first. A cut goes after the separator.
const SEPARATORS: &[&str] = &["; ", ": ", " — ", " – ", " - ", ", "];

/// Splits `text` into pieces that each satisfy `fits`, as trimmed byte ranges that cover
/// every non-space character in order. A piece with no place to cut is kept whole.
pub fn split_long(text: &str, fits: &dyn Fn(&str) -> bool) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    split_range(text, trimmed(text, 0..text.len()), fits, &mut pieces);
    pieces
}

fn split_range(
    text: &str,
    range: Range<usize>,
    fits: &dyn Fn(&str) -> bool,
    out: &mut Vec<Range<usize>>,
) {
    if range.is_empty() {
        return;
    }
    let piece = &text[range.clone()];
    if fits(piece) {
        out.push(range);
        return;
    }
    let middle = piece.len() / 2;
    let cut = SEPARATORS
        .iter()
        .find_map(|sep| nearest(piece, middle, |p| piece[p..].starts_with(sep), sep.len()))
        .or_else(|| {
            nearest(
                piece,
                middle,
                |p| piece[p..].starts_with(char::is_whitespace),
                1,
            )
        });
    match cut {
        Some(cut) => {
            let left = trimmed(text, range.start..range.start + cut);
            let right = trimmed(text, range.start + cut..range.end);
            if left.is_empty() || right.is_empty() {
                out.push(range);
                return;
            }
            split_range(text, left, fits, out);
            split_range(text, right, fits, out);
        }
        None => out.push(range),
    }
}

/// The cut point (after a match of `len` bytes) nearest to `middle`, never at either end.
fn nearest(
    piece: &str,
    middle: usize,
    matches: impl Fn(usize) -> bool,
    len: usize,
) -> Option<usize> {
    piece
        .char_indices()
        .map(|(p, _)| p)
        .filter(|&p| p > 0 && matches(p) && p + len < piece.len())
        .map(|p| p + len)
        .min_by_key(|&cut| cut.abs_diff(middle))
}

fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    if lead == slice.len() {
        return range.start..range.start;
    }
    range.start + lead..range.end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, max_words: usize) -> Vec<&str> {
        let fits = move |s: &str| s.split_whitespace().count() <= max_words;
        split_long(text, &fits)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(pieces("Une phrase courte.", 10), ["Une phrase courte."]);
    }

    #[test]
    fn cuts_at_the_strongest_separator_first() {
        assert_eq!(
            pieces("Le texte, assez long, continue ; la suite vient, enfin.", 6),
            ["Le texte, assez long, continue ;", "la suite vient, enfin."]
        );
    }

    #[test]
    fn cuts_at_commas_then_spaces_until_every_piece_fits() {
        let text = "un deux trois quatre, cinq six sept huit, neuf dix onze douze treize quatorze";
        let out = pieces(text, 3);
        assert!(
            out.iter().all(|p| p.split_whitespace().count() <= 3),
            "{out:?}"
        );
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squeeze(&out.concat()), squeeze(text));
    }

    #[test]
    fn text_without_any_cut_point_stays_whole() {
        assert_eq!(pieces("motsanscoupure", 0), ["motsanscoupure"]);
    }
}
