//! `run.json` and the summary line: what a run did, what it cost, what failed.
//!
//! Counts and timings add up (`+=`), as ripgrep's `Stats` do, so that the orchestrator can
//! add stage by stage, and later chunk by chunk or shard by shard, the same way.

use std::ops::AddAssign;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::files::{write_atomic, WriteError};
use crate::model::info::ModelInfo;

/// The stage a failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Read,
    Glossary,
    Memory,
    Translate,
    Write,
}

/// Something that went wrong with one input, glossary, segment or output file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    pub stage: Stage,
    /// The file (or `file.jsonl:line`, `<stdin>`) concerned.
    pub input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub error: String,
}

impl Failure {
    pub fn new(
        stage: Stage,
        input: impl Into<String>,
        line: Option<usize>,
        error: impl ToString,
    ) -> Failure {
        Failure {
            stage,
            input: input.into(),
            line,
            error: error.to_string(),
        }
    }

    /// A file that could not be written.
    pub fn write(error: &WriteError) -> Failure {
        Failure::new(Stage::Write, error.path.clone(), None, error)
    }
}

/// The content of `run.json`.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub passeur_version: &'static str,
    pub inputs: Vec<String>,
    pub output: String,
    pub model: ModelReport,
    pub options: OptionsReport,
    pub counts: Counts,
    pub timings_seconds: Timings,
    pub throughput: Throughput,
    /// The process's peak resident memory (the kernel's high-water mark, `VmHWM`), when the
    /// OS tells it.
    pub peak_rss_bytes: Option<u64>,
    /// What folder walks left out (hidden files, other kinds of files, output folders,
    /// link loops), each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<crate::read::Skipped>,
    /// What the user should know that is not a failure (an edited review file kept aside).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub failures: Vec<Failure>,
}

#[derive(Debug, Serialize)]
pub struct ModelReport {
    pub dir: String,
    /// The GEMM backend CTranslate2 runs (see [`crate::translate::backend`]).
    pub backend: String,
    /// How the engine's memory is allocated (see [`crate::translate::backend::allocator`]).
    #[serde(default)]
    pub allocator: String,
    /// What the engine feeds the model around a sentence's tokens (see
    /// [`crate::translate::conventions`]).
    #[serde(default)]
    pub conventions: String,
    #[serde(flatten)]
    pub info: Option<ModelInfo>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OptionsReport {
    pub glossaries: Vec<String>,
    pub device: String,
    pub compute_type: String,
    pub beam_size: usize,
    pub batch_tokens: usize,
    pub replicas: usize,
    pub threads_per_replica: usize,
    pub max_input_tokens: usize,
    pub max_segment_tokens: usize,
    pub chunk_segments: usize,
    /// The shard of the batch a run translated (`K/N`), if it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// The language pair (`--source-lang`, `--target-lang`).
    #[serde(default)]
    pub source_lang: String,
    #[serde(default)]
    pub target_lang: String,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Articles in the output: translated by this run, or kept from an earlier one.
    pub articles: usize,
    pub articles_translated: usize,
    /// Unchanged articles the output folder already had.
    pub articles_reused: usize,
    /// Articles of an earlier run no longer among the inputs, whose files were removed.
    pub articles_removed: usize,
    pub inputs_failed: usize,
    pub paragraphs: usize,
    pub segments: usize,
    pub unique_segments: usize,
    /// Unique model inputs served from the output folder's cache (translated in an
    /// earlier chunk or run) instead of the engine.
    pub segments_cached: usize,
    pub segments_flagged: usize,
    pub segments_failed: usize,
    /// Segments too long for the model, translated in clause-split pieces.
    pub segments_split: usize,
    /// Segments whose approved translation came from the translation memory.
    pub segments_from_memory: usize,
    pub glossary_entries: usize,
    pub term_matches: usize,
    pub terms_ok: usize,
    pub terms_normalised: usize,
    pub terms_repaired: usize,
    pub terms_missing: usize,
    /// Terms present in the output (ok, normalised or repaired) over terms matched.
    pub term_hit_rate: Option<f64>,
    /// Segments with inline codes (HTML tags, XLIFF inline elements, Markdown markup).
    #[serde(default)]
    pub segments_with_codes: usize,
    /// Of those, the ones whose codes were placed by position, not by the model (`xmltags`).
    #[serde(default)]
    pub segments_codes_projected: usize,
    /// Source sentences (case and spacing aside) translated in more than one way in the
    /// batch, and translations given to more than one source (Xbench's two directions;
    /// `passeur review` lists them with their segments).
    #[serde(default)]
    pub inconsistent_sources: usize,
    #[serde(default)]
    pub inconsistent_targets: usize,
}

impl AddAssign<&Counts> for Counts {
    fn add_assign(&mut self, other: &Counts) {
        self.articles_translated += other.articles_translated;
        self.articles_reused += other.articles_reused;
        self.articles_removed += other.articles_removed;
        self.articles = self.articles_translated + self.articles_reused;
        self.inputs_failed += other.inputs_failed;
        self.paragraphs += other.paragraphs;
        self.segments += other.segments;
        self.unique_segments += other.unique_segments;
        self.segments_cached += other.segments_cached;
        self.segments_flagged += other.segments_flagged;
        self.segments_failed += other.segments_failed;
        self.segments_split += other.segments_split;
        self.segments_from_memory += other.segments_from_memory;
        // The glossary is the run's, not a chunk's: the same entries in every part.
        self.glossary_entries = self.glossary_entries.max(other.glossary_entries);
        self.term_matches += other.term_matches;
        self.terms_ok += other.terms_ok;
        self.terms_normalised += other.terms_normalised;
        self.terms_repaired += other.terms_repaired;
        self.terms_missing += other.terms_missing;
        self.term_hit_rate = self.hit_rate();
        self.segments_with_codes += other.segments_with_codes;
        self.segments_codes_projected += other.segments_codes_projected;
        self.inconsistent_sources += other.inconsistent_sources;
        self.inconsistent_targets += other.inconsistent_targets;
    }
}

impl Counts {
    /// Terms present (ok, normalised or repaired) over terms matched; none without terms.
    pub fn hit_rate(&self) -> Option<f64> {
        let present = self.terms_ok + self.terms_normalised + self.terms_repaired;
        (self.term_matches > 0).then(|| present as f64 / self.term_matches as f64)
    }
}

#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Timings {
    pub load_model: f64,
    pub read: f64,
    pub segment: f64,
    pub glossary: f64,
    pub translate: f64,
    pub repair: f64,
    pub align: f64,
    pub write: f64,
    pub total: f64,
}

