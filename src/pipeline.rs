//! The orchestrator: the one place that knows the order of the stages.
//!
//! ```text
//! read → segment → glossary → translate → enforce → align & check → write
//! ```
//!
//! Each stage maps plain data to the next. Problems with single inputs are collected as
//! [`Failure`]s and the batch goes on; [`RunOutcome::failed`] tells `main` the exit status.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::align::{self, AlignedSegment};
use crate::check::Check;
use crate::config::{TranslateSettings, DEFAULT_REPO};
use crate::enforce::{self, Enforced, Job};
use crate::glossary::{self, Matcher, Prepared, TermStatus};
use crate::memory::Memory;
use crate::model::{self, info};
use crate::progress::Progress;
use crate::read::{self, Article, Input};
use crate::report::{
    self, Counts, Failure, ModelReport, OptionsReport, RunReport, Stage, Throughput, Timings,
};
use crate::segment::{self, Segment};
use crate::translate::batch::{self, BatchPlan};
use crate::translate::ct2::Ct2Engine;
use crate::translate::Engine;
use crate::write;

/// What `main` needs after a run.
#[derive(Debug)]
pub struct RunOutcome {
    pub report: RunReport,
    /// Something failed: an input, a glossary, a segment or an output file.
    pub failed: bool,
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
    outcome.report.peak_rss_bytes = report::peak_rss_bytes();
    outcome.report.write(&settings.out_dir)?;
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

    let (articles, inputs_failed) = timed(&mut timings.read, || {
        read_articles(&settings.inputs, &mut failures)
    });
    let (paragraphs, segments) = timed(&mut timings.segment, || segment_articles(&articles));
    let (terminology, prepared) = timed(&mut timings.glossary, || {
        let terminology = Terminology::load(&settings.glossaries, &mut failures);
        let prepared = terminology.prepare(&segments);
        (terminology, prepared)
    });
    let approved = lookup_memory(&settings.memory, &segments, &mut failures);
    let pool = Pool::new(&prepared, &approved);
    let plan = BatchPlan {
        tokens_per_call: settings.engine.batch_tokens,
        calls_in_flight: settings.engine.replicas,
        max_decoding_length: 512,
        max_segment_tokens: settings.engine.max_segment_tokens,
    };
    let translations = timed(&mut timings.translate, || {
        translate_unique(engine, &pool.unique, &plan, settings.quiet)
    });
    let enforced = timed(&mut timings.repair, || {
        let jobs = pool.jobs(&segments, &prepared, translations);
        enforce::enforce(
            engine,
            &terminology.matcher,
            &terminology.targets,
            jobs,
            plan.max_decoding_length,
        )
    });
    let aligned = timed(&mut timings.align, || {
        align_rows(
            &articles,
            &segments,
            &prepared,
            &pool,
            &approved,
            &enforced,
            &terminology,
        )
    });
    failures.extend(engine_failures(&articles, &segments, &aligned));
    failures.extend(timed(&mut timings.write, || {
        write_outputs(
            &settings.out_dir,
            &settings.formats,
            &articles,
            &paragraphs,
            &aligned,
        )
    }));

    let mut counts = count_rows(&aligned);
    counts += &Counts {
        articles: articles.len(),
        inputs_failed,
        paragraphs: paragraphs.iter().map(Vec::len).sum(),
        unique_segments: pool.unique.len(),
        segments_split: pool
            .slots
            .iter()
            .flatten()
            .filter(|&&slot| enforced[slot].translation.pieces > 1)
            .count(),
        segments_from_memory: approved.iter().filter(|a| a.is_some()).count(),
        glossary_entries: terminology.entries,
        ..Counts::default()
    };
    let throughput = Throughput::new(
        enforced.iter().map(|e| e.translation.source_tokens).sum(),
        enforced.iter().map(|e| e.translation.target_tokens).sum(),
        timings.translate,
    );
    let report = run_report(settings, model_info, counts, timings, throughput, failures);
    let failed = !report.failures.is_empty();
    Ok(RunOutcome { report, failed })
}

/// Runs `stage`, adding the time it took to `clock`.
fn timed<T>(clock: &mut f64, stage: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = stage();
    *clock += start.elapsed().as_secs_f64();
    out
}

