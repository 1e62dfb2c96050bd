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
//! output folder afterwards, and [`model`] fetches and describes models.

pub mod align;
pub mod check;
pub mod cli;
pub mod config;
pub mod glossary;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod review;
pub mod segment;
pub mod translate;
pub mod write;

use anyhow::Result;

use cli::{Cli, Command, GlossaryCommand, ModelCommand};

/// The exit status of a run: success, some inputs failed, or nothing could be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// The run finished, but some input, segment or file failed (exit code 1).
    Partial,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    match cli.command {
        Command::Translate(args) => {
            let settings = config::TranslateSettings::from_args(args)?;
            let outcome = pipeline::translate(&settings)?;
            for failure in &outcome.report.failures {
                eprintln!("passeur: error: {}", failure.error);
            }
            if !settings.quiet {
                eprintln!("passeur: {}", pipeline::summary(&outcome.report));
            }
            Ok(if outcome.failed {
                Status::Partial
            } else {
                Status::Success
            })
        }
        Command::Segment(args) => {
            let inputs: Vec<read::Input> = if args.inputs.is_empty() {
                vec![read::Input::Stdin]
            } else {
                args.inputs
                    .iter()
                    .map(|p| read::Input::from_arg(p))
                    .collect()
            };
            let format = match args.format {
                cli::SegmentFormat::Jsonl => segment::print::Format::Jsonl,
                cli::SegmentFormat::Lines => segment::print::Format::Lines,
            };
            let outcome = read::read_inputs(&inputs);
            for error in &outcome.errors {
                eprintln!("passeur: error: {error}");
            }
            let stdout = std::io::stdout();
            segment::print::print(&outcome.articles, format, &mut stdout.lock())?;
            Ok(if outcome.errors.is_empty() {
                Status::Success
            } else {
                Status::Partial
            })
        }
        Command::Model(ModelCommand::Fetch(args)) => {
            let settings = config::FetchSettings::from_args(args)?;
            eprintln!(
                "passeur: fetching {} from {} into {}",
                settings.repo,
                model::fetch::endpoint(),
                settings.dir.display()
            );
            let fetched = model::fetch::fetch(&settings)?;
            println!(
                "installed {} ({} files, {} bytes): {}",
                fetched.dir.display(),
                fetched.files.len(),
                fetched.bytes,
                fetched.files.join(", ")
            );
            Ok(Status::Success)
        }
        Command::Glossary(command) => run_glossary(command),
        Command::Review(args) => run_review(args),
        Command::Model(ModelCommand::Info { dir }) => {
            let dir = dir.unwrap_or_else(|| config::DEFAULT_MODEL_DIR.into());
            let info = model::info::inspect(&dir)?;
            println!("model:         {}", dir.display());
            println!("architecture:  {}", info.architecture);
            println!(
                "layers:        {} encoder, {} decoder",
                info.encoder_layers, info.decoder_layers
            );
            if let Some(dim) = info.model_dim {
                println!("model width:   {dim}");
            }
            println!("weights:       {}", info.weight_type);
            println!("vocabulary:    {} tokens", info.vocabulary_size);
            println!("tokenizer:     {}", info.tokenizer);
            println!("size:          {} bytes", info.size_bytes);
            Ok(Status::Success)
        }
    }
}

