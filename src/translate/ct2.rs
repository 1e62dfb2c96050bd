//! The CTranslate2 engine, through ct2rs.
//!
//! One `ct2rs::sys::Translator` is shared by all calls (it is Send + Sync). The lower-level
//! `sys` API is used rather than `ct2rs::Translator` because it returns token sequences:
//! passeur counts target tokens, detects outputs that hit the length limit and, later, reads
//! n-best hypotheses, none of which the string-level API exposes.

use std::path::Path;

use ct2rs::sys::{BatchType, ComputeType, Config, Device, TranslationOptions, Translator};
use ct2rs::tokenizers::auto::Tokenizer as AutoTokenizer;
use ct2rs::Tokenizer as _;

use super::conventions::Conventions;
use super::{Engine, EngineError, Hypothesis};
use crate::options::{ComputeKind, DeviceKind, EngineSettings, LanguagePair};

/// The real engine: a CTranslate2 translator and the model's own tokenizer.
pub struct Ct2Engine {
    translator: Translator,
    tokenizer: AutoTokenizer,
    conventions: Conventions,
    target_encoder: TargetEncoder,
    beam_size: usize,
    batch_tokens: usize,
    max_input_length: usize,
}

impl Ct2Engine {
    /// Loads the model in `dir` with the thread layout of `settings`.
    ///
    /// Thread layout: CTranslate2 runs one batch at a time per replica, and a replica's
    /// intra-op threads help little on the small matrices of an OPUS-MT-sized model, so
    /// several single-threaded replicas beat one multi-threaded replica on CPU (with the
    /// Python API on this 2-core machine, 2×1 ran about 1.8 times faster than 1×2). ct2rs has
    /// no `inter_threads`; repeating the device index gives one replica per entry, and the
    /// ct2rs passeur builds (tools/ct2rs-shared-replicas.patch, applied by tools/setup.sh)
    /// makes those replicas share one copy of the weights, as `inter_threads` does, instead
    /// of loading one copy each.
    pub fn load(
        dir: &Path,
        settings: &EngineSettings,
        languages: &LanguagePair,
    ) -> Result<Ct2Engine, EngineError> {
        super::backend::prepare();
        let conventions = Conventions::read(dir, languages)?;
        let tokenizer = AutoTokenizer::new(dir).map_err(|e| {
            EngineError(format!(
                "{}: no tokenizer found (source.spm/target.spm, tokenizer.json or vocab.json): {e:#}",
                dir.display()
            ))
        })?;
        let config = Config {
            device: match settings.device {
                DeviceKind::Cpu => Device::CPU,
                DeviceKind::Cuda => Device::CUDA,
            },
            compute_type: match settings.compute_type {
                ComputeKind::Default => ComputeType::DEFAULT,
                ComputeKind::Auto => ComputeType::AUTO,
                ComputeKind::Int8 => ComputeType::INT8,
                ComputeKind::Int8Float32 => ComputeType::INT8_FLOAT32,
                ComputeKind::Int8Float16 => ComputeType::INT8_FLOAT16,
                ComputeKind::Float16 => ComputeType::FLOAT16,
                ComputeKind::Float32 => ComputeType::FLOAT32,
            },
            device_indices: vec![0; settings.replicas.max(1)],
            num_threads_per_replica: settings.threads_per_replica.max(1),
            ..Config::default()
        };
        let translator = Translator::new(dir, &config)
            .map_err(|e| EngineError(format!("{}: cannot load the model: {e:#}", dir.display())))?;
        super::backend::release_load_buffers();
        Ok(Ct2Engine {
            translator,
            tokenizer,
            conventions,
            target_encoder: TargetEncoder::load(dir)?,
            beam_size: settings.beam_size,
            batch_tokens: settings.batch_tokens,
            max_input_length: settings.max_input_tokens,
        })
    }
}

/// Target-side tokenisation, for target prefixes. ct2rs only encodes the source side.
enum TargetEncoder {
    SentencePiece(sentencepiece::SentencePieceProcessor),
    HuggingFace(Box<tokenizers::Tokenizer>),
    None,
}

impl TargetEncoder {
    fn load(dir: &Path) -> Result<TargetEncoder, EngineError> {
        let hf = dir.join("tokenizer.json");
        if hf.is_file() {
            return tokenizers::Tokenizer::from_file(&hf)
                .map(|t| TargetEncoder::HuggingFace(Box::new(t)))
                .map_err(|e| EngineError(format!("{}: {e}", hf.display())));
        }
        let spm = dir.join("target.spm");
        if spm.is_file() {
            return sentencepiece::SentencePieceProcessor::open(&spm)
                .map(TargetEncoder::SentencePiece)
                .map_err(|e| EngineError(format!("{}: {e}", spm.display())));
        }
        Ok(TargetEncoder::None)
    }

