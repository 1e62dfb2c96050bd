//! Stage 6, write: aligned segments in, files in the output folder out.
//!
//! Every file is written atomically ([`crate::files::write_atomic`]), so a reader never
//! sees half a file and an interrupted run leaves the previous output intact.

mod articles;
mod document;
mod html;
mod tmx;
mod tsv;
mod xliff;
mod xml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::align::AlignedSegment;

pub use crate::files::{file_key, write_atomic, write_atomic_unsynced, WriteError};

pub use articles::{article_file_name, render_article, EnglishLines};
pub use document::{for_rendering, render_job, render_page, render_page_in_passes, RowPasses};

/// The English file of an article: its text with the paragraph structure kept, or the
/// document it came from with the translations in place.
pub fn render_english(
    article: &crate::read::Article,
    paragraphs: &[crate::segment::Paragraph],
    rows: &[AlignedSegment],
) -> String {
    match article.document.as_deref() {
        Some(crate::read::Document::Html(page)) => render_page(page, rows),
        Some(crate::read::Document::Xliff(job)) => render_job(job, rows),
        Some(crate::read::Document::Markdown(markdown)) => {
            render_article(&article.text, paragraphs, rows, &markdown.verbatim)
        }
        None => render_article(&article.text, paragraphs, rows, &[]),
    }
}
/// The English text of an article written line by line to `out` (plain text and Markdown),
/// ready for its rows paragraph by paragraph; none for a document (HTML, XLIFF), which is
/// rendered from all its rows at once.
pub fn english_lines<W: std::io::Write>(
    article: &crate::read::Article,
    out: W,
) -> Option<articles::EnglishLines<'_, W>> {
    match article.document.as_deref() {
        None => Some(articles::EnglishLines::new(&article.text, &[], out)),
        Some(crate::read::Document::Markdown(markdown)) => Some(articles::EnglishLines::new(
            &article.text,
            &markdown.verbatim,
            out,
        )),
        Some(_) => None,
    }
}
pub use html::{remove_pages, Html, PagedHtml, PAGE_ROWS};
pub use tmx::Tmx;
pub(crate) use tsv::uncell;
pub use tsv::Tsv;
pub use xliff::{unit_id, Xliff};
pub(crate) use xml::escape as xml_escape;

/// The review files reviewers edit in place (and import with `passeur review import`).
const EDITABLE: [&str; 2] = ["aligned.tsv", "aligned.xlf"];

/// Where the SHA-256 of a review file as passeur last wrote it is kept.
fn written_record(dir: &Path, name: &str) -> PathBuf {
    dir.join(crate::state::STATE_DIR)
        .join("written")
        .join(format!("{name}.sha256"))
}

/// Before a review file is written again: if a reviewer edited it since passeur wrote it
/// (its content is not what passeur recorded), it is moved aside to `NAME.edited-N`, never
/// overwritten, and the new name is returned for the user to be told.
pub fn set_aside_edits(dir: &Path, name: &str) -> Result<Option<PathBuf>, WriteError> {
    let path = dir.join(name);
    if !EDITABLE.contains(&name) || !path.is_file() {
        return Ok(None);
    }
    let error = |source| WriteError {
        path: path.display().to_string(),
        source,
    };
    let current = crate::files::hex(Sha256::digest(std::fs::read(&path).map_err(error)?));
    let recorded = std::fs::read_to_string(written_record(dir, name)).unwrap_or_default();
    if recorded.trim() == current {
        return Ok(None);
    }
    let aside = (1..)
        .map(|n| dir.join(format!("{name}.edited-{n}")))
        .find(|p| !p.exists())
        .expect("a free name");
    std::fs::rename(&path, &aside).map_err(error)?;
    Ok(Some(aside))
}

/// Records what passeur wrote to a review file, for [`set_aside_edits`].
pub fn record_written(dir: &Path, name: &str, digest: &str) -> Result<(), WriteError> {
    if EDITABLE.contains(&name) {
        crate::files::write_atomic(&written_record(dir, name), digest.as_bytes())?;
    }
    Ok(())
}

