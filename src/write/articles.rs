//! The English articles: `<article id>.en.txt`, paragraph structure kept.

use std::io::Write;
use std::path::PathBuf;

use sha2::Digest;

use crate::align::AlignedSegment;
use crate::segment::Paragraph;

/// The output file of an article, relative to the output folder. The id's folders are kept
/// (`dir/a.txt` gives `dir/a.en.txt`, `b.md` gives `b.en.md`), and whatever an id contains,
/// the result is a plain relative path that stays inside the output folder: `..`, `.`,
/// empty parts, drive letters and backslashes cannot lead out. It is also a name every
/// common volume takes: NFC (as macOS would make it), no name Windows reserves (`CON`,
/// `aux.txt` get a `_` in front), no part ending in a dot or a space; and a URL id
/// (`https://site/a/b/c.html`) gives one flat name, not a folder per path segment. Names
/// that differ only in case are told apart by the caller (see `file_key`).
///
/// `text` says the article is plain text, whatever its id says: a JSONL id `page.html`
/// gives `page.en.txt`, not an `.en.html` file holding text.
pub fn article_file_name(id: &str, text: bool) -> PathBuf {
    use unicode_normalization::UnicodeNormalization;
    let id: String = id.nfc().collect();
    let id = match id.split_once("://") {
        Some((_, rest)) => rest.replace(['/', '\\'], "_"),
        None => id,
    };
    let parts: Vec<String> = id
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .map(|p| {
            let mut cleaned: String = p
                .chars()
                .map(|c| {
                    if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            // Windows drops trailing dots and spaces, so `a.` and `a` would be one file.
            let kept = cleaned.trim_end_matches(['.', ' ']).len();
            if kept < cleaned.len() && cleaned != ".." {
                let dropped = cleaned.len() - kept;
                cleaned.truncate(kept);
                cleaned.push_str(&"_".repeat(dropped));
            }
            if cleaned == ".." || is_reserved_on_windows(&cleaned) {
                format!("_{cleaned}")
            } else if cleaned.len() > MAX_PART_BYTES {
                // File systems take 255 bytes a name: a long id keeps its start and a
                // hash of the whole, so that two long ids still differ.
                let mut cut = MAX_PART_BYTES - 20;
                while !cleaned.is_char_boundary(cut) {
                    cut -= 1;
                }
                let tag = crate::files::hex(sha2::Sha256::digest(cleaned.as_bytes()));
                format!("{}-{}", &cleaned[..cut], &tag[..8])
            } else {
                cleaned
            }
        })
        .collect();
    let mut path = PathBuf::new();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        if i < last {
            path.push(part);
        }
    }
    let name = parts.last().map_or("article", String::as_str);
    let file = match name.rsplit_once('.') {
        Some((stem, "txt")) if !stem.is_empty() => format!("{stem}.en.txt"),
        Some((stem, "md")) if !stem.is_empty() => format!("{stem}.en.md"),
        Some((stem, ext))
            if !stem.is_empty()
                && text
                && matches!(
                    ext.to_ascii_lowercase().as_str(),
                    "html" | "htm" | "xlf" | "xliff"
                ) =>
        {
            format!("{stem}.en.txt")
        }
        Some((stem, ext))
            if !stem.is_empty() && matches!(ext.to_ascii_lowercase().as_str(), "html" | "htm") =>
        {
            format!("{stem}.en.{ext}")
        }
        // An XLIFF file comes back under its own name, its targets filled, as a translation
        // management system expects it; review files take the name from it otherwise.
        Some((stem, ext))
            if !stem.is_empty()
                && matches!(ext.to_ascii_lowercase().as_str(), "xlf" | "xliff")
                && !super::EDITABLE.contains(&name) =>
        {
            name.to_string()
        }
        Some((stem, ext))
            if !stem.is_empty() && matches!(ext.to_ascii_lowercase().as_str(), "xlf" | "xliff") =>
        {
            format!("{stem}.en.{ext}")
        }
        _ => format!("{name}.en.txt"),
    };
    path.push(file);
    path
}

/// Bytes of one part of a name, at most, before `.en.txt` and a collision tag are added.
const MAX_PART_BYTES: usize = 120;

/// The names Windows (and SMB shares) reserve for devices, with any extension.
fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

/// The English text of one article: for each source line, the translations of its
/// sentences joined by a space, behind the line's Markdown marker; blank lines kept, and
/// the `verbatim` lines (Markdown code, HTML blocks, reference definitions) as they are.
/// Untranslated sentences (engine failures) stay in French rather than vanish.
pub fn render_article(
    source_text: &str,
    paragraphs: &[Paragraph],
    segments: &[AlignedSegment],
    verbatim: &[usize],
) -> String {
    let mut english = EnglishLines::new(source_text, verbatim, Vec::new());
    let written = english
        .add(paragraphs, segments)
        .and_then(|()| english.finish());
    let bytes = written.expect("writing to memory does not fail");
    String::from_utf8(bytes).expect("the English is put together from strings")
}

/// An article's English text written line by line, to `out`, as its rows come paragraph
/// by paragraph: a long article's rows and its English need not be held until its file is
/// written ([`render_article`] is the whole article at once).
pub struct EnglishLines<'a, W: Write> {
    /// The source's lines not written yet, numbered.
    source: std::iter::Enumerate<std::str::Split<'a, char>>,
    verbatim: &'a [usize],
    out: W,
    /// The last byte written, to end the text with exactly one line break.
    last: Option<u8>,
    /// Lines written so far (each but the first is preceded by a line break).
    written: usize,
}

