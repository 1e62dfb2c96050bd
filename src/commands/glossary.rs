//! `passeur glossary`: list, add, remove, lint, import, export and check glossaries.

use anyhow::Result;

use super::Status;
use crate::cli::GlossaryCommand;
use crate::glossary::{self, edit, lint, usage};
use crate::{read, review};

pub(crate) fn run(command: GlossaryCommand) -> Result<Status> {
    let report = |errors: &[glossary::GlossaryError]| {
        for error in errors {
            eprintln!("passeur: error: {error}");
        }
        if errors.is_empty() {
            Status::Success
        } else {
            Status::Partial
        }
    };
    match command {
        GlossaryCommand::List { file } => {
            let (lines, errors) = edit::list(&file)?;
            for line in lines {
                say!("{line}")?;
            }
            Ok(report(&errors))
        }
        GlossaryCommand::Add(args) => {
            let mut entry = glossary::Entry::new(&args.source, &args.target, "");
            entry.variants = args.variants;
            if let Some(policy) = args.policy {
                entry.policy = policy;
            }
            if let Some(case) = args.case_sensitive {
                entry.case_sensitive = case;
            }
            entry.whole_word = !args.inside_words;
            entry.note = args.note;
            entry.domain = args.domain;
            if let Some(status) = args.status {
                entry.status = status;
            }
            edit::add(&args.file, &entry)?;
            say!(
                "added {:?} → {:?} to {}",
                entry.source,
                entry.target,
                args.file.display()
            )?;
            Ok(Status::Success)
        }
        GlossaryCommand::Remove { file, source } => {
            let removed = edit::remove(&file, &source)?;
            if removed == 0 {
                anyhow::bail!(
                    "{}: no entry has the source term {source:?}",
                    file.display()
                );
            }
            say!(
                "removed {removed} entr{} from {}",
                if removed == 1 { "y" } else { "ies" },
                file.display()
            )?;
            Ok(Status::Success)
        }
        GlossaryCommand::Lint { files } => {
            let mut clean = true;
            let mut loaded = Vec::new();
            for file in &files {
                let findings = lint::lint(file)?;
                for f in &findings {
                    say!(
                        "{}:{}: entry {} ({:?}): {}",
                        file.display(),
                        f.line,
                        f.entry,
                        f.source,
                        f.message
                    )?;
                }
                if findings.is_empty() {
                    say!("{}: clean", file.display())?;
                }
                clean &= findings.is_empty();
                loaded.push((file.display().to_string(), glossary::load_glossary(file)?.0));
            }
            // Files named together are used together: checked against each other too.
            for finding in lint::across(&loaded) {
                say!("together: {finding}")?;
                clean = false;
            }
            Ok(if clean {
                Status::Success
            } else {
                Status::Partial
            })
        }
        GlossaryCommand::Import { from, to } | GlossaryCommand::Export { from, to } => {
            let converted = edit::convert(&from, &to)?;
            say!("wrote {} entries to {}", converted.written, to.display())?;
            if converted.skipped_patterns > 0 {
                say!(
                    "left out {} pattern entries: TSV and CSV hold terms only",
                    converted.skipped_patterns
                )?;
            }
            Ok(report(&converted.errors))
        }
        GlossaryCommand::Suggest(args) => super::suggest::suggest(args),
        GlossaryCommand::Accept { reviewed, to } => super::suggest::accept(&reviewed, &to),
        GlossaryCommand::Check {
            inputs,
            glossaries,
            output,
        } => {
            let inputs: Vec<read::Input> =
                inputs.iter().map(|p| read::Input::from_arg(p)).collect();
            let outcome = read::read_inputs(&inputs, &Default::default());
            let mut entries = Vec::new();
            let mut errors = Vec::new();
            for path in &glossaries {
                let (loaded, bad) = glossary::load_glossary(path)?;
                entries.extend(loaded);
                errors.extend(bad);
            }
            say!("{:>6} {:>8}  entry", "uses", "articles")?;
            for u in usage::usage(&entries, &outcome.articles) {
                say!(
                    "{:>6} {:>8}  {} → {}  ({})",
                    u.occurrences,
                    u.articles,
                    u.source,
                    u.target,
                    u.entry
                )?;
            }
            let mut status = report(&errors);
            for error in &outcome.errors {
                eprintln!("passeur: error: {error}");
                status = Status::Partial;
            }
            if let Some(out_dir) = output {
                let rows = review::load_aligned(&out_dir)?;
                say!("\nrenderings in {}:", out_dir.display())?;
                for t in review::term_renderings(&rows) {
                    let statuses: Vec<String> =
                        t.statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
                    say!(
                        "  {} → {} ({}): {} use{}: {}",
                        t.source,
                        t.target,
                        t.entry,
                        t.uses,
                        if t.uses == 1 { "" } else { "s" },
                        statuses.join(", ")
                    )?;
                    if !t.missing_at.is_empty() {
                        let instead: Vec<String> = t
                            .instead
                            .iter()
                            .map(|r| format!("{:?} ×{}", r.text, r.count))
                            .collect();
                        let shown: Vec<&str> =
                            t.missing_at.iter().take(5).map(String::as_str).collect();
                        say!(
                            "      missing at {}{}; the English there has {}",
                            shown.join(", "),
                            if t.missing_at.len() > 5 { ", …" } else { "" },
                            if instead.is_empty() {
                                "no word in common".to_string()
                            } else {
                                instead.join(", ")
                            }
                        )?;
                    }
                }
                let found = review::inconsistencies(&rows);
                if found.is_empty() {
                    say!(
                        "\n{}: every term is rendered consistently",
                        out_dir.display()
                    )?;
                } else {
                    say!("\ninconsistent terms in {}:", out_dir.display())?;
                    for i in &found {
                        say!("  {}: {} ({})", i.article, i.target, i.statuses)?;
                    }
                    status = Status::Partial;
                }
            }
            Ok(status)
        }
    }
}
