//! Bad input gets a clear error naming the file and line; the rest of the batch goes on;
//! the exit status tells the truth.

use serde_json::Value;

use crate::fixture::{files_below, stderr, Fixture};

fn failures(fx: &Fixture) -> Vec<Value> {
    fx.run_json()["failures"].as_array().unwrap().clone()
}

/// The good article was still translated, and one failure names `needle`.
fn assert_partial(fx: &Fixture, output: &std::process::Output, needle: &str) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert!(
        stderr(output).contains(needle),
        "stderr lacks {needle:?}: {}",
        stderr(output)
    );
    assert!(fx.path("out/good.en.txt").is_file());
    assert!(fx.aligned().iter().any(|r| r["article"] == "good.txt"));
    assert!(
        failures(fx)
            .iter()
            .any(|f| f["error"].as_str().unwrap().contains(needle)),
        "run.json lacks {needle:?}: {:?}",
        failures(fx)
    );
}

#[test]
fn a_missing_file_is_reported_and_the_rest_translated() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    let output = fx.translate(&["good.txt", "absent.txt"], &[]);
    assert_partial(&fx, &output, "absent.txt");
}

#[test]
fn non_utf8_text_names_the_line() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    fx.write(
        "latin1.txt",
        b"Premi\xe8re ligne correcte.\nDeuxi\xe8me.\n".as_slice(),
    );
    fx.write("later.txt", b"Ligne un.\nLigne deux \xff.\n".as_slice());
    let output = fx.translate(&["good.txt", "latin1.txt", "later.txt"], &[]);
    assert_partial(&fx, &output, "latin1.txt:1: not valid UTF-8");
    assert_partial(&fx, &output, "later.txt:2: not valid UTF-8");
    let lines: Vec<u64> = failures(&fx)
        .iter()
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(lines, [1, 2]);
}

#[test]
fn a_binary_file_is_rejected() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    fx.write("image.txt", [0x89, b'P', b'N', b'G', 0, 0, 1, 2].as_slice());
    let output = fx.translate(&["good.txt", "image.txt"], &[]);
    assert_partial(&fx, &output, "image.txt: binary file");
}

#[test]
fn an_empty_article_is_reported() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    fx.write("empty.txt", "  \n\n");
    let output = fx.translate(&["good.txt", "empty.txt"], &[]);
    assert_partial(&fx, &output, "empty.txt: empty article");
}

#[test]
fn an_invalid_jsonl_line_is_reported_and_the_other_lines_translated() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    fx.write(
        "batch.jsonl",
        "{\"id\": \"a\", \"text\": \"Premier.\"}\n{\"id\": \"b\", \"text\": \n{\"id\": \"c\", \"text\": \"Troisième.\"}\n{\"text\": \"sans id\"}\n",
    );
    let output = fx.translate(&["good.txt", "batch.jsonl"], &[]);
    assert_partial(&fx, &output, "batch.jsonl:2: invalid JSONL line");
    assert_partial(&fx, &output, "batch.jsonl:4: invalid JSONL line");
    let ids: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["article"].as_str().unwrap().into())
        .collect();
    assert_eq!(ids, ["good.txt", "a", "c"]);
}

#[test]
fn an_invalid_glossary_names_its_line_and_stops_the_run_before_any_work() {
    let fx = Fixture::new();
    fx.write("good.txt", "L'OTAN se réunit.");
    fx.write("broken.json", "[\n  {\"source\": \"OTAN\", \"target\": \"NATO\"},\n  {\"source\": \"ONU\" \"target\": \"UN\"}\n]\n");
    let output = fx.translate(&["good.txt"], &["-g", "broken.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.json:3:"),
        "{}",
        stderr(&output)
    );
    assert!(
        files_below(&fx.path("out")).is_empty(),
        "nothing translated"
    );
}

#[test]
fn an_invalid_glossary_entry_is_skipped_and_the_others_used() {
    let fx = Fixture::new();
    fx.write("good.txt", "L'OTAN se réunit.");
    fx.write(
        "g.json",
        r#"[{"source": "OTAN", "target": "NATO"}, {"source": "ONU", "target": " "}]"#,
    );
    let output = fx.translate(&["good.txt"], &["-g", "g.json"]);
    assert_partial(
        &fx,
        &output,
        "g.json:1: entry 2 (\"ONU\"): the target term is empty",
    );
    assert_eq!(fx.aligned()[0]["terms"][0]["target"], "NATO");
}

#[test]
fn duplicate_article_ids_are_reported_not_overwritten() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    fx.write("other/good.txt", "Un autre article.");
    let output = fx.translate(&["good.txt", "other/good.txt"], &[]);
    assert_partial(&fx, &output, "already used by good.txt");
}

#[test]
fn a_missing_model_offline_names_the_fetch_command() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    let output = fx.run(&["translate", "good.txt", "-o", "out", "--offline"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("models/opus-mt-fr-en"), "{message}");
    assert!(message.contains("passeur model fetch"), "{message}");
    assert!(!fx.path("out").exists());
}

#[test]
fn bad_options_are_rejected_before_any_work() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    let output = fx.translate(&["good.txt"], &["--compute-type", "int3"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("invalid value 'int3' for '--compute-type"),
        "{message}"
    );
    assert!(
        message.contains("int8_float32"),
        "the names are listed: {message}"
    );
    assert!(files_below(fx.dir.path()) == ["good.txt"]);
}

/// A build with the `cuda` feature accepts `--device cuda` (whether a GPU is there is then
/// CTranslate2's to say), so this holds for the default build only.
#[cfg(not(feature = "cuda"))]
#[test]
fn cuda_without_the_cuda_feature_says_how_to_get_it() {
    let fx = Fixture::new();
    fx.write("good.txt", "Un bon article.");
    let output = fx.translate(&["good.txt"], &["--device", "cuda"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("no CUDA support"), "{message}");
    assert!(message.contains("--features cuda"), "{message}");
    assert!(files_below(fx.dir.path()) == ["good.txt"]);
}

/// Issue "nothing lost silently", item 1: a sentence cut at the model's input limit is a
/// failure (stderr, run.json, exit 1), and an empty translation is marked in the English.
#[test]
fn a_cut_translation_is_a_failure_not_a_flag() {
    let fx = Fixture::new();
    fx.write("long.txt", format!("Court. {}", "a".repeat(20_000)));
    let output = fx.translate(&["long.txt"], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("long.txt (article \"long.txt\"), paragraph 1 sentence 1: truncated"),
        "{message}"
    );
    let failures = fx.run_json()["failures"].clone();
    assert!(failures
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["error"].as_str().unwrap().contains("truncated")));
    assert_eq!(fx.run_json()["counts"]["segments_failed"], 1);
}

/// A single enormous segment (a 3 MB line with no space) is cut before tokenisation: the
/// run's memory stays small, and the segment is reported truncated.
#[test]
fn an_enormous_segment_is_cut_before_tokenisation_and_reported() {
    let fx = Fixture::new();
    fx.write("huge.txt", "a".repeat(3_000_000));
    let output = fx.translate(&["huge.txt"], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("truncated"), "{}", stderr(&output));
    let peak = fx.run_json()["peak_rss_bytes"].as_u64().unwrap_or(0);
    assert!(
        peak > 0 && peak < 1 << 30,
        "peak memory {peak} bytes for one 3 MB segment"
    );
    let row = &fx.aligned()[0];
    assert!(row["flags"].to_string().contains("truncated"), "{row}");
}
