//! `passeur review`: summary, review formats written again, `--fail-on`; and
//! `passeur review import` into the translation memory.

use anyhow::Result;

use super::Status;
use crate::cli::{ReviewAction, ReviewArgs};
use crate::{config, memory, review};

pub(crate) fn run(args: ReviewArgs) -> Result<Status> {
    if let Some(ReviewAction::Import { file, memory }) = args.action {
        let memory_path = memory.unwrap_or_else(|| {
            file.parent()
                .unwrap_or(std::path::Path::new("."))
                .join(memory::MEMORY_FILE)
        });
        let approved = review::read_approved(&file)?;
        let mut tm = memory::Memory::open(&memory_path)?;
        let stored = tm.store(&approved)?;
        println!(
            "stored {stored} approved translation{} in {} ({} in all)",
            if stored == 1 { "" } else { "s" },
            memory_path.display(),
            tm.count()?
        );
        return Ok(Status::Success);
    }
    let Some(out_dir) = args.out_dir else {
        anyhow::bail!("review needs an output folder (passeur review OUT_DIR) or `import FILE`");
    };
    let fail_on = args.fail_on;
    let formats = config::resolve_formats(&args.formats);
    let rows = review::load_aligned(&out_dir)?;
    print!("{}", review::summary(&rows));
    let (written, notes) = review::write_formats(&out_dir, &rows, &formats)?;
    for note in notes {
        eprintln!("passeur: note: {note}");
    }
    println!("\nwrote {} in {}", written.join(", "), out_dir.display());
    Ok(match fail_on {
        Some(severity) if review::has_flag_at_least(&rows, severity) => Status::Partial,
        _ => Status::Success,
    })
}
