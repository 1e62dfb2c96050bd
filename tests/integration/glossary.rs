//! `passeur glossary …` through the binary.

use crate::fixture::{repo, stderr, Fixture};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn add_list_remove_edit_the_file_in_place() {
    let fx = Fixture::new();
    let original = "[\n  {\"source\": \"OTAN\", \"target\": \"NATO\"}\n]\n";
    fx.write("g.json", original);
    let added = fx.run(&[
        "glossary",
        "add",
        "g.json",
        "--source",
        "cessez-le-feu",
        "--target",
        "ceasefire",
        "--policy",
        "check",
        "--note",
        "defence",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    let list = fx.run(&["glossary", "list", "g.json"]);
    let text = stdout(&list);
    assert!(
        text.contains("cessez-le-feu → ceasefire  (policy: check; note: defence)"),
        "{text}"
    );
    let again = fx.run(&[
        "glossary",
        "add",
        "g.json",
        "--source",
        "Cessez-le-feu",
        "--target",
        "truce",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already has the source term"));
    let removed = fx.run(&["glossary", "remove", "g.json", "cessez-le-feu"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert_eq!(fx.read("g.json"), original);
    let missing = fx.run(&["glossary", "remove", "g.json", "absent"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn lint_exits_non_zero_on_findings_and_zero_on_the_starter_glossary() {
    let fx = Fixture::new();
    fx.write("bad.json", "[{\"source\": \"OTAN\", \"target\": \"NATO\"}, {\"source\": \"OTAN\", \"target\": \"Otan\"}]");
    let bad = fx.run(&["glossary", "lint", "bad.json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).contains("bad.json:1: entry 2 (\"OTAN\"): conflicts with entry 1"),
        "{}",
        stdout(&bad)
    );
    let starter = repo().join("glossaries/fr-en.json");
    let clean = fx.run(&["glossary", "lint", starter.to_str().unwrap()]);
    assert!(clean.status.success(), "{}", stdout(&clean));
    let entries: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&starter).unwrap()).unwrap();
    assert!(entries.as_array().unwrap().len() >= 60);
}

#[test]
fn export_and_import_round_trip_through_tbx_tsv_and_csv() {
    let fx = Fixture::new();
    let starter = repo().join("glossaries/fr-en.json");
    let starter = starter.to_str().unwrap();
    let list = |file: &str| stdout(&fx.run(&["glossary", "list", file]));
    // TBX holds every field.
    let export = fx.run(&["glossary", "export", starter, "g.tbx"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let out = fx.run(&["glossary", "import", "g.tbx", "back-tbx.json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(list("back-tbx.json"), list(starter), "TBX loses nothing");
    // TSV and CSV hold source, target and note: the starter's domains are refused, named,
    // rather than dropped; a glossary of those fields only goes and comes back.
    fx.write(
        "plain.json",
        "[\n{\"source\": \"OTAN\", \"target\": \"NATO\", \"note\": \"l'Alliance\"},\n{\"source\": \"siège\", \"target\": \"headquarters\"},\n{\"pattern\": \"https?://\\\\S+\"}\n]\n",
    );
    for ext in ["tsv", "csv"] {
        let exported = format!("g.{ext}");
        let refused = fx.run(&["glossary", "export", starter, &exported]);
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("entry 1 (\"OTAN\") has domain \"organisation\""),
            "{}",
            stderr(&refused)
        );
        assert!(!fx.path(&exported).exists());
        let export = fx.run(&["glossary", "export", "plain.json", &exported]);
        assert!(export.status.success(), "{}", stderr(&export));
        assert!(
            stdout(&export).contains("left out 1 pattern entries"),
            "{}",
            stdout(&export)
        );
        let back = format!("back-{ext}.json");
        let out = fx.run(&["glossary", "import", &exported, &back]);
        assert!(out.status.success(), "{}", stderr(&out));
        let terms = |text: String| {
            text.lines()
                .filter(|l| !l.contains("  pattern /"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(terms(list(&back)), terms(list("plain.json")));
    }
    let tbx = fx.read("g.tbx");
    assert!(tbx.contains("<tbx type=\"TBX-Basic\""));
    assert!(tbx.contains("<langSec xml:lang=\"fr\">"));
}

#[test]
fn check_counts_uses_and_finds_inconsistent_articles() {
    let fx = Fixture::new();
    fx.write("in/a.txt", "L'OTAN et l'OTAN. Le Japon.");
    let glossary = repo().join("glossaries/fr-en.json");
    let glossary = glossary.to_str().unwrap();
    let translated = fx.translate(&["in"], &["-g", glossary]);
    assert!(translated.status.success(), "{}", stderr(&translated));
    let out = fx.run(&["glossary", "check", "in", "-g", glossary, "-o", "out"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("2        1  OTAN → NATO"),
        "{text}"
    );
    // With the tiny model every term is forced in by prefix repair: all rendered alike.
    assert!(
        text.contains("every term is rendered consistently"),
        "{text}"
    );
    assert!(text.contains("renderings in out:"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("OTAN → NATO (") && l.contains(": 2 uses: ")),
        "{text}"
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A CSV saved by a French Excel (`;`, byte order mark, CRLF, quoted fields) imports the
/// same entries as its comma twin; errors name the line an editor shows.
#[test]
fn a_french_excel_csv_imports_as_its_comma_twin_and_errors_name_the_right_line() {
    let fx = Fixture::new();
    fx.write(
        "excel.csv",
        "\u{FEFF}source;target;note\r\nOTAN;NATO;\"organisation; alliance\"\r\n\"Union européenne\";\"European Union\";\r\nindo-pacifique;Indo-Pacific\r\n",
    );
    fx.write(
        "comma.csv",
        "source,target,note\nOTAN,NATO,\"organisation; alliance\"\nUnion européenne,European Union,\nindo-pacifique,Indo-Pacific\n",
    );
    for (from, to) in [("excel.csv", "excel.json"), ("comma.csv", "comma.json")] {
        let output = fx.run(&["glossary", "import", from, to]);
        assert!(output.status.success(), "{from}: {}", stderr(&output));
        assert!(
            stdout(&output).starts_with("wrote 3 entries"),
            "{}",
            stdout(&output)
        );
    }
    assert_eq!(fx.read("excel.json"), fx.read("comma.json"));

    fx.write(
        "lines.csv",
        "source;target\r\nOTAN;NATO\r\n;empty\r\nUE;EU\r\n",
    );
    let output = fx.run(&["glossary", "import", "lines.csv", "lines.json"]);
    assert!(
        stderr(&output).contains("lines.csv:3: entry 2"),
        "{}",
        stderr(&output)
    );
}

/// What cannot be read as a glossary writes nothing and says so (exit 2), rather than an
/// empty `[]`.
#[test]
fn an_unreadable_csv_writes_nothing_and_fails() {
    let fx = Fixture::new();
    fx.write("one-column.csv", "OTAN\r\nONU\r\n");
    fx.write("header-only.csv", "source;target\r\n");
    for name in ["one-column.csv", "header-only.csv"] {
        let output = fx.run(&["glossary", "import", name, "out.json"]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("{name}:1")),
            "{}",
            stderr(&output)
        );
        assert!(!fx.path("out.json").exists(), "{name}: nothing written");
    }
}

/// `glossary check … | head -1` ends quietly when `head` closes the pipe, as ripgrep does.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let fx = Fixture::new();
    // Enough lines to fill the pipe's buffer, so that passeur writes after `head` left.
    let entries: Vec<String> = (0..4000)
        .map(|i| format!("{{\"source\": \"terme numéro {i}\", \"target\": \"term number {i}\"}}"))
        .collect();
    fx.write("big.json", format!("[\n{}\n]\n", entries.join(",\n")));
    fx.write("in/a.txt", "Le terme numéro 7 est connu.");
    let script = format!(
        "set -o pipefail; {} glossary check in -g big.json | head -1 >/dev/null",
        crate::fixture::BIN
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

/// Two `glossary add` at once: both entries are in the file afterwards.
#[test]
fn concurrent_adds_lose_no_entry() {
    let fx = Fixture::new();
    fx.write(
        "g.json",
        "[\n  {\"source\": \"OTAN\", \"target\": \"NATO\"}\n]\n",
    );
    let adders: Vec<std::process::Child> = (0..8)
        .map(|i| {
            fx.passeur(&[
                "glossary",
                "add",
                "g.json",
                "--source",
                &format!("agence numéro {i}"),
                "--target",
                &format!("agency number {i}"),
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for mut adder in adders {
        assert!(adder.wait().unwrap().success());
    }
    let listed = stdout(&fx.run(&["glossary", "list", "g.json"]));
    for i in 0..8 {
        assert!(listed.contains(&format!("agence numéro {i}")), "{listed}");
    }
}

/// A house glossary beside the shared one: `lint` checks them against each other, and
/// `translate` says which wins (the first given) before it runs, then uses it.
#[test]
fn glossaries_used_together_are_checked_against_each_other() {
    let fx = Fixture::new();
    fx.write(
        "house.json",
        "[\n{\"source\": \"OTAN\", \"target\": \"the Atlantic Alliance\"}\n]\n",
    );
    let shared = repo().join("glossaries/fr-en.json");
    let shared = shared.to_str().unwrap();
    let lint = fx.run(&["glossary", "lint", "house.json", shared]);
    assert_eq!(lint.status.code(), Some(1), "{}", stderr(&lint));
    let text = stdout(&lint);
    assert!(
        text.contains("\"OTAN\" → \"the Atlantic Alliance\" in house.json#1 but → \"NATO\"")
            && text.contains("house.json wins"),
        "{text}"
    );
    fx.write("in/a.txt", "L'OTAN se réunit.");
    let output = fx.translate(&["in"], &["-g", "house.json", "-g", shared]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("house.json wins"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fx.aligned()[0]["terms"][0]["target"],
        "the Atlantic Alliance"
    );
}

/// A translation (here a reviewer's, from the memory) that uses a target the glossary
/// forbids is flagged `forbidden-term`; a deprecated French form is translated with the
/// entry's target and flagged `deprecated-term`; the statuses survive TBX.
#[test]
fn forbidden_targets_and_deprecated_sources_are_flagged() {
    let fx = Fixture::new();
    fx.write(
        "g.json",
        r#"[
  {"source": "indo-pacifique", "target": "Indo-Pacific"},
  {"source": "indo-pacifique", "target": "Indo Pacific", "status": "forbidden"},
  {"source": "Organisation du traité de l'Atlantique Nord", "target": "NATO", "status": "deprecated"}
]
"#,
    );
    fx.write(
        "approved.tsv",
        "source\ttarget\tstate\nLa région indo-pacifique change.\tThe Indo Pacific region is changing.\tfinal\n",
    );
    let import = fx.run(&["review", "import", "approved.tsv", "--memory", "m.sqlite"]);
    assert!(import.status.success(), "{}", stderr(&import));
    fx.write(
        "in/a.txt",
        "La région indo-pacifique change.\nL'Organisation du traité de l'Atlantique Nord se réunit.\n",
    );
    let run = fx.translate(&["in"], &["-g", "g.json", "--memory", "m.sqlite"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let rows = fx.aligned();
    let checks = |row: &serde_json::Value| -> Vec<String> {
        row["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rows[0]["target"], "The Indo Pacific region is changing.");
    assert!(
        checks(&rows[0]).contains(&"forbidden-term".to_string()),
        "{}",
        rows[0]
    );
    let reason = rows[0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "forbidden-term")
        .unwrap()["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("\"Indo Pacific\" (g.json#2"), "{reason}");
    assert!(
        checks(&rows[1]).contains(&"deprecated-term".to_string()),
        "{}",
        rows[1]
    );
    assert_eq!(rows[1]["terms"][0]["target"], "NATO");
    assert_eq!(rows[1]["terms"][0]["deprecated"], true);
    // A forbidden entry is never enforced: the model's row has no term for it.
    assert!(rows[0]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["target"] == "Indo-Pacific"));

    let export = fx.run(&["glossary", "export", "g.json", "g.tbx"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let tbx = fx.read("g.tbx");
    assert_eq!(tbx.matches("deprecatedTerm-admn-sts").count(), 2, "{tbx}");
    let back = fx.run(&["glossary", "import", "g.tbx", "back.json"]);
    assert!(back.status.success(), "{}", stderr(&back));
    let list = |file: &str| stdout(&fx.run(&["glossary", "list", file]));
    assert_eq!(list("back.json"), list("g.json"));
    assert!(
        list("g.json").contains("Indo Pacific  (forbidden)"),
        "{}",
        list("g.json")
    );
    let tsv = fx.run(&["glossary", "export", "g.json", "g.tsv"]);
    assert_eq!(tsv.status.code(), Some(2), "{}", stderr(&tsv));
    assert!(
        stderr(&tsv).contains("entry 2 (\"indo-pacifique\") has status forbidden"),
        "{}",
        stderr(&tsv)
    );
    assert!(!fx.path("g.tsv").exists());
}

/// The batch: the committed example articles, and a second edition of each (its paragraphs
/// in reverse order), as a follow-up story repeats its names.
fn example_batch(fx: &Fixture) {
    for entry in std::fs::read_dir(repo().join("examples/articles")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        fx.write(&format!("batch/{name}"), &text);
        let mut paragraphs: Vec<&str> = text.split("\n\n").collect();
        paragraphs.reverse();
        fx.write(&format!("batch/suite-{name}"), paragraphs.join("\n\n"));
    }
}

#[test]
fn suggest_finds_recurring_acronyms_and_names_the_glossary_lacks() {
    let fx = Fixture::new();
    example_batch(&fx);
    fx.write("house.json", r#"[{"source": "Japon", "target": "Japan"}]"#);
    let glossary = repo().join("glossaries/fr-en.json");
    let glossary = glossary.to_str().unwrap();
    let run = fx.run(&[
        "glossary",
        "suggest",
        "batch",
        "-g",
        glossary,
        "-g",
        "house.json",
        "--format",
        "json",
        "--limit",
        "200",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let candidates: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout).unwrap();
    let find = |source: &str| candidates.iter().find(|c| c["source"] == source);
    let rutte = find("Mark Rutte").expect("a recurring person's name");
    assert_eq!(
        (rutte["count"].as_u64(), rutte["articles"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(rutte["kind"], "name");
    let cop = find("COP").expect("a recurring acronym");
    assert_eq!(
        (cop["count"].as_u64(), cop["kind"].as_str()),
        (Some(2), Some("acronym"))
    );
    assert!(cop["examples"][0].as_str().unwrap().contains("(COP)"));
    // What the glossaries match is never suggested, nor anything inside it.
    for known in [
        "OTAN",
        "PNUE",
        "Japon",
        "Corée du Sud",
        "Nations unies",
        "Conseil européen",
    ] {
        assert!(
            find(known).is_none(),
            "{known} is in a glossary: {candidates:#?}"
        );
    }
    // No candidate begins or ends with a stop word or an elided article.
    let stop = [
        "le", "la", "les", "l", "de", "des", "du", "d", "et", "à", "a", "selon", "en",
    ];
    for c in &candidates {
        let source = c["source"].as_str().unwrap();
        let words: Vec<String> = source
            .split([' ', '\'', '’'])
            .map(|w| w.to_lowercase())
            .collect();
        for end in [words.first().unwrap(), words.last().unwrap()] {
            assert!(
                !stop.contains(&end.as_str()),
                "{source:?} starts or ends with {end:?}"
            );
        }
    }

    // The table for people; names and acronyms accepted into a glossary; gone next time.
    let table = fx.run(&["glossary", "suggest", "batch", "-g", glossary]);
    let text = stdout(&table);
    assert!(
        text.contains("Mark Rutte  (name, 2× in 2 articles"),
        "{text}"
    );
    let rank = text
        .lines()
        .find(|l| l.contains(". Mark Rutte  ("))
        .and_then(|l| l.trim().split('.').next())
        .unwrap()
        .to_string();
    let accept = fx.run(&[
        "glossary", "suggest", "batch", "-g", glossary, "--accept", &rank, "--to", "new.json",
    ]);
    assert!(accept.status.success(), "{}", stderr(&accept));
    assert!(fx
        .read("new.json")
        .contains(r#"{"source":"Mark Rutte","target":"Mark Rutte"}"#));
    let cop_rank = text
        .lines()
        .find(|l| l.contains(". COP  ("))
        .and_then(|l| l.trim().split('.').next())
        .unwrap()
        .to_string();
    let refused = fx.run(&[
        "glossary", "suggest", "batch", "-g", glossary, "--accept", &cop_rank, "--to", "new.json",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("has no English yet"),
        "{}",
        stderr(&refused)
    );

    // The reviewed TSV: a terminologist marks a row and fills in its target.
    let tsv = fx.run(&[
        "glossary", "suggest", "batch", "-g", glossary, "-g", "new.json", "--format", "tsv",
    ]);
    let reviewed: Vec<String> = stdout(&tsv)
        .lines()
        .map(|line| {
            let mut fields: Vec<String> = line.split('\t').map(str::to_string).collect();
            if fields[2] == "COP" {
                fields[1] = "x".into();
                fields[3] = "COP".into();
            }
            fields.join("\t")
        })
        .collect();
    assert!(
        !reviewed.iter().any(|l| l.contains("\tMark Rutte\t")),
        "accepted already"
    );
    fx.write("reviewed.tsv", reviewed.join("\n"));
    let accepted = fx.run(&["glossary", "accept", "reviewed.tsv", "--to", "new.json"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert!(stdout(&accepted).contains("1 accepted entry added to new.json"));
    let lint = fx.run(&["glossary", "lint", "new.json"]);
    assert!(lint.status.success(), "{}", stdout(&lint));
}
