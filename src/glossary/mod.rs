//! Stage 3, glossary: segments in, model inputs with terminology applied out; and, after
//! translation, the proof that each term reached the English.
//!
//! A glossary maps French terms to the English terms the translation must use (OTAN→NATO).
//! Terms are found on a normalised view of each segment (`normalize.rs`): Unicode NFC, case
//! folded, apostrophes and dashes unified, no-break spaces made plain, soft hyphens dropped,
//! with a byte map back to the original, so `l’OTAN`, `l'Otan`, `indo- pacifique` and
//! `bureaux de liaison` are found and their exact spans recorded (`matcher.rs`).
//!
//! Each found term is then enforced by its entry's [`Policy`] ([`prepare`]): injected
//! (replaced by its target in the text sent to the model, which copies names and acronyms
//! well), protected by a placeholder restored after decoding, or only checked. After
//! translation, [`verify`] looks for every term in the output, tolerant of case and
//! hyphenation drift, and rewrites drifted spellings to the glossary's (`Indo-pacific` →
//! `Indo-Pacific`). Terms still missing go to repair ([`crate::enforce`]).

pub mod edit;
mod error;
pub(crate) mod format;
pub mod lint;
mod load;
mod matcher;
mod normalize;
pub mod suggest;
pub mod usage;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::markup::{self, Code, ModelInput};

pub use error::GlossaryError;
pub use format::{write_glossary, Format};
pub use load::{load_glossary, parse_glossary_text};
pub use matcher::Matcher;

/// How a term is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// The target term replaces the source term in the text sent to the model.
    #[default]
    Inject,
    /// A protected token replaces the term and is restored after decoding, so the span
    /// comes out byte-identical (URLs, codes, numbers with units).
    Placeholder,
    /// The model translates freely; the term is only verified.
    Check,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Inject => "inject",
            Policy::Placeholder => "placeholder",
            Policy::Check => "check",
        }
    }
}

/// What an entry says about its terms: TBX's administrative status, as Weblate and
/// Tolgee use it. The status names are the JSON ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// The target is the translation to use (the entry is enforced).
    #[default]
    Preferred,
    /// The source is a French form to avoid: still matched and translated with the target,
    /// and flagged `deprecated-term` so that the terminologist sees where it was used.
    Deprecated,
    /// The target must not appear in a translation: never enforced, and a translation that
    /// holds it is flagged `forbidden-term` (the source says what it is a wrong rendering of).
    Forbidden,
}

impl EntryStatus {
    pub fn name(self) -> &'static str {
        match self {
            EntryStatus::Preferred => "preferred",
            EntryStatus::Deprecated => "deprecated",
            EntryStatus::Forbidden => "forbidden",
        }
    }
}

/// One terminology entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The French term.
    pub source: String,
    /// The English term the translation must use.
    pub target: String,
    /// Other French forms of the term (spellings, irregular plurals).
    pub variants: Vec<String>,
    /// Match case exactly. All-caps acronyms (`UE`) default to true, so that they do not
    /// match ordinary words; everything else defaults to false.
    pub case_sensitive: bool,
    /// Match whole words only (default). False lets a term match inside a word.
    pub whole_word: bool,
    pub policy: Policy,
    /// A note for reviewers.
    pub note: Option<String>,
    /// A subject field, such as `defence`.
    pub domain: Option<String>,
    /// A regular expression matched on the original text instead of a term: for spans
    /// that must come out byte-identical (URLs, e-mail addresses, codes). Such an entry's
    /// target is the matched text itself.
    pub pattern: Option<String>,
    /// Preferred (enforced), deprecated (a source form to avoid) or forbidden (a target
    /// that must not appear).
    pub status: EntryStatus,
    /// The glossary file and entry number (`glossaries/fr-en.json#3`), for messages.
    pub origin: String,
}

impl Entry {
    /// An entry with the defaults of the JSON format.
    pub fn new(source: &str, target: &str, origin: &str) -> Entry {
        Entry {
            source: source.to_string(),
            target: target.to_string(),
            variants: Vec::new(),
            case_sensitive: load::is_acronym(source),
            whole_word: true,
            policy: Policy::Inject,
            note: None,
            domain: None,
            pattern: None,
            status: EntryStatus::Preferred,
            origin: origin.to_string(),
        }
    }

    /// A term whose target translations must hold: not a pattern, not a forbidden target.
    pub fn requires_target(&self) -> bool {
        self.pattern.is_none() && self.status != EntryStatus::Forbidden
    }
}

