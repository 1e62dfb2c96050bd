//! What a model expects around the tokens of a sentence, read from the model folder: the
//! special tokens CTranslate2 adds itself (`config.json`), and the language tokens of a
//! multilingual model (its vocabulary). The engine feeds exactly what the official
//! CTranslate2 build is fed for the same model:
//!
//! - `add_source_bos` / `add_source_eos` (written by the Marian, fairseq and OpenNMT
//!   converters): CTranslate2 adds `<s>` / `</s>` itself, so the tokenizer's own must go,
//!   or the encoder reads `</s> </s>`;
//! - NLLB-200 (`fra_Latn`, `eng_Latn`) and M2M-100 (`__fr__`, `__en__`): the source
//!   language token first, `</s>` last, the target language token as the target prefix
//!   (taken off the output again), as in CTranslate2's guides for those models;
//! - OPUS-MT models with several target languages (`>>eng<<` tokens): the target language
//!   token first in the source;
//! - `decoder_start_token` is CTranslate2's own business; it is read to be shown.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::EngineError;
use crate::options::LanguagePair;

/// The model's conventions, resolved for one language pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conventions {
    /// CTranslate2 prepends the start token itself (`add_source_bos`).
    pub engine_adds_bos: bool,
    /// CTranslate2 appends the end token itself (`add_source_eos`).
    pub engine_adds_eos: bool,
    pub bos: String,
    pub eos: String,
    /// The token decoding starts from, when the config names one.
    pub decoder_start: Option<String>,
    pub scheme: LanguageScheme,
    /// The token put first in every source (a language token), if any.
    pub source_prefix: Option<String>,
    /// The token every output starts with (a language token), if any.
    pub target_prefix: Option<String>,
}

/// How a model is told its languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageScheme {
    /// One language pair, nothing to tell.
    Bilingual,
    /// NLLB-200: FLORES-200 codes (`fra_Latn`) as source token and target prefix.
    Nllb,
    /// M2M-100: `__fr__` as source token, `__en__` as target prefix.
    M2m100,
    /// OPUS-MT with several target languages: `>>eng<<` first in the source.
    OpusTargetToken,
}

impl LanguageScheme {
    pub fn name(self) -> &'static str {
        match self {
            LanguageScheme::Bilingual => "bilingual (no language tokens)",
            LanguageScheme::Nllb => "NLLB-200 language tokens",
            LanguageScheme::M2m100 => "M2M-100 language tokens",
            LanguageScheme::OpusTargetToken => "OPUS-MT target language token",
        }
    }
}

/// The part of CTranslate2's `config.json` that shapes the input.
#[derive(Debug, Default, Deserialize)]
struct ModelConfig {
    #[serde(default)]
    add_source_bos: bool,
    #[serde(default)]
    add_source_eos: bool,
    bos_token: Option<String>,
    eos_token: Option<String>,
    decoder_start_token: Option<String>,
}

