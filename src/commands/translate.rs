//! `passeur translate` and `passeur merge`: settings from the command line, the pipeline
//! (or the merge), failures and the summary on stderr.

use anyhow::Result;

use super::Status;
use crate::cli::{MergeArgs, TranslateArgs};
use crate::config::{MergeSettings, TranslateSettings};
use crate::merge;
use crate::pipeline::{self, RunOutcome};

pub(crate) fn run(args: TranslateArgs) -> Result<Status> {
    let settings = TranslateSettings::from_args(args)?;
    let outcome = pipeline::translate(&settings)?;
    Ok(report(&outcome, settings.quiet))
}

pub(crate) fn merge(args: MergeArgs) -> Result<Status> {
    let settings = MergeSettings::from_args(args);
    let outcome = merge::merge(&settings)?;
    Ok(report(&outcome, settings.quiet))
}

/// Failures on stderr, the summary line, the exit status.
fn report(outcome: &RunOutcome, quiet: bool) -> Status {
    for failure in &outcome.report.failures {
        eprintln!("passeur: error: {}", failure.error);
    }
    for note in &outcome.report.notes {
        eprintln!("passeur: note: {note}");
    }
    if !quiet {
        eprintln!("passeur: {}", outcome.report.summary());
    }
    if outcome.failed {
        Status::Partial
    } else {
        Status::Success
    }
}
