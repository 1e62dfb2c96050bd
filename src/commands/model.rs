//! `passeur model fetch` and `passeur model info`.

use std::path::PathBuf;

use anyhow::Result;

use super::Status;
use crate::cli::FetchArgs;
use crate::config::{self, FetchSettings};
use crate::model;
use crate::options::LanguagePair;
use crate::translate::backend;
use crate::translate::conventions::Conventions;

pub(crate) fn fetch(args: FetchArgs) -> Result<Status> {
    let settings = FetchSettings::from_args(args)?;
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

pub(crate) fn info(dir: Option<PathBuf>) -> Result<Status> {
    let dir = dir.unwrap_or_else(config::default_model_dir);
    if !model::is_installed(&dir) {
        anyhow::bail!(
            "{}: no model here; `passeur model fetch` downloads the default one, and \
             `passeur model info DIR` describes any other",
            dir.display()
        );
    }
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
    println!("backend:       {}", backend::describe());
    println!("allocator:     {}", backend::allocator());
    // The conventions for passeur's default pair; a multilingual model without tokens for
    // it says so here, as `translate` would.
    match Conventions::read(&dir, &LanguagePair::default()) {
        Ok(conventions) => println!("input:         {}", conventions.describe()),
        Err(e) => println!("input:         {e}"),
    }
    Ok(Status::Success)
}
