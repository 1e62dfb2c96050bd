//! Settings resolved and validated from the command line. The core of passeur sees these
//! types, never clap's.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::cli::{FetchArgs, FormatArg, TranslateArgs};
use crate::options::{DeviceKind, EngineSettings, LanguagePair};
use crate::read::{Input, ReadOptions};
use crate::write::Format;

/// The model passeur uses when none is named.
pub const DEFAULT_REPO: &str = "michaelfeil/ct2fast-opus-mt-fr-en";
/// The default model's folder name, under [`models_dir`].
const DEFAULT_MODEL_NAME: &str = "opus-mt-fr-en";

/// Where downloaded models live: `$PASSEUR_MODELS`, else the per-user data folder
/// (`$XDG_DATA_HOME/passeur/models`, `~/.local/share/passeur/models`), as Argos Translate
/// and the Hugging Face cache keep theirs, so that every working folder and cron job
/// shares one download; `models/` under the working folder only when no home is known.
pub fn models_dir() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("PASSEUR_MODELS") {
        return dir;
    }
    match var("XDG_DATA_HOME").or_else(|| var("HOME").map(|home| home.join(".local/share"))) {
        Some(data) => data.join("passeur").join("models"),
        None => PathBuf::from("models"),
    }
}

/// Where the default model lives.
pub fn default_model_dir() -> PathBuf {
    models_dir().join(DEFAULT_MODEL_NAME)
}

