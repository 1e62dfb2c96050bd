//! `passeur review`: what reviewers do with an output folder.
//!
//! - `passeur review OUT_DIR` reads `aligned.jsonl` (the source of truth), prints a summary
//!   (segments, flags by check and severity, term hit rate, worst segments), and writes the
//!   review formats again from it; `--fail-on SEVERITY` makes the exit status say whether a
//!   flag of that severity or worse exists.
//! - `passeur review import FILE` reads a reviewed XLIFF 1.2 or TSV and stores the approved
//!   translations in the folder's translation memory ([`crate::memory`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use quick_xml::events::Event;

use crate::align::{AlignedSegment, ReviewState};
use crate::check::{Check, Flag, Severity};
use crate::memory::Approved;

/// Reads an output folder's `aligned.jsonl`.
pub fn load_aligned(out_dir: &Path) -> Result<Vec<AlignedSegment>> {
    let path = out_dir.join("aligned.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: invalid aligned row", path.display(), i + 1))
        })
        .collect()
}

/// The summary table `passeur review` prints, for rows in memory ([`Summary`] adds up a
/// folder a row at a time).
pub fn summary(rows: &[AlignedSegment]) -> String {
    let mut summary = Summary::default();
    rows.iter().for_each(|row| summary.add(row));
    let mut first = FirstInconsistencies::new(INCONSISTENCIES_SHOWN);
    for row in rows.iter().filter(|row| summary.is_inconsistent(row)) {
        first.add(row);
    }
    summary.render(&first.finish())
}

/// What `passeur review` prints of a folder, added up a row at a time so that a folder of
/// any size is summarised in the memory of its counts: segments, review states, terms,
/// flags by check and severity, the five worst segments. Its inconsistencies are listed
/// from a second pass over the rows that [`Summary::is_inconsistent`] picks, into
/// [`FirstInconsistencies`].
#[derive(Debug, Default)]
pub struct Summary {
    articles: usize,
    last_article: Option<String>,
    segments: usize,
    flagged: usize,
    states: [usize; ReviewState::ALL.len()],
    terms: usize,
    present: usize,
    repaired: usize,
    memory: usize,
    /// Check name → counts by severity.
    table: BTreeMap<&'static str, [usize; 3]>,
    /// The worst flagged segments so far, worst first, at most [`WORST_SHOWN`].
    worst: Vec<AlignedSegment>,
    worst_severity: Option<Severity>,
    consistency: ConsistencyCount,
}

/// How many of the worst segments the summary shows.
const WORST_SHOWN: usize = 5;

/// How many inconsistencies the summary lists (it counts them all).
pub const INCONSISTENCIES_SHOWN: usize = 10;

impl Summary {
    /// One more row, in the folder's order.
    pub fn add(&mut self, row: &AlignedSegment) {
        // Rows come article by article.
        if self.last_article.as_deref() != Some(row.article.as_str()) {
            self.articles += 1;
            self.last_article = Some(row.article.clone());
        }
        self.segments += 1;
        let state = ReviewState::ALL.iter().position(|&s| s == row.state());
        self.states[state.expect("every state is in ALL")] += 1;
        self.terms += row.terms.len();
        self.present += row.terms.iter().filter(|t| t.status.is_present()).count();
        self.repaired += row.terms.iter().filter(|t| t.status.is_repaired()).count();
        self.memory += usize::from(row.memory);
        for flag in &row.flags {
            self.table.entry(flag.check.name()).or_default()[flag.severity as usize] += 1;
            self.worst_severity = self.worst_severity.max(Some(flag.severity));
        }
        self.consistency.add(row);
        if row.is_flagged() {
            self.flagged += 1;
            self.keep_if_worst(row);
        }
    }

