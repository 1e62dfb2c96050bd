//! Progress on stderr with indicatif: hidden when stderr is not a terminal or with
//! `--quiet`, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when hidden.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    reused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Progress {
    fn new(total: u64, template: &str, quiet: bool) -> Progress {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("progress templates are valid")
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar,
            reused: Default::default(),
        }
    }

    /// Articles done over the whole batch (the total counted up front where the inputs
    /// allow), with rate, ETA, and the articles kept unchanged from an earlier run.
    pub fn articles(total: Option<usize>, quiet: bool) -> Progress {
        let template = if total.is_some() {
            "translating [{bar:30}] {pos}/{len} articles, {per_sec}, ETA {eta} {msg}"
        } else {
            "translating {pos} articles, {per_sec} {msg}"
        };
        let progress = Progress::new(total.unwrap_or(0) as u64, template, quiet);
        if total.is_none() {
            progress.bar.unset_length();
        }
        progress
    }

    /// Articles kept from an earlier run: they count as done, and are shown apart.
    pub fn reused(&self, n: usize) {
        self.reused
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        let reused = self.reused.load(std::sync::atomic::Ordering::Relaxed);
        self.bar.set_message(format!("({reused} unchanged, kept)"));
        self.bar.inc(n as u64);
    }

    /// Bytes downloaded for one file.
    pub fn download(name: &str, total: u64, quiet: bool) -> Progress {
        let progress = Progress::new(
            total,
            "{prefix:>20} [{bar:30}] {bytes}/{total_bytes}, {bytes_per_sec}, ETA {eta}",
            quiet,
        );
        progress.bar.set_prefix(name.to_string());
        progress
    }

    pub fn advance(&self, n: usize) {
        self.bar.inc(n as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
