//! The English copy of a structured input: an HTML page or an XLIFF file with the
//! translations spliced into the original bytes, everything else left as it was.

use std::ops::Range;

use crate::align::{AlignedSegment, ReviewState};
use crate::check::Severity;
use crate::markup::Code;
use crate::read::html::{self, Page};
use crate::read::xliff::{self, Job, Version};

/// The rows of each paragraph, by paragraph index.
fn by_paragraph(count: usize, rows: &[AlignedSegment]) -> Vec<Vec<&AlignedSegment>> {
    let mut out = vec![Vec::new(); count];
    for row in rows {
        if let Some(slot) = out.get_mut(row.paragraph) {
            slot.push(row);
        }
    }
    out
}

/// What an XLIFF file's rendering reads of a row, the rest (model input, alternatives)
/// left out: a long file's rows are held until it is rendered.
pub fn for_rendering(mut row: AlignedSegment) -> AlignedSegment {
    row.model_input = None;
    row.alternatives = Vec::new();
    row
}

/// A row's translation with its codes, or, when the engine gave none, its source (a page
/// keeps its French rather than lose the sentence).
fn translated(
    row: &AlignedSegment,
    text_to: impl Fn(&str) -> String,
    code_to: impl Fn(&Code) -> String,
) -> String {
    if row.target.trim().is_empty() {
        row.source_with_codes(text_to, code_to)
    } else {
        row.target_with_codes(text_to, code_to)
    }
}

/// Replaces byte ranges of `source[within]` (sorted, not overlapping, all inside it).
fn splice(source: &str, within: Range<usize>, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(within.len());
    let mut last = within.start;
    for (range, text) in edits {
        out.push_str(&source[last..range.start]);
        out.push_str(text);
        last = range.end;
    }
    out.push_str(&source[last..within.end]);
    out
}

fn inside(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    inner.start >= outer.start && inner.end <= outer.end && inner != outer
}

/// The edits of `sorted` (by start, then end) inside `outer`, found by a binary search: a
/// page has as many attribute values as runs, and each run's codes look for theirs.
fn edits_inside<'a>(
    sorted: &'a [(Range<usize>, String)],
    outer: &'a Range<usize>,
) -> impl Iterator<Item = &'a (Range<usize>, String)> {
    let first = sorted.partition_point(|(r, _)| r.start < outer.start);
    sorted[first..]
        .iter()
        .take_while(|(r, _)| r.start <= outer.end)
        .filter(|(r, _)| inside(r, outer))
}

/// Whether `inner` is inside one of `runs` (sorted by start, not overlapping).
fn inside_any(inner: &Range<usize>, runs: &[Range<usize>]) -> bool {
    let after = runs.partition_point(|run| run.start <= inner.start);
    runs[after.saturating_sub(2)..after]
        .iter()
        .any(|run| inside(inner, run))
}

/// The translated page: each run and attribute value translated, `lang` set to the target
/// language.
pub fn render_page(page: &Page, rows: &[AlignedSegment]) -> String {
    let mut all = |each: &mut dyn FnMut(&AlignedSegment)| {
        rows.iter().for_each(each);
        Ok(())
    };
    render_page_in_passes(page, &mut all).expect("rows in memory are read without error")
}

/// A source of a page's rows that can be read more than once: each call gives every row,
/// in order, to its argument.
pub type RowPasses<'a> = dyn FnMut(&mut dyn FnMut(&AlignedSegment)) -> std::io::Result<()> + 'a;

