//! Stage 3, glossary: segments in, segments with terminology applied out.
//!
//! A glossary maps French terms to the English terms the translation must use (OTAN→NATO).
//! Terms are found on a normalised view of each segment ([`normalize`]): case folded,
//! apostrophes and dashes unified, no-break spaces made plain, with a byte map back to the
//! original, so `l’OTAN`, `l'Otan` and `indo- pacifique` are found and their exact spans
//! recorded. Each found term is then injected: replaced by its target term in the text sent
//! to the model, which copies names and acronyms well. After translation, [`verify`] checks
//! that every injected term reached the output.

mod load;
mod matcher;
mod normalize;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use load::{load_glossary, GlossaryError};
pub use matcher::Matcher;

/// One terminology entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The French term.
    pub source: String,
    /// The English term the translation must use.
    pub target: String,
    /// Other French forms of the term (spellings, plurals).
    pub variants: Vec<String>,
    /// Match case exactly. All-caps acronyms (`UE`) default to true, so that they do not
    /// match ordinary words; everything else defaults to false.
    pub case_sensitive: bool,
    /// A note for reviewers.
    pub note: Option<String>,
    /// The glossary file and entry number, for messages.
    pub origin: String,
}

/// A glossary term found in a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermMatch {
    /// Index of the entry in the merged glossary.
    #[serde(skip)]
    pub entry: usize,
    /// The source text as it appears in the segment (`l’OTAN` gives `OTAN`).
    pub source: String,
    /// The target term.
    pub target: String,
    /// Byte span of the term in the segment, written `[start, end]`.
    #[serde(with = "span_pair")]
    pub span: Range<usize>,
    /// Whether the target term was found in the translation (set by [`verify`]).
    pub status: TermStatus,
}

/// What verification found for a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermStatus {
    /// Not verified yet.
    Pending,
    /// The target term is in the translation.
    Ok,
    /// The target term is not in the translation.
    Missing,
}

/// Byte ranges as `[start, end]` pairs in JSON, like the segment spans.
mod span_pair {
    use std::ops::Range;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(range: &Range<usize>, s: S) -> Result<S::Ok, S::Error> {
        [range.start, range.end].serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Range<usize>, D::Error> {
        let [start, end] = <[usize; 2]>::deserialize(d)?;
        Ok(start..end)
    }
}

/// A segment's text as sent to the model, with the terms that were injected into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    pub text: String,
    pub terms: Vec<TermMatch>,
}

/// Replaces every term found in `text` by its target term.
pub fn inject(matcher: &Matcher, text: &str) -> Injected {
    let terms = matcher.find(text);
    if terms.is_empty() {
        return Injected {
            text: text.to_string(),
            terms,
        };
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for term in &terms {
        out.push_str(&text[last..term.span.start]);
        out.push_str(&term.target);
        last = term.span.end;
    }
    out.push_str(&text[last..]);
    Injected { text: out, terms }
}

/// Marks each term `ok` or `missing` in the translation. `targets` is
/// [`Matcher::for_targets`] of the same entries, so the check is as tolerant of case,
/// apostrophes, dashes and closed-up compounds as matching is (`Indopacific` counts).
pub fn verify(terms: &mut [TermMatch], translation: &str, targets: &Matcher) {
    if terms.is_empty() {
        return;
    }
    let present: Vec<usize> = targets.find(translation).iter().map(|m| m.entry).collect();
    for term in terms {
        term.status = if present.contains(&term.entry) {
            TermStatus::Ok
        } else {
            TermStatus::Missing
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str, target: &str) -> Entry {
        Entry {
            source: source.into(),
            target: target.into(),
            variants: vec![],
            case_sensitive: false,
            note: None,
            origin: "test".into(),
        }
    }

    #[test]
    fn injects_targets_in_place() {
        let matcher = Matcher::new(vec![
            entry("OTAN", "NATO"),
            entry("indo-pacifique", "Indo-Pacific"),
        ]);
        let injected = inject(&matcher, "L’OTAN vise la région indo- pacifique.");
        assert_eq!(injected.text, "L’NATO vise la région Indo-Pacific.");
        assert_eq!(injected.terms.len(), 2);
        assert_eq!(injected.terms[0].source, "OTAN");
        assert_eq!(injected.terms[1].source, "indo- pacifique");
    }

    #[test]
    fn verification_tolerates_case_and_dashes() {
        let entries = vec![entry("indo-pacifique", "Indo-Pacific")];
        let targets = Matcher::for_targets(&entries);
        let matcher = Matcher::new(entries);
        let mut terms = inject(&matcher, "la région indopacifique").terms;
        verify(&mut terms, "the indo‑pacific region", &targets);
        assert_eq!(terms[0].status, TermStatus::Ok);
        verify(&mut terms, "the Indopacific region", &targets);
        assert_eq!(terms[0].status, TermStatus::Ok);
        verify(&mut terms, "the Pacific region", &targets);
        assert_eq!(terms[0].status, TermStatus::Missing);
    }
}
