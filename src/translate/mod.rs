//! Stage 4, translate: unique source texts in, translations out, in the same order.
//!
//! The engine sits behind the small [`Engine`] trait: [`ct2::Ct2Engine`] runs CTranslate2
//! for real work, and unit tests of everything around it use a deterministic fake. This
//! module does what CTranslate2 wants done for it ([`batch`]): every text is tokenised once,
//! texts are sorted by length so that padding is small, and large token-counted batches are
//! handed to one shared translator whose replicas run them in parallel.

pub mod backend;
pub mod batch;
pub mod conventions;
pub mod ct2;

use thiserror::Error;

/// A failure of the engine on some input.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct EngineError(pub String);

impl From<anyhow::Error> for EngineError {
    fn from(error: anyhow::Error) -> Self {
        EngineError(format!("{error:#}"))
    }
}

/// The best hypothesis for one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    pub tokens: Vec<String>,
    /// The model's length-normalised log-probability, when it gives one.
    pub score: Option<f32>,
}

/// A translation engine: tokenizer and model together.
pub trait Engine: Send + Sync {
    /// Source text to source tokens, exactly as the model is fed them (its conventions
    /// applied: special and language tokens, see [`conventions`]).
    fn encode(&self, text: &str) -> Result<Vec<String>, EngineError>;
    /// Translates token sequences. `max_decoding_length` bounds each output in tokens.
    fn translate(
        &self,
        sources: &[Vec<String>],
        max_decoding_length: usize,
    ) -> Result<Vec<Hypothesis>, EngineError>;
    /// The `n` best hypotheses for each source, best first.
    fn translate_nbest(
        &self,
        sources: &[Vec<String>],
        n: usize,
        max_decoding_length: usize,
    ) -> Result<Vec<Vec<Hypothesis>>, EngineError>;
    /// Translates with each output forced to start with its prefix (target tokens). The
    /// returned tokens include the prefix.
    fn translate_with_prefix(
        &self,
        sources: &[Vec<String>],
        prefixes: &[Vec<String>],
        max_decoding_length: usize,
    ) -> Result<Vec<Hypothesis>, EngineError>;
    /// Target text to target tokens (for prefixes), without an end token.
    fn encode_target(&self, text: &str) -> Result<Vec<String>, EngineError>;
    /// Target tokens to text.
    fn decode(&self, tokens: &[String]) -> Result<String, EngineError>;
    /// Inputs longer than this many tokens are cut by the engine.
    fn max_input_length(&self) -> usize;
}

#[cfg(test)]
pub(crate) mod fake {
    //! A deterministic engine for unit tests: it "translates" by upper-casing each
    //! whitespace token, and fails on any input containing `FAIL`. It drops any token
    //! containing `DROP` from its best hypothesis (a term the model loses), keeps it in its
    //! second-best one, loses placeholders in sentences containing `perdre`, and honours
    //! target prefixes, so that repair can be tested.

    use super::*;

    pub(crate) struct FakeEngine {
        pub max_input: usize,
    }

    impl Engine for FakeEngine {
        fn encode(&self, text: &str) -> Result<Vec<String>, EngineError> {
            let mut tokens: Vec<String> = text.split_whitespace().map(str::to_string).collect();
            tokens.push("</s>".into());
            Ok(tokens)
        }

        fn translate(
            &self,
            sources: &[Vec<String>],
            max_decoding_length: usize,
        ) -> Result<Vec<Hypothesis>, EngineError> {
            if sources.iter().flatten().any(|t| t.contains("FAIL")) {
                return Err(EngineError("fake failure".into()));
            }
            Ok(sources
                .iter()
                .map(|tokens| Hypothesis {
                    tokens: tokens
                        .iter()
                        .filter(|t| *t != "</s>")
                        .filter(|t| !t.contains("DROP"))
                        .filter(|t| !(t.contains("XPH") && tokens.iter().any(|w| w == "perdre")))
                        .take(self.max_input)
                        .take(max_decoding_length)
                        .map(|t| t.to_uppercase())
                        .collect(),
                    score: Some(-0.5),
                })
                .collect())
        }

        fn translate_nbest(
            &self,
            sources: &[Vec<String>],
            n: usize,
            max_decoding_length: usize,
        ) -> Result<Vec<Vec<Hypothesis>>, EngineError> {
            let best = self.translate(sources, max_decoding_length)?;
            Ok(sources
                .iter()
                .zip(best)
                .map(|(source, best)| {
                    let second = Hypothesis {
                        tokens: source
                            .iter()
                            .filter(|t| *t != "</s>")
                            .map(|t| t.to_uppercase())
                            .collect(),
                        score: Some(-0.9),
                    };
                    std::iter::once(best)
                        .chain(std::iter::once(second))
                        .take(n)
                        .collect()
                })
                .collect())
        }

        fn translate_with_prefix(
            &self,
            sources: &[Vec<String>],
            prefixes: &[Vec<String>],
            max_decoding_length: usize,
        ) -> Result<Vec<Hypothesis>, EngineError> {
            let best = self.translate(sources, max_decoding_length)?;
            Ok(best
                .into_iter()
                .zip(prefixes)
                .map(|(hypothesis, prefix)| {
                    let mut tokens = prefix.clone();
                    tokens.extend(hypothesis.tokens.into_iter().skip(prefix.len()));
                    Hypothesis {
                        tokens,
                        score: hypothesis.score,
                    }
                })
                .collect())
        }

        fn encode_target(&self, text: &str) -> Result<Vec<String>, EngineError> {
            Ok(text.split_whitespace().map(str::to_string).collect())
        }

        fn decode(&self, tokens: &[String]) -> Result<String, EngineError> {
            Ok(tokens.join(" "))
        }

        fn max_input_length(&self) -> usize {
            self.max_input
        }
    }
}
