//! The orchestrator: the one place that knows the order of the stages.
//!
//! ```text
//! read → segment → glossary → translate → align & check → write
//! ```
//!
//! Each stage maps plain data to the next. Problems with single inputs are collected as
//! [`Failure`]s and the batch goes on; [`RunOutcome::failed`] tells `main` the exit status.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;

use crate::align::{self, AlignedSegment};
use crate::check::Check;
use crate::config::{TranslateSettings, DEFAULT_REPO};
use crate::enforce::{self, Job};
use crate::glossary::{self, Matcher, Prepared, TermStatus};
use crate::memory::Memory;
use crate::model::{self, info};
use crate::progress::Progress;
use crate::read::{self, Article, Input};
use crate::segment::{self, Segment};
use crate::translate::batch::{self, BatchPlan};
use crate::translate::ct2::Ct2Engine;
use crate::translate::Engine;
use crate::write;

/// Something that went wrong with one input, glossary, segment or output file.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub stage: &'static str,
    /// The file (or `file.jsonl:line`, `<stdin>`) concerned.
    pub input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub error: String,
}

/// What `main` needs after a run.
#[derive(Debug)]
pub struct RunOutcome {
    pub report: RunReport,
    /// Something failed: an input, a glossary, a segment or an output file.
    pub failed: bool,
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
    pub failures: Vec<Failure>,
}

#[derive(Debug, Serialize)]
pub struct ModelReport {
    pub dir: String,
    /// The GEMM backend CTranslate2 runs (see [`crate::translate::backend`]).
    pub backend: String,
    #[serde(flatten)]
    pub info: Option<info::ModelInfo>,
}

#[derive(Debug, Serialize)]
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
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub articles: usize,
    pub inputs_failed: usize,
    pub paragraphs: usize,
    pub segments: usize,
    pub unique_segments: usize,
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
}

#[derive(Debug, Default, Serialize)]
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

#[derive(Debug, Default, Serialize)]
pub struct Throughput {
    pub source_tokens: usize,
    pub target_tokens: usize,
    pub source_tokens_per_second: f64,
    pub target_tokens_per_second: f64,
}

/// `passeur translate`: resolves and loads the model, then runs the stages.
pub fn translate(settings: &TranslateSettings) -> Result<RunOutcome> {
    let start = Instant::now();
    ensure_model(settings)?;
    let engine = Ct2Engine::load(&settings.model_dir, &settings.engine)?;
    let model_info = info::inspect(&settings.model_dir).ok();
    let load_model = start.elapsed().as_secs_f64();
    let mut outcome = run_stages(settings, &engine, model_info)?;
    outcome.report.timings_seconds.load_model = load_model;
    outcome.report.timings_seconds.total = start.elapsed().as_secs_f64();
    outcome.report.peak_rss_bytes = peak_rss_bytes();
    write_report(settings, &mut outcome)?;
    Ok(outcome)
}

/// Makes sure the model is there: the default model is fetched on first use, unless
/// `--offline`; a model folder named with `--model` must exist.
fn ensure_model(settings: &TranslateSettings) -> Result<()> {
    let dir = &settings.model_dir;
    if model::is_installed(dir) {
        return Ok(());
    }
    let fetch_command = if settings.model_is_default {
        "passeur model fetch".to_string()
    } else {
        format!("passeur model fetch REPO --dir {}", dir.display())
    };
    if settings.offline || !settings.model_is_default {
        anyhow::bail!(
            "no model in {} (model.bin is missing); download one with `{fetch_command}`{}",
            dir.display(),
            if settings.offline {
                " (--offline forbids downloading here)"
            } else {
                ""
            }
        );
    }
    eprintln!(
        "passeur: no model in {}; fetching {DEFAULT_REPO} (once)",
        dir.display()
    );
    let fetched = model::fetch::fetch(&crate::config::FetchSettings {
        repo: DEFAULT_REPO.into(),
        revision: "main".into(),
        dir: dir.clone(),
        force: false,
        quiet: settings.quiet,
    })
    .with_context(|| {
        format!("cannot fetch the default model; try `{fetch_command}` or pass --model DIR")
    })?;
    eprintln!(
        "passeur: installed {} ({} files, {} bytes)",
        fetched.dir.display(),
        fetched.files.len(),
        fetched.bytes
    );
    Ok(())
}