/// The output formats of the aligned rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Tmx,
    Xliff,
    Tsv,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Jsonl,
        Format::Tmx,
        Format::Xliff,
        Format::Tsv,
        Format::Html,
    ];

    /// The format's writer.
    pub fn writer(self) -> Box<dyn Writer + Send + Sync> {
        match self {
            Format::Jsonl => Box::new(AlignedJsonl),
            Format::Tmx => Box::new(Tmx),
            Format::Xliff => Box::new(Xliff),
            Format::Tsv => Box::new(Tsv),
            Format::Html => Box::new(Html),
        }
    }
}

/// One output format, one file: `aligned.jsonl`, `aligned.tmx`, `aligned.xlf`,
/// `aligned.tsv`, `review.html`. A writer streams: the head, then each article's rows in
/// turn, then the tail, so a batch of any size is written with one article in memory.
pub trait Writer {
    /// The file's name in the output folder.
    fn file_name(&self) -> &'static str;
    /// The start of the file; `totals` sums up every row that will follow.
    fn head(&self, totals: &Totals) -> String;
    /// What opens an article (its `<file>`, its heading), before its rows.
    fn article_start(&self, _first: &AlignedSegment) -> String {
        String::new()
    }
    /// Rows of one article, in order: all of them, or a part of a long one (which comes
    /// in parts, so that memory does not grow with an article).
    fn rows(&self, rows: &[AlignedSegment]) -> String;
    /// What closes an article.
    fn article_end(&self) -> String {
        String::new()
    }
    /// The end of the file.
    fn tail(&self) -> String;

    /// One article's rows, all of them, in order.
    fn article(&self, rows: &[AlignedSegment]) -> String {
        let mut out = self.article_start(&rows[0]);
        out += &self.rows(rows);
        out += &self.article_end();
        out
    }

    /// The whole file for a set of rows in article order.
    fn render(&self, rows: &[AlignedSegment]) -> Vec<u8> {
        let mut totals = Totals::default();
        rows.iter().for_each(|row| totals.add(row));
        let mut out = self.head(&totals);
        for article in rows.chunk_by(|a, b| a.article == b.article) {
            out += &self.article(article);
        }
        out += &self.tail();
        out.into_bytes()
    }
}

/// What a writer's head may say about all the rows: counts for the report's summary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Totals {
    pub articles: usize,
    pub rows: usize,
    pub flagged: usize,
    /// Flags by check name.
    pub by_check: BTreeMap<&'static str, usize>,
    pub terms: usize,
    pub terms_present: usize,
    last_article: Option<String>,
}

impl Totals {
    /// Counts one row (rows come in article order).
    pub fn add(&mut self, row: &AlignedSegment) {
        if self.last_article.as_deref() != Some(row.article.as_str()) {
            self.articles += 1;
            self.last_article = Some(row.article.clone());
        }
        self.rows += 1;
        self.flagged += usize::from(row.is_flagged());
        for flag in &row.flags {
            *self.by_check.entry(flag.check.name()).or_default() += 1;
        }
        self.terms += row.terms.len();
        self.terms_present += row.terms.iter().filter(|t| t.status.is_present()).count();
    }
}

/// `aligned.jsonl`: one JSON object per source segment, in article order. The machine
/// format and the source of truth for everything a reviewer sees.
pub struct AlignedJsonl;

