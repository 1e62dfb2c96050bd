//! Stage 5, enforce: terminology after translation. Translated model inputs and their
//! glossary terms in; placeholders restored, terms verified, missing terms repaired out.
//!
//! CTranslate2 has no lexically constrained decoding, so passeur enforces terms in steps,
//! each only for the sentences that still need it:
//! 1. restore placeholders; if the model lost one, translate the sentence again with the
//!    term injected instead;
//! 2. verify every term, rewriting drifted spellings to the glossary's ([`glossary::verify`]);
//! 3. look through the model's n-best hypotheses for one that has every term;
//! 4. decode again with the missing term forced through `target_prefix`, cut into the best
//!    hypothesis where the term's source position says it belongs;
//! 5. whatever is still missing is reported `missing`, never silently dropped.

use crate::glossary::{self, Matcher, Prepared, TermStatus};
use crate::markup::{self, Code, Placed};
use crate::translate::batch::{self, decoding_budget, Translation};
use crate::translate::{Engine, Hypothesis};

/// Hypotheses searched for a missing term.
const NBEST: usize = 8;
/// Missing terms forced one after the other, at most, in one sentence.
const PREFIX_ROUNDS: usize = 8;
/// N-best hypotheses kept as alternatives for reviewers (XLIFF `<alt-trans>`).
const ALTERNATIVES: usize = 3;

/// One translated model input with its glossary terms.
#[derive(Debug, Clone)]
pub struct Job {
    /// The source sentence (to inject again when a placeholder was lost).
    pub source: String,
    pub prepared: Prepared,
    pub translation: Translation,
}

/// What enforcement made of a job (cached in the output folder's state, hence serde).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Enforced {
    pub translation: Translation,
    /// Per term of the job's `prepared.terms`, in order.
    pub statuses: Vec<TermStatus>,
    /// What was done, for reviewers ("placeholder lost: …").
    pub notes: Vec<String>,
    /// Other translations the model proposed (its n-best, when repair asked for them),
    /// best first, without the one chosen.
    pub alternatives: Vec<String>,
    /// Where the source's inline codes went in the translation, in target order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placed: Vec<Placed>,
    /// The model did not keep the codes' tokens: they were placed by [`markup::project`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub codes_projected: bool,
}

