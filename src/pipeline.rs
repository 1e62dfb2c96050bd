//! The orchestrator: the one place that knows the order of the stages.
//!
//! ```text
//! read → segment → glossary → translate → enforce → align & check → write
//! ```
//!
//! A batch streams through in chunks: articles are read one by one, those the output
//! folder already has (same text, same fingerprint) are kept as they are, and the others
//! are gathered until a chunk holds `--chunk-segments` segments; the chunk then runs
//! through the stages and its results are committed to the folder's state
//! ([`crate::state`]) before the next chunk starts. An article longer than a chunk runs on
//! its own, a chunk's worth of whole paragraphs at a time, segmented again for each part
//! (the first pass keeps only its fingerprint), so that memory follows the chunk size,
//! not the article. At the end, articles no longer among
//! the inputs are removed and `aligned.jsonl` and the review formats are rendered from the
//! state, streaming. Problems with single inputs are collected as [`Failure`]s and the
//! batch goes on; [`RunOutcome::failed`] tells `main` the exit status.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::align::{self, AlignedSegment};
use crate::check::Severity;
use crate::config::{Shard, TranslateSettings, DEFAULT_REPO};
use crate::enforce::{self, Enforced, Job};
use crate::files::{hex, AtomicFile, WriteError};
use crate::glossary::{self, Matcher, Prepared};
use crate::memory::Memory;
use crate::model::{self, info};
use crate::progress::Progress;
use crate::read::{self, Article, Input};
use crate::render;
use crate::report::{
    self, Counts, Failure, ModelReport, OptionsReport, RunReport, Stage, Throughput, Timings,
};
use crate::segment::{self, Segment};
use crate::state::{self, Finished, OutputFolder, Record};
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

/// `passeur translate`: checks what can be checked before any work (the output folder and
/// its lock, the glossaries, the translation memory), loads the model, runs the stages.
pub fn translate(settings: &TranslateSettings) -> Result<RunOutcome> {
    let start = Instant::now();
    check_model(settings)?;
    let created = !settings.out_dir.exists();
    let setup = Setup::new(settings)?;
    let engine = ensure_model(settings).and_then(|()| {
        Ok(Ct2Engine::load(
            &settings.model_dir,
            &settings.engine,
            &settings.languages,
        )?)
    });
    let engine = match engine {
        Ok(engine) => engine,
        Err(error) => {
            // A first run that could not get its model leaves no empty output folder.
            if created {
                drop(setup);
                let _ = std::fs::remove_dir_all(&settings.out_dir);
            }
            return Err(error);
        }
    };
    let model_info = info::inspect(&settings.model_dir).ok();
    let load_model = start.elapsed().as_secs_f64();
    on_interrupt(&settings.out_dir);
    let mut outcome = run_stages(settings, &engine, setup, model_info)
        .map_err(|error| disk_full(error, &settings.out_dir))?;
    outcome.report.timings_seconds.load_model = load_model;
    outcome.report.model.conventions = engine.conventions().describe();
    outcome.report.timings_seconds.total = start.elapsed().as_secs_f64();
    outcome.report.peak_rss_bytes = report::peak_rss_bytes();
    outcome.report.write(&settings.out_dir)?;
    Ok(outcome)
}

/// A run that stopped on a full disk says so, naming the folder, so that `main` exits 75
/// (a scheduler retries) instead of 2 (nothing could be done).
fn disk_full(error: anyhow::Error, out_dir: &std::path::Path) -> anyhow::Error {
    let full = error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(crate::files::is_disk_full)
            || cause
                .downcast_ref::<rusqlite::Error>()
                .is_some_and(|e| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
    });
    match full {
        true => error.context(crate::files::DiskFull::at(out_dir)),
        false => error,
    }
}

/// Articles in the output folder for this run so far (kept, or translated and committed):
/// what an interrupted run tells the user.
static DONE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Ctrl-C ends the run at once, as `kill -9` would (every committed chunk is durable, the one
/// in flight is lost), after saying how much is done and that the same command finishes
/// the batch. Exit 130, as shells report an interrupt.
fn on_interrupt(out_dir: &std::path::Path) {
    let dir = out_dir.display().to_string();
    // A library caller's own handler, if it set one, stays.
    let _ = ctrlc::set_handler(move || {
        let done = DONE.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!(
            "\npasseur: interrupted: {done} article(s) are in {dir}; the same command finishes \
             the batch"
        );
        // At once, as the signal would have: no exit handlers, so that no C++ static
        // destructor of CTranslate2 runs under its own working threads.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: _exit ends the process; nothing runs after it.
        unsafe {
            libc::_exit(130)
        }
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        std::process::exit(130);
    });
}

/// What a run needs before its first article, each checked up front so that a run that
/// cannot succeed fails before any translation.
pub(crate) struct Setup {
    folder: OutputFolder,
    terminology: Terminology,
    memory: Option<Memory>,
    /// Glossary entries that could not be used (the run goes on without them).
    failures: Vec<Failure>,
}

impl Setup {
    pub(crate) fn new(settings: &TranslateSettings) -> Result<Setup> {
        let unusable = match settings.force {
            true => state::Unusable::Rebuild,
            false => state::Unusable::Refuse,
        };
        let folder = OutputFolder::open_or(&settings.out_dir, unusable)?;
        let mut failures = Vec::new();
        let terminology = Terminology::load(&settings.glossaries, &mut failures)?;
        // A memory named (by --memory or PASSEUR_MEMORY) is one to fill across batches:
        // created when missing, so that the editor and `review import` add to it.
        let memory = if settings.memory_named && !settings.memory.is_file() {
            if let Some(parent) = settings
                .memory
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent)?;
            }
            eprintln!(
                "passeur: note: created the translation memory {} (approvals from the editor and \
                 `review import` go there)",
                settings.memory.display()
            );
            Some(Memory::open(&settings.memory)?)
        } else {
            Memory::open_existing(&settings.memory)?
        };
        Ok(Setup {
            folder,
            terminology,
            memory,
            failures,
        })
    }
}

/// Fails at once when the model is missing and will not be fetched: `--offline`, or a
/// model folder named with `--model` (only the default model is fetched on first use).
fn check_model(settings: &TranslateSettings) -> Result<()> {
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
    Ok(())
}

