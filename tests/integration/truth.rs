//! Nothing lost silently: inputs skipped or misread, names overwritten. Each test is named
//! after the class of problem it guards (see the "nothing lost silently" issue).

use std::io::Write;
use std::process::Stdio;

use crate::fixture::{files_below, stderr, tiny_model, Fixture};

fn articles(fx: &Fixture) -> Vec<String> {
    let mut ids: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect();
    ids.dedup();
    ids
}

#[test]
fn output_file_names_are_unique_by_construction() {
    let fx = Fixture::new();
    fx.write("a.txt", "Le premier article.");
    fx.write(
        "more.jsonl",
        "{\"id\": \"a\", \"text\": \"Le deuxième article.\"}\n{\"id\": \"a-2\", \"text\": \"Le troisième article.\"}\n",
    );
    let output = fx.translate(&["a.txt", "more.jsonl"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let english: Vec<String> = files_below(&fx.path("out"))
        .into_iter()
        .filter(|f| f.contains(".en."))
        .collect();
    assert_eq!(english.len(), 3, "three articles, three files: {english:?}");
    let texts: Vec<String> = english
        .iter()
        .map(|f| fx.read(&format!("out/{f}")))
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "no article's file overwrote another's");
}

#[test]
fn folder_walks_ignore_extension_case_follow_links_and_report_what_they_skip() {
    let fx = Fixture::new();
    fx.write("in/UPPER.TXT", "Un article en majuscules.");
    fx.write("in/doc.Md", "# Titre\n\nUn article Markdown.");
    fx.write("in/image.png", "not text");
    fx.write("in/.hidden.txt", "Caché.");
    fx.write("elsewhere/linked.txt", "Un article lié.");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(fx.path("elsewhere"), fx.path("in/link")).unwrap();
        std::os::unix::fs::symlink(fx.path("in"), fx.path("in/loop")).unwrap();
    }
    let output = fx.translate(&["in"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let ids = articles(&fx);
    assert!(ids.contains(&"UPPER.TXT".to_string()), "{ids:?}");
    assert!(ids.contains(&"doc.Md".to_string()), "{ids:?}");
    #[cfg(unix)]
    assert!(ids.contains(&"link/linked.txt".to_string()), "{ids:?}");
    let skipped = fx.run_json()["skipped"].to_string();
    assert!(skipped.contains("image.png"), "{skipped}");
    assert!(skipped.contains(".hidden.txt"), "{skipped}");
    #[cfg(unix)]
    assert!(skipped.contains("loop"), "{skipped}");
}

#[test]
fn an_output_folder_inside_an_input_folder_is_not_read_back() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "Un article.");
    let model = tiny_model();
    let args = [
        "translate",
        "in",
        "-o",
        "in/en",
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ];
    for _ in 0..2 {
        let output = fx.run(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    assert_eq!(
        files_below(&fx.path("in/en"))
            .into_iter()
            .filter(|f| f.contains(".en."))
            .collect::<Vec<_>>(),
        ["a.en.txt"]
    );
    let skipped = fx.read("in/en/run.json");
    assert!(skipped.contains("a passeur output folder"), "{skipped}");
}

#[test]
fn utf16_files_are_decoded_and_cr_only_lines_are_paragraphs() {
    let fx = Fixture::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "Un article en UTF-16.".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    fx.write("utf16.txt", utf16);
    fx.write("mac.txt", "Premier paragraphe.\rDeuxième paragraphe.\r");
    let output = fx.translate(&["utf16.txt", "mac.txt"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = fx.aligned();
    assert_eq!(rows[0]["source"], "Un article en UTF-16.");
    let mac: Vec<_> = rows.iter().filter(|r| r["article"] == "mac.txt").collect();
    assert_eq!(mac.len(), 2);
    assert_eq!(
        mac[1]["paragraph"], 1,
        "the second line is its own paragraph"
    );
}

#[test]
fn standard_input_jsonl_with_a_bad_first_line_is_still_jsonl() {
    let fx = Fixture::new();
    let model = tiny_model();
    let mut child = fx
        .passeur(&[
            "translate",
            "-",
            "-o",
            "out",
            "--model",
            model.to_str().unwrap(),
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": \"a\", \"text\": oops}\n{\"id\": \"b\", \"text\": \"Un article.\"}\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("<stdin>:1: invalid JSONL line"),
        "{}",
        stderr(&output)
    );
    assert_eq!(articles(&fx), ["b"]);
}

#[test]
fn lint_reports_what_loading_refuses() {
    let fx = Fixture::new();
    fx.write(
        "g.json",
        r#"[{"source": "OTAN", "target": "NATO"}, {"pattern": "(unclosed"}, {"pattern": "x*"}, {"source": "\u00ad", "target": "nothing"}]"#,
    );
    let output = fx.run(&["glossary", "lint", "g.json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.contains("entry 2") && report.contains("invalid pattern"),
        "{report}"
    );
    assert!(
        report.contains("entry 3") && report.contains("empty string"),
        "{report}"
    );
    assert!(
        report.contains("entry 4") && report.contains("nothing once normalised"),
        "{report}"
    );
    assert!(!report.contains("clean"), "{report}");

    // Loading refuses the same entries, and translation still uses the good one.
    fx.write("a.txt", "L'OTAN se réunit.");
    let translated = fx.translate(&["a.txt"], &["-g", "g.json"]);
    assert_eq!(translated.status.code(), Some(1), "{}", stderr(&translated));
    assert_eq!(fx.aligned()[0]["terms"][0]["target"], "NATO");
}

#[test]
fn glossary_exports_are_lossless_or_refused() {
    let fx = Fixture::new();
    fx.write(
        "g.json",
        "[{\"source\": \"#MeToo\", \"target\": \"#MeToo\"}, {\"source\": \"OTAN\", \"target\": \"NATO\", \"note\": \"a\\tb\"}]",
    );
    let csv = fx.run(&["glossary", "export", "g.json", "g.csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    let back = fx.run(&["glossary", "import", "g.csv", "back.json"]);
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    let listed = fx.run(&["glossary", "list", "back.json"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("#MeToo → #MeToo"), "{listed}");
    assert!(
        listed.contains("note: a\tb"),
        "the tab survives CSV: {listed}"
    );

    let tsv = fx.run(&["glossary", "export", "g.json", "g.tsv"]);
    assert_eq!(tsv.status.code(), Some(2));
    assert!(
        stderr(&tsv).contains("entry 1 (\"#MeToo\")"),
        "{}",
        stderr(&tsv)
    );
    assert!(!fx.path("g.tsv").exists(), "nothing half written");
}

#[test]
fn a_reviewers_edits_are_never_overwritten() {
    let fx = Fixture::new();
    fx.write("a.txt", "Un article. Une autre phrase.");
    let output = fx.translate(&["a.txt"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Writing the formats again from aligned.jsonl leaves an unedited file as it was.
    let review = fx.run(&["review", "out"]);
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    assert!(!fx.path("out/aligned.tsv.edited-1").exists());

    let edited = fx
        .read("out/aligned.tsv")
        .replacen("needs-review", "translated", 1);
    fx.write("out/aligned.tsv", &edited);
    let review = fx.run(&["review", "out"]);
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    assert!(
        stderr(&review).contains("aligned.tsv.edited-1"),
        "{}",
        stderr(&review)
    );
    assert_eq!(
        fx.read("out/aligned.tsv.edited-1"),
        edited,
        "the reviewer's work is kept"
    );

    // A translate run that renders again keeps an edited file aside too.
    let edited = fx
        .read("out/aligned.xlf")
        .replace("needs-review-translation", "final");
    fx.write("out/aligned.xlf", &edited);
    let again = fx.translate(&["a.txt"], &["--force"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(fx.read("out/aligned.xlf.edited-1"), edited);
    assert!(fx.run_json()["notes"]
        .to_string()
        .contains("aligned.xlf.edited-1"));
}

#[test]
fn glossary_add_edits_the_list_keeps_the_mode_and_follows_links() {
    let fx = Fixture::new();
    fx.write("real/g.json", "{\"entries\": [], \"meta\": {\"x\": [1]}}\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            fx.path("real/g.json"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        std::os::unix::fs::symlink(fx.path("real/g.json"), fx.path("link.json")).unwrap();
    }
    #[cfg(not(unix))]
    std::fs::copy(fx.path("real/g.json"), fx.path("link.json")).unwrap();
    let added = fx.run(&[
        "glossary",
        "add",
        "link.json",
        "--source",
        "OTAN",
        "--target",
        "NATO",
    ]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let text = fx.read("link.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("still valid JSON");
    assert_eq!(json["entries"][0]["target"], "NATO");
    assert_eq!(
        json["meta"]["x"][0], 1,
        "the rest of the object is untouched"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert!(fx
            .path("link.json")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink());
        let mode = std::fs::metadata(fx.path("real/g.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

#[test]
fn the_term_hit_rate_counts_occurrences_not_entries() {
    let fx = Fixture::new();
    fx.write("many.txt", format!("{}la Chine.", "L'OTAN et ".repeat(30)));
    fx.write("g.json", r#"[{"source": "OTAN", "target": "NATO"}]"#);
    let output = fx.translate(&["many.txt"], &["-g", "g.json"]);
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&output)
    );
    let row = &fx.aligned()[0];
    let in_output = row["target"].as_str().unwrap().matches("NATO").count();
    let present = row["terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] != "missing")
        .count();
    assert_eq!(row["terms"].as_array().unwrap().len(), 30);
    assert_eq!(
        present, in_output,
        "one NATO in the output stands for one OTAN"
    );
    let rate = fx.run_json()["counts"]["term_hit_rate"].as_f64().unwrap();
    assert!((rate - in_output as f64 / 30.0).abs() < 1e-9, "{rate}");
}

#[test]
fn repair_never_makes_a_split_sentence_worse() {
    let fx = Fixture::new();
    let sentence = "L'OTAN et le Japon travaillent, selon le ministre, à l'ouverture d'un bureau, \
                    dans ce pays d'Asie de l'Est, avec les alliés européens, et la région \
                    indo-pacifique est devenue une priorité pour les alliés européens.";
    fx.write("long.txt", sentence);
    let glossary = crate::fixture::repo().join("glossaries/fr-en.json");
    let limits = ["--max-segment-tokens", "24", "--max-input-tokens", "48"];
    let plain = fx.translate(&["long.txt"], &limits);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let plain_tokens = fx.aligned()[0]["target_tokens"].as_u64().unwrap();

    let mut args = limits.to_vec();
    args.extend(["-g", glossary.to_str().unwrap(), "--force"]);
    let repaired = fx.translate(&["long.txt"], &args);
    assert!(
        repaired.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&repaired)
    );
    let row = &fx.aligned()[0];
    let flags = row["flags"].to_string();
    assert!(flags.contains("split"), "translated in pieces: {flags}");
    assert!(
        !flags.contains("\"truncated\",\"severity\":\"error\""),
        "{flags}"
    );
    let tokens = row["target_tokens"].as_u64().unwrap();
    assert!(
        tokens * 10 >= plain_tokens * 7,
        "the repaired translation ({tokens} tokens) kept what the pieces said ({plain_tokens})"
    );
}

#[test]
fn an_input_that_cannot_be_read_this_time_does_not_lose_its_earlier_translation() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "Un article.");
    fx.write("in/b.txt", "Un autre article.");
    let first = fx.translate(&["in"], &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    fx.write("in/b.txt", b"Un autre \xff article.");
    let second = fx.translate(&["in"], &[]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert!(fx.path("out/b.en.txt").exists(), "b's translation is kept");
    assert_eq!(articles(&fx), ["a.txt", "b.txt"]);
    assert!(fx.run_json()["notes"].to_string().contains("kept"));
    // Once b reads again, the folder follows the inputs exactly.
    std::fs::remove_file(fx.path("in/b.txt")).unwrap();
    let third = fx.translate(&["in"], &[]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert!(!fx.path("out/b.en.txt").exists());
    assert_eq!(articles(&fx), ["a.txt"]);
}

/// Regression: with `-o` equal to the input folder, the second run read its own outputs
/// (`*.en.en.txt`, `aligned.en.xlf`, JSONL errors); an XLIFF job in the output folder would
/// be written over.
#[test]
fn an_output_folder_is_never_an_input() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "Un article.");
    fx.write("in/job.xlf", "<xliff version=\"1.2\"/>");
    for args in [["in", "in"], ["in/job.xlf", "in"]] {
        let out = fx.translate_into(args[0], args[1], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("the output folder holds the input"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!fx.path("in/a.en.txt").exists(), "nothing written");
}

/// Regression: ids differing only in case or Unicode normalisation collided on
/// case-insensitive volumes, reserved names (`CON`) could not be written on Windows shares,
/// URL ids nested folders seven deep, and a 10,000-character id was echoed whole.
#[test]
fn file_names_are_unique_on_case_insensitive_volumes_and_ids_are_cut_in_messages() {
    let fx = Fixture::new();
    let long = "x".repeat(10_000);
    let lines: Vec<String> = [
        ("Article", "Un premier article."),
        ("article", "Un second article."),
        ("cafe\u{301}", "Un troisième."),
        ("caf\u{e9}", "Un quatrième."),
        ("CON", "Un cinquième."),
        (
            "https://www.lemonde.fr/international/article/2024/05/03/otan",
            "Un sixième.",
        ),
        (long.as_str(), "Un septième."),
        (long.as_str(), "Le même identifiant."),
    ]
    .iter()
    .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
    .collect();
    fx.write("batch.jsonl", lines.join("\n"));
    let out = fx.translate(&["batch.jsonl"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let files: Vec<String> = files_below(&fx.path("out"))
        .into_iter()
        .filter(|f| f.ends_with(".en.txt"))
        .collect();
    let keys: std::collections::HashSet<String> =
        files.iter().map(|f| passeur::files::file_key(f)).collect();
    assert_eq!(
        keys.len(),
        7,
        "one file per article, whatever the volume: {files:?}"
    );
    assert!(files.contains(&"_CON.en.txt".to_string()), "{files:?}");
    assert!(
        files.contains(&"www.lemonde.fr_international_article_2024_05_03_otan.en.txt".to_string()),
        "{files:?}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("… (10000 characters) is already used"),
        "{err}"
    );
    assert!(err.len() < 1000, "{err}");
}
