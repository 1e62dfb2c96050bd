//! The language pair and the encodings of inputs: documents in another pair are refused and
//! left untouched, an article in another language is reported, not "translated"; XLIFF
//! targets carry the file's own target language and what tools expect of them.

use crate::fixture::{assert_valid, output_of, stderr, tool, Fixture};

/// An XLIFF 1.2 job as a MadCap-style export writes one for another pair.
fn job_1_2(source: &str, target: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.htm" source-language="{source}" target-language="{target}" datatype="html">
    <body>
      <trans-unit id="1">
        <source>Le gouvernement a présenté un projet de loi.</source>
      </trans-unit>
    </body>
  </file>
</xliff>
"#
    )
}

/// Regression: an `en-us → zh-cn` job was filled with English machine translation of
/// English text, and an `it-IT` job was read as French.
#[test]
fn an_xliff_job_in_another_pair_is_refused_and_left_untouched() {
    let fx = Fixture::new();
    let chinese = job_1_2("en-us", "zh-cn");
    fx.write("in/madcap.xlf", &chinese);
    fx.write("in/italien.xlf", job_1_2("it-IT", "en-US"));
    fx.write("in/bon.xlf", job_1_2("fr-FR", "en-GB"));
    let out = fx.translate(&["in"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("madcap.xlf: the file is a en-us → zh-cn job, but passeur translates fr → en"),
        "{err}"
    );
    assert!(
        err.contains("italien.xlf: the file is a it-IT → en-US job"),
        "{err}"
    );
    assert!(
        !fx.path("out/madcap.xlf").exists(),
        "nothing written for it"
    );
    assert_eq!(fx.read("in/madcap.xlf"), chinese, "the input is untouched");
    // The French job is translated, its target labelled with the file's own code.
    let written = fx.read("out/bon.xlf");
    assert!(
        written.contains(r#"<target xml:lang="en-GB" state="needs-review-translation""#),
        "{written}"
    );

    // With the pair named, the Italian job is the one to translate.
    let out = fx.translate_into("in/italien.xlf", "it-out", &["--source-lang", "it"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_html_page_in_another_language_is_refused() {
    let fx = Fixture::new();
    fx.write(
        "in/en.html",
        "<!DOCTYPE html><html lang=\"en\"><body><p>The government presented a bill.</p></body></html>",
    );
    fx.write(
        "in/fr.html",
        "<!DOCTYPE html><html lang=\"fr-FR\"><body><p>Le gouvernement a présenté un projet.</p></body></html>",
    );
    let out = fx.translate(&["in"], &["--target-lang", "en-GB"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("en.html: the page declares lang=\"en\""),
        "{}",
        stderr(&out)
    );
    assert!(!fx.path("out/en.en.html").exists());
    assert!(fx.read("out/fr.en.html").contains("<html lang=\"en-GB\">"));
}

/// Regression: a news batch with an English wire story in it was "translated" from French.
#[test]
fn an_article_in_another_language_is_reported_and_left_untranslated() {
    let fx = Fixture::new();
    let french = "Le gouvernement a présenté mercredi un projet de loi sur la sécurité. \
                  « We will never give up », a lancé le ministre devant les députés.";
    let english = "The government on Wednesday presented a bill on security and defence, \
                   which the opposition said it would vote against next week.";
    fx.write(
        "in/batch.jsonl",
        format!(
            "{}\n{}\n",
            serde_json::json!({"id": "fr-1", "text": french}),
            serde_json::json!({"id": "wire-1", "text": english})
        ),
    );
    let out = fx.translate(&["in"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("article \"wire-1\" reads as English (eng"),
        "{}",
        stderr(&out)
    );
    let articles: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_string())
        .collect();
    assert!(articles.iter().all(|a| a == "fr-1"), "{articles:?}");
    assert!(fx.run_json()["failures"].to_string().contains("wire-1"));
}

/// Regression: a Latin-1/Windows-1252 file was refused with no way to read it.
#[test]
fn a_windows_1252_file_is_read_with_encoding() {
    let fx = Fixture::new();
    fx.write(
        "in/depeche.txt",
        b"\x93L'\xe9t\xe9 sera chaud\x94, a d\xe9clar\xe9 le ministre \x96 sans plus.",
    );
    let refused = fx.translate(&["in"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("name it with --encoding"),
        "{}",
        stderr(&refused)
    );
    let out = fx.translate_into("in", "decoded", &["--encoding", "windows-1252"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = fx.aligned_in("decoded");
    assert_eq!(
        rows[0]["source"],
        "\u{201c}L'été sera chaud\u{201d}, a déclaré le ministre \u{2013} sans plus."
    );
    let bad = fx.run(&["translate", "in", "-o", "x", "--encoding", "klingon"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--encoding \"klingon\""),
        "{}",
        stderr(&bad)
    );
}

/// XLIFF details tools notice: protected text stays, a unit with nothing to translate gets
/// its source as target, `xml:space` is kept, the target language is the file's.
#[test]
fn xliff_targets_keep_protected_text_spaces_and_copy_what_needs_no_translation() {
    let fx = Fixture::new();
    let job_1_2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.htm" source-language="fr-FR" target-language="en-US" datatype="html">
    <body>
      <trans-unit id="protected">
        <source>Le ministre de <mrk mtype="protected">MadCap Flare</mrk> a parlé. Il est parti.</source>
        <seg-source><mrk mtype="seg" mid="1">Le ministre a parlé.</mrk> <mrk mtype="protected">[Flare]</mrk> <mrk mtype="seg" mid="2">Il est parti.</mrk></seg-source>
      </trans-unit>
      <trans-unit id="inline">
        <source>La marque <mrk mtype="protected">Le Monde</mrk> est connue.</source>
      </trans-unit>
      <trans-unit id="numbers">
        <source>2025 – 12,5 % <g id="1">🎉</g></source>
      </trans-unit>
    </body>
  </file>
</xliff>
"#;
    let job_2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="fr" trgLang="en-CA">
  <file id="f1">
    <unit id="u1">
      <segment>
        <source xml:space="preserve">Le gouvernement a présenté un projet. Les députés voteront.</source>
      </segment>
    </unit>
    <unit id="u2">
      <segment>
        <source><ph id="1"/> 42</source>
      </segment>
    </unit>
  </file>
</xliff>
"#;
    fx.write("in/madcap.xlf", job_1_2);
    fx.write("in/v2.xlf", job_2);
    let out = fx.translate(&["in"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let v1 = fx.read("out/madcap.xlf");
    let target_of = |text: &str, id: &str| -> String {
        let unit = &text[text.find(&format!("id=\"{id}\"")).unwrap()..];
        let unit = &unit[..unit.find("</trans-unit>").unwrap()];
        unit[unit.find("<target").unwrap()..unit.find("</target>").unwrap()].to_string()
    };
    let protected = target_of(&v1, "protected");
    assert!(
        protected.contains(
            "</mrk> <mrk mtype=\"protected\">[Flare]</mrk> <mrk mtype=\"seg\" mid=\"2\">"
        ),
        "{protected}"
    );
    assert!(
        protected.starts_with("<target xml:lang=\"en-US\""),
        "{protected}"
    );
    assert!(target_of(&v1, "inline").contains("<mrk mtype=\"protected\">Le Monde</mrk>"));
    let numbers = target_of(&v1, "numbers");
    assert!(
        numbers.starts_with(
            "<target xml:lang=\"en-US\" state=\"translated\">2025 – 12,5 % <g id=\"1\">🎉</g>"
        ),
        "{numbers}"
    );
    assert!(
        v1.contains("<note from=\"passeur\">nothing to translate"),
        "{v1}"
    );

    let v2 = fx.read("out/v2.xlf");
    let squeezed: String = v2.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "<source xml:space=\"preserve\">Le gouvernement a présenté un projet.</source>",
        "<source xml:space=\"preserve\">Les députés voteront.</source>",
        "<ignorable> <source xml:space=\"preserve\"> </source> </ignorable>",
        "<segment state=\"final\"> <source><ph id=\"1\"/> 42</source> <target><ph id=\"1\"/> 42</target>",
    ] {
        assert!(squeezed.contains(expected), "{expected}: {v2}");
    }
    assert!(v2.contains("<target xml:space=\"preserve\">"), "{v2}");
    if let Some(xmllint) = tool("xmllint") {
        for file in ["out/madcap.xlf", "out/v2.xlf"] {
            output_of(
                std::process::Command::new(xmllint)
                    .args(["--noout", "--nonet"])
                    .arg(fx.path(file)),
                file,
            );
        }
        assert_valid(xmllint, &fx.path("out/v2.xlf"), "xliff-2.0-core-subset.xsd");
    }
}

/// Regression: an HTML page with `<meta charset="windows-1252">` and an XLIFF file with
/// `encoding="ISO-8859-1"` were refused as not UTF-8, and a UTF-16 XLIFF came back as UTF-8
/// still labelled UTF-16 (xmllint rejected it).
#[test]
fn documents_are_read_in_their_declared_encoding_and_written_as_labelled() {
    let fx = Fixture::new();
    let latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<xliff version=\"1.2\">\
                  <file original=\"a\" source-language=\"fr\" datatype=\"plaintext\"><body>\
                  <trans-unit id=\"1\"><source>L'été a été chaud.</source></trans-unit>\
                  </body></file></xliff>\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin1);
    fx.write("in/latin1.xlf", &bytes);
    let utf16 = latin1.replace("ISO-8859-1", "UTF-16");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(utf16.encode_utf16().flat_map(u16::to_le_bytes));
    fx.write("in/utf16.xlf", bytes);
    let page = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"windows-1252\">\
                <title>Été</title></head><body><p>L'été a été chaud.</p></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(page);
    fx.write("in/page.html", &bytes);
    let out = fx.translate(&["in"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sources: Vec<String> = fx
        .aligned()
        .iter()
        .map(|r| r["source"].as_str().unwrap().to_string())
        .collect();
    assert!(
        sources
            .iter()
            .filter(|s| *s == "L'été a été chaud.")
            .count()
            == 3,
        "{sources:?}"
    );
    for file in ["out/latin1.xlf", "out/utf16.xlf"] {
        let text = fx.read(file);
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{file}: {text}"
        );
        if let Some(xmllint) = tool("xmllint") {
            output_of(
                std::process::Command::new(xmllint)
                    .args(["--noout"])
                    .arg(fx.path(file)),
                file,
            );
        }
    }
    assert!(fx
        .read("out/page.en.html")
        .contains("<meta charset=\"utf-8\">"));
}