impl Conventions {
    /// Reads the conventions of the model in `dir` for `pair`. A multilingual model without
    /// a token for one of the pair's languages is refused: passeur cannot guess it.
    pub fn read(dir: &Path, pair: &LanguagePair) -> Result<Conventions, EngineError> {
        let config_path = dir.join("config.json");
        let config: ModelConfig = match std::fs::read_to_string(&config_path) {
            // Models converted before CTranslate2 wrote a config have none: its defaults.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ModelConfig::default(),
            Err(e) => return Err(EngineError(format!("{}: {e}", config_path.display()))),
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| EngineError(format!("{}: {e}", config_path.display())))?,
        };
        let vocabulary = vocabulary(dir)?;
        let scheme = detect(&vocabulary);
        let token = |language: &str, side: &str| {
            language_token(scheme, language, &vocabulary).ok_or_else(|| {
                EngineError(format!(
                    "{}: the model is multilingual ({}) and has no token for the {side} \
                     language {language:?} (tried {}); pass --{side}-lang with one of its \
                     own codes",
                    dir.display(),
                    scheme.name(),
                    candidates(scheme, language).join(", ")
                ))
            })
        };
        let (source_prefix, target_prefix) = match scheme {
            LanguageScheme::Bilingual => (None, None),
            LanguageScheme::Nllb | LanguageScheme::M2m100 => (
                Some(token(&pair.source, "source")?),
                Some(token(&pair.target, "target")?),
            ),
            LanguageScheme::OpusTargetToken => (Some(token(&pair.target, "target")?), None),
        };
        Ok(Conventions {
            engine_adds_bos: config.add_source_bos,
            engine_adds_eos: config.add_source_eos,
            bos: config.bos_token.unwrap_or_else(|| "<s>".into()),
            eos: config.eos_token.unwrap_or_else(|| "</s>".into()),
            decoder_start: config.decoder_start_token,
            scheme,
            source_prefix,
            target_prefix,
        })
    }

    /// The tokens to feed for what the tokenizer made of a sentence (its own special
    /// tokens included): those the engine adds itself are taken off, language tokens the
    /// tokenizer placed for its default language are replaced by the pair's.
    pub fn source(&self, mut tokens: Vec<String>) -> Vec<String> {
        if self.scheme != LanguageScheme::Bilingual {
            // Language tokens sit at either end (NLLB's legacy order put it last).
            let is_language = |t: &String| is_language_token(self.scheme, t);
            if tokens.first().is_some_and(is_language) {
                tokens.remove(0);
            }
            if tokens.last().is_some_and(is_language) {
                tokens.pop();
            }
            if tokens.last().is_none_or(|t| *t != self.eos) {
                tokens.push(self.eos.clone());
            }
        }
        if self.engine_adds_bos && tokens.first().is_some_and(|t| *t == self.bos) {
            tokens.remove(0);
        }
        if self.engine_adds_eos && tokens.last().is_some_and(|t| *t == self.eos) {
            tokens.pop();
        }
        if let Some(prefix) = &self.source_prefix {
            tokens.insert(0, prefix.clone());
        }
        tokens
    }

    /// One line for `model info` and `run.json`: what a sentence becomes.
    pub fn describe(&self) -> String {
        let mut source = Vec::new();
        if self.engine_adds_bos {
            source.push(format!("{} (added by CTranslate2)", self.bos));
        }
        source.extend(self.source_prefix.clone());
        source.push("tokens".into());
        source.push(match self.engine_adds_eos {
            true => format!("{} (added by CTranslate2)", self.eos),
            false => self.eos.clone(),
        });
        let mut line = format!("{}; source: {}", self.scheme.name(), source.join(" "));
        if let Some(prefix) = &self.target_prefix {
            line.push_str(&format!("; target prefix: {prefix}"));
        }
        if let Some(start) = &self.decoder_start {
            line.push_str(&format!("; decoding starts from {start}"));
        }
        line
    }
}

/// Every token of the model's vocabularies (shared, or source and target).
fn vocabulary(dir: &Path) -> Result<HashSet<String>, EngineError> {
    let mut tokens = HashSet::new();
    for base in [
        "shared_vocabulary",
        "source_vocabulary",
        "target_vocabulary",
    ] {
        let txt = dir.join(format!("{base}.txt"));
        let json = dir.join(format!("{base}.json"));
        let read = |path: &Path| {
            std::fs::read_to_string(path)
                .map_err(|e| EngineError(format!("{}: {e}", path.display())))
        };
        if txt.is_file() {
            tokens.extend(read(&txt)?.lines().map(str::to_string));
        } else if json.is_file() {
            let list: Vec<String> = serde_json::from_str(&read(&json)?)
                .map_err(|e| EngineError(format!("{}: {e}", json.display())))?;
            tokens.extend(list);
        }
    }
    Ok(tokens)
}

fn detect(vocabulary: &HashSet<String>) -> LanguageScheme {
    let has = |t: &str| vocabulary.contains(t);
    if has("eng_Latn") || has("fra_Latn") {
        LanguageScheme::Nllb
    } else if has("__en__") || has("__fr__") {
        LanguageScheme::M2m100
    } else if vocabulary
        .iter()
        .any(|t| is_language_token(LanguageScheme::OpusTargetToken, t))
    {
        LanguageScheme::OpusTargetToken
    } else {
        LanguageScheme::Bilingual
    }
}

