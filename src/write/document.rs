//! The English copy of a structured input: an HTML page or an XLIFF file with the
//! translations spliced into the original bytes, everything else left as it was.

use std::ops::Range;

use crate::align::AlignedSegment;
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

/// The English page: each run and attribute value translated, `lang` set to `en`.
pub fn render_page(page: &Page, rows: &[AlignedSegment]) -> String {
    let rows = by_paragraph(page.units.len(), rows);
    // Attribute values and lang: small edits, possibly inside an inline tag of a run.
    let mut small: Vec<(Range<usize>, String)> = Vec::new();
    for (unit, rows) in page.units.iter().zip(&rows) {
        if unit.attribute && !rows.is_empty() {
            let text: Vec<String> = rows
                .iter()
                .map(|r| translated(r, str::to_string, |_| String::new()))
                .collect();
            small.push((unit.range.clone(), html::escape_attribute(&text.join(" "))));
        }
    }
    for range in &page.lang {
        let text = if range.is_empty() {
            " lang=\"en\""
        } else {
            "en"
        };
        small.push((range.clone(), text.to_string()));
    }
    small.sort_by_key(|(r, _)| (r.start, r.end));
    let code_markup = |code: &Code| -> String {
        let Some(range) = page.code_ranges.get(code.id) else {
            return code.markup.clone();
        };
        let nested: Vec<(Range<usize>, String)> = small
            .iter()
            .filter(|(r, _)| inside(r, range))
            .cloned()
            .collect();
        splice(&page.source, range.clone(), &nested)
    };
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let runs: Vec<Range<usize>> = page
        .units
        .iter()
        .zip(&rows)
        .filter(|(u, rows)| !u.attribute && !rows.is_empty())
        .map(|(u, _)| u.range.clone())
        .collect();
    for (unit, rows) in page.units.iter().zip(&rows) {
        if unit.attribute || rows.is_empty() {
            continue;
        }
        let sentences: Vec<String> = rows
            .iter()
            .map(|r| translated(r, html::escape_text, code_markup))
            .collect();
        edits.push((unit.range.clone(), sentences.join(" ")));
    }
    edits.extend(
        small
            .iter()
            .filter(|(r, _)| !runs.iter().any(|run| inside(r, run)))
            .cloned(),
    );
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    splice(&page.source, 0..page.source.len(), &edits)
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
                edits.push(target_edit(job, unit, &body, rows));
            }
            Version::V2 => {
                let inner = format!("{indent} ");
                let segment = |attributes: &str, source: &str, target: &str| {
                    format!(
                        "<segment{attributes} state=\"translated\" subState=\"passeur:mt\">\n\
                         {inner}<source>{source}</source>\n{inner}<target>{target}</target>\n{indent}</segment>"
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
                        .map(|(k, (s, t))| segment(&attributes(k), s, t))
                        .collect();
                    pieces.join(&format!(
                        "\n{indent}<ignorable>\n{inner}<source> </source>\n{indent}</ignorable>\n{indent}"
                    ))
                } else {
                    let source = &job.source[unit.source_inner.clone()];
                    segment(&attributes(0), source, &targets.join(" "))
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
            edits.push((at..at, format!(" trgLang=\"{}\"", job.target_language)));
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    splice(&job.source, 0..job.source.len(), &edits)
}

/// The target of an XLIFF 1.2 unit that has its `<seg-source>` already: one `<mrk>` per
/// segment, under the segment's `mid`, and the notes. None when a segment has no
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
    let marked: Vec<String> = units
        .iter()
        .zip(rows)
        .map(|(unit, rows)| {
            let text: Vec<String> = rows
                .iter()
                .map(|r| r.target_with_codes(xliff::escape, code))
                .collect();
            format!(
                "<mrk mtype=\"seg\" mid=\"{}\">{}</mrk>",
                xliff::escape(unit.mid.as_deref().unwrap_or_default()),
                text.join(" ")
            )
        })
        .collect();
    let all: Vec<&AlignedSegment> = rows.iter().flatten().copied().collect();
    Some(target_edit(job, &units[0], &marked.join(" "), &all))
}

/// An XLIFF 1.2 unit's new target (content already XML) and its notes: in place of the
/// target it had, or after its source (or seg-source) when it had none. Only the target
/// is replaced, so whatever the unit holds besides (notes, alt-trans, context) stays.
fn target_edit(
    job: &Job,
    unit: &xliff::Unit,
    content: &str,
    rows: &[&AlignedSegment],
) -> (Range<usize>, String) {
    let indent = &unit.indent;
    let mut out = format!(
        "<target xml:lang=\"{}\" state=\"needs-review-translation\" \
         state-qualifier=\"mt-suggestion\">{content}</target>",
        job.target_language
    );
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
