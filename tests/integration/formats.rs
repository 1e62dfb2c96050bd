//! XLIFF and HTML inputs, translated through the binary and checked as the tools of
//! localisation people would check them: schemas (xmllint), Translate Toolkit's XLIFF
//! reader and pofilter, html5ever and headless Chromium for pages; every inline code once
//! per segment and nested, untouched units byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use quick_xml::events::Event;
use serde_json::Value;

use crate::fixture::{assert_valid, chromium_dom, output_of, repo, stderr, tool, Fixture};

fn formats() -> PathBuf {
    repo().join("tests/fixtures/formats")
}

fn glossary() -> String {
    repo()
        .join("glossaries/fr-en.json")
        .to_string_lossy()
        .into_owned()
}

/// Translates one fixture file into `out`, with the project glossary.
fn translate(fx: &Fixture, name: &str) -> Vec<Value> {
    let input = fx.path(&format!("in/{name}"));
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    std::fs::copy(formats().join(name), &input).unwrap();
    let output = fx.translate(&[input.to_str().unwrap()], &["-g", &glossary()]);
    assert!(output.status.success(), "{name}: {}", stderr(&output));
    fx.aligned()
}

/// Every row's codes are placed once each and nest; every term is present or flagged.
fn check_rows(rows: &[Value]) {
    assert!(!rows.is_empty());
    for row in rows {
        let codes: Vec<passeur::markup::Code> =
            serde_json::from_value(row.get("codes").cloned().unwrap_or_default())
                .unwrap_or_default();
        let placed: Vec<(usize, usize)> =
            serde_json::from_value(row.get("placed").cloned().unwrap_or_default())
                .unwrap_or_default();
        assert!(
            passeur::markup::nests(&codes, &placed),
            "codes lost, doubled or misnested: {row}"
        );
        let flagged = |check: &str| {
            row["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["check"] == check)
        };
        for term in row["terms"].as_array().unwrap() {
            assert_ne!(term["status"], "pending", "{row}");
            if term["status"] == "missing" {
                assert!(flagged("missing-term"), "a missing term is flagged: {row}");
            }
        }
    }
}

/// xmllint against the schema of the file's XLIFF version. An XLIFF 1.1 file (what
/// po2xliff writes) has 1.2's structure under its own namespace: it is checked against 1.2.
fn validate_xliff(xmllint: &str, path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let (schema, text) = if text.contains("urn:oasis:names:tc:xliff:document:2.0") {
        ("xliff-2.0-core-subset.xsd", text)
    } else {
        (
            "xliff-1.2-passeur-subset.xsd",
            text.replace(
                "urn:oasis:names:tc:xliff:document:1.1\" version=\"1.1\"",
                "urn:oasis:names:tc:xliff:document:1.2\" version=\"1.2\"",
            ),
        )
    };
    let copy = path.with_extension("check.xml");
    std::fs::write(&copy, text).unwrap();
    assert_valid(xmllint, &copy, schema);
    std::fs::remove_file(copy).unwrap();
}

/// Per unit (1.2 trans-unit, 2.x segment) that passeur filled: the inline elements of its
/// source and of its target, as multisets of start tags (segment markers left out).
fn inline_elements(xliff: &str) -> Vec<(BTreeMap<String, usize>, BTreeMap<String, usize>)> {
    let mut reader = quick_xml::Reader::from_str(xliff);
    let mut out = Vec::new();
    let mut inside: Option<&str> = None;
    let mut source = BTreeMap::new();
    let mut target = BTreeMap::new();
    let mut filled = false;
    let mut depth_native = 0;
    loop {
        let event = reader.read_event().unwrap();
        let (name, start) = match &event {
            Event::Start(e) | Event::Empty(e) => (
                String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                Some(e.clone()),
            ),
            Event::End(e) => (
                String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                None,
            ),
            Event::Eof => break,
            _ => continue,
        };
        match (&event, name.as_str()) {
            (Event::Start(_), "trans-unit" | "segment") => {
                source.clear();
                target.clear();
                filled = false;
                if name == "segment" {
                    let e = start.as_ref().unwrap();
                    filled = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"subState" && &*a.value == b"passeur:mt");
                }
            }
            (Event::End(_), "trans-unit" | "segment") if filled => {
                out.push((source.clone(), target.clone()));
            }
            (Event::Start(_), "source" | "seg-source") if inside.is_none() => {
                // The seg-source repeats the source: count the source once.
                source.clear();
                inside = Some("source");
            }
            (Event::Start(e), "target") if inside.is_none() => {
                filled |= e
                    .attributes()
                    .flatten()
                    .any(|a| &*a.value == b"mt-suggestion");
                target.clear();
                inside = Some("target");
            }
            (Event::End(_), "source" | "seg-source" | "target") => inside = None,
            (Event::Start(e) | Event::Empty(e), _) if inside.is_some() && depth_native == 0 => {
                let is_segment_marker = name == "mrk"
                    && e.attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"mtype" && &*a.value == b"seg");
                if !is_segment_marker {
                    let tag = String::from_utf8_lossy(e).into_owned();
                    let map = if inside == Some("source") {
                        &mut source
                    } else {
                        &mut target
                    };
                    *map.entry(tag).or_insert(0) += 1;
                }
                if matches!(event, Event::Start(_))
                    && matches!(name.as_str(), "ph" | "bpt" | "ept" | "it")
                {
                    depth_native += 1;
                }
            }
            (Event::End(_), "ph" | "bpt" | "ept" | "it") if depth_native > 0 => {
                depth_native -= 1;
            }
            _ => {}
        }
    }
    out
}