    /// Worst first: highest severity, then most flags above info, then lowest score; of
    /// equals, the first in the folder.
    fn keep_if_worst(&mut self, row: &AlignedSegment) {
        let key = |r: &AlignedSegment| {
            (
                r.flags.iter().map(|f| f.severity).max(),
                r.flags
                    .iter()
                    .filter(|f| f.severity > Severity::Info)
                    .count(),
            )
        };
        let order = |a: &AlignedSegment, b: &AlignedSegment| {
            key(b)
                .cmp(&key(a))
                .then(a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
        };
        let last_kept = self.worst.len() == WORST_SHOWN;
        if last_kept
            && self
                .worst
                .last()
                .is_some_and(|last| order(row, last).is_ge())
        {
            return;
        }
        // Before the first it is worse than: after its equals, which came first.
        let at = self.worst.partition_point(|kept| order(kept, row).is_le());
        self.worst.insert(at, row.clone());
        self.worst.truncate(WORST_SHOWN);
    }

    /// Whether a row of the folder added is part of an inconsistency (its source translated
    /// otherwise elsewhere, or its translation given to another source): the rows that
    /// [`consistency`] needs to list them.
    pub fn is_inconsistent(&self, row: &AlignedSegment) -> bool {
        self.consistency.flag(row).is_some()
    }

    /// Whether a flag of `severity` or worse was seen.
    pub fn has_flag_at_least(&self, severity: Severity) -> bool {
        self.worst_severity.is_some_and(|worst| worst >= severity)
    }

    /// The summary, with the folder's first inconsistencies ([`FirstInconsistencies`]).
    pub fn render(&self, first: &[Inconsistent]) -> String {
        let mut out = format!(
            "{} articles, {} segments, {} flagged\n",
            self.articles, self.segments, self.flagged
        );
        let reviewed: Vec<String> = ReviewState::ALL
            .into_iter()
            .zip(self.states)
            .filter(|(_, n)| *n > 0)
            .map(|(state, n)| format!("{n} {}", state.name()))
            .collect();
        out += &format!("review: {}\n", reviewed.join(", "));
        if self.terms > 0 {
            out += &format!(
                "terms: {}/{} present ({:.1}%), {} repaired\n",
                self.present,
                self.terms,
                100.0 * self.present as f64 / self.terms as f64,
                self.repaired
            );
        }
        if self.memory > 0 {
            out += &format!("{} segments from the translation memory\n", self.memory);
        }
        if !self.table.is_empty() {
            out += &format!(
                "\n{:<16} {:>6} {:>8} {:>6}\n",
                "check", "error", "warning", "info"
            );
            for (check, [info, warning, error]) in &self.table {
                out += &format!("{check:<16} {error:>6} {warning:>8} {info:>6}\n");
            }
        }
        if !self.worst.is_empty() {
            out += "\nworst segments:\n";
            for r in &self.worst {
                let checks: Vec<&str> = r.flags.iter().map(|f| f.check.name()).collect();
                let source: String = printable(&r.source).chars().take(70).collect();
                let cut = if r.source.chars().count() > 70 {
                    "…"
                } else {
                    ""
                };
                out += &format!(
                    "  {} {}.{} [{}] {source}{cut}\n",
                    r.article,
                    r.paragraph + 1,
                    r.index + 1,
                    checks.join(", "),
                );
            }
        }
        let (sources, targets) = self.consistency.counts();
        let total = sources + targets;
        if total > 0 {
            out += &format!("\ninconsistent translations ({total}):\n");
            for finding in first.iter().take(INCONSISTENCIES_SHOWN) {
                out += &format!("  {}\n", printable(&finding.to_string()));
            }
            if total > INCONSISTENCIES_SHOWN {
                out += &format!("  … and {} more\n", total - INCONSISTENCIES_SHOWN);
            }
        }
        out
    }
}

/// One inconsistency across a batch, in one of Xbench's two directions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inconsistent {
    /// One source sentence (case and spacing aside), translated in several ways: each
    /// rendering with the segments that have it.
    Source {
        source: String,
        renderings: Vec<(String, Vec<String>)>,
    },
    /// One translation given to several different sources.
    Target {
        target: String,
        sources: Vec<(String, Vec<String>)>,
    },
}

impl std::fmt::Display for Inconsistent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[(String, Vec<String>)]| {
            items
                .iter()
                .map(|(text, keys)| format!("{text:?} ({})", keys.join(", ")))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        match self {
            Inconsistent::Source { source, renderings } => {
                write!(f, "same source {source:?}, translated {}", list(renderings))
            }
            Inconsistent::Target { target, sources } => {
                write!(f, "same translation {target:?} for {}", list(sources))
            }
        }
    }
}

/// Sentences of a batch translated inconsistently, both directions (Xbench's
/// "inconsistency in source" and "in target"): the same source (compared without case and
/// with runs of spaces as one; inline codes are not in the text) with different targets,
/// and different sources with the same target. Each names the segments
/// (`ARTICLE:PARAGRAPH:INDEX`).
pub fn consistency(rows: &[AlignedSegment]) -> Vec<Inconsistent> {
    let mut found = FirstInconsistencies::new(usize::MAX);
    rows.iter().for_each(|row| found.add(row));
    found.finish()
}

/// [`consistency`]'s first findings of each direction, in its order, at most `shown` of
/// each: only the groups of the `shown` first sentences (in [`consistency_key`]'s order)
/// are kept, so that a pass over a folder's rows holds a few groups, not the batch. Fed
/// the rows [`Summary::is_inconsistent`] picks, every group kept is an inconsistency.
pub struct FirstInconsistencies {
    by_source: Groups,
    by_target: Groups,
}

/// Sentences by [`consistency_key`]: as first seen, and the other side's texts (by key,
/// as first seen) with the segments that have them; at most `limit` sentences, the first
/// in key order.
struct Groups {
    map: BTreeMap<String, (String, Sides)>,
    limit: usize,
}

/// The other side's texts of a sentence, by key: as first seen, with their segments.
type Sides = BTreeMap<String, (String, Vec<String>)>;

impl Groups {
    fn add(&mut self, this: &str, other: &str, segment: &str) {
        let key = consistency_key(this);
        if !self.map.contains_key(&key) && self.map.len() >= self.limit {
            // Full: a sentence after every one kept can never be among the first (those
            // kept go only for earlier ones).
            match self.map.last_key_value() {
                Some((last, _)) if *last > key => self.map.pop_last(),
                _ => return,
            };
        }
        let (_, sides) = self
            .map
            .entry(key)
            .or_insert_with(|| (this.to_string(), BTreeMap::new()));
        sides
            .entry(consistency_key(other))
            .or_insert_with(|| (other.to_string(), Vec::new()))
            .1
            .push(segment.to_string());
    }

