//! Pooling and batching: how texts meet the engine. Texts are tokenised once, cut when too
//! long, sorted by length and grouped into token-counted calls run one per replica; the
//! caller's [`BatchPlan`] sets the sizes (the pipeline from the settings, term
//! enforcement for its re-translations).

use std::ops::Range;

use rayon::prelude::*;

use super::{Engine, EngineError};

/// How texts are grouped for the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPlan {
    /// Tokens per engine call: one CTranslate2 batch (`max_batch_size` with
    /// `BatchType::Tokens`), so progress advances batch by batch and each call's
    /// `max_decoding_length` fits its own inputs. The plan does not depend on the thread
    /// count, so output is the same at any thread count.
    pub tokens_per_call: usize,
    /// Engine calls in flight at once: one per replica keeps every replica busy.
    pub calls_in_flight: usize,
    /// Upper bound for `max_decoding_length`.
    pub max_decoding_length: usize,
    /// Texts longer than this many tokens are split at clause boundaries.
    pub max_segment_tokens: usize,
}

/// The result for one input text.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Translation {
    pub text: String,
    pub score: Option<f32>,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// The input was longer than the engine's input limit and was cut.
    pub input_truncated: bool,
    /// The output reached `max_decoding_length` and may be cut.
    pub output_truncated: bool,
    /// Why the engine failed on this text, if it did.
    pub error: Option<String>,
    /// How many pieces the text was translated in (1 unless it was too long).
    pub pieces: usize,
    /// The pieces, when there are several: where each sits in the text, and its own
    /// translation (term repair works piece by piece).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}

/// One piece of a text translated in pieces.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// Byte range of the piece in the text.
    pub range: std::ops::Range<usize>,
    pub translation: Translation,
}

impl Translation {
    fn failed(source_tokens: usize, error: &EngineError) -> Translation {
        Translation {
            text: String::new(),
            score: None,
            source_tokens,
            target_tokens: 0,
            input_truncated: false,
            output_truncated: false,
            error: Some(error.to_string()),
            pieces: 1,
            parts: Vec::new(),
        }
    }
}

/// The output budget of an input of `tokens` tokens: generous enough that a real
/// translation is never cut (news translations run at 1–1.5 times the source length),
/// bounded so that a looping hypothesis stops.
///
/// It is a function of the input's own length, through its [`length_bucket`], never of
/// the other inputs of the call: a translation that reaches its budget must not change with
/// its neighbours, so that any chunking, sharding, thread layout or resumed run gives the
/// same output. Callers therefore never mix inputs of different budgets in one call.
pub fn decoding_budget(tokens: usize, cap: usize) -> usize {
    (length_bucket(tokens) * 2 + 10).min(cap)
}

/// The top of the length bucket of an input of `tokens` tokens: steps of 8 tokens up to
/// 64, then an eighth of the next power of two (16 up to 128, 32 up to 256, …), so that the
/// top exceeds the input's length by at most 7 tokens or a quarter of it, while
/// length-sorted calls split at few bucket boundaries (20 up to 512 tokens).
pub fn length_bucket(tokens: usize) -> usize {
    let step = (tokens.next_power_of_two() / 8).max(8);
    tokens.div_ceil(step).max(1) * step
}

/// The indices of `items` grouped by the decoding budget `budget_of` gives each, in order
/// within a group: one engine call per group keeps every call to a single budget.
pub fn by_budget<T>(items: &[T], budget_of: impl Fn(&T) -> usize) -> Vec<(usize, Vec<usize>)> {
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, item) in items.iter().enumerate() {
        groups.entry(budget_of(item)).or_default().push(i);
    }
    groups.into_iter().collect()
}