/// `passeur glossary …`.
fn run_glossary(command: GlossaryCommand) -> Result<Status> {
    use glossary::tools;
    let report = |errors: &[glossary::GlossaryError]| {
        for error in errors {
            eprintln!("passeur: error: {error}");
        }
        if errors.is_empty() {
            Status::Success
        } else {
            Status::Partial
        }
    };
    match command {
        GlossaryCommand::List { file } => {
            let (lines, errors) = tools::list(&file)?;
            for line in lines {
                println!("{line}");
            }
            Ok(report(&errors))
        }
        GlossaryCommand::Add(args) => {
            let mut entry = glossary::Entry::new(&args.source, &args.target, "");
            entry.variants = args.variants;
            if let Some(policy) = args.policy {
                entry.policy = serde_json::from_value(serde_json::Value::String(policy.clone()))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "unknown --policy {policy:?} (inject, placeholder or check)"
                        )
                    })?;
            }
            if let Some(case) = args.case_sensitive {
                entry.case_sensitive = case;
            }
            entry.whole_word = !args.inside_words;
            entry.note = args.note;
            entry.domain = args.domain;
            tools::add(&args.file, &entry).map_err(anyhow::Error::msg)?;
            println!(
                "added {:?} → {:?} to {}",
                entry.source,
                entry.target,
                args.file.display()
            );
            Ok(Status::Success)
        }
        GlossaryCommand::Remove { file, source } => {
            let removed = tools::remove(&file, &source).map_err(anyhow::Error::msg)?;
            if removed == 0 {
                anyhow::bail!(
                    "{}: no entry has the source term {source:?}",
                    file.display()
                );
            }
            println!(
                "removed {removed} entr{} from {}",
                if removed == 1 { "y" } else { "ies" },
                file.display()
            );
            Ok(Status::Success)
        }
        GlossaryCommand::Lint { files } => {
            let mut clean = true;
            for file in files {
                let findings = tools::lint(&file)?;
                for f in &findings {
                    println!(
                        "{}:{}: entry {} ({:?}): {}",
                        file.display(),
                        f.line,
                        f.entry,
                        f.source,
                        f.message
                    );
                }
                if findings.is_empty() {
                    println!("{}: clean", file.display());
                }
                clean &= findings.is_empty();
            }
            Ok(if clean {
                Status::Success
            } else {
                Status::Partial
            })
        }
        GlossaryCommand::Import { from, to } | GlossaryCommand::Export { from, to } => {
            let converted = tools::convert(&from, &to)?;
            println!("wrote {} entries to {}", converted.written, to.display());
            if converted.skipped_patterns > 0 {
                println!(
                    "left out {} pattern entries: TSV and CSV hold terms only",
                    converted.skipped_patterns
                );
            }
            Ok(report(&converted.errors))
        }
        GlossaryCommand::Check {
            inputs,
            glossaries,
            output,
        } => {
            let inputs: Vec<read::Input> =
                inputs.iter().map(|p| read::Input::from_arg(p)).collect();
            let outcome = read::read_inputs(&inputs);
            let mut entries = Vec::new();
            let mut errors = Vec::new();
            for path in &glossaries {
                let (loaded, bad) = glossary::load_glossary(path)?;
                entries.extend(loaded);
                errors.extend(bad);
            }
            println!("{:>6} {:>8}  entry", "uses", "articles");
            for u in tools::usage(&entries, &outcome.articles) {
                println!(
                    "{:>6} {:>8}  {} → {}  ({})",
                    u.occurrences, u.articles, u.source, u.target, u.entry
                );
            }
            let mut status = report(&errors);
            for error in &outcome.errors {
                eprintln!("passeur: error: {error}");
                status = Status::Partial;
            }
            if let Some(out_dir) = output {
                let found = tools::inconsistencies(&out_dir).map_err(anyhow::Error::msg)?;
                if found.is_empty() {
                    println!(
                        "\n{}: every term is rendered consistently",
                        out_dir.display()
                    );
                } else {
                    println!("\ninconsistent terms in {}:", out_dir.display());
                    for i in &found {
                        println!("  {}: {} ({})", i.article, i.target, i.statuses);
                    }
                    status = Status::Partial;
                }
            }
            Ok(status)
        }
    }
}

/// `passeur review …`.
fn run_review(args: cli::ReviewArgs) -> Result<Status> {
    if let Some(cli::ReviewAction::Import { file, memory }) = args.action {
        let memory_path = memory.unwrap_or_else(|| {
            file.parent()
                .unwrap_or(std::path::Path::new("."))
                .join(memory::MEMORY_FILE)
        });
        let approved = review::read_approved(&file)?;
        let mut tm = memory::Memory::open(&memory_path)?;
        let stored = tm.store(&approved)?;
        println!(
            "stored {stored} approved translation{} in {} ({} in all)",
            if stored == 1 { "" } else { "s" },
            memory_path.display(),
            tm.count()?
        );
        return Ok(Status::Success);
    }
    let Some(out_dir) = args.out_dir else {
        anyhow::bail!("review needs an output folder (passeur review OUT_DIR) or `import FILE`");
    };
    let fail_on = args
        .fail_on
        .as_deref()
        .map(|s| {
            align::Severity::parse(s)
                .ok_or_else(|| anyhow::anyhow!("unknown --fail-on {s:?} (info, warning or error)"))
        })
        .transpose()?;
    let formats = config::resolve_formats(&args.formats)?;
    let rows = review::load_aligned(&out_dir)?;
    print!("{}", review::summary(&rows));
    let written = review::write_formats(&out_dir, &rows, &formats)?;
    println!("\nwrote {} in {}", written.join(", "), out_dir.display());
    Ok(match fail_on {
        Some(severity) if review::has_flag_at_least(&rows, severity) => Status::Partial,
        _ => Status::Success,
    })
}