/// [`render_page`] for rows it is given twice, in order, by `rows` (it calls its argument
/// with each): first the attribute values (they may sit inside an inline tag of a run),
/// then the runs. A long page's rows need not be held: they are read again from where
/// they are stored.
pub fn render_page_in_passes(page: &Page, rows: &mut RowPasses) -> std::io::Result<String> {
    let unit_of = |row: &AlignedSegment| page.units.get(row.paragraph);
    // Attribute values and lang: small edits, possibly inside an inline tag of a run.
    let mut attributes: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    rows(&mut |row| {
        if unit_of(row).is_some_and(|unit| unit.attribute) {
            let text = translated(row, str::to_string, |_| String::new());
            attributes.entry(row.paragraph).or_default().push(text);
        }
    })?;
    let mut small: Vec<(Range<usize>, String)> = attributes
        .into_iter()
        .map(|(unit, texts)| {
            let range = page.units[unit].range.clone();
            (range, html::escape_attribute(&texts.join(" ")))
        })
        .collect();
    if let Some(range) = &page.relabel {
        small.push((range.clone(), "utf-8".into()));
    }
    for range in &page.lang {
        let language = html::escape_attribute(&page.target_language);
        let text = if range.is_empty() {
            format!(" lang=\"{language}\"")
        } else {
            language
        };
        small.push((range.clone(), text));
    }
    small.sort_by_key(|(r, _)| (r.start, r.end));
    let code_markup = |code: &Code| -> String {
        let Some(range) = page.code_ranges.get(code.id) else {
            return code.markup.clone();
        };
        let nested: Vec<(Range<usize>, String)> = edits_inside(&small, range).cloned().collect();
        splice(&page.source, range.clone(), &nested)
    };
    // Each run's sentences, joined once its last row has come (rows come run by run).
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut run: Option<(usize, Vec<String>)> = None;
    let end_run = |run: Option<(usize, Vec<String>)>, edits: &mut Vec<_>| {
        if let Some((unit, sentences)) = run {
            let range: Range<usize> = page.units[unit].range.clone();
            edits.push((range, sentences.join(" ")));
        }
    };
    rows(&mut |row| {
        if unit_of(row).is_none_or(|unit| unit.attribute) {
            return;
        }
        let sentence = translated(row, html::escape_text, code_markup);
        match run.as_mut() {
            Some((unit, sentences)) if *unit == row.paragraph => sentences.push(sentence),
            _ => {
                end_run(run.take(), &mut edits);
                run = Some((row.paragraph, vec![sentence]));
            }
        }
    })?;
    end_run(run, &mut edits);
    let mut runs: Vec<Range<usize>> = edits.iter().map(|(range, _)| range.clone()).collect();
    runs.sort_by_key(|run| run.start);
    edits.extend(small.iter().filter(|(r, _)| !inside_any(r, &runs)).cloned());
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    Ok(splice(&page.source, 0..page.source.len(), &edits))
}