impl Writer for AlignedJsonl {
    fn file_name(&self) -> &'static str {
        "aligned.jsonl"
    }

    fn head(&self, _: &Totals) -> String {
        String::new()
    }

    fn rows(&self, rows: &[AlignedSegment]) -> String {
        let mut out = String::new();
        for row in rows {
            out += &serde_json::to_string(row).expect("rows serialise to JSON");
            out.push('\n');
        }
        out
    }

    fn tail(&self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod snapshots {
    //! One snapshot per writer, on a small fixture with everything a writer must handle:
    //! two articles, glossary terms in every status, flags of every severity, a translation
    //! from memory, and text that needs escaping (`<script>`, `&`, quotes, a control
    //! character XML forbids).

    use super::*;
    use crate::check::{Check, Flag, Severity};
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
            deprecated: false,
        }
    }

    fn fixture() -> Vec<AlignedSegment> {
        use crate::markup::CodeKind;
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
            codes: vec![],
            placed: vec![],
            review: None,
        };
        let mut first = row(
            "otan.txt",
            0,
            0,
            "L'OTAN ouvre un bureau.",
            "NATO opens an office.",
        );
        first.terms = vec![term("OTAN", "NATO", 2..6, TermStatus::Ok)];
        first.model_input = Some("XPH1X L'NATO XPH2X ouvre un bureau.".into());
        // `<a href="/otan?a=1&b=2">L'OTAN</a>` in the source, around NATO in the target.
        let code = |kind, id, markup: &str, at| crate::markup::Code {
            kind,
            id,
            pair: 0,
            markup: markup.into(),
            at,
        };
        first.codes = vec![
            code(CodeKind::Open, 0, "<a href=\"/otan?a=1&b=2\">", 0),
            code(CodeKind::Close, 1, "</a>", 6),
        ];
        first.placed = vec![(0, 0), (1, 4)];
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
                Check::MissingTerm,
                Severity::Warning,
                "glossary term not in the translation: Indo-Pacific",
            ),
            Flag::new(
                Check::Length,
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
                Check::LowScore,
                Severity::Warning,
                "model score -2.50 is below -1.5",
            ),
            Flag::new(
                Check::EngineError,
                Severity::Error,
                "translation failed: <boom> & more",
            ),
            Flag::new(
                Check::Punctuation,
                Severity::Info,
                "French spacing before ? ! : or ; in English",
            ),
        ];
        let mut fourth = row("a & b <script>.txt", 2, 0, "Le Japon.", "Japan.");
        fourth.memory = true;
        fourth.score = None;
        fourth.flags = vec![Flag::new(
            Check::Memory,
            Severity::Info,
            "approved translation from the translation memory",
        )];
        vec![first, second, third, fourth]
    }

    fn render(format: Format) -> String {
        String::from_utf8(format.writer().render(&fixture())).unwrap()
    }

    #[test]
    fn aligned_jsonl() {
        insta::assert_snapshot!(render(Format::Jsonl));
    }

    #[test]
    fn tmx() {
        insta::assert_snapshot!(render(Format::Tmx));
    }

    #[test]
    fn xliff() {
        insta::assert_snapshot!(render(Format::Xliff));
    }

    #[test]
    fn tsv() {
        insta::assert_snapshot!(render(Format::Tsv));
    }

    #[test]
    fn html() {
        insta::assert_snapshot!(render(Format::Html));
    }

    #[test]
    fn aligned_jsonl_reads_back_as_written() {
        let rows: Vec<AlignedSegment> = render(Format::Jsonl)
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

    #[test]
    fn a_big_batch_gets_an_index_and_pages_of_whole_articles() {
        let dir = tempfile::tempdir().unwrap();
        // 30 articles of 100 rows: more than PAGE_ROWS in all.
        let mut rows = Vec::new();
        for a in 0..30 {
            for mut row in fixture().into_iter().take(2) {
                row.article = format!("a{a:02}.txt");
                for i in 0..50 {
                    row.index = i;
                    rows.push(row.clone());
                }
            }
        }
        let mut totals = Totals::default();
        rows.iter().for_each(|r| totals.add(r));
        // An earlier, bigger run left a page this one does not write.
        std::fs::create_dir_all(dir.path().join("review")).unwrap();
        std::fs::write(dir.path().join("review/0099.html"), "old").unwrap();
        let mut pages = PagedHtml::new(dir.path(), &totals).unwrap();
        for article in rows.chunk_by(|a, b| a.article == b.article) {
            pages.article(article).unwrap();
        }
        pages.finish().unwrap();

        let index = std::fs::read_to_string(dir.path().join("review.html")).unwrap();
        assert!(
            index.contains("<b id=\"count-segments\">3000</b>"),
            "{index}"
        );
        assert_eq!(
            index.matches("<tr class=").count(),
            30,
            "one line per article"
        );
        let page_count = rows.len().div_ceil(PAGE_ROWS);
        for page in 1..=page_count {
            let name = format!("review/{page:04}.html");
            assert!(index.contains(&name), "{name} is linked");
            let html = std::fs::read_to_string(dir.path().join(&name)).unwrap();
            let segments = html.matches("<tr class=\"seg").count();
            assert!(
                segments <= PAGE_ROWS && segments.is_multiple_of(100),
                "whole articles: {segments}"
            );
        }
        assert!(
            !dir.path().join("review/0099.html").exists(),
            "stale pages removed"
        );
    }
}