/// read: the articles of every input; what cannot be read is reported. Also returns how
/// many inputs failed.
fn read_articles(inputs: &[Input], failures: &mut Vec<Failure>) -> (Vec<Article>, usize) {
    let outcome = read::read_inputs(inputs);
    for error in &outcome.errors {
        failures.push(Failure::new(Stage::Read, error.path(), error.line(), error));
    }
    (outcome.articles, outcome.errors.len())
}

/// segment: each article's paragraphs (for writing it back) and its sentences.
fn segment_articles(articles: &[Article]) -> (Vec<Vec<segment::Paragraph>>, Vec<Segment>) {
    let paragraphs = articles
        .par_iter()
        .map(|a| segment::paragraphs(&a.text))
        .collect();
    let segments = articles
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, a)| segment::segment_article(i, a))
        .collect();
    (paragraphs, segments)
}

/// The run's glossaries, ready to match sources and verify targets.
struct Terminology {
    matcher: Matcher,
    targets: Matcher,
    entries: usize,
}

impl Terminology {
    /// Loads every glossary; what cannot be used is reported and the rest kept.
    fn load(paths: &[PathBuf], failures: &mut Vec<Failure>) -> Terminology {
        let entries = load_glossaries(paths, failures);
        Terminology {
            targets: Matcher::for_targets(&entries),
            entries: entries.len(),
            matcher: Matcher::new(entries),
        }
    }

    /// glossary: each segment's terms found and applied by policy.
    fn prepare(&self, segments: &[Segment]) -> Vec<Prepared> {
        segments
            .par_iter()
            .map(|s| glossary::prepare(&self.matcher, &s.text, false))
            .collect()
    }
}

/// Identical model inputs (with identical terms) are translated once: `unique` holds them,
/// `slots` maps each segment to its unique input (none when the memory has it), and
/// `first_of_slot` each unique input to the first segment that has it.
struct Pool {
    unique: Vec<String>,
    first_of_slot: Vec<usize>,
    slots: Vec<Option<usize>>,
}

impl Pool {
    fn new(prepared: &[Prepared], approved: &[Option<String>]) -> Pool {
        let mut unique: Vec<String> = Vec::new();
        let mut first_of_slot: Vec<usize> = Vec::new();
        let mut slot_of: HashMap<(&str, Vec<&str>), usize> = HashMap::new();
        let slots = prepared
            .iter()
            .zip(approved)
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
        Pool {
            unique,
            first_of_slot,
            slots,
        }
    }

    /// One enforcement job per unique input, with the terms of its first segment.
    fn jobs(
        &self,
        segments: &[Segment],
        prepared: &[Prepared],
        translations: Vec<batch::Translation>,
    ) -> Vec<Job> {
        self.first_of_slot
            .iter()
            .zip(translations)
            .map(|(&index, translation)| Job {
                source: segments[index].text.clone(),
                prepared: prepared[index].clone(),
                translation,
            })
            .collect()
    }
}

/// translate: the unique model inputs through the engine, with a progress bar.
fn translate_unique(
    engine: &dyn Engine,
    unique: &[String],
    plan: &BatchPlan,
    quiet: bool,
) -> Vec<batch::Translation> {
    let progress = Progress::segments(unique.len(), quiet);
    let translations = batch::translate_all(
        engine,
        unique,
        plan,
        &|total| progress.set_total(total),
        &|n| progress.advance(n),
    );
    progress.finish();
    translations
}

/// align & check: one row per segment, from its translation or its approved one.
fn align_rows(
    articles: &[Article],
    segments: &[Segment],
    prepared: &[Prepared],
    pool: &Pool,
    approved: &[Option<String>],
    enforced: &[Enforced],
    terminology: &Terminology,
) -> Vec<AlignedSegment> {
    segments
        .par_iter()
        .zip(prepared)
        .zip(pool.slots.par_iter().zip(approved))
        .map(|((segment, prepared), (slot, approved))| {
            let id = &articles[segment.article].id;
            match (slot, approved) {
                (Some(slot), _) => align::align(id, segment, prepared, &(&enforced[*slot]).into()),
                (None, Some(approved)) => {
                    align::align_approved(id, segment, prepared, approved, &terminology.targets)
                }
                (None, None) => unreachable!("a segment is either approved or translated"),
            }
        })
        .collect()
}