/// Makes sure the model is there: the default model is fetched on first use.
fn ensure_model(settings: &TranslateSettings) -> Result<()> {
    let dir = &settings.model_dir;
    if model::is_installed(dir) {
        return Ok(());
    }
    let fetch_command = "passeur model fetch";
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

/// The stages, chunk by chunk, on any engine (the real one, or a fake in unit tests).
pub(crate) fn run_stages(
    settings: &TranslateSettings,
    engine: &dyn Engine,
    setup: Setup,
    model_info: Option<info::ModelInfo>,
) -> Result<RunOutcome> {
    let mut run = Run::start(settings, engine, setup, model_info)?;
    let mut articles = read::articles(&settings.inputs, &settings.read_options());
    while let Some(next) = timed(&mut run.timings.read, || articles.next()) {
        match next {
            Ok(article) => run.add(article)?,
            Err(error) => run.read_failed(&error),
        }
    }
    run.flush_chunk()?;
    run.finish(articles.skipped())
}

/// A run in progress: the output folder, what the chunks share, the chunk being filled,
/// and the figures so far.
struct Run<'a> {
    settings: &'a TranslateSettings,
    context: ChunkContext<'a>,
    folder: OutputFolder,
    memory: Option<Memory>,
    failures: Vec<Failure>,
    model_info: Option<info::ModelInfo>,
    timings: Timings,
    tally: Tally,
    chunk: Chunk,
    /// The next article's place in the whole batch (every shard counts every article).
    position: usize,
    /// What the outputs are made of: every article, in order, with its content and
    /// fingerprint, and the formats asked for. When it is what the outputs were last
    /// rendered from, and nothing was translated or removed, they are left as they are.
    rendered_from: Sha256,
    /// With `--force` after an interrupted `--force` run: that run's number. Articles it
    /// (or a later forced run) wrote are not translated a second time.
    resumed_force: Option<i64>,
}

impl<'a> Run<'a> {
    fn start(
        settings: &'a TranslateSettings,
        engine: &'a dyn Engine,
        setup: Setup,
        model_info: Option<info::ModelInfo>,
    ) -> Result<Run<'a>> {
        let model = model_identity(&setup.folder, &settings.model_dir)?;
        let components = run_components(settings, model_info.as_ref(), &model);
        let run_fingerprint = hex(Sha256::digest(components.to_string().as_bytes()));
        setup.folder.begin_run(
            settings.shard.map(|s| s.to_string()).as_deref(),
            &run_fingerprint,
        )?;
        let resumed_force = setup.folder.begin_forcing(settings.force)?;
        if resumed_force.is_some() {
            eprintln!(
                "passeur: note: resuming the interrupted --force run: the articles it already                  translated again are kept"
            );
        }
        // For `merge` to name what differs between shards; the glossaries are not in the
        // run fingerprint (an article depends on the entries it uses), but shards must agree.
        let mut named = components;
        named["glossaries"] = setup.terminology.describe(&settings.glossaries);
        setup
            .folder
            .set_meta("run_components", &named.to_string())?;
        // The memory the editor saves approvals into: the one this run reads.
        let memory = std::path::absolute(&settings.memory).unwrap_or(settings.memory.clone());
        setup.folder.set_meta("memory", &memory.to_string_lossy())?;
        let mut rendered_from = Sha256::new();
        rendered_from.update(format!("{:?}", settings.formats).as_bytes());
        Ok(Run {
            settings,
            context: ChunkContext {
                settings,
                engine,
                terminology: setup.terminology,
                run_fingerprint,
                progress: Progress::articles(read::count(&settings.inputs), settings.quiet),
            },
            folder: setup.folder,
            memory: setup.memory,
            failures: setup.failures,
            model_info,
            timings: Timings::default(),
            tally: Tally::default(),
            chunk: Chunk::default(),
            position: 0,
            rendered_from,
            resumed_force,
        })
    }

    /// An input that could not be read. Each shard reads every input; a problem is
    /// reported by one of them.
    fn read_failed(&mut self, error: &read::ReadError) {
        let place = format!("{}:{:?}", error.path(), error.line());
        if self
            .settings
            .shard
            .is_none_or(|s| Shard::of(&place, s.count) == s.index)
        {
            let failure = Failure::new(Stage::Read, error.path(), error.line(), error);
            self.failures.push(failure);
            self.tally.inputs_failed += 1;
        }
    }

    /// An article read: kept as the folder has it when unchanged, otherwise added to the
    /// chunk, which runs through the stages once it is full.
    fn add(&mut self, article: Article) -> Result<()> {
        let position = self.position;
        self.position += 1;
        if self
            .settings
            .shard
            .is_some_and(|s| !s.contains(&article.id))
        {
            return Ok(());
        }
        let reviewed = self.folder.reviewed_of(&article.id)?;
        let pending = prepare_article(
            article,
            position,
            &self.context,
            (self.memory.as_ref(), reviewed),
            &mut self.timings,
            &mut self.failures,
        );
        self.tally.paragraphs += pending.paragraphs.len();
        for part in [
            &pending.article.id,
            &pending.content_hash,
            &pending.fingerprint,
        ] {
            self.rendered_from.update(part.as_bytes());
            self.rendered_from.update(b"\x00");
        }
        let recorded = self.folder.record(&pending.article.id)?;
        let forced_already = match self.resumed_force {
            Some(first) => self
                .folder
                .run_of(&pending.article.id)?
                .is_some_and(|run| run >= first),
            None => false,
        };
        if recorded.is_some_and(|r| {
            (!self.settings.force || forced_already)
                && r.content_hash == pending.content_hash
                && r.fingerprint == pending.fingerprint
        }) {
            self.folder.keep(&pending.article.id, position)?;
            self.tally.reused += 1;
            DONE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.context.progress.reused(1);
            return Ok(());
        }
        if pending.long.is_some() {
            // The chunk so far first, then the long article on its own.
            self.flush_chunk()?;
            return run_long_article(
                pending,
                &self.context,
                (&mut self.folder, self.memory.as_ref()),
                (&mut self.timings, &mut self.tally),
                &mut self.failures,
            );
        }
        self.chunk.segments += pending.segment_count;
        self.chunk.articles.push(pending);
        if self.chunk.segments >= self.settings.chunk_segments {
            self.flush_chunk()?;
        }
        Ok(())
    }

    /// Runs the chunk through the stages and commits it.
    fn flush_chunk(&mut self) -> Result<()> {
        if self.chunk.articles.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.chunk);
        run_chunk(
            chunk,
            &self.context,
            &mut self.folder,
            (&mut self.timings, &mut self.tally),
            &mut self.failures,
        )
    }

    /// After the last chunk: stale articles removed, the outputs rendered (unless nothing
    /// changed), the run marked complete, the report.
    fn finish(mut self, skipped: Vec<read::Skipped>) -> Result<RunOutcome> {
        self.context.progress.finish();
        let clock = Instant::now();
        let mut notes = Vec::new();
        if self.tally.inputs_failed == 0 {
            self.tally.removed = remove_stale(&mut self.folder, &mut self.failures)?;
        } else {
            // An input that could not be read this time may be one whose articles the
            // folder has: they are kept, at the end, rather than removed for a read error.
            // Their places follow the batch's, interleaved by shard so that shards keep
            // distinct places for merge.
            let (index, count) = self.settings.shard.map_or((0, 1), |s| (s.index, s.count));
            let stale = self.folder.stale()?;
            for (i, (id, _)) in stale.iter().enumerate() {
                self.folder.keep(id, self.position + index + i * count)?;
                self.rendered_from.update(id.as_bytes());
            }
            if !stale.is_empty() {
                notes.push(format!(
                    "{} article(s) of earlier runs were kept although no input gave them this \
                     time, since some inputs could not be read; they go once every input reads",
                    stale.len()
                ));
            }
        }
        self.folder.stamp_kept()?;
        let rendered_from = hex(self.rendered_from.clone().finalize());
        let folder = &self.folder;
        let unchanged = self.tally.translated == 0
            && self.tally.removed == 0
            && folder.meta("rendered_from")?.as_deref() == Some(rendered_from.as_str())
            && render::wanted_formats(&self.settings.formats)
                .iter()
                .all(|f| folder.dir().join(f.writer().file_name()).is_file());
        let mut counts = match folder.meta("rendered_counts")?.filter(|_| unchanged) {
            Some(json) => serde_json::from_str(&json)?,
            None => {
                let formats = &self.settings.formats;
                let counts = render::deliverables(folder, formats, &mut self.failures, &mut notes)?;
                folder.set_meta("rendered_from", &rendered_from)?;
                folder.set_meta("rendered_counts", &serde_json::to_string(&counts)?)?;
                counts
            }
        };
        self.timings.write += clock.elapsed().as_secs_f64();
        let tally = &self.tally;
        counts += &Counts {
            articles_translated: tally.translated,
            articles_reused: tally.reused,
            articles_removed: tally.removed,
            inputs_failed: tally.inputs_failed,
            paragraphs: tally.paragraphs,
            unique_segments: tally.unique,
            segments_cached: tally.cached,
            segments_split: tally.split,
            glossary_entries: self.context.terminology.entries,
            ..Counts::default()
        };
        self.folder.end_run()?;
        let throughput = Throughput::new(
            tally.source_tokens,
            tally.target_tokens,
            self.timings.translate,
        );
        let mut report = run_report(
            self.settings,
            self.model_info,
            counts,
            self.timings,
            throughput,
            self.failures,
        );
        report.skipped = skipped;
        report.notes = notes;
        let failed = !report.failures.is_empty();
        Ok(RunOutcome { report, failed })
    }
}

