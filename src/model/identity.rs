//! A model identified by what it holds, not by where it lies: the run fingerprint (and so
//! every article's) depends on the model's files, so the same model at another path merges
//! with shards translated elsewhere, and `touch model.bin` re-translates nothing.
//!
//! Hashing the weights (300 MB for OPUS-MT) costs about half a second, so the hash is kept
//! with a stamp of the files (path, names, sizes, modification times) and computed again
//! only when the stamp changes.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The files of a model folder that make the model: regular, not hidden, sorted by name.
fn files(dir: &Path) -> std::io::Result<Vec<(String, std::fs::Metadata)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata = std::fs::metadata(entry.path())?;
        if metadata.is_file() && !name.starts_with('.') {
            files.push((name, metadata));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// What says cheaply that a model folder has not changed since its hash was taken.
pub fn stamp(dir: &Path) -> std::io::Result<String> {
    let mut stamp = dir.canonicalize()?.display().to_string();
    for (name, metadata) in files(dir)? {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        stamp.push_str(&format!("\n{name} {} {modified}", metadata.len()));
    }
    Ok(stamp)
}

/// The SHA-256 of the model's files: each one's name, size and content, in name order.
pub fn content_hash(dir: &Path) -> std::io::Result<String> {
    let mut all = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    for (name, metadata) in files(dir)? {
        let mut file = std::fs::File::open(dir.join(&name))?;
        let mut one = Sha256::new();
        loop {
            let read = file.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            one.update(&buffer[..read]);
        }
        all.update(format!("{name}\0{}\0", metadata.len()).as_bytes());
        all.update(one.finalize());
    }
    Ok(crate::files::hex(all.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_elsewhere_have_the_same_hash_and_another_stamp() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for dir in [a.path(), b.path()] {
            std::fs::write(dir.join("model.bin"), b"weights").unwrap();
            std::fs::write(dir.join("config.json"), b"{}").unwrap();
            std::fs::write(dir.join(".hidden"), dir.display().to_string()).unwrap();
        }
        assert_eq!(
            content_hash(a.path()).unwrap(),
            content_hash(b.path()).unwrap()
        );
        assert_ne!(stamp(a.path()).unwrap(), stamp(b.path()).unwrap());
        std::fs::write(b.path().join("model.bin"), b"other weights").unwrap();
        assert_ne!(
            content_hash(a.path()).unwrap(),
            content_hash(b.path()).unwrap()
        );
    }
}
