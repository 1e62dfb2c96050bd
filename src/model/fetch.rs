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
    #[error("{file}: checksum mismatch: expected {expected}, got {got}")]
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
    #[error("{file}: the download stalled: nothing received for {seconds} s (after {got} bytes); try again")]
    Stalled {
        file: String,
        seconds: u64,
        got: u64,
    },
    #[error("{file}: the hub's listing gives neither a checksum nor a size for it, so it cannot be verified")]
    Unverifiable { file: String },
    #[error("{dir}: the vocabulary has {vocabulary} tokens but the model {model}: they do not belong together")]
    VocabularyMismatch {
        dir: String,
        vocabulary: usize,
        model: usize,
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
    /// The git blob id (SHA-1 of `blob LEN\0` and the content): the hub's checksum of
    /// files that are not in LFS.
    #[serde(rename = "blobId")]
    blob_id: Option<String>,
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
        // No overall limit on a body (a model is hundreds of megabytes on a slow line), but
        // a connection that sends nothing for a minute is dead: see IDLE below.
        .timeout_recv_body(None)
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
            let model = info::inspect(&partial)?;
            if let Some(rows) = model.target_embedding_rows {
                if rows != model.vocabulary_size {
                    return Err(FetchError::VocabularyMismatch {
                        dir: dir.display().to_string(),
                        vocabulary: model.vocabulary_size,
                        model: rows,
                    });
                }
            }
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
    let response = get(agent, url, token)?;
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
    let mut got = 0u64;
    // The body is read on a thread of its own and handed over chunk by chunk, so that a
    // connection that stops sending is noticed (`idle_timeout()` without a byte) instead
    // of blocking the run: a stalled download fails, and its partial folder is removed.
    let (chunks, received) = std::sync::mpsc::sync_channel::<std::io::Result<Vec<u8>>>(8);
    let mut reader = response.into_body().into_reader();
    std::thread::spawn(move || loop {
        let mut buffer = vec![0u8; 256 * 1024];
        let result = match reader.read(&mut buffer) {
            Ok(n) => {
                buffer.truncate(n);
                Ok(buffer)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
        let last = !matches!(&result, Ok(b) if !b.is_empty());
        if chunks.send(result).is_err() || last {
            break;
        }
    });
    let idle = idle_timeout();
    loop {
        let chunk = match received.recv_timeout(idle) {
            Ok(Ok(chunk)) if chunk.is_empty() => break,
            Ok(Ok(chunk)) => chunk,
            Ok(Err(e)) => {
                progress.finish();
                return Err(network(url, e));
            }
            Err(_) => {
                progress.finish();
                return Err(FetchError::Stalled {
                    file: name.clone(),
                    seconds: idle.as_secs(),
                    got,
                });
            }
        };
        file.write_all(&chunk).map_err(io)?;
        hasher.update(&chunk);
        got += chunk.len() as u64;
        progress.advance(chunk.len());
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
    } else if let Some(blob_id) = &sibling.blob_id {
        // Small files (config, vocabulary, tokenizer) are plain git blobs.
        let bytes = std::fs::read(&path).map_err(io)?;
        let digest = git_blob_id(&bytes);
        if !digest.eq_ignore_ascii_case(blob_id) {
            return Err(FetchError::Checksum {
                file: name.clone(),
                expected: blob_id.clone(),
                got: digest,
            });
        }
    } else if expected.is_none() {
        return Err(FetchError::Unverifiable { file: name.clone() });
    }
    Ok(got)
}

/// Git's id of a blob: SHA-1 of `blob LEN\0` followed by the content.
fn git_blob_id(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    let mut hasher = sha1::Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    format!("{:x}", hasher.finalize())
}

/// How long a download may go without receiving a byte: 60 s, or
/// `PASSEUR_FETCH_IDLE_SECONDS`.
fn idle_timeout() -> Duration {
    let seconds = std::env::var("PASSEUR_FETCH_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(seconds)
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