/// Enforces the terms of every job. Jobs without terms pass through unchanged.
pub fn enforce(
    engine: &dyn Engine,
    matcher: &Matcher,
    targets: &Matcher,
    jobs: Vec<Job>,
    cap: usize,
) -> Vec<Enforced> {
    let mut states: Vec<State> = jobs.into_iter().map(State::new).collect();

    // 1. Placeholders: restore, or fall back to injection for the sentence.
    let lost: Vec<usize> = (0..states.len())
        .filter(|&i| states[i].error().is_none() && !states[i].restore())
        .collect();
    if !lost.is_empty() {
        let inputs: Vec<Prepared> = lost
            .iter()
            .map(|&i| {
                let job = &states[i].job;
                let codes: Vec<Code> = job.prepared.codes.iter().map(|(_, c)| c.clone()).collect();
                glossary::prepare_with_codes(matcher, &job.source, &codes, true)
            })
            .collect();
        let texts: Vec<String> = inputs.iter().map(|p| p.text.clone()).collect();
        let plan = batch::BatchPlan {
            tokens_per_call: usize::MAX,
            calls_in_flight: 1,
            max_decoding_length: cap,
            max_segment_tokens: usize::MAX,
        };
        let again = batch::translate_all(engine, &texts, &plan, &|_| {}, &|_| {});
        for ((&i, prepared), translation) in lost.iter().zip(inputs).zip(again) {
            let state = &mut states[i];
            state.notes.push("the model lost a placeholder: the sentence was translated again with its terms injected".into());
            state.job.prepared = prepared;
            state.job.translation = translation;
            state.text = state.job.translation.text.clone();
        }
    }

    // 2. Verify.
    for state in &mut states {
        if state.error().is_none() {
            state.verify(targets);
        }
    }
    // Repair decodes a model input again. A sentence translated in pieces (too long for
    // the model) is repaired piece by piece, each piece a job of its own; one cut at the
    // input limit is left as it is (decoding it again would cut it again), its missing
    // terms flagged.
    for state in &mut states {
        if !state.missing() {
            continue;
        }
        if !state.job.translation.parts.is_empty() {
            state.repair_pieces(engine, matcher, targets, cap);
        } else if state.job.translation.input_truncated {
            state.gave_up = true;
            state.notes.push(format!(
                "not repaired: the input was cut at the model's limit ({} source tokens)",
                state.job.translation.source_tokens
            ));
        }
    }

    // 3. N-best.
    let missing: Vec<usize> = (0..states.len()).filter(|&i| states[i].missing()).collect();
    if !missing.is_empty() {
        let sources: Vec<Vec<String>> = missing
            .iter()
            .filter_map(|&i| states[i].tokens(engine))
            .collect();
        if sources.len() == missing.len() {
            for (budget, group) in batch::by_budget(&sources, |s| budget(s, engine, cap)) {
                let inputs: Vec<Vec<String>> = group.iter().map(|&g| sources[g].clone()).collect();
                match engine.translate_nbest(&inputs, NBEST, budget) {
                    Ok(nbest) => {
                        for (&g, hypotheses) in group.iter().zip(nbest) {
                            states[missing[g]].try_nbest(engine, targets, hypotheses);
                        }
                    }
                    Err(e) => group.iter().for_each(|&g| {
                        states[missing[g]]
                            .notes
                            .push(format!("n-best search failed: {e}"))
                    }),
                }
            }
        }
    }

    // 4. Target prefixes, one missing term per round.
    for _ in 0..PREFIX_ROUNDS {
        let missing: Vec<usize> = (0..states.len()).filter(|&i| states[i].missing()).collect();
        if missing.is_empty() {
            break;
        }
        let mut rows = Vec::new();
        for &i in &missing {
            if let Some((source, prefix)) = states[i].prefix(engine) {
                rows.push((i, source, prefix));
            }
        }
        if rows.is_empty() {
            break;
        }
        // A row's budget is its source's plus its prefix, so rows are called in groups of
        // one budget (see `batch::decoding_budget`).
        let row_budget = |(_, source, prefix): &(usize, Vec<String>, Vec<String>)| {
            (budget(source, engine, cap) + prefix.len()).min(cap)
        };
        for (budget, group) in batch::by_budget(&rows, row_budget) {
            let sources: Vec<Vec<String>> = group.iter().map(|&g| rows[g].1.clone()).collect();
            let prefixes: Vec<Vec<String>> = group.iter().map(|&g| rows[g].2.clone()).collect();
            match engine.translate_with_prefix(&sources, &prefixes, budget) {
                Ok(hypotheses) => {
                    for (&g, hypothesis) in group.iter().zip(hypotheses) {
                        states[rows[g].0].try_prefix(engine, targets, hypothesis, budget);
                    }
                }
                Err(e) => {
                    for &g in &group {
                        let state = &mut states[rows[g].0];
                        state.notes.push(format!("prefix repair failed: {e}"));
                        state.gave_up = true;
                    }
                }
            }
        }
    }

    states.into_iter().map(State::finish).collect()
}

/// Decodes a hypothesis into which terms were forced, each ending at one of `ends` (token
/// indices). The model may go on from a forced term without a word marker (`office` +
/// `id`); a forced term must stay a word of its own, so what follows it is set apart by a
/// space unless it is a plural ending (`office` + `s`).
fn decode_forced(engine: &dyn Engine, tokens: &[String], ends: &[usize]) -> Option<String> {
    let mut text = String::new();
    let mut start = 0;
    for &end in ends.iter().filter(|&&e| e > 0 && e < tokens.len()) {
        if end <= start {
            continue;
        }
        text.push_str(&engine.decode(&tokens[start..end]).ok()?);
        if !matches!(tokens[end].as_str(), "s" | "es") {
            text.push(' ');
        }
        start = end;
    }
    text.push_str(&engine.decode(&tokens[start..]).ok()?);
    Some(text)
}

/// Whether a target token begins a word: SentencePiece marks word starts with `▁`, GPT-2
/// style byte-level BPE with `Ġ`; anything else (such as `</s>`) is treated as a start.
fn starts_word(token: &str) -> bool {
    token.starts_with('▁')
        || token.starts_with('Ġ')
        || !token.chars().next().is_some_and(char::is_alphanumeric)
}

/// The decoding budget of one source, as the first translation had it.
fn budget(source: &[String], engine: &dyn Engine, cap: usize) -> usize {
    decoding_budget(source.len().min(engine.max_input_length()), cap)
}

