//! Progress on stderr with indicatif: hidden when stderr is not a terminal or with
//! `--quiet`, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when hidden.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
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
        Progress { bar }
    }

    /// Segments translated: done/total, rate and ETA.
    pub fn segments(total: usize, quiet: bool) -> Progress {
        Progress::new(
            total as u64,
            "{prefix}translating [{bar:30}] {pos}/{len} segments, {per_sec}, ETA {eta}",
            quiet,
        )
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

    /// Changes the total, when the work turns out larger than first counted.
    pub fn set_total(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    pub fn advance(&self, n: usize) {
        self.bar.inc(n as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
