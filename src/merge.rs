//! `passeur merge`: the output folders of `translate --shard K/N` runs combined into one,
//! as a single run over the whole batch would have written it.
//!
//! Each shard folder's run state ([`crate::state`]) says which shard it holds, whether its
//! run finished, and each article's place in the whole batch. Merge checks that the
//! shards make one complete set (all N, each once, the same model and options, every run
//! finished), then walks their articles in batch order, a page at a time from each shard,
//! and brings each article (English file and rows) into the merged folder's own state. The
//! merged folder is incremental like any output folder: re-merging after one shard was
//! run again copies only the articles that changed, and removes those that are gone. Then
//! `aligned.jsonl` and the review formats are rendered from the state, streaming, as a
//! translate run does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::config::{MergeSettings, Shard};
use crate::files::{sync_filesystem, write_atomic_unsynced};
use crate::pipeline::{self, RunOutcome};
use crate::render;
use crate::report::{self, Counts, Failure, ModelReport, OptionsReport, RunReport, Timings};
use crate::state::{Finished, OutputFolder, Record, STATE_DIR};

/// Articles read from a shard at a time, and committed to the merged state at a time.
const PAGE: usize = 256;

/// One shard folder, checked.
struct ShardFolder {
    dir: PathBuf,
    state: OutputFolder,
    shard: Shard,
    fingerprint: String,
    /// What the fingerprint is made of, by name (empty for folders from before it was kept).
    components: serde_json::Value,
    /// What its `run.json` says: options, model, failures, counts.
    report: serde_json::Value,
}