struct State {
    job: Job,
    /// The current output text (placeholders restored, spellings normalised).
    text: String,
    statuses: Vec<TermStatus>,
    notes: Vec<String>,
    /// The target tokens of the current best output, for prefixes.
    best_tokens: Option<Vec<String>>,
    /// Tokens at the start of `best_tokens` that were forced and must be kept.
    forced: usize,
    /// Where each forced term ends in `best_tokens`.
    forced_ends: Vec<usize>,
    /// The prefix length and the term of the round in progress.
    pending_forced: usize,
    pending_term: String,
    gave_up: bool,
    alternatives: Vec<String>,
}

impl State {
    fn new(job: Job) -> State {
        let statuses = vec![TermStatus::Pending; job.prepared.terms.len()];
        State {
            text: job.translation.text.clone(),
            statuses,
            notes: Vec::new(),
            alternatives: Vec::new(),
            best_tokens: None,
            forced: 0,
            forced_ends: Vec::new(),
            pending_forced: 0,
            pending_term: String::new(),
            gave_up: false,
            job,
        }
    }

    fn error(&self) -> Option<&str> {
        self.job.translation.error.as_deref()
    }

    fn wanted(&self) -> Vec<String> {
        self.job
            .prepared
            .terms
            .iter()
            .map(|t| t.target.clone())
            .collect()
    }

    /// Repairs a sentence translated in pieces: each term goes to the piece where it sits
    /// (by its place in the sentence), each piece with missing terms is enforced as a job
    /// of its own, short enough to decode again whole, and the pieces are joined again.
    fn repair_pieces(
        &mut self,
        engine: &dyn Engine,
        matcher: &Matcher,
        targets: &Matcher,
        cap: usize,
    ) {
        let input = self.job.prepared.text.clone();
        let parts = self.job.translation.parts.clone();
        let source_len = self.job.source.len().max(1);
        let place = |span_start: usize| span_start * input.len() / source_len;
        let mut terms_of: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
        for (t, term) in self.job.prepared.terms.iter().enumerate() {
            let at = place(term.span.start);
            let piece = parts
                .iter()
                .position(|p| at < p.range.end)
                .unwrap_or(parts.len() - 1);
            terms_of[piece].push(t);
        }
        let jobs: Vec<Job> = parts
            .iter()
            .zip(&terms_of)
            .map(|(part, terms)| {
                let text = input[part.range.clone()].to_string();
                let terms = terms
                    .iter()
                    .map(|&t| {
                        let mut term = self.job.prepared.terms[t].clone();
                        let at = place(term.span.start)
                            .saturating_sub(part.range.start)
                            .min(text.len());
                        term.span = at..at;
                        term
                    })
                    .collect();
                let placeholders = self
                    .job
                    .prepared
                    .placeholders
                    .iter()
                    .filter(|(token, _)| text.contains(token.as_str()))
                    .cloned()
                    .collect();
                Job {
                    source: text.clone(),
                    prepared: Prepared {
                        text,
                        terms,
                        placeholders,
                        // The codes' tokens stay in the piece's text; the whole sentence
                        // places them once its pieces are joined again.
                        codes: Vec::new(),
                    },
                    translation: part.translation.clone(),
                }
            })
            .collect();
        let pieces = enforce(engine, matcher, targets, jobs, cap);
        let mut statuses = vec![TermStatus::Missing; self.statuses.len()];
        for (piece, terms) in pieces.iter().zip(&terms_of) {
            for (status, &t) in piece.statuses.iter().zip(terms) {
                statuses[t] = *status;
            }
        }
        let before = self.statuses.iter().filter(|s| s.is_present()).count();
        let after = statuses.iter().filter(|s| s.is_present()).count();
        self.gave_up = true;
        if after <= before {
            self.notes
                .push("repair piece by piece found no missing term".into());
            return;
        }
        for (n, piece) in pieces.iter().enumerate() {
            for note in &piece.notes {
                self.notes.push(format!("piece {}: {note}", n + 1));
            }
        }
        let joined = batch::join(
            parts
                .iter()
                .zip(pieces)
                .map(|(part, piece)| (part.range.clone(), piece.translation))
                .collect(),
        );
        self.text = joined.text.clone();
        self.statuses = statuses;
        self.job.translation = joined;
    }

