//! `translate --shard K/N` and `passeur merge`: a batch split over separate processes gives
//! what a single run gives.

use std::path::Path;

use crate::fixture::{files_below, stderr, tiny_model, Fixture};

fn write_batch(fx: &Fixture, count: usize) {
    for n in 0..count {
        fx.write(
            &format!("in/a{n:03}.txt"),
            format!(
                "L'OTAN se réunit à Bruxelles, dépêche {n}. Le budget atteindra {n} % du total.\n\nLa suite, numéro {n}."
            ),
        );
    }
}

fn translate(fx: &Fixture, out: &str, extra: &[&str]) -> std::process::Output {
    translate_with(fx, "in", &tiny_model(), out, extra)
}

/// `passeur translate INPUT -o OUT --model MODEL --quiet --chunk-segments 9 EXTRA`.
fn translate_with(
    fx: &Fixture,
    input: &str,
    model: &Path,
    out: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "translate",
        input,
        "-o",
        out,
        "--model",
        model.to_str().unwrap(),
        "--quiet",
        "--chunk-segments",
        "9",
    ];
    args.extend_from_slice(extra);
    fx.run(&args)
}

/// Every output a user reads, but run.json (timings) and the state.
fn outputs(fx: &Fixture, out: &str) -> Vec<(String, String)> {
    files_below(&fx.path(out))
        .into_iter()
        .filter(|f| f != "run.json")
        .map(|f| {
            let text = fx.read(&format!("{out}/{f}"));
            (f, text)
        })
        .collect()
}

fn merge(fx: &Fixture, shards: &[&str]) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend_from_slice(shards);
    args.extend_from_slice(&["-o", "merged", "--quiet"]);
    fx.run(&args)
}

