//! Finding glossary terms in text: one Aho-Corasick automaton over all spellings of all
//! entries (given forms, variants, hyphenation variants, simple plurals), run on the
//! normalised view, longest match first, whole words only unless an entry says otherwise.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::normalize::{is_word_char, Normalized};
use super::{Entry, EntryStatus, TermMatch, TermStatus};

/// Which spellings of each term are looked for: French or English ones (hyphenation
/// variants and the plural by that language's rules), or the term exactly as written
/// (a forbidden `Indo Pacific` must not match the preferred `Indo-Pacific`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    French,
    English,
    Exact,
}

/// One spelling the automaton looks for.
#[derive(Debug, Clone)]
struct Pattern {
    entry: usize,
    /// Case-kept normalised form, for case-sensitive entries.
    form: String,
    /// A plural spelling: the target is pluralised too.
    plural: bool,
}

/// The compiled glossary.
#[derive(Debug, Clone)]
pub struct Matcher {
    entries: Vec<Entry>,
    automaton: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    /// Entries matched by a regular expression on the original text.
    regexes: Vec<(usize, Regex)>,
}

impl Matcher {
    /// Compiles French source terms.
    pub fn new(entries: Vec<Entry>) -> Matcher {
        Matcher::build(entries, Language::French)
    }

    /// A matcher that finds the target terms of the same entries (same indices) in
    /// English text, for verification.
    pub fn for_targets(entries: &[Entry]) -> Matcher {
        // Pattern entries have no fixed target; verification checks their text literally.
        // A forbidden target is nothing to verify (an empty term matches nothing).
        let targets = entries
            .iter()
            .map(|e| {
                let wanted = match e.status {
                    EntryStatus::Forbidden => "",
                    _ => e.target.as_str(),
                };
                let mut target = Entry::new(wanted, wanted, &e.origin);
                target.case_sensitive = false;
                target
            })
            .collect();
        Matcher::build(targets, Language::English)
    }

    /// A matcher of the targets of `entries` exactly as written, with each entry's case
    /// rule (same indices): what forbidden entries ban from translations.
    pub(super) fn for_forbidden(entries: &[Entry]) -> Matcher {
        let banned = entries
            .iter()
            .map(|e| Entry {
                case_sensitive: e.case_sensitive,
                whole_word: e.whole_word,
                ..Entry::new(&e.target, &e.target, &e.origin)
            })
            .collect();
        Matcher::build(banned, Language::Exact)
    }