/// The text of the element that starts with `start` and ends with the next `end`.
fn element<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} in the file"));
    let to = from + text[from..].find(end).unwrap() + end.len();
    &text[from..to]
}

/// Loads a file with Translate Toolkit's storage layer and returns, per unit, its id, source
/// and target. None when the toolkit is not installed (outside CI).
fn translate_toolkit_units(path: &Path) -> Option<Vec<Value>> {
    let python = crate::fixture::tools_python("translate.storage.factory", "Translate Toolkit")?;
    // XLIFF 2 has its own reader in the toolkit.
    let script = "import json, sys\n\
                  from translate.storage import factory, xliff2\n\
                  text = open(sys.argv[1], encoding='utf-8').read()\n\
                  store = xliff2.Xliff2File.parsefile(sys.argv[1]) if 'document:2.0' in text else factory.getobject(sys.argv[1])\n\
                  print(json.dumps([{'id': u.getid(), 'source': str(u.source), 'target': str(u.target or '')}\n\
                  for u in store.units if not u.isheader()]))";
    let units = output_of(
        Command::new(&python).args(["-c", script]).arg(path),
        "Translate Toolkit",
    );
    // pofilter runs its QA tests over the file (1.x only: it reads XLIFF 1.x).
    let text = std::fs::read_to_string(path).unwrap();
    if !text.contains("document:2.0") {
        let filtered = path.with_extension("pofilter.xlf");
        output_of(
            Command::new(python.with_file_name("pofilter"))
                .arg(path)
                .arg(&filtered),
            "pofilter",
        );
    }
    Some(serde_json::from_slice(&units).unwrap())
}