    /// The sentences with several different other sides.
    fn several(self) -> impl Iterator<Item = (String, Vec<(String, Vec<String>)>)> {
        self.map
            .into_values()
            .filter(|(_, sides)| sides.len() > 1)
            .map(|(text, sides)| (text, sides.into_values().collect()))
    }
}

impl FirstInconsistencies {
    pub fn new(shown: usize) -> FirstInconsistencies {
        let groups = || Groups {
            map: BTreeMap::new(),
            limit: shown,
        };
        FirstInconsistencies {
            by_source: groups(),
            by_target: groups(),
        }
    }

    pub fn add(&mut self, row: &AlignedSegment) {
        if row.target.trim().is_empty() {
            return;
        }
        let segment = row.key();
        self.by_source.add(&row.source, &row.target, &segment);
        self.by_target.add(&row.target, &row.source, &segment);
    }

    /// The sources translated in several ways, then the translations of several sources.
    pub fn finish(self) -> Vec<Inconsistent> {
        let mut found: Vec<Inconsistent> = self
            .by_source
            .several()
            .map(|(source, renderings)| Inconsistent::Source { source, renderings })
            .collect();
        found.extend(
            self.by_target
                .several()
                .map(|(target, sources)| Inconsistent::Target { target, sources }),
        );
        found
    }
}

/// How [`consistency`] compares sentences: case and runs of spaces aside.
fn consistency_key(text: &str) -> String {
    crate::memory::collapse_spaces(text).to_lowercase()
}

/// [`consistency`]'s two counts over a batch read a row at a time (for run.json), and the
/// `inconsistent` flag of each row it concerns (for the deliverables): each sentence kept
/// as a hash with the first segment that had it, so that memory stays small.
#[derive(Debug, Default)]
pub struct ConsistencyCount {
    by_source: HashMap<u64, Seen>,
    by_target: HashMap<u64, Seen>,
    /// Per row added: its two hashes and whether a new flag would make it count as flagged.
    rows: Vec<(u64, u64, bool)>,
}

/// A sentence as first seen: the other side's hash and the segment, and the first segment
/// where the other side differed.
#[derive(Debug)]
struct Seen {
    other: u64,
    key: String,
    differs_at: Option<String>,
}

/// The hashes [`ConsistencyCount`] compares sentences by.
fn consistency_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    consistency_key(text).hash(&mut hasher);
    hasher.finish()
}

impl ConsistencyCount {
    pub fn add(&mut self, row: &AlignedSegment) {
        if row.target.trim().is_empty() {
            return;
        }
        let (source, target) = (consistency_hash(&row.source), consistency_hash(&row.target));
        // Counts as flagged once flagged: not approved, not from the memory, no flag yet.
        let newly_flagged = row.flags.is_empty() && !row.memory && !row.state().is_reviewed();
        self.rows.push((source, target, newly_flagged));
        for (map, this, other) in [
            (&mut self.by_source, source, target),
            (&mut self.by_target, target, source),
        ] {
            let seen = map.entry(this).or_insert_with(|| Seen {
                other,
                key: row.key(),
                differs_at: None,
            });
            if seen.other != other && seen.differs_at.is_none() {
                seen.differs_at = Some(row.key());
            }
        }
    }

    /// Sources translated in several ways, and translations of several sources.
    pub fn counts(&self) -> (usize, usize) {
        let several =
            |map: &HashMap<u64, Seen>| map.values().filter(|v| v.differs_at.is_some()).count();
        (several(&self.by_source), several(&self.by_target))
    }

    /// What the `inconsistent` flags add to the totals: rows flagged, and newly flagged.
    pub fn flag_totals(&self) -> (usize, usize) {
        let inconsistent = |s: u64, t: u64| {
            self.by_source[&s].differs_at.is_some() || self.by_target[&t].differs_at.is_some()
        };
        let flagged: Vec<bool> = self
            .rows
            .iter()
            .filter(|(s, t, _)| inconsistent(*s, *t))
            .map(|r| r.2)
            .collect();
        (flagged.len(), flagged.iter().filter(|&&new| new).count())
    }

    /// The `inconsistent` flag of a row of the batch added, naming another segment of each
    /// inconsistency (the whole list is in `passeur review`).
    pub fn flag(&self, row: &AlignedSegment) -> Option<Flag> {
        if row.target.trim().is_empty() {
            return None;
        }
        let (source, target) = (consistency_hash(&row.source), consistency_hash(&row.target));
        // A segment whose other side differs from this row's: the first seen, or the
        // first that differed from it.
        let differing = |seen: &Seen, mine: u64| match seen.other == mine {
            true => seen.differs_at.clone(),
            false => Some(seen.key.clone()),
        };
        let mut reasons = Vec::new();
        if let Some(at) = self
            .by_source
            .get(&source)
            .and_then(|s| differing(s, target))
        {
            reasons.push(format!("the same source is translated differently at {at}"));
        }
        if let Some(at) = self
            .by_target
            .get(&target)
            .and_then(|s| differing(s, source))
        {
            reasons.push(format!(
                "the same translation is given to another source at {at}"
            ));
        }
        (!reasons.is_empty())
            .then(|| Flag::new(Check::Inconsistent, Severity::Info, reasons.join("; ")))
    }
}

/// An article whose translation renders a term inconsistently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inconsistency {
    pub article: String,
    pub target: String,
    /// Status counts, e.g. `ok 3, missing 1`.
    pub statuses: String,
}

