//! A fake Hugging Face Hub on 127.0.0.1, serving the tiny test model, so that the real
//! download code runs end to end without the internet. It answers the two requests passeur
//! makes: the file listing (`/api/models/REPO/revision/REV`) and file downloads
//! (`/REPO/resolve/REV/FILE`), and can misbehave on purpose.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use sha2::{Digest, Sha256};

use crate::fixture::tiny_model;

/// How the hub misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// model.bin announces its full length, sends half and closes the connection.
    CutModel,
    /// model.bin answers 500.
    ServerError,
    /// The listing gives model.bin a wrong SHA-256.
    WrongChecksum,
    /// The listing gives shared_vocabulary.txt a wrong git blob id.
    WrongBlob,
    /// The listing says nothing of shared_vocabulary.txt (no size, no blob id), and half
    /// of it is served.
    HalfVocabulary,
    /// model.bin sends half its bytes, then nothing more, without closing.
    Stall,
}

/// Git's blob id, as the hub lists it for files that are not in LFS.
fn blob_id(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    let mut hasher = sha1::Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    format!("{:x}", hasher.finalize())
}

pub struct FakeHub {
    pub endpoint: String,
    /// Paths requested, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

const FILES: &[&str] = &[
    "config.json",
    "model.bin",
    "shared_vocabulary.txt",
    "source.spm",
    "target.spm",
];

impl FakeHub {
    /// Serves the tiny model as `repo`. The server thread lives as long as the test.
    pub fn start(repo: &str, fault: Fault) -> FakeHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let repo = repo.to_string();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let repo = repo.clone();
                let log = Arc::clone(&log);
                thread::spawn(move || serve(stream, &repo, fault, &log));
            }
        });
        FakeHub { endpoint, requests }
    }

    pub fn requested(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, repo: &str, fault: Fault, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    log.lock().unwrap().push(path.clone());
    let path = path.split('?').next().unwrap().to_string();

    let listing = format!("/api/models/{repo}/revision/main");
    let resolve = format!("/{repo}/resolve/main/");
    if path == listing {
        let siblings: Vec<String> = FILES
            .iter()
            .map(|name| {
                let bytes = std::fs::read(tiny_model().join(name)).unwrap();
                let mut sha = format!("{:x}", Sha256::digest(&bytes));
                if fault == Fault::WrongChecksum {
                    sha = "0".repeat(64);
                }
                if *name == "model.bin" {
                    format!(
                        r#"{{"rfilename": "{name}", "size": {}, "lfs": {{"sha256": "{sha}", "size": {}}}}}"#,
                        bytes.len(),
                        bytes.len()
                    )
                } else if fault == Fault::HalfVocabulary && *name == "shared_vocabulary.txt" {
                    format!(r#"{{"rfilename": "{name}"}}"#)
                } else {
                    let blob = match (fault, *name) {
                        (Fault::WrongBlob, "shared_vocabulary.txt") => "0".repeat(40),
                        _ => blob_id(&bytes),
                    };
                    format!(
                        r#"{{"rfilename": "{name}", "size": {}, "blobId": "{blob}"}}"#,
                        bytes.len()
                    )
                }
            })
            .chain([r#"{"rfilename": "README.md", "size": 10}"#.to_string()])
            .collect();
        let body = format!(
            r#"{{"id": "{repo}", "sha": "abc", "siblings": [{}]}}"#,
            siblings.join(",")
        );
        respond(&mut stream, 200, body.as_bytes(), None);
    } else if let Some(name) = path.strip_prefix(&resolve) {
        if !FILES.contains(&name) {
            respond(&mut stream, 404, b"not found", None);
            return;
        }
        let bytes = std::fs::read(tiny_model().join(name)).unwrap();
        match (fault, name) {
            (Fault::CutModel, "model.bin") => respond(
                &mut stream,
                200,
                &bytes[..bytes.len() / 2],
                Some(bytes.len()),
            ),
            (Fault::ServerError, "model.bin") => respond(&mut stream, 500, b"boom", None),
            (Fault::HalfVocabulary, "shared_vocabulary.txt") => {
                let half = &bytes[..bytes.len() / 2];
                let cut = half.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                respond(&mut stream, 200, &half[..cut], None)
            }
            (Fault::Stall, "model.bin") => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    bytes.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&bytes[..bytes.len() / 2]);
                let _ = stream.flush();
                // Hold the connection open, sending nothing, longer than the client waits.
                std::thread::sleep(std::time::Duration::from_secs(20));
            }
            // Like the real hub, large (LFS) files are redirected to a content server.
            (_, "model.bin") => redirect(&mut stream, "/cdn/model.bin"),
            _ => respond(&mut stream, 200, &bytes, None),
        }
    } else if path == "/cdn/model.bin" {
        let bytes = std::fs::read(tiny_model().join("model.bin")).unwrap();
        respond(&mut stream, 200, &bytes, None);
    } else {
        respond(&mut stream, 404, b"Repository not found", None);
    }
}

fn redirect(stream: &mut TcpStream, location: &str) {
    let head = format!(
        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.flush();
}

/// Writes a response; `announced` overrides Content-Length to simulate a cut connection.
fn respond(stream: &mut TcpStream, status: u16, body: &[u8], announced: Option<usize>) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        announced.unwrap_or(body.len())
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}