/// The XLIFF file with every unit passeur translated filled in; the rest byte for byte.
pub fn render_job(job: &Job, rows: &[AlignedSegment]) -> String {
    let rows = by_paragraph(job.units.len(), rows);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let code = |c: &Code| c.markup.clone();
    // 2.x notes, gathered per unit (keyed by where they go).
    let mut notes: Vec<(usize, bool, String, String)> = Vec::new();
    let mut next = 0;
    for (k, (unit, rows_of_unit)) in job.units.iter().zip(&rows).enumerate() {
        if k < next {
            continue;
        }
        if unit.mid.is_some() {
            // A unit segmented already: its segments, translated, into one target.
            next = k + job.units[k..]
                .iter()
                .take_while(|u| u.mid.is_some() && u.range == unit.range)
                .count();
            if let Some(edit) = presegmented(job, &job.units[k..next], &rows[k..next]) {
                edits.push(edit);
            }
            continue;
        }
        let rows = rows_of_unit;
        // A sentence the engine failed on leaves its unit untranslated (the failure is
        // reported); a partial target would look finished.
        if rows.is_empty() || rows.iter().any(|r| r.target.trim().is_empty()) {
            continue;
        }
        let indent = &unit.indent;
        let targets: Vec<String> = rows
            .iter()
            .map(|r| r.target_with_codes(xliff::escape, code))
            .collect();
        let sources: Vec<String> = rows
            .iter()
            .map(|r| r.source_with_codes(xliff::escape, code))
            .collect();
        let split = unit.resegment && rows.len() > 1;
        match job.version {
            Version::V1 => {
                let body = if split {
                    let marked = |texts: &[String]| -> String {
                        texts
                            .iter()
                            .enumerate()
                            .map(|(k, t)| format!("<mrk mtype=\"seg\" mid=\"{}\">{t}</mrk>", k + 1))
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    edits.push((
                        unit.range.clone(),
                        format!("\n{indent}<seg-source>{}</seg-source>", marked(&sources)),
                    ));
                    marked(&targets)
                } else {
                    targets.join(" ")
                };
                edits.push(target_edit(job, unit, &body, rows, TargetState::of(rows)));
            }
            Version::V2 => {
                let inner = format!("{indent} ");
                let space = preserved_space(&unit.source_attributes);
                let source_attributes = &unit.source_attributes;
                let segment = |attributes: &str, state: TargetState, source: &str, target: &str| {
                    format!(
                        "<segment{attributes} {}>\n\
                         {inner}<source{source_attributes}>{source}</source>\n\
                         {inner}<target{space}>{target}</target>\n{indent}</segment>",
                        state.v2_attributes()
                    )
                };
                // The k-th segment a segment is cut into: its id numbered from the original.
                let attributes = |k: usize| {
                    let id = match (&unit.segment_id, k) {
                        (Some(id), 0) => format!(" id=\"{id}\""),
                        (Some(id), k) => format!(" id=\"{id}-{}\"", k + 1),
                        (None, _) => String::new(),
                    };
                    id + &unit.segment_attributes
                };
                let out = if split {
                    let pieces: Vec<String> = sources
                        .iter()
                        .zip(&targets)
                        .enumerate()
                        .map(|(k, (s, t))| {
                            segment(&attributes(k), TargetState::of(&rows[k..=k]), s, t)
                        })
                        .collect();
                    pieces.join(&format!(
                        "\n{indent}<ignorable>\n{inner}<source{space}> </source>\n{indent}</ignorable>\n{indent}"
                    ))
                } else {
                    let source = &job.source[unit.source_inner.clone()];
                    segment(
                        &attributes(0),
                        TargetState::of(rows),
                        source,
                        &targets.join(" "),
                    )
                };
                edits.push((unit.range.clone(), out));
                if let Some((at, open)) = unit.notes_at {
                    for (priority, text) in row_notes(rows) {
                        notes.push((
                            at,
                            open,
                            indent.clone(),
                            format!(
                                "<note category=\"passeur\" priority=\"{priority}\">{}</note>",
                                xliff::escape(&text)
                            ),
                        ));
                    }
                }
            }
        }
    }
    for unit in &job.copies {
        edits.extend(copy_edits(job, unit, &mut notes));
    }
    // 2.x notes: one insertion per unit.
    let mut i = 0;
    while i < notes.len() {
        let (at, open, indent) = (notes[i].0, notes[i].1, notes[i].2.clone());
        let mut j = i;
        let mut body = String::new();
        while j < notes.len() && notes[j].0 == at {
            body += &format!("{indent} {}\n", notes[j].3);
            j += 1;
        }
        let text = if open {
            format!(" {}{indent}", body.trim_start())
        } else {
            format!("<notes>\n{body}{indent}</notes>\n{indent}")
        };
        edits.push((at..at, text));
        i = j;
    }
    if let Some(at) = job.add_target_language {
        if !edits.is_empty() {
            let language = xliff::escape_attribute(&job.target_language);
            edits.push((at..at, format!(" trgLang=\"{language}\"")));
        }
    }
    // Written as UTF-8, whatever the file was read from (UTF-16, ISO-8859-1).
    if let Some(range) = &job.relabel {
        edits.push((range.clone(), "UTF-8".into()));
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    splice(&job.source, 0..job.source.len(), &edits)
}

/// The note on a unit whose source was copied as its target.
const COPIED: &str = "nothing to translate (inline codes, numbers or symbols only): the \
                      source is copied as the target";

/// The edits that give a unit with nothing to translate its source as target: 1.2 in
/// state `translated`, 2.x in state `final`, as CAT tools propagate such units, with a note
/// that says so.
fn copy_edits(
    job: &Job,
    unit: &xliff::Unit,
    notes: &mut Vec<(usize, bool, String, String)>,
) -> Vec<(Range<usize>, String)> {
    let source = &job.source[unit.source_inner.clone()];
    match job.version {
        Version::V1 => vec![target_edit(job, unit, source, &[], TargetState::Copied)],
        Version::V2 => {
            let indent = &unit.indent;
            let inner = format!("{indent} ");
            let attributes = match &unit.segment_id {
                Some(id) => format!(" id=\"{id}\"{}", unit.segment_attributes),
                None => unit.segment_attributes.clone(),
            };
            let space = preserved_space(&unit.source_attributes);
            if let Some((at, open)) = unit.notes_at {
                notes.push((
                    at,
                    open,
                    indent.clone(),
                    format!("<note category=\"passeur\">{COPIED}</note>"),
                ));
            }
            vec![(
                unit.range.clone(),
                format!(
                    "<segment{attributes} state=\"final\">\n{inner}<source{}>{source}</source>\n\
                     {inner}<target{space}>{source}</target>\n{indent}</segment>",
                    unit.source_attributes
                ),
            )]
        }
    }
}

/// ` xml:space="preserve"` when a source's attributes have it, for its target.
fn preserved_space(source_attributes: &str) -> &'static str {
    match source_attributes.contains("xml:space=\"preserve\"") {
        true => " xml:space=\"preserve\"",
        false => "",
    }
}

/// The target of an XLIFF 1.2 unit that has its `<seg-source>` already: the seg-source's
/// content again, each segment's `<mrk mtype="seg">` content replaced by its translation,
/// so that what lies between segments (spaces, `<mrk mtype="protected">`) and segments with
/// nothing to translate stay as they are; and the notes. None when a segment has no
/// translation (the unit is left as it was).
fn presegmented(
    job: &Job,
    units: &[xliff::Unit],
    rows: &[Vec<&AlignedSegment>],
) -> Option<(Range<usize>, String)> {
    let code = |c: &Code| c.markup.clone();
    if rows
        .iter()
        .any(|r| r.is_empty() || r.iter().any(|r| r.target.trim().is_empty()))
    {
        return None;
    }
    let content = units[0].seg_source.clone()?;
    let edits: Vec<(Range<usize>, String)> = units
        .iter()
        .zip(rows)
        .map(|(unit, rows)| {
            let text: Vec<String> = rows
                .iter()
                .map(|r| r.target_with_codes(xliff::escape, code))
                .collect();
            (unit.source_inner.clone(), text.join(" "))
        })
        .collect();
    let target = splice(&job.source, content, &edits);
    let all: Vec<&AlignedSegment> = rows.iter().flatten().copied().collect();
    Some(target_edit(
        job,
        &units[0],
        &target,
        &all,
        TargetState::of(&all),
    ))
}

/// What a target passeur writes is: machine translation to review, a person's (confirmed
/// or approved, in the editor or from the memory), or a copy of a source with nothing to
/// translate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TargetState {
    Machine,
    Translated,
    Approved,
    Copied,
}

