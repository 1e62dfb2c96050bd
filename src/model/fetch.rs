//! `passeur model fetch`: download a CTranslate2 model from the Hugging Face Hub.
//!
//! The hub's file listing (`/api/models/REPO/revision/REV?blobs=true`) gives each file's
//! size and, for large files, its SHA-256; each file is streamed from
//! `/REPO/resolve/REV/FILE` into a hidden folder beside the target, checked against both,
//! and only a complete, readable model is renamed into place. A failed or interrupted
//! download therefore never leaves a half model where passeur would load it. The endpoint
//! follows `HF_ENDPOINT` (and `HF_TOKEN` is sent when set), which is also how the tests
//! serve a fake hub on 127.0.0.1.
//!
//! Written on ureq rather than the `hf-hub` crate because hf-hub downloads into its own
//! cache layout; passeur wants one self-contained model folder, installed atomically.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::info;
use crate::config::FetchSettings;
use crate::progress::Progress;

const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("{url}: the hub answered HTTP {status}{hint}")]
    Status {
        url: String,
        status: u16,
        hint: &'static str,
    },
    #[error("{url}: unexpected listing: {message}")]
    Listing { url: String, message: String },
    #[error("{repo} is not a CTranslate2 model: it has no {missing}")]
    NotAModel { repo: String, missing: String },
    #[error("{file}: incomplete download: {got} of {expected} bytes")]
    Incomplete {
        file: String,
        got: u64,
        expected: u64,
    },
    #[error("{file}: checksum mismatch: expected SHA-256 {expected}, got {got}")]
    Checksum {
        file: String,
        expected: String,
        got: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{dir} already holds a model; add --force to replace it")]
    Exists { dir: String },
    #[error("the downloaded model is not usable: {0}")]
    Invalid(#[from] info::ModelError),
}

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub dir: PathBuf,
    pub files: Vec<String>,
    pub bytes: u64,
}

#[derive(Debug, Deserialize)]
struct Listing {
    siblings: Vec<Sibling>,
}

#[derive(Debug, Deserialize)]
struct Sibling {
    rfilename: String,
    size: Option<u64>,
    lfs: Option<Lfs>,
}

#[derive(Debug, Deserialize)]
struct Lfs {
    /// `sha256` in the model-info listing; `oid` in the tree listing.
    #[serde(alias = "oid")]
    sha256: String,
    size: Option<u64>,
}

