//! The review formats as reviewers' tools see them: schema validation with xmllint, the
//! HTML report in headless Chromium, `passeur review`, and corrections flowing back through
//! the translation memory.

use std::process::Command;

use crate::fixture::{assert_valid, chromium_dom, output_of, repo, stderr, tool, Fixture};

fn translate_examples(fx: &Fixture) {
    let examples = repo().join("examples/articles");
    let glossary = repo().join("glossaries/fr-en.json");
    let output = fx.translate(
        &[examples.to_str().unwrap()],
        &["-g", glossary.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn tmx_and_xliff_are_valid_against_their_schemas() {
    let Some(xmllint) = tool("xmllint") else {
        return;
    };
    let fx = Fixture::new();
    translate_examples(&fx);
    assert_valid(xmllint, &fx.path("out/aligned.tmx"), "tmx14.dtd");
    assert_valid(
        xmllint,
        &fx.path("out/aligned.xlf"),
        "xliff-1.2-passeur-subset.xsd",
    );
}

#[test]
fn hostile_text_stays_text_in_every_format() {
    let fx = Fixture::new();
    fx.write(
        "in/evil.txt",
        "Il a écrit <script>document.title='pwned'</script> & \"parti\".\u{1}\nÉtape 2 : <b>gras</b>.",
    );
    let output = fx.translate(&["in"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let html = fx.read("out/review.html");
    assert!(
        html.contains("&lt;script&gt;document.title="),
        "escaped in HTML"
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the report's own script"
    );
    if let Some(xmllint) = tool("xmllint") {
        for file in ["aligned.tmx", "aligned.xlf"] {
            output_of(
                Command::new(xmllint).args([
                    "--noout",
                    "--nonet",
                    fx.path("out").join(file).to_str().unwrap(),
                ]),
                file,
            );
        }
    }
}

/// The text of the element with this id in a dumped DOM.
fn element_text<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no #{id}"))
        + id.len()
        + 6;
    &dom[start..start + dom[start..].find('<').unwrap()]
}

#[test]
fn the_html_report_renders_in_chromium_escaped_and_filterable() {
    let Some(chromium) = tool("chromium") else {
        return;
    };
    let fx = Fixture::new();
    fx.write(
        "in/a.txt",
        "<script>document.title='pwned'</script> & L'OTAN se réunit.\nTokyo\nLe Japon",
    );
    let seed = repo().join("examples/articles/otan-japon-bureau-de-liaison.txt");
    std::fs::copy(seed, fx.path("in/seed.txt")).unwrap();
    let glossary = repo().join("glossaries/fr-en.json");
    let output = fx.translate(&["in"], &["-g", glossary.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = fx.path("out/review.html");
    let profile = fx.path("chromium-profile");

    let dom = chromium_dom(chromium, &page, "", &profile);
    assert!(
        dom.contains("<title>passeur review</title>"),
        "the article's script did not run"
    );
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt; &amp; L'"));
    let rows = fx.aligned();
    let flagged = rows
        .iter()
        .filter(|r| !r["flags"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(element_text(&dom, "count-segments"), rows.len().to_string());
    assert_eq!(element_text(&dom, "count-flagged"), flagged.to_string());
    assert_eq!(element_text(&dom, "shown"), rows.len().to_string());
    assert!(
        dom.contains("<mark class=\"repaired-prefix\""),
        "terms highlighted with their status"
    );

    let filtered = chromium_dom(chromium, &page, "#flagged", &profile);
    assert_eq!(element_text(&filtered, "shown"), flagged.to_string());
    assert!(flagged < rows.len(), "the fixture has clean rows to hide");
}

#[test]
fn review_prints_a_summary_rewrites_formats_and_fails_on_severity() {
    let fx = Fixture::new();
    fx.write(
        "a.txt",
        "Une phrase assez longue pour être tronquée par la limite.",
    );
    let output = fx.translate(
        &["a.txt"],
        &["--max-input-tokens", "8", "--max-segment-tokens", "8"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::remove_file(fx.path("out/review.html")).unwrap();
    let review = fx.run(&["review", "out"]);
    assert!(review.status.success(), "{}", stderr(&review));
    let text = String::from_utf8_lossy(&review.stdout);
    assert!(
        text.starts_with("1 articles, 1 segments, 1 flagged"),
        "{text}"
    );
    assert!(text.contains("worst segments:"), "{text}");
    assert!(fx.path("out/review.html").is_file());
    let strict = fx.run(&["review", "out", "--fail-on", "info", "--format", "tsv"]);
    assert_eq!(strict.status.code(), Some(1));
    let bad = fx.run(&["review", "out", "--fail-on", "fatal"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn approved_translations_flow_back_through_the_memory() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "L'OTAN se réunit. Le Japon aussi.");
    let glossary = repo().join("glossaries/fr-en.json");
    let glossary = glossary.to_str().unwrap();
    let first = fx.translate(&["in"], &["-g", glossary]);
    assert!(first.status.success(), "{}", stderr(&first));

    // A reviewer approves the first sentence with their own text, and leaves the second.
    let xlf = fx.read("out/aligned.xlf");
    let start = xlf.find("<target").unwrap();
    let end = xlf.find("</target>").unwrap() + "</target>".len();
    let edited = format!(
        "{}<target xml:lang=\"en\" state=\"translated\">NATO &amp; co are meeting.</target>{}",
        &xlf[..start],
        &xlf[end..]
    );
    fx.write("reviewed/aligned.xlf", edited);
    let import = fx.run(&[
        "review",
        "import",
        "reviewed/aligned.xlf",
        "--memory",
        "out/memory.sqlite",
    ]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(String::from_utf8_lossy(&import.stdout).starts_with("stored 1 approved translation"));

    let second = fx.translate(&["in"], &["-g", glossary]);
    assert!(second.status.success(), "{}", stderr(&second));
    let rows = fx.aligned();
    assert_eq!(rows[0]["target"], "NATO & co are meeting.");
    assert_eq!(rows[0]["memory"], true);
    assert_eq!(rows[0]["terms"][0]["status"], "ok");
    assert!(rows[1].get("memory").is_none());
    assert_eq!(fx.run_json()["counts"]["segments_from_memory"], 1);
    assert!(fx
        .read("out/aligned.xlf")
        .contains("state=\"translated\" state-qualifier=\"leveraged-tm\""));
}

#[test]
fn a_spreadsheet_review_flows_back_through_the_state_column() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "Le Japon. La Corée du Sud.");
    let first = fx.translate(&["in"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    // Imported as written, nothing is approved: every state says needs-review.
    let untouched = fx.run(&["review", "import", "out/aligned.tsv"]);
    assert!(untouched.status.success(), "{}", stderr(&untouched));
    assert!(String::from_utf8_lossy(&untouched.stdout).starts_with("stored 0 approved"));
    // The reviewer fixes the second row and marks it final.
    let tsv = fx.read("out/aligned.tsv");
    let mut lines: Vec<String> = tsv.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[2].split('\t').map(String::from).collect();
    cells[4] = "South Korea.".into();
    cells[5] = "final".into();
    lines[2] = cells.join("\t");
    fx.write("out/aligned.tsv", lines.join("\n") + "\n");
    let import = fx.run(&["review", "import", "out/aligned.tsv"]);
    assert!(String::from_utf8_lossy(&import.stdout).starts_with("stored 1 approved"));
    let second = fx.translate(&["in"], &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    let rows = fx.aligned();
    assert_eq!(rows[1]["target"], "South Korea.");
    assert_eq!(rows[1]["memory"], true);
    assert!(rows[0].get("memory").is_none());
}

/// Regression: `passeur review OUT` took no lock, so run beside a `translate` that removed
/// articles it left the review files with rows the state no longer had.
#[test]
fn review_waits_for_no_one_and_writes_nothing_while_a_run_holds_the_folder() {
    let fx = Fixture::new();
    fx.write("a.txt", "Un article. Une autre phrase.");
    let output = fx.translate(&["a.txt"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let before = fx.read("out/aligned.tsv");
    std::fs::remove_file(fx.path("out/review.html")).unwrap();
    let lock = std::fs::File::options()
        .write(true)
        .open(fx.path("out/.passeur/lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let review = fx.run(&["review", "out"]);
    assert_eq!(review.status.code(), Some(75), "{}", stderr(&review));
    assert!(!fx.path("out/review.html").exists(), "nothing written");
    drop(lock);
    let review = fx.run(&["review", "out"]);
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    assert_eq!(
        fx.read("out/aligned.tsv"),
        before,
        "the same rows, from the state"
    );
    assert!(fx.path("out/review.html").is_file());
    let elsewhere = fx.run(&["review", "a.txt"]);
    assert_eq!(elsewhere.status.code(), Some(2));
    assert!(
        stderr(&elsewhere).contains("not an output folder"),
        "{}",
        stderr(&elsewhere)
    );
}

/// One memory for a team: `--memory` creates it on the first batch, `passeur memory`
/// lists and searches it and exchanges it as TMX (valid against the TMX DTD), and a batch
/// in another folder with the imported memory reuses the approval.
#[test]
fn one_memory_serves_every_batch_and_travels_as_tmx() {
    let fx = Fixture::new();
    fx.write("a/one.txt", "Le conseil se réunit à Bruxelles.");
    let first = fx.translate_into("a", "out-a", &["--memory", "team/memory.sqlite"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("created the translation memory team/memory.sqlite"),
        "{}",
        stderr(&first)
    );
    fx.write(
        "approved.tsv",
        "source\ttarget\tstate\nLe conseil se réunit à Bruxelles.\tThe Council meets in Brussels.\tfinal\n",
    );
    let import = fx.run(&[
        "review",
        "import",
        "approved.tsv",
        "--memory",
        "team/memory.sqlite",
    ]);
    assert!(import.status.success(), "{}", stderr(&import));

    let listed = fx.run(&[
        "memory",
        "list",
        "-m",
        "team/memory.sqlite",
        "--search",
        "BRUXELLES",
    ]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).lines().next().unwrap(),
        "Le conseil se réunit à Bruxelles.\tThe Council meets in Brussels.\tapproved\tapproved.tsv:2"
    );
    let export = fx.run(&["memory", "export", "-m", "team/memory.sqlite", "team.tmx"]);
    assert!(export.status.success(), "{}", stderr(&export));
    if let Some(xmllint) = tool("xmllint") {
        assert_valid(xmllint, &fx.path("team.tmx"), "tmx14.dtd");
    }
    let import = fx.run(&["memory", "import", "-m", "other.sqlite", "team.tmx"]);
    assert!(import.status.success(), "{}", stderr(&import));

    // Another batch, another folder, the memory that came as TMX.
    fx.write("b/two.txt", "Le conseil se réunit à Bruxelles. Il vote.");
    let second = fx.translate_into("b", "out-b", &["--memory", "other.sqlite"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let rows = fx.aligned_in("out-b");
    assert_eq!(rows[0]["target"], "The Council meets in Brussels.");
    assert_eq!(rows[0]["review"]["state"], "approved");
    assert!(fx
        .read("out-b/two.en.txt")
        .starts_with("The Council meets in Brussels."));

    let missing = fx.run(&["memory", "list", "-m", "nowhere.sqlite"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no such translation memory"));
}