/// The stages, on any engine (the real one, or a fake in unit tests).
pub(crate) fn run_stages(
    settings: &TranslateSettings,
    engine: &dyn Engine,
    model_info: Option<info::ModelInfo>,
) -> Result<RunOutcome> {
    let mut timings = Timings::default();
    let mut failures = Vec::new();

    // read
    let clock = Instant::now();
    let read_outcome = read::read_inputs(&settings.inputs);
    for error in &read_outcome.errors {
        failures.push(Failure {
            stage: "read",
            input: error.path().to_string(),
            line: error.line(),
            error: error.to_string(),
        });
    }
    let inputs_failed = read_outcome.errors.len();
    let articles = read_outcome.articles;
    timings.read = clock.elapsed().as_secs_f64();

    // segment
    let clock = Instant::now();
    let paragraphs: Vec<Vec<segment::Paragraph>> = articles
        .par_iter()
        .map(|a| segment::paragraphs(&a.text))
        .collect();
    let segments: Vec<Segment> = articles
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, a)| segment::segment_article(i, a))
        .collect();
    timings.segment = clock.elapsed().as_secs_f64();

    // glossary
    let clock = Instant::now();
    let entries = load_glossaries(&settings.glossaries, &mut failures);
    let glossary_entries = entries.len();
    let targets = Matcher::for_targets(&entries);
    let matcher = Matcher::new(entries);
    let prepared: Vec<Prepared> = segments
        .par_iter()
        .map(|s| glossary::prepare(&matcher, &s.text, false))
        .collect();
    timings.glossary = clock.elapsed().as_secs_f64();

    // translation memory: approved translations of identical sentences replace the model.
    let approved = lookup_memory(&settings.memory, &segments, &mut failures);

    // translate: identical model inputs (with identical terms) are translated once.
    let clock = Instant::now();
    let mut unique: Vec<String> = Vec::new();
    let mut first_of_slot: Vec<usize> = Vec::new();
    let mut slot_of: HashMap<(&str, Vec<&str>), usize> = HashMap::new();
    let slots: Vec<Option<usize>> = prepared
        .iter()
        .zip(&approved)
        .enumerate()
        .map(|(index, (p, approved))| {
            if approved.is_some() {
                return None;
            }
            let key = (
                p.text.as_str(),
                p.terms.iter().map(|t| t.target.as_str()).collect(),
            );
            Some(*slot_of.entry(key).or_insert_with(|| {
                unique.push(p.text.clone());
                first_of_slot.push(index);
                unique.len() - 1
            }))
        })
        .collect();
    let progress = Progress::segments(unique.len(), settings.quiet);
    let plan = BatchPlan {
        tokens_per_call: settings.engine.batch_tokens,
        calls_in_flight: settings.engine.replicas,
        max_decoding_length: 512,
        max_segment_tokens: settings.engine.max_segment_tokens,
    };
    let translations = batch::translate_all(
        engine,
        &unique,
        &plan,
        &|total| progress.set_total(total),
        &|n| progress.advance(n),
    );
    progress.finish();
    timings.translate = clock.elapsed().as_secs_f64();

    // enforce terminology: placeholders, verification, repair.
    let clock = Instant::now();
    let jobs: Vec<Job> = first_of_slot
        .iter()
        .zip(translations)
        .map(|(&index, translation)| Job {
            source: segments[index].text.clone(),
            prepared: prepared[index].clone(),
            translation,
        })
        .collect();
    let enforced = enforce::enforce(engine, &matcher, &targets, jobs, plan.max_decoding_length);
    timings.repair = clock.elapsed().as_secs_f64();

    // align & check
    let clock = Instant::now();
    let aligned: Vec<AlignedSegment> = segments
        .par_iter()
        .zip(&prepared)
        .zip(slots.par_iter().zip(&approved))
        .map(|((segment, prepared), (slot, approved))| {
            let id = &articles[segment.article].id;
            match (slot, approved) {
                (Some(slot), _) => align::align(id, segment, prepared, &(&enforced[*slot]).into()),
                (None, Some(approved)) => {
                    align::align_approved(id, segment, prepared, approved, &targets)
                }
                (None, None) => unreachable!("a segment is either approved or translated"),
            }
        })
        .collect();
    for (segment, row) in segments.iter().zip(&aligned) {
        for flag in row.flags.iter().filter(|f| f.check == Check::EngineError) {
            failures.push(Failure {
                stage: "translate",
                input: articles[segment.article].origin.clone(),
                line: None,
                error: format!(
                    "paragraph {} sentence {}: {}",
                    segment.paragraph, segment.index, flag.reason
                ),
            });
        }
    }
    timings.align = clock.elapsed().as_secs_f64();

    // write
    let clock = Instant::now();
    failures.extend(write_outputs(
        &settings.out_dir,
        &settings.formats,
        &articles,
        &paragraphs,
        &aligned,
    ));
    timings.write = clock.elapsed().as_secs_f64();

    let counts = Counts {
        articles: articles.len(),
        inputs_failed,
        paragraphs: paragraphs.iter().map(Vec::len).sum(),
        segments: aligned.len(),
        unique_segments: unique.len(),
        segments_flagged: aligned.iter().filter(|s| !s.flags.is_empty()).count(),
        segments_failed: aligned
            .iter()
            .filter(|s| s.flags.iter().any(|f| f.check == Check::EngineError))
            .count(),
        segments_split: slots
            .iter()
            .flatten()
            .filter(|&&slot| enforced[slot].translation.pieces > 1)
            .count(),
        segments_from_memory: approved.iter().filter(|a| a.is_some()).count(),
        glossary_entries,
        term_matches: aligned.iter().map(|s| s.terms.len()).sum(),
        terms_ok: count_terms(&aligned, |s| s == TermStatus::Ok),
        terms_normalised: count_terms(&aligned, |s| s == TermStatus::Normalised),
        terms_repaired: count_terms(&aligned, TermStatus::is_repaired),
        terms_missing: count_terms(&aligned, |s| s == TermStatus::Missing),
        term_hit_rate: {
            let matched = aligned.iter().map(|s| s.terms.len()).sum::<usize>();
            let present = count_terms(&aligned, TermStatus::is_present);
            (matched > 0).then(|| present as f64 / matched as f64)
        },
    };
    let source_tokens: usize = enforced.iter().map(|e| e.translation.source_tokens).sum();
    let target_tokens: usize = enforced.iter().map(|e| e.translation.target_tokens).sum();
    let per_second = |n: usize| {
        if timings.translate > 0.0 {
            n as f64 / timings.translate
        } else {
            0.0
        }
    };
    let report = RunReport {
        passeur_version: env!("CARGO_PKG_VERSION"),
        inputs: settings.inputs.iter().map(input_name).collect(),
        output: settings.out_dir.display().to_string(),
        model: ModelReport {
            dir: settings.model_dir.display().to_string(),
            backend: crate::translate::backend::describe(),
            info: model_info,
        },
        options: OptionsReport {
            glossaries: settings
                .glossaries
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            device: settings.engine.device.name(),
            compute_type: settings.engine.compute_type.name(),
            beam_size: settings.engine.beam_size,
            batch_tokens: settings.engine.batch_tokens,
            replicas: settings.engine.replicas,
            threads_per_replica: settings.engine.threads_per_replica,
            max_input_tokens: settings.engine.max_input_tokens,
            max_segment_tokens: settings.engine.max_segment_tokens,
        },
        counts,
        throughput: Throughput {
            source_tokens,
            target_tokens,
            source_tokens_per_second: per_second(source_tokens),
            target_tokens_per_second: per_second(target_tokens),
        },
        timings_seconds: timings,
        peak_rss_bytes: None,
        failures,
    };
    let failed = !report.failures.is_empty();
    Ok(RunOutcome { report, failed })
}