/// Translates `texts` (already unique) and returns one result per text, in order.
///
/// Progress is counted in engine inputs, which outnumber texts when long texts are split
/// (see [`crate::segment::split_long`]): `on_total` is told their number once, and
/// `on_done` how many finished after each engine call.
pub fn translate_all(
    engine: &dyn Engine,
    texts: &[String],
    plan: &BatchPlan,
    on_total: &dyn Fn(usize),
    on_done: &(dyn Fn(usize) + Sync),
) -> Vec<Translation> {
    // Each text becomes one or more pieces, each with its tokens.
    // A text longer than any sentence (a 5 MB line with no space) is cut before it is
    // tokenised, so that memory stays bounded; its translation is flagged truncated.
    let bounded: Vec<&str> = texts.iter().map(|t| bound(t)).collect();
    let pieces: Vec<Result<Vec<Piece>, EngineError>> = bounded
        .par_iter()
        .map(|text| encode_pieces(engine, text, plan.max_segment_tokens))
        .collect();
    let mut units: Vec<(usize, usize)> = Vec::new();
    for (text_index, encoded) in pieces.iter().enumerate() {
        if let Ok(encoded) = encoded {
            units.extend((0..encoded.len()).map(|piece| (text_index, piece)));
        }
    }
    let tokens = |(text, piece): (usize, usize)| -> &Vec<String> {
        &pieces[text]
            .as_ref()
            .expect("only encoded texts have units")[piece]
            .1
    };
    units.sort_by_key(|&unit| (tokens(unit).len(), unit));
    on_total(units.len());

    // Calls of `tokens_per_call` tokens, each within one decoding budget (the units are
    // sorted by length, so a budget's units are contiguous).
    let budget = |unit| {
        decoding_budget(
            tokens(unit).len().min(engine.max_input_length()),
            plan.max_decoding_length,
        )
    };
    let mut calls: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    let mut current_tokens = 0;
    for unit in units {
        match calls.last_mut() {
            Some((call_budget, call))
                if *call_budget == budget(unit) && current_tokens < plan.tokens_per_call =>
            {
                call.push(unit)
            }
            _ => {
                calls.push((budget(unit), vec![unit]));
                current_tokens = 0;
            }
        }
        current_tokens += tokens(unit).len();
    }

    // Threads take the next call from a shared queue, in order, as CTranslate2's own
    // asynchronous submission does (rayon's halving of the call list gave one thread all
    // the long calls and left the other replica idle at the end): one per replica, and
    // with a single replica one more, so that a call is always waiting in CTranslate2's
    // queue when it finishes and it never idles while a thread takes its results (1
    // thread: best of 3, 0.979 of the wheel before, 1.004 after; with two replicas the
    // other covers the gap, and the extra call measured no better there).
    let order: Vec<usize> = (0..calls.len()).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Vec<Translation>>> =
        calls.iter().map(|_| Default::default()).collect();
    std::thread::scope(|scope| {
        let threads = match plan.calls_in_flight {
            0 | 1 => 2,
            n => n,
        };
        for _ in 0..threads.clamp(1, calls.len().max(1)) {
            scope.spawn(|| loop {
                let taken = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&call) = order.get(taken) else {
                    break;
                };
                let (budget, units) = &calls[call];
                let inputs: Vec<Vec<String>> = units.iter().map(|&u| tokens(u).clone()).collect();
                let done = translate_call(engine, &inputs, *budget);
                on_done(units.len());
                *results[call].lock().expect("no thread panics holding it") = done;
            });
        }
    });
    let translated: Vec<Vec<((usize, usize), Translation)>> = calls
        .iter()
        .zip(results)
        .map(|((_, call), done)| {
            let done = done.into_inner().expect("no thread panics holding it");
            call.iter().copied().zip(done).collect()
        })
        .collect();

    // Reassemble each text from its pieces, in order.
    let mut by_text: Vec<Vec<Option<Translation>>> = pieces
        .iter()
        .map(|p| vec![None; p.as_ref().map_or(0, Vec::len)])
        .collect();
    for ((text, piece), translation) in translated.into_iter().flatten() {
        by_text[text][piece] = Some(translation);
    }
    pieces
        .iter()
        .zip(by_text)
        .zip(texts.iter().zip(&bounded))
        .map(|((encoded, parts), (text, bounded))| match encoded {
            Err(error) => Translation::failed(0, error),
            Ok(encoded) => {
                let mut translation = join(
                    encoded
                        .iter()
                        .map(|(range, _)| range.clone())
                        .zip(
                            parts
                                .into_iter()
                                .map(|p| p.expect("every piece has a result")),
                        )
                        .collect(),
                );
                translation.input_truncated |= bounded.len() < text.len();
                translation
            }
        })
        .collect()
}

/// A piece of a text to translate: where it sits in the text, and its tokens.
type Piece = (Range<usize>, Vec<String>);

