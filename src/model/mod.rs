//! Models: finding, fetching and describing CTranslate2 model folders.
//!
//! A model folder holds `model.bin` (CTranslate2's weights), a vocabulary
//! (`shared_vocabulary.txt` or `.json`, or source and target ones) and the model's
//! tokenizer (`source.spm`/`target.spm` for OPUS-MT, or `tokenizer.json`).

pub mod fetch;
pub mod identity;
pub mod info;

use std::path::Path;

/// True when `dir` looks like an installed model (its weights are there).
pub fn is_installed(dir: &Path) -> bool {
    dir.join("model.bin").is_file()
}