/// What the stages of a chunk share.
struct ChunkContext<'a> {
    settings: &'a TranslateSettings,
    engine: &'a dyn Engine,
    terminology: Terminology,
    run_fingerprint: String,
    progress: Progress,
}

/// Figures that only the chunks know, added up over the run.
#[derive(Debug, Default)]
struct Tally {
    translated: usize,
    reused: usize,
    removed: usize,
    inputs_failed: usize,
    paragraphs: usize,
    unique: usize,
    cached: usize,
    split: usize,
    source_tokens: usize,
    target_tokens: usize,
}

/// An article read, segmented and matched against the glossary, with what decides whether
/// the folder's copy of it is still good.
struct PendingArticle {
    article: Article,
    position: usize,
    paragraphs: Vec<segment::Paragraph>,
    /// Its segments, their model inputs and its people's translations; none for an article
    /// longer than a chunk (`long`), whose segments are made again a part at a time when
    /// it is translated, so that they are never all held at once.
    segments: Vec<Segment>,
    prepared: Vec<Prepared>,
    approved: Vec<Option<align::Reviewed>>,
    segment_count: usize,
    /// For an article longer than a chunk: its people's translations, looked up again
    /// for each part.
    long: Option<People>,
    content_hash: String,
    /// Everything its translation depends on: the run's model and options, the glossary
    /// entries it uses, the approved translations of its sentences.
    fingerprint: String,
}

/// Articles waiting for the engine.
#[derive(Default)]
struct Chunk {
    articles: Vec<PendingArticle>,
    segments: usize,
}

