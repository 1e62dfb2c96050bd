//! `passeur model info`: what a model folder holds, read from its files without loading
//! the model. Also the completeness check run after every download.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a CTranslate2 model file: {reason}")]
    BadModelFile { path: String, reason: String },
    #[error("{dir}: no vocabulary (shared_vocabulary.txt/.json or source_/target_vocabulary)")]
    NoVocabulary { dir: String },
    #[error("{dir}: no tokenizer (source.spm and target.spm, tokenizer.json, or vocab.json and merges.txt)")]
    NoTokenizer { dir: String },
}

/// What `model info` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// The CTranslate2 spec, e.g. `TransformerSpec`.
    pub architecture: String,
    pub binary_version: u32,
    pub encoder_layers: usize,
    pub decoder_layers: usize,
    /// Width of the embeddings.
    pub model_dim: Option<u32>,
    /// The type the weights are stored in (`float32`, `int8`, `float16`, …).
    pub weight_type: String,
    pub vocabulary_size: usize,
    /// Rows of the decoder's embeddings: the target vocabulary the weights were trained
    /// with, which the vocabulary file must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_embedding_rows: Option<usize>,
    pub tokenizer: String,
    pub size_bytes: u64,
}

/// Reads a model folder's description.
pub fn inspect(dir: &Path) -> Result<ModelInfo, ModelError> {
    let model_path = dir.join("model.bin");
    let header = read_header(&model_path)?;
    let vocabulary_size = vocabulary_size(dir)?;
    let tokenizer = tokenizer_kind(dir)?;
    let size_bytes = std::fs::read_dir(dir)
        .map_err(|source| ModelError::Io {
            path: dir.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok()?.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    Ok(ModelInfo {
        architecture: header.spec,
        binary_version: header.version,
        encoder_layers: header.encoder_layers,
        decoder_layers: header.decoder_layers,
        model_dim: header.model_dim,
        target_embedding_rows: header.target_rows.map(|r| r as usize),
        weight_type: header.weight_type,
        vocabulary_size,
        tokenizer,
        size_bytes,
    })
}

struct Header {
    version: u32,
    spec: String,
    encoder_layers: usize,
    decoder_layers: usize,
    model_dim: Option<u32>,
    target_rows: Option<u32>,
    weight_type: String,
}

/// Walks the variable table of `model.bin` (CTranslate2's binary format: version, spec
/// name and revision, then each variable's name, shape, type and bytes), skipping the data.
fn read_header(path: &Path) -> Result<Header, ModelError> {
    let name = path.display().to_string();
    let bad = |reason: String| ModelError::BadModelFile {
        path: name.clone(),
        reason,
    };
    let file = File::open(path).map_err(|source| ModelError::Io {
        path: name.clone(),
        source,
    })?;
    let mut r = BufReader::new(file);
    let io = |e: std::io::Error| bad(format!("truncated or unreadable ({e})"));
    let version = read_u32(&mut r).map_err(io)?;
    if !(1..=10).contains(&version) {
        return Err(bad(format!("unknown binary version {version}")));
    }
    let spec = if version >= 2 {
        let spec = read_string(&mut r).map_err(io)?;
        let _revision = read_u32(&mut r).map_err(io)?;
        spec
    } else {
        "TransformerSpec".to_string()
    };
    let count = read_u32(&mut r).map_err(io)?;
    let mut encoder_layers = 0;
    let mut decoder_layers = 0;
    let mut model_dim = None;
    let mut target_rows = None;
    let mut weight_type = String::from("unknown");
    for _ in 0..count {
        let var = read_string(&mut r).map_err(io)?;
        let rank = read_u8(&mut r).map_err(io)?;
        let mut dims = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            dims.push(read_u32(&mut r).map_err(io)?);
        }
        let (type_id, num_bytes) = if version >= 4 {
            let type_id = read_u8(&mut r).map_err(io)?;
            (type_id, u64::from(read_u32(&mut r).map_err(io)?))
        } else {
            let item = read_u8(&mut r).map_err(io)?;
            (
                u8::MAX,
                u64::from(read_u32(&mut r).map_err(io)?) * u64::from(item),
            )
        };
        for (prefix, layers) in [
            ("encoder/layer_", &mut encoder_layers),
            ("decoder/layer_", &mut decoder_layers),
        ] {
            if let Some(rest) = var.strip_prefix(prefix) {
                if let Some(n) = rest.split('/').next().and_then(|n| n.parse::<usize>().ok()) {
                    *layers = (*layers).max(n + 1);
                }
            }
        }
        if var == "decoder/embeddings/weight" || var == "decoder/embeddings_0/weight" {
            target_rows = target_rows.or(dims.first().copied());
        }
        if var.ends_with("embeddings/weight") || var.ends_with("embeddings_0/weight") {
            model_dim = model_dim.or(dims.get(1).copied());
            weight_type = type_name(type_id).to_string();
        }
        let here = r.stream_position().map_err(io)?;
        r.seek(SeekFrom::Start(here + num_bytes)).map_err(io)?;
    }
    let end = r.stream_position().map_err(io)?;
    let len = r.get_ref().metadata().map_err(io)?.len();
    if end > len {
        return Err(bad(format!(
            "the variables need {end} bytes but the file has {len}: it is incomplete"
        )));
    }
    Ok(Header {
        version,
        spec,
        encoder_layers,
        decoder_layers,
        model_dim,
        target_rows,
        weight_type,
    })
}

/// CTranslate2's DataType ids.
fn type_name(id: u8) -> &'static str {
    match id {
        0 => "float32",
        1 => "int8",
        2 => "int16",
        3 => "int32",
        4 => "float16",
        5 => "bfloat16",
        _ => "unknown",
    }
}

