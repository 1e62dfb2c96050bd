//! `passeur translate` on good input, with the real engine.

use serde_json::Value;

use crate::fixture::{files_below, repo, stderr, Fixture};

/// Every non-space character of an article is in exactly one aligned source segment, in
/// order, and every span points at its source text: nothing dropped, nothing doubled.
fn assert_covers(article: &str, rows: &[&Value]) {
    let mut rebuilt = String::new();
    for row in rows {
        let span = row["span"].as_array().unwrap();
        let (start, end) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        assert_eq!(&article[start..end], row["source"].as_str().unwrap());
        rebuilt.push_str(&article[start..end]);
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    // Markdown markers are kept aside, not translated.
    let without_markers: String = article
        .lines()
        .map(|l| {
            let t = l.trim_start();
            for marker in ["## ", "# ", "- "] {
                if let Some(rest) = t.strip_prefix(marker) {
                    return rest.to_string();
                }
            }
            t.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(squeeze(&rebuilt), squeeze(&without_markers));
}

#[test]
fn translates_the_examples_on_the_real_engine() {
    let fx = Fixture::new();
    let examples = repo().join("examples/articles");
    let output = fx.translate(&[examples.to_str().unwrap()], &[]);
    assert!(output.status.success(), "{}", stderr(&output));

    let outputs = files_below(&fx.path("out"));
    assert_eq!(
        outputs,
        [
            "aligned.jsonl",
            "aligned.tmx",
            "aligned.tsv",
            "aligned.xlf",
            "conseil-europeen-defense.en.txt",
            "indo-pacifique-coree.en.md",
            "onu-climat.en.txt",
            "otan-japon-bureau-de-liaison.en.txt",
            "review.html",
            "run.json"
        ]
    );
    let rows = fx.aligned();
    let run = fx.run_json();
    assert_eq!(
        run["counts"]["segments"].as_u64().unwrap() as usize,
        rows.len()
    );
    assert_eq!(run["counts"]["articles"], 4);
    assert!(
        run["throughput"]["source_tokens_per_second"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(run["model"]["architecture"], "TransformerSpec");
    assert!(run["failures"].as_array().unwrap().is_empty());

    for entry in std::fs::read_dir(&examples).unwrap() {
        let path = entry.unwrap().path();
        let id = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let mine: Vec<&Value> = rows
            .iter()
            .filter(|r| r["article"] == id.as_str())
            .collect();
        assert!(!mine.is_empty(), "{id} has no rows");
        assert_covers(&text, &mine);
        for row in &mine {
            assert!(row["target"].is_string());
            assert!(row["score"].is_number(), "{row}");
        }
    }
}

#[test]
fn english_articles_keep_the_paragraph_structure() {
    let fx = Fixture::new();
    let source = "Titre sans point\n\nPremière phrase. Deuxième phrase.\n\n\n# Intertitre\n- un point\nDernière ligne.\n";
    fx.write("in/a.md", source);
    let output = fx.translate(&["in/a.md"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let english = fx.read("out/a.en.md");
    let lines: Vec<&str> = english.split('\n').collect();
    let source_lines: Vec<&str> = source.split('\n').collect();
    assert_eq!(lines.len(), source_lines.len(), "{english:?}");
    for (en, fr) in lines.iter().zip(&source_lines) {
        assert_eq!(en.trim().is_empty(), fr.trim().is_empty(), "{english:?}");
    }
    assert!(lines[5].starts_with("# "), "{english:?}");
    assert!(lines[6].starts_with("- "), "{english:?}");
    let rows = fx.aligned();
    let paragraphs: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["paragraph"].as_u64().unwrap(),
                r["index"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(paragraphs, [(0, 0), (1, 0), (1, 1), (2, 0), (3, 0), (4, 0)]);
}

#[test]
fn reads_files_folders_jsonl_and_stdin_together() {
    let fx = Fixture::new();
    fx.write("one.txt", "Un article. Deux phrases.");
    fx.write("dir/b/deux.txt", "Le second article.");
    fx.write("dir/a/trois.md", "Le troisième.");
    fx.write("dir/ignored.csv", "a,b");
    fx.write(
        "batch.jsonl",
        "{\"id\": \"j1\", \"text\": \"Premier.\"}\n{\"id\": \"j2\", \"text\": \"Second.\"}\n",
    );
    let mut child = fx
        .passeur(&[
            "translate",
            "one.txt",
            "dir",
            "batch.jsonl",
            "-",
            "-o",
            "out",
            "--quiet",
            "--format",
            "jsonl",
            "--model",
        ])
        .arg(crate::fixture::tiny_model())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Depuis l'entrée standard.".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let ids: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(
        unique,
        ["one.txt", "a/trois.md", "b/deux.txt", "j1", "j2", "stdin"]
    );
    assert_eq!(
        files_below(&fx.path("out")),
        [
            "a/trois.en.md",
            "aligned.jsonl",
            "b/deux.en.txt",
            "j1.en.txt",
            "j2.en.txt",
            "one.en.txt",
            "run.json",
            "stdin.en.txt"
        ]
    );
}

#[test]
fn identical_sentences_are_translated_once() {
    let fx = Fixture::new();
    fx.write("a.txt", "La même phrase. La même phrase.\nLa même phrase.");
    let output = fx.translate(&["a.txt"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let run = fx.run_json();
    assert_eq!(run["counts"]["segments"], 3);
    assert_eq!(run["counts"]["unique_segments"], 1);
    let rows = fx.aligned();
    assert!(rows.iter().all(|r| r["target"] == rows[0]["target"]));
}

#[test]
fn output_is_identical_at_any_thread_count() {
    let fx = Fixture::new();
    let examples = repo().join("examples/articles");
    let examples = examples.to_str().unwrap();
    let one = fx.translate(&[examples], &["--threads", "1"]);
    assert!(one.status.success(), "{}", stderr(&one));
    let first = fx.read("out/aligned.jsonl");
    let two = fx.translate(&[examples], &["--threads", "2", "--replicas", "2"]);
    assert!(two.status.success(), "{}", stderr(&two));
    assert_eq!(first, fx.read("out/aligned.jsonl"));
}

#[test]
fn article_ids_cannot_escape_the_output_folder() {
    let fx = Fixture::new();
    fx.write(
        "evil.jsonl",
        "{\"id\": \"../../escaped\", \"text\": \"Un.\"}\n{\"id\": \"/etc/abs\", \"text\": \"Deux.\"}\n",
    );
    let output = fx.translate(&["evil.jsonl"], &["--format", "jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!fx.path("escaped.en.txt").exists());
    assert!(!fx
        .dir
        .path()
        .parent()
        .unwrap()
        .join("escaped.en.txt")
        .exists());
    assert_eq!(
        files_below(&fx.path("out")),
        [
            "_../_../escaped.en.txt",
            "aligned.jsonl",
            "etc/abs.en.txt",
            "run.json"
        ]
    );
}

#[test]
fn the_seed_article_finds_every_glossary_occurrence() {
    let fx = Fixture::new();
    let seed = repo().join("examples/articles/otan-japon-bureau-de-liaison.txt");
    let glossary = repo().join("glossaries/fr-en.json");
    let output = fx.translate(
        &[seed.to_str().unwrap()],
        &["-g", glossary.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = fx.aligned();
    let count = |target: &str| {
        rows.iter()
            .flat_map(|r| r["terms"].as_array().unwrap())
            .filter(|t| t["target"] == target)
            .count()
    };
    assert_eq!(count("NATO"), 14);
    assert_eq!(count("Indo-Pacific"), 5);
    assert_eq!(count("liaison office") + count("liaison offices"), 4);
    for row in &rows {
        let target = row["target"].as_str().unwrap();
        for term in row["terms"].as_array().unwrap() {
            let status = term["status"].as_str().unwrap();
            let wanted = term["target"].as_str().unwrap();
            match status {
                // Present: the term is in the English, as the glossary writes it.
                "ok" | "normalised" | "repaired-nbest" | "repaired-prefix" => {
                    assert!(
                        target.contains(wanted),
                        "{status} but {wanted:?} not in {target:?}"
                    )
                }
                // Missing: flagged for the reviewer.
                "missing" => assert!(
                    row["flags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f["check"] == "missing-term"),
                    "{row}"
                ),
                other => panic!("unexpected status {other}"),
            }
            let span = term["span"].as_array().unwrap();
            let source = row["source"].as_str().unwrap();
            let text =
                &source[span[0].as_u64().unwrap() as usize..span[1].as_u64().unwrap() as usize];
            assert_eq!(text, term["source"].as_str().unwrap());
            assert!(term["entry"].as_str().unwrap().contains("fr-en.json#"));
        }
        if !row["terms"].as_array().unwrap().is_empty() {
            assert!(row["model_input"].is_string(), "{row}");
        }
    }
    let first = &rows[0];
    assert!(first["model_input"].as_str().unwrap().contains("NATO"));
    let run = fx.run_json();
    let counts = &run["counts"];
    let matches = counts["term_matches"].as_u64().unwrap();
    assert!(matches >= 23);
    let sum = [
        "terms_ok",
        "terms_normalised",
        "terms_repaired",
        "terms_missing",
    ]
    .iter()
    .map(|k| counts[*k].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(sum, matches);
    // The tiny model's own output is gibberish: the terms are there because prefix repair
    // forced them in.
    assert!(counts["terms_repaired"].as_u64().unwrap() > 0);
    let present = matches - counts["terms_missing"].as_u64().unwrap();
    let hit_rate = counts["term_hit_rate"].as_f64().unwrap();
    assert!((hit_rate - present as f64 / matches as f64).abs() < 1e-9);
}

#[test]
fn a_sentence_too_long_for_the_model_is_split_and_rejoined_in_one_row() {
    let fx = Fixture::new();
    let clause = "le gouvernement a présenté un projet de loi sur la défense";
    let sentence = format!("Hier, {}.", [clause; 12].join(", "));
    fx.write("long.txt", format!("Avant. {sentence} Après."));
    let output = fx.translate(&["long.txt"], &["--max-segment-tokens", "40"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = fx.aligned();
    assert_eq!(rows.len(), 3, "one row per source sentence");
    assert_eq!(rows[1]["source"], sentence.as_str());
    let flags: Vec<&str> = rows[1]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert!(flags.contains(&"split"), "{flags:?}");
    assert!(!rows[1]["target"].as_str().unwrap().is_empty());
    assert_eq!(fx.run_json()["counts"]["segments_split"], 1);
    assert!(rows[0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["check"] != "split"));
}

#[test]
fn the_engine_keeps_freed_memory_unless_the_user_tunes_malloc_and_translates_the_same() {
    let fx = Fixture::new();
    let examples = repo().join("examples/articles");
    let model = crate::fixture::tiny_model();
    let run = |out: &str, user_setting: Option<(&str, &str)>| {
        let mut command = fx.passeur(&[
            "translate",
            examples.to_str().unwrap(),
            "-o",
            out,
            "--model",
            model.to_str().unwrap(),
            "--quiet",
        ]);
        for (name, _) in std::env::vars() {
            if name.starts_with("MALLOC_") || name == "GLIBC_TUNABLES" {
                command.env_remove(name);
            }
        }
        if let Some((name, value)) = user_setting {
            command.env(name, value);
        }
        let output = command.output().expect("the binary runs");
        assert!(output.status.success(), "{}", stderr(&output));
        fx.run_json_in(out)["model"]["allocator"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let kept = run("kept", None);
    let user = run("user", Some(("MALLOC_ARENA_MAX", "4")));
    let tunables = run(
        "tunables",
        Some(("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")),
    );
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        assert!(kept.contains("keeping freed memory"), "{kept}");
        assert!(user.contains("the user's settings"), "{user}");
        assert!(tunables.contains("the user's settings"), "{tunables}");
    }
    // The allocator changes where buffers live, never what the engine computes.
    let rows = |out: &str| fx.read(&format!("{out}/aligned.jsonl"));
    assert_eq!(rows("kept"), rows("user"));
    assert_eq!(rows("kept"), rows("tunables"));
}

/// A JSONL article is text whatever its id ends with: `page.html` gives `page.en.txt`, and
/// a URL id one flat file, never an `.en.html` holding plain text.
#[test]
fn a_jsonl_article_with_a_document_like_id_is_written_as_text() {
    let fx = Fixture::new();
    fx.write(
        "batch.jsonl",
        "{\"id\": \"page.html\", \"text\": \"Le conseil se réunit.\"}\n\
         {\"id\": \"https://www.lemonde.fr/international/otan.html\", \"text\": \"L'OTAN aussi.\"}\n",
    );
    let output = fx.translate(&["batch.jsonl"], &[]);
    assert!(
        output.status.success(),
        "{}",
        crate::fixture::stderr(&output)
    );
    assert!(fx.path("out/page.en.txt").is_file());
    assert!(fx
        .path("out/www.lemonde.fr_international_otan.en.txt")
        .is_file());
    assert!(!fx.path("out/page.en.html").exists());
}