/// segment and glossary for one article, its people's translations (the folder's reviewed
/// segments, then the memory) and its fingerprint, a paragraph at a time: an article
/// longer than a chunk keeps only its fingerprint and counts.
fn prepare_article(
    article: Article,
    position: usize,
    context: &ChunkContext,
    (memory, reviewed): (Option<&Memory>, Vec<state::Revision>),
    timings: &mut Timings,
    failures: &mut Vec<Failure>,
) -> PendingArticle {
    let terminology = &context.terminology;
    let limit = context.settings.chunk_segments.max(1);
    let paragraphs = timed(&mut timings.segment, || {
        segment::article_paragraphs(&article)
    });
    let mut people = People::new(reviewed);
    let mut fingerprint = Sha256::new();
    fingerprint.update(context.run_fingerprint.as_bytes());
    if !terminology.forbidden.entries().is_empty() {
        fingerprint.update(terminology.forbidden_fingerprint.as_bytes());
    }
    let (mut segments, mut prepared, mut approved) = (Vec::new(), Vec::new(), Vec::new());
    let mut segment_count = 0;
    let mut by_paragraph = segment::by_paragraph(0, &article, &paragraphs);
    while let Some(mine) = timed(&mut timings.segment, || by_paragraph.next()) {
        let mine_prepared = timed(&mut timings.glossary, || terminology.prepare(&mine));
        let mine_approved = people.translations(memory, &mine, failures);
        for (prepared, approved) in mine_prepared.iter().zip(&mine_approved) {
            for term in &prepared.terms {
                fingerprint.update(terminology.entry_fingerprint(term.entry_index).as_bytes());
            }
            if let Some(approved) = approved {
                fingerprint.update(b"\x00approved\x00");
                fingerprint.update(approved.target.as_bytes());
            }
        }
        segment_count += mine.len();
        if segment_count <= limit {
            segments.extend(mine);
            prepared.extend(mine_prepared);
            approved.extend(mine_approved);
        } else if !segments.is_empty() {
            (segments, prepared, approved) = (Vec::new(), Vec::new(), Vec::new());
        }
    }
    PendingArticle {
        content_hash: hex(Sha256::digest(article.content().as_bytes())),
        fingerprint: hex(fingerprint.finalize()),
        article,
        position,
        paragraphs,
        segments,
        prepared,
        approved,
        segment_count,
        long: (segment_count > limit).then_some(people),
    }
}

/// translate, enforce, align & check and write for a chunk of articles, then its commit:
/// after this, the chunk survives anything.
fn run_chunk(
    chunk: Chunk,
    context: &ChunkContext,
    folder: &mut OutputFolder,
    figures: (&mut Timings, &mut Tally),
    failures: &mut Vec<Failure>,
) -> Result<()> {
    // Every segment of the chunk, flattened, with its article.
    let segments: Vec<(usize, &Segment)> = chunk
        .articles
        .iter()
        .enumerate()
        .flat_map(|(a, p)| p.segments.iter().map(move |s| (a, s)))
        .collect();
    let prepared: Vec<&Prepared> = chunk.articles.iter().flat_map(|p| &p.prepared).collect();
    let approved: Vec<&Option<align::Reviewed>> =
        chunk.articles.iter().flat_map(|p| &p.approved).collect();
    let ids: Vec<&str> = chunk
        .articles
        .iter()
        .map(|p| p.article.id.as_str())
        .collect();
    let part = Part {
        segments: &segments,
        prepared: &prepared,
        approved: &approved,
        ids: &ids,
    };
    let (timings, tally) = figures;
    let mut counters = Counters {
        timings,
        tally,
        seen: HashSet::new(),
    };
    let Translated { rows, cache } = translate_part(&part, context, folder, &mut counters)?;

    // write: each article's English file, then the chunk's commit.
    let clock = Instant::now();
    let mut held: Vec<Vec<AlignedSegment>> = vec![Vec::new(); chunk.articles.len()];
    let mut stored: Vec<Vec<String>> = vec![Vec::new(); chunk.articles.len()];
    for (&(a, segment), row) in segments.iter().zip(rows) {
        failures.extend(engine_failures(&chunk.articles[a].article, segment, &row));
        stored[a].push(serde_json::to_string(&row).expect("rows serialise"));
        held[a].push(row);
    }
    let mut finished = Vec::with_capacity(chunk.articles.len());
    let mut names_in_chunk = HashSet::new();
    for (a, pending) in chunk.articles.iter().enumerate() {
        let article = &pending.article;
        let text = article.document.is_none();
        let file = english_file_name(folder, &article.id, text, &mut names_in_chunk)?;
        let english = write::render_english(article, &pending.paragraphs, &held[a]);
        if let Err(e) = write::write_atomic_unsynced(&folder.dir().join(&file), english.as_bytes())
        {
            failures.push(Failure::write(&e));
            continue;
        }
        finished.push(pending.finished(file, Some(std::mem::take(&mut stored[a]))));
    }
    counters.tally.translated += commit(folder, finished, &cache, failures)?;
    counters.timings.write += clock.elapsed().as_secs_f64();
    context.progress.advance(chunk.articles.len());
    Ok(())
}

