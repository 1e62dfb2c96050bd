//! Stage 5, align & check: each source segment paired with its translation, with QA flags.
//!
//! Alignment is 1:1 by construction: the pipeline keeps one translation per segment, so
//! this stage only joins them and records what a reviewer must look at.

use serde::{Deserialize, Serialize};

use crate::glossary::{Prepared, TermMatch, TermStatus};
use crate::segment::Segment;
use crate::translate::repair::Enforced;

/// One line of `aligned.jsonl`: a source sentence, its translation and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignedSegment {
    /// The article id.
    pub article: String,
    /// Paragraph number in the article (0-based, non-empty lines).
    pub paragraph: usize,
    /// Sentence number in the paragraph (0-based).
    pub index: usize,
    /// Byte span `[start, end)` of the source sentence in the article.
    pub span: [usize; 2],
    pub source: String,
    pub target: String,
    /// The text sent to the model when the glossary changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_input: Option<String>,
    /// Glossary terms found in the source, with their status in the target.
    pub terms: Vec<TermMatch>,
    /// The model's score (length-normalised log-probability).
    pub score: Option<f32>,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// What a reviewer should look at.
    pub flags: Vec<Flag>,
    /// The target is an approved translation from the translation memory, not the model's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub memory: bool,
    /// Other translations the model proposed, when it was asked for its n-best.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

/// A QA finding on a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The check's name (`truncated`, `missing-term`, `untranslated`, `error`).
    pub check: String,
    pub severity: Severity,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl Flag {
    pub(crate) fn new(check: &str, severity: Severity, reason: impl Into<String>) -> Flag {
        Flag {
            check: check.into(),
            severity,
            reason: reason.into(),
        }
    }
}

/// Pairs a segment with its translation and its terms' statuses, and flags problems.
pub fn align(
    article_id: &str,
    segment: &Segment,
    prepared: &Prepared,
    enforced: &Enforced,
) -> AlignedSegment {
    let translation = &enforced.translation;
    let mut terms = prepared.terms.clone();
    for (term, status) in terms.iter_mut().zip(&enforced.statuses) {
        term.status = *status;
    }
    let mut flags = Vec::new();
    if let Some(error) = &translation.error {
        flags.push(Flag::new(
            "error",
            Severity::Error,
            format!("translation failed: {error}"),
        ));
    } else if translation.text.trim().is_empty() {
        flags.push(Flag::new(
            "untranslated",
            Severity::Error,
            "the translation is empty",
        ));
    }
    if translation.input_truncated {
        flags.push(Flag::new(
            "truncated",
            Severity::Error,
            format!(
                "the source has {} tokens, more than the model reads; its end was not translated",
                translation.source_tokens
            ),
        ));
    }
    if translation.pieces > 1 {
        flags.push(Flag::new(
            "split",
            Severity::Info,
            format!(
                "too long for the model ({} tokens): translated in {} pieces cut at clause boundaries",
                translation.source_tokens, translation.pieces
            ),
        ));
    }
    if translation.output_truncated {
        flags.push(Flag::new(
            "truncated",
            Severity::Warning,
            format!(
                "the translation reached the length limit ({} tokens) and may be cut",
                translation.target_tokens
            ),
        ));
    }
    if translation.error.is_none() {
        flags.extend(crate::check::check(&crate::check::Pair {
            source: &segment.text,
            target: &translation.text,
            score: translation.score,
        }));
    }
    if !enforced.notes.is_empty() {
        flags.push(Flag::new(
            "term-repair",
            Severity::Info,
            enforced.notes.join("; "),
        ));
    }
    let missing: Vec<&str> = terms
        .iter()
        .filter(|t| t.status == TermStatus::Missing)
        .map(|t| t.target.as_str())
        .collect();
    if !missing.is_empty() {
        flags.push(Flag::new(
            "missing-term",
            Severity::Warning,
            format!(
                "glossary term not in the translation: {}",
                missing.join(", ")
            ),
        ));
    }
    AlignedSegment {
        article: article_id.to_string(),
        paragraph: segment.paragraph,
        index: segment.index,
        span: [segment.span.start, segment.span.end],
        source: segment.text.clone(),
        target: translation.text.clone(),
        model_input: (prepared.text != segment.text).then(|| prepared.text.clone()),
        terms,
        score: translation.score,
        source_tokens: translation.source_tokens,
        target_tokens: translation.target_tokens,
        flags,
        memory: false,
        alternatives: enforced.alternatives.clone(),
    }
}

/// Pairs a segment with an approved translation from the translation memory. Terms are
/// verified but the reviewer's text is kept as it is: a missing term is flagged, not
/// repaired.
pub fn align_approved(
    article_id: &str,
    segment: &Segment,
    prepared: &Prepared,
    approved: &str,
    targets: &crate::glossary::Matcher,
) -> AlignedSegment {
    let wanted: Vec<String> = prepared.terms.iter().map(|t| t.target.clone()).collect();
    let (_, statuses) = crate::glossary::verify(targets, approved, &wanted);
    let enforced = Enforced {
        translation: crate::translate::batch::Translation {
            text: approved.to_string(),
            score: None,
            source_tokens: 0,
            target_tokens: 0,
            input_truncated: false,
            output_truncated: false,
            error: None,
            pieces: 1,
        },
        statuses,
        notes: Vec::new(),
        alternatives: Vec::new(),
    };
    let mut row = align(article_id, segment, prepared, &enforced);
    row.model_input = None;
    row.memory = true;
    row.flags.push(Flag::new(
        "memory",
        Severity::Info,
        "approved translation from the translation memory",
    ));
    row
}
