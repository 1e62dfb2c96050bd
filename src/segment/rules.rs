//! French sentence-boundary rules for one paragraph.
//!
//! A boundary is a run of terminal punctuation (`.`, `!`, `?`, `…`, `...`), optionally
//! followed by closing quotes or brackets, then white space, then something that can start a
//! sentence (a capital, a digit, an opening quote or a dialogue dash). The exceptions are
//! what makes French news hard: titles (`M.`, `Mme`, `Dr`), initials (`George W. Bush`),
//! dotted acronyms (`U.E.`), `J.-C.`, abbreviations followed by a number (`p. 12`, `art. 3`),
//! and anything inside `« … »`. The rules are written as a single left-to-right scan so that
//! segmentation stays a small share of the pipeline's cost.

use std::ops::Range;

/// Abbreviations after which a full stop does not end a sentence, compared case-sensitively
/// with the word before the stop (without the stop).
const ABBREVIATIONS: &[&str] = &[
    // Titles and honorifics.
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Me", "Mgr", "St", "Ste", "Sts",
    "Stes", "Gén", "Gal", "Col", "Cdt", "Lt", "Sgt", "Jr", "Sr", "Mr", "Mrs", "Ms",
    // References and citations.
    "p", "pp", "cf", "Cf", "art", "Art", "vol", "Vol", "chap", "éd", "ed", "fig", "Fig", "no", "n",
    "N", "env", "av", "apr", "ex", "coll", "op", "cit", "ibid", "id", "resp", "réf", "tél", "Tél",
    "dir", "trad", "approx",
];

/// Characters that may follow terminal punctuation and still belong to the sentence.
fn is_closing(c: char) -> bool {
    matches!(c, '»' | '"' | '”' | '’' | '\'' | ')' | ']' | '›')
}

/// Characters that may open a new sentence besides a capital letter or a digit.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '«' | '"' | '“' | '(' | '[' | '‹' | '—' | '–' | '-' | '¿' | '¡'
    )
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2009}')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Splits one paragraph into sentences, as byte ranges into `text`, trimmed of white space.
/// Every non-space character of `text` lies in exactly one range.
pub(crate) fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut sentences = Vec::new();
    let mut start = 0usize;
    let mut guillemets = 0i32;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        match c {
            '«' => guillemets += 1,
            '»' => guillemets = (guillemets - 1).max(0),
            _ => {}
        }
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        // The run of terminal punctuation: "?!", "...", "…".
        let run_start = i;
        while i < chars.len() && is_terminal(chars[i].1) {
            i += 1;
        }
        // Closing quotes and brackets, possibly after a (no-break) space: "fin. »".
        let mut end = i;
        let mut j = i;
        loop {
            let mut k = j;
            while k < chars.len() && is_space(chars[k].1) {
                k += 1;
            }
            if k < chars.len() && is_closing(chars[k].1) {
                if chars[k].1 == '»' {
                    guillemets = (guillemets - 1).max(0);
                }
                j = k + 1;
                end = j;
            } else {
                break;
            }
        }
        i = end;
        // A boundary needs white space after it, then a plausible sentence start.
        if end >= chars.len() || !is_space(chars[end].1) {
            continue;
        }
        let mut next = end;
        while next < chars.len() && is_space(chars[next].1) {
            next += 1;
        }
        let Some(&(_, next_char)) = chars.get(next) else {
            continue;
        };
        if !(next_char.is_uppercase() || next_char.is_ascii_digit() || is_opening(next_char)) {
            continue;
        }
        if guillemets > 0 {
            continue;
        }
        let run = &chars[run_start..i.min(chars.len())];
        let single_stop = run.len() == 1 && run[0].1 == '.';
        if single_stop && !ends_sentence_after_stop(text, chars[run_start].0, next_char) {
            continue;
        }
        let end_byte = chars.get(end).map_or(text.len(), |&(byte, _)| byte);
        push_trimmed(text, start..end_byte, &mut sentences);
        start = chars[next].0;
        i = next;
    }
    push_trimmed(text, start..text.len(), &mut sentences);
    sentences
}

