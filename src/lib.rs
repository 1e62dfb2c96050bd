//! passeur translates batches of French news articles into English, offline, on
//! CTranslate2, and gives localisation reviewers sentence-aligned output whose terminology
//! can be audited.
//!
//! ```text
//! read → segment → glossary → translate → align & check → write
//! ```
//!
//! - [`read`]: files, folders, JSONL and stdin into [`read::Article`]s; HTML pages, XLIFF
//!   files and Markdown have their inline markup taken out as codes ([`markup`]), which
//!   travel beside the text through every stage and go back where the words went;
//! - [`segment`]: French sentence segmentation into [`segment::Segment`]s with byte spans;
//! - [`glossary`]: terminology found through case, elision, hyphen and plural variants,
//!   enforced by policy (inject, placeholder, check);
//! - [`translate`]: pooled, length-sorted token batches on one shared CTranslate2
//!   translator, then terms verified and repaired (n-best, target prefix);
//! - [`align`] and [`check`]: each source segment paired 1:1 with its translation (or an
//!   approved one from the [`memory`]), with QA flags;
//! - [`write`](mod@write): English articles (and the HTML or XLIFF document translated in
//!   place), `aligned.jsonl`, TMX, XLIFF, TSV and the HTML report, written atomically.
//!
//! [`pipeline`] is the orchestrator that runs them in that order; [`review`] works on an
//! output folder afterwards, and [`model`] fetches and describes models. Each command of
//! the binary lives in its own file under `commands/`.

#![warn(unreachable_pub)]

pub mod align;
pub mod check;
pub mod cli;
mod commands;
pub mod config;
pub mod editor;
pub mod enforce;
pub mod files;
pub mod glossary;
pub mod markup;
pub mod memory;
pub mod merge;
pub mod model;
pub mod options;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod render;
pub mod report;
pub mod review;
pub mod segment;
pub mod state;
pub mod translate;
pub mod write;

pub use commands::{run, Status};

#[cfg(test)]
mod stage_edges {
    //! The data flows one way: a stage may use the stages before it, never one after it,
    //! and never the orchestrator or the commands. This test reads the sources and lists
    //! every `crate::` path a stage names outside comments.

    use std::collections::BTreeSet;
    use std::path::Path;

    /// The stages in pipeline order.
    const STAGES: [&str; 8] = [
        "read",
        "segment",
        "glossary",
        "translate",
        "enforce",
        "check",
        "align",
        "write",
    ];
    /// What any stage may use besides earlier stages: settings and their option enums,
    /// atomic files, inline codes (data that travels through every stage), progress, and the
    /// output folder's state folder (where writers record what they wrote).
    const SHARED: [&str; 6] = ["config", "files", "markup", "options", "progress", "state"];

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Every `crate::` path named outside comments: (file relative to `src`, the top-level
    /// module the file belongs to, the top-level module it names).
    fn uses() -> Vec<(String, String, String)> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut found = Vec::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            let module = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let used: String = line[i + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if used != module {
                        found.push((relative.display().to_string(), module.clone(), used));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn stages_use_only_earlier_stages() {
        let mut backward = BTreeSet::new();
        for (file, module, used) in uses() {
            let Some(rank) = STAGES.iter().position(|s| *s == module) else {
                continue;
            };
            let allowed = SHARED.contains(&used.as_str())
                || STAGES
                    .iter()
                    .position(|s| *s == used)
                    .is_some_and(|r| r < rank);
            if !allowed {
                backward.insert(format!("{file} -> {used}"));
            }
        }
        assert!(backward.is_empty(), "edges against the flow: {backward:#?}");
    }

    /// No two modules depend on each other, directly or through others: the modules form a
    /// hierarchy (the option enums sit below `cli`, `config` and `translate`, for instance).
    #[test]
    fn modules_import_no_cycle() {
        let mut edges: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
        for (_, module, used) in uses() {
            edges.entry(module).or_default().insert(used);
        }
        let reaches = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_string()];
            while let Some(module) = stack.pop() {
                for next in edges.get(&module).into_iter().flatten() {
                    if next == to {
                        return true;
                    }
                    if seen.insert(next.clone()) {
                        stack.push(next.clone());
                    }
                }
            }
            false
        };
        let cycles: Vec<String> = edges
            .iter()
            .flat_map(|(module, used)| used.iter().map(move |u| (module, u)))
            .filter(|(module, used)| reaches(used, module))
            .map(|(module, used)| format!("{module} -> {used}"))
            .collect();
        assert!(cycles.is_empty(), "edges on a cycle: {cycles:#?}");
    }
}