    fn build(entries: Vec<Entry>, language: Language) -> Matcher {
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut regexes = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            if let Some(pattern) = &entry.pattern {
                // Checked when the glossary was loaded; an invalid one matches nothing.
                if let Ok(regex) = Regex::new(pattern) {
                    regexes.push((index, regex));
                }
                continue;
            }
            // A forbidden entry's source is no term to enforce: only its target is looked
            // for, in translations (`for_forbidden`).
            if entry.status == EntryStatus::Forbidden && language == Language::French {
                continue;
            }
            // This entry's patterns start here: duplicates are looked for among them only
            // (a scan of every pattern made building 100,000 entries quadratic).
            let first = patterns.len();
            let given = std::iter::once(&entry.source)
                .chain(&entry.variants)
                .filter(|s| !s.trim().is_empty());
            for spelling in given {
                if language == Language::Exact {
                    patterns.push(Pattern {
                        entry: index,
                        form: Normalized::new(spelling.trim(), false).text,
                        plural: false,
                    });
                    continue;
                }
                let mut forms: Vec<(String, bool)> = spellings(spelling)
                    .into_iter()
                    .map(|f| (f, false))
                    .collect();
                if !entry.case_sensitive && entry.whole_word {
                    let plural = match language {
                        Language::French => french_plural(spelling),
                        _ => english_plural(spelling),
                    };
                    if let Some(plural) = plural.filter(|p| p != spelling) {
                        forms.extend(spellings(&plural).into_iter().map(|f| (f, true)));
                    }
                    // A hyphenated compound (`indo-pacifique`, `franco-allemand`) is mostly
                    // an adjective: its last part takes the plural, with every spelling of
                    // the compound, and the English stays as it is (`Indo-Pacific routes`).
                    if language == Language::French {
                        if let Some(plural) = compound_plural(spelling) {
                            forms.extend(spellings(&plural).into_iter().map(|f| (f, false)));
                        }
                    }
                }
                for (form, plural) in forms {
                    if !patterns[first..].iter().any(|p| p.form == form) {
                        patterns.push(Pattern {
                            entry: index,
                            form,
                            plural,
                        });
                    }
                }
            }
        }
        let folded: Vec<String> = patterns
            .iter()
            .map(|p| Normalized::new(&p.form, true).text)
            .collect();
        let automaton = (!folded.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&folded)
                .expect("glossary patterns are small enough for Aho-Corasick")
        });
        Matcher {
            entries,
            automaton,
            patterns,
            regexes,
        }
    }

    /// All terms in `text`, left to right, the longest one where several overlap (the
    /// earlier entry where two are as long).
    pub fn find(&self, text: &str) -> Vec<TermMatch> {
        // Candidates: (start, end, entry, plural).
        let mut candidates: Vec<(usize, usize, usize, bool)> = Vec::new();
        if let Some(automaton) = &self.automaton {
            let folded = Normalized::new(text, true);
            for found in automaton.find_overlapping_iter(&folded.text) {
                let pattern = &self.patterns[found.pattern().as_usize()];
                let entry = &self.entries[pattern.entry];
                let range = folded.original_range(found.start()..found.end());
                if entry.whole_word && !on_word_boundaries(text, range.clone()) {
                    continue;
                }
                if entry.case_sensitive
                    && Normalized::new(&text[range.clone()], false).text != pattern.form
                {
                    continue;
                }
                candidates.push((range.start, range.end, pattern.entry, pattern.plural));
            }
        }
        for (entry, regex) in &self.regexes {
            for found in regex.find_iter(text).filter(|m| !m.is_empty()) {
                candidates.push((found.start(), found.end(), *entry, false));
            }
        }
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut matches: Vec<TermMatch> = Vec::new();
        let mut covered = 0;
        for (start, end, entry_index, plural) in candidates {
            if start < covered {
                continue;
            }
            covered = end;
            let entry = &self.entries[entry_index];
            let target = if entry.pattern.is_some() {
                text[start..end].to_string()
            } else if plural {
                english_plural(&entry.target).unwrap_or_else(|| entry.target.clone())
            } else {
                entry.target.clone()
            };
            matches.push(TermMatch {
                entry_index,
                entry: entry.origin.clone(),
                source: text[start..end].to_string(),
                target,
                span: start..end,
                policy: entry.policy,
                status: TermStatus::Pending,
                deprecated: entry.status == EntryStatus::Deprecated,
            });
        }
        matches
    }
}