impl<'a, W: Write> EnglishLines<'a, W> {
    /// The article's lines to come: the `verbatim` ones as they are, the others from
    /// their paragraphs' rows (empty when the line has none: a blank line).
    pub fn new(source_text: &'a str, verbatim: &'a [usize], out: W) -> EnglishLines<'a, W> {
        EnglishLines {
            source: source_text.split('\n').enumerate(),
            verbatim,
            out,
            last: None,
            written: 0,
        }
    }

    /// The English of whole paragraphs, in order: `rows` holds every row of each paragraph
    /// it touches, and no paragraph before the last one added.
    pub fn add(
        &mut self,
        paragraphs: &[Paragraph],
        rows: &[AlignedSegment],
    ) -> std::io::Result<()> {
        // Rows come in paragraph order, so each paragraph's sentences are one run.
        for run in rows.chunk_by(|a, b| a.paragraph == b.paragraph) {
            let Some(paragraph) = paragraphs.get(run[0].paragraph) else {
                continue;
            };
            self.lines_before(paragraph.line)?;
            // A paragraph whose line is written already (rows out of order) or past the
            // text's end has no line to fill.
            if self.written != paragraph.line || self.source.next().is_none() {
                continue;
            }
            // A sentence with no translation keeps its French text, marked so that no
            // reader takes it for English (the failure is on stderr, in run.json and
            // aligned.jsonl).
            let sentences: Vec<String> = run
                .iter()
                .map(|s| match s.target.trim() {
                    "" => format!("[untranslated: {}]", s.source.trim()),
                    // Markdown's inline markup, as the source wrote it, where its words went.
                    _ => s
                        .target_with_codes(str::to_string, |c| c.markup.clone())
                        .trim()
                        .to_string(),
                })
                .collect();
            let text = sentences.join(" ");
            match paragraph.marker.is_empty() {
                true => self.line(&text)?,
                false => self.line(&format!("{} {}", paragraph.marker, text))?,
            }
        }
        Ok(())
    }

    /// The lines after the last paragraph, and a final line break; gives `out` back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.lines_before(usize::MAX)?;
        if self.last != Some(b'\n') {
            self.out.write_all(b"\n")?;
        }
        Ok(self.out)
    }

    /// The source lines before line `end` that no paragraph gives: verbatim or blank.
    fn lines_before(&mut self, end: usize) -> std::io::Result<()> {
        while self.written < end {
            let Some((index, line)) = self.source.next() else {
                break;
            };
            match self.verbatim.contains(&index) {
                true => self.line(line)?,
                false => self.line("")?,
            }
        }
        Ok(())
    }

    fn line(&mut self, text: &str) -> std::io::Result<()> {
        if self.written > 0 {
            self.out.write_all(b"\n")?;
            self.last = Some(b'\n');
        }
        self.out.write_all(text.as_bytes())?;
        if let Some(&byte) = text.as_bytes().last() {
            self.last = Some(byte);
        }
        self.written += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_never_escape_the_output_folder() {
        for id in [
            "../../etc/passwd",
            "/abs/x.txt",
            "..",
            "C:\\win\\a.md",
            "a/./b/../c.txt",
            "",
        ] {
            let path = article_file_name(id, false);
            assert!(path.is_relative(), "{id} gave {path:?}");
            assert!(
                path.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
                "{id} gave {path:?}"
            );
        }
        assert_eq!(
            article_file_name("dir/a.txt", false),
            PathBuf::from("dir/a.en.txt")
        );
        assert_eq!(article_file_name("b.md", false), PathBuf::from("b.en.md"));
        assert_eq!(article_file_name("42", false), PathBuf::from("42.en.txt"));
        assert_eq!(
            article_file_name("page.html", true),
            PathBuf::from("page.en.txt"),
            "a JSONL article with an HTML id is text"
        );
        assert_eq!(
            article_file_name("page.html", false),
            PathBuf::from("page.en.html")
        );
    }

    /// Regression: reserved names, NFD/NFC twins and URL ids gave names that collide or
    /// nest seven folders deep on common volumes.
    #[test]
    fn names_are_safe_on_every_common_volume() {
        assert_eq!(
            article_file_name("CON", false),
            PathBuf::from("_CON.en.txt")
        );
        assert_eq!(
            article_file_name("news/aux.txt", false),
            PathBuf::from("news/_aux.en.txt")
        );
        assert_eq!(
            article_file_name("com1.md", false),
            PathBuf::from("_com1.en.md")
        );
        assert_eq!(
            article_file_name("com0.md", false),
            PathBuf::from("com0.en.md")
        );
        assert_eq!(
            article_file_name("fin. ", false),
            PathBuf::from("fin__.en.txt")
        );
        let long = article_file_name(&"é".repeat(5000), false);
        assert!(long.as_os_str().len() < 200, "{long:?}");
        assert_ne!(long, article_file_name(&"é".repeat(5001), false));
        assert_eq!(
            article_file_name("cafe\u{301}.txt", false),
            article_file_name("caf\u{e9}.txt", false)
        );
        assert_eq!(
            article_file_name(
                "https://www.lemonde.fr/international/article/2024/05/03/otan.html",
                true
            ),
            PathBuf::from("www.lemonde.fr_international_article_2024_05_03_otan.en.txt")
        );
        let key = crate::files::file_key;
        assert_eq!(key("Article.en.txt"), key("article.EN.txt"));
        assert_eq!(key("Été.en.txt"), key("e\u{301}té.en.txt"));
    }
}