/// An article longer than a chunk, on its own: segmented again and translated a chunk's
/// worth of whole paragraphs at a time, each part's rows staged in the state with its
/// translations (a rerun after a crash takes them from the cache), then committed whole.
/// Text and Markdown are written to their file as their paragraphs come; a page is rendered
/// at the end from its staged rows; an XLIFF file holds what its rendering reads of its
/// rows. Memory follows the chunk size, not the article.
fn run_long_article(
    mut pending: PendingArticle,
    context: &ChunkContext,
    (folder, memory): (&mut OutputFolder, Option<&Memory>),
    (timings, tally): (&mut Timings, &mut Tally),
    failures: &mut Vec<Failure>,
) -> Result<()> {
    let mut people = pending
        .long
        .take()
        .expect("a long article keeps its people");
    let article = &pending.article;
    let limit = context.settings.chunk_segments.max(1);
    let text = article.document.is_none();
    let file = english_file_name(folder, &article.id, text, &mut HashSet::new())?;
    let path = folder.dir().join(&file);
    let write_error = |source| WriteError {
        path: path.display().to_string(),
        source,
    };
    let mut english = match AtomicFile::create(&path) {
        Ok(out) => write::english_lines(article, out),
        Err(e) => {
            failures.push(Failure::write(&e));
            context.progress.advance(1);
            return Ok(());
        }
    };
    let mut document_rows = Vec::new();
    let mut counters = Counters {
        timings,
        tally,
        seen: HashSet::new(),
    };
    let ids = [article.id.as_str()];
    let mut seq = 0;
    let mut paragraphs = segment::by_paragraph(0, article, &pending.paragraphs);
    loop {
        let mut segments = Vec::new();
        while segments.len() < limit {
            match timed(&mut counters.timings.segment, || paragraphs.next()) {
                Some(mine) => segments.extend(mine),
                None => break,
            }
        }
        if segments.is_empty() {
            break;
        }
        let prepared = timed(&mut counters.timings.glossary, || {
            context.terminology.prepare(&segments)
        });
        let approved = people.translations(memory, &segments, failures);
        let flat: Vec<(usize, &Segment)> = segments.iter().map(|s| (0, s)).collect();
        let part = Part {
            segments: &flat,
            prepared: &prepared.iter().collect::<Vec<_>>(),
            approved: &approved.iter().collect::<Vec<_>>(),
            ids: &ids,
        };
        let Translated { rows, cache } = translate_part(&part, context, folder, &mut counters)?;
        let clock = Instant::now();
        let mut staged = Vec::with_capacity(rows.len());
        for (segment, row) in segments.iter().zip(&rows) {
            failures.extend(engine_failures(article, segment, row));
            let json = serde_json::to_string(row).expect("rows serialise");
            staged.push((article.id.clone(), seq, json));
            seq += 1;
        }
        folder.stage(&staged, &cache)?;
        let added = match english.as_mut() {
            Some(lines) => lines.add(&pending.paragraphs, &rows),
            // A page reads its rows again from the state; an XLIFF file keeps them.
            None => {
                let document = article.document.as_deref().expect("text has its lines");
                if !matches!(document, read::Document::Html(_)) {
                    document_rows.extend(rows.into_iter().map(write::for_rendering));
                }
                Ok(())
            }
        };
        counters.timings.write += clock.elapsed().as_secs_f64();
        // The English cannot be written (its rows are staged, and go at the next open).
        if let Err(e) = added {
            failures.push(Failure::write(&write_error(e)));
            context.progress.advance(1);
            return Ok(());
        }
    }
    let clock = Instant::now();
    let written = match english {
        Some(lines) => lines
            .finish()
            .map_err(write_error)
            .and_then(AtomicFile::persist),
        None => {
            let text = match article.document.as_deref() {
                Some(read::Document::Html(page)) => render_staged_page(folder, &article.id, page)?,
                _ => write::render_english(article, &pending.paragraphs, &document_rows),
            };
            drop(document_rows);
            write::write_atomic_unsynced(&path, text.as_bytes())
        }
    };
    match written {
        Ok(()) => {
            let finished = pending.finished(file, None);
            counters.tally.translated += commit(folder, vec![finished], &[], failures)?;
        }
        Err(e) => failures.push(Failure::write(&e)),
    }
    counters.timings.write += clock.elapsed().as_secs_f64();
    context.progress.advance(1);
    Ok(())
}

/// A long page rendered from its rows as staged, read twice (attribute values, then runs)
/// rather than held.
fn render_staged_page(folder: &OutputFolder, id: &str, page: &read::html::Page) -> Result<String> {
    let mut staged = |each: &mut dyn FnMut(&AlignedSegment)| -> std::io::Result<()> {
        folder
            .for_each_staged(id, |json| {
                each(&serde_json::from_str(json).map_err(std::io::Error::other)?);
                Ok(())
            })
            .map_err(std::io::Error::other)?
    };
    Ok(write::render_page_in_passes(page, &mut staged)?)
}

impl PendingArticle {
    /// The article as the state records it once its English `file` is written, with its
    /// rows as stored (none when they were staged, part by part, for a long article).
    fn finished(&self, file: String, rows: Option<Vec<String>>) -> Finished {
        Finished {
            id: self.article.id.clone(),
            position: self.position,
            record: Record {
                content_hash: self.content_hash.clone(),
                fingerprint: self.fingerprint.clone(),
                file,
            },
            staged: rows.is_none(),
            rows: rows.unwrap_or_default(),
            source: serde_json::to_string(&self.article).expect("articles serialise"),
        }
    }
}

/// The commit of articles whose English files are written (the files reach the disk
/// before the state says they are done); how many were committed.
fn commit(
    folder: &mut OutputFolder,
    mut finished: Vec<Finished>,
    cache: &[(String, String)],
    failures: &mut Vec<Failure>,
) -> Result<usize> {
    if let Err(e) = crate::files::sync_filesystem(folder.dir()) {
        failures.push(Failure::write(&e));
        finished.clear();
    }
    folder.commit(&finished, cache)?;
    DONE.fetch_add(finished.len(), std::sync::atomic::Ordering::Relaxed);
    Ok(finished.len())
}

/// Segments of a chunk (or of a part of one long article), with their articles' ids.
struct Part<'a> {
    segments: &'a [(usize, &'a Segment)],
    prepared: &'a [&'a Prepared],
    approved: &'a [&'a Option<align::Reviewed>],
    ids: &'a [&'a str],
}

/// What a part gave: its rows, and the engine's new results for the cache.
struct Translated {
    rows: Vec<AlignedSegment>,
    cache: Vec<(String, String)>,
}

/// What a chunk's parts add up: times, figures, and the model inputs of its earlier parts
/// (each counted once).
struct Counters<'a> {
    timings: &'a mut Timings,
    tally: &'a mut Tally,
    /// The first 64 bits of each key: enough to count, a tenth of the key's memory (a long
    /// article has hundreds of thousands).
    seen: HashSet<u64>,
}

