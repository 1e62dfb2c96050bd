//! Finding glossary terms in text: one Aho-Corasick automaton over all spellings of all
//! entries, run on the normalised view, longest match first, whole words only.

use aho_corasick::{AhoCorasick, MatchKind};

use super::normalize::{is_word_char, Normalized};
use super::{Entry, TermMatch, TermStatus};

/// The compiled glossary.
#[derive(Debug, Clone)]
pub struct Matcher {
    entries: Vec<Entry>,
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the entry it spells and its case-kept normalised form.
    patterns: Vec<(usize, String)>,
}

impl Matcher {
    /// Compiles entries; later entries lose to earlier ones only when spans are equal.
    pub fn new(entries: Vec<Entry>) -> Matcher {
        let mut patterns = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            for spelling in std::iter::once(&entry.source).chain(&entry.variants) {
                for form in spellings(spelling) {
                    if !patterns.iter().any(|(i, p)| *i == index && *p == form) {
                        patterns.push((index, form));
                    }
                }
            }
        }
        let folded: Vec<String> = patterns
            .iter()
            .map(|(_, p)| Normalized::new(p, true).text)
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
        }
    }

    /// A matcher that finds the target terms of the same entries, for verification.
    pub fn for_targets(entries: &[Entry]) -> Matcher {
        Matcher::new(
            entries
                .iter()
                .map(|e| Entry {
                    source: e.target.clone(),
                    target: e.target.clone(),
                    variants: vec![],
                    case_sensitive: false,
                    note: None,
                    origin: e.origin.clone(),
                })
                .collect(),
        )
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All terms in `text`, left to right, the longest one where several overlap.
    pub fn find(&self, text: &str) -> Vec<TermMatch> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let folded = Normalized::new(text, true);
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for found in automaton.find_overlapping_iter(&folded.text) {
            let (entry_index, form) = &self.patterns[found.pattern().as_usize()];
            let range = folded.original_range(found.start()..found.end());
            if !on_word_boundaries(text, range.clone()) {
                continue;
            }
            let entry = &self.entries[*entry_index];
            if entry.case_sensitive && Normalized::new(&text[range.clone()], false).text != *form {
                continue;
            }
            candidates.push((range.start, range.end, *entry_index));
        }
        // Longest first at each start, then earliest entry; then keep non-overlapping.
        candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut matches: Vec<TermMatch> = Vec::new();
        let mut covered = 0;
        for (start, end, entry_index) in candidates {
            if start < covered {
                continue;
            }
            covered = end;
            matches.push(TermMatch {
                entry: entry_index,
                source: text[start..end].to_string(),
                target: self.entries[entry_index].target.clone(),
                span: start..end,
                status: TermStatus::Pending,
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
    if parts.len() > 1 && parts.len() <= 4 {
        let joiners = ["", " ", "-", "- ", " -", " - "];
        // Every joiner between every pair of parts would explode for long terms; the same
        // joiner throughout covers what real text does.
        for joiner in joiners {
            let form = parts.join(joiner);
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
    }
    forms
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

    fn entry(source: &str, target: &str, case_sensitive: bool) -> Entry {
        Entry {
            source: source.into(),
            target: target.into(),
            variants: vec![],
            case_sensitive,
            note: None,
            origin: "test".into(),
        }
    }

    fn found(matcher: &Matcher, text: &str) -> Vec<String> {
        matcher.find(text).into_iter().map(|m| m.source).collect()
    }

    #[test]
    fn finds_elided_and_cased_forms() {
        let m = Matcher::new(vec![entry("OTAN", "NATO", false)]);
        assert_eq!(
            found(&m, "L'OTAN, l’OTAN, de l'Otan et otan."),
            ["OTAN", "OTAN", "Otan", "otan"]
        );
    }

    #[test]
    fn never_matches_inside_a_word() {
        let m = Matcher::new(vec![entry("UE", "EU", true), entry("OTAN", "NATO", false)]);
        assert!(found(&m, "une rue, des OTANiens, la queue").is_empty());
        assert_eq!(found(&m, "l'UE et l'ue"), ["UE"]);
    }

    #[test]
    fn finds_hyphen_and_space_variants() {
        let m = Matcher::new(vec![entry("indo-pacifique", "Indo-Pacific", false)]);
        let text = "indo-pacifique, indopacifique, indo- pacifique , Indo pacifique, indo\u{2011}pacifique";
        assert_eq!(found(&m, text).len(), 5);
    }

    #[test]
    fn longest_match_wins() {
        let m = Matcher::new(vec![
            entry("secrétaire", "secretary", false),
            entry("secrétaire général", "Secretary General", false),
        ]);
        let matches = m.find("Le secrétaire général a parlé au secrétaire.");
        assert_eq!(matches.len(), 2);
        assert_eq!(matches[0].target, "Secretary General");
        assert_eq!(matches[1].target, "secretary");
    }
}
