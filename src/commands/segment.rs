//! `passeur segment`: the segment stage alone, printed as JSONL or lines.

use anyhow::Result;

use super::Status;
use crate::cli::{self, SegmentArgs};
use crate::{read, segment};

pub(crate) fn run(args: SegmentArgs) -> Result<Status> {
    let inputs: Vec<read::Input> = if args.inputs.is_empty() {
        vec![read::Input::Stdin]
    } else {
        args.inputs
            .iter()
            .map(|p| read::Input::from_arg(p))
            .collect()
    };
    let format = match args.format {
        cli::SegmentFormat::Jsonl => segment::print::Format::Jsonl,
        cli::SegmentFormat::Lines => segment::print::Format::Lines,
    };
    let outcome = read::read_inputs(&inputs, &Default::default());
    for error in &outcome.errors {
        eprintln!("passeur: error: {error}");
    }
    let stdout = std::io::stdout();
    segment::print::print(&outcome.articles, format, &mut stdout.lock())?;
    Ok(if outcome.errors.is_empty() {
        Status::Success
    } else {
        Status::Partial
    })
}
