//! Segmentation throughput, on one core: `cargo bench --bench segment`.
//!
//! Segmentation must stay a small share of the pipeline's cost (the target is at least
//! 10 MB/s of French text on one core). The input is the example articles repeated to
//! about 20 MB, segmented article by article on the calling thread, best of five runs.

use std::time::Instant;

use passeur::read::Article;
use passeur::segment::segment_article;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/articles");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(dir).expect("examples/articles") {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut articles = Vec::new();
    let mut bytes = 0;
    while bytes < 20_000_000 {
        for text in &texts {
            bytes += text.len();
            articles.push(Article::plain(
                articles.len().to_string(),
                String::new(),
                text.clone(),
            ));
        }
    }
    let mut best = f64::MAX;
    let mut segments = 0;
    for _ in 0..5 {
        let start = Instant::now();
        segments = articles
            .iter()
            .enumerate()
            .map(|(i, a)| segment_article(i, a).len())
            .sum::<usize>();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "segment: {:.1} MB in {:.3} s = {:.1} MB/s on one core ({} segments)",
        bytes as f64 / 1e6,
        best,
        bytes as f64 / 1e6 / best,
        segments
    );
}