/// The articles of an output folder's rows in which one term was not rendered the same
/// way everywhere (present in some sentences, missing or repaired in others), for
/// `passeur glossary check -o`.
pub fn inconsistencies(rows: &[AlignedSegment]) -> Vec<Inconsistency> {
    let mut by_term: HashMap<(String, String), HashMap<String, usize>> = HashMap::new();
    for row in rows {
        for term in &row.terms {
            *by_term
                .entry((row.article.clone(), term.target.clone()))
                .or_default()
                .entry(term.status.name().to_string())
                .or_default() += 1;
        }
    }
    let mut out: Vec<Inconsistency> = by_term
        .into_iter()
        .filter(|(_, statuses)| statuses.len() > 1 || statuses.contains_key("missing"))
        .map(|((article, target), statuses)| {
            let mut parts: Vec<String> = statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
            parts.sort();
            Inconsistency {
                article,
                target,
                statuses: parts.join(", "),
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.article, &a.target).cmp(&(&b.article, &b.target)));
    out
}

/// How a folder rendered one glossary entry: its uses by status, and where the term is
/// missing, the English used instead (the runs most associated with those rows) and where.
#[derive(Debug, Clone, PartialEq)]
pub struct TermRendering {
    pub entry: String,
    pub source: String,
    pub target: String,
    pub uses: usize,
    /// Status name → uses.
    pub statuses: BTreeMap<String, usize>,
    pub instead: Vec<crate::glossary::suggest::Rendering>,
    /// The segments where it is missing (`ARTICLE:PARAGRAPH:INDEX`).
    pub missing_at: Vec<String>,
}

/// Each glossary entry the rows use, with its renderings (for `glossary check -o`), most
/// used first.
pub fn term_renderings(rows: &[AlignedSegment]) -> Vec<TermRendering> {
    let mut by_entry: BTreeMap<String, TermRendering> = BTreeMap::new();
    let mut missing_rows: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (r, row) in rows.iter().enumerate() {
        for term in &row.terms {
            let found = by_entry
                .entry(term.entry.clone())
                .or_insert_with(|| TermRendering {
                    entry: term.entry.clone(),
                    source: term.source.clone(),
                    target: term.target.clone(),
                    uses: 0,
                    statuses: BTreeMap::new(),
                    instead: Vec::new(),
                    missing_at: Vec::new(),
                });
            found.uses += 1;
            *found.statuses.entry(term.status.name().into()).or_default() += 1;
            if term.status == crate::glossary::TermStatus::Missing {
                found.missing_at.push(row.key());
                let group = missing_rows.entry(term.entry.clone()).or_default();
                if group.last() != Some(&r) {
                    group.push(r);
                }
            }
        }
    }
    let entries: Vec<String> = missing_rows.keys().cloned().collect();
    let groups: Vec<Vec<usize>> = missing_rows.into_values().collect();
    let targets: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
    for (entry, instead) in entries
        .iter()
        .zip(crate::glossary::suggest::associated(&groups, &targets))
    {
        by_entry.get_mut(entry).expect("an entry with uses").instead = instead;
    }
    let mut out: Vec<TermRendering> = by_entry.into_values().collect();
    out.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.entry.cmp(&b.entry)));
    out
}

/// Text for a terminal: control characters (an ESC could move the cursor or recolour the
/// screen) shown as `\u{1b}` escapes, the rest as it is.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Reads the approved translations of a reviewed file: XLIFF 1.2 units (or segments) whose
/// target has `state="translated"`, `"final"` or `"signed-off"` (or `approved="yes"`), XLIFF
/// 2.x segments reviewed, final or translated by a person (not passeur's own
/// `subState="passeur:mt"`), or TSV rows whose `state` column says `translated`, `final` or
/// `approved`. A TSV without a `state` column is refused: importing it whole would approve
/// every machine translation in it.
///
/// A file passeur moved aside (`aligned.tsv.edited-1`, see [`crate::write::set_aside_edits`]) is
/// read as what it was before.
pub fn read_approved(path: &Path) -> Result<Vec<Approved>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let name = path.display().to_string();
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let before_aside = match file_name.rsplit_once(".edited-") {
        Some((before, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => before,
        _ => file_name.as_str(),
    };
    match Path::new(before_aside).extension().and_then(|e| e.to_str()) {
        Some("xlf" | "xliff" | "xml") => read_xliff(&name, &text),
        Some("tsv" | "txt") => read_tsv(&name, &text),
        _ => bail!("{name}: expected a .xlf (XLIFF 1.2 or 2.x) or .tsv file"),
    }
}

const APPROVED_STATES: &[&str] = &["translated", "final", "signed-off", "approved"];

/// The review state an imported approval keeps: a confirmed translation (`translated`,
/// XLIFF 2's `reviewed`) or an approved one (`final`, `signed-off`, `approved`).
fn imported_state(state: Option<&str>) -> ReviewState {
    match state.map(str::trim) {
        Some("translated" | "reviewed") => ReviewState::Translated,
        _ => ReviewState::Approved,
    }
}

/// What is being read inside a unit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Source,
    SegSource,
    Target,
}