/// Decides whether a single full stop at byte `stop` ends a sentence, from the word before
/// it and the character that follows the white space.
fn ends_sentence_after_stop(text: &str, stop: usize, next_char: char) -> bool {
    let before = &text[..stop];
    let word_start = before
        .rfind(|c: char| is_space(c) || matches!(c, '(' | '«' | '"' | '“' | '[' | '/'))
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    if word.is_empty() {
        return true;
    }
    if ABBREVIATIONS.contains(&word) {
        return false;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // An initial: "George W. Bush", "J. A. Howe".
    if letters == 1 && word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return false;
    }
    // Dotted acronyms and abbreviations with inner stops: "U.E.", "J.-C.", "p.ex.".
    if word.contains('.') && word.chars().any(char::is_alphabetic) {
        let parts_are_short = word.split(['.', '-']).all(|part| part.chars().count() <= 3);
        if parts_are_short {
            return false;
        }
    }
    // A short lower-case word such as "p." or "chap." followed by a number is a reference,
    // not the end of a sentence.
    let short_lower = letters <= 3 && word.chars().all(|c| c.is_alphabetic() && c.is_lowercase());
    !(next_char.is_ascii_digit() && short_lower)
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start_matches(is_space).len();
    let trail = slice.len() - slice.trim_end_matches(is_space).len();
    if lead + trail < slice.len() {
        out.push(range.start + lead..range.end - trail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn splits_plain_sentences() {
        assert_eq!(
            split("Il pleut. Le vent souffle ! Et après ? Rien."),
            ["Il pleut.", "Le vent souffle !", "Et après ?", "Rien."]
        );
    }

    #[test]
    fn keeps_titles_and_initials() {
        assert_eq!(
            split("M. Dupont et Mme Durand ont vu le Dr Martin. George W. Bush aussi."),
            [
                "M. Dupont et Mme Durand ont vu le Dr Martin.",
                "George W. Bush aussi."
            ]
        );
        assert_eq!(
            split("J. A. Howe et J.-P. Raffarin."),
            ["J. A. Howe et J.-P. Raffarin."]
        );
        assert_eq!(
            split("MM. Durand et Martin sont là."),
            ["MM. Durand et Martin sont là."]
        );
    }

    #[test]
    fn keeps_dotted_acronyms_and_era() {
        assert_eq!(
            split("En 52 av. J.-C. César gagna. Les pays de l'U.E. Votent."),
            ["En 52 av. J.-C. César gagna.", "Les pays de l'U.E. Votent."]
        );
    }

    #[test]
    fn keeps_decimals_and_references() {
        assert_eq!(
            split("Le taux est de 3.5 % voir p. 12 et art. 3 du texte. Fin."),
            [
                "Le taux est de 3.5 % voir p. 12 et art. 3 du texte.",
                "Fin."
            ]
        );
    }

    #[test]
    fn splits_before_a_year() {
        assert_eq!(
            split("Il est parti en mars. 2024 sera meilleure."),
            ["Il est parti en mars.", "2024 sera meilleure."]
        );
    }

    #[test]
    fn does_not_split_inside_guillemets() {
        assert_eq!(
            split("Il a dit : « C'est fini. Nous partons. » Puis il est parti."),
            [
                "Il a dit : « C'est fini. Nous partons. »",
                "Puis il est parti."
            ]
        );
        assert_eq!(
            split("« Jamais ! » a-t-il dit. Elle rit."),
            ["« Jamais ! » a-t-il dit.", "Elle rit."]
        );
        assert_eq!(
            split("«\u{202F}Fin.\u{202F}» Ensuite."),
            ["«\u{202F}Fin.\u{202F}»", "Ensuite."]
        );
    }

    #[test]
    fn ellipses_split_only_before_a_capital() {
        assert_eq!(
            split("Il hésita… puis partit... Le lendemain, rien."),
            ["Il hésita… puis partit...", "Le lendemain, rien."]
        );
    }

    #[test]
    fn no_break_space_before_question_mark() {
        assert_eq!(
            split("Pourquoi\u{00A0}? Parce que."),
            ["Pourquoi\u{00A0}?", "Parce que."]
        );
    }

    #[test]
    fn urls_and_versions_are_not_split() {
        assert_eq!(
            split("Voir www.example.fr et la version 2.0.1 du logiciel."),
            ["Voir www.example.fr et la version 2.0.1 du logiciel."]
        );
    }

    #[test]
    fn a_headline_without_final_stop_is_one_segment() {
        assert_eq!(
            split("Le secrétaire général à Tokyo"),
            ["Le secrétaire général à Tokyo"]
        );
        assert!(split("   ").is_empty());
    }
}
