//! French sentence-boundary rules for one paragraph.
//!
//! A boundary is a run of terminal punctuation (`.`, `!`, `?`, `…`, `...`), optionally
//! followed by closing quotes or brackets, then white space, then something that can start a
//! sentence (a capital, a digit, an opening quote or a dialogue dash). The exceptions are
//! what makes French news hard: titles (`M.`, `Mme`, `Dr`), initials (`George W. Bush`),
//! dotted acronyms (`U.E.`), `J.-C.`, abbreviations followed by a number (`p. 12`, `art. 3`),
//! and anything inside `« … »`. The rules are written as a single left-to-right scan so that
//! segmentation stays a small share of the pipeline's cost (over 100 MB/s on one core,
//! `cargo bench --bench segment`).
//!
//! Why hand-written rules rather than a library: on the French dev sets in ../shared
//! (`tools/segeval.py`, boundary F1), `sentencex` scored 97.00 on WMT newstest2012, 96.52 on
//! UD GSD, 89.59 on Sequoia and 95.03 on ParTUT (it splits after `M.` and breaks `J.-C.`);
//! LanguageTool's SRX rules through the `srx` crate scored 97.66, 97.74, 89.89 and 97.27.
//! These rules score 98.46, 98.48, 91.65 and 97.24: better on three sets, level on the
//! fourth, with a French layer (quotes, openers, labels) that neither library can express
//! without one of its own on top.

use std::ops::Range;

/// Titles: a full stop after them never ends a sentence, since a name follows
/// (`M. Le Pen`, `Dr. Martin`). Compared case-sensitively with the word before the stop.
const TITLES: &[&str] = &[
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Drs", "Pr", "Me", "Mgr", "St", "Ste", "Sts",
    "Stes", "Gén", "Gal", "Col", "Cdt", "Lt", "Sgt", "Mr", "Mrs", "Ms",
];

/// Abbreviations after which a full stop usually does not end a sentence, unless a common
/// sentence opener follows (see [`SENTENCE_OPENERS`]).
const ABBREVIATIONS: &[&str] = &[
    "p", "pp", "cf", "Cf", "art", "Art", "vol", "Vol", "chap", "éd", "ed", "fig", "Fig", "no", "n",
    "N", "env", "av", "apr", "ex", "coll", "op", "cit", "ibid", "id", "resp", "réf", "tél", "Tél",
    "dir", "trad", "approx", "Jr", "Sr",
];

