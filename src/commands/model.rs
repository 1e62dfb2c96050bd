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
    say!(
        "installed {} ({} files, {} bytes): {}",
        fetched.dir.display(),
        fetched.files.len(),
        fetched.bytes,
        fetched.files.join(", ")
    )?;
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
    say!("model:         {}", dir.display())?;
    say!("architecture:  {}", info.architecture)?;
    say!(
        "layers:        {} encoder, {} decoder",
        info.encoder_layers,
        info.decoder_layers
    )?;
    if let Some(dim) = info.model_dim {
        say!("model width:   {dim}")?;
    }
    say!("weights:       {}", info.weight_type)?;
    say!("vocabulary:    {} tokens", info.vocabulary_size)?;
    say!("tokenizer:     {}", info.tokenizer)?;
    say!("size:          {} bytes", info.size_bytes)?;
    say!("backend:       {}", backend::describe())?;
    say!("allocator:     {}", backend::allocator())?;
    // The conventions for passeur's default pair; a multilingual model without tokens for
    // it says so here, as `translate` would.
    match Conventions::read(&dir, &LanguagePair::default()) {
        Ok(conventions) => say!("input:         {}", conventions.describe())?,
        Err(e) => say!("input:         {e}")?,
    }
    Ok(Status::Success)
}