/// translate, enforce, align & check for segments: their rows, and the engine's new
/// results for the cache.
fn translate_part(
    part: &Part,
    context: &ChunkContext,
    folder: &OutputFolder,
    counters: &mut Counters,
) -> Result<Translated> {
    let (timings, tally, seen) = (
        &mut *counters.timings,
        &mut *counters.tally,
        &mut counters.seen,
    );
    let terminology = &context.terminology;
    let (segments, prepared, approved) = (part.segments, part.prepared, part.approved);
    let pool = Pool::new(prepared, approved);

    // Inputs translated in an earlier chunk or run come from the cache.
    let keys: Vec<String> = pool
        .first_of_slot
        .iter()
        .map(|&i| cache_key(&context.run_fingerprint, terminology, prepared[i]))
        .collect();
    let mut enforced: Vec<Option<Enforced>> = Vec::with_capacity(keys.len());
    for key in &keys {
        let cached = match context.settings.force {
            true => None,
            false => folder.cached(key)?,
        };
        enforced.push(cached.and_then(|json| serde_json::from_str(&json).ok()));
    }
    let missing: Vec<usize> = (0..keys.len())
        .filter(|&slot| enforced[slot].is_none())
        .collect();
    let texts: Vec<String> = missing
        .iter()
        .map(|&slot| pool.unique[slot].clone())
        .collect();
    let plan = BatchPlan {
        tokens_per_call: context.settings.engine.batch_tokens,
        calls_in_flight: context.settings.engine.replicas,
        max_decoding_length: 512,
        max_segment_tokens: context.settings.engine.max_segment_tokens,
    };
    let translations = timed(&mut timings.translate, || {
        batch::translate_all(
            context.engine,
            &texts,
            &plan,
            &|total| context.progress.sentences_started(total),
            &|done| context.progress.sentences_done(done),
        )
    });
    let fresh = timed(&mut timings.repair, || {
        let jobs: Vec<Job> = missing
            .iter()
            .zip(translations)
            .map(|(&slot, translation)| {
                let first = pool.first_of_slot[slot];
                Job {
                    source: segments[first].1.text.clone(),
                    prepared: prepared[first].clone(),
                    translation,
                }
            })
            .collect();
        enforce::enforce(
            context.engine,
            &terminology.matcher,
            &terminology.targets,
            jobs,
            plan.max_decoding_length,
        )
    });
    let mut new_cache = Vec::with_capacity(fresh.len());
    for (&slot, result) in missing.iter().zip(fresh) {
        tally.source_tokens += result.translation.source_tokens;
        tally.target_tokens += result.translation.target_tokens;
        new_cache.push((
            keys[slot].clone(),
            serde_json::to_string(&result).expect("results serialise"),
        ));
        enforced[slot] = Some(result);
    }
    let enforced: Vec<Enforced> = enforced
        .into_iter()
        .map(|e| e.expect("every input is cached or translated"))
        .collect();
    // Counted once a chunk: an input an earlier part of the chunk translated comes from
    // the cache here, but it is the same unique input, not one the cache saved.
    let mut translated_here = vec![false; keys.len()];
    for &slot in &missing {
        translated_here[slot] = true;
    }
    for (slot, key) in keys.iter().enumerate() {
        let short = u64::from_str_radix(&key[..16], 16).expect("cache keys are hex");
        if seen.insert(short) {
            tally.unique += 1;
            tally.cached += usize::from(!translated_here[slot]);
        }
    }
    tally.split += pool
        .slots
        .iter()
        .flatten()
        .filter(|&&slot| enforced[slot].translation.pieces > 1)
        .count();

    // align & check
    let rows: Vec<AlignedSegment> = timed(&mut timings.align, || {
        segments
            .par_iter()
            .zip(prepared.par_iter())
            .zip(pool.slots.par_iter().zip(approved.par_iter()))
            .map(|((&(a, segment), prepared), (slot, approved))| {
                let id = part.ids[a];
                let mut row = match (slot, approved) {
                    (Some(slot), _) => {
                        align::align(id, segment, prepared, &(&enforced[*slot]).into())
                    }
                    (None, Some(approved)) => {
                        align::align_approved(id, segment, prepared, approved, &terminology.targets)
                    }
                    (None, None) => unreachable!("a segment is either approved or translated"),
                };
                align::check_forbidden(&mut row, &terminology.forbidden);
                row
            })
            .collect()
    });

    Ok(Translated {
        rows,
        cache: new_cache,
    })
}

/// An article's English file: the one it had, or the name its id gives (`text`: the
/// article is plain text, not a document), made unique by a hash of the id when another
/// article has that name already.
pub(crate) fn english_file_name(
    folder: &OutputFolder,
    id: &str,
    text: bool,
    names_in_chunk: &mut HashSet<String>,
) -> Result<String> {
    if let Some(record) = folder.record(id)? {
        names_in_chunk.insert(write::file_key(&record.file));
        return Ok(record.file);
    }
    let natural = write::article_file_name(id, text)
        .to_string_lossy()
        .replace('\\', "/");
    // Taken when another article has it, or a name that is the same file on a
    // case-insensitive volume (`Article` and `article`).
    let key = write::file_key(&natural);
    let name = if names_in_chunk.contains(&key) || folder.file_taken(&key, id)? {
        let tag = &hex(Sha256::digest(id.as_bytes()))[..8];
        match natural.split_once(".en.") {
            Some((stem, ext)) => format!("{stem}-{tag}.en.{ext}"),
            None => format!("{natural}-{tag}"),
        }
    } else {
        natural
    };
    names_in_chunk.insert(write::file_key(&name));
    Ok(name)
}

/// Removes the files and state of articles no longer among the inputs; returns how many.
pub(crate) fn remove_stale(
    folder: &mut OutputFolder,
    failures: &mut Vec<Failure>,
) -> Result<usize> {
    let stale = folder.stale()?;
    let mut removed = Vec::new();
    for (id, file) in stale {
        let path = folder.dir().join(&file);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(id),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => removed.push(id),
            Err(e) => failures.push(Failure::new(
                Stage::Write,
                path.display().to_string(),
                None,
                e,
            )),
        }
    }
    folder.forget(&removed)?;
    Ok(removed.len())
}

/// Runs `stage`, adding the time it took to `clock`.
fn timed<T>(clock: &mut f64, stage: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = stage();
    *clock += start.elapsed().as_secs_f64();
    out
}

/// The run's glossaries, ready to match sources and verify targets.
pub(crate) struct Terminology {
    matcher: Matcher,
    targets: Matcher,
    forbidden: glossary::Forbidden,
    /// A hash of the forbidden entries: every article's flags depend on them.
    forbidden_fingerprint: String,
    entries: usize,
    /// A fingerprint per entry (its serialised form), so that an article depends only on
    /// the entries it uses.
    entry_fingerprints: Vec<String>,
}