/// Loads every glossary; what cannot be used is reported and the rest kept.
fn load_glossaries(paths: &[PathBuf], failures: &mut Vec<Failure>) -> Vec<glossary::Entry> {
    let mut entries = Vec::new();
    let mut report = |e: &glossary::GlossaryError| {
        failures.push(Failure {
            stage: "glossary",
            input: e.path().to_string(),
            line: e.line(),
            error: e.to_string(),
        })
    };
    for path in paths {
        match glossary::load_glossary(path) {
            Ok((loaded, errors)) => {
                entries.extend(loaded);
                errors.iter().for_each(&mut report);
            }
            Err(e) => report(&e),
        }
    }
    entries
}

/// The approved translation of each segment in the translation memory, if it has one.
/// A memory that cannot be read is reported, and the model translates everything.
fn lookup_memory(
    path: &Path,
    segments: &[Segment],
    failures: &mut Vec<Failure>,
) -> Vec<Option<String>> {
    let lookups = Memory::open_existing(path).and_then(|memory| match memory {
        Some(memory) => segments.iter().map(|s| memory.lookup(&s.text)).collect(),
        None => Ok(vec![None; segments.len()]),
    });
    lookups.unwrap_or_else(|e| {
        failures.push(Failure {
            stage: "memory",
            input: path.display().to_string(),
            line: None,
            error: e.to_string(),
        });
        vec![None; segments.len()]
    })
}