/// A glossary term found in a segment, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermMatch {
    /// Index of the entry in the merged glossary.
    #[serde(skip)]
    pub entry_index: usize,
    /// The entry: its glossary file and number.
    pub entry: String,
    /// The source text as it appears in the segment (`l’OTAN` gives `OTAN`).
    pub source: String,
    /// The target term, in the form required here (plural when the source was plural).
    pub target: String,
    /// Byte span of the term in the segment, written `[start, end]`.
    #[serde(with = "span_pair")]
    pub span: Range<usize>,
    pub policy: Policy,
    pub status: TermStatus,
    /// The entry's source is a deprecated form (see [`EntryStatus::Deprecated`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

/// What verification and repair found for a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermStatus {
    /// Not verified yet.
    Pending,
    /// The target term is in the translation as written in the glossary.
    Ok,
    /// It was there with other case or hyphenation, and was rewritten as the glossary's.
    Normalised,
    /// Missing from the best translation; found in another of the model's n-best.
    RepairedNbest,
    /// Missing; put in by decoding again with the term forced as a target prefix.
    RepairedPrefix,
    /// Missing from the final translation.
    Missing,
}

impl TermStatus {
    /// The name used in `aligned.jsonl` and every review format.
    pub fn name(self) -> &'static str {
        match self {
            TermStatus::Pending => "pending",
            TermStatus::Ok => "ok",
            TermStatus::Normalised => "normalised",
            TermStatus::RepairedNbest => "repaired-nbest",
            TermStatus::RepairedPrefix => "repaired-prefix",
            TermStatus::Missing => "missing",
        }
    }

    pub fn is_present(self) -> bool {
        !matches!(self, TermStatus::Pending | TermStatus::Missing)
    }

    pub fn is_repaired(self) -> bool {
        matches!(self, TermStatus::RepairedNbest | TermStatus::RepairedPrefix)
    }
}

/// Byte ranges as `[start, end]` pairs in JSON, like the segment spans.
mod span_pair {
    use std::ops::Range;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(range: &Range<usize>, s: S) -> Result<S::Ok, S::Error> {
        [range.start, range.end].serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Range<usize>, D::Error> {
        let [start, end] = <[usize; 2]>::deserialize(d)?;
        Ok(start..end)
    }
}

/// A segment's text as sent to the model, with its terms and the placeholders in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The text sent to the model.
    pub text: String,
    pub terms: Vec<TermMatch>,
    /// Placeholder tokens in `text` and the text each one stands for in the output.
    pub placeholders: Vec<(String, String)>,
    /// The segment's inline codes, each with the token that stands for it in `text`.
    /// Numbered after the placeholders: one set of protected tokens for both.
    pub codes: Vec<(String, Code)>,
}

impl Prepared {
    /// The segment's terms and their targets: where the translation of a span of markup
    /// around a term can be found ([`markup::project`]).
    pub fn anchors(&self) -> Vec<markup::Anchor> {
        self.terms
            .iter()
            .map(|t| (t.span.clone(), t.target.clone()))
            .collect()
    }
}

/// The targets no translation may hold: the forbidden entries of the run's glossaries.
#[derive(Debug, Clone)]
pub struct Forbidden {
    entries: Vec<Entry>,
    matcher: Matcher,
}

/// A forbidden target found in a translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbiddenUse {
    /// The glossary file and entry number that forbids it.
    pub entry: String,
    /// The French term it is a wrong rendering of.
    pub source: String,
    /// The text found in the translation.
    pub found: String,
    pub span: Range<usize>,
}