    /// Restores placeholders in the current text; false if one was lost.
    fn restore(&mut self) -> bool {
        match glossary::restore_placeholders(&self.text, &self.job.prepared.placeholders) {
            Some(text) => {
                self.text = text;
                true
            }
            None => false,
        }
    }

    fn verify(&mut self, targets: &Matcher) {
        let (text, statuses) = glossary::verify(targets, &self.text, &self.wanted());
        self.text = text;
        self.statuses = statuses;
    }

    fn missing(&self) -> bool {
        !self.gave_up && self.error().is_none() && self.statuses.contains(&TermStatus::Missing)
    }

    fn tokens(&self, engine: &dyn Engine) -> Option<Vec<String>> {
        engine.encode(&self.job.prepared.text).ok()
    }

    /// A candidate much shorter than the translation it would replace (under 70% of its
    /// tokens) has lost content: repair never trades a sentence for a cut one. (Unless
    /// the translation ran to the length limit: a looping output is not content.)
    fn much_shorter(&self, hypothesis: &Hypothesis) -> bool {
        let translation = &self.job.translation;
        !translation.output_truncated
            && hypothesis.tokens.len() * 10 < translation.target_tokens * 7
    }

    /// Checks a candidate output: placeholders restored, every term present.
    fn check(&self, targets: &Matcher, text: &str) -> Option<(String, Vec<TermStatus>)> {
        let restored = glossary::restore_placeholders(text, &self.job.prepared.placeholders)?;
        let (text, statuses) = glossary::verify(targets, &restored, &self.wanted());
        statuses
            .iter()
            .all(|s| s.is_present())
            .then_some((text, statuses))
    }

    fn try_nbest(&mut self, engine: &dyn Engine, targets: &Matcher, hypotheses: Vec<Hypothesis>) {
        if let Some(first) = hypotheses.first() {
            self.best_tokens = Some(first.tokens.clone());
        }
        for hypothesis in hypotheses.iter().take(ALTERNATIVES + 1) {
            if let Ok(text) = engine.decode(&hypothesis.tokens) {
                let text = glossary::restore_placeholders(&text, &self.job.prepared.placeholders)
                    .unwrap_or(text);
                if !self.alternatives.contains(&text) {
                    self.alternatives.push(text);
                }
            }
        }
        for (rank, hypothesis) in hypotheses.iter().enumerate() {
            if self.much_shorter(hypothesis) {
                continue;
            }
            let Ok(text) = engine.decode(&hypothesis.tokens) else {
                continue;
            };
            if let Some((text, statuses)) = self.check(targets, &text) {
                self.adopt(text, statuses, TermStatus::RepairedNbest, hypothesis);
                self.notes.push(format!(
                    "missing terms found in the model's hypothesis number {}",
                    rank + 1
                ));
                return;
            }
        }
    }

    /// The source tokens and a prefix that forces the first missing term: the best
    /// hypothesis up to where the term sits in the source (proportionally), then the term.
    fn prefix(&mut self, engine: &dyn Engine) -> Option<(Vec<String>, Vec<String>)> {
        let missing = self
            .statuses
            .iter()
            .position(|s| *s == TermStatus::Missing)?;
        let term = &self.job.prepared.terms[missing];
        let source = self.tokens(engine)?;
        let best = self.best_tokens.clone().unwrap_or_default();
        let position = term.span.start as f64 / self.job.source.len().max(1) as f64;
        // Never cut into what an earlier round forced, and only between words.
        let mut cut = (((best.len() as f64) * position).round() as usize)
            .max(self.forced)
            .min(best.len());
        while cut < best.len() && !starts_word(&best[cut]) {
            cut += 1;
        }
        let mut prefix: Vec<String> = best[..cut].to_vec();
        match engine.encode_target(&term.target) {
            Ok(tokens) if !tokens.is_empty() => prefix.extend(tokens),
            _ => {
                self.gave_up = true;
                return None;
            }
        }
        self.pending_forced = prefix.len();
        self.pending_term = term.target.clone();
        Some((source, prefix))
    }