impl TargetState {
    /// A target's state is its least finished sentence's.
    fn of(rows: &[&AlignedSegment]) -> TargetState {
        let states: Vec<ReviewState> = rows.iter().map(|r| r.state()).collect();
        if !states.is_empty() && states.iter().all(|s| *s == ReviewState::Approved) {
            TargetState::Approved
        } else if !states.is_empty() && states.iter().all(|s| s.is_reviewed()) {
            TargetState::Translated
        } else {
            TargetState::Machine
        }
    }

    /// XLIFF 2's segment state: `translated` with passeur's subState for machine output,
    /// `reviewed` for a person's translation, `final` once approved.
    fn v2_attributes(self) -> &'static str {
        match self {
            TargetState::Machine => "state=\"translated\" subState=\"passeur:mt\"",
            TargetState::Translated => "state=\"reviewed\"",
            TargetState::Approved | TargetState::Copied => "state=\"final\"",
        }
    }
}

/// An XLIFF 1.2 unit's new target (content already XML) and its notes: in place of the
/// target it had, or after its source (or seg-source) when it had none. Only the target
/// is replaced, so whatever the unit holds besides (notes, alt-trans, context) stays.
fn target_edit(
    job: &Job,
    unit: &xliff::Unit,
    content: &str,
    rows: &[&AlignedSegment],
    state: TargetState,
) -> (Range<usize>, String) {
    let indent = &unit.indent;
    let state_attributes = match state {
        TargetState::Machine => {
            "state=\"needs-review-translation\" state-qualifier=\"mt-suggestion\""
        }
        TargetState::Translated | TargetState::Copied => "state=\"translated\"",
        TargetState::Approved => "state=\"final\"",
    };
    let mut out = format!(
        "<target xml:lang=\"{}\" {state_attributes}>{content}</target>",
        xliff::escape_attribute(&job.target_language)
    );
    if state == TargetState::Copied {
        out += &format!("\n{indent}<note from=\"passeur\">{COPIED}</note>");
    }
    for (priority, text) in row_notes(rows) {
        out += &format!(
            "\n{indent}<note from=\"passeur\" priority=\"{priority}\">{}</note>",
            xliff::escape(&text)
        );
    }
    match &unit.target {
        Some(target) => (target.clone(), out),
        None => (unit.range.clone(), format!("\n{indent}{out}")),
    }
}