fn read_u8(r: &mut impl Read) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// A u16 length (terminating NUL included), then the bytes.
fn read_string(r: &mut impl Read) -> std::io::Result<String> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b)?;
    let len = u16::from_le_bytes(b) as usize;
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes)?;
    if bytes.last() == Some(&0) {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn vocabulary_size(dir: &Path) -> Result<usize, ModelError> {
    for base in ["shared_vocabulary", "target_vocabulary"] {
        let txt = dir.join(format!("{base}.txt"));
        let json = dir.join(format!("{base}.json"));
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| ModelError::Io { path, source }
        };
        if txt.is_file() {
            let text = std::fs::read_to_string(&txt).map_err(io(&txt))?;
            return Ok(text.lines().count());
        }
        if json.is_file() {
            let text = std::fs::read_to_string(&json).map_err(io(&json))?;
            let tokens: Vec<String> =
                serde_json::from_str(&text).map_err(|e| ModelError::BadModelFile {
                    path: json.display().to_string(),
                    reason: e.to_string(),
                })?;
            return Ok(tokens.len());
        }
    }
    Err(ModelError::NoVocabulary {
        dir: dir.display().to_string(),
    })
}

fn tokenizer_kind(dir: &Path) -> Result<String, ModelError> {
    if dir.join("tokenizer.json").is_file() {
        // Read with the same library and version the engine uses.
        let path = dir.join("tokenizer.json");
        return match tokenizers::Tokenizer::from_file(&path) {
            Ok(t) => Ok(format!(
                "Hugging Face tokenizers (tokenizer.json, {} tokens)",
                t.get_vocab_size(true)
            )),
            Err(e) => Err(ModelError::BadModelFile {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        };
    }
    if dir.join("source.spm").is_file() && dir.join("target.spm").is_file() {
        return Ok("SentencePiece (source.spm, target.spm)".into());
    }
    if dir.join("vocab.json").is_file() && dir.join("merges.txt").is_file() {
        return Ok("BPE (vocab.json, merges.txt)".into());
    }
    Err(ModelError::NoTokenizer {
        dir: dir.display().to_string(),
    })
}