/// The peak resident set size of this process so far, from `/proc/self/status` (Linux).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn count_terms(aligned: &[AlignedSegment], keep: impl Fn(TermStatus) -> bool) -> usize {
    aligned
        .iter()
        .flat_map(|s| &s.terms)
        .filter(|t| keep(t.status))
        .count()
}

fn input_name(input: &Input) -> String {
    match input {
        Input::Stdin => "-".into(),
        Input::Path(p) => p.display().to_string(),
    }
}

/// Writes the English articles, `aligned.jsonl` and the review formats; returns the files
/// that failed.
fn write_outputs(
    out_dir: &Path,
    formats: &[write::Format],
    articles: &[Article],
    paragraphs: &[Vec<segment::Paragraph>],
    aligned: &[AlignedSegment],
) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut record = |path: &Path, result: Result<(), write::WriteError>| {
        if let Err(e) = result {
            failures.push(Failure {
                stage: "write",
                input: path.display().to_string(),
                line: None,
                error: e.to_string(),
            });
        }
    };
    let mut rows = aligned;
    let mut used: HashMap<PathBuf, usize> = HashMap::new();
    for (article, paragraphs) in articles.iter().zip(paragraphs) {
        // Rows come in article order; an article whose rows all failed has none.
        let count = rows.iter().take_while(|r| r.article == article.id).count();
        let (mine, rest) = rows.split_at(count);
        rows = rest;
        let name = unique_name(write::article_file_name(&article.id), &mut used);
        let path = out_dir.join(name);
        let text = write::render_article(&article.text, paragraphs, mine);
        record(&path, write::write_atomic(&path, text.as_bytes()));
    }
    let writers = std::iter::once(write::Format::Jsonl)
        .chain(
            formats
                .iter()
                .copied()
                .filter(|f| *f != write::Format::Jsonl),
        )
        .map(write::Format::writer);
    for writer in writers {
        let path = out_dir.join(writer.file_name());
        record(&path, write::write_atomic(&path, &writer.render(aligned)));
    }
    failures
}