impl Forbidden {
    /// The forbidden entries among `entries`.
    pub fn new(entries: &[Entry]) -> Forbidden {
        let entries: Vec<Entry> = entries
            .iter()
            .filter(|e| e.status == EntryStatus::Forbidden && e.pattern.is_none())
            .cloned()
            .collect();
        Forbidden {
            matcher: Matcher::for_forbidden(&entries),
            entries,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every forbidden target in `translation`, left to right.
    pub fn find(&self, translation: &str) -> Vec<ForbiddenUse> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        self.matcher
            .find(translation)
            .into_iter()
            .map(|m| ForbiddenUse {
                entry: m.entry,
                source: self.entries[m.entry_index].source.clone(),
                found: m.source,
                span: m.span,
            })
            .collect()
    }
}

/// Text as matching sees it (case folded, apostrophes and dashes unified, spaces plain),
/// for searches that should agree with it.
pub fn fold(text: &str) -> String {
    normalize::Normalized::new(text, true).text
}

/// The placeholder for the `n`th protected span of a segment (see [`markup::token`]).
pub fn placeholder(n: usize) -> String {
    markup::token(n)
}

/// Applies each term's policy to a segment: inject replaces the term by its target,
/// placeholder by a protected token, check leaves it. With `force_inject`, placeholders
/// are injected instead (the fallback when the model lost one).
pub fn prepare(matcher: &Matcher, text: &str, force_inject: bool) -> Prepared {
    prepare_with_codes(matcher, text, &[], force_inject)
}

/// [`prepare`] for a segment with inline codes: each code becomes a token of its own where
/// it sat (a code inside a term goes after it), so the model can carry it through.
pub fn prepare_with_codes(
    matcher: &Matcher,
    text: &str,
    codes: &[Code],
    force_inject: bool,
) -> Prepared {
    let terms = matcher.find(text);
    let mut out = ModelInput::default();
    let mut placeholders = Vec::new();
    let mut code_tokens: Vec<(String, Code)> = Vec::new();
    let mut pending = codes.iter().peekable();
    // Tokens are numbered past any `XPH<N>X` the text or an injected target already has,
    // so that a literal one is never restored as a placeholder or placed as a code.
    let taken = terms
        .iter()
        .map(|t| tokens_in(&t.target))
        .fold(tokens_in(text), usize::max);
    let tokens_before = taken
        + terms
            .iter()
            .filter(|t| t.policy == Policy::Placeholder && !force_inject)
            .count();
    // Copies text[from..to], putting in the token of each code that sits up to `to`.
    let mut copy = |out: &mut ModelInput, from: usize, to: usize| {
        let mut at = from;
        while let Some(code) = pending.next_if(|c| c.at <= to) {
            let cut = code.at.max(at);
            out.push_text(&text[at..cut]);
            at = cut;
            let token = markup::token(tokens_before + code_tokens.len() + 1);
            out.push_token(&token);
            code_tokens.push((token, code.clone()));
        }
        out.push_text(&text[at..to]);
    };
    let mut last = 0;
    for term in &terms {
        let policy = match term.policy {
            Policy::Placeholder if force_inject => Policy::Inject,
            policy => policy,
        };
        copy(&mut out, last, term.span.start);
        let piece = match policy {
            Policy::Inject => term.target.clone(),
            Policy::Placeholder => {
                let token = placeholder(taken + placeholders.len() + 1);
                placeholders.push((token.clone(), term.target.clone()));
                token
            }
            Policy::Check => text[term.span.clone()].to_string(),
        };
        out.push_text(&piece);
        last = term.span.end;
    }
    copy(&mut out, last, text.len());
    let out = out.finish();
    Prepared {
        text: out,
        terms,
        placeholders,
        codes: code_tokens,
    }
}

/// The highest `N` of the `XPH<N>X` tokens written in `text`, 0 when it has none.
fn tokens_in(text: &str) -> usize {
    static TOKEN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"XPH(\d{1,9})X").expect("a valid pattern"));
    TOKEN
        .captures_iter(text)
        .filter_map(|c| c[1].parse().ok())
        .max()
        .unwrap_or(0)
}

/// Puts the protected text back in place of each placeholder. Returns the restored text,
/// or `None` if the model lost or mangled a placeholder.
pub fn restore_placeholders(
    translation: &str,
    placeholders: &[(String, String)],
) -> Option<String> {
    let mut text = translation.to_string();
    for (token, original) in placeholders {
        let at = text.find(token.as_str())?;
        text.replace_range(at..at + token.len(), original);
    }
    Some(text)
}

