//! Batches of any size: chunks committed as they finish, reruns that do only what changed,
//! `kill -9` survived, one run per folder, problems found before any translation.

use std::fs::File;
use std::time::Duration;

use serde_json::Value;

use crate::fixture::{files_below, stderr, tiny_model, Fixture};

/// Sentences to build articles from; each article gets its own number, so that articles
/// differ and the engine has work in every chunk.
const SENTENCES: [&str; 6] = [
    "Le gouvernement a présenté un projet de loi sur la défense.",
    "L'OTAN et le Japon ouvrent un bureau de liaison à Tokyo.",
    "Les négociations reprendront à Bruxelles la semaine prochaine.",
    "Des milliers de manifestants ont défilé samedi à Paris.",
    "Le budget atteindra 2 % du produit intérieur brut.",
    "La Commission européenne propose de renforcer les contrôles.",
];

fn article(n: usize) -> String {
    (0..3)
        .map(|i| {
            let sentence = SENTENCES[(n + i) % SENTENCES.len()];
            format!("{} Article {n}, phrase {i}.", sentence)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_articles(fx: &Fixture, range: std::ops::Range<usize>) {
    for n in range {
        fx.write(&format!("in/a{n:04}.txt"), article(n));
    }
}

fn counts(fx: &Fixture) -> Value {
    fx.run_json()["counts"].clone()
}

/// The outputs a user compares: rows and English files (not run.json, which has timings,
/// nor the state folder).
fn outputs(fx: &Fixture, out: &str) -> Vec<(String, String)> {
    files_below(&fx.path(out))
        .into_iter()
        .filter(|f| !f.starts_with(".passeur") && f != "run.json")
        .map(|f| {
            let text = fx.read(&format!("{out}/{f}"));
            (f, text)
        })
        .collect()
}

#[test]
fn a_rerun_translates_only_what_changed_and_removes_what_is_gone() {
    let fx = Fixture::new();
    write_articles(&fx, 0..4);
    let first = fx.translate(&["in"], &["--chunk-segments", "4"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(counts(&fx)["articles_translated"], 4);
    let segments = counts(&fx)["segments"].clone();

    let again = fx.translate(&["in"], &["--chunk-segments", "4"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let c = counts(&fx);
    assert_eq!(
        (
            c["articles_translated"].as_u64(),
            c["articles_reused"].as_u64()
        ),
        (Some(0), Some(4))
    );
    assert_eq!(
        c["segments"], segments,
        "the rows of kept articles are still counted"
    );

    // One changed, one removed, one added.
    fx.write("in/a0001.txt", "Un article tout à fait nouveau.");
    std::fs::remove_file(fx.path("in/a0002.txt")).unwrap();
    write_articles(&fx, 4..5);
    let changed = fx.translate(&["in"], &["--chunk-segments", "4"]);
    assert_eq!(changed.status.code(), Some(0), "{}", stderr(&changed));
    let c = counts(&fx);
    assert_eq!(
        (
            c["articles_translated"].as_u64(),
            c["articles_reused"].as_u64(),
            c["articles_removed"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert!(
        !fx.path("out/a0002.en.txt").exists(),
        "the removed article's file is gone"
    );
    let ids: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, ["a0000.txt", "a0001.txt", "a0003.txt", "a0004.txt"]);
    let changed_row = fx
        .aligned()
        .into_iter()
        .find(|r| r["article"] == "a0001.txt")
        .unwrap();
    assert_eq!(changed_row["source"], "Un article tout à fait nouveau.");

    // --force translates everything again, with the same result.
    let before = outputs(&fx, "out");
    let forced = fx.translate(&["in"], &["--chunk-segments", "4", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(counts(&fx)["articles_translated"], 4);
    assert_eq!(outputs(&fx, "out"), before);
}

#[test]
fn a_glossary_change_retranslates_the_articles_that_use_the_entry() {
    let fx = Fixture::new();
    fx.write("in/otan.txt", "L'OTAN se réunit à Bruxelles.");
    fx.write(
        "in/autre.txt",
        "Le budget atteindra 2 % du produit intérieur brut.",
    );
    fx.write("g.json", r#"[{"source": "OTAN", "target": "NATO"}]"#);
    let first = fx.translate(&["in"], &["-g", "g.json"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    fx.write(
        "g.json",
        r#"[{"source": "OTAN", "target": "the Alliance"}]"#,
    );
    let second = fx.translate(&["in"], &["-g", "g.json"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let c = counts(&fx);
    assert_eq!(
        (
            c["articles_translated"].as_u64(),
            c["articles_reused"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let rows = fx.aligned();
    let otan = rows.iter().find(|r| r["article"] == "otan.txt").unwrap();
    assert_eq!(otan["terms"][0]["target"], "the Alliance");
}

#[test]
fn kill_9_then_the_same_command_gives_the_folder_of_an_uninterrupted_run() {
    let fx = Fixture::new();
    write_articles(&fx, 0..240);
    let model = tiny_model();
    let args = |out: &str| {
        vec![
            "translate".to_string(),
            "in".into(),
            "-o".into(),
            out.into(),
            "--model".into(),
            model.display().to_string(),
            "--quiet".into(),
            "--chunk-segments".into(),
            "6".into(),
        ]
    };
    let killed_args = args("killed");
    let killed_refs: Vec<&str> = killed_args.iter().map(String::as_str).collect();

    // Kill the run once some chunks are on disk, before it has finished (a chunk is one
    // article here; its file is written just before its commit, so 10 files mean at least
    // 9 committed chunks).
    let mut child = fx.passeur(&killed_refs).spawn().unwrap();
    fx.wait_for_english_files("killed", 10);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !fx.path("killed/aligned.jsonl").exists(),
        "killed before the end, as intended (else make the batch bigger)"
    );

    let resumed = fx.run(&killed_refs);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let resumed_counts = fx.run_json_in("killed")["counts"].clone();
    let reused = resumed_counts["articles_reused"].as_u64().unwrap();
    let translated = resumed_counts["articles_translated"].as_u64().unwrap();
    assert!(
        reused >= 5,
        "the second run kept what the first finished: {resumed_counts}"
    );
    assert_eq!(reused + translated, 240, "and translated only the rest");

    let whole_args = args("whole");
    let whole_refs: Vec<&str> = whole_args.iter().map(String::as_str).collect();
    let whole = fx.run(&whole_refs);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert_eq!(outputs(&fx, "killed"), outputs(&fx, "whole"));
    assert!(
        !files_below(&fx.path("killed"))
            .iter()
            .any(|f| f.ends_with(".tmp")),
        "no temporary file is left"
    );
}

#[test]
fn a_second_run_on_a_busy_folder_fails_at_once_with_75_and_touches_nothing() {
    let fx = Fixture::new();
    fx.write("a.txt", "Un article.");
    std::fs::create_dir_all(fx.path("out/.passeur")).unwrap();
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.path("out/.passeur/lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let output = fx.translate(&["a.txt"], &[]);
    assert_eq!(output.status.code(), Some(75), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("another passeur run"),
        "{}",
        stderr(&output)
    );
    assert!(
        files_below(&fx.path("out")).is_empty(),
        "nothing but the lock"
    );
}

#[test]
fn problems_that_would_fail_the_run_are_found_before_any_translation() {
    let fx = Fixture::new();
    fx.write("a.txt", "Un article.");
    fx.write("not-a-folder", "a file");
    let output = fx.translate(&["a.txt"], &[]);
    assert_eq!(output.status.code(), Some(0));

    let model = tiny_model();
    let model = model.to_str().unwrap();
    let file_as_output = fx.run(&["translate", "a.txt", "-o", "not-a-folder", "--model", model]);
    assert_eq!(
        file_as_output.status.code(),
        Some(2),
        "{}",
        stderr(&file_as_output)
    );
    assert!(stderr(&file_as_output).contains("not-a-folder"));

    fx.write(
        "broken.json",
        "[{\"source\": \"OTAN\" \"target\": \"NATO\"}]",
    );
    let broken = fx.run(&[
        "translate",
        "a.txt",
        "-o",
        "fresh",
        "--model",
        model,
        "-g",
        "broken.json",
    ]);
    assert_eq!(broken.status.code(), Some(2), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains("broken.json:1:"),
        "{}",
        stderr(&broken)
    );
    assert!(
        !files_below(&fx.path("fresh"))
            .iter()
            .any(|f| f.ends_with(".en.txt")),
        "nothing was translated"
    );

    let new_memory = fx.run(&[
        "translate",
        "a.txt",
        "-o",
        "fresh",
        "--model",
        model,
        "--memory",
        "typo.sqlite",
    ]);
    // A memory named but missing is one to fill across batches (issue 18): created, and
    // said, so that a mistyped name is seen at once rather than silently ignored.
    assert_eq!(new_memory.status.code(), Some(0), "{}", stderr(&new_memory));
    assert!(
        stderr(&new_memory).contains("created the translation memory typo.sqlite"),
        "{}",
        stderr(&new_memory)
    );
}

#[test]
fn output_files_get_the_usual_permissions_and_review_files_follow_the_formats() {
    let fx = Fixture::new();
    fx.write("a.txt", "Un article.");
    let output = fx.translate(&["a.txt"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(fx.path("out/a.en.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others as the umask allows, not 0600"
        );
    }
    assert!(fx.path("out/review.html").exists());
    let fewer = fx.translate(&["a.txt"], &["--format", "tmx"]);
    assert_eq!(fewer.status.code(), Some(0), "{}", stderr(&fewer));
    assert!(fx.path("out/aligned.tmx").exists());
    assert!(
        !fx.path("out/review.html").exists(),
        "a format no longer asked for is removed"
    );
    assert!(!fx.path("out/aligned.xlf").exists());
}

/// Regression: the decoding budget came from the longest input of each engine call, so a
/// sentence that reached it was translated differently depending on its neighbours:
/// `--chunk-segments`, `--shard` and a resumed run changed targets. The Marian-converted
/// tiny model never stops before its budget, so every sentence here reaches it.
#[test]
fn translations_do_not_depend_on_how_the_batch_is_cut() {
    let fx = Fixture::new();
    let words = "le gouvernement a présenté un projet de loi sur la défense européenne";
    for n in 0..24 {
        // Sentences of many lengths in every article, so that calls mix lengths.
        let long: Vec<&str> = words.split(' ').cycle().take(3 + (n * 5) % 37).collect();
        fx.write(
            &format!("in/b{n:02}.txt"),
            format!(
                "Oui, {n}. {} {n}.\n\nLa suite du texte numéro {n}.",
                long.join(" ")
            ),
        );
    }
    let model = crate::fixture::repo().join("tests/fixtures/tiny-marian");
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "translate",
            "in",
            "-o",
            out,
            "--model",
            model.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let output = fx.run(&args);
        assert_eq!(output.status.code(), Some(0), "{out}: {}", stderr(&output));
    };
    run("whole", &[]);
    let truncated = fx
        .aligned_in("whole")
        .iter()
        .filter(|r| r["flags"].to_string().contains("truncated"))
        .count();
    assert!(
        truncated > 40,
        "the sentences reach the budget ({truncated} did)"
    );
    for (out, extra) in [
        ("chunks-1", &["--chunk-segments", "1"][..]),
        ("chunks-7", &["--chunk-segments", "7"]),
        ("one-thread", &["--threads", "1"]),
        (
            "small-calls",
            &["--batch-tokens", "40", "--chunk-segments", "5"],
        ),
    ] {
        run(out, extra);
        assert_eq!(outputs(&fx, out), outputs(&fx, "whole"), "{extra:?}");
    }
    for k in 0..3 {
        run(
            &format!("shard{k}"),
            &["--shard", &format!("{k}/3"), "--chunk-segments", "4"],
        );
    }
    let merged = fx.run(&[
        "merge", "shard0", "shard1", "shard2", "-o", "merged", "--quiet",
    ]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert_eq!(
        outputs(&fx, "merged"),
        outputs(&fx, "whole"),
        "three shards merged"
    );

    // kill -9 after some chunks, then the same command.
    let args = [
        "translate",
        "in",
        "-o",
        "killed",
        "--model",
        model.to_str().unwrap(),
        "--quiet",
        "--chunk-segments",
        "2",
    ];
    let mut child = fx.passeur(&args).spawn().unwrap();
    fx.wait_for_english_files("killed", 3);
    child.kill().unwrap();
    child.wait().unwrap();
    let resumed = fx.run(&args);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert_eq!(
        outputs(&fx, "killed"),
        outputs(&fx, "whole"),
        "killed and resumed"
    );
}

/// Regression: `touch model.bin` re-translated every article (the fingerprint held the
/// model's modification time).
#[test]
fn a_touched_model_translates_nothing_again() {
    let fx = Fixture::new();
    write_articles(&fx, 0..3);
    let model = fx.copy_of_tiny_model("model");
    let run = || {
        fx.run(&[
            "translate",
            "in",
            "-o",
            "out",
            "--model",
            model.to_str().unwrap(),
            "--quiet",
        ])
    };
    assert_eq!(run().status.code(), Some(0));
    let bin = File::options()
        .append(true)
        .open(fx.path("model/model.bin"))
        .unwrap();
    bin.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    let again = run();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(counts(&fx)["articles_translated"], 0, "{}", counts(&fx));
}

/// A damaged run state names the command that recovers, and that command recovers.
#[test]
fn a_damaged_state_is_refused_and_rebuilt_by_force() {
    let fx = Fixture::new();
    write_articles(&fx, 0..2);
    assert_eq!(fx.translate(&["in"], &[]).status.code(), Some(0));
    let before = outputs(&fx, "out");
    fx.write("out/.passeur/state.sqlite", vec![b'x'; 4096]);
    let _ = std::fs::remove_file(fx.path("out/.passeur/state.sqlite-wal"));
    let refused = fx.translate(&["in"], &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("with --force rebuilds it"),
        "{}",
        stderr(&refused)
    );
    let forced = fx.translate(&["in"], &["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(outputs(&fx, "out"), before);
    assert!(fx.path("out/.passeur/state.sqlite.unusable-1").is_file());
}

/// A small file system of the test's own, unmounted when the test ends.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `megabytes` at `path`; None where mounting is not allowed (not
    /// root), which fails the test only where `.ci/run` found it allowed.
    fn mount(path: &std::path::Path, megabytes: usize) -> Option<Tmpfs> {
        std::fs::create_dir_all(path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            assert!(
                std::env::var_os("PASSEUR_CAN_MOUNT").is_none(),
                ".ci/run could mount a tmpfs, this test could not"
            );
            eprintln!("skipping: cannot mount a tmpfs here (not root?)");
            return None;
        }
        Some(Tmpfs(path.to_path_buf()))
    }

    fn resize(&self, megabytes: usize) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={megabytes}m")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Regression: a full disk mid-run ended with exit 2 ("nothing could be done") and no
/// word of the folder; it is worth retrying, and the rerun after space is freed finishes.
#[test]
fn a_full_disk_is_worth_retrying_and_the_rerun_finishes() {
    let fx = Fixture::new();
    write_articles(&fx, 0..240);
    let Some(disk) = Tmpfs::mount(&fx.path("out"), 1) else {
        return;
    };
    let full = fx.translate(&["in"], &["--chunk-segments", "30"]);
    assert_eq!(full.status.code(), Some(75), "{}", stderr(&full));
    assert!(
        stderr(&full).contains("the disk is full"),
        "{}",
        stderr(&full)
    );
    disk.resize(64);
    let resumed = fx.translate(&["in"], &["--chunk-segments", "30"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let whole = fx.translate_into("in", "whole", &["--chunk-segments", "30"]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    assert_eq!(outputs(&fx, "out"), outputs(&fx, "whole"));
}

/// Ctrl-C says how much is done and how to finish; the same command then finishes.
#[test]
fn ctrl_c_says_what_is_committed_and_the_same_command_finishes() {
    let fx = Fixture::new();
    write_articles(&fx, 0..240);
    let model = tiny_model();
    let args = [
        "translate",
        "in",
        "-o",
        "out",
        "--model",
        model.to_str().unwrap(),
        "--quiet",
        "--chunk-segments",
        "6",
    ];
    let child = fx
        .passeur(&args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    fx.wait_for_english_files("out", 10);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    // Interrupted before the end, as intended (else make the batch bigger).
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("article(s) are in out"), "{message}");
    assert!(
        message.contains("the same command finishes the batch"),
        "{message}"
    );
    let resumed = fx.run(&args);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(
        counts(&fx)["articles_reused"].as_u64().unwrap() >= 5,
        "{}",
        counts(&fx)
    );
}

/// Issue 21 #7: a `--force` run killed halfway, then the same command: the articles it
/// already translated again are kept, the rest is forced, and the folder is the one an
/// uninterrupted `--force` run gives. A run without `--force` in between gives the series up.
#[test]
fn an_interrupted_force_run_resumes_instead_of_starting_again() {
    let fx = Fixture::new();
    write_articles(&fx, 0..240);
    let model = tiny_model();
    let model = model.to_str().unwrap();
    let base = [
        "translate",
        "in",
        "-o",
        "out",
        "--model",
        model,
        "--quiet",
        "--chunk-segments",
        "6",
    ];
    let first = fx.run(&base);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = outputs(&fx, "out");
    let forced: Vec<&str> = base.iter().copied().chain(["--force"]).collect();

    // Kill the forced run once some of its chunks are committed (their articles carry the
    // new run's number in the state).
    let mut child = fx.passeur(&forced).spawn().unwrap();
    let state = fx.path("out/.passeur/state.sqlite");
    let started = std::time::Instant::now();
    loop {
        let committed: i64 = rusqlite::Connection::open(&state)
            .and_then(|db| {
                db.query_row(
                    "SELECT COUNT(*) FROM articles WHERE run = (SELECT MAX(run) FROM articles)
                     AND run > 1",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap_or(0);
        if committed >= 10 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the forced run never committed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let resumed = fx.run(&forced);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains("resuming the interrupted --force run"),
        "{}",
        stderr(&resumed)
    );
    let resumed_counts = counts(&fx);
    let reused = resumed_counts["articles_reused"].as_u64().unwrap();
    assert!((10..240).contains(&reused), "{resumed_counts}");
    assert_eq!(
        resumed_counts["articles_translated"].as_u64().unwrap() + reused,
        240
    );
    assert_eq!(
        outputs(&fx, "out"),
        before,
        "forced again, the tiny model says the same"
    );

    // The series completed: the next --force starts a new one and forces everything.
    let again = fx.run(&forced);
    assert!(!stderr(&again).contains("resuming"), "{}", stderr(&again));
    assert_eq!(counts(&fx)["articles_reused"], 0);
}

/// Issue 21 #1: an article longer than a chunk goes through the engine a chunk's worth at a
/// time, its rows staged in the state part by part: its English file and rows are those of
/// the same paragraphs as separate articles, and no staged row is left behind.
#[test]
fn an_article_longer_than_a_chunk_is_translated_in_parts_as_its_batch_twin() {
    let fx = Fixture::new();
    let paragraphs: Vec<String> = (0..40).map(article).collect();
    fx.write("long/long.txt", paragraphs.join("\n") + "\n");
    for (n, paragraph) in paragraphs.iter().enumerate() {
        fx.write(&format!("batch/p{n:03}.txt"), format!("{paragraph}\n"));
    }
    let model = tiny_model();
    let model = model.to_str().unwrap();
    for (input, out) in [("long", "out-long"), ("batch", "out-batch")] {
        let run = fx.run(&[
            "translate",
            input,
            "-o",
            out,
            "--model",
            model,
            "--quiet",
            "--chunk-segments",
            "7",
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let batch: String = (0..40)
        .map(|n| fx.read(&format!("out-batch/p{n:03}.en.txt")))
        .collect();
    assert_eq!(fx.read("out-long/long.en.txt"), batch);
    let targets = |out: &str| -> Vec<String> {
        fx.aligned_in(out)
            .iter()
            .map(|r| r["target"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(targets("out-long"), targets("out-batch"));
    assert_eq!(targets("out-long").len(), 240);
    let db = rusqlite::Connection::open(fx.path("out-long/.passeur/state.sqlite")).unwrap();
    let staged: i64 = db
        .query_row("SELECT COUNT(*) FROM staged_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(staged, 0, "the article's commit took its staged rows");

    // Markdown, its code block kept as written: in parts as in one piece.
    let markdown = format!(
        "# Titre\n\n{}\n\n```\nlet x = 1;\n```\n\n{}\n",
        paragraphs[..20].join("\n\n"),
        paragraphs[20..].join("\n\n")
    );
    fx.write("md/long.md", markdown);
    for (chunk, out) in [("7", "md-parts"), ("100000", "md-whole")] {
        let run = fx.run(&[
            "translate",
            "md",
            "-o",
            out,
            "--model",
            model,
            "--quiet",
            "--chunk-segments",
            chunk,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let parts = fx.read("md-parts/long.en.md");
    assert_eq!(parts, fx.read("md-whole/long.en.md"));
    assert!(parts.contains("```\nlet x = 1;\n```"), "{parts}");
}

/// A long article's parts look up the translation memory as a whole article would; run
/// again, the long article is kept without the engine. A long HTML page (rendered from its
/// staged rows) and a long XLIFF file (its rows held) come back as in one piece.
#[test]
fn a_long_articles_parts_take_the_memory_and_long_documents_come_back_as_in_one_piece() {
    let fx = Fixture::new();
    let paragraphs: Vec<String> = (0..40).map(article).collect();
    fx.write("long/long.txt", paragraphs.join("\n") + "\n");
    fx.write(
        "approved.tsv",
        "source\ttarget\tstate\nArticle 33, phrase 1.\tArticle thirty-three, sentence one.\tfinal\n",
    );
    let import = fx.run(&[
        "review",
        "import",
        "approved.tsv",
        "--memory",
        "team.sqlite",
    ]);
    assert!(import.status.success(), "{}", stderr(&import));
    let chunked = ["--chunk-segments", "7", "--memory", "team.sqlite"];
    let run = fx.translate_into("long", "out", &chunked);
    assert!(run.status.success(), "{}", stderr(&run));
    let english = fx.read("out/long.en.txt");
    assert_eq!(english.lines().count(), 40);
    assert!(
        english
            .lines()
            .nth(33)
            .unwrap()
            .contains("Article thirty-three, sentence one."),
        "{english}"
    );
    let from_memory: Vec<_> = fx
        .aligned_in("out")
        .into_iter()
        .filter(|r| r["memory"] == true)
        .collect();
    assert_eq!(from_memory.len(), 1, "{from_memory:?}");
    assert_eq!(from_memory[0]["paragraph"], 33);
    let again = fx.translate_into("long", "out", &chunked);
    assert!(again.status.success(), "{}", stderr(&again));
    let run_json: serde_json::Value = serde_json::from_str(&fx.read("out/run.json")).unwrap();
    assert_eq!(run_json["counts"]["articles_reused"], 1, "{run_json}");
    assert_eq!(fx.read("out/long.en.txt"), english);

    let body: String = paragraphs
        .iter()
        .enumerate()
        .map(|(n, p)| {
            // An attribute to translate inside a run's inline tag, and one on its own.
            format!(
                "<p id=\"p{n}\" title=\"Le paragraphe {n}.\">{} <img src=\"i.png\" alt=\"Une image du sommet {n}.\"></p>\n",
                p.replacen(' ', " <b>", 1) + "</b>"
            )
        })
        .collect();
    fx.write(
        "page/long.html",
        format!("<!DOCTYPE html>\n<html lang=\"fr\"><head><title>Long</title></head><body>\n{body}</body></html>\n"),
    );
    for (chunk, out) in [("7", "page-parts"), ("100000", "page-whole")] {
        let run = fx.translate_into("page", out, &["--chunk-segments", chunk]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let parts = fx.read("page-parts/long.en.html");
    assert_eq!(parts, fx.read("page-whole/long.en.html"));
    assert_eq!(parts.matches("<b>").count(), 40, "{parts}");
    assert!(parts.contains("<p id=\"p39\" title=\""), "{parts}");
    assert_eq!(
        parts.matches("<img src=\"i.png\" alt=\"").count(),
        40,
        "{parts}"
    );
    assert!(
        !parts.contains("Une image du sommet") && !parts.contains("Le paragraphe"),
        "{parts}"
    );

    // An XLIFF file, its rows held slimmed for its rendering: filled as in one piece.
    let units: String = paragraphs
        .iter()
        .enumerate()
        .map(|(n, p)| format!("<trans-unit id=\"u{n}\"><source>{p}</source></trans-unit>\n"))
        .collect();
    fx.write(
        "job/long.xlf",
        format!(
            "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\
             <file original=\"a\" source-language=\"fr\" datatype=\"plaintext\"><body>\n{units}</body></file></xliff>\n"
        ),
    );
    for (chunk, out) in [("7", "job-parts"), ("100000", "job-whole")] {
        let run = fx.translate_into("job", out, &["--chunk-segments", chunk]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let parts = fx.read("job-parts/long.xlf");
    assert_eq!(parts, fx.read("job-whole/long.xlf"));
    assert_eq!(parts.matches("<target").count(), 40, "{parts}");
}
