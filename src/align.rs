//! Stage 6, align & check: each source segment paired with its translation, with QA flags.
//!
//! Alignment is 1:1 by construction: the pipeline keeps one translation per segment, so
//! this stage only joins them and records what a reviewer must look at.

use serde::{Deserialize, Serialize};

use crate::check::{self, Check, Flag, Severity};
use crate::enforce::Enforced;
use crate::glossary::{Forbidden, Prepared, TermMatch, TermStatus};
use crate::markup::{self, Code, Placed};
use crate::segment::Segment;

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
    /// The source's inline codes (HTML tags, XLIFF inline elements), each at its byte
    /// offset in `source`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
    /// Where each code went in `target`: `[code index, byte offset]`, in target order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placed: Vec<Placed>,
    /// What a reviewer made of it, once one has (in the editor, or by `review import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// A segment's place in the review: machine output waits for a person; a person confirms
/// it (translated), approves it, or rejects it. MateCat's and Weblate's states, by the
/// names the editor, `aligned.tsv` and the filters use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    NeedsReview,
    Translated,
    Approved,
    Rejected,
}

impl ReviewState {
    pub const ALL: [ReviewState; 4] = [
        ReviewState::NeedsReview,
        ReviewState::Translated,
        ReviewState::Approved,
        ReviewState::Rejected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReviewState::NeedsReview => "needs-review",
            ReviewState::Translated => "translated",
            ReviewState::Approved => "approved",
            ReviewState::Rejected => "rejected",
        }
    }

    pub fn from_name(name: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// A person's translation, to keep and to reuse: confirmed or approved.
    pub fn is_reviewed(self) -> bool {
        matches!(self, ReviewState::Translated | ReviewState::Approved)
    }
}

/// A reviewer's decision on a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub state: ReviewState,
    /// The machine translation the reviewer started from, when the target is no longer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<String>,
    /// How many times the segment was saved: an edit says which revision it started from,
    /// so that two editors of one segment get a conflict, not a silent overwrite.
    pub revision: u64,
    /// When (seconds since 1970).
    pub at: u64,
}

impl AlignedSegment {
    /// Where the segment is in the review.
    pub fn state(&self) -> ReviewState {
        match &self.review {
            Some(review) => review.state,
            None if self.memory => ReviewState::Translated,
            None => ReviewState::NeedsReview,
        }
    }

    /// `ARTICLE:PARAGRAPH:INDEX`: the segment's name in the editor's links and hooks.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.article, self.paragraph, self.index)
    }

    /// Counts among the flagged: it has flags and no person has taken it in hand (an
    /// approved translation's flags are notes for the reviewer, not work to do).
    pub fn is_flagged(&self) -> bool {
        !self.flags.is_empty() && !self.memory && !self.state().is_reviewed()
    }

    /// The source with its codes, each stretch of text and each code through the functions
    /// given (escaping and markup for one output format).
    pub fn source_with_codes(
        &self,
        text_to: impl Fn(&str) -> String,
        code_to: impl Fn(&Code) -> String,
    ) -> String {
        let order = markup::in_source_order(&self.codes);
        markup::render(&self.source, &self.codes, &order, text_to, code_to)
    }

    /// The target with its codes, likewise.
    pub fn target_with_codes(
        &self,
        text_to: impl Fn(&str) -> String,
        code_to: impl Fn(&Code) -> String,
    ) -> String {
        markup::render(&self.target, &self.codes, &self.placed, text_to, code_to)
    }
}

/// What a segment was translated into, whichever way it came: from the engine through
/// enforcement, or from the translation memory.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub text: &'a str,
    pub score: Option<f32>,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// The input was longer than the engine's input limit and was cut.
    pub input_truncated: bool,
    /// The output reached the decoding budget and may be cut.
    pub output_truncated: bool,
    /// Why the engine failed, if it did.
    pub error: Option<&'a str>,
    /// How many pieces a long sentence was translated in.
    pub pieces: usize,
    /// Per term of the segment's glossary matches, in order.
    pub statuses: &'a [TermStatus],
    /// What enforcement did, for reviewers.
    pub notes: &'a [String],
    /// The model's other hypotheses.
    pub alternatives: &'a [String],
    /// Where the segment's codes went, when the engine placed them.
    pub placed: &'a [Placed],
    /// The codes were projected, not placed by the model.
    pub codes_projected: bool,
}

impl<'a> Target<'a> {
    /// A person's translation: no engine figures, inline codes placed by position.
    pub fn by_a_person(text: &'a str, statuses: &'a [TermStatus]) -> Target<'a> {
        Target {
            text,
            score: None,
            source_tokens: 0,
            target_tokens: 0,
            input_truncated: false,
            output_truncated: false,
            error: None,
            pieces: 1,
            statuses,
            notes: &[],
            alternatives: &[],
            placed: &[],
            codes_projected: true,
        }
    }
}

impl<'a> From<&'a Enforced> for Target<'a> {
    fn from(enforced: &'a Enforced) -> Target<'a> {
        let translation = &enforced.translation;
        Target {
            text: &translation.text,
            score: translation.score,
            source_tokens: translation.source_tokens,
            target_tokens: translation.target_tokens,
            input_truncated: translation.input_truncated,
            output_truncated: translation.output_truncated,
            error: translation.error.as_deref(),
            pieces: translation.pieces,
            statuses: &enforced.statuses,
            notes: &enforced.notes,
            alternatives: &enforced.alternatives,
            placed: &enforced.placed,
            codes_projected: enforced.codes_projected,
        }
    }
}