/// What reviewers should see about a unit's sentences: QA flags and glossary statuses, with
/// XLIFF priorities (1 most important).
fn row_notes(rows: &[&AlignedSegment]) -> Vec<(u8, String)> {
    let mut notes = Vec::new();
    for (k, row) in rows.iter().enumerate() {
        let which = if rows.len() > 1 {
            format!("sentence {}: ", k + 1)
        } else {
            String::new()
        };
        for flag in &row.flags {
            let priority = match flag.severity {
                Severity::Error => 1,
                Severity::Warning => 3,
                Severity::Info => 5,
            };
            notes.push((
                priority,
                format!(
                    "{which}{} ({}): {}",
                    flag.check.name(),
                    flag.severity.name(),
                    flag.reason
                ),
            ));
        }
        for term in &row.terms {
            let priority = if term.status.is_present() { 8 } else { 2 };
            notes.push((
                priority,
                format!(
                    "{which}term {} → {}: {}",
                    term.source,
                    term.target,
                    term.status.name()
                ),
            ));
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary searches find what a look at every edit finds: nested ranges, empty ones
    /// (a `lang` added) at either end of a run, ranges equal to a run (not inside it).
    #[test]
    fn edits_inside_a_range_are_found_as_by_a_linear_search() {
        let runs: Vec<Range<usize>> = vec![0..10, 10..20, 25..40, 40..41, 50..90];
        let mut small: Vec<(Range<usize>, String)> = Vec::new();
        for start in 0..95 {
            for len in [0, 1, 3, 10, 15] {
                small.push((start..start + len, format!("{start}+{len}")));
            }
        }
        small.sort_by_key(|(r, _)| (r.start, r.end));
        for outer in runs.iter().chain(&[5..6, 0..95, 30..30]) {
            let fast: Vec<_> = edits_inside(&small, outer).collect();
            let slow: Vec<_> = small.iter().filter(|(r, _)| inside(r, outer)).collect();
            assert_eq!(fast, slow, "{outer:?}");
        }
        for (inner, _) in &small {
            let slow = runs.iter().any(|run| inside(inner, run));
            assert_eq!(inside_any(inner, &runs), slow, "{inner:?}");
        }
    }
}