/// The forms a term is written in: as given, and for a compound with hyphens or spaces,
/// closed up (`indopacifique`), spaced (`indo pacifique`) and broken by a line-end
/// artefact (`indo- pacifique`, `indo -pacifique`).
fn spellings(term: &str) -> Vec<String> {
    let normalized = Normalized::new(term.trim(), false).text;
    let mut forms = vec![normalized.clone()];
    let parts: Vec<&str> = normalized
        .split(['-', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    // Only two- and three-part compounds vary this way; longer terms are phrases
    // ("Organisation pour la sécurité …") whose spaces do not close up.
    if ((2..=3).contains(&parts.len()) && normalized.contains('-')) || parts.len() == 2 {
        for joiner in ["", " ", "-", "- ", " -", " - "] {
            let form = parts.join(joiner);
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
}

/// Words after which a French noun phrase's complement starts: they and what follows stay
/// singular in the plural (`bureaux de liaison`).
const FRENCH_LINKS: &[&str] = &[
    "de", "du", "des", "d'", "à", "au", "aux", "en", "pour", "sur", "et", "ou", "la", "le", "les",
    "l'",
];

/// The regular French plural of a noun phrase: every word before the first preposition or
/// article is pluralised (`secrétaire général` → `secrétaires généraux`, `bureau de
/// liaison` → `bureaux de liaison`). None for terms that do not inflect this way
/// (acronyms, single capitalised names, hyphenated compounds).
fn french_plural(term: &str) -> Option<String> {
    let words: Vec<&str> = term.split(' ').collect();
    if words.iter().any(|w| w.contains('-'))
        || term.chars().next()?.is_uppercase() && words.len() == 1
    {
        return None;
    }
    let mut plural = Vec::with_capacity(words.len());
    let mut in_head = true;
    for word in words {
        let lower = word.to_lowercase();
        if FRENCH_LINKS.contains(&lower.as_str()) || lower.ends_with('\'') {
            in_head = false;
        }
        plural.push(if in_head {
            french_plural_word(word)
        } else {
            word.to_string()
        });
    }
    Some(plural.join(" "))
}

/// The plural of a one-word hyphenated compound: its last part pluralised.
fn compound_plural(term: &str) -> Option<String> {
    let term = term.trim();
    if term.contains(' ') || !term.contains('-') {
        return None;
    }
    let (head, last) = term.rsplit_once('-')?;
    let plural = french_plural_word(last);
    (plural != last).then(|| format!("{head}-{plural}"))
}

fn french_plural_word(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.ends_with(['s', 'x', 'z']) {
        word.to_string()
    } else if lower.ends_with("al")
        && !["bal", "carnaval", "festival", "récital"].contains(&lower.as_str())
    {
        format!("{}aux", &word[..word.len() - 2])
    } else if lower.ends_with("eau") || lower.ends_with("au") || lower.ends_with("eu") {
        format!("{word}x")
    } else {
        format!("{word}s")
    }
}

/// The regular English plural of a phrase's last word (`liaison office` → `liaison
/// offices`, `policy` → `policies`). None for acronyms and other all-caps terms.
fn english_plural(term: &str) -> Option<String> {
    if !term.chars().any(char::is_lowercase) {
        return None;
    }
    let (head, last) = term.rsplit_once(' ').map_or(("", term), |(h, l)| (h, l));
    let lower = last.to_lowercase();
    let plural_last =
        if lower.ends_with(['s', 'x', 'z']) || lower.ends_with("ch") || lower.ends_with("sh") {
            format!("{last}es")
        } else if lower.ends_with('y')
            && !lower.ends_with("ay")
            && !lower.ends_with("ey")
            && !lower.ends_with("oy")
        {
            format!("{}ies", &last[..last.len() - 1])
        } else {
            format!("{last}s")
        };
    Some(if head.is_empty() {
        plural_last
    } else {
        format!("{head} {plural_last}")
    })
}

fn on_word_boundaries(text: &str, range: std::ops::Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    let first = text[range.clone()].chars().next();
    let last = text[range].chars().next_back();
    let clean_start = !(before.is_some_and(is_word_char) && first.is_some_and(is_word_char));
    let clean_end = !(after.is_some_and(is_word_char) && last.is_some_and(is_word_char));
    clean_start && clean_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str, target: &str) -> Entry {
        Entry::new(source, target, "test")
    }

    fn found(matcher: &Matcher, text: &str) -> Vec<String> {
        matcher.find(text).into_iter().map(|m| m.source).collect()
    }

    #[test]
    fn finds_elided_and_cased_forms() {
        let mut otan = entry("OTAN", "NATO");
        otan.case_sensitive = false;
        let m = Matcher::new(vec![otan]);
        assert_eq!(
            found(&m, "L'OTAN, l’OTAN, de l'Otan, jusqu’à l‘OTAN et otan."),
            ["OTAN", "OTAN", "Otan", "OTAN", "otan"]
        );
    }

    #[test]
    fn acronyms_match_their_case_only() {
        let m = Matcher::new(vec![entry("UE", "EU"), entry("OTAN", "NATO")]);
        assert!(found(&m, "une rue, des OTANiens, la queue, l'Otan").is_empty());
        assert_eq!(found(&m, "l'UE et l'ue, l’OTAN"), ["UE", "OTAN"]);
    }

    #[test]
    fn finds_hyphen_space_and_dash_variants() {
        let m = Matcher::new(vec![entry("indo-pacifique", "Indo-Pacific")]);
        let text = "indo-pacifique, indopacifique, indo- pacifique , Indo pacifique, \
                    indo\u{2011}pacifique, INDO–PACIFIQUE, indo\u{00AD}pacifique";
        assert_eq!(found(&m, text).len(), 7);
    }

    #[test]
    fn finds_no_break_spaces_and_decomposed_accents() {
        let m = Matcher::new(vec![entry("Corée du Sud", "South Korea")]);
        assert_eq!(found(&m, "la Corée\u{00A0}du\u{202F}Sud").len(), 1);
        assert_eq!(found(&m, "la Core\u{0301}e du Sud").len(), 1);
    }

    #[test]
    fn finds_simple_plurals_and_pluralises_the_target() {
        let m = Matcher::new(vec![
            entry("bureau de liaison", "liaison office"),
            entry("secrétaire général", "Secretary General"),
        ]);
        let matches = m.find("deux bureaux de liaison et les secrétaires généraux");
        assert_eq!(matches[0].source, "bureaux de liaison");
        assert_eq!(matches[0].target, "liaison offices");
        assert_eq!(matches[1].source, "secrétaires généraux");
    }

    #[test]
    fn whole_word_can_be_turned_off() {
        let mut prefix = entry("cyber", "cyber");
        prefix.whole_word = false;
        let m = Matcher::new(vec![prefix]);
        assert_eq!(found(&m, "la cybersécurité"), ["cyber"]);
    }

    #[test]
    fn longest_match_wins() {
        let m = Matcher::new(vec![
            entry("secrétaire", "secretary"),
            entry("secrétaire général", "Secretary General"),
        ]);
        let matches = m.find("Le secrétaire général a parlé au secrétaire.");
        assert_eq!(matches.len(), 2);
        assert_eq!(matches[0].target, "Secretary General");
        assert_eq!(matches[1].target, "secretary");
    }

    #[test]
    fn english_targets_are_found_in_plural_too() {
        let entries = vec![entry("bureau de liaison", "liaison office")];
        let targets = Matcher::for_targets(&entries);
        let matches = targets.find("two liaison offices");
        assert_eq!(matches[0].target, "liaison offices");
    }

    /// Every combination of the variations a compound meets in news text must match:
    /// dash kind × break or closing-up × number × case × elision.
    #[test]
    fn every_combination_of_spelling_variations_matches() {
        let matcher = Matcher::new(vec![entry("indo-pacifique", "Indo-Pacific")]);
        let joiners = ["-", "\u{2013}", "\u{2014}", "\u{2011}", "- ", "", " "];
        let mut missed = Vec::new();
        for joiner in joiners {
            for ending in ["pacifique", "pacifiques"] {
                for first in ["indo", "Indo", "INDO"] {
                    for before in ["la région ", "l'", "l\u{2019}", "Les routes "] {
                        let term = format!("{first}{joiner}{ending}");
                        let text = format!("{before}{term} compte.");
                        let found = matcher.find(&text);
                        let whole = found.iter().any(|m| &text[m.span.clone()] == term.as_str());
                        if !whole {
                            missed.push(text);
                        }
                    }
                }
            }
        }
        assert!(missed.is_empty(), "not matched: {missed:#?}");
    }
}
