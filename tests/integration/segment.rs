//! `passeur segment` through the binary: what the segment stage of `translate` does, printed.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::fixture::{stderr, Fixture};

#[test]
fn jsonl_gives_sentences_and_byte_spans_per_article() {
    let fx = Fixture::new();
    let text = "M. Dupont est arrivé. Il a dit « Bonjour. »\n\nLa suite, av. J.-C. ici.";
    fx.write("a.txt", text);
    fx.write("b.txt", "Une seule phrase.");
    let output = fx.run(&["segment", "a.txt", "b.txt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let articles: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(articles.len(), 2);
    assert_eq!(articles[0]["id"], "a.txt");
    let sentences = articles[0]["sentences"].as_array().unwrap();
    assert_eq!(
        sentences,
        &[
            "M. Dupont est arrivé.",
            "Il a dit « Bonjour. »",
            "La suite, av. J.-C. ici."
        ]
    );
    for (sentence, span) in sentences
        .iter()
        .zip(articles[0]["spans"].as_array().unwrap())
    {
        let (start, end) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
        assert_eq!(
            &text[start as usize..end as usize],
            sentence.as_str().unwrap()
        );
    }
}

#[test]
fn lines_separate_paragraphs_with_a_blank_line() {
    let fx = Fixture::new();
    fx.write("a.txt", "M. Dupont est arrivé. Il a parlé.\n\nFin.");
    let output = fx.run(&["segment", "a.txt", "--format", "lines"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "M. Dupont est arrivé.\nIl a parlé.\n\nFin.\n"
    );
}

#[test]
fn reads_standard_input_by_default() {
    let fx = Fixture::new();
    let mut child = fx
        .passeur(&["segment", "--format", "lines"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Mme Martin part. Elle revient.".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "Mme Martin part.\nElle revient.\n"
    );
}

#[test]
fn a_bad_input_is_reported_and_the_others_are_printed() {
    let fx = Fixture::new();
    fx.write("good.txt", "Une phrase.");
    fx.write("bad.txt", b"\x01\x00binary");
    let output = fx.run(&["segment", "good.txt", "bad.txt", "--format", "lines"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad.txt"), "{}", stderr(&output));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "Une phrase.\n");
}