fn is_language_token(scheme: LanguageScheme, token: &str) -> bool {
    let letters = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    match scheme {
        LanguageScheme::Bilingual => false,
        LanguageScheme::Nllb => token.split_once('_').is_some_and(|(lang, script)| {
            lang.len() == 3
                && letters(lang)
                && script.len() == 4
                && script.chars().all(|c| c.is_ascii_alphabetic())
        }),
        LanguageScheme::M2m100 => token
            .strip_prefix("__")
            .and_then(|t| t.strip_suffix("__"))
            .is_some_and(|code| letters(&code.replace('_', ""))),
        LanguageScheme::OpusTargetToken => token
            .strip_prefix(">>")
            .and_then(|t| t.strip_suffix("<<"))
            .is_some_and(|code| {
                !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }),
    }
}

/// The model's token for `language` (a BCP 47 tag such as `fr`, `zh-TW`, or the model's
/// own code such as `fra_Latn`), if its vocabulary has one.
fn language_token(
    scheme: LanguageScheme,
    language: &str,
    vocabulary: &HashSet<String>,
) -> Option<String> {
    candidates(scheme, language)
        .into_iter()
        .find(|t| vocabulary.contains(t))
}

/// The tokens that may stand for `language` in `scheme`, most likely first.
fn candidates(scheme: LanguageScheme, language: &str) -> Vec<String> {
    let tag = language.replace('_', "-");
    let primary = tag
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let flores = flores(&tag);
    // The model's own code (`fra_Latn`) as given; never a plain `en`, which is an ordinary
    // piece in many vocabularies.
    let mut out: Vec<String> = Some(language.to_string())
        .filter(|code| is_language_token(scheme, code))
        .into_iter()
        .collect();
    match scheme {
        LanguageScheme::Bilingual => {}
        LanguageScheme::Nllb => out.extend(flores),
        LanguageScheme::M2m100 => out.push(format!("__{primary}__")),
        LanguageScheme::OpusTargetToken => {
            if let Some(code) = flores {
                out.push(format!(">>{}<<", &code[..3]));
            }
            out.push(format!(">>{primary}<<"));
        }
    }
    out
}

