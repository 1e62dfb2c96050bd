//! Files written atomically: to a temporary file in the same folder, made durable, then
//! renamed over the final name. Every module that writes a file a user keeps (the write
//! stage, glossary edits, review) goes through here, so none of them can leave half a file
//! behind.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;
use thiserror::Error;

#[derive(Debug, Error)]
#[error("{path}: cannot write: {source}")]
pub struct WriteError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// A run stopped because the output folder's disk is full: worth retrying once space is
/// freed (exit 75), since the next run goes on from what is committed.
#[derive(Debug, Error)]
#[error(
    "{dir}: the disk is full ({free} free); free space, at least as much as the folder holds \
     so far ({used}: the review files are written anew beside the old ones), and run the \
     same command again: it goes on from what is committed"
)]
pub struct DiskFull {
    pub dir: String,
    pub free: String,
    pub used: String,
}

impl DiskFull {
    /// The error for `dir`, with what its file system has free and what it holds.
    pub fn at(dir: &Path) -> DiskFull {
        DiskFull {
            dir: dir.display().to_string(),
            free: free_space(dir).map_or_else(|| "unknown".into(), megabytes),
            used: megabytes(size_below(dir)),
        }
    }
}

/// Whether a system error says the disk is full (`ENOSPC`).
pub fn is_disk_full(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::StorageFull || error.raw_os_error() == Some(28)
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Bytes free for an unprivileged writer on the file system of `dir`.
fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let stats = rustix::fs::statvfs(dir).ok()?;
        Some(stats.f_bavail.saturating_mul(stats.f_frsize))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        None
    }
}

/// Bytes of the files below `dir`.
fn size_below(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// What two file names are the same file as on a case-insensitive, normalising volume
/// (macOS, Windows, SMB): `Article.en.txt` and `article.en.txt` have one key.
pub fn file_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfc().flat_map(char::to_lowercase).collect()
}

/// Writes `bytes` to `path` atomically, creating parent folders, and durably.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| file.error(e))?;
    file.commit()
}

/// Writes `bytes` to `path` atomically (a reader sees the old file or the new one, never
/// half of one) without waiting for the disk: for many files made durable together by
/// [`sync_filesystem`], one call instead of two syncs per file.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| file.error(e))?;
    file.persist()
}

/// Makes every file written so far on the file system that holds `dir` durable: Linux's
/// `syncfs`, elsewhere `sync_all` of `dir` (which covers renames into it, not other
/// folders' files: there, use [`write_atomic`]).
pub fn sync_filesystem(dir: &Path) -> Result<(), WriteError> {
    let error = |source| WriteError {
        path: dir.display().to_string(),
        source,
    };
    let folder = std::fs::File::open(dir).map_err(error)?;
    #[cfg(target_os = "linux")]
    {
        rustix::fs::syncfs(&folder).map_err(|e| error(e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        folder.sync_all().map_err(error)
    }
}

/// A file being written: to a temporary file beside `path`, which [`AtomicFile::commit`]
/// makes durable and renames over `path`. Dropped without a commit, it leaves nothing but
/// (after a crash) a `.passeur-*.tmp` file that the next run removes.
pub struct AtomicFile {
    path: PathBuf,
    temp: BufWriter<NamedTempFile>,
    /// SHA-256 of what was written, to recognise the file later.
    digest: Sha256,
}

impl AtomicFile {
    /// Starts writing `path`, creating its parent folders. The file gets the permissions
    /// the process's umask gives new files (0644 by default), as any other tool's output.
    pub fn create(path: &Path) -> Result<AtomicFile, WriteError> {
        let error = |source| WriteError {
            path: path.display().to_string(),
            source,
        };
        let parent = parent_of(path);
        std::fs::create_dir_all(&parent).map_err(error)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".passeur-").suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Asked for 0666, the kernel applies the umask; tempfile's default is 0600.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(&parent).map_err(error)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp: BufWriter::with_capacity(1 << 16, temp),
            digest: Sha256::new(),
        })
    }

    fn error(&self, source: std::io::Error) -> WriteError {
        WriteError {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Flushes and renames the file into place, leaving the disk sync to the caller.
    pub fn persist(self) -> Result<(), WriteError> {
        let path = self.path.clone();
        let error = |source| WriteError {
            path: path.display().to_string(),
            source,
        };
        let temp = self.temp.into_inner().map_err(|e| error(e.into_error()))?;
        temp.persist(&path).map_err(|e| error(e.error))?;
        Ok(())
    }

    /// Flushes, syncs and renames the file into place, then syncs its folder so that the
    /// rename itself survives a crash.
    pub fn commit(self) -> Result<(), WriteError> {
        let path = self.path.clone();
        let error = |source| WriteError {
            path: path.display().to_string(),
            source,
        };
        let temp = self.temp.into_inner().map_err(|e| error(e.into_error()))?;
        temp.as_file().sync_all().map_err(error)?;
        temp.persist(&path).map_err(|e| error(e.error))?;
        sync_folder(&parent_of(&path)).map_err(error)
    }
}

impl AtomicFile {
    /// The SHA-256 (hex) of everything written so far.
    pub fn digest(&self) -> String {
        hex(self.digest.clone().finalize())
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.temp.write(bytes)?;
        self.digest.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a folder's entries (a rename into it) durable. A no-op where folders cannot be
/// opened (Windows).
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

/// Line numbers of byte offsets in a text, as an editor counts them (from 1): the line
/// starts found once, each lookup a binary search. Counting newlines from the start for
/// every lookup made files of many entries (a 100,000-entry glossary) take minutes.
pub struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// The line (from 1) the byte at `offset` is on.
    pub fn line(&self, offset: usize) -> usize {
        1 + self.newlines.partition_point(|&n| n < offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn files_get_the_umask_permissions_not_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.txt");
        write_atomic(&path, b"x").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
            .unwrap();
        assert_eq!(mode, 0o666 & !umask);
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"new, half").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