impl ShardFolder {
    fn open(dir: &Path) -> Result<ShardFolder> {
        if !dir.join(STATE_DIR).join("state.sqlite").is_file() {
            bail!(
                "{}: not an output folder of `passeur translate --shard K/N`",
                dir.display()
            );
        }
        let state = OutputFolder::open(dir)?;
        let meta = |key: &str| -> Result<String> { Ok(state.meta(key)?.unwrap_or_default()) };
        if meta("complete")? != "true" {
            bail!(
                "{}: its run did not finish; run the same `passeur translate` command again \
                 to complete it",
                dir.display()
            );
        }
        let shard = meta("shard")?;
        if shard.is_empty() {
            bail!(
                "{}: not a shard (translated without --shard K/N)",
                dir.display()
            );
        }
        let shard = Shard::parse(&shard).with_context(|| dir.display().to_string())?;
        let report = std::fs::read_to_string(dir.join("run.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(serde_json::Value::Null);
        let components = serde_json::from_str(&meta("run_components")?).unwrap_or_default();
        Ok(ShardFolder {
            dir: dir.to_path_buf(),
            fingerprint: meta("run_fingerprint")?,
            components,
            state,
            shard,
            report,
        })
    }
}

/// Checks that the shards are one complete set: all of 0..N, each once, one model and
/// options.
fn check_set(shards: &[ShardFolder]) -> Result<()> {
    let count = shards[0].shard.count;
    for s in shards {
        if s.shard.count != count {
            bail!(
                "{} holds shard {} but {} holds {}: not one set",
                s.dir.display(),
                s.shard,
                shards[0].dir.display(),
                shards[0].shard
            );
        }
        let differences = differences(&shards[0].components, &s.components);
        if s.fingerprint != shards[0].fingerprint || !differences.is_empty() {
            let what = match differences.is_empty() {
                true => "another model, options or passeur version".to_string(),
                false => differences.join("; "),
            };
            bail!(
                "{} and {} were not translated alike: {what}",
                shards[0].dir.display(),
                s.dir.display(),
            );
        }
    }
    for (i, a) in shards.iter().enumerate() {
        if let Some(b) = shards[i + 1..].iter().find(|b| b.shard == a.shard) {
            bail!(
                "{} and {} both hold shard {}: the shards overlap",
                a.dir.display(),
                b.dir.display(),
                a.shard
            );
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|k| !shards.iter().any(|s| s.shard.index == *k))
        .map(|k| format!("{k}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the set of shards is incomplete: {} missing",
            missing.join(", ")
        );
    }
    Ok(())
}

/// Every article of the set holds a place in the batch of its own: shards of two batches
/// (two articles at one place) are refused before anything is written.
fn check_places(shards: &[ShardFolder]) -> Result<()> {
    let mut cursors: Vec<Cursor> = shards.iter().map(|_| Cursor::default()).collect();
    let mut seen: std::collections::HashMap<usize, String> = Default::default();
    for (k, cursor) in cursors.iter_mut().enumerate() {
        while cursor.head(&shards[k])?.is_some() {
            let (id, _, position) = cursor.pop().expect("a head was found");
            if let Some(other) = seen.insert(position, id.clone()) {
                bail!(
                    "articles {other:?} and {id:?} hold the same place in the batch: the \
                     shards come from different batches"
                );
            }
        }
    }
    Ok(())
}

/// What two shards' run components (`run_components` in their state) differ in, named:
/// `beam_size: 4 against 2`. Glossaries are compared by their entries, and named by file.
fn differences(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let null = serde_json::Value::Null;
    keys.into_iter()
        .filter_map(|key| {
            let (x, y) = (a.get(key).unwrap_or(&null), b.get(key).unwrap_or(&null));
            let differ = match key.as_str() {
                "glossaries" => x.get("hash") != y.get("hash"),
                _ => x != y,
            };
            let show = |v: &serde_json::Value| match key.as_str() {
                "glossaries" => format!("{} ({} entries)", v["files"], v["entries"]),
                "model" => format!("{:.12}", v.as_str().unwrap_or("?")),
                _ => v.to_string(),
            };
            differ.then(|| format!("{key}: {} against {}", show(x), show(y)))
        })
        .collect()
}

/// A shard's articles in batch order, read a page at a time.
#[derive(Default)]
struct Cursor {
    page: std::collections::VecDeque<(String, Record, usize)>,
    last: Option<usize>,
    done: bool,
}

impl Cursor {
    fn head(&mut self, shard: &ShardFolder) -> Result<Option<usize>> {
        if self.page.is_empty() && !self.done {
            let page = shard.state.articles_page(self.last, PAGE)?;
            self.done = page.len() < PAGE;
            self.page.extend(page);
        }
        Ok(self.page.front().map(|(_, _, position)| *position))
    }

    fn pop(&mut self) -> Option<(String, Record, usize)> {
        let next = self.page.pop_front();
        if let Some((_, _, position)) = &next {
            self.last = Some(*position);
        }
        next
    }
}

/// `passeur merge SHARD_DIR... -o OUT_DIR`.
pub fn merge(settings: &MergeSettings) -> Result<RunOutcome> {
    let start = Instant::now();
    let canonical: Vec<PathBuf> = settings
        .shards
        .iter()
        .map(|d| d.canonicalize().unwrap_or_else(|_| d.clone()))
        .collect();
    for (i, dir) in canonical.iter().enumerate() {
        if canonical[..i].contains(dir) {
            bail!(
                "{} is named twice: the shards overlap",
                settings.shards[i].display()
            );
        }
    }
    // Merging into a shard would wait on the shard's own lock (exit 75, which a scheduler
    // retries forever) and overwrite what it merges from.
    let output = settings
        .out_dir
        .canonicalize()
        .unwrap_or_else(|_| settings.out_dir.clone());
    if let Some(i) = canonical.iter().position(|dir| *dir == output) {
        bail!(
            "-o {} is one of the shards ({}): merge into a folder of its own",
            settings.out_dir.display(),
            settings.shards[i].display()
        );
    }
    let shards = settings
        .shards
        .iter()
        .map(|dir| ShardFolder::open(dir))
        .collect::<Result<Vec<_>>>()?;
    check_set(&shards)?;
    // The whole set is checked before the merged folder gets anything.
    check_places(&shards)?;
    let mut folder = OutputFolder::open(&settings.out_dir)?;
    folder.begin_run(None, &shards[0].fingerprint)?;

    let mut failures: Vec<Failure> = Vec::new();
    let (mut copied, mut kept) = (0, 0);
    let mut cursors: Vec<Cursor> = shards.iter().map(|_| Cursor::default()).collect();
    let mut finished: Vec<Finished> = Vec::new();
    let mut names = HashSet::new();
    loop {
        // The shard whose next article comes first in the batch.
        let mut next: Option<(usize, usize)> = None;
        for (k, cursor) in cursors.iter_mut().enumerate() {
            if let Some(position) = cursor.head(&shards[k])? {
                if next.is_none_or(|(_, best)| position < best) {
                    next = Some((k, position));
                }
            }
        }
        let Some((k, _)) = next else {
            break;
        };
        let (id, record, position) = cursors[k].pop().expect("a head was found");
        let mine = folder.record(&id)?;
        if let Some(mine) = mine.as_ref().filter(|m| {
            m.content_hash == record.content_hash
                && m.fingerprint == record.fingerprint
                && settings.out_dir.join(&m.file).is_file()
        }) {
            names.insert(crate::write::file_key(&mine.file));
            folder.keep(&id, position)?;
            kept += 1;
            continue;
        }
        let source = shards[k].dir.join(&record.file);
        // The shard named it as a single run would: text, or the document it was.
        let text = record.file.ends_with(".txt");
        let file = pipeline::english_file_name(&folder, &id, text, &mut names)?;
        let copy = std::fs::read(&source)
            .map_err(|e| anyhow::anyhow!("{}: {e}", source.display()))
            .and_then(|bytes| {
                Ok(write_atomic_unsynced(
                    &settings.out_dir.join(&file),
                    &bytes,
                )?)
            });
        if let Err(e) = copy {
            failures.push(Failure::new(report::Stage::Write, file.clone(), None, e));
            continue;
        }
        // A reviewer's history in the shard goes with its article.
        let revisions = shards[k].state.revisions_of(&id)?;
        if !revisions.is_empty() {
            folder.add_revisions(&id, &revisions)?;
        }
        finished.push(Finished {
            staged: false,
            rows: shards[k].state.rows_of(&id)?,
            source: shards[k].state.source_of(&id)?.unwrap_or_default(),
            id,
            position,
            record: Record { file, ..record },
        });
        if finished.len() >= PAGE {
            copied += commit(&mut folder, &mut finished, &mut names)?;
        }
    }
    copied += commit(&mut folder, &mut finished, &mut names)?;

    let removed = pipeline::remove_stale(&mut folder, &mut failures)?;
    let mut notes = Vec::new();
    let mut counts = render::deliverables(&folder, &settings.formats, &mut failures, &mut notes)?;
    folder.end_run()?;
    counts += &Counts {
        articles_translated: copied,
        articles_reused: kept,
        articles_removed: removed,
        ..shard_counts(&shards)
    };
    for shard in &shards {
        let shard_failures = shard.report["failures"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        failures.extend(
            shard_failures
                .into_iter()
                .filter_map(|f| serde_json::from_value::<Failure>(f).ok()),
        );
    }
    let report = RunReport {
        passeur_version: env!("CARGO_PKG_VERSION"),
        inputs: shards.iter().map(|s| s.dir.display().to_string()).collect(),
        output: settings.out_dir.display().to_string(),
        model: ModelReport {
            dir: shards[0].report["model"]["dir"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            backend: shards[0].report["model"]["backend"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            allocator: shards[0].report["model"]["allocator"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            conventions: shards[0].report["model"]["conventions"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            info: None,
        },
        options: serde_json::from_value::<OptionsReport>(shards[0].report["options"].clone())
            .unwrap_or_default(),
        counts,
        timings_seconds: Timings {
            total: start.elapsed().as_secs_f64(),
            ..Timings::default()
        },
        throughput: Default::default(),
        peak_rss_bytes: report::peak_rss_bytes(),
        skipped: Vec::new(),
        notes,
        failures,
    };
    report.write(&settings.out_dir)?;
    let failed = !report.failures.is_empty();
    Ok(RunOutcome { report, failed })
}

/// Makes a page of copied articles durable, then records them; returns how many.
fn commit(
    folder: &mut OutputFolder,
    finished: &mut Vec<Finished>,
    names: &mut HashSet<String>,
) -> Result<usize> {
    if finished.is_empty() {
        return Ok(0);
    }
    sync_filesystem(folder.dir())?;
    folder.commit(finished, &[])?;
    let n = finished.len();
    finished.clear();
    names.clear();
    Ok(n)
}

/// What only the shards' runs know, summed: inputs that failed, paragraphs, engine work.
fn shard_counts(shards: &[ShardFolder]) -> Counts {
    let mut counts = Counts::default();
    for shard in shards {
        let c = &shard.report["counts"];
        let n = |key: &str| c[key].as_u64().unwrap_or(0) as usize;
        counts.inputs_failed += n("inputs_failed");
        counts.paragraphs += n("paragraphs");
        counts.unique_segments += n("unique_segments");
        counts.segments_cached += n("segments_cached");
        counts.segments_split += n("segments_split");
        counts.glossary_entries = counts.glossary_entries.max(n("glossary_entries"));
    }
    counts
}