    fn encode(&self, text: &str) -> Result<Vec<String>, EngineError> {
        match self {
            TargetEncoder::SentencePiece(spm) => Ok(spm
                .encode(text)
                .map_err(|e| EngineError(e.to_string()))?
                .into_iter()
                .map(|p| p.piece)
                .collect()),
            TargetEncoder::HuggingFace(t) => Ok(t
                .encode(text, false)
                .map_err(|e| EngineError(e.to_string()))?
                .get_tokens()
                .to_vec()),
            TargetEncoder::None => Err(EngineError(
                "this model has no target tokenizer, so terms cannot be forced".into(),
            )),
        }
    }
}

impl Ct2Engine {
    fn options(&self, max_decoding_length: usize, n: usize) -> TranslationOptions<String, String> {
        TranslationOptions {
            beam_size: self.beam_size.max(n),
            num_hypotheses: n,
            max_batch_size: self.batch_tokens,
            batch_type: BatchType::Tokens,
            max_input_length: self.max_input_length,
            max_decoding_length,
            return_scores: true,
            ..TranslationOptions::default()
        }
    }
}

fn hypotheses(result: ct2rs::sys::TranslationResult) -> Vec<Hypothesis> {
    let scores = result.scores;
    result
        .hypotheses
        .into_iter()
        .enumerate()
        .map(|(i, tokens)| Hypothesis {
            tokens,
            score: scores.get(i).copied(),
        })
        .collect()
}

/// The best hypothesis of a result (an empty one if the engine returned none).
fn best(result: ct2rs::sys::TranslationResult) -> Hypothesis {
    hypotheses(result).into_iter().next().unwrap_or(Hypothesis {
        tokens: Vec::new(),
        score: None,
    })
}

impl Ct2Engine {
    /// The model's conventions, as the engine applies them.
    pub fn conventions(&self) -> &Conventions {
        &self.conventions
    }

    /// Runs `prefixes` (or none) through CTranslate2 with the model's own target prefix (a
    /// language token) in front of each, and takes it off the hypotheses again.
    fn run(
        &self,
        sources: &[Vec<String>],
        prefixes: Option<&[Vec<String>]>,
        options: &TranslationOptions<String, String>,
    ) -> Result<Vec<ct2rs::sys::TranslationResult>, EngineError> {
        let language = self.conventions.target_prefix.as_ref();
        let mut results = match (language, prefixes) {
            (None, None) => self.translator.translate_batch(sources, options, None)?,
            (None, Some(prefixes)) => self
                .translator
                .translate_batch_with_target_prefix(sources, prefixes, options, None)?,
            (Some(language), prefixes) => {
                let prefixes: Vec<Vec<String>> = (0..sources.len())
                    .map(|i| {
                        let mut prefix = vec![language.clone()];
                        prefix.extend(prefixes.map_or(&[][..], |p| &p[i]).iter().cloned());
                        prefix
                    })
                    .collect();
                self.translator
                    .translate_batch_with_target_prefix(sources, &prefixes, options, None)?
            }
        };
        if let Some(language) = language {
            for hypothesis in results.iter_mut().flat_map(|r| r.hypotheses.iter_mut()) {
                if hypothesis.first() == Some(language) {
                    hypothesis.remove(0);
                }
            }
        }
        Ok(results)
    }
}

impl Engine for Ct2Engine {
    fn encode(&self, text: &str) -> Result<Vec<String>, EngineError> {
        Ok(self.conventions.source(self.tokenizer.encode(text)?))
    }

    fn translate(
        &self,
        sources: &[Vec<String>],
        max_decoding_length: usize,
    ) -> Result<Vec<Hypothesis>, EngineError> {
        let options = self.options(max_decoding_length, 1);
        let results = self.run(sources, None, &options)?;
        Ok(results.into_iter().map(best).collect())
    }

    fn translate_nbest(
        &self,
        sources: &[Vec<String>],
        n: usize,
        max_decoding_length: usize,
    ) -> Result<Vec<Vec<Hypothesis>>, EngineError> {
        let options = self.options(max_decoding_length, n.max(1));
        let results = self.run(sources, None, &options)?;
        Ok(results.into_iter().map(hypotheses).collect())
    }

    fn translate_with_prefix(
        &self,
        sources: &[Vec<String>],
        prefixes: &[Vec<String>],
        max_decoding_length: usize,
    ) -> Result<Vec<Hypothesis>, EngineError> {
        let options = self.options(max_decoding_length, 1);
        let results = self.run(sources, Some(prefixes), &options)?;
        Ok(results.into_iter().map(best).collect())
    }

    fn encode_target(&self, text: &str) -> Result<Vec<String>, EngineError> {
        self.target_encoder.encode(text)
    }

    fn decode(&self, tokens: &[String]) -> Result<String, EngineError> {
        Ok(self.tokenizer.decode(tokens.to_vec())?)
    }

    fn max_input_length(&self) -> usize {
        self.max_input_length
    }
}