/// Bytes of one text handed to the tokenizer, at most: far above a sentence (the model
/// reads 512 tokens; long sentences are split into pieces of 200), far below what would
/// make tokenising it cost gigabytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The text, cut at a character boundary to at most [`MAX_TEXT_BYTES`].
fn bound(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The pieces of one text, tokenised: the whole text when it fits in `max_tokens`,
/// otherwise its clause-split pieces.
fn encode_pieces(
    engine: &dyn Engine,
    text: &str,
    max_tokens: usize,
) -> Result<Vec<Piece>, EngineError> {
    let whole = engine.encode(text)?;
    if whole.len() <= max_tokens {
        return Ok(vec![(0..text.len(), whole)]);
    }
    let fits = |piece: &str| engine.encode(piece).map_or(true, |t| t.len() <= max_tokens);
    crate::segment::split_long(text, &fits)
        .into_iter()
        .map(|range| Ok((range.clone(), engine.encode(&text[range])?)))
        .collect()
}

/// One translation from the translations of a text's pieces (kept in `parts`).
pub fn join(pieces: Vec<(Range<usize>, Translation)>) -> Translation {
    if pieces.len() == 1 {
        return pieces.into_iter().next().expect("one part").1;
    }
    let parts: Vec<Translation> = pieces.iter().map(|(_, t)| t.clone()).collect();
    let target_tokens: usize = parts.iter().map(|p| p.target_tokens).sum();
    // The score of the whole is the token-weighted mean of the pieces' scores.
    let score = parts
        .iter()
        .map(|p| {
            p.score
                .map(|s| (s * p.target_tokens.max(1) as f32, p.target_tokens.max(1)))
        })
        .collect::<Option<Vec<_>>>()
        .map(|weighted| {
            let (sum, n) = weighted
                .iter()
                .fold((0.0, 0), |(s, n), (ws, w)| (s + ws, n + w));
            sum / n as f32
        });
    Translation {
        text: parts
            .iter()
            .map(|p| p.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        score,
        source_tokens: parts.iter().map(|p| p.source_tokens).sum(),
        target_tokens,
        input_truncated: parts.iter().any(|p| p.input_truncated),
        output_truncated: parts.iter().any(|p| p.output_truncated),
        error: parts.iter().find_map(|p| p.error.clone()),
        pieces: parts.len(),
        parts: pieces
            .into_iter()
            .map(|(range, translation)| Part { range, translation })
            .collect(),
    }
}

/// One engine call, its inputs all of one decoding `budget`. If the call fails as a whole,
/// each input is retried alone so that one bad input costs only its own translation.
fn translate_call(engine: &dyn Engine, inputs: &[Vec<String>], budget: usize) -> Vec<Translation> {
    match engine.translate(inputs, budget) {
        Ok(hypotheses) if hypotheses.len() == inputs.len() => inputs
            .iter()
            .zip(hypotheses)
            .map(|(input, hypothesis)| {
                let target_tokens = hypothesis.tokens.len();
                match engine.decode(&hypothesis.tokens) {
                    Ok(text) => Translation {
                        text,
                        score: hypothesis.score,
                        source_tokens: input.len(),
                        target_tokens,
                        input_truncated: input.len() > engine.max_input_length(),
                        output_truncated: target_tokens >= budget,
                        error: None,
                        pieces: 1,
                        parts: Vec::new(),
                    },
                    Err(error) => Translation::failed(input.len(), &error),
                }
            })
            .collect(),
        Ok(hypotheses) => {
            let error = EngineError(format!(
                "the engine returned {} results for {} inputs",
                hypotheses.len(),
                inputs.len()
            ));
            inputs
                .iter()
                .map(|i| Translation::failed(i.len(), &error))
                .collect()
        }
        Err(error) if inputs.len() == 1 => vec![Translation::failed(inputs[0].len(), &error)],
        Err(_) => inputs
            .iter()
            .flat_map(|input| translate_call(engine, std::slice::from_ref(input), budget))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeEngine;
    use super::super::Hypothesis;
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn plan(tokens_per_call: usize) -> BatchPlan {
        BatchPlan {
            tokens_per_call,
            calls_in_flight: 2,
            max_decoding_length: 256,
            max_segment_tokens: 1000,
        }
    }

    #[test]
    fn results_come_back_in_input_order() {
        let texts: Vec<String> = ["un deux trois", "a", "quatre cinq", "six sept huit neuf"]
            .map(String::from)
            .to_vec();
        let done = AtomicUsize::new(0);
        let out = translate_all(
            &FakeEngine { max_input: 100 },
            &texts,
            &plan(3),
            &|_| {},
            &|n| {
                done.fetch_add(n, Ordering::Relaxed);
            },
        );
        let texts: Vec<_> = out.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["UN DEUX TROIS", "A", "QUATRE CINQ", "SIX SEPT HUIT NEUF"]
        );
        assert_eq!(done.load(Ordering::Relaxed), 4);
        assert_eq!(out[0].source_tokens, 4);
    }

    #[test]
    fn a_failing_input_fails_alone() {
        let texts: Vec<String> = ["bon texte", "texte FAIL", "autre"]
            .map(String::from)
            .to_vec();
        let out = translate_all(
            &FakeEngine { max_input: 100 },
            &texts,
            &plan(1000),
            &|_| {},
            &|_| {},
        );
        assert_eq!(out[0].text, "BON TEXTE");
        assert_eq!(out[1].error.as_deref(), Some("fake failure"));
        assert_eq!(out[2].text, "AUTRE");
    }

    #[test]
    fn flags_inputs_and_outputs_that_hit_a_limit() {
        let texts = vec!["a b c d e f".to_string()];
        let out = translate_all(
            &FakeEngine { max_input: 3 },
            &texts,
            &plan(10),
            &|_| {},
            &|_| {},
        );
        assert!(out[0].input_truncated);
        let out = translate_all(
            &FakeEngine { max_input: 100 },
            &texts,
            &BatchPlan {
                max_decoding_length: 2,
                ..plan(10)
            },
            &|_| {},
            &|_| {},
        );
        assert!(out[0].output_truncated);
        assert_eq!(out[0].text, "A B");
    }

    #[test]
    fn long_texts_are_split_translated_and_rejoined() {
        let texts = vec!["un deux trois, quatre cinq six ; sept huit neuf".to_string()];
        let done = AtomicUsize::new(0);
        let out = translate_all(
            &FakeEngine { max_input: 100 },
            &texts,
            &BatchPlan {
                max_segment_tokens: 5,
                ..plan(1000)
            },
            &|_| {},
            &|n| {
                done.fetch_add(n, Ordering::Relaxed);
            },
        );
        assert_eq!(
            out[0].text,
            "UN DEUX TROIS, QUATRE CINQ SIX ; SEPT HUIT NEUF"
        );
        assert_eq!(out[0].pieces, 3);
        assert_eq!(done.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn budget_grows_with_input_and_is_capped() {
        assert_eq!(decoding_budget(10, 512), 42);
        assert_eq!(decoding_budget(16, 512), 42);
        assert_eq!(decoding_budget(400, 512), 512);
        for tokens in 1..600 {
            let top = length_bucket(tokens);
            assert!(
                top >= tokens && top - tokens <= (tokens / 4).max(7),
                "{tokens}: {top}"
            );
        }
    }

    /// The engine sees one budget per call, and a text's translation does not depend on
    /// which other texts it was translated with (regression: the budget came from the
    /// longest input of the call, so a text reaching it changed with its neighbours).
    #[test]
    fn translation_does_not_depend_on_the_other_texts() {
        struct BudgetEcho;
        impl Engine for BudgetEcho {
            fn encode(&self, text: &str) -> Result<Vec<String>, EngineError> {
                Ok(text.split_whitespace().map(str::to_string).collect())
            }
            fn translate(
                &self,
                sources: &[Vec<String>],
                max_decoding_length: usize,
            ) -> Result<Vec<Hypothesis>, EngineError> {
                // A model that never stops: every output runs to the budget.
                Ok(sources
                    .iter()
                    .map(|_| Hypothesis {
                        tokens: vec!["x".to_string(); max_decoding_length],
                        score: None,
                    })
                    .collect())
            }
            fn translate_nbest(
                &self,
                _: &[Vec<String>],
                _: usize,
                _: usize,
            ) -> Result<Vec<Vec<Hypothesis>>, EngineError> {
                unreachable!()
            }
            fn translate_with_prefix(
                &self,
                _: &[Vec<String>],
                _: &[Vec<String>],
                _: usize,
            ) -> Result<Vec<Hypothesis>, EngineError> {
                unreachable!()
            }
            fn encode_target(&self, _: &str) -> Result<Vec<String>, EngineError> {
                unreachable!()
            }
            fn decode(&self, tokens: &[String]) -> Result<String, EngineError> {
                Ok(tokens.len().to_string())
            }
            fn max_input_length(&self) -> usize {
                512
            }
        }
        let short = "un deux".to_string();
        let long = "mot ".repeat(40);
        let alone = translate_all(
            &BudgetEcho,
            std::slice::from_ref(&short),
            &plan(1000),
            &|_| {},
            &|_| {},
        );
        let together = translate_all(&BudgetEcho, &[short, long], &plan(1000), &|_| {}, &|_| {});
        assert_eq!(alone[0], together[0]);
        assert_eq!(together[1].text, decoding_budget(40, 256).to_string());
        assert!(together[1].output_truncated);
    }
}