#[test]
fn xliff_from_other_tools_comes_back_filled_valid_and_otherwise_untouched() {
    let xmllint = tool("xmllint");
    for (name, untouched, translated) in [
        (
            "translate-toolkit.xlf",
            vec![
                (
                    "<trans-unit xml:space=\"preserve\" id=\"2\"",
                    "</trans-unit>",
                ),
                (
                    "<trans-unit xml:space=\"preserve\" id=\"5\"",
                    "</trans-unit>",
                ),
            ],
            3,
        ),
        (
            "xliff-js-1.2.xlf",
            vec![("<trans-unit id=\"done\">", "</trans-unit>")],
            4,
        ),
        (
            "xliff-js-2.0.xlf",
            vec![("<unit id=\"done\">", "</unit>")],
            // The two-sentence unit becomes two segments.
            5,
        ),
    ] {
        let fx = Fixture::new();
        let rows = translate(&fx, name);
        check_rows(&rows);
        let input = std::fs::read_to_string(formats().join(name)).unwrap();
        let output_path = fx.path(&format!("out/{name}"));
        let output = std::fs::read_to_string(&output_path).unwrap();
        // Units that needed no translation: byte for byte; so is the head of the file.
        for (start, end) in &untouched {
            assert_eq!(
                element(&output, start, end),
                element(&input, start, end),
                "{name}"
            );
        }
        assert_eq!(output.lines().next(), input.lines().next(), "{name}");
        // Every inline element of a filled unit's source is in its target, as often.
        let units = inline_elements(&output);
        assert_eq!(units.len(), translated, "{name}: units filled");
        for (source, target) in &units {
            assert_eq!(source, target, "{name}: inline elements of a unit");
        }
        if let Some(xmllint) = xmllint {
            validate_xliff(xmllint, &output_path);
            validate_xliff(xmllint, &formats().join(name));
        }
        if let Some(units) = translate_toolkit_units(&output_path) {
            let filled = units
                .iter()
                .filter(|u| !u["target"].as_str().unwrap().is_empty())
                .count();
            assert!(filled >= translated, "{name}: {units:?}");
        }
        // The rows also reach the review formats, codes and all.
        let tmx = fx.read("out/aligned.tmx");
        let codes: usize = rows
            .iter()
            .map(|r| r.get("codes").and_then(Value::as_array).map_or(0, Vec::len))
            .sum();
        let markers = tmx.matches("<bpt ").count()
            + tmx.matches("<ept ").count()
            + tmx.matches("<ph ").count();
        assert_eq!(
            markers,
            2 * codes,
            "{name}: each code in the TMX source and target"
        );
    }
}

#[test]
fn a_multi_sentence_unit_is_segmented_and_a_segmented_file_is_not() {
    let fx = Fixture::new();
    translate(&fx, "translate-toolkit.xlf");
    let output = fx.read("out/translate-toolkit.xlf");
    let unit = element(
        &output,
        "<trans-unit xml:space=\"preserve\" id=\"4\"",
        "</trans-unit>",
    );
    assert!(unit.contains("<seg-source><mrk mtype=\"seg\" mid=\"1\">Le ministre a parlé hier soir.</mrk> <mrk mtype=\"seg\" mid=\"2\">"), "{unit}");
    assert_eq!(unit.matches("<mrk mtype=\"seg\"").count(), 4, "{unit}");
    assert!(unit.contains("state-qualifier=\"mt-suggestion\""));

    let fx = Fixture::new();
    translate(&fx, "xliff-js-2.0.xlf");
    let output = fx.read("out/xliff-js-2.0.xlf");
    let lead = element(&output, "<unit id=\"lead\">", "</unit>");
    // Two sentences, two segments (with an ignorable space between them); the spans and
    // the placeholder go with the first.
    assert_eq!(lead.matches("<segment").count(), 2, "{lead}");
    assert!(lead.contains("<ignorable>"), "{lead}");
    let first = element(lead, "<segment", "</segment>");
    assert!(first.contains("<ph id=\"4\"/></source>"), "{first}");
}

