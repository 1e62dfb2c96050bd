//! passeur translates batches of French news articles into English, offline, on
//! CTranslate2, and gives localisation reviewers sentence-aligned output whose terminology
//! can be audited.
//!
//! ```text
//! read → segment → glossary → translate → align & check → write
//! ```
//!
//! - [`read`]: files, folders, JSONL and stdin into [`read::Article`]s;
//! - [`segment`]: French sentence segmentation into [`segment::Segment`]s with byte spans;
//! - [`glossary`]: terminology found through case, elision, hyphen and plural variants,
//!   enforced by policy (inject, placeholder, check);
//! - [`translate`]: pooled, length-sorted token batches on one shared CTranslate2
//!   translator, then terms verified and repaired (n-best, target prefix);
//! - [`align`] and [`check`]: each source segment paired 1:1 with its translation (or an
//!   approved one from the [`memory`]), with QA flags;
//! - [`write`](mod@write): English articles, `aligned.jsonl`, TMX, XLIFF, TSV and the HTML report,
//!   written atomically.
//!
//! [`pipeline`] is the orchestrator that runs them in that order; [`review`] works on an
//! output folder afterwards, and [`model`] fetches and describes models. Each command of
//! the binary lives in its own file under `commands/`.

pub mod align;
pub mod check;
pub mod cli;
mod commands;
pub mod config;
pub mod enforce;
pub mod files;
pub mod glossary;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod report;
pub mod review;
pub mod segment;
pub mod translate;
pub mod write;

pub use commands::{run, Status};
