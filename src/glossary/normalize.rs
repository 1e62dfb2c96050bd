//! The normalised view of a text that glossary matching works on, with a byte map back.
//!
//! Folding is done character by character so that every byte of the view knows which byte
//! of the original it came from: spans found in the view are exact spans in the original.

use caseless::Caseless;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

/// A normalised copy of a text and, for each of its bytes, the offset of the original
/// character it came from (plus one entry for the end of the text).
#[derive(Debug, Clone)]
pub(crate) struct Normalized {
    pub text: String,
    /// `origin[i]` is the byte offset in the original of the character that produced byte
    /// `i` of `text`; `origin[text.len()]` is the original's length.
    pub origin: Vec<usize>,
}

impl Normalized {
    /// Builds the view. With `fold_case`, letters are lower-cased. Each character and the
    /// combining marks after it are composed to Unicode NFC together (`e` + U+0301 → `é`),
    /// so decomposed text, as some editors and PDFs produce, matches composed terms.
    pub(super) fn new(original: &str, fold_case: bool) -> Normalized {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        let mut chars = original.char_indices().peekable();
        let mut cluster = String::new();
        while let Some((offset, c)) = chars.next() {
            cluster.clear();
            cluster.push(c);
            while let Some(&(_, mark)) = chars.peek() {
                if canonical_combining_class(mark) == 0 {
                    break;
                }
                cluster.push(mark);
                chars.next();
            }
            let before = text.len();
            let composed: String = if cluster.is_ascii() {
                cluster.clone()
            } else {
                cluster.nfc().collect()
            };
            for c in composed.chars() {
                match fold_char(c) {
                    Folded::Drop => {}
                    // Unicode's full case folding, not lower-casing: `STRASSE` and `straße`
                    // are one word, and so are `ſ` and `s`.
                    Folded::Char(c) if fold_case => {
                        text.extend(std::iter::once(c).default_case_fold())
                    }
                    Folded::Char(c) => text.push(c),
                }
            }
            origin.extend(std::iter::repeat_n(offset, text.len() - before));
        }
        origin.push(original.len());
        Normalized { text, origin }
    }

    /// Maps a byte range of the view back to the original.
    pub(super) fn original_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.origin[range.start];
        // The end is the start of the first original character after the range.
        let end = if range.end < self.text.len() {
            self.origin[range.end]
        } else {
            *self.origin.last().expect("origin always has the end entry")
        };
        start..end
    }
}

enum Folded {
    Drop,
    Char(char),
}

/// Unifies the characters that vary between spellings of one term.
fn fold_char(c: char) -> Folded {
    match c {
        // Soft hyphen: invisible, left by copy-paste from pages.
        '\u{00AD}' => Folded::Drop,
        // Right and left single quotes, modifier apostrophe, prime, grave and acute accents
        // used as apostrophes.
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' | '`' | '\u{00B4}' => Folded::Char('\''),
        // Hyphens and dashes, non-breaking hyphen, minus sign.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => Folded::Char('-'),
        // No-break, narrow no-break, thin and other fixed-width spaces; tabs and newlines.
        '\u{00A0}' | '\u{202F}' | '\u{2000}'..='\u{200A}' | '\t' | '\n' | '\r' => Folded::Char(' '),
        c => Folded::Char(c),
    }
}

/// True for characters that continue a word, so a term cannot start or end next to them.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_back_through_multibyte_folds() {
        let n = Normalized::new("L\u{2019}ÉTAT\u{00A0}x", true);
        assert_eq!(n.text, "l'état x");
        let start = n.text.find("état").unwrap();
        let range = n.original_range(start..start + "état".len());
        assert_eq!(&"L\u{2019}ÉTAT\u{00A0}x"[range], "ÉTAT");
    }

    #[test]
    fn folds_case_as_unicode_does() {
        assert_eq!(
            Normalized::new("STRASSE", true).text,
            Normalized::new("straße", true).text
        );
        assert_eq!(Normalized::new("İstanbul", true).text, "i\u{307}stanbul");
        let original = "Die Straße";
        let n = Normalized::new(original, true);
        let start = n.text.find("strasse").unwrap();
        assert_eq!(
            &original[n.original_range(start..start + "strasse".len())],
            "Straße"
        );
    }

    #[test]
    fn drops_soft_hyphens() {
        let original = "indo\u{00AD}pacifique";
        let n = Normalized::new(original, true);
        assert_eq!(n.text, "indopacifique");
        assert_eq!(&original[n.original_range(0..n.text.len())], original);
    }
}