/// Looks for each target term in `translation` and rewrites drifted spellings
/// (`indo-pacific`, `Indopacific`) to the glossary's. Returns the translation (rewritten
/// where needed) and, per term in order, whether it is present and how.
pub fn verify(
    targets: &Matcher,
    translation: &str,
    wanted: &[String],
) -> (String, Vec<TermStatus>) {
    let found = targets.find(translation);
    let mut text = String::with_capacity(translation.len());
    let mut last = 0;
    let mut statuses = vec![TermStatus::Missing; wanted.len()];
    let mut used = vec![false; found.len()];
    let mut literal_used: std::collections::HashMap<&str, usize> = Default::default();
    for (i, target) in wanted.iter().enumerate() {
        let key = normalize::Normalized::new(target, true).text;
        // Each occurrence in the output accounts for one term occurrence in the source.
        let hit = found
            .iter()
            .enumerate()
            .find(|(j, f)| !used[*j] && normalize::Normalized::new(&f.target, true).text == key);
        if let Some((j, f)) = hit {
            used[j] = true;
            statuses[i] = if translation[f.span.clone()] == *target {
                TermStatus::Ok
            } else {
                TermStatus::Normalised
            };
        } else if !target.is_empty()
            && !found
                .iter()
                .any(|f| normalize::Normalized::new(&f.target, true).text == key)
        {
            // Spans protected by a pattern (a URL, a code) are not glossary terms the target
            // matcher knows: they count when they are there byte for byte, each occurrence
            // for one occurrence in the source.
            let seen = literal_used.entry(target.as_str()).or_insert(0);
            if translation.matches(target.as_str()).count() > *seen {
                *seen += 1;
                statuses[i] = TermStatus::Ok;
            }
        }
    }
    let mut rewrites: Vec<(Range<usize>, String)> = found
        .iter()
        .zip(&used)
        .filter(|(f, used)| **used && translation[f.span.clone()] != f.target)
        .map(|(f, _)| (f.span.clone(), f.target.clone()))
        .collect();
    rewrites.sort_by_key(|(span, _)| span.start);
    for (span, canonical) in rewrites {
        text.push_str(&translation[last..span.start]);
        text.push_str(&canonical);
        last = span.end;
    }
    text.push_str(&translation[last..]);
    (text, statuses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str, target: &str) -> Entry {
        Entry::new(source, target, "test")
    }

    #[test]
    fn status_names_are_the_serialised_names() {
        use TermStatus::*;
        for status in [
            Pending,
            Ok,
            Normalised,
            RepairedNbest,
            RepairedPrefix,
            Missing,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.name());
        }
    }

    #[test]
    fn injects_targets_in_place() {
        let matcher = Matcher::new(vec![
            entry("OTAN", "NATO"),
            entry("indo-pacifique", "Indo-Pacific"),
        ]);
        let prepared = prepare(&matcher, "L’OTAN vise la région indo- pacifique.", false);
        assert_eq!(prepared.text, "L’NATO vise la région Indo-Pacific.");
        assert_eq!(prepared.terms.len(), 2);
        assert_eq!(prepared.terms[0].source, "OTAN");
        assert_eq!(prepared.terms[1].source, "indo- pacifique");
    }

    #[test]
    fn placeholders_protect_and_restore_spans() {
        let mut url = entry("www.otan.int", "www.otan.int");
        url.policy = Policy::Placeholder;
        let mut check = entry("Japon", "Japan");
        check.policy = Policy::Check;
        let matcher = Matcher::new(vec![url, check]);
        let prepared = prepare(&matcher, "Le Japon et www.otan.int.", false);
        assert_eq!(prepared.text, "Le Japon et XPH1X.");
        assert_eq!(
            restore_placeholders("Japan and XPH1X.", &prepared.placeholders).as_deref(),
            Some("Japan and www.otan.int.")
        );
        assert_eq!(
            restore_placeholders("Japan and XPH.", &prepared.placeholders),
            None
        );
        let forced = prepare(&matcher, "Le Japon et www.otan.int.", true);
        assert_eq!(forced.text, "Le Japon et www.otan.int.");
        assert!(forced.placeholders.is_empty());
    }

    /// Regression: a literal `XPH1X` in an article (or a glossary target) shared one token
    /// with the first placeholder, and was restored as the protected text.
    #[test]
    fn tokens_are_numbered_past_literal_ones() {
        let mut url = entry("www.otan.int", "www.otan.int");
        url.policy = Policy::Placeholder;
        let matcher = Matcher::new(vec![url, entry("Japon", "Japan XPH4X")]);
        let prepared = prepare(&matcher, "Le code XPH1X, le Japon et www.otan.int.", false);
        assert_eq!(prepared.text, "Le code XPH1X, le Japan XPH4X et XPH5X.");
        assert_eq!(
            restore_placeholders("The code XPH1X and XPH5X.", &prepared.placeholders).as_deref(),
            Some("The code XPH1X and www.otan.int.")
        );
    }

    #[test]
    fn patterns_protect_any_matching_span() {
        let mut urls = entry("", "");
        urls.pattern = Some(r"https?://[^\s]+[\w/]".into());
        urls.policy = Policy::Placeholder;
        let entries = vec![urls];
        let targets = Matcher::for_targets(&entries);
        let matcher = Matcher::new(entries);
        let prepared = prepare(&matcher, "Voir https://www.nato.int/fr/ et l'OTAN.", false);
        assert_eq!(prepared.text, "Voir XPH1X et l'OTAN.");
        assert_eq!(prepared.terms[0].target, "https://www.nato.int/fr/");
        let restored = restore_placeholders("See XPH1X and NATO.", &prepared.placeholders).unwrap();
        assert_eq!(restored, "See https://www.nato.int/fr/ and NATO.");
        let (_, statuses) = verify(&targets, &restored, &[prepared.terms[0].target.clone()]);
        assert_eq!(statuses, [TermStatus::Ok]);
    }

    #[test]
    fn verification_tolerates_and_normalises_drift() {
        let entries = vec![
            entry("indo-pacifique", "Indo-Pacific"),
            entry("OTAN", "NATO"),
        ];
        let targets = Matcher::for_targets(&entries);
        let wanted = vec!["Indo-Pacific".to_string(), "NATO".to_string()];
        let (text, statuses) = verify(&targets, "the indo‑pacific region and NATO", &wanted);
        assert_eq!(text, "the Indo-Pacific region and NATO");
        assert_eq!(statuses, [TermStatus::Normalised, TermStatus::Ok]);
        let (text, statuses) = verify(&targets, "the Indopacific region", &wanted);
        assert_eq!(text, "the Indo-Pacific region");
        assert_eq!(statuses, [TermStatus::Normalised, TermStatus::Missing]);
        let (_, statuses) = verify(&targets, "the Pacific region", &wanted[..1]);
        assert_eq!(statuses, [TermStatus::Missing]);
    }

    /// A forbidden entry is never enforced; its target is found in translations as written
    /// (not its hyphenation variants: `Indo Pacific` is banned, `Indo-Pacific` required);
    /// a deprecated source is enforced and marked.
    #[test]
    fn forbidden_targets_are_found_and_deprecated_sources_marked() {
        let banned = |source: &str, target: &str| Entry {
            status: EntryStatus::Forbidden,
            ..entry(source, target)
        };
        let entries = vec![
            entry("indo-pacifique", "Indo-Pacific"),
            banned("indo-pacifique", "Indo Pacific"),
            banned("OTAN", "OTAN"),
            Entry {
                status: EntryStatus::Deprecated,
                ..entry("Organisation du traité de l'Atlantique Nord", "NATO")
            },
        ];
        let matcher = Matcher::new(entries.clone());
        let prepared = prepare(
            &matcher,
            "L'OTAN, ou Organisation du traité de l'Atlantique Nord, et l'indo-pacifique.",
            false,
        );
        let used: Vec<(&str, bool)> = prepared
            .terms
            .iter()
            .map(|t| (t.target.as_str(), t.deprecated))
            .collect();
        assert_eq!(used, [("NATO", true), ("Indo-Pacific", false)]);
        let forbidden = Forbidden::new(&entries);
        let found: Vec<String> = forbidden
            .find("OTAN and the indo pacific, not the Indo-Pacific; Otan.")
            .into_iter()
            .map(|f| format!("{} {} {}", f.found, f.entry, f.source))
            .collect();
        assert_eq!(
            found,
            ["OTAN test OTAN", "indo pacific test indo-pacifique"]
        );
    }

    /// One output occurrence cannot satisfy many source occurrences.
    #[test]
    fn each_term_occurrence_needs_its_own_occurrence_in_the_output() {
        let entries = vec![Entry::new("OTAN", "NATO", "g#1")];
        let targets = Matcher::for_targets(&entries);
        let wanted = vec!["NATO".to_string(); 3];
        let (_, statuses) = verify(&targets, "NATO and NATO met.", &wanted);
        assert_eq!(
            statuses,
            [TermStatus::Ok, TermStatus::Ok, TermStatus::Missing]
        );
        // Literal spans (pattern entries) are counted the same way.
        let url = vec!["https://x.org".to_string(); 2];
        let (_, statuses) = verify(&targets, "See https://x.org.", &url);
        assert_eq!(statuses, [TermStatus::Ok, TermStatus::Missing]);
    }
}