#[test]
fn three_shards_merged_equal_a_single_run() {
    let fx = Fixture::new();
    write_batch(&fx, 30);
    let single = translate(&fx, "single", &[]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    let mut counts = Vec::new();
    for k in 0..3 {
        let out = format!("shard{k}");
        let shard = format!("{k}/3");
        let run = translate(&fx, &out, &["--shard", &shard]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        counts.push(fx.run_json_in(&out)["counts"]["articles"].as_u64().unwrap());
    }
    assert_eq!(
        counts.iter().sum::<u64>(),
        30,
        "each article in exactly one shard"
    );
    assert!(
        counts.iter().all(|&n| n > 0),
        "every shard has work: {counts:?}"
    );

    let merged = merge(&fx, &["shard2", "shard0", "shard1"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(outputs(&fx, "merged"), outputs(&fx, "single"));
    let c = fx.run_json_in("merged")["counts"].clone();
    assert_eq!(
        (c["articles"].as_u64(), c["segments"].clone()),
        (
            Some(30),
            fx.run_json_in("single")["counts"]["segments"].clone()
        )
    );

    // Merging again after one shard was run again with one article changed copies that
    // article only.
    fx.write("in/a004.txt", "Un article réécrit.");
    let k = (0..3)
        .find(|k| {
            fx.aligned_in(&format!("shard{k}"))
                .iter()
                .any(|r| r["article"] == "a004.txt")
        })
        .unwrap();
    let rerun = translate(&fx, &format!("shard{k}"), &["--shard", &format!("{k}/3")]);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    let again = merge(&fx, &["shard0", "shard1", "shard2"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let c = fx.run_json_in("merged")["counts"].clone();
    assert_eq!(
        (
            c["articles_translated"].as_u64(),
            c["articles_reused"].as_u64()
        ),
        (Some(1), Some(29)),
        "{c}"
    );
    let single = translate(&fx, "single", &[]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    assert_eq!(outputs(&fx, "merged"), outputs(&fx, "single"));
}

#[test]
fn a_killed_shard_is_refused_until_it_is_run_again() {
    let fx = Fixture::new();
    write_batch(&fx, 150);
    let model = tiny_model();
    let args = [
        "translate",
        "in",
        "-o",
        "shard1",
        "--model",
        model.to_str().unwrap(),
        "--quiet",
        "--chunk-segments",
        "3",
        "--shard",
        "1/2",
    ];
    let first = translate(&fx, "shard0", &["--shard", "0/2"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let mut child = fx.passeur(&args).spawn().unwrap();
    fx.wait_for_english_files("shard1", 5);
    child.kill().unwrap();
    child.wait().unwrap();

    let refused = merge(&fx, &["shard0", "shard1"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("did not finish"),
        "{}",
        stderr(&refused)
    );

    let rerun = fx.run(&args);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    assert!(
        fx.run_json_in("shard1")["counts"]["articles_reused"]
            .as_u64()
            .unwrap()
            > 0
    );
    let merged = merge(&fx, &["shard0", "shard1"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let single = translate(&fx, "single", &[]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    assert_eq!(outputs(&fx, "merged"), outputs(&fx, "single"));
}

#[test]
fn merge_refuses_an_incomplete_or_overlapping_set() {
    let fx = Fixture::new();
    write_batch(&fx, 6);
    for k in 0..3 {
        let run = translate(&fx, &format!("shard{k}"), &["--shard", &format!("{k}/3")]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let unsharded = translate(&fx, "whole", &[]);
    assert_eq!(unsharded.status.code(), Some(0));

    let incomplete = merge(&fx, &["shard0", "shard2"]);
    assert_eq!(incomplete.status.code(), Some(2));
    assert!(
        stderr(&incomplete).contains("1/3 missing"),
        "{}",
        stderr(&incomplete)
    );

    let twice = merge(&fx, &["shard0", "shard1", "shard1"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("overlap"), "{}", stderr(&twice));

    let not_a_shard = merge(&fx, &["shard0", "shard1", "whole"]);
    assert_eq!(not_a_shard.status.code(), Some(2));
    assert!(
        stderr(&not_a_shard).contains("not a shard"),
        "{}",
        stderr(&not_a_shard)
    );
    assert!(!fx.path("merged/aligned.jsonl").exists(), "nothing merged");

    let bad = fx.run(&["translate", "in", "-o", "x", "--shard", "3/3"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("0 ≤ K < N"), "{}", stderr(&bad));
}

/// Regression: `merge s0 s1 -o s0` waited on its own lock (exit 75, retried forever by a
/// scheduler), and shards of two batches were refused only after English files were
/// copied into the merged folder.
#[test]
fn merge_checks_the_whole_set_before_writing_anything() {
    let fx = Fixture::new();
    write_batch(&fx, 6);
    for k in 0..3 {
        let run = translate(&fx, &format!("shard{k}"), &["--shard", &format!("{k}/3")]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let into_a_shard = fx.run(&[
        "merge", "shard0", "shard1", "shard2", "-o", "shard1", "--quiet",
    ]);
    assert_eq!(
        into_a_shard.status.code(),
        Some(2),
        "{}",
        stderr(&into_a_shard)
    );
    assert!(
        stderr(&into_a_shard).contains("is one of the shards"),
        "{}",
        stderr(&into_a_shard)
    );

    // A second batch whose articles are named so that one of them takes, in shard 1 or 2,
    // a place shard 0 of the first batch holds.
    let in_shard0: Vec<usize> = (0..6)
        .filter(|n| passeur::config::Shard::of(&format!("a{n:03}.txt"), 3) == 0)
        .collect();
    let prefix = ('b'..='z')
        .find(|p| {
            in_shard0
                .iter()
                .any(|n| passeur::config::Shard::of(&format!("{p}{n:03}.txt"), 3) != 0)
        })
        .unwrap();
    for n in 0..6 {
        fx.write(
            &format!("other/{prefix}{n:03}.txt"),
            format!("Une autre dépêche, {n}."),
        );
    }
    for k in 1..3 {
        let shard = format!("{k}/3");
        let run = translate_with(
            &fx,
            "other",
            &tiny_model(),
            &format!("other{k}"),
            &["--shard", &shard],
        );
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let mixed = fx.run(&[
        "merge", "shard0", "other1", "other2", "-o", "mixed", "--quiet",
    ]);
    assert_eq!(mixed.status.code(), Some(2), "{}", stderr(&mixed));
    assert!(
        stderr(&mixed).contains("different batches"),
        "{}",
        stderr(&mixed)
    );
    assert!(
        !fx.path("mixed").exists(),
        "nothing written: {:?}",
        files_below(&fx.path("mixed"))
    );
}

/// Regression: the run fingerprint held the model's path and modification time, so the
/// same model at another path was refused by `merge`; and shards translated with different
/// glossaries merged without a word.
#[test]
fn shards_are_compared_by_what_shapes_their_output() {
    let fx = Fixture::new();
    write_batch(&fx, 6);
    // The same model in another folder, its files written anew (other modification times).
    let copy = fx.copy_of_tiny_model("copy");
    for k in 0..3 {
        let shard = format!("{k}/3");
        let model = if k == 1 { copy.clone() } else { tiny_model() };
        let run = translate_with(
            &fx,
            "in",
            &model,
            &format!("shard{k}"),
            &["--shard", &shard],
        );
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let merged = merge(&fx, &["shard0", "shard1", "shard2"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));

    fx.write("g.json", r#"[{"source": "OTAN", "target": "NATO"}]"#);
    let with_glossary = translate(
        &fx,
        "glossed1",
        &["--shard", "1/3", "-g", "g.json", "--beam-size", "2"],
    );
    assert_eq!(
        with_glossary.status.code(),
        Some(0),
        "{}",
        stderr(&with_glossary)
    );
    let mixed = fx.run(&[
        "merge", "shard0", "glossed1", "shard2", "-o", "mixed", "--quiet",
    ]);
    assert_eq!(mixed.status.code(), Some(2), "{}", stderr(&mixed));
    let err = stderr(&mixed);
    assert!(err.contains("beam_size: 4 against 2"), "{err}");
    assert!(
        err.contains("glossaries: [] (0 entries) against [\"g.json\"] (1 entries)"),
        "{err}"
    );
}