/// The FLORES-200 code (NLLB's) of a BCP 47 tag, for the languages of news translation.
fn flores(tag: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.split('-');
    let primary = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    if primary == "zh" {
        let traditional = rest
            .iter()
            .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
        return Some(if traditional { "zho_Hant" } else { "zho_Hans" }.into());
    }
    const TABLE: &[(&str, &str)] = &[
        ("ar", "arb_Arab"),
        ("bg", "bul_Cyrl"),
        ("bn", "ben_Beng"),
        ("ca", "cat_Latn"),
        ("cs", "ces_Latn"),
        ("da", "dan_Latn"),
        ("de", "deu_Latn"),
        ("el", "ell_Grek"),
        ("en", "eng_Latn"),
        ("es", "spa_Latn"),
        ("et", "est_Latn"),
        ("eu", "eus_Latn"),
        ("fa", "pes_Arab"),
        ("fi", "fin_Latn"),
        ("fr", "fra_Latn"),
        ("ga", "gle_Latn"),
        ("gl", "glg_Latn"),
        ("he", "heb_Hebr"),
        ("hi", "hin_Deva"),
        ("hr", "hrv_Latn"),
        ("hu", "hun_Latn"),
        ("id", "ind_Latn"),
        ("it", "ita_Latn"),
        ("ja", "jpn_Jpan"),
        ("ko", "kor_Hang"),
        ("lt", "lit_Latn"),
        ("lv", "lvs_Latn"),
        ("ms", "zsm_Latn"),
        ("nb", "nob_Latn"),
        ("nl", "nld_Latn"),
        ("no", "nob_Latn"),
        ("oc", "oci_Latn"),
        ("pl", "pol_Latn"),
        ("pt", "por_Latn"),
        ("ro", "ron_Latn"),
        ("ru", "rus_Cyrl"),
        ("sk", "slk_Latn"),
        ("sl", "slv_Latn"),
        ("sr", "srp_Cyrl"),
        ("sv", "swe_Latn"),
        ("sw", "swh_Latn"),
        ("th", "tha_Thai"),
        ("tr", "tur_Latn"),
        ("uk", "ukr_Cyrl"),
        ("ur", "urd_Arab"),
        ("vi", "vie_Latn"),
    ];
    TABLE
        .iter()
        .find(|(code, _)| *code == primary)
        .map(|(_, flores)| flores.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conventions(scheme: LanguageScheme, adds_eos: bool) -> Conventions {
        let (source_prefix, target_prefix) = match scheme {
            LanguageScheme::Nllb => (Some("fra_Latn".into()), Some("eng_Latn".into())),
            LanguageScheme::M2m100 => (Some("__fr__".into()), Some("__en__".into())),
            LanguageScheme::OpusTargetToken => (Some(">>eng<<".into()), None),
            LanguageScheme::Bilingual => (None, None),
        };
        Conventions {
            engine_adds_bos: false,
            engine_adds_eos: adds_eos,
            bos: "<s>".into(),
            eos: "</s>".into(),
            decoder_start: None,
            scheme,
            source_prefix,
            target_prefix,
        }
    }

    fn tokens(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    /// Regression: a Marian-converted model (`add_source_eos: true`) was fed `</s>` twice.
    #[test]
    fn the_end_token_is_left_to_the_engine_when_it_adds_one() {
        let bilingual = conventions(LanguageScheme::Bilingual, false);
        assert_eq!(
            bilingual.source(tokens("▁L' OTAN </s>")),
            tokens("▁L' OTAN </s>")
        );
        let marian = conventions(LanguageScheme::Bilingual, true);
        assert_eq!(marian.source(tokens("▁L' OTAN </s>")), tokens("▁L' OTAN"));
    }

    #[test]
    fn language_tokens_go_where_each_family_wants_them() {
        let nllb = conventions(LanguageScheme::Nllb, false);
        // tokenizer.json's post-processor puts its default language (eng_Latn) first.
        assert_eq!(
            nllb.source(tokens("eng_Latn ▁L' OTAN </s>")),
            tokens("fra_Latn ▁L' OTAN </s>")
        );
        // NLLB's legacy order, and a SentencePiece tokenizer that knows no language.
        assert_eq!(
            nllb.source(tokens("▁L' OTAN </s> eng_Latn")),
            tokens("fra_Latn ▁L' OTAN </s>")
        );
        let m2m = conventions(LanguageScheme::M2m100, false);
        assert_eq!(
            m2m.source(tokens("▁L' OTAN </s>")),
            tokens("__fr__ ▁L' OTAN </s>")
        );
        let opus = conventions(LanguageScheme::OpusTargetToken, false);
        assert_eq!(
            opus.source(tokens("▁L' OTAN </s>")),
            tokens(">>eng<< ▁L' OTAN </s>")
        );
    }

    #[test]
    fn languages_map_to_each_family_s_codes() {
        let vocabulary: HashSet<String> = ["fra_Latn", "eng_Latn", "zho_Hant", "zho_Hans"]
            .map(String::from)
            .into();
        assert_eq!(detect(&vocabulary), LanguageScheme::Nllb);
        let token = |lang| language_token(LanguageScheme::Nllb, lang, &vocabulary);
        assert_eq!(token("fr").as_deref(), Some("fra_Latn"));
        assert_eq!(token("en-US").as_deref(), Some("eng_Latn"));
        assert_eq!(token("zh-TW").as_deref(), Some("zho_Hant"));
        assert_eq!(token("zho_Hans").as_deref(), Some("zho_Hans"));
        assert_eq!(token("de"), None);
        // Regression: `en` is a piece of the vocabulary, not NLLB's English token.
        let with_piece: HashSet<String> = ["en", "eng_Latn"].map(String::from).into();
        assert_eq!(
            language_token(LanguageScheme::Nllb, "en", &with_piece).as_deref(),
            Some("eng_Latn")
        );
        let m2m: HashSet<String> = ["__fr__", "__en__"].map(String::from).into();
        assert_eq!(detect(&m2m), LanguageScheme::M2m100);
        assert_eq!(
            language_token(LanguageScheme::M2m100, "fr-FR", &m2m).as_deref(),
            Some("__fr__")
        );
        let opus: HashSet<String> = [">>eng<<", ">>deu<<", "▁the"].map(String::from).into();
        assert_eq!(detect(&opus), LanguageScheme::OpusTargetToken);
        assert_eq!(
            language_token(LanguageScheme::OpusTargetToken, "en", &opus).as_deref(),
            Some(">>eng<<")
        );
        let plain: HashSet<String> = ["▁the", "</s>"].map(String::from).into();
        assert_eq!(detect(&plain), LanguageScheme::Bilingual);
    }
}
