//! Stage 6, write: aligned segments in, files in the output folder out.
//!
//! Every file is written atomically: to a temporary file in the same folder, then renamed
//! over the final name, so a reader never sees half a file and an interrupted run leaves
//! the previous output intact.

mod articles;
mod html;
mod tmx;
mod tsv;
mod xliff;
mod xml;

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::align::AlignedSegment;

pub use articles::{article_file_name, render_article};
pub use html::Html;
pub use tmx::Tmx;
pub use tsv::Tsv;
pub use xliff::{unit_id, Xliff};

/// The review formats, by the names `--format` takes.
pub const FORMATS: &[&str] = &["jsonl", "tmx", "xliff", "tsv", "html"];

/// The writer for a format name.
pub fn writer(format: &str) -> Option<Box<dyn Writer + Send + Sync>> {
    Some(match format {
        "jsonl" => Box::new(AlignedJsonl),
        "tmx" => Box::new(Tmx),
        "xliff" | "xlf" => Box::new(Xliff),
        "tsv" => Box::new(Tsv),
        "html" => Box::new(Html),
        _ => return None,
    })
}

#[derive(Debug, Error)]
#[error("{path}: cannot write: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// One output format, one file: `aligned.jsonl`, `aligned.tmx`, `aligned.xlf`,
/// `aligned.tsv`, `review.html`.
pub trait Writer {
    /// The file's name in the output folder.
    fn file_name(&self) -> &'static str;
    /// The file's content for a whole run.
    fn render(&self, segments: &[AlignedSegment]) -> Vec<u8>;
}

/// `aligned.jsonl`: one JSON object per source segment, in article order. The machine
/// format and the source of truth for everything a reviewer sees.
pub struct AlignedJsonl;

impl Writer for AlignedJsonl {
    fn file_name(&self) -> &'static str {
        "aligned.jsonl"
    }

    fn render(&self, segments: &[AlignedSegment]) -> Vec<u8> {
        let mut out = Vec::new();
        for segment in segments {
            serde_json::to_writer(&mut out, segment).expect("segments serialise to JSON");
            out.push(b'\n');
        }
        out
    }
}

/// Writes `bytes` to `path` atomically, creating parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let error = |source| WriteError {
        path: path.display().to_string(),
        source,
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(error)?;
    let mut file = tempfile::Builder::new()
        .prefix(".passeur-")
        .suffix(".tmp")
        .tempfile_in(&parent)
        .map_err(error)?;
    file.write_all(bytes).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

#[cfg(test)]
mod snapshots {
    //! One snapshot per writer, on a small fixture with everything a writer must handle:
    //! two articles, glossary terms in every status, flags of every severity, a translation
    //! from memory, and text that needs escaping (`<script>`, `&`, quotes, a control
    //! character XML forbids).

    use super::*;
    use crate::align::{Flag, Severity};
    use crate::glossary::{Policy, TermMatch, TermStatus};

    fn term(
        source: &str,
        target: &str,
        span: std::ops::Range<usize>,
        status: TermStatus,
    ) -> TermMatch {
        TermMatch {
            entry_index: 0,
            entry: "glossaries/fr-en.json#1".into(),
            source: source.into(),
            target: target.into(),
            span,
            policy: Policy::Inject,
            status,
        }
    }

    fn fixture() -> Vec<AlignedSegment> {
        let row = |article: &str, paragraph, index, source: &str, target: &str| AlignedSegment {
            article: article.into(),
            paragraph,
            index,
            span: [0, source.len()],
            source: source.into(),
            target: target.into(),
            model_input: None,
            terms: vec![],
            score: Some(-0.25),
            source_tokens: 10,
            target_tokens: 9,
            flags: vec![],
            memory: false,
            alternatives: vec![],
        };
        let mut first = row(
            "otan.txt",
            0,
            0,
            "L'OTAN ouvre un bureau.",
            "NATO opens an office.",
        );
        first.terms = vec![term("OTAN", "NATO", 2..6, TermStatus::Ok)];
        first.model_input = Some("L'NATO ouvre un bureau.".into());
        let mut second = row(
            "otan.txt",
            0,
            1,
            "La région indo-pacifique compte 1 000 îles.",
            "The region counts 1,000 islands.",
        );
        second.terms = vec![term(
            "indo-pacifique",
            "Indo-Pacific",
            10..24,
            TermStatus::Missing,
        )];
        second.alternatives = vec!["The Indo-Pacific region has 1,000 islands.".into()];
        second.flags = vec![
            Flag::new(
                "missing-term",
                Severity::Warning,
                "glossary term not in the translation: Indo-Pacific",
            ),
            Flag::new(
                "length",
                Severity::Warning,
                "the translation is 0.74 times the source's length",
            ),
        ];
        let mut third = row(
            "a & b <script>.txt",
            1,
            0,
            "Il a écrit « <script>alert('x')</script> » & parti.\u{1}",
            "He wrote \"<script>alert('x')</script>\" & left.\u{1}",
        );
        third.score = Some(-2.5);
        third.flags = vec![
            Flag::new(
                "low-score",
                Severity::Warning,
                "model score -2.50 is below -1.5",
            ),
            Flag::new(
                "error",
                Severity::Error,
                "translation failed: <boom> & more",
            ),
            Flag::new(
                "punctuation",
                Severity::Info,
                "French spacing before ? ! : or ; in English",
            ),
        ];
        let mut fourth = row("a & b <script>.txt", 2, 0, "Le Japon.", "Japan.");
        fourth.memory = true;
        fourth.score = None;
        fourth.flags = vec![Flag::new(
            "memory",
            Severity::Info,
            "approved translation from the translation memory",
        )];
        vec![first, second, third, fourth]
    }

    fn render(format: &str) -> String {
        String::from_utf8(writer(format).unwrap().render(&fixture())).unwrap()
    }

    #[test]
    fn aligned_jsonl() {
        insta::assert_snapshot!(render("jsonl"));
    }

    #[test]
    fn tmx() {
        insta::assert_snapshot!(render("tmx"));
    }

    #[test]
    fn xliff() {
        insta::assert_snapshot!(render("xliff"));
    }

    #[test]
    fn tsv() {
        insta::assert_snapshot!(render("tsv"));
    }

    #[test]
    fn html() {
        insta::assert_snapshot!(render("html"));
    }

    #[test]
    fn aligned_jsonl_reads_back_as_written() {
        let rows: Vec<AlignedSegment> = render("jsonl")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut expected = fixture();
        for row in &mut expected {
            for term in &mut row.terms {
                term.entry_index = 0;
            }
        }
        assert_eq!(rows, expected);
    }
}
