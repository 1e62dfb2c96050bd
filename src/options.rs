//! The values that the command line, the settings and the engine share (the engine's
//! settings and the fixed sets of values of their options): defined once here, below all
//! three, so that `cli`, `config` and `translate` each use them without importing one
//! another.

use clap::ValueEnum;

/// How the engine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSettings {
    pub device: DeviceKind,
    pub compute_type: ComputeKind,
    pub replicas: usize,
    pub threads_per_replica: usize,
    pub beam_size: usize,
    pub batch_tokens: usize,
    pub max_input_tokens: usize,
    /// Sentences longer than this many tokens are split at clause boundaries.
    pub max_segment_tokens: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceKind {
    Cpu,
    Cuda,
}

/// CTranslate2's compute types, by CTranslate2's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ComputeKind {
    Int8,
    #[value(name = "int8_float32")]
    Int8Float32,
    #[value(name = "int8_float16")]
    Int8Float16,
    Float16,
    Float32,
    Auto,
    Default,
}

impl ComputeKind {
    /// CTranslate2's name, as `--compute-type` takes it.
    pub fn name(self) -> String {
        self.to_possible_value()
            .expect("every compute type has a name")
            .get_name()
            .to_string()
    }
}

impl DeviceKind {
    pub fn name(self) -> String {
        self.to_possible_value()
            .expect("every device has a name")
            .get_name()
            .to_string()
    }

    /// Whether this build can run on the device: CUDA needs the `cuda` cargo feature.
    pub fn built(self) -> bool {
        match self {
            DeviceKind::Cpu => true,
            DeviceKind::Cuda => cfg!(feature = "cuda"),
        }
    }
}

/// The languages passeur translates between, as BCP 47 tags (`fr`, `en-GB`): from
/// `--source-lang` and `--target-lang`, French into English by default. Inputs that declare
/// other languages are refused, and multilingual models are told these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguagePair {
    pub source: String,
    pub target: String,
}

impl Default for LanguagePair {
    fn default() -> Self {
        LanguagePair {
            source: "fr".into(),
            target: "en".into(),
        }
    }
}

impl LanguagePair {
    /// Whether a language a file declares (`fr-FR`, `FR`, `fr_CA`) is the pair's source.
    pub fn is_source(&self, declared: &str) -> bool {
        same_language(&self.source, declared)
    }

    /// Whether a language a file declares is the pair's target.
    pub fn is_target(&self, declared: &str) -> bool {
        same_language(&self.target, declared)
    }
}

/// Two tags name the same language when their primary subtags agree (`fr` and `fr-CA`);
/// when both name a region or script (`en-GB`, `en-US`), those must agree too.
fn same_language(ours: &str, declared: &str) -> bool {
    let subtags = |tag: &str| -> Vec<String> {
        tag.split(['-', '_'])
            .map(|s| s.to_ascii_lowercase())
            .collect()
    };
    let (ours, declared) = (subtags(ours), subtags(declared));
    ours.first() == declared.first()
        && (ours.len() == 1
            || declared.len() == 1
            || ours[1..]
                .iter()
                .all(|subtag| declared[1..].contains(subtag)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_agree_on_their_primary_subtag() {
        let pair = LanguagePair::default();
        assert!(pair.is_source("fr-FR") && pair.is_source("FR") && pair.is_source("fr_CA"));
        assert!(!pair.is_source("it-IT") && !pair.is_source("en-us"));
        assert!(pair.is_target("en-US"));
        let british = LanguagePair {
            source: "fr".into(),
            target: "en-GB".into(),
        };
        assert!(british.is_target("en-gb") && british.is_target("en"));
        assert!(!british.is_target("en-US"));
    }
}