impl Terminology {
    /// Loads every glossary. A file that cannot be read or parsed stops the run before any
    /// work; an invalid entry is reported and the rest used.
    fn load(paths: &[PathBuf], failures: &mut Vec<Failure>) -> Result<Terminology> {
        let entries = load_glossaries(paths, failures)?;
        let forbidden = glossary::Forbidden::new(&entries);
        let mut forbidden_fingerprint = Sha256::new();
        for entry in forbidden.entries() {
            forbidden_fingerprint.update(format!("{entry:?}").as_bytes());
        }
        Ok(Terminology {
            forbidden_fingerprint: hex(forbidden_fingerprint.finalize()),
            forbidden,
            targets: Matcher::for_targets(&entries),
            entries: entries.len(),
            entry_fingerprints: entries
                .iter()
                .map(|e| hex(Sha256::digest(format!("{e:?}").as_bytes())))
                .collect(),
            matcher: Matcher::new(entries),
        })
    }

    /// glossary: each segment's terms found and applied by policy.
    fn prepare(&self, segments: &[Segment]) -> Vec<Prepared> {
        segments
            .iter()
            .map(|s| glossary::prepare_with_codes(&self.matcher, &s.text, &s.codes, false))
            .collect()
    }

    fn entry_fingerprint(&self, index: usize) -> &str {
        &self.entry_fingerprints[index]
    }

    /// The glossaries as `merge` compares shards: the files named, how many entries, and a
    /// hash of every entry (the same content under other file names is the same).
    fn describe(&self, paths: &[PathBuf]) -> serde_json::Value {
        let mut all = Sha256::new();
        for fingerprint in &self.entry_fingerprints {
            all.update(fingerprint.as_bytes());
        }
        let files: Vec<String> = paths
            .iter()
            .map(|p| {
                p.file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
            })
            .collect();
        serde_json::json!({
            "files": files,
            "entries": self.entries,
            "hash": hex(all.finalize()),
        })
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
    fn new(prepared: &[&Prepared], approved: &[&Option<align::Reviewed>]) -> Pool {
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
}

/// The cache key of a model input: what it was translated from and under which run
/// settings and glossary.
fn cache_key(run_fingerprint: &str, terminology: &Terminology, prepared: &Prepared) -> String {
    let mut key = Sha256::new();
    key.update(run_fingerprint.as_bytes());
    for term in &prepared.terms {
        key.update(terminology.entry_fingerprint(term.entry_index).as_bytes());
        key.update(b"\x00");
        key.update(term.target.as_bytes());
    }
    key.update(b"\x00input\x00");
    key.update(prepared.text.as_bytes());
    hex(key.finalize())
}

/// What every article's translation depends on, by name: passeur's version, the model (by
/// its content, see [`model::identity`]), the language pair and the options that change
/// output. Its hash is the run fingerprint; `merge` compares shards by it, key by key.
fn run_components(
    settings: &TranslateSettings,
    model_info: Option<&info::ModelInfo>,
    model: &str,
) -> serde_json::Value {
    let engine = &settings.engine;
    serde_json::json!({
        "passeur": env!("CARGO_PKG_VERSION"),
        "model": model,
        "model_info": model_info,
        "languages": format!("{} → {}", settings.languages.source, settings.languages.target),
        "device": engine.device.name(),
        "compute_type": engine.compute_type.name(),
        "beam_size": engine.beam_size,
        "batch_tokens": engine.batch_tokens,
        "max_input_tokens": engine.max_input_tokens,
        "max_segment_tokens": engine.max_segment_tokens,
    })
}

/// The model's content hash, taken again only when its files changed (their stamp is kept
/// in the output folder's state with the hash).
fn model_identity(folder: &OutputFolder, dir: &std::path::Path) -> Result<String> {
    // The engine has loaded the model by now; a folder that cannot be listed is a library
    // caller's own engine (the tests' fake one), known by its path.
    let Ok(stamp) = model::identity::stamp(dir) else {
        return Ok(dir.display().to_string());
    };
    if folder.meta("model_stamp")?.as_deref() == Some(stamp.as_str()) {
        if let Some(hash) = folder.meta("model_hash")? {
            return Ok(hash);
        }
    }
    let hash = model::identity::content_hash(dir).with_context(|| dir.display().to_string())?;
    folder.set_meta("model_stamp", &stamp)?;
    folder.set_meta("model_hash", &hash)?;
    Ok(hash)
}

/// Every segment with a finding of severity error (the engine failed, the translation is
/// empty, the input was cut), named with its article and sentence: a wrong result is a
/// failure, never a success with a flag nobody reads.
fn engine_failures(article: &Article, segment: &Segment, row: &AlignedSegment) -> Vec<Failure> {
    row.flags
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|flag| {
            Failure::new(
                Stage::Translate,
                article.origin.clone(),
                None,
                format!(
                    "{} (article {}), paragraph {} sentence {}: {}: {}",
                    article.origin,
                    read::shown_id(&article.id),
                    segment.paragraph + 1,
                    segment.index + 1,
                    flag.check,
                    flag.reason
                ),
            )
        })
        .collect()
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
            allocator: crate::translate::backend::allocator().to_string(),
            // Set by `translate`, which has the engine.
            conventions: String::new(),
            info: model_info,
        },
        options: options_report(settings),
        counts,
        timings_seconds: timings,
        throughput,
        peak_rss_bytes: None,
        skipped: Vec::new(),
        notes: Vec::new(),
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
        chunk_segments: settings.chunk_segments,
        shard: settings.shard.map(|s| s.to_string()),
        source_lang: settings.languages.source.clone(),
        target_lang: settings.languages.target.clone(),
    }
}

