//! `passeur review`: summary, review formats written again, `--fail-on`; and
//! `passeur review import` into the translation memory.

use anyhow::Result;

use super::Status;
use crate::align::AlignedSegment;
use crate::cli::{ReviewAction, ReviewArgs};
use crate::state::{OutputFolder, STATE_DIR};
use crate::{config, editor, memory, render, review};

pub(crate) fn run(args: ReviewArgs) -> Result<Status> {
    if let Some(ReviewAction::Serve {
        out_dir,
        port,
        memory,
        glossary,
    }) = args.action
    {
        let editor = editor::Editor::open(&out_dir, memory, glossary)?;
        editor::server::serve(editor, port)?;
        return Ok(Status::Success);
    }
    if let Some(ReviewAction::Import { file, memory }) = args.action {
        let memory_path = memory.unwrap_or_else(|| {
            memory::default_path(file.parent().unwrap_or(std::path::Path::new(".")))
        });
        let approved = review::read_approved(&file)?;
        let mut tm = memory::Memory::open(&memory_path)?;
        let stored = tm.store(&approved)?;
        say!(
            "stored {stored} approved translation{} in {} ({} in all)",
            if stored == 1 { "" } else { "s" },
            memory_path.display(),
            tm.count()?
        )?;
        return Ok(Status::Success);
    }
    let Some(out_dir) = args.out_dir else {
        anyhow::bail!("review needs an output folder (passeur review OUT_DIR) or `import FILE`");
    };
    let fail_on = args.fail_on;
    let formats = config::resolve_formats(&args.formats);
    if !out_dir.join(STATE_DIR).join("state.sqlite").is_file() {
        anyhow::bail!(
            "{}: not an output folder of `passeur translate` (it has no {STATE_DIR}/state.sqlite)",
            out_dir.display()
        );
    }
    // The folder's lock, as `translate` takes it: a review never writes while a run does.
    let folder = OutputFolder::open(&out_dir)?.as_last_run();
    // Two passes over the rows, none held: the counts, then the first inconsistencies.
    let mut summary = review::Summary::default();
    folder.for_each_row(|json| {
        summary.add(&parse(json)?);
        Ok(())
    })??;
    let mut first = review::FirstInconsistencies::new(review::INCONSISTENCIES_SHOWN);
    folder.for_each_row(|json| {
        let row = parse(json)?;
        if summary.is_inconsistent(&row) {
            first.add(&row);
        }
        Ok(())
    })??;
    print!("{}", summary.render(&first.finish()));
    let (mut failures, mut notes) = (Vec::new(), Vec::new());
    render::deliverables(&folder, &formats, &mut failures, &mut notes)?;
    for note in notes {
        eprintln!("passeur: note: {note}");
    }
    for failure in &failures {
        eprintln!("passeur: error: {}: {}", failure.input, failure.error);
    }
    let written: Vec<&str> = render::wanted_formats(&formats)
        .iter()
        .map(|f| f.writer().file_name())
        .collect();
    say!("\nwrote {} in {}", written.join(", "), out_dir.display())?;
    if !failures.is_empty() {
        return Ok(Status::Partial);
    }
    Ok(match fail_on {
        Some(severity) if summary.has_flag_at_least(severity) => Status::Partial,
        _ => Status::Success,
    })
}

/// A row of the folder's state.
fn parse(json: &str) -> std::io::Result<AlignedSegment> {
    serde_json::from_str(json).map_err(std::io::Error::other)
}