/// Reads the approved translations of an XLIFF file: 1.2 units (or, when a unit has a
/// `<seg-source>`, each of its `<mrk mtype="seg">` segments, paired by `mid`) whose target
/// is approved, and 2.x segments in state `reviewed` or `final`, or `translated` by someone
/// other than passeur (`subState="passeur:mt"` is passeur's own machine translation).
fn read_xliff(name: &str, text: &str) -> Result<Vec<Approved>> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut approved = Vec::new();
    let mut file = String::new();
    let mut unit = String::new();
    let mut unit_approved = false;
    let mut state: Option<String> = None;
    let mut sub_state: Option<String> = None;
    let mut source = String::new();
    let mut target = String::new();
    // Segments of a 1.2 seg-source and of its target, by mid.
    let mut seg_sources: Vec<(String, String)> = Vec::new();
    let mut seg_targets: Vec<(String, String)> = Vec::new();
    let mut mid: Option<String> = None;
    let mut inside: Option<Part> = None;
    let mut depth_alt = 0;
    let mut in_ignorable = false;
    let mut depth: usize = 0;
    // Inside an inline element holding native code (its text is not words).
    let mut native_depth: usize = 0;
    // `<mrk>`s open inside a segment's `<mrk mtype="seg">`.
    let mut mrk_depth: usize = 0;
    // `xml:space="preserve"` on the unit: its spacing is kept as written.
    let mut preserve = false;
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            let line = 1 + text[..(position as usize).min(text.len())]
                .matches('\n')
                .count();
            anyhow::anyhow!("{name}:{line}: invalid XLIFF: {e}")
        })?;
        let attr = |e: &quick_xml::events::BytesStart, key: &[u8]| {
            e.attributes()
                .flatten()
                .find(|a| a.key.as_ref() == key)
                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
        };
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        // Inside a source or target: inline codes are not text. The memory keeps the text
        // (codes are placed again, by position, wherever the translation is reused): the
        // native code inside `<bpt>`, `<ept>`, `<ph>`, `<it>` is passed over, the words
        // inside `<g>`, `<pc>` or `<mrk>` kept; a `<mrk mtype="seg">` marks a segment.
        if let Some(part) = inside {
            let closes_part = matches!(&event, Event::End(e)
                if matches!(e.local_name().as_ref(), b"source" | b"seg-source" | b"target"));
            match &event {
                Event::Start(e) if e.local_name().as_ref() == b"mrk" && mid.is_none() => {
                    if attr(e, b"mtype").as_deref() == Some("seg") {
                        mid = Some(attr(e, b"mid").unwrap_or_default());
                        mrk_depth = 0;
                        let segments = match part {
                            Part::Target => &mut seg_targets,
                            _ => &mut seg_sources,
                        };
                        segments.push((mid.clone().unwrap_or_default(), String::new()));
                    }
                    continue;
                }
                Event::Start(e) if e.local_name().as_ref() == b"mrk" => {
                    mrk_depth += 1;
                    continue;
                }
                Event::End(e) if e.local_name().as_ref() == b"mrk" => {
                    if mrk_depth == 0 {
                        mid = None;
                    } else {
                        mrk_depth -= 1;
                    }
                    continue;
                }
                Event::Start(e) if holds_native_code(e.local_name().as_ref()) => {
                    native_depth += 1;
                    continue;
                }
                Event::End(e) if holds_native_code(e.local_name().as_ref()) => {
                    native_depth -= 1;
                    continue;
                }
                Event::Text(_) | Event::CData(_) if native_depth > 0 => continue,
                Event::Text(_) | Event::CData(_) => {
                    let value = match &event {
                        Event::Text(t) => t
                            .unescape()
                            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?
                            .into_owned(),
                        Event::CData(t) => String::from_utf8_lossy(t).into_owned(),
                        _ => unreachable!("text or CDATA"),
                    };
                    match part {
                        Part::Source => source.push_str(&value),
                        Part::Target => target.push_str(&value),
                        Part::SegSource => {}
                    }
                    if mid.is_some() {
                        let segments = match part {
                            Part::Target => &mut seg_targets,
                            _ => &mut seg_sources,
                        };
                        if let Some((_, text)) = segments.last_mut() {
                            text.push_str(&value);
                        }
                    }
                    continue;
                }
                Event::Start(_) | Event::End(_) | Event::Empty(_) if !closes_part => continue,
                _ => {}
            }
        }
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"file" => {
                    file = attr(&e, b"original")
                        .or_else(|| attr(&e, b"id"))
                        .unwrap_or_default()
                }
                b"trans-unit" | b"unit" => {
                    preserve = attr(&e, b"xml:space").as_deref() == Some("preserve");
                    unit = attr(&e, b"id").unwrap_or_default();
                    // A gettext header (po2xliff's) holds the PO metadata, not a translation.
                    let header = attr(&e, b"restype").as_deref() == Some("x-gettext-domain-header");
                    unit_approved = attr(&e, b"approved").as_deref() == Some("yes") && !header;
                    source.clear();
                    target.clear();
                    seg_sources.clear();
                    seg_targets.clear();
                    state = None;
                    sub_state = None;
                }
                b"segment" => {
                    source.clear();
                    target.clear();
                    state = attr(&e, b"state");
                    sub_state = attr(&e, b"subState");
                }
                b"ignorable" => in_ignorable = true,
                b"alt-trans" => depth_alt += 1,
                b"source" if depth_alt == 0 && !in_ignorable => inside = Some(Part::Source),
                b"seg-source" if depth_alt == 0 => inside = Some(Part::SegSource),
                b"target" if depth_alt == 0 && !in_ignorable => {
                    inside = Some(Part::Target);
                    if let Some(target_state) = attr(&e, b"state") {
                        state = Some(target_state);
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"source" | b"seg-source" | b"target" => {
                    inside = None;
                    mid = None;
                }
                b"ignorable" => in_ignorable = false,
                b"alt-trans" => depth_alt -= 1,
                b"trans-unit" => {
                    let ok = unit_approved
                        || state
                            .as_deref()
                            .is_some_and(|s| APPROVED_STATES.contains(&s));
                    if !ok {
                        continue;
                    }
                    let unit_state = match unit_approved {
                        true => ReviewState::Approved,
                        false => imported_state(state.as_deref()),
                    };
                    let origin = format!("{name}#{file}/{unit}");
                    if seg_sources.is_empty() {
                        // An empty source (a gettext header's msgid "") translates nothing.
                        if !target.trim().is_empty() && !source.trim().is_empty() {
                            approved.push(Approved {
                                source: xml_text(&source, preserve),
                                target: xml_text(&target, preserve),
                                origin,
                                state: unit_state,
                            });
                        }
                        continue;
                    }
                    for (mid, segment_source) in &seg_sources {
                        let translated = seg_targets.iter().find(|(m, _)| m == mid);
                        if let Some((_, segment_target)) = translated {
                            if !segment_target.trim().is_empty() {
                                approved.push(Approved {
                                    source: xml_text(segment_source, preserve),
                                    target: xml_text(segment_target, preserve),
                                    origin: format!("{origin}#{mid}"),
                                    state: unit_state,
                                });
                            }
                        }
                    }
                }
                b"segment" => {
                    let ok = match state.as_deref() {
                        Some("reviewed" | "final") => true,
                        Some("translated") => sub_state.as_deref() != Some("passeur:mt"),
                        _ => false,
                    };
                    if ok && !target.trim().is_empty() {
                        approved.push(Approved {
                            source: xml_text(&source, preserve),
                            target: xml_text(&target, preserve),
                            origin: format!("{name}#{file}/{unit}"),
                            state: imported_state(state.as_deref()),
                        });
                    }
                }
                _ => {}
            },
            Event::Eof => {
                if depth > 0 {
                    bail!("{name}: the document ends with {depth} element(s) still open: cut off? Nothing was imported");
                }
                break;
            }
            _ => {}
        }
    }
    Ok(approved)
}