    fn try_prefix(
        &mut self,
        engine: &dyn Engine,
        targets: &Matcher,
        hypothesis: Hypothesis,
        budget: usize,
    ) {
        if self.much_shorter(&hypothesis) {
            self.gave_up = true;
            self.notes.push(format!(
                "{} not forced in: the output with it was much shorter ({} tokens against {})",
                self.pending_term,
                hypothesis.tokens.len(),
                self.job.translation.target_tokens
            ));
            return;
        }
        let mut ends = self.forced_ends.clone();
        ends.push(self.pending_forced);
        let Some(text) = decode_forced(engine, &hypothesis.tokens, &ends) else {
            self.gave_up = true;
            return;
        };
        let Some(restored) = glossary::restore_placeholders(&text, &self.job.prepared.placeholders)
        else {
            self.gave_up = true;
            return;
        };
        let (text, statuses) = glossary::verify(targets, &restored, &self.wanted());
        let before = self.statuses.iter().filter(|s| s.is_present()).count();
        let after = statuses.iter().filter(|s| s.is_present()).count();
        if after <= before {
            // Forcing the term did not bring it in (or lost another): keep the best output.
            self.gave_up = true;
            return;
        }
        let previous = self.statuses.clone();
        self.forced = self.pending_forced;
        self.forced_ends = ends;
        self.text = text;
        self.best_tokens = Some(hypothesis.tokens.clone());
        self.job.translation.output_truncated |= hypothesis.tokens.len() >= budget;
        self.job.translation.target_tokens = hypothesis.tokens.len();
        self.job.translation.score = hypothesis.score;
        self.statuses = statuses
            .into_iter()
            .zip(previous)
            .map(|(new, old)| match (old, new.is_present()) {
                (TermStatus::Missing, true) => TermStatus::RepairedPrefix,
                (old, true) if old.is_present() => old,
                (_, _) => new,
            })
            .collect();
        self.notes
            .push(format!("{} forced in by target prefix", self.pending_term));
    }

    fn adopt(
        &mut self,
        text: String,
        statuses: Vec<TermStatus>,
        how: TermStatus,
        hypothesis: &Hypothesis,
    ) {
        self.statuses = self
            .statuses
            .iter()
            .zip(statuses)
            .map(|(old, new)| {
                if *old == TermStatus::Missing {
                    how
                } else {
                    new
                }
            })
            .collect();
        self.text = text;
        self.best_tokens = Some(hypothesis.tokens.clone());
        self.job.translation.target_tokens = hypothesis.tokens.len();
        self.job.translation.score = hypothesis.score;
    }