/// Two ids may clean up to one file name (`a.txt` and JSONL id `a`); the second gets `-2`.
fn unique_name(name: PathBuf, used: &mut HashMap<PathBuf, usize>) -> PathBuf {
    let seen = used.entry(name.clone()).or_insert(0);
    *seen += 1;
    if *seen == 1 {
        return name;
    }
    let file = name
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let renamed = match file.split_once(".en.") {
        Some((stem, ext)) => format!("{stem}-{seen}.en.{ext}"),
        None => format!("{file}-{seen}"),
    };
    name.with_file_name(renamed)
}

fn write_report(settings: &TranslateSettings, outcome: &mut RunOutcome) -> Result<()> {
    let path = settings.out_dir.join("run.json");
    let mut json = serde_json::to_vec_pretty(&outcome.report)?;
    json.push(b'\n');
    write::write_atomic(&path, &json)?;
    Ok(())
}

/// The one-line summary printed at the end.
pub fn summary(report: &RunReport) -> String {
    let c = &report.counts;
    let mut line = format!(
        "translated {} article{} ({} segments, {} flagged) in {:.1} s, {:.0} source tokens/s → {}",
        c.articles,
        if c.articles == 1 { "" } else { "s" },
        c.segments,
        c.segments_flagged,
        report.timings_seconds.total,
        report.throughput.source_tokens_per_second,
        report.output
    );
    if c.term_matches > 0 {
        line += &format!(
            "; terms {}/{} present ({} repaired)",
            c.term_matches - c.terms_missing,
            c.term_matches,
            c.terms_repaired
        );
    }
    if !report.failures.is_empty() {
        line += &format!("; {} problem(s), see run.json", report.failures.len());
    }
    line
}

#[cfg(test)]
mod tests {
    //! The orchestrator on the deterministic fake engine: every stage around the model.

    use super::*;
    use crate::config::{ComputeKind, DeviceKind, EngineSettings};
    use crate::translate::fake::FakeEngine;

    fn settings(dir: &Path, inputs: Vec<Input>, glossaries: Vec<PathBuf>) -> TranslateSettings {
        TranslateSettings {
            inputs,
            out_dir: dir.join("out"),
            model_dir: dir.join("model"),
            model_is_default: false,
            glossaries,
            engine: EngineSettings {
                device: DeviceKind::Cpu,
                compute_type: ComputeKind::Int8,
                replicas: 2,
                threads_per_replica: 1,
                beam_size: 2,
                batch_tokens: 64,
                max_input_tokens: 100,
                max_segment_tokens: 50,
            },
            formats: vec![write::Format::Jsonl],
            memory: dir.join("out/memory.sqlite"),
            offline: true,
            quiet: true,
        }
    }

    #[test]
    fn terms_are_repaired_and_a_failing_sentence_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let article = dir.path().join("a.txt");
        std::fs::write(
            &article,
            "La zone est calme. Une phrase FAIL ici.\nLa zone est calme.",
        )
        .unwrap();
        let glossary = dir.path().join("g.json");
        std::fs::write(&glossary, r#"[{"source": "zone", "target": "DROPZONE"}]"#).unwrap();
        let settings = settings(dir.path(), vec![Input::Path(article)], vec![glossary]);

        let outcome = run_stages(&settings, &FakeEngine { max_input: 100 }, None).unwrap();

        let counts = &outcome.report.counts;
        assert_eq!((counts.segments, counts.unique_segments), (3, 2));
        assert_eq!((counts.term_matches, counts.terms_repaired), (2, 2));
        assert_eq!(counts.segments_failed, 1);
        assert!(outcome.failed, "a failed sentence makes the run fail");
        assert_eq!(outcome.report.failures[0].stage, "translate");
        let english = std::fs::read_to_string(dir.path().join("out/a.en.txt")).unwrap();
        assert_eq!(
            english,
            "LA DROPZONE EST CALME. Une phrase FAIL ici.\nLA DROPZONE EST CALME.\n"
        );
        let rows = std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap();
        assert_eq!(rows.lines().count(), 3, "every source sentence has its row");
    }
}
