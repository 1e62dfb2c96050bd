//! Model families: passeur feeds each model what the official CTranslate2 build is fed
//! (the PyPI wheel, through tools/wheel_reference.py, with each family's convention as
//! CTranslate2's guides give it), and greedy output equals the wheel's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::fixture::{self, repo, stderr, Fixture};

const SENTENCES: [&str; 3] = [
    "L'OTAN et le Japon travaillent à l'ouverture d'un bureau de liaison.",
    "Le gouvernement a présenté mercredi un projet de loi sur la défense.",
    "Selon l'Insee, le chômage a reculé de 0,3 point au troisième trimestre.",
];

fn model(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// What the wheel makes of SENTENCES with a family's convention.
fn reference(python: &Path, model_dir: &Path, convention: Value) -> Vec<Value> {
    let mut request = convention;
    request["sentences"] = json!(SENTENCES);
    let mut child = Command::new(python)
        .arg(repo().join("tools/wheel_reference.py"))
        .arg(model_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "wheel_reference.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// passeur's rows for SENTENCES, greedy and in float32 like the reference.
fn passeur_rows(model_dir: &Path) -> (Fixture, Vec<Value>) {
    let fixture = Fixture::new();
    fixture.write("in/phrases.txt", SENTENCES.join("\n\n"));
    let out = fixture.run(&[
        "translate",
        "in",
        "-o",
        "out",
        "--model",
        model_dir.to_str().unwrap(),
        "--beam-size",
        "1",
        "--compute-type",
        "float32",
        "--quiet",
    ]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let rows = fixture.aligned();
    assert_eq!(rows.len(), SENTENCES.len(), "one row per sentence");
    (fixture, rows)
}

fn assert_same_as_the_wheel(name: &str, convention: Value) {
    let dir = model(name);
    let (_fixture, rows) = passeur_rows(&dir);
    let Some(python) = fixture::tools_python("ctranslate2, sentencepiece", "the CTranslate2 wheel")
    else {
        return;
    };
    let expected = reference(&python, &dir, convention);
    for (row, want) in rows.iter().zip(&expected) {
        assert_eq!(
            row["source_tokens"].as_u64().unwrap() as usize,
            want["tokens"].as_array().unwrap().len(),
            "{name}: tokens fed for {:?}: the wheel is fed {}",
            row["source"],
            want["tokens"]
        );
        assert_eq!(
            row["target_tokens"].as_u64().unwrap() as usize,
            want["output"].as_array().unwrap().len(),
            "{name}: output length for {:?}",
            row["source"]
        );
        assert_eq!(row["target"], want["target"], "{name}: {:?}", row["source"]);
    }
}

/// Regression: a Marian-converted model (`add_source_eos: true`, as CTranslate2's Marian
/// converter writes it) was fed `</s>` twice.
#[test]
fn a_marian_converted_model_is_fed_one_end_token() {
    let config = std::fs::read_to_string(model("tiny-marian/config.json")).unwrap();
    assert!(config.contains("\"add_source_eos\": true"), "{config}");
    assert_same_as_the_wheel("tiny-marian", json!({"append_eos": false}));
}

#[test]
fn an_opus_mt_model_from_the_transformers_converter_is_fed_its_end_token() {
    assert_same_as_the_wheel("tiny-fr-en", json!({"append_eos": true}));
}

#[test]
fn nllb_gets_its_language_tokens() {
    assert_same_as_the_wheel(
        "tiny-nllb",
        json!({"source_prefix": ["fra_Latn"], "target_prefix": ["eng_Latn"], "append_eos": true}),
    );
}

#[test]
fn m2m100_gets_its_language_tokens() {
    assert_same_as_the_wheel(
        "tiny-m2m100",
        json!({"source_prefix": ["__fr__"], "target_prefix": ["__en__"], "append_eos": true}),
    );
}

/// Another target language reaches a multilingual model; one it has no token for is
/// refused before any work, naming the language.
#[test]
fn a_multilingual_model_is_told_the_pair_or_refuses_it() {
    let fixture = Fixture::new();
    fixture.write("a.txt", SENTENCES[0]);
    let nllb = model("tiny-nllb");
    let args = |target: &'static str| {
        vec![
            "translate",
            "a.txt",
            "-o",
            "out",
            "--model",
            nllb.to_str().unwrap(),
            "--quiet",
            "--target-lang",
            target,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let to_german: Vec<String> = args("de");
    let out = fixture.run(&to_german.iter().map(String::as_str).collect::<Vec<_>>());
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let report = fixture.run_json();
    assert!(
        report["model"]["conventions"]
            .as_str()
            .unwrap()
            .contains("target prefix: deu_Latn"),
        "{}",
        report["model"]
    );
    let to_italian: Vec<String> = args("it");
    let out = fixture.run(&to_italian.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no token for the target language \"it\" (tried ita_Latn)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn model_info_shows_the_conventions_it_detected() {
    let fixture = Fixture::new();
    for (name, expected) in [
        (
            "tiny-fr-en",
            "bilingual (no language tokens); source: tokens </s>",
        ),
        ("tiny-marian", "source: tokens </s> (added by CTranslate2)"),
        (
            "tiny-nllb",
            "NLLB-200 language tokens; source: fra_Latn tokens </s>; target prefix: eng_Latn",
        ),
        (
            "tiny-m2m100",
            "M2M-100 language tokens; source: __fr__ tokens </s>; target prefix: __en__",
        ),
    ] {
        let out = fixture.run(&["model", "info", model(name).to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {}", fixture::stderr(&out));
        assert!(text.contains(expected), "{name}: {text}");
    }
}