#[cfg(test)]
mod english_lines_tests {
    use super::*;

    /// Rows for `text`'s paragraphs, one sentence each, translated as `EN n`.
    fn rows(paragraphs: &[Paragraph]) -> Vec<AlignedSegment> {
        paragraphs
            .iter()
            .enumerate()
            .flat_map(|(n, _)| {
                (0..2).map(move |index| {
                    serde_json::from_value(serde_json::json!({
                        "article": "a.md", "paragraph": n, "index": index, "span": [0, 1],
                        "source": "x", "target": format!("EN {n}.{index}"),
                        "model_input": null, "terms": [], "score": null,
                        "source_tokens": 1, "target_tokens": 1, "flags": [],
                    }))
                    .unwrap()
                })
            })
            .collect()
    }

    /// An article's English, written as its paragraphs come: blank lines, markers and
    /// verbatim lines where they were, one final line break.
    #[test]
    fn english_is_written_paragraph_by_paragraph_line_for_line() {
        let code = "# Titre\n\nUn.\n```\ncode\n```\n- Deux.\n\n\nTrois.\n";
        for (source, verbatim, english) in [
            (
                code,
                &[3, 4, 5][..],
                "# EN 0.0 EN 0.1\n\nEN 1.0 EN 1.1\n```\ncode\n```\n- EN 2.0 EN 2.1\n\n\nEN 3.0 EN 3.1\n",
            ),
            ("Un.\n\nDeux.", &[], "EN 0.0 EN 0.1\n\nEN 1.0 EN 1.1\n"),
            ("\n\nUn.\n\n", &[], "\n\nEN 0.0 EN 0.1\n\n"),
            ("", &[], "\n"),
        ] {
            let paragraphs: Vec<Paragraph> = crate::segment::paragraphs(source)
                .into_iter()
                .filter(|p| !verbatim.contains(&p.line))
                .collect();
            let rows = rows(&paragraphs);
            let mut lines = EnglishLines::new(source, verbatim, Vec::new());
            for paragraph in rows.chunk_by(|a, b| a.paragraph == b.paragraph) {
                lines.add(&paragraphs, paragraph).unwrap();
            }
            let streamed = String::from_utf8(lines.finish().unwrap()).unwrap();
            assert_eq!(streamed, english, "{source:?}");
            assert_eq!(render_article(source, &paragraphs, &rows, verbatim), english);
        }
    }
}