/// The element tree of a page as html5ever parses it: per element, its depth, name and the
/// attributes passeur must not change (translatable ones and `lang` left out).
fn element_tree(html: &str) -> Vec<String> {
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(html);
    let mut out = Vec::new();
    fn walk(node: &Handle, depth: usize, out: &mut Vec<String>) {
        if let NodeData::Element { name, attrs, .. } = &node.data {
            let is_description = attrs
                .borrow()
                .iter()
                .any(|a| &*a.name.local == "name" && &*a.value == "description");
            let mut kept: Vec<String> = attrs
                .borrow()
                .iter()
                .filter(|a| {
                    let n = &*a.name.local;
                    let translatable =
                        matches!(n, "alt" | "title" | "placeholder" | "aria-label" | "lang");
                    !(translatable || is_description && n == "content")
                })
                .map(|a| format!("{}={}", &*a.name.local, &*a.value))
                .collect();
            kept.sort();
            out.push(format!("{depth} {} {}", &*name.local, kept.join(" ")));
        }
        for child in node.children.borrow().iter() {
            walk(child, depth + 1, out);
        }
    }
    walk(&dom.document, 0, &mut out);
    out
}

#[test]
fn html_articles_keep_their_element_tree_and_what_is_not_to_translate() {
    let fx = Fixture::new();
    let rows = translate(&fx, "article.html");
    check_rows(&rows);
    let input = std::fs::read_to_string(formats().join("article.html")).unwrap();
    let output = fx.read("out/article.en.html");
    assert_eq!(element_tree(&output), element_tree(&input));
    assert!(output.contains("<html lang=\"en\">"));
    for kept in [
        "<script>window.dataLayer = [{\"rubrique\": \"Monde\"}];</script>",
        "<header class=\"notranslate\"><a href=\"/\">Le Quotidien</a></header>",
        "<p translate=\"no\">Le Quotidien — édition du soir</p>",
        "<code>make carte</code>",
        "<span class=\"notranslate\">Vilnius 2023</span>",
        "<pre>Données brutes : 1 200 ; 3 400</pre>",
        "<!-- En-tête du site -->",
    ] {
        assert!(output.contains(kept), "{kept} kept as it was");
    }
    // Sentences with links and emphasis inside are one segment each, the title, the
    // description, alt and title attributes are segments too.
    let sources: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    for sentence in [
        "Selon l’OTAN, la situation est très tendue.",
        "Carte de la région indo-pacifique",
        "Organisation du traité de l'Atlantique nord",
        "Le sommet de l'OTAN s'est ouvert à Vilnius.",
        "La zone couverte par les exercices de l’OTAN.",
        "Les effectifs déployés",
    ] {
        assert!(sources.contains(&sentence), "{sentence} in {sources:#?}");
    }
    assert!(!sources.iter().any(|s| s.contains("Quotidien")
        || s.contains("Vilnius 2023")
        || s.contains("make carte")));
    // The term inside the link is matched and enforced (or flagged, never silent).
    let lead = rows
        .iter()
        .find(|r| r["source"] == "Selon l’OTAN, la situation est très tendue.")
        .unwrap();
    assert_eq!(lead["terms"][0]["target"], "NATO");

    // The review formats with the page's codes in them are still valid.
    if let Some(xmllint) = tool("xmllint") {
        assert_valid(xmllint, &fx.path("out/aligned.tmx"), "tmx14.dtd");
        assert_valid(
            xmllint,
            &fx.path("out/aligned.xlf"),
            "xliff-1.2-passeur-subset.xsd",
        );
        assert!(fx.read("out/aligned.xlf").contains("<bpt id="));
    }

    if let Some(chromium) = tool("chromium") {
        let profile = fx.path("chromium-profile");
        let page_in = fx.path("in/article.html");
        let page_out = fx.path("out/article.en.html");
        let before = chromium_dom(chromium, &page_in, "", &profile);
        let after = chromium_dom(chromium, &page_out, "", &profile);
        assert_eq!(
            element_tree(&after),
            element_tree(&before),
            "as Chromium builds it"
        );
    }
}

