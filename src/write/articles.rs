//! The English articles: `<article id>.en.txt`, paragraph structure kept.

use std::path::PathBuf;

use crate::align::AlignedSegment;
use crate::segment::Paragraph;

/// The output file of an article, relative to the output folder. The id's folders are kept
/// (`dir/a.txt` gives `dir/a.en.txt`, `b.md` gives `b.en.md`), and whatever an id contains,
/// the result is a plain relative path that stays inside the output folder: `..`, `.`,
/// empty parts, drive letters and backslashes cannot lead out.
pub fn article_file_name(id: &str) -> PathBuf {
    let parts: Vec<String> = id
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .map(|p| {
            let cleaned: String = p
                .chars()
                .map(|c| {
                    if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            if cleaned == ".." {
                "_..".to_string()
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

/// The English text of one article: for each source line, the translations of its
/// sentences joined by a space, behind the line's Markdown marker; blank lines kept.
/// Untranslated sentences (engine failures) stay in French rather than vanish.
pub fn render_article(
    source_text: &str,
    paragraphs: &[Paragraph],
    segments: &[AlignedSegment],
) -> String {
    let line_count = source_text.split('\n').count();
    let mut lines = vec![String::new(); line_count];
    // Rows come in paragraph order, so each paragraph's sentences are one run.
    for run in segments.chunk_by(|a, b| a.paragraph == b.paragraph) {
        let Some(paragraph) = paragraphs.get(run[0].paragraph) else {
            continue;
        };
        // A sentence with no translation keeps its French text, marked so that no reader
        // takes it for English (the failure is on stderr, in run.json and aligned.jsonl).
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
        lines[paragraph.line] = if paragraph.marker.is_empty() {
            text
        } else {
            format!("{} {}", paragraph.marker, text)
        };
    }
    let mut out = lines.join("\n");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
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
            let path = article_file_name(id);
            assert!(path.is_relative(), "{id} gave {path:?}");
            assert!(
                path.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_))),
                "{id} gave {path:?}"
            );
        }
        assert_eq!(
            article_file_name("dir/a.txt"),
            PathBuf::from("dir/a.en.txt")
        );
        assert_eq!(article_file_name("b.md"), PathBuf::from("b.en.md"));
        assert_eq!(article_file_name("42"), PathBuf::from("42.en.txt"));
    }
}
