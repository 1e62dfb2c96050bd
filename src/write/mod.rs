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