/// XLIFF 1.2 inline elements whose content is the original format's code, not words.
fn holds_native_code(name: &[u8]) -> bool {
    matches!(name, b"bpt" | b"ept" | b"ph" | b"it" | b"sub")
}

/// XLIFF text as the memory stores it: whitespace runs as one space unless the unit says
/// its spacing matters.
fn xml_text(text: &str, preserve: bool) -> String {
    if preserve {
        text.to_string()
    } else {
        crate::memory::collapse_spaces(text)
    }
}

/// A reviewed TSV, read with the quoting rules spreadsheets use when they save TSV
/// (`"He said ""no""."` is `He said "no".`); a row that cannot be read is an error naming
/// its line, never a guess.
fn read_tsv(name: &str, text: &str) -> Result<Vec<Approved>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("{name}:1: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let find = |wanted: &str| {
        columns
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(wanted))
    };
    let (Some(source), Some(target)) = (find("source"), find("target")) else {
        bail!("{name}:1: the header needs `source` and `target` columns");
    };
    let Some(state) = find("state").or_else(|| find("status")) else {
        bail!("{name}:1: no `state` column: mark the approved rows `translated` or `final` in a `state` column");
    };
    let mut approved = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{name}:{line}: cannot read this row: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let ok = record
            .get(state)
            .is_some_and(|v| APPROVED_STATES.contains(&v.trim()));
        let (s, t) = (
            record.get(source).unwrap_or(""),
            record.get(target).unwrap_or(""),
        );
        if ok && !t.trim().is_empty() {
            approved.push(Approved {
                source: crate::write::uncell(s).to_string(),
                target: crate::write::uncell(t).to_string(),
                origin: format!("{name}:{line}"),
                state: imported_state(record.get(state)),
            });
        }
    }
    Ok(approved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary adds a folder up a row at a time: its five worst segments are those a
    /// sort of every row gives (equals in folder order), and the rows it picks for the
    /// inconsistency list are exactly those the list is made of.
    #[test]
    fn a_summary_added_up_row_by_row_keeps_the_worst_and_the_inconsistent() {
        let row = |n: usize, severity: &str, flags: usize, score: f32, source: &str| {
            let flag = serde_json::json!({"check": "length", "severity": severity, "reason": "r"});
            serde_json::from_value::<AlignedSegment>(serde_json::json!({
                "article": format!("a{}", n / 4), "paragraph": n % 4, "index": 0, "span": [0, 1],
                "source": source, "target": format!("T{}", n % 4), "terms": [], "score": score,
                "source_tokens": 1, "target_tokens": 1, "flags": vec![flag; flags],
            }))
            .unwrap()
        };
        let severities = ["info", "warning", "error"];
        let rows: Vec<AlignedSegment> = (0..40)
            .map(|n| {
                let flags = (n * 7) % 3;
                let score = -(((n * 13) % 5) as f32);
                row(
                    n,
                    severities[(n * 5) % 3],
                    flags,
                    score,
                    &format!("S{}", n % 6),
                )
            })
            .collect();
        let mut summary = Summary::default();
        rows.iter().for_each(|r| summary.add(r));
        let mut sorted: Vec<&AlignedSegment> = rows.iter().filter(|r| r.is_flagged()).collect();
        let key = |r: &AlignedSegment| {
            let above_info = r
                .flags
                .iter()
                .filter(|f| f.severity > Severity::Info)
                .count();
            (r.flags.iter().map(|f| f.severity).max(), above_info)
        };
        sorted.sort_by(|a, b| {
            key(b)
                .cmp(&key(a))
                .then(a.score.unwrap().total_cmp(&b.score.unwrap()))
        });
        let kept: Vec<&AlignedSegment> = summary.worst.iter().collect();
        assert_eq!(kept, sorted[..WORST_SHOWN].to_vec());
        assert!(summary.has_flag_at_least(Severity::Error));
        assert_eq!(summary.articles, 10);
        let concerned: Vec<AlignedSegment> = rows
            .iter()
            .filter(|r| summary.is_inconsistent(r))
            .cloned()
            .collect();
        let all = consistency(&rows);
        assert_eq!(consistency(&concerned), all);
        // Bounded, the first of each direction, as the whole list orders them.
        let mut first = FirstInconsistencies::new(1);
        concerned.iter().for_each(|r| first.add(r));
        let first_of = |source: bool| {
            all.iter()
                .find(|f| matches!(f, Inconsistent::Source { .. }) == source)
                .cloned()
        };
        let expected: Vec<Inconsistent> = [first_of(true), first_of(false)]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(expected.len(), 2, "{all:#?}");
        assert_eq!(first.finish(), expected);
        let (sources, targets) = summary.consistency.counts();
        assert_eq!(sources + targets, all.len());
    }

    #[test]
    fn inconsistencies_are_found_in_both_directions_with_their_segments() {
        let row = |article: &str, paragraph, source: &str, target: &str| {
            let mut row: AlignedSegment = serde_json::from_value(serde_json::json!({
                "article": article, "paragraph": paragraph, "index": 0, "span": [0, 1],
                "source": source, "target": target, "terms": [], "score": null,
                "source_tokens": 1, "target_tokens": 1, "flags": []
            }))
            .unwrap();
            row.memory = false;
            row
        };
        let rows = [
            row("a", 0, "Le conseil se réunit.", "The Council meets."),
            row("b", 0, "Le  conseil se réunit.", "The council is meeting."),
            row("b", 1, "Le Conseil se réunit.", "The Council meets."),
            row("c", 0, "La séance est levée.", "The sitting is closed."),
            row("c", 1, "La séance est close.", "The sitting is closed."),
        ];
        let found = consistency(&rows);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0],
            Inconsistent::Source {
                source: "Le conseil se réunit.".into(),
                renderings: vec![
                    ("The council is meeting.".into(), vec!["b:0:0".into()]),
                    (
                        "The Council meets.".into(),
                        vec!["a:0:0".into(), "b:1:0".into()]
                    ),
                ],
            }
        );
        assert!(found[1]
            .to_string()
            .starts_with("same translation \"The sitting is closed.\""));
        assert!(summary(&rows).contains("inconsistent translations (2)"));
        let mut count = ConsistencyCount::default();
        rows.iter().for_each(|r| count.add(r));
        assert_eq!(count.counts(), (1, 1));
        // Each row of an inconsistency is flagged, naming a segment that differs from it.
        let reasons: Vec<Option<String>> = rows
            .iter()
            .map(|r| count.flag(r).map(|f| f.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                Some("the same source is translated differently at b:0:0".into()),
                Some("the same source is translated differently at a:0:0".into()),
                Some("the same source is translated differently at b:0:0".into()),
                Some("the same translation is given to another source at c:1:0".into()),
                Some("the same translation is given to another source at c:0:0".into()),
            ]
        );
        assert_eq!(count.flag_totals(), (5, 5));
    }

    #[test]
    fn reads_only_approved_xliff_units() {
        let xliff = r#"<?xml version="1.0"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a.txt" source-language="fr" target-language="en" datatype="plaintext"><body>
<trans-unit id="p0-s0"><source>Un &amp; deux.</source><target state="translated">One &amp; two.</target></trans-unit>
<trans-unit id="p0-s1"><source>Trois.</source><target state="needs-review-translation">Tree.</target></trans-unit>
<trans-unit id="p1-s0" approved="yes"><source>Quatre.</source><target>Four.</target>
  <alt-trans><source>Quatre.</source><target state="final">4.</target></alt-trans></trans-unit>
<trans-unit id="hdr" restype="x-gettext-domain-header" approved="yes"><source></source><target state="translated">Language: en</target></trans-unit>
<trans-unit id="empty"><source> </source><target state="final">Nothing</target></trans-unit>
</body></file></xliff>"#;
        let approved = read_xliff("r.xlf", xliff).unwrap();
        let pairs: Vec<(&str, &str)> = approved
            .iter()
            .map(|a| (a.source.as_str(), a.target.as_str()))
            .collect();
        assert_eq!(pairs, [("Un & deux.", "One & two."), ("Quatre.", "Four.")]);
        assert_eq!(approved[0].origin, "r.xlf#a.txt/p0-s0");
    }

    /// Regression: passeur's own advice named `review import OUT/aligned.tsv.edited-1`, which
    /// was refused for its extension.
    #[test]
    fn a_file_moved_aside_is_read_as_what_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aligned.tsv.edited-2");
        std::fs::write(&path, "source\ttarget\tstate\nUn.\tOne.\tapproved\n").unwrap();
        let approved = read_approved(&path).unwrap();
        assert_eq!(approved.len(), 1);
        std::fs::write(dir.path().join("a.edited-x"), "x").unwrap();
        assert!(read_approved(&dir.path().join("a.edited-x")).is_err());
    }

    #[test]
    fn reads_only_approved_tsv_rows() {
        let with =
            "article\tsource\ttarget\tstate\na\tUn.\tOne.\tfinal\na\tDeux.\tTwo.\tneeds-review\n";
        assert_eq!(read_tsv("r.tsv", with).unwrap().len(), 1);
        // Without a state column nothing says what was approved: refused.
        let without = "source\ttarget\nUn.\tOne.\n";
        let error = read_tsv("r.tsv", without).unwrap_err().to_string();
        assert!(error.contains("no `state` column"), "{error}");
        assert!(read_tsv("r.tsv", "a\tb\n").is_err());
    }

    #[test]
    fn xliff_cdata_and_inline_codes_are_read_and_a_cut_file_refused() {
        let unit = |target: &str| {
            format!(
                r#"<xliff version="1.2"><file original="a"><body><trans-unit id="u"><source>Le chat.</source><target state="final">{target}</target></trans-unit></body></file></xliff>"#
            )
        };
        let approved = read_xliff("r.xlf", &unit("The cat <![CDATA[& the dog.]]>")).unwrap();
        assert_eq!(approved[0].target, "The cat & the dog.");
        let only = read_xliff("r.xlf", &unit("<![CDATA[The cat.]]>")).unwrap();
        assert_eq!(only[0].target, "The cat.");
        // The memory keeps text: the words inside <g> stay, the native code inside <ph> goes
        // (codes are placed again wherever the translation is reused).
        let inline = unit("The <g id=\"1\">cat</g><ph id=\"2\">&lt;br/&gt;</ph>.");
        let inline = read_xliff("r.xlf", &inline).unwrap();
        assert_eq!(inline[0].target, "The cat.");
        let whole = unit("The cat.");
        let cut = read_xliff("r.xlf", &whole[..whole.find("</body>").unwrap()]).unwrap_err();
        assert!(cut.to_string().contains("still open"), "{cut}");
    }

    #[test]
    fn xliff_segments_are_imported_by_mid_and_xliff_2_by_state() {
        let v1 = r#"<xliff version="1.2"><file original="a"><body><trans-unit id="u">
<source>Un. Deux <g id="1">trois</g>.</source>
<seg-source><mrk mtype="seg" mid="1">Un.</mrk> <mrk mtype="seg" mid="2">Deux <g id="1">trois</g>.</mrk></seg-source>
<target state="final"><mrk mtype="seg" mid="2">Two <g id="1">three</g>.</mrk> <mrk mtype="seg" mid="1">One.</mrk></target>
</trans-unit></body></file></xliff>"#;
        let pairs = |xliff: &str| -> Vec<(String, String)> {
            read_xliff("r.xlf", xliff)
                .unwrap()
                .into_iter()
                .map(|a| (a.source, a.target))
                .collect()
        };
        assert_eq!(
            pairs(v1),
            [
                ("Un.".to_string(), "One.".to_string()),
                ("Deux trois.".to_string(), "Two three.".to_string())
            ]
        );
        let v2 = r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="fr" trgLang="en"><file id="f"><unit id="u">
<segment state="reviewed"><source>Un <pc id="1">deux</pc>.</source><target>One <pc id="1">two</pc>.</target></segment>
<ignorable><source> </source></ignorable>
<segment state="translated" subState="passeur:mt"><source>Trois.</source><target>Three.</target></segment>
<segment state="initial"><source>Quatre.</source><target>Four.</target></segment>
<segment state="final"><source>Cinq.</source><target>Five.</target></segment>
</unit></file></xliff>"#;
        assert_eq!(
            pairs(v2),
            [
                ("Un deux.".to_string(), "One two.".to_string()),
                ("Cinq.".to_string(), "Five.".to_string())
            ]
        );
    }

    #[test]
    fn a_spreadsheet_tsv_is_read_with_its_quoting_and_formula_guards_undone() {
        let tsv = "article\tparagraph\tindex\tsource\ttarget\tstate\n\
                   a\t0\t0\tIl a dit « non ».\t\"He said \"\"no\"\".\"\ttranslated\n\
                   a\t0\t1\tMoins deux.\t'-2 it is.\tfinal\n";
        let approved = read_tsv("r.tsv", tsv).unwrap();
        assert_eq!(approved[0].target, "He said \"no\".");
        assert_eq!(approved[1].target, "-2 it is.");
        let broken = "source\ttarget\tstate\nUn.\tOne.\n";
        assert!(read_tsv("r.tsv", broken)
            .unwrap_err()
            .to_string()
            .contains("r.tsv:2"));
    }

    #[test]
    fn control_characters_are_shown_not_sent_to_the_terminal() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
    }
}
