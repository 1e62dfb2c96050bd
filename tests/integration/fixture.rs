//! A temporary working folder and a way to run the binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_passeur");

/// The repository root, for committed fixtures and examples.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn tiny_model() -> PathBuf {
    repo().join("tests/fixtures/tiny-fr-en")
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// `passeur ARGS` in the fixture folder, with no way to reach a real hub.
    pub fn passeur(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("HF_ENDPOINT", "http://127.0.0.1:9")
            // Downloaded models go to the fixture's own folder, not the user's.
            .env("PASSEUR_MODELS", self.dir.path().join("models"))
            .env_remove("HF_TOKEN")
            .env_remove("PASSEUR_MEMORY")
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.passeur(args).output().expect("the binary runs")
    }

    /// `passeur translate INPUT -o OUT --model <tiny> --quiet EXTRA`.
    pub fn translate_into(&self, input: &str, out: &str, extra: &[&str]) -> Output {
        let model = tiny_model();
        let mut args = vec!["translate", input, "-o", out];
        args.extend_from_slice(&["--model", model.to_str().unwrap(), "--quiet"]);
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `passeur translate INPUTS -o out --model <tiny> --quiet EXTRA`.
    pub fn translate(&self, inputs: &[&str], extra: &[&str]) -> Output {
        let model = tiny_model();
        let mut args = vec!["translate"];
        args.extend_from_slice(inputs);
        args.extend_from_slice(&["-o", "out", "--model", model.to_str().unwrap(), "--quiet"]);
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// A copy of the tiny model at `relative`, its files written anew (other paths, other
    /// modification times, the same content).
    pub fn copy_of_tiny_model(&self, relative: &str) -> PathBuf {
        for file in std::fs::read_dir(tiny_model()).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            self.write(&format!("{relative}/{name}"), std::fs::read(&path).unwrap());
        }
        self.path(relative)
    }

    /// Waits (a minute at most) until a run has written `count` English files in `out`: for
    /// tests that interrupt a run once some chunks are on disk.
    pub fn wait_for_english_files(&self, out: &str, count: usize) {
        let start = std::time::Instant::now();
        let written = || {
            let dir = self.path(out);
            dir.is_dir()
                && files_below(&dir)
                    .iter()
                    .filter(|f| f.ends_with(".en.txt"))
                    .count()
                    >= count
        };
        while !written() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(60),
                "the run wrote nothing"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    pub fn aligned(&self) -> Vec<Value> {
        self.aligned_in("out")
    }

    pub fn aligned_in(&self, out: &str) -> Vec<Value> {
        self.read(&format!("{out}/aligned.jsonl"))
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    }

    pub fn run_json(&self) -> Value {
        self.run_json_in("out")
    }

    pub fn run_json_in(&self, out: &str) -> Value {
        serde_json::from_str(&self.read(&format!("{out}/run.json"))).expect("run.json is JSON")
    }
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Files below a folder, relative, sorted; an output folder's run state (`.passeur/`) left
/// out.
pub fn files_below(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == ".passeur") {
                    continue;
                }
                stack.push(path);
            } else {
                files.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    files
}

/// A tool the test needs. On CI (where `.ci/run` installs it) its absence fails the test;
/// elsewhere the test says so and passes.
pub fn tool(name: &str) -> Option<&str> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(name);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{name} is missing on CI: .ci/run should install it"
    );
    eprintln!("skipping: {name} is not installed");
    None
}

/// The Python of the tools' virtual environment (`PASSEUR_TOOLS_VENV`, default
/// `~/.cache/passeur-tools-venv`, where `.ci/run` installs Translate Toolkit and the
/// CTranslate2 wheel) when it can `import` what a test needs. Otherwise the test says it
/// skipped `what`, and fails on CI.
pub fn tools_python(import: &str, what: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("PASSEUR_TOOLS_VENV").map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/passeur-tools-venv"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    let has = Command::new(&python)
        .args(["-c", &format!("import {import}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if has {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing on CI: .ci/run should install it in {}",
        venv.display()
    );
    eprintln!("skipping: {what} is not installed in {}", venv.display());
    None
}

/// Renders a page in headless Chromium and returns the DOM after its script ran.
pub fn chromium_dom(chromium: &str, page: &Path, fragment: &str, profile: &Path) -> String {
    let url = format!("file://{}{fragment}", page.display());
    let out = output_of(
        Command::new(chromium).args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &url,
        ]),
        "chromium",
    );
    String::from_utf8_lossy(&out).into_owned()
}

/// xmllint validates `file` against a committed schema of tests/fixtures/schemas (a `.dtd`
/// or an `.xsd`), or the test fails with xmllint's message.
pub fn assert_valid(xmllint: &str, file: &Path, schema: &str) {
    let flag = if schema.ends_with(".dtd") {
        "--dtdvalid"
    } else {
        "--schema"
    };
    output_of(
        Command::new(xmllint)
            .args(["--noout", "--nonet", flag])
            .arg(repo().join("tests/fixtures/schemas").join(schema))
            .arg(file),
        &file.display().to_string(),
    );
}

/// Runs a tool and returns its standard output; the test fails with `what` and the tool's
/// standard error if it does not succeed.
pub fn output_of(command: &mut Command, what: &str) -> Vec<u8> {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