/// Capitalised words that start sentences far more often than they continue names:
/// after an ambiguous stop (`U.E.`, `av. J.-C.`, `etc.`), they mean a new sentence.
const SENTENCE_OPENERS: &[&str] = &[
    "Le",
    "La",
    "Les",
    "L'",
    "Un",
    "Une",
    "Des",
    "Ce",
    "Cet",
    "Cette",
    "Ces",
    "Il",
    "Elle",
    "Ils",
    "Elles",
    "On",
    "Nous",
    "Vous",
    "Je",
    "J'",
    "C'",
    "D'",
    "Qu'",
    "Ça",
    "Cela",
    "Mais",
    "Et",
    "Or",
    "Donc",
    "Car",
    "Puis",
    "Selon",
    "Pour",
    "Dans",
    "En",
    "Au",
    "Aux",
    "Du",
    "Depuis",
    "Après",
    "Avant",
    "Lors",
    "Si",
    "Quand",
    "Lorsque",
    "Alors",
    "Ainsi",
    "Par",
    "Sur",
    "Avec",
    "Sans",
    "Son",
    "Sa",
    "Ses",
    "Leur",
    "Leurs",
    "Notre",
    "Nos",
    "Mon",
    "Ma",
    "Mes",
    "Qui",
    "Que",
    "Quel",
    "Quelle",
    "Quels",
    "Quelles",
    "Comment",
    "Pourquoi",
    "Toutefois",
    "Pourtant",
    "Cependant",
    "Enfin",
    "Aujourd",
    "Hier",
    "Demain",
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
    let roles: Vec<Option<QuoteRole>> = (0..chars.len()).map(|k| quote_role(&chars, k)).collect();
    // A `«` opens a quoted passage only if the next guillemet after it is a `»`: a stray
    // `«` (a quote cut off by the source, or never closed) must not swallow the rest of
    // the paragraph. Nested guillemets are rare in French, which nests with “ ”.
    let mut closed_later = vec![false; chars.len()];
    let mut next_guillemet: Option<char> = None;
    for k in (0..chars.len()).rev() {
        match chars[k].1 {
            '«' => {
                closed_later[k] = next_guillemet == Some('»');
                next_guillemet = Some('«');
            }
            '»' => next_guillemet = Some('»'),
            _ => {}
        }
    }
    let mut sentences = Vec::new();
    let mut start = 0usize;
    let mut in_guillemets = false;
    let mut straight_open = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        match (c, roles[i]) {
            ('«', _) => in_guillemets = closed_later[i],
            ('»', _) => in_guillemets = false,
            (_, Some(QuoteRole::Open)) => straight_open = true,
            (_, Some(QuoteRole::Close)) => straight_open = false,
            (_, Some(QuoteRole::Either)) => straight_open = !straight_open,
            _ => {}
        }
        if let Some(next) = quote_follows_quote(&chars, &roles, i) {
            push_trimmed(text, start..chars[i].0 + c.len_utf8(), &mut sentences);
            start = chars[next].0;
            i = next;
            continue;
        }
        if c == ';' {
            if let Some(next) = opener_after_semicolon(text, &chars, i) {
                push_trimmed(text, start..chars[i].0 + 1, &mut sentences);
                start = chars[next].0;
                i = next;
                continue;
            }
        }
        if c == ':' {
            if let Some(next) = label_end(text, &chars, start, i) {
                let end_byte = chars[i].0 + 1;
                push_trimmed(text, start..end_byte, &mut sentences);
                start = chars[next].0;
                i = next;
                continue;
            }
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
        let run_end = i;
        // Closing quotes and brackets: attached ("fin." », "fin.)"), or after a (no-break)
        // space for a French `»` and for a straight quote that is open ("fin. »").
        let mut end = run_end;
        loop {
            let mut k = end;
            while k < chars.len() && is_space(chars[k].1) {
                k += 1;
            }
            let Some(&(_, closer)) = chars.get(k) else {
                break;
            };
            let attached = k == end;
            let closes = match closer {
                '»' => true,
                '"' => attached || straight_open,
                '”' => true,
                c => attached && is_closing(c),
            };
            if !closes {
                break;
            }
            match closer {
                '»' => in_guillemets = false,
                '"' => straight_open = false,
                _ => {}
            }
            end = k + 1;
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
        // Inside « … » a quoted passage stays whole. Straight quotes are too often unbalanced
        // or wrapped around several sentences in news text to be trusted the same way.
        if in_guillemets {
            continue;
        }
        let single_stop = run_end - run_start == 1 && chars[run_start].1 == '.';
        if single_stop && !ends_sentence_after_stop(text, start, chars[run_start].0, chars[next].0)
        {
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

/// Two quotations side by side are two utterances: `"… institutions" "Je ne …"` or
/// `« … » « Nous … »`, even without a full stop between them. Returns where the second
/// starts when the closing quote at `close` is followed by an opening quote and a capital.
fn quote_follows_quote(
    chars: &[(usize, char)],
    roles: &[Option<QuoteRole>],
    close: usize,
) -> Option<usize> {
    let closes = chars[close].1 == '»' || roles[close] == Some(QuoteRole::Close);
    if !closes || close == 0 || is_terminal(chars[close - 1].1) {
        return None;
    }
    let mut next = close + 1;
    while next < chars.len() && is_space(chars[next].1) {
        next += 1;
    }
    if next == close + 1 || next >= chars.len() {
        return None;
    }
    let opens = chars[next].1 == '«' || roles[next] == Some(QuoteRole::Open);
    let capital = chars[next + 1..]
        .iter()
        .find(|(_, c)| !is_space(*c))
        .is_some_and(|(_, c)| c.is_uppercase());
    (opens && capital).then_some(next)
}

/// French puts no capital after a semicolon, so "; Il …" or "; Les …" means the writer
/// ended a sentence there (common in lists and in text pasted from tables). A capitalised
/// name after the semicolon ("avec 91; Fernando Torres") does not count: only the common
/// sentence openers of [`SENTENCE_OPENERS`].
fn opener_after_semicolon(text: &str, chars: &[(usize, char)], semicolon: usize) -> Option<usize> {
    let mut next = semicolon + 1;
    if next >= chars.len() || !is_space(chars[next].1) {
        return None;
    }
    while next < chars.len() && is_space(chars[next].1) {
        next += 1;
    }
    let opener = next_word(&text[chars.get(next)?.0..]);
    SENTENCE_OPENERS.contains(&opener.as_str()).then_some(next)
}

/// The word at the start of `rest`, with its apostrophe when elided ("L'", "Qu'").
fn next_word(rest: &str) -> String {
    let letters_end = rest
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.len());
    match rest[letters_end..].chars().next() {
        Some('\'' | '’') => format!("{}'", &rest[..letters_end]),
        _ => rest[..letters_end].to_string(),
    }
}

/// A label closed by a colon ends a segment: "Zone euro: les taux grimpent",
/// "Histoire d'une marque: L'innovateur". Returns where the next segment starts when the
/// colon at `colon` closes a short label (at most [`LABEL_MAX_WORDS`] words since the
/// segment began) and a capital or an opening quote follows.
fn label_end(text: &str, chars: &[(usize, char)], start: usize, colon: usize) -> Option<usize> {
    let mut next = colon + 1;
    if next >= chars.len() || !is_space(chars[next].1) {
        return None;
    }
    while next < chars.len() && is_space(chars[next].1) {
        next += 1;
    }
    let first = chars.get(next)?.1;
    if !(first.is_uppercase() || matches!(first, '"' | '“')) {
        return None;
    }
    // Only at the start of a paragraph, where headings and labels stand, and only with the
    // colon attached to its word: French running text puts a space before the colon
    // ("Il a ajouté : « Nous … »"), and that introduces a quote rather than ending a label.
    if start != 0 || colon == 0 || is_space(chars[colon - 1].1) || first == '«' {
        return None;
    }
    let label = &text[start..chars[colon].0];
    let words = label.split(is_space).filter(|w| !w.is_empty()).count();
    (words <= LABEL_MAX_WORDS).then_some(next)
}

const LABEL_MAX_WORDS: usize = 6;

/// What a straight double quote does, judged from its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteRole {
    /// After a space, before a word: `dit "Bonjour`.
    Open,
    /// After a word, before a space or punctuation: `Bonjour" dit`.
    Close,
    /// Spaces on both sides (`" Nous "`): it toggles.
    Either,
}

/// The role of the straight double quote at `k`, or `None` for any other character and
/// for a quote between two letters, which is a mistyped apostrophe (`jusqu"à`).
fn quote_role(chars: &[(usize, char)], k: usize) -> Option<QuoteRole> {
    if chars[k].1 != '"' {
        return None;
    }
    let before = k.checked_sub(1).map(|p| chars[p].1);
    let after = chars.get(k + 1).map(|&(_, c)| c);
    let open_side = before.is_none_or(|c| is_space(c) || matches!(c, '(' | '[' | '«' | '—' | '–'));
    let close_side = after.is_none_or(|c| is_space(c) || (c.is_ascii_punctuation() && c != '"'));
    match (open_side, close_side) {
        _ if before.is_some_and(char::is_alphabetic) && after.is_some_and(char::is_alphabetic) => {
            None
        }
        (true, false) => Some(QuoteRole::Open),
        (false, true) => Some(QuoteRole::Close),
        _ => Some(QuoteRole::Either),
    }
}

/// Decides whether a single full stop at byte `stop` ends a sentence, from the word before
/// it and the word that starts at byte `next`; `segment_start` is where the current
/// segment began.
fn ends_sentence_after_stop(text: &str, segment_start: usize, stop: usize, next: usize) -> bool {
    let before = &text[..stop];
    let word_start = before
        .rfind(|c: char| is_space(c) || matches!(c, '(' | '«' | '"' | '“' | '[' | '/'))
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    // "(etc.)." or "« U.E. »." : the stop follows a closed bracket or quote, so whatever
    // was abbreviated inside it, this stop ends the sentence.
    if word.is_empty() || word.ends_with([')', ']', '»', '"', '”']) {
        return true;
    }
    if TITLES.contains(&word) {
        return false;
    }
    // "1. Tout individu …": a number opening its segment is a list label, not a sentence.
    let opens_segment = text[segment_start.min(word_start)..word_start]
        .trim_matches(is_space)
        .is_empty();
    if opens_segment && word.len() <= 3 && word.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // The next word, with its apostrophe when elided ("L'", "Qu'").
    let rest = &text[next..];
    let letters_end = rest
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(rest.len());
    let next_word = match rest[letters_end..].chars().next() {
        Some('\'' | '’') => format!("{}'", &rest[..letters_end]),
        _ => rest[..letters_end].to_string(),
    };
    let opener_follows = SENTENCE_OPENERS.contains(&next_word.as_str());
    if ABBREVIATIONS.contains(&word) {
        return opener_follows;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    // An initial: "George W. Bush", "J. A. Howe". Names follow initials, so even an opener
    // ("J. Le Goff") does not end the sentence.
    if letters == 1 && word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return false;
    }
    // Dotted acronyms and abbreviations with inner stops: "U.E.", "J.-C.", "p.ex.".
    if word.contains('.') && word.chars().any(char::is_alphabetic) {
        let parts_are_short = word.split(['.', '-']).all(|part| part.chars().count() <= 3);
        if parts_are_short {
            return opener_follows;
        }
    }
    // A short lower-case word such as "p." or "chap." followed by a number is a reference,
    // not the end of a sentence.
    let next_is_digit = text[next..].starts_with(|c: char| c.is_ascii_digit());
    let short_lower = letters <= 3 && word.chars().all(|c| c.is_alphabetic() && c.is_lowercase());
    !(next_is_digit && short_lower)
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
            split(
                "En 52 av. J.-C. César gagna. Les pays de l'U.E. Votent. Fin de l'U.E. Les autres."
            ),
            [
                "En 52 av. J.-C. César gagna.",
                "Les pays de l'U.E. Votent.",
                "Fin de l'U.E.",
                "Les autres."
            ]
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
    fn straight_quotes_open_and_close() {
        assert_eq!(
            split("Il a mangé des gâteaux. \"Le plus grave\", dit-il, \"est le sucre.\" Puis il part."),
            [
                "Il a mangé des gâteaux.",
                "\"Le plus grave\", dit-il, \"est le sucre.\"",
                "Puis il part."
            ]
        );
        assert_eq!(
            split("\"Jouez avec cela\" a-t-il dit. \"Vous verrez.\" Fin."),
            [
                "\"Jouez avec cela\" a-t-il dit.",
                "\"Vous verrez.\"",
                "Fin."
            ]
        );
    }

    #[test]
    fn an_unclosed_guillemet_does_not_swallow_the_paragraph() {
        assert_eq!(
            split("« Tu es las ? Les autres viennent. Ils partent."),
            ["« Tu es las ?", "Les autres viennent.", "Ils partent."]
        );
    }

    #[test]
    fn an_abbreviation_before_a_sentence_opener_ends_the_sentence() {
        assert_eq!(
            split("Voir p. 12 et cf. Dupont. Des pommes, des poires, etc. Le reste suit."),
            [
                "Voir p. 12 et cf. Dupont.",
                "Des pommes, des poires, etc.",
                "Le reste suit."
            ]
        );
    }

    #[test]
    fn side_by_side_quotations_are_two_segments() {
        assert_eq!(
            split("\"Il a de grandes capacités\" \"Il serait capable\", dit-il."),
            [
                "\"Il a de grandes capacités\"",
                "\"Il serait capable\", dit-il."
            ]
        );
        assert_eq!(
            split("le mot \"oui\" \"non\" aussi"),
            ["le mot \"oui\" \"non\" aussi"]
        );
    }

    #[test]
    fn a_list_number_stays_with_its_item() {
        assert_eq!(
            split("Dans le monde. 1. Tout individu a droit. 2. Nul ne peut."),
            [
                "Dans le monde.",
                "1. Tout individu a droit.",
                "2. Nul ne peut."
            ]
        );
    }

    #[test]
    fn a_capitalised_opener_after_a_semicolon_starts_a_sentence() {
        assert_eq!(
            split("Il vient; Les autres partent. Avec 91; Fernando Torres, avec 81."),
            [
                "Il vient;",
                "Les autres partent.",
                "Avec 91; Fernando Torres, avec 81."
            ]
        );
    }

    #[test]
    fn a_label_with_a_colon_opens_a_paragraph() {
        assert_eq!(
            split("Zone euro: Les taux grimpent."),
            ["Zone euro:", "Les taux grimpent."]
        );
        assert_eq!(
            split("Il a ajouté : « Nous partons. »"),
            ["Il a ajouté : « Nous partons. »"]
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
