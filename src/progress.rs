//! Progress on stderr with indicatif: hidden when stderr is not a terminal or with
//! `--quiet`, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A progress bar, or nothing when hidden.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    /// Articles kept from an earlier run: done, but not the engine's work.
    reused: Arc<AtomicUsize>,
    /// The sentences (pieces) the engine has in hand, and how many it finished: a chunk
    /// can be one long article, which would show no progress for minutes otherwise.
    sentences: Arc<(AtomicUsize, AtomicUsize)>,
}

impl Progress {
    fn new(total: u64, template: &str, quiet: bool) -> Progress {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let reused: Arc<AtomicUsize> = Default::default();
        let (for_rate, for_eta) = (reused.clone(), reused.clone());
        let sentences: Arc<(AtomicUsize, AtomicUsize)> = Default::default();
        let for_chunk = sentences.clone();
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("progress templates are valid")
                .progress_chars("=> ")
                // Rate and ETA count what the engine did: articles kept from an earlier run
                // took no time, and counted in they made the rate soar and the ETA "0s"
                // while articles still waited for the engine.
                .with_key(
                    "rate",
                    move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let done = engine_done(state, &for_rate);
                        let _ = w.write_str(&rate_text(done, state.elapsed()));
                    },
                )
                .with_key(
                    "eta",
                    move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let done = engine_done(state, &for_eta);
                        let left = state.len().map(|len| len.saturating_sub(state.pos()));
                        let _ = w.write_str(&eta_text(done, left, state.elapsed()));
                    },
                )
                .with_key(
                    "chunk",
                    move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let total = for_chunk.0.load(Ordering::Relaxed);
                        let done = for_chunk.1.load(Ordering::Relaxed);
                        let _ = w.write_str(&chunk_text(done, total));
                    },
                ),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar,
            reused,
            sentences,
        }
    }

    /// The engine starts on `total` sentences (those of a chunk).
    pub fn sentences_started(&self, total: usize) {
        self.sentences.1.store(0, Ordering::Relaxed);
        self.sentences.0.store(total, Ordering::Relaxed);
    }

    /// The engine finished `n` more of them.
    pub fn sentences_done(&self, n: usize) {
        self.sentences.1.fetch_add(n, Ordering::Relaxed);
    }

    /// Articles done over the whole batch (the total counted up front where the inputs
    /// allow), with the time so far, the engine's rate, ETA, and the articles kept
    /// unchanged from an earlier run.
    pub fn articles(total: Option<usize>, quiet: bool) -> Progress {
        let template = if total.is_some() {
            "translating [{bar:30}] {pos}/{len} articles{chunk}, {elapsed_precise}, {rate}, ETA {eta} {msg}"
        } else {
            "translating {pos} articles{chunk}, {elapsed_precise}, {rate} {msg}"
        };
        let progress = Progress::new(total.unwrap_or(0) as u64, template, quiet);
        if total.is_none() {
            progress.bar.unset_length();
        }
        progress
    }

    /// Articles kept from an earlier run: they count as done, and are shown apart.
    pub fn reused(&self, n: usize) {
        self.reused.fetch_add(n, Ordering::Relaxed);
        let reused = self.reused.load(Ordering::Relaxed);
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

/// Articles the engine translated so far: those done, less those kept.
fn engine_done(state: &ProgressState, reused: &AtomicUsize) -> u64 {
    state
        .pos()
        .saturating_sub(reused.load(Ordering::Relaxed) as u64)
}

/// The engine's rate, to three significant digits or so (`12.3 articles/s`, `0.412`).
fn rate_text(done: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if done == 0 || seconds < 0.001 {
        return "— articles/s".into();
    }
    let rate = done as f64 / seconds;
    let digits = match rate {
        r if r >= 100.0 => 0,
        r if r >= 10.0 => 1,
        r if r >= 1.0 => 2,
        _ => 3,
    };
    format!("{rate:.digits$} articles/s")
}

/// The sentences of the chunk in the engine's hands, while it has some left
/// (` (sentences 120/800 of this chunk)`), so that one long article shows its progress.
fn chunk_text(done: usize, total: usize) -> String {
    match total {
        0 => String::new(),
        _ if done >= total => String::new(),
        _ => format!(" (sentences {done}/{total} of this chunk)"),
    }
}

/// Time left at the engine's rate for the articles left; "—" until the engine has done
/// some (articles still to be read may be kept ones, so this is an upper bound).
fn eta_text(done: u64, left: Option<u64>, elapsed: Duration) -> String {
    let Some(left) = left else {
        return "—".into();
    };
    if done == 0 {
        return if left == 0 { "0s".into() } else { "—".into() };
    }
    let seconds = (left as f64 * elapsed.as_secs_f64() / done as f64).round() as u64;
    match seconds {
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_has_a_few_significant_digits() {
        let second = Duration::from_secs(1);
        assert_eq!(rate_text(0, second), "— articles/s");
        assert_eq!(rate_text(1234, second), "1234 articles/s");
        assert_eq!(rate_text(123, 10 * second), "12.3 articles/s");
        assert_eq!(rate_text(5, 12 * second), "0.417 articles/s");
    }

    /// Regression: a chunk of one long article showed no progress until it was done.
    #[test]
    fn a_long_chunk_counts_its_sentences() {
        assert_eq!(chunk_text(0, 0), "");
        assert_eq!(chunk_text(120, 800), " (sentences 120/800 of this chunk)");
        assert_eq!(chunk_text(800, 800), "");
    }

    /// Regression: "ETA 0s" while 28 articles still needed the engine, because kept
    /// articles counted in the rate.
    #[test]
    fn eta_comes_from_the_engines_own_rate() {
        let ten = Duration::from_secs(10);
        assert_eq!(eta_text(0, Some(28), ten), "—");
        assert_eq!(eta_text(5, Some(28), ten), "56s");
        assert_eq!(eta_text(2, Some(100), Duration::from_secs(60)), "50m00s");
        assert_eq!(eta_text(1, Some(1000), Duration::from_secs(10)), "2h46m");
        assert_eq!(eta_text(3, Some(0), ten), "0s");
    }
}