/// Every segment the engine failed on, named with its article and sentence.
fn engine_failures(
    articles: &[Article],
    segments: &[Segment],
    aligned: &[AlignedSegment],
) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (segment, row) in segments.iter().zip(aligned) {
        for flag in row.flags.iter().filter(|f| f.check == Check::EngineError) {
            failures.push(Failure::new(
                Stage::Translate,
                articles[segment.article].origin.clone(),
                None,
                format!(
                    "paragraph {} sentence {}: {}",
                    segment.paragraph, segment.index, flag.reason
                ),
            ));
        }
    }
    failures
}

/// The counts that the rows alone tell.
fn count_rows(aligned: &[AlignedSegment]) -> Counts {
    let terms = |keep: fn(TermStatus) -> bool| {
        aligned
            .iter()
            .flat_map(|s| &s.terms)
            .filter(|t| keep(t.status))
            .count()
    };
    let mut counts = Counts {
        segments: aligned.len(),
        segments_flagged: aligned.iter().filter(|s| !s.flags.is_empty()).count(),
        segments_failed: aligned
            .iter()
            .filter(|s| s.flags.iter().any(|f| f.check == Check::EngineError))
            .count(),
        term_matches: aligned.iter().map(|s| s.terms.len()).sum(),
        terms_ok: terms(|s| s == TermStatus::Ok),
        terms_normalised: terms(|s| s == TermStatus::Normalised),
        terms_repaired: terms(TermStatus::is_repaired),
        terms_missing: terms(|s| s == TermStatus::Missing),
        ..Counts::default()
    };
    counts.term_hit_rate = counts.hit_rate();
    counts
}

/// `run.json`, but for the whole-run figures `translate` adds (model loading, total time,
/// peak memory).
fn run_report(
    settings: &TranslateSettings,
    model_info: Option<info::ModelInfo>,
    counts: Counts,
    timings: Timings,
    throughput: Throughput,
    failures: Vec<Failure>,
) -> RunReport {
    RunReport {
        passeur_version: env!("CARGO_PKG_VERSION"),
        inputs: settings.inputs.iter().map(input_name).collect(),
        output: settings.out_dir.display().to_string(),
        model: ModelReport {
            dir: settings.model_dir.display().to_string(),
            backend: crate::translate::backend::describe(),
            info: model_info,
        },
        options: options_report(settings),
        counts,
        timings_seconds: timings,
        throughput,
        peak_rss_bytes: None,
        failures,
    }
}

fn options_report(settings: &TranslateSettings) -> OptionsReport {
    let engine = &settings.engine;
    OptionsReport {
        glossaries: settings
            .glossaries
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        device: engine.device.name(),
        compute_type: engine.compute_type.name(),
        beam_size: engine.beam_size,
        batch_tokens: engine.batch_tokens,
        replicas: engine.replicas,
        threads_per_replica: engine.threads_per_replica,
        max_input_tokens: engine.max_input_tokens,
        max_segment_tokens: engine.max_segment_tokens,
    }
}

/// Loads every glossary; what cannot be used is reported and the rest kept.
fn load_glossaries(paths: &[PathBuf], failures: &mut Vec<Failure>) -> Vec<glossary::Entry> {
    let mut entries = Vec::new();
    let mut report = |e: &glossary::GlossaryError| {
        failures.push(Failure::new(Stage::Glossary, e.path(), e.line(), e))
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
        failures.push(Failure::new(
            Stage::Memory,
            path.display().to_string(),
            None,
            e,
        ));
        vec![None; segments.len()]
    })
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
    let mut record = |result: Result<(), write::WriteError>| {
        if let Err(e) = result {
            failures.push(Failure::write(&e));
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
        record(write::write_atomic(&path, text.as_bytes()));
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
        record(write::write_atomic(&path, &writer.render(aligned)));
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
        assert_eq!(outcome.report.failures[0].stage, Stage::Translate);
        let english = std::fs::read_to_string(dir.path().join("out/a.en.txt")).unwrap();
        assert_eq!(
            english,
            "LA DROPZONE EST CALME. Une phrase FAIL ici.\nLA DROPZONE EST CALME.\n"
        );
        let rows = std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap();
        assert_eq!(rows.lines().count(), 3, "every source sentence has its row");
    }
}