impl AddAssign<&Timings> for Timings {
    fn add_assign(&mut self, other: &Timings) {
        self.load_model += other.load_model;
        self.read += other.read;
        self.segment += other.segment;
        self.glossary += other.glossary;
        self.translate += other.translate;
        self.repair += other.repair;
        self.align += other.align;
        self.write += other.write;
        self.total += other.total;
    }
}

#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Throughput {
    pub source_tokens: usize,
    pub target_tokens: usize,
    pub source_tokens_per_second: f64,
    pub target_tokens_per_second: f64,
}

impl Throughput {
    /// Token counts over the time the engine took.
    pub fn new(source_tokens: usize, target_tokens: usize, seconds: f64) -> Throughput {
        let per_second = |n: usize| {
            if seconds > 0.0 {
                n as f64 / seconds
            } else {
                0.0
            }
        };
        Throughput {
            source_tokens,
            target_tokens,
            source_tokens_per_second: per_second(source_tokens),
            target_tokens_per_second: per_second(target_tokens),
        }
    }
}

impl RunReport {
    /// Writes `run.json` into `out_dir`.
    pub fn write(&self, out_dir: &Path) -> Result<(), WriteError> {
        let mut json = serde_json::to_vec_pretty(self).expect("the report serialises to JSON");
        json.push(b'\n');
        write_atomic(&out_dir.join("run.json"), &json)
    }

    /// The one-line summary printed at the end.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let mut line = format!(
            "translated {} article{} ({} segments, {} flagged) in {:.1} s, {:.0} source tokens/s → {}",
            c.articles_translated,
            if c.articles_translated == 1 { "" } else { "s" },
            c.segments,
            c.segments_flagged,
            self.timings_seconds.total,
            self.throughput.source_tokens_per_second,
            self.output
        );
        if c.articles_reused > 0 || c.articles_removed > 0 {
            line += &format!(
                "; {} unchanged article{} kept, {} removed",
                c.articles_reused,
                if c.articles_reused == 1 { "" } else { "s" },
                c.articles_removed
            );
        }
        if c.term_matches > 0 {
            line += &format!(
                "; terms {}/{} present ({} repaired)",
                c.term_matches - c.terms_missing,
                c.term_matches,
                c.terms_repaired
            );
        }
        if c.segments_with_codes > 0 {
            line += &format!(
                "; inline codes in {} sentence(s), {} placed by position",
                c.segments_with_codes, c.segments_codes_projected
            );
        }
        if !self.failures.is_empty() {
            line += &format!("; {} problem(s), see run.json", self.failures.len());
        }
        line
    }
}

/// The peak resident set size of this process so far, from `/proc/self/status` (Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_the_hit_rate_follows() {
        let mut total = Counts {
            segments: 2,
            term_matches: 2,
            terms_ok: 2,
            glossary_entries: 70,
            ..Counts::default()
        };
        total += &Counts {
            segments: 3,
            term_matches: 2,
            terms_missing: 2,
            glossary_entries: 70,
            ..Counts::default()
        };
        assert_eq!((total.segments, total.term_matches), (5, 4));
        assert_eq!(total.glossary_entries, 70);
        assert_eq!(total.term_hit_rate, Some(0.5));
    }

    #[test]
    fn peak_memory_is_read_from_the_os() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 1 << 20));
        }
    }
}