/// Loads every glossary; what cannot be used is reported and the rest kept.
fn load_glossaries(
    paths: &[PathBuf],
    failures: &mut Vec<Failure>,
) -> Result<Vec<glossary::Entry>, glossary::GlossaryError> {
    let mut files = Vec::new();
    for path in paths {
        let (loaded, errors) = glossary::load_glossary(path)?;
        for e in &errors {
            failures.push(Failure::new(Stage::Glossary, e.path(), e.line(), e));
        }
        files.push((path.display().to_string(), loaded));
    }
    // Glossaries used together that disagree: said before the run (which one wins, and
    // why), not discovered in the output.
    let conflicts = glossary::lint::across(&files);
    for conflict in conflicts.iter().take(10) {
        eprintln!("passeur: note: glossaries: {conflict}");
    }
    if conflicts.len() > 10 {
        eprintln!(
            "passeur: note: glossaries: {} more such terms (passeur glossary lint {} lists them)",
            conflicts.len() - 10,
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(files.into_iter().flat_map(|(_, entries)| entries).collect())
}

/// A person's translation of each segment, if one exists: the reviewer's in this folder
/// (the last revision saved for a sentence with this source text, when it is confirmed or
/// approved: never translated over, even by `--force`), else the translation memory's.
/// A memory that cannot be read is reported once, and the model translates the rest.
struct People {
    reviewed: HashMap<String, state::Revision>,
    memory_failed: bool,
}

impl People {
    /// The folder's revisions of an article, in the order they were saved.
    fn new(reviewed: Vec<state::Revision>) -> People {
        let reviewed = reviewed
            .into_iter()
            .map(|revision| (revision.source.clone(), revision))
            .collect();
        People {
            reviewed,
            memory_failed: false,
        }
    }

    fn translations(
        &mut self,
        memory: Option<&Memory>,
        segments: &[Segment],
        failures: &mut Vec<Failure>,
    ) -> Vec<Option<align::Reviewed>> {
        segments
            .iter()
            .map(|segment| self.translation(memory, segment, failures))
            .collect()
    }

    fn translation(
        &mut self,
        memory: Option<&Memory>,
        segment: &Segment,
        failures: &mut Vec<Failure>,
    ) -> Option<align::Reviewed> {
        if let Some(revision) = self.reviewed.get(segment.text.as_str()) {
            let state = align::ReviewState::from_name(&revision.state)?;
            return state.is_reviewed().then(|| align::Reviewed {
                target: revision.target.clone(),
                review: align::Review {
                    state,
                    machine: revision.machine.clone(),
                    revision: revision.revision,
                    at: revision.at,
                },
                from_memory: false,
            });
        }
        let memory = memory.filter(|_| !self.memory_failed)?;
        match memory.lookup(&segment.text) {
            Ok(found) => found.map(|found| align::Reviewed {
                target: found.target,
                review: align::Review {
                    state: found.state,
                    machine: None,
                    revision: 0,
                    at: found.at,
                },
                from_memory: true,
            }),
            Err(e) => {
                failures.push(Failure::new(Stage::Memory, e.path.clone(), None, &e));
                self.memory_failed = true;
                None
            }
        }
    }
}

fn input_name(input: &Input) -> String {
    match input {
        Input::Stdin => "-".into(),
        Input::Path(p) => p.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    //! The orchestrator on the deterministic fake engine: every stage around the model.

    use std::path::Path;

    use super::*;
    use crate::options::{ComputeKind, DeviceKind, EngineSettings};
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
            memory_named: false,
            chunk_segments: 2,
            force: false,
            shard: None,
            offline: true,
            quiet: true,
            languages: Default::default(),
            encoding: None,
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

        let setup = Setup::new(&settings).unwrap();
        let outcome = run_stages(&settings, &FakeEngine { max_input: 100 }, setup, None).unwrap();

        let counts = &outcome.report.counts;
        assert_eq!((counts.segments, counts.unique_segments), (3, 2));
        assert_eq!((counts.term_matches, counts.terms_repaired), (2, 2));
        assert_eq!(counts.segments_failed, 1);
        assert!(outcome.failed, "a failed sentence makes the run fail");
        assert_eq!(outcome.report.failures[0].stage, Stage::Translate);
        let english = std::fs::read_to_string(dir.path().join("out/a.en.txt")).unwrap();
        assert_eq!(
            english,
            "LA DROPZONE EST CALME. [untranslated: Une phrase FAIL ici.]\nLA DROPZONE EST CALME.\n"
        );
        let rows = std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap();
        assert_eq!(rows.lines().count(), 3, "every source sentence has its row");
    }

    /// An engine that carries the codes' tokens through (the fake upper-cases words and
    /// keeps tokens) puts every tag where the model put it: no fallback, no flag.
    #[test]
    fn codes_the_model_keeps_come_back_where_it_put_them() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("a.html");
        std::fs::write(
            &page,
            "<html lang=\"fr\"><p>Selon <a href=\"/otan\">l'OTAN</a>, tout va <em>bien</em>.</p>\n\
             <p>Sans balise.</p></html>",
        )
        .unwrap();
        let glossary = dir.path().join("g.json");
        std::fs::write(&glossary, r#"[{"source": "OTAN", "target": "NATO"}]"#).unwrap();
        let settings = settings(dir.path(), vec![Input::Path(page)], vec![glossary]);
        let setup = Setup::new(&settings).unwrap();
        let outcome = run_stages(&settings, &FakeEngine { max_input: 100 }, setup, None).unwrap();
        assert!(!outcome.failed);
        let english = std::fs::read_to_string(dir.path().join("out/a.en.html")).unwrap();
        assert_eq!(
            english,
            "<html lang=\"en\"><p>SELON <a href=\"/otan\">L'NATO</a>, TOUT VA <em>BIEN</em>.</p>\n\
             <p>SANS BALISE.</p></html>"
        );
        let rows = std::fs::read_to_string(dir.path().join("out/aligned.jsonl")).unwrap();
        assert!(!rows.contains("xmltags"), "{rows}");
        let counts = &outcome.report.counts;
        assert_eq!(
            (counts.segments_with_codes, counts.segments_codes_projected),
            (1, 0)
        );
    }

    /// Markdown inline markup goes through the same codes: around its words, not translated.
    #[test]
    fn markdown_inline_markup_comes_back_around_its_words() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("a.md");
        std::fs::write(
            &page,
            "## Selon [l'OTAN](https://nato.int), tout va **bien**.\n\nLancez `make` ici.\n",
        )
        .unwrap();
        let settings = settings(dir.path(), vec![Input::Path(page)], vec![]);
        let setup = Setup::new(&settings).unwrap();
        let outcome = run_stages(&settings, &FakeEngine { max_input: 100 }, setup, None).unwrap();
        assert!(!outcome.failed);
        let english = std::fs::read_to_string(dir.path().join("out/a.en.md")).unwrap();
        assert_eq!(
            english,
            "## SELON [L'OTAN](https://nato.int), TOUT VA **BIEN**.\n\nLANCEZ `make` ICI.\n"
        );
    }
}
