//! A reviewer's text checked as the model's is: the same QA checks and term verification
//! that `translate` runs ([`crate::align::align`]), on the row's source, codes and terms.

use crate::align::{self, AlignedSegment, Target};
use crate::glossary::{self, Entry, Forbidden, Matcher, Prepared, TermStatus};
use crate::segment::Segment;

/// `row` with `target` as its translation: flags and term statuses found again. What the
/// engine reported (a score, a cut input or output) was about the model's text, so it goes;
/// inline codes are placed again by position when the text changed.
/// A forbidden target (of the editor's glossary) in the new text is flagged too.
pub fn recheck(row: &AlignedSegment, target: &str, forbidden: &Forbidden) -> AlignedSegment {
    let segment = Segment {
        article: 0,
        paragraph: row.paragraph,
        index: row.index,
        span: row.span[0]..row.span[1],
        text: row.source.clone(),
        codes: row.codes.clone(),
    };
    let mut terms = row.terms.clone();
    for term in &mut terms {
        term.status = TermStatus::Pending;
    }
    let prepared = Prepared {
        text: row.source.clone(),
        terms,
        placeholders: Vec::new(),
        codes: Vec::new(),
    };
    let entries: Vec<Entry> = row
        .terms
        .iter()
        .map(|t| Entry::new(&t.target, &t.target, &t.entry))
        .collect();
    let wanted: Vec<String> = row.terms.iter().map(|t| t.target.clone()).collect();
    let (_, statuses) = glossary::verify(&Matcher::for_targets(&entries), target, &wanted);
    let unchanged = target == row.target;
    let translation = Target {
        source_tokens: row.source_tokens,
        alternatives: &row.alternatives,
        placed: if unchanged { &row.placed } else { &[] },
        codes_projected: !unchanged,
        ..Target::by_a_person(target, &statuses)
    };
    let mut new = align::align(&row.article, &segment, &prepared, &translation);
    new.model_input = row.model_input.clone();
    new.memory = row.memory && unchanged;
    new.review = row.review.clone();
    align::check_forbidden(&mut new, forbidden);
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Check;
    use crate::glossary::{Policy, TermMatch};

    fn row() -> AlignedSegment {
        AlignedSegment {
            article: "a.txt".into(),
            paragraph: 0,
            index: 0,
            span: [0, 31],
            source: "L'OTAN compte 32 pays membres.".into(),
            target: "NATO has 32 member countries.".into(),
            model_input: None,
            terms: vec![TermMatch {
                entry_index: 0,
                entry: "g.json#1".into(),
                source: "OTAN".into(),
                target: "NATO".into(),
                span: 2..6,
                policy: Policy::Inject,
                status: TermStatus::Ok,
                deprecated: false,
            }],
            score: Some(-0.3),
            source_tokens: 9,
            target_tokens: 8,
            flags: vec![],
            memory: false,
            alternatives: vec![],
            codes: vec![],
            placed: vec![],
            review: None,
        }
    }

    #[test]
    fn an_edit_is_checked_again_with_the_same_checks_and_terms() {
        let forbidden = Forbidden::new(&[Entry {
            status: glossary::EntryStatus::Forbidden,
            ..Entry::new("OTAN", "Atlantic Alliance", "g.json#2")
        }]);
        let edited = recheck(&row(), "The Atlantic Alliance has 23 members.", &forbidden);
        let checks: Vec<Check> = edited.flags.iter().map(|f| f.check).collect();
        assert!(checks.contains(&Check::MissingTerm), "{checks:?}");
        assert!(checks.contains(&Check::ForbiddenTerm), "{checks:?}");
        assert!(checks.contains(&Check::Numbers), "{checks:?}");
        assert_eq!(edited.terms[0].status, TermStatus::Missing);
        assert_eq!(edited.score, None);

        let fixed = recheck(&row(), "NATO counts 32 member states.", &forbidden);
        assert!(fixed.flags.is_empty(), "{:?}", fixed.flags);
        assert_eq!(fixed.terms[0].status, TermStatus::Ok);
    }
}