/// Everything `passeur translate` needs.
#[derive(Debug, Clone)]
pub struct TranslateSettings {
    pub inputs: Vec<Input>,
    pub out_dir: PathBuf,
    pub model_dir: PathBuf,
    /// True when the model folder is the default one, which is fetched when missing.
    pub model_is_default: bool,
    pub glossaries: Vec<PathBuf>,
    pub engine: EngineSettings,
    /// Review formats written besides `aligned.jsonl`.
    pub formats: Vec<Format>,
    /// The translation memory consulted before the model.
    pub memory: PathBuf,
    /// True when `--memory` or `PASSEUR_MEMORY` named it (created when missing).
    pub memory_named: bool,
    /// Segments gathered before a chunk goes to the engine.
    pub chunk_segments: usize,
    /// Translate every article again, whatever the output folder has.
    pub force: bool,
    /// Only this shard of the inputs.
    pub shard: Option<Shard>,
    pub offline: bool,
    pub quiet: bool,
    pub languages: LanguagePair,
    /// `--encoding`: the encoding of text inputs, when not UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

/// One shard of a batch: the articles whose id hashes to `index` among `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// `K/N`, with 0 ≤ K < N (Slurm's `SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)`, and
    /// Kubernetes' `JOB_COMPLETION_INDEX`, both count from 0).
    pub fn parse(text: &str) -> Result<Shard> {
        let parsed = text
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if index < count => Ok(Shard { index, count }),
            _ => bail!("--shard {text:?}: expected K/N with 0 ≤ K < N, such as 0/4"),
        }
    }

    /// The shard an article id belongs to: a hash of the id that does not depend on the
    /// platform, the run or the other ids.
    pub fn of(id: &str, count: usize) -> usize {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let head = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        (head % count as u64) as usize
    }

    pub fn contains(&self, id: &str) -> bool {
        Shard::of(id, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Everything `passeur merge` needs.
#[derive(Debug, Clone)]
pub struct MergeSettings {
    pub shards: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub formats: Vec<Format>,
    pub quiet: bool,
}

impl MergeSettings {
    pub fn from_args(args: crate::cli::MergeArgs) -> MergeSettings {
        MergeSettings {
            shards: args.shards,
            out_dir: args.output,
            formats: resolve_formats(&args.formats),
            quiet: args.quiet,
        }
    }
}

impl TranslateSettings {
    pub fn from_args(args: TranslateArgs) -> Result<TranslateSettings> {
        if args.device == DeviceKind::Cuda && !DeviceKind::Cuda.built() {
            bail!(
                "--device cuda: this build of passeur has no CUDA support; build one on a \
                 machine with the CUDA toolkit with `cargo build --release --features cuda`"
            );
        }
        if args.beam_size == 0 {
            bail!("--beam-size must be at least 1");
        }
        if args.batch_tokens < 16 {
            bail!("--batch-tokens must be at least 16");
        }
        if args.max_input_tokens == 0 {
            bail!("--max-input-tokens must be at least 1");
        }
        if args.max_segment_tokens < 8 || args.max_segment_tokens > args.max_input_tokens {
            bail!(
                "--max-segment-tokens must be between 8 and --max-input-tokens ({})",
                args.max_input_tokens
            );
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = args.threads.unwrap_or(cores);
        if threads == 0 {
            bail!("--threads must be at least 1");
        }
        let replicas = args.replicas.unwrap_or(threads);
        if replicas == 0 || replicas > threads {
            bail!("--replicas must be between 1 and the number of threads ({threads})");
        }
        let model_is_default = args.model.is_none();
        let formats = resolve_formats(&args.formats);
        if args.chunk_segments == 0 {
            bail!("--chunk-segments must be at least 1");
        }
        let memory_named = args.memory.is_some() || std::env::var_os("PASSEUR_MEMORY").is_some();
        let memory = args
            .memory
            .unwrap_or_else(|| crate::memory::default_path(&args.output));
        refuse_output_among_inputs(&args.output, &args.inputs)?;
        Ok(TranslateSettings {
            inputs: args.inputs.iter().map(|p| Input::from_arg(p)).collect(),
            out_dir: args.output,
            model_dir: args.model.unwrap_or_else(default_model_dir),
            model_is_default,
            glossaries: args.glossaries,
            engine: EngineSettings {
                device: args.device,
                compute_type: args.compute_type,
                replicas,
                threads_per_replica: threads / replicas,
                beam_size: args.beam_size,
                batch_tokens: args.batch_tokens,
                max_input_tokens: args.max_input_tokens,
                max_segment_tokens: args.max_segment_tokens,
            },
            formats,
            memory,
            memory_named,
            chunk_segments: args.chunk_segments,
            force: args.force,
            shard: args.shard.as_deref().map(Shard::parse).transpose()?,
            offline: args.offline,
            quiet: args.quiet,
            languages: LanguagePair {
                source: language_tag(&args.source_lang, "--source-lang")?,
                target: language_tag(&args.target_lang, "--target-lang")?,
            },
            encoding: args.encoding.as_deref().map(encoding).transpose()?,
        })
    }

    /// How the inputs are read.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            encoding: self.encoding,
            languages: self.languages.clone(),
        }
    }
}

/// An output folder is never an input: translated into the folder it reads, a second run
/// would read its own English files back (`a.en.en.txt`), and an XLIFF job written back
/// under its own name would replace the file it came from.
fn refuse_output_among_inputs(out_dir: &std::path::Path, inputs: &[PathBuf]) -> Result<()> {
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let out = canonical(out_dir);
    for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
        let input = canonical(input);
        let is_xliff = input
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlf") || e.eq_ignore_ascii_case("xliff"));
        let written_over = is_xliff && input.parent() == Some(out.as_path());
        if input == out || written_over {
            bail!(
                "-o {}: the output folder holds the input {}; passeur would read its own \
                 output back or write over its input: write into a folder of its own",
                out_dir.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// An encoding by its WHATWG label, as browsers and `encoding_rs` know them (`latin1` and
/// `iso-8859-1` are windows-1252 there, as on the web).
fn encoding(label: &str) -> Result<&'static encoding_rs::Encoding> {
    match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
        Some(encoding) => Ok(encoding),
        None => bail!(
            "--encoding {label:?}: not an encoding label passeur knows (WHATWG labels, such \
             as windows-1252, iso-8859-15, utf-16le)"
        ),
    }
}

/// A language as `--source-lang` or `--target-lang` gives it: letters, digits, `-` and `_`.
fn language_tag(text: &str, option: &str) -> Result<String> {
    let tag = text.trim();
    let well_formed = tag.split(['-', '_']).all(|part| {
        (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if !well_formed || !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
        bail!("{option} {text:?}: expected a language tag such as fr, en-GB or fra_Latn");
    }
    Ok(tag.to_string())
}

/// The formats `--format` names, in the order given, without repeats; none or `all` means
/// every format.
pub fn resolve_formats(args: &[FormatArg]) -> Vec<Format> {
    if args.is_empty() || args.contains(&FormatArg::All) {
        return Format::ALL.to_vec();
    }
    let mut formats = Vec::new();
    for arg in args {
        let format = match arg {
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Tmx => Format::Tmx,
            FormatArg::Xliff => Format::Xliff,
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Html => Format::Html,
            FormatArg::All => unreachable!("handled above"),
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats
}

/// Everything `passeur model fetch` needs.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub repo: String,
    pub revision: String,
    pub dir: PathBuf,
    pub force: bool,
    pub quiet: bool,
}

impl FetchSettings {
    pub fn from_args(args: FetchArgs) -> Result<FetchSettings> {
        let repo = args.repo.unwrap_or_else(|| DEFAULT_REPO.to_string());
        let valid = repo.split('/').count() == 2
            && repo
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'));
        if !valid {
            bail!("{repo:?} is not a hub repository name (OWNER/NAME)");
        }
        let dir = args.dir.unwrap_or_else(|| default_dir_for(&repo));
        Ok(FetchSettings {
            repo,
            revision: args.revision,
            dir,
            force: args.force,
            quiet: args.quiet,
        })
    }
}

/// `opus-mt-fr-en` for the default repository, `NAME` for others, under [`models_dir`].
pub fn default_dir_for(repo: &str) -> PathBuf {
    if repo == DEFAULT_REPO {
        return default_model_dir();
    }
    let name = repo.rsplit('/').next().unwrap_or(repo);
    models_dir().join(name)
}
