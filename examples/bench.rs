//! Pipeline against raw engine, on the same input in the same run.
//!
//! ```sh
//! cargo run --release --example bench -- --model ~/.local/share/passeur/models/opus-mt-fr-en examples/articles
//! ```
//!
//! The raw side is what a hand-rolled CTranslate2 script does at best: the same sentences
//! (from passeur's segmenter), one `ct2rs::Translator::translate_batch` call with token
//! batching, the same beam and thread layout. The pipeline side is `passeur translate` in
//! full: reading, segmentation, glossary, batching, alignment, checks and writing. Both
//! include loading the model. The ratio says what passeur's extra work costs (or saves,
//! through deduplication and per-batch decoding budgets).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ct2rs::{BatchType, Config, TranslationOptions, Translator};

use passeur::config::TranslateSettings;
use passeur::options::{ComputeKind, DeviceKind, EngineSettings};
use passeur::read::{read_inputs, Input};
use passeur::segment::segment_article;

fn main() -> Result<()> {
    let mut model = passeur::config::default_model_dir();
    let mut glossaries = Vec::new();
    let mut inputs = Vec::new();
    let mut beam_size = 4;
    let mut threads: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model = args.next().context("--model needs a folder")?.into(),
            "--glossary" | "-g" => glossaries.push(PathBuf::from(args.next().context("-g FILE")?)),
            "--beam-size" => beam_size = args.next().context("--beam-size N")?.parse()?,
            "--threads" => threads = Some(args.next().context("--threads N")?.parse()?),
            other => inputs.push(Input::from_arg(other.as_ref())),
        }
    }
    if inputs.is_empty() {
        bail!("usage: bench [--model DIR] [--beam-size N] [--threads N] [-g GLOSSARY] INPUT...");
    }
    // One replica of one thread per core unless told otherwise (`--threads 1`: one replica).
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let engine = EngineSettings {
        device: DeviceKind::Cpu,
        compute_type: ComputeKind::Int8,
        replicas: threads,
        threads_per_replica: 1,
        beam_size,
        batch_tokens: 1024,
        max_input_tokens: 512,
        max_segment_tokens: 200,
    };

    // The same sentences for the raw engine.
    let read = read_inputs(&inputs, &Default::default());
    let sentences: Vec<String> = read
        .articles
        .iter()
        .enumerate()
        .flat_map(|(i, a)| segment_article(i, a))
        .map(|s| s.text)
        .collect();

    let start = Instant::now();
    // A careful script bounds the output from the input as passeur does, so that a model
    // that never stops (like the random-weight benchmark model) costs both sides alike.
    let tokenizer = ct2rs::tokenizers::auto::Tokenizer::new(&model)?;
    let mut longest = 0;
    for sentence in &sentences {
        longest = longest.max(ct2rs::Tokenizer::encode(&tokenizer, sentence)?.len());
    }
    let translator = Translator::new(
        &model,
        &Config {
            compute_type: ct2rs::ComputeType::INT8,
            device_indices: vec![0; threads],
            num_threads_per_replica: 1,
            ..Config::default()
        },
    )?;
    let options = TranslationOptions {
        beam_size,
        max_batch_size: 1024,
        batch_type: BatchType::Tokens,
        max_input_length: 512,
        max_decoding_length: passeur::translate::batch::decoding_budget(longest, 512),
        ..TranslationOptions::default()
    };
    let raw = translator.translate_batch(&sentences, &options, None)?;
    let raw_seconds = start.elapsed().as_secs_f64();
    drop(translator);

    let out = tempfile::tempdir()?;
    let settings = TranslateSettings {
        inputs,
        out_dir: out.path().to_path_buf(),
        model_dir: model.clone(),
        model_is_default: false,
        glossaries,
        engine,
        formats: vec![passeur::write::Format::Jsonl],
        memory: out.path().join("memory.sqlite"),
        memory_named: false,
        chunk_segments: 2000,
        force: false,
        shard: None,
        offline: true,
        quiet: true,
        languages: Default::default(),
        encoding: None,
    };
    let start = Instant::now();
    let outcome = passeur::pipeline::translate(&settings)?;
    let pipeline_seconds = start.elapsed().as_secs_f64();

    let counts = &outcome.report.counts;
    println!(
        "input:     {} articles, {} sentences ({} unique)",
        counts.articles,
        sentences.len(),
        counts.unique_segments
    );
    println!(
        "model:     {}, beam {beam_size}, {threads} replicas x 1 thread, int8",
        model.display()
    );
    println!(
        "raw engine: {raw_seconds:8.2} s  ({} translations)",
        raw.len()
    );
    println!(
        "pipeline:   {pipeline_seconds:8.2} s  (translate stage {:.2} s)",
        outcome.report.timings_seconds.translate
    );
    println!("ratio pipeline/raw: {:.3}", pipeline_seconds / raw_seconds);
    Ok(())
}
