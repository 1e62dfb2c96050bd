//! Command-line syntax: clap derive types only. [`crate::config`] turns them into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::check::Severity;
use crate::glossary::{EntryStatus, Policy};
use crate::options::{ComputeKind, DeviceKind};

/// Translate batches of French news articles into English, offline, with auditable
/// terminology and sentence-aligned output.
#[derive(Debug, Parser)]
#[command(name = "passeur", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Translate articles: .txt/.md files, HTML pages, XLIFF files, folders, .jsonl files of
    /// {"id", "text"}, or - for stdin.
    Translate(TranslateArgs),
    /// Split articles into sentences, as the translate stage does, and print them.
    Segment(SegmentArgs),
    /// Download or inspect CTranslate2 models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Review an output folder: summary, formats written again, --fail-on; the web editor
    /// (`review serve`); or import reviewed translations into the translation memory.
    Review(ReviewArgs),
    /// Combine the output folders of `translate --shard K/N` runs into one, as a single run
    /// would have written it.
    Merge(MergeArgs),
    /// Maintain glossaries: list, add, remove, lint, import, export, check.
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// The translation memory: list or search it, export it to TMX, import TMX into it.
    #[command(subcommand)]
    Memory(MemoryCommand),
}

/// Which memory: a file, or an output folder (its memory.sqlite); default PASSEUR_MEMORY.
#[derive(Debug, Args)]
pub struct MemoryArg {
    /// The memory file, or an output folder whose memory.sqlite it is (default: the
    /// PASSEUR_MEMORY environment variable).
    #[arg(long, short, value_name = "FILE|OUT_DIR")]
    pub memory: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum MemoryCommand {
    /// Print the stored translations (source, target, state, origin), one per line.
    List {
        #[command(flatten)]
        memory: MemoryArg,
        /// Only those whose source or target holds this text (case-insensitive).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Write the memory as TMX 1.4b, for a CAT tool.
    Export {
        #[command(flatten)]
        memory: MemoryArg,
        /// The TMX file to write.
        #[arg(value_name = "FILE.tmx")]
        file: PathBuf,
    },
    /// Store the translation units of a TMX file (French source) in the memory, which is
    /// created when missing.
    Import {
        #[command(flatten)]
        memory: MemoryArg,
        /// The TMX file to read.
        #[arg(value_name = "FILE.tmx")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Input files (.txt, .md, .html, .htm, .xlf, .xliff, .jsonl), folders (walked
    /// recursively in sorted order) or - for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Folder for the English articles, aligned.jsonl, the review formats and run.json.
    #[arg(short, long, value_name = "OUT_DIR")]
    pub output: PathBuf,
    /// CTranslate2 model folder (fetched on first use when it is the default one).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Glossary file (JSON, TSV, CSV or TBX); may be given several times.
    #[arg(short, long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// Beam width of the search.
    #[arg(long, default_value_t = 4)]
    pub beam_size: usize,
    /// Tokens per batch handed to CTranslate2.
    #[arg(long, default_value_t = 1024)]
    pub batch_tokens: usize,
    /// CPU threads in all (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Model replicas sharing those threads (default: one per thread).
    #[arg(long)]
    pub replicas: Option<usize>,
    /// Computation type.
    #[arg(long, value_enum, default_value_t = ComputeKind::Int8)]
    pub compute_type: ComputeKind,
    /// Device (cuda needs a build with the `cuda` feature).
    #[arg(long, value_enum, default_value_t = DeviceKind::Cpu)]
    pub device: DeviceKind,
    /// Inputs longer than this many tokens are cut (and flagged).
    #[arg(long, default_value_t = 512)]
    pub max_input_tokens: usize,
    /// Sentences longer than this many tokens are split at clause boundaries (; : — ,),
    /// translated in pieces and rejoined.
    #[arg(long, default_value_t = 200)]
    pub max_segment_tokens: usize,
    /// Review formats to write besides aligned.jsonl (repeatable; default all).
    #[arg(long = "format", value_name = "FORMAT", value_enum)]
    pub formats: Vec<FormatArg>,
    /// Translation memory of approved translations, created when missing (default:
    /// PASSEUR_MEMORY, else OUT_DIR/memory.sqlite).
    #[arg(long, value_name = "FILE")]
    pub memory: Option<PathBuf>,
    /// Segments per chunk: each chunk is translated and committed to OUT_DIR before the
    /// next, so an interrupted run loses at most one chunk and memory stays bounded.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub chunk_segments: usize,
    /// Translate every article again, even those OUT_DIR already has from an earlier run
    /// with the same text, model, glossary and options.
    #[arg(long)]
    pub force: bool,
    /// Translate only shard K of N (0 ≤ K < N): the articles whose id hashes to K. Each
    /// shard goes to its own OUT_DIR; `passeur merge` combines them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Never download: fail if the model is missing.
    #[arg(long)]
    pub offline: bool,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Language of the inputs (a BCP 47 tag, or a multilingual model's own code such as
    /// fra_Latn): XLIFF files and HTML pages that declare another are refused.
    #[arg(long, value_name = "LANG", default_value = "fr")]
    pub source_lang: String,
    /// Language to translate into; XLIFF targets are labelled with the file's own code.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub target_lang: String,
    /// Encoding of .txt and .md inputs without a byte order mark, by its WHATWG label
    /// (windows-1252, iso-8859-15, utf-16le, …); UTF-8 by default.
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
}

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Input files, folders, .jsonl files of {"id", "text"}, or - for standard input
    /// (the default).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SegmentFormat::Jsonl)]
    pub format: SegmentFormat,
}

/// How `passeur segment` prints sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SegmentFormat {
    /// One JSON object per article: {"id", "sentences", "spans"} (byte offsets).
    Jsonl,
    /// One sentence per line, a blank line between paragraphs and between articles.
    Lines,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a CTranslate2 model from the Hugging Face Hub (or HF_ENDPOINT).
    Fetch(FetchArgs),
    /// Print a model's architecture, vocabulary size and tokenizer kind.
    Info {
        /// Model folder.
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Repository on the hub.
    #[arg(value_name = "REPO")]
    pub repo: Option<String>,
    /// Folder to install the model into (default: models/NAME).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Revision (branch, tag or commit).
    #[arg(long, default_value = "main")]
    pub revision: String,
    /// Replace a model already in DIR.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum GlossaryCommand {
    /// List a glossary's entries (JSON, TSV, CSV or TBX).
    List {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Add an entry to a JSON glossary, in place (the rest of the file is kept as it is).
    Add(AddArgs),
    /// Remove the entries with this source term from a JSON glossary, in place.
    Remove {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The source term (compared without regard to case, apostrophes or dashes).
        #[arg(value_name = "SOURCE")]
        source: String,
    },
    /// Check glossaries for duplicates, conflicts, shadowed entries, padded terms, terms that
    /// do not match themselves and suspicious case. Exits 1 when something is found.
    Lint {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Convert a glossary to JSON (from TSV, CSV or TBX; formats follow the file endings).
    Import {
        #[arg(value_name = "FROM")]
        from: PathBuf,
        #[arg(value_name = "TO")]
        to: PathBuf,
    },
    /// Convert a glossary from JSON to TSV, CSV or TBX (formats follow the file endings).
    Export {
        #[arg(value_name = "FROM")]
        from: PathBuf,
        #[arg(value_name = "TO")]
        to: PathBuf,
    },
    /// Count which entries occur in a set of articles, and with --output, list the articles
    /// of a translation folder that render a term inconsistently.
    Check {
        /// Articles (files, folders, .jsonl).
        #[arg(required = true, value_name = "INPUT")]
        inputs: Vec<PathBuf>,
        /// Glossary files.
        #[arg(short, long = "glossary", required = true, value_name = "FILE")]
        glossaries: Vec<PathBuf>,
        /// An output folder of `passeur translate` to check for inconsistent terms.
        #[arg(short, long, value_name = "OUT_DIR")]
        output: Option<PathBuf>,
    },
    /// Find the terms a batch uses that the glossaries lack: acronyms, names and recurring
    /// noun phrases, ranked by frequency, spread over articles and specificity against
    /// general French; with --output, the English the translations used for each.
    Suggest(SuggestArgs),
    /// Add the accepted rows of a reviewed `suggest --format tsv` file to a JSON glossary:
    /// rows whose `accept` column says yes (y, yes, x, 1) and that have a target.
    Accept {
        /// The reviewed TSV.
        #[arg(value_name = "REVIEWED_TSV")]
        reviewed: PathBuf,
        /// The JSON glossary to add them to (created when missing).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Articles (files, folders, .jsonl).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Glossaries whose terms are known (never suggested).
    #[arg(short, long = "glossary", value_name = "FILE")]
    pub glossaries: Vec<PathBuf>,
    /// An output folder of `passeur translate` for these articles: each candidate's
    /// current renderings.
    #[arg(short, long, value_name = "OUT_DIR")]
    pub output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: SuggestFormat,
    /// Candidates with fewer occurrences are left out.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub min_count: usize,
    /// At most this many candidates, best first.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
    /// Add these candidates (by their rank in the list) to the glossary named by --to, each
    /// with its first rendering as target (a name written in capitals keeps its own).
    #[arg(long, num_args = 1.., value_name = "N", requires = "to")]
    pub accept: Vec<usize>,
    /// The JSON glossary --accept adds to (created when missing).
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,
}

/// How `glossary suggest` prints its candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuggestFormat {
    /// A table for people, with two example sentences each.
    Table,
    /// One JSON array, for tools.
    Json,
    /// Tab-separated, with `accept` and `target` columns to fill in for `glossary accept`.
    Tsv,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The French term.
    #[arg(long)]
    pub source: String,
    /// The English term.
    #[arg(long)]
    pub target: String,
    /// Another French form (repeatable).
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// How the term is enforced (default: inject).
    #[arg(long, value_enum)]
    pub policy: Option<Policy>,
    /// Match case exactly (default: only for all-caps acronyms).
    #[arg(long)]
    pub case_sensitive: Option<bool>,
    /// Let the term match inside words.
    #[arg(long)]
    pub inside_words: bool,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub domain: Option<String>,
    /// preferred (enforced, the default), deprecated (a French form to avoid, still
    /// translated with the target) or forbidden (a target no translation may use).
    #[arg(long, value_enum)]
    pub status: Option<EntryStatus>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub action: Option<ReviewAction>,
    /// An output folder of `passeur translate`.
    #[arg(value_name = "OUT_DIR")]
    pub out_dir: Option<PathBuf>,
    /// Formats to write again from aligned.jsonl (repeatable; default all).
    #[arg(long = "format", value_name = "FORMAT", value_enum)]
    pub formats: Vec<FormatArg>,
    /// Exit with status 1 when a flag of this severity or worse exists.
    #[arg(long, value_name = "SEVERITY", value_enum)]
    pub fail_on: Option<Severity>,
}

#[derive(Debug, Subcommand)]
pub enum ReviewAction {
    /// Open a local web editor over an output folder: correct and approve translations
    /// where you read them; each confirmation reaches the translation memory, the folder's
    /// state and every deliverable. Prints the URL (with its token) on the first line.
    Serve {
        /// An output folder of `passeur translate`.
        #[arg(value_name = "OUT_DIR")]
        out_dir: PathBuf,
        /// The port on 127.0.0.1 (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The translation memory approvals go to (default: the one the folder's last
        /// `translate` read, OUT_DIR/memory.sqlite unless --memory named another).
        #[arg(long, value_name = "FILE")]
        memory: Option<PathBuf>,
        /// A JSON glossary: the reviewer adds terms to it from the words they select
        /// (created at the first), and edits are checked against its forbidden targets.
        #[arg(short, long, value_name = "FILE")]
        glossary: Option<PathBuf>,
    },
    /// Store the approved translations of a reviewed XLIFF 1.2 or TSV file in the
    /// translation memory, for the next `translate` to reuse.
    Import {
        /// The reviewed file (.xlf or .tsv).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The translation memory (default: PASSEUR_MEMORY, else memory.sqlite beside FILE).
        #[arg(long, value_name = "FILE")]
        memory: Option<PathBuf>,
    },
}

/// `--format`: one output format, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Jsonl,
    Tmx,
    #[value(alias = "xlf")]
    Xliff,
    Tsv,
    Html,
    All,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard output folders (all N of them).
    #[arg(required = true, value_name = "SHARD_DIR")]
    pub shards: Vec<PathBuf>,
    /// The merged output folder.
    #[arg(short, long, value_name = "OUT_DIR")]
    pub output: PathBuf,
    /// Formats to write besides aligned.jsonl (repeatable; default all).
    #[arg(long = "format", value_name = "FORMAT", value_enum)]
    pub formats: Vec<FormatArg>,
    /// No summary line.
    #[arg(short, long)]
    pub quiet: bool,
}