    fn finish(mut self) -> Enforced {
        if self.error().is_none() {
            self.job.translation.text = std::mem::take(&mut self.text);
        }
        // The codes' tokens out of the text (and the alternatives), the codes placed.
        let (tokens, codes): (Vec<String>, Vec<Code>) =
            self.job.prepared.codes.iter().cloned().unzip();
        let mut placed = Vec::new();
        let mut codes_projected = false;
        if !codes.is_empty() {
            let anchors = self.job.prepared.anchors();
            let placement = markup::place(
                &self.job.translation.text,
                &tokens,
                &codes,
                &self.job.source,
                &anchors,
            );
            self.job.translation.text = placement.text;
            placed = placement.placed;
            codes_projected = !placement.exact;
            for alternative in &mut self.alternatives {
                *alternative =
                    markup::place(alternative, &tokens, &codes, &self.job.source, &anchors).text;
            }
        }
        let chosen = &self.job.translation.text;
        self.alternatives.retain(|a| a != chosen);
        self.alternatives.truncate(ALTERNATIVES);
        Enforced {
            translation: self.job.translation,
            statuses: self.statuses,
            notes: self.notes,
            alternatives: self.alternatives,
            placed,
            codes_projected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{Entry, Policy};
    use crate::translate::batch::{translate_all, BatchPlan};
    use crate::translate::fake::FakeEngine;

    fn run(entries: Vec<Entry>, sources: &[&str]) -> Vec<Enforced> {
        let engine = FakeEngine { max_input: 100 };
        let targets = Matcher::for_targets(&entries);
        let matcher = Matcher::new(entries);
        let prepared: Vec<Prepared> = sources
            .iter()
            .map(|s| glossary::prepare(&matcher, s, false))
            .collect();
        let texts: Vec<String> = prepared.iter().map(|p| p.text.clone()).collect();
        let plan = BatchPlan {
            tokens_per_call: 100,
            calls_in_flight: 1,
            max_decoding_length: 100,
            max_segment_tokens: 100,
        };
        let translations = translate_all(&engine, &texts, &plan, &|_| {}, &|_| {});
        let jobs = sources
            .iter()
            .zip(prepared)
            .zip(translations)
            .map(|((s, p), t)| Job {
                source: s.to_string(),
                prepared: p,
                translation: t,
            })
            .collect();
        enforce(&engine, &matcher, &targets, jobs, 100)
    }

    #[test]
    fn present_terms_are_ok() {
        let out = run(vec![Entry::new("OTAN", "NATO", "g#1")], &["l' OTAN arrive"]);
        assert_eq!(out[0].statuses, [TermStatus::Ok]);
        assert_eq!(out[0].translation.text, "L' NATO ARRIVE");
    }

    #[test]
    fn a_dropped_term_is_repaired_from_the_nbest() {
        // The fake engine drops tokens containing DROP from its best hypothesis only.
        let out = run(
            vec![Entry::new("zone", "DROPZONE", "g#1")],
            &["la zone est calme"],
        );
        assert_eq!(out[0].statuses, [TermStatus::RepairedNbest], "{:?}", out[0]);
        assert_eq!(out[0].translation.text, "LA DROPZONE EST CALME");
        // The model's own best, which lost the term, stays visible to reviewers.
        assert_eq!(out[0].alternatives, ["LA EST CALME"]);
    }

    #[test]
    fn a_term_the_model_never_produces_is_forced_by_prefix() {
        let mut check = Entry::new("région", "territory", "g#1");
        check.policy = Policy::Check;
        let out = run(vec![check], &["la région est calme"]);
        assert_eq!(
            out[0].statuses,
            [TermStatus::RepairedPrefix],
            "{:?}",
            out[0]
        );
        assert!(out[0].translation.text.contains("territory"));
    }

    #[test]
    fn a_lost_placeholder_falls_back_to_injection() {
        // The fake engine loses placeholders in sentences containing "perdre".
        let mut url = Entry::new("www.otan.int", "www.otan.int", "g#1");
        url.policy = Policy::Placeholder;
        let kept = run(vec![url.clone()], &["voir www.otan.int ici"]);
        assert_eq!(kept[0].statuses, [TermStatus::Ok]);
        assert_eq!(kept[0].translation.text, "VOIR www.otan.int ICI");
        let lost = run(vec![url], &["perdre www.otan.int ici"]);
        assert!(
            lost[0].notes[0].contains("lost a placeholder"),
            "{:?}",
            lost[0].notes
        );
        assert_eq!(lost[0].statuses, [TermStatus::Normalised]);
        assert_eq!(lost[0].translation.text, "PERDRE www.otan.int ICI");
    }

    /// Repair must never make a translation worse: a sentence translated in pieces is
    /// repaired piece by piece, never decoded again whole (which would cut it at the
    /// input limit).
    #[test]
    fn a_split_sentence_is_repaired_piece_by_piece() {
        let engine = FakeEngine { max_input: 100 };
        let entries = vec![Entry::new("zone", "DROPZONE", "g#1")];
        let targets = Matcher::for_targets(&entries);
        let matcher = Matcher::new(entries);
        let source = "La zone est calme, le ciel est bleu, la mer est grise, le vent tombe";
        let prepared = glossary::prepare(&matcher, source, false);
        let plan = BatchPlan {
            tokens_per_call: 100,
            calls_in_flight: 1,
            max_decoding_length: 100,
            max_segment_tokens: 6,
        };
        let translation = translate_all(
            &engine,
            std::slice::from_ref(&prepared.text),
            &plan,
            &|_| {},
            &|_| {},
        )
        .remove(0);
        assert!(translation.pieces > 1, "{translation:?}");
        let out = enforce(
            &engine,
            &matcher,
            &targets,
            vec![Job {
                source: source.into(),
                prepared,
                translation,
            }],
            100,
        );
        assert_eq!(out[0].statuses, [TermStatus::RepairedNbest], "{:?}", out[0]);
        let text = &out[0].translation.text;
        assert!(text.contains("DROPZONE"), "{text}");
        for word in ["CALME,", "BLEU,", "GRISE,", "TOMBE"] {
            assert!(text.contains(word), "no piece lost: {text}");
        }
        assert!(out[0].translation.pieces > 1);
        assert!(
            out[0].notes.iter().any(|n| n.starts_with("piece 1:")),
            "{:?}",
            out[0].notes
        );
    }
}
