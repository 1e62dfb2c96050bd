//! `passeur segment`: the segment stage's output, printed for inspection and evaluation.

use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;

use super::{paragraphs, segment_article};
use crate::read::Article;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"id", "sentences", "spans"}` per article; spans are byte offsets into the text.
    Jsonl,
    /// One sentence per line; a blank line between paragraphs and between articles.
    Lines,
}

#[derive(Serialize)]
struct ArticleSentences<'a> {
    id: &'a str,
    sentences: Vec<&'a str>,
    spans: Vec<[usize; 2]>,
}

/// Segments every article (in parallel) and prints them in order.
pub fn print(articles: &[Article], format: Format, out: &mut impl Write) -> std::io::Result<()> {
    let rendered: Vec<Vec<u8>> = articles
        .par_iter()
        .enumerate()
        .map(|(index, article)| render(index, article, format))
        .collect();
    let mut out = std::io::BufWriter::new(out);
    for (i, bytes) in rendered.iter().enumerate() {
        if format == Format::Lines && i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(bytes)?;
    }
    out.flush()
}

fn render(index: usize, article: &Article, format: Format) -> Vec<u8> {
    let segments = segment_article(index, article);
    let mut out = Vec::new();
    match format {
        Format::Jsonl => {
            let record = ArticleSentences {
                id: &article.id,
                sentences: segments.iter().map(|s| s.text.as_str()).collect(),
                spans: segments
                    .iter()
                    .map(|s| [s.span.start, s.span.end])
                    .collect(),
            };
            serde_json::to_writer(&mut out, &record).expect("sentences serialise to JSON");
            out.push(b'\n');
        }
        Format::Lines => {
            let count = paragraphs(&article.text).len();
            for paragraph in 0..count {
                if paragraph > 0 {
                    out.push(b'\n');
                }
                for s in segments.iter().filter(|s| s.paragraph == paragraph) {
                    out.extend_from_slice(s.text.as_bytes());
                    out.push(b'\n');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, text: &str) -> Article {
        Article::plain(id, id, text)
    }

    #[test]
    fn prints_jsonl_with_byte_spans() {
        let mut out = Vec::new();
        print(&[article("a", "Été. Oui.")], Format::Jsonl, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"a\",\"sentences\":[\"Été.\",\"Oui.\"],\"spans\":[[0,6],[7,11]]}\n"
        );
    }

    #[test]
    fn prints_lines_with_blank_lines_between_paragraphs_and_articles() {
        let mut out = Vec::new();
        let articles = [article("a", "Un. Deux.\n\nTrois."), article("b", "Quatre.")];
        print(&articles, Format::Lines, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Un.\nDeux.\n\nTrois.\n\nQuatre.\n"
        );
    }
}
