//! `passeur model fetch` and the first-use fetch of `translate`, against the fake hub.

use crate::fake_hub::{FakeHub, Fault};
use crate::fixture::{files_below, stderr, tiny_model, Fixture};

const DEFAULT_REPO: &str = "michaelfeil/ct2fast-opus-mt-fr-en";

fn fetch(fx: &Fixture, hub: &FakeHub, args: &[&str]) -> std::process::Output {
    let mut all = vec!["model", "fetch"];
    all.extend_from_slice(args);
    fx.passeur(&all)
        .env("HF_ENDPOINT", &hub.endpoint)
        .output()
        .unwrap()
}

#[test]
fn fetches_a_complete_model_that_then_translates() {
    let fx = Fixture::new();
    let hub = FakeHub::start("test/tiny", Fault::None);
    let output = fetch(&fx, &hub, &["test/tiny", "--dir", "models/tiny", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files_below(&fx.path("models")),
        [
            "tiny/config.json",
            "tiny/model.bin",
            "tiny/shared_vocabulary.txt",
            "tiny/source.spm",
            "tiny/target.spm"
        ]
    );
    for name in ["model.bin", "source.spm"] {
        assert_eq!(
            std::fs::read(fx.path("models/tiny").join(name)).unwrap(),
            std::fs::read(tiny_model().join(name)).unwrap()
        );
    }
    assert!(hub.requested().iter().all(|p| !p.contains("README")));
    assert!(
        hub.requested().iter().any(|p| p == "/cdn/model.bin"),
        "the redirect was followed"
    );

    let info = fx.run(&["model", "info", "models/tiny"]);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("TransformerSpec"), "{text}");
    assert!(text.contains("313 tokens"), "{text}");
    assert!(text.contains("SentencePiece"), "{text}");

    fx.write("a.txt", "Une phrase.");
    let output = fx.run(&[
        "translate",
        "a.txt",
        "-o",
        "out",
        "--model",
        "models/tiny",
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    // A second fetch does not overwrite without --force.
    let again = fetch(&fx, &hub, &["test/tiny", "--dir", "models/tiny", "--quiet"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let forced = fetch(
        &fx,
        &hub,
        &["test/tiny", "--dir", "models/tiny", "--quiet", "--force"],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
}

fn assert_leaves_nothing(fault: Fault, needle: &str) {
    let fx = Fixture::new();
    let hub = FakeHub::start("test/tiny", fault);
    let output = fx
        .passeur(&[
            "model",
            "fetch",
            "test/tiny",
            "--dir",
            "models/tiny",
            "--quiet",
        ])
        .env("HF_ENDPOINT", &hub.endpoint)
        .env("PASSEUR_FETCH_IDLE_SECONDS", "2")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(needle), "{}", stderr(&output));
    // No half model, and no leftover partial folder.
    let left = if fx.path("models").exists() {
        files_below(&fx.path("models"))
    } else {
        vec![]
    };
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_small_file_is_checked_against_its_git_blob_id() {
    assert_leaves_nothing(Fault::WrongBlob, "shared_vocabulary.txt: checksum mismatch");
}

#[test]
fn a_vocabulary_that_does_not_match_the_model_is_not_installed() {
    assert_leaves_nothing(Fault::HalfVocabulary, "do not belong together");
}

#[test]
fn a_stalled_download_fails_instead_of_waiting() {
    assert_leaves_nothing(Fault::Stall, "stalled");
}

#[test]
fn an_interrupted_download_leaves_no_half_model() {
    assert_leaves_nothing(Fault::CutModel, "model.bin");
}

#[test]
fn a_server_error_leaves_no_half_model() {
    assert_leaves_nothing(Fault::ServerError, "HTTP 500");
}

#[test]
fn a_checksum_mismatch_leaves_no_half_model() {
    assert_leaves_nothing(Fault::WrongChecksum, "checksum mismatch");
}

#[test]
fn an_unknown_repository_is_a_clear_error() {
    let fx = Fixture::new();
    let hub = FakeHub::start("test/tiny", Fault::None);
    let output = fetch(&fx, &hub, &["nobody/nothing", "--quiet"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("HTTP 404"), "{}", stderr(&output));
    assert!(!fx.path("models").exists() || files_below(&fx.path("models")).is_empty());
}

#[test]
fn translate_fetches_the_default_model_on_first_use() {
    let fx = Fixture::new();
    let hub = FakeHub::start(DEFAULT_REPO, Fault::None);
    fx.write("a.txt", "L'OTAN se réunit.");
    let output = fx
        .passeur(&["translate", "a.txt", "-o", "out", "--quiet"])
        .env("HF_ENDPOINT", &hub.endpoint)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("fetching michaelfeil/ct2fast-opus-mt-fr-en"));
    assert!(fx.path("models/opus-mt-fr-en/model.bin").is_file());
    assert!(fx.path("out/a.en.txt").is_file());
    // The next run uses the installed model without asking the hub again.
    let requests = hub.requested().len();
    let output = fx
        .passeur(&["translate", "a.txt", "-o", "out2", "--quiet", "--offline"])
        .env("HF_ENDPOINT", &hub.endpoint)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(hub.requested().len(), requests);
}

/// Regression: the default model lived under the working folder (every cron job fetched
/// 300 MB again), a failed first run left an empty output folder, and `model info` with no
/// model printed its error twice without saying what to do.
#[test]
fn the_default_model_lives_in_the_users_data_folder() {
    let fx = Fixture::new();
    let hub = FakeHub::start(DEFAULT_REPO, Fault::None);
    fx.write("a.txt", "L'OTAN se réunit.");
    let user = |command: &mut std::process::Command| {
        command
            .env_remove("PASSEUR_MODELS")
            .env_remove("XDG_DATA_HOME")
            .env("HOME", fx.path("home"))
            .env("HF_ENDPOINT", &hub.endpoint);
    };
    let mut info = fx.passeur(&["model", "info"]);
    user(&mut info);
    let info = info.output().unwrap();
    assert_eq!(info.status.code(), Some(2));
    let message = stderr(&info);
    assert_eq!(message.matches("no model here").count(), 1, "{message}");
    assert!(message.contains("`passeur model fetch`"), "{message}");

    let mut unreachable = fx.passeur(&["translate", "a.txt", "-o", "first", "--quiet"]);
    user(&mut unreachable);
    unreachable.env("HF_ENDPOINT", "http://127.0.0.1:9");
    let failed = unreachable.output().unwrap();
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(!fx.path("first").exists(), "no empty output folder left");

    for out in ["one", "two"] {
        let mut run = fx.passeur(&["translate", "a.txt", "-o", out, "--quiet"]);
        user(&mut run);
        let output = run.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    }
    assert!(fx
        .path("home/.local/share/passeur/models/opus-mt-fr-en/model.bin")
        .is_file());
    assert!(
        !fx.path("models").exists(),
        "nothing under the working folder"
    );
    assert_eq!(
        hub.requested()
            .iter()
            .filter(|r| r.ends_with("resolve/main/model.bin"))
            .count(),
        1,
        "one download for both runs: {:?}",
        hub.requested()
    );
}