/// The hub address: `HF_ENDPOINT`, or huggingface.co.
pub fn endpoint() -> String {
    std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// The files of a repository that make up a CTranslate2 model and its tokenizer.
fn is_model_file(name: &str) -> bool {
    if name.contains('/') {
        return false;
    }
    matches!(
        name,
        "model.bin"
            | "config.json"
            | "source.spm"
            | "target.spm"
            | "tokenizer.json"
            | "tokenizer_config.json"
            | "special_tokens_map.json"
            | "vocab.json"
            | "merges.txt"
            | "vocabulary.txt"
            | "vocabulary.json"
    ) || ((name.starts_with("shared_vocabulary")
        || name.starts_with("source_vocabulary")
        || name.starts_with("target_vocabulary"))
        && (name.ends_with(".txt") || name.ends_with(".json")))
}

/// Downloads `settings.repo` into `settings.dir`.
pub fn fetch(settings: &FetchSettings) -> Result<Fetched, FetchError> {
    let dir = &settings.dir;
    if super::is_installed(dir) && !settings.force {
        return Err(FetchError::Exists {
            dir: dir.display().to_string(),
        });
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_recv_body(Some(Duration::from_secs(60 * 30)))
        .user_agent(concat!("passeur/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let base = endpoint();
    let token = std::env::var("HF_TOKEN").ok().filter(|t| !t.is_empty());

    let listing_url = format!(
        "{base}/api/models/{}/revision/{}?blobs=true",
        settings.repo, settings.revision
    );
    let listing: Listing = {
        let mut response = get(&agent, &listing_url, token.as_deref())?;
        let mut body = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut body)
            .map_err(|e| network(&listing_url, e))?;
        serde_json::from_str(&body).map_err(|e| FetchError::Listing {
            url: listing_url.clone(),
            message: e.to_string(),
        })?
    };
    let files: Vec<&Sibling> = listing
        .siblings
        .iter()
        .filter(|s| is_model_file(&s.rfilename))
        .collect();
    if !files.iter().any(|s| s.rfilename == "model.bin") {
        return Err(FetchError::NotAModel {
            repo: settings.repo.clone(),
            missing: "model.bin".into(),
        });
    }

    let partial = partial_dir(dir);
    remove_dir(&partial)?;
    let result = download_all(&agent, &base, settings, token.as_deref(), &files, &partial)
        .and_then(|bytes| {
            info::inspect(&partial)?;
            install(&partial, dir)?;
            Ok(bytes)
        });
    match result {
        Ok(bytes) => Ok(Fetched {
            dir: dir.clone(),
            files: files.iter().map(|s| s.rfilename.clone()).collect(),
            bytes,
        }),
        Err(error) => {
            // Leave nothing half-done behind; the error is what matters to the user.
            let _ = std::fs::remove_dir_all(&partial);
            Err(error)
        }
    }
}

fn download_all(
    agent: &ureq::Agent,
    base: &str,
    settings: &FetchSettings,
    token: Option<&str>,
    files: &[&Sibling],
    partial: &Path,
) -> Result<u64, FetchError> {
    std::fs::create_dir_all(partial).map_err(|source| FetchError::Io {
        path: partial.display().to_string(),
        source,
    })?;
    let mut total = 0;
    for sibling in files {
        let url = format!(
            "{base}/{}/resolve/{}/{}",
            settings.repo, settings.revision, sibling.rfilename
        );
        total += download_file(agent, &url, token, sibling, partial, settings.quiet)?;
    }
    Ok(total)
}

fn download_file(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    sibling: &Sibling,
    partial: &Path,
    quiet: bool,
) -> Result<u64, FetchError> {
    let name = &sibling.rfilename;
    let path = partial.join(name);
    let io = |source| FetchError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut response = get(agent, url, token)?;
    let header_len = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let expected = sibling
        .lfs
        .as_ref()
        .and_then(|l| l.size)
        .or(sibling.size)
        .or(header_len);
    let progress = Progress::download(name, expected.unwrap_or(0), quiet);
    let mut file = std::fs::File::create(&path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut reader = response.body_mut().as_reader();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut got = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                progress.finish();
                return Err(network(url, e));
            }
        };
        file.write_all(&buffer[..n]).map_err(io)?;
        hasher.update(&buffer[..n]);
        got += n as u64;
        progress.advance(n);
    }
    progress.finish();
    file.sync_all().map_err(io)?;
    if let Some(expected) = expected {
        if got != expected {
            return Err(FetchError::Incomplete {
                file: name.clone(),
                got,
                expected,
            });
        }
    }
    if let Some(lfs) = &sibling.lfs {
        let digest = format!("{:x}", hasher.finalize());
        if !digest.eq_ignore_ascii_case(&lfs.sha256) {
            return Err(FetchError::Checksum {
                file: name.clone(),
                expected: lfs.sha256.clone(),
                got: digest,
            });
        }
    }
    Ok(got)
}

fn get(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request.call().map_err(|error| match error {
        ureq::Error::StatusCode(status) => FetchError::Status {
            url: url.to_string(),
            status,
            hint: match status {
                401 | 403 => " (a private or gated repository needs HF_TOKEN)",
                404 => " (no such repository, revision or file)",
                _ => "",
            },
        },
        other => network(url, other),
    })
}

fn network(url: &str, error: impl std::fmt::Display) -> FetchError {
    FetchError::Network {
        url: url.to_string(),
        message: error.to_string(),
    }
}

/// `models/.opus-mt-fr-en.partial` for `models/opus-mt-fr-en`: beside the target, so the
/// final rename stays on one file system.
fn partial_dir(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.partial"))
}

fn remove_dir(dir: &Path) -> Result<(), FetchError> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FetchError::Io {
            path: dir.display().to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Moves the checked download into place, replacing an older model only once the new one
/// is complete.
fn install(partial: &Path, dir: &Path) -> Result<(), FetchError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| FetchError::Io { path, source }
    };
    let old = dir.with_file_name(format!(
        ".{}.old",
        dir.file_name()
            .map_or("model".into(), |n| n.to_string_lossy())
    ));
    if dir.exists() {
        remove_dir(&old)?;
        std::fs::rename(dir, &old).map_err(io(dir))?;
    }
    std::fs::rename(partial, dir).map_err(io(dir))?;
    remove_dir(&old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_model_files() {
        for name in [
            "model.bin",
            "shared_vocabulary.txt",
            "source.spm",
            "tokenizer.json",
        ] {
            assert!(is_model_file(name), "{name}");
        }
        for name in [
            "README.md",
            ".gitattributes",
            "sub/model.bin",
            "pytorch_model.bin",
        ] {
            assert!(!is_model_file(name), "{name}");
        }
    }

    #[test]
    fn the_partial_folder_is_a_hidden_sibling() {
        assert_eq!(
            partial_dir(Path::new("models/opus-mt-fr-en")),
            PathBuf::from("models/.opus-mt-fr-en.partial")
        );
    }
}
