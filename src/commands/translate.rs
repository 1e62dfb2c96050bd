//! `passeur translate`: settings from the command line, the pipeline, failures and the
//! summary on stderr.

use anyhow::Result;

use super::Status;
use crate::cli::TranslateArgs;
use crate::config::TranslateSettings;
use crate::pipeline;

pub(crate) fn run(args: TranslateArgs) -> Result<Status> {
    let settings = TranslateSettings::from_args(args)?;
    let outcome = pipeline::translate(&settings)?;
    for failure in &outcome.report.failures {
        eprintln!("passeur: error: {}", failure.error);
    }
    if !settings.quiet {
        eprintln!("passeur: {}", outcome.report.summary());
    }
    Ok(if outcome.failed {
        Status::Partial
    } else {
        Status::Success
    })
}