/// Pairs a segment with its translation and its terms' statuses, and flags problems.
pub fn align(
    article_id: &str,
    segment: &Segment,
    prepared: &Prepared,
    translation: &Target,
) -> AlignedSegment {
    let mut terms = prepared.terms.clone();
    for (term, status) in terms.iter_mut().zip(translation.statuses) {
        term.status = *status;
    }
    let mut flags = Vec::new();
    if let Some(error) = translation.error {
        flags.push(Flag::new(
            Check::EngineError,
            Severity::Error,
            format!("translation failed: {error}"),
        ));
    } else if translation.text.trim().is_empty() {
        flags.push(Flag::new(
            Check::Untranslated,
            Severity::Error,
            "the translation is empty",
        ));
    }
    if translation.input_truncated {
        flags.push(Flag::new(
            Check::Truncated,
            Severity::Error,
            format!(
                "the source has {} tokens, more than the model reads; its end was not translated",
                translation.source_tokens
            ),
        ));
    }
    if translation.pieces > 1 {
        flags.push(Flag::new(
            Check::Split,
            Severity::Info,
            format!(
                "too long for the model ({} tokens): translated in {} pieces cut at clause boundaries",
                translation.source_tokens, translation.pieces
            ),
        ));
    }
    if translation.output_truncated {
        flags.push(Flag::new(
            Check::Truncated,
            Severity::Warning,
            format!(
                "the translation reached the length limit ({} tokens) and may be cut",
                translation.target_tokens
            ),
        ));
    }
    if translation.error.is_none() {
        flags.extend(check::check(&check::Pair {
            source: &segment.text,
            target: translation.text,
            score: translation.score,
        }));
    }
    if !translation.notes.is_empty() {
        flags.push(Flag::new(
            Check::TermRepair,
            Severity::Info,
            translation.notes.join("; "),
        ));
    }
    let missing: Vec<&str> = terms
        .iter()
        .filter(|t| t.status == TermStatus::Missing)
        .map(|t| t.target.as_str())
        .collect();
    if !missing.is_empty() {
        flags.push(Flag::new(
            Check::MissingTerm,
            Severity::Warning,
            format!(
                "glossary term not in the translation: {}",
                missing.join(", ")
            ),
        ));
    }
    let deprecated: Vec<String> = terms
        .iter()
        .filter(|t| t.deprecated)
        .map(|t| format!("{:?} ({} → {:?})", t.source, t.entry, t.target))
        .collect();
    if !deprecated.is_empty() {
        flags.push(Flag::new(
            Check::DeprecatedTerm,
            Severity::Info,
            format!(
                "the source uses a deprecated term: {}",
                deprecated.join(", ")
            ),
        ));
    }
    // Codes: as placed when they nest for this segment's codes (a translation shared by
    // sentences with the same text may come from one whose codes differ), else projected.
    let mut placed = translation.placed.to_vec();
    let mut projected = translation.codes_projected;
    if !segment.codes.is_empty() && !markup::nests(&segment.codes, &placed) {
        let anchors = prepared.anchors();
        placed = markup::project(&segment.text, &segment.codes, translation.text, &anchors);
        projected = true;
    }
    if !segment.codes.is_empty() && projected && translation.error.is_none() {
        flags.push(Flag::new(
            Check::XmlTags,
            Severity::Warning,
            format!(
                "{} inline code(s) placed by position, not by the model: check where they sit",
                segment.codes.len()
            ),
        ));
    }
    AlignedSegment {
        codes: segment.codes.clone(),
        placed,
        article: article_id.to_string(),
        paragraph: segment.paragraph,
        index: segment.index,
        span: [segment.span.start, segment.span.end],
        source: segment.text.clone(),
        target: translation.text.to_string(),
        model_input: (prepared.text != segment.text).then(|| prepared.text.clone()),
        terms,
        score: translation.score,
        source_tokens: translation.source_tokens,
        target_tokens: translation.target_tokens,
        flags,
        memory: false,
        alternatives: translation.alternatives.to_vec(),
        review: None,
    }
}

/// Flags the targets a glossary forbids that `row`'s translation holds (`forbidden-term`),
/// and takes back an earlier such flag: the check is run again on every new target.
pub fn check_forbidden(row: &mut AlignedSegment, forbidden: &Forbidden) {
    row.flags.retain(|f| f.check != Check::ForbiddenTerm);
    let found = forbidden.find(&row.target);
    if found.is_empty() {
        return;
    }
    let named: Vec<String> = found
        .iter()
        .map(|f| format!("{:?} ({}, for {:?})", f.found, f.entry, f.source))
        .collect();
    row.flags.push(Flag::new(
        Check::ForbiddenTerm,
        Severity::Warning,
        format!(
            "the translation uses a term the glossary forbids: {}",
            named.join(", ")
        ),
    ));
}

/// A person's translation of a segment, used instead of the model's: from the translation
/// memory, or kept from the folder's last run (a reviewer's work is never translated over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    pub target: String,
    pub review: Review,
    pub from_memory: bool,
}

/// Pairs a segment with a person's translation. Terms are verified but the reviewer's text
/// is kept as it is: a missing term is flagged, not repaired.
pub fn align_approved(
    article_id: &str,
    segment: &Segment,
    prepared: &Prepared,
    reviewed: &Reviewed,
    targets: &crate::glossary::Matcher,
) -> AlignedSegment {
    let approved = reviewed.target.as_str();
    let wanted: Vec<String> = prepared.terms.iter().map(|t| t.target.clone()).collect();
    let (_, statuses) = crate::glossary::verify(targets, approved, &wanted);
    let target = Target::by_a_person(approved, &statuses);
    let mut row = align(article_id, segment, prepared, &target);
    row.model_input = None;
    row.memory = reviewed.from_memory;
    row.review = Some(reviewed.review.clone());
    if reviewed.from_memory {
        row.flags.push(Flag::new(
            Check::Memory,
            Severity::Info,
            "approved translation from the translation memory",
        ));
    }
    row
}