#[test]
fn html_attributes_and_entities_are_escaped_in_the_english_page() {
    let fx = Fixture::new();
    fx.write(
        "in/a.html",
        "<p title=\"Un &quot;titre&quot;\">Tom &amp; Jerry &lt;3 <b>gras</b>.</p>",
    );
    let out = fx.translate(&["in/a.html"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = fx.aligned();
    let sources: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["Un \"titre\"", "Tom & Jerry <3 gras."]);
    let page = fx.read("out/a.en.html");
    // Whatever the model wrote, the page parses to the same tree.
    assert_eq!(
        element_tree(&page),
        element_tree("<p title=\"x\">x <b>x</b>.</p>"),
        "{page}"
    );
}

#[test]
fn an_xliff_unit_segmented_already_keeps_its_segments() {
    let fx = Fixture::new();
    let rows = translate(&fx, "segmented-1.2.xlf");
    check_rows(&rows);
    assert_eq!(rows.len(), 2, "one row per <mrk mtype=\"seg\">");
    let input = std::fs::read_to_string(formats().join("segmented-1.2.xlf")).unwrap();
    let output = fx.read("out/segmented-1.2.xlf");
    // The seg-source and the notes stay; the target has the same mids, filled.
    let seg_source = element(&input, "<seg-source>", "</seg-source>");
    assert_eq!(
        element(&output, "<seg-source>", "</seg-source>"),
        seg_source
    );
    assert!(output.contains("<note>Garder.</note>"));
    let target = element(&output, "<target", "</target>");
    assert!(
        target.contains("state-qualifier=\"mt-suggestion\""),
        "{target}"
    );
    assert!(
        target.contains("<mrk mtype=\"seg\" mid=\"a\">")
            && target.contains("<mrk mtype=\"seg\" mid=\"b\">")
    );
    assert_eq!(target.matches("<g id=\"1\">").count(), 1, "{target}");
    assert!(
        !target.contains("<mrk mtype=\"seg\" mid=\"a\"></mrk>"),
        "{target}"
    );
    if let Some(xmllint) = tool("xmllint") {
        validate_xliff(xmllint, &fx.path("out/segmented-1.2.xlf"));
    }
}

#[test]
fn a_broken_xliff_is_reported_with_its_line_and_the_batch_goes_on() {
    let fx = Fixture::new();
    fx.write(
        "in/broken.xlf",
        "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\"><file><body><trans-unit id=\"1\">\
         <source>Un <g id=\"1\">deux</source></trans-unit></body></file></xliff>",
    );
    fx.write("in/v3.xlf", "<xliff version=\"3.0\"></xliff>");
    fx.write("in/ok.html", "<p>Une phrase <b>grasse</b>.</p>");
    let out = fx.translate(&["in"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("broken.xlf: line 2:") && err.contains("not well-formed"),
        "{err}"
    );
    assert!(
        err.contains("v3.xlf: XLIFF version \"3.0\" is not supported"),
        "{err}"
    );
    assert!(fx.path("out/ok.en.html").is_file());
    let failures = fx.run_json()["failures"].as_array().unwrap().len();
    assert_eq!(failures, 2);
}

#[test]
fn xliff_and_html_on_standard_input_are_read_as_documents() {
    use std::io::Write;
    for (name, input, english) in [
        (
            "stdin.xlf",
            "<?xml version=\"1.0\"?>\n<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\
             <file original=\"a\" source-language=\"fr\" datatype=\"plaintext\"><body>\
             <trans-unit id=\"1\"><source>Une phrase.</source></trans-unit></body></file></xliff>",
            "out/stdin.xlf",
        ),
        (
            "stdin.html",
            "<!DOCTYPE html><html lang=\"fr\"><p>Une <b>phrase</b>.</p></html>",
            "out/stdin.en.html",
        ),
    ] {
        let fx = Fixture::new();
        let model = crate::fixture::tiny_model();
        let mut child = fx
            .passeur(&["translate", "-", "-o", "out", "--model", model.to_str().unwrap(), "-q"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let written = fx.read(english);
        assert!(written.contains("<target") || written.contains("lang=\"en\""), "{written}");
        assert_eq!(fx.aligned()[0]["article"], name);
    }
}

/// OmegaT (Debian's 3.6), a CAT tool translators use, opens what passeur writes: its
/// console mode loads a project whose source files are passeur's XLIFF 1.x files (written
/// back and `aligned.xlf`) and English page, and counts each file's segments. A file its
/// filters cannot read would be missing from the statistics.
#[test]
fn omegat_opens_the_xliff_and_html_passeur_writes() {
    let Some(omegat) = tool("omegat") else {
        return;
    };
    let fx = Fixture::new();
    let out = fx.translate(&[formats().to_str().unwrap()], &["-g", &glossary()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = fx.path("omegat");
    for dir in ["source", "target", "tm", "glossary", "dictionary", "omegat"] {
        std::fs::create_dir_all(project.join(dir)).unwrap();
    }
    std::fs::write(
        project.join("omegat.project"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<omegat><project version=\"1.0\">\
         <source_dir>source</source_dir><source_dir_excludes/><target_dir>target</target_dir>\
         <tm_dir>tm</tm_dir><glossary_dir>glossary</glossary_dir>\
         <glossary_file>glossary/glossary.txt</glossary_file><dictionary_dir>dictionary</dictionary_dir>\
         <source_lang>FR</source_lang><target_lang>EN</target_lang>\
         <source_tok>org.omegat.tokenizer.LuceneFrenchTokenizer</source_tok>\
         <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>\
         <sentence_seg>true</sentence_seg><support_default_translations>true</support_default_translations>\
         <remove_tags>false</remove_tags></project></omegat>\n",
    )
    .unwrap();
    // OmegaT 3.6 reads XLIFF 1.x; 2.0 is left to Translate Toolkit's reader above.
    let files = [
        "translate-toolkit.xlf",
        "xliff-js-1.2.xlf",
        "segmented-1.2.xlf",
        "aligned.xlf",
        "article.en.html",
    ];
    for name in files {
        std::fs::copy(
            fx.path(&format!("out/{name}")),
            project.join("source").join(name),
        )
        .unwrap();
    }
    let run = Command::new(omegat)
        .arg("--mode=console-translate")
        .arg("--quiet")
        .arg("--no-team")
        .arg("--disable-project-locking")
        .arg(format!(
            "--config-dir={}",
            fx.path("omegat-config").display()
        ))
        .arg(&project)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stats = std::fs::read_to_string(project.join("omegat/project_stats.txt")).unwrap();
    for name in files {
        let line = stats
            .lines()
            .find(|l| l.split('\t').next().map(str::trim) == Some(name))
            .unwrap_or_else(|| panic!("OmegaT did not read {name}:\n{stats}"));
        let segments: usize = line.split('\t').nth(1).unwrap().trim().parse().unwrap();
        assert!(segments > 0, "{name}: {line}");
        assert!(
            project.join("target").join(name).is_file(),
            "{name} written back by OmegaT"
        );
    }
}

/// Only the target is replaced: what a unit holds between its source and its target (a
/// note, context) stays, and so does what follows.
#[test]
fn an_xliff_target_is_replaced_in_place() {
    let fx = Fixture::new();
    fx.write(
        "in/a.xlf",
        "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\
         <file original=\"a\" source-language=\"fr\" datatype=\"plaintext\"><body>\
         <trans-unit id=\"1\"><source>Une phrase.</source><note>Avant.</note>\
         <target state=\"new\">ancienne</target><note>Après.</note></trans-unit></body></file></xliff>",
    );
    let out = fx.translate(&["in/a.xlf"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = fx.read("out/a.xlf");
    assert!(
        written.contains("<source>Une phrase.</source><note>Avant.</note><target xml:lang=\"en\""),
        "{written}"
    );
    assert!(written.contains("</target>"), "{written}");
    assert!(!written.contains("ancienne"), "{written}");
    assert!(
        written.ends_with("<note>Après.</note></trans-unit></body></file></xliff>"),
        "{written}"
    );
}

/// The localisation loop: passeur fills an XLIFF 2 file, a reviewer finalises a segment
/// (with its inline code) in their tool, `review import` stores it, and the next run takes
/// the reviewer's translation, the code placed again.
#[test]
fn a_reviewed_xliff_document_teaches_the_memory() {
    let fx = Fixture::new();
    translate(&fx, "xliff-js-2.0.xlf");
    let written = fx.read("out/xliff-js-2.0.xlf");
    let unit = element(&written, "<unit id=\"title\">", "</unit>");
    let segment = element(unit, "<segment", "</segment>");
    assert!(segment.contains("subState=\"passeur:mt\""), "{segment}");
    // passeur's own machine translation is not an approved translation.
    let none = fx.run(&[
        "review",
        "import",
        "out/xliff-js-2.0.xlf",
        "--memory",
        "out/memory.sqlite",
    ]);
    assert!(none.status.success(), "{}", stderr(&none));
    assert!(
        String::from_utf8_lossy(&none.stdout).starts_with("stored 0 approved"),
        "{}",
        String::from_utf8_lossy(&none.stdout)
    );

    let target = element(segment, "<target>", "</target>");
    let reviewed = segment
        .replace(
            target,
            "<target>NATO and the <pc id=\"1\">Indo-Pacific</pc> region.</target>",
        )
        .replace(
            "state=\"translated\" subState=\"passeur:mt\"",
            "state=\"final\"",
        );
    fx.write("reviewed/job.xlf", written.replace(segment, &reviewed));
    let import = fx.run(&[
        "review",
        "import",
        "reviewed/job.xlf",
        "--memory",
        "out/memory.sqlite",
    ]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(
        String::from_utf8_lossy(&import.stdout).starts_with("stored 1 approved"),
        "{}",
        String::from_utf8_lossy(&import.stdout)
    );

    let rows = translate(&fx, "xliff-js-2.0.xlf");
    let title = rows
        .iter()
        .find(|r| r["memory"] == true)
        .expect("a row from the memory");
    assert_eq!(title["target"], "NATO and the Indo-Pacific region.");
    let again = fx.read("out/xliff-js-2.0.xlf");
    let unit = element(&again, "<unit id=\"title\">", "</unit>");
    assert_eq!(
        unit.matches("<pc id=\"1\">").count(),
        2,
        "source and target: {unit}"
    );
}

/// Regression: Markdown code blocks, HTML blocks, tables (their pipes lost), reference
/// definitions (their URLs lost) and comments went to the model as text.
#[test]
fn markdown_blocks_that_are_not_prose_come_back_as_written() {
    let fx = Fixture::new();
    let kept = [
        "```sh",
        "make *tout* | tee log",
        "```",
        "    code indenté",
        "<div class=\"encadre\">",
        "Bloc HTML",
        "</div>",
        "<!-- à ne pas traduire -->",
        "|------|----------|",
        "[otan]: https://www.nato.int/fr \"OTAN\"",
    ];
    let source = format!(
        "Le [lien][otan] du jour.\n\n{}\n{}\n{}\n\n{}\n\n{}\n{}\n{}\n\n{}\n\n| Pays | Capitale |\n{}\n| France | Paris |\n\n{}\n",
        kept[0], kept[1], kept[2], kept[3], kept[4], kept[5], kept[6], kept[7], kept[8], kept[9]
    );
    fx.write("in/note.md", &source);
    let out = fx.translate(&["in/note.md"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let english = fx.read("out/note.en.md");
    for line in kept {
        assert!(
            english.lines().any(|l| l == line),
            "{line:?} kept: {english}"
        );
    }
    let sources: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["source"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !sources
            .iter()
            .any(|s| s.contains("make") || s.contains("Bloc")),
        "{sources:?}"
    );
    // The rows' pipes all stay (with the tiny model's gibberish they are placed by
    // projection, not always first and last).
    let rows = english
        .lines()
        .filter(|l| l.matches('|').count() == 3)
        .count();
    assert_eq!(
        rows, 3,
        "header, delimiter and row keep their pipes: {english}"
    );
}
