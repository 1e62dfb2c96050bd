//! `passeur glossary suggest` and `glossary accept`: candidate terms printed for people or
//! tools, and the accepted ones added to a JSON glossary through `glossary add`'s path.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::Status;
use crate::cli::{SuggestArgs, SuggestFormat};
use crate::glossary::suggest::{self, Candidate, Kind, Rendering};
use crate::glossary::{self, edit, Entry, Matcher};
use crate::{read, review};

pub(crate) fn suggest(args: SuggestArgs) -> Result<Status> {
    let inputs: Vec<read::Input> = args
        .inputs
        .iter()
        .map(|p| read::Input::from_arg(p))
        .collect();
    let outcome = read::read_inputs(&inputs, &Default::default());
    let mut status = Status::Success;
    for error in &outcome.errors {
        eprintln!("passeur: error: {error}");
        status = Status::Partial;
    }
    let mut known = Vec::new();
    for path in &args.glossaries {
        let (entries, errors) = glossary::load_glossary(path)?;
        for error in &errors {
            eprintln!("passeur: error: {error}");
            status = Status::Partial;
        }
        known.extend(entries);
    }
    let settings = suggest::Settings {
        min_count: args.min_count.max(1),
        limit: args.limit,
    };
    let mut candidates = suggest::suggest(&outcome.articles, &Matcher::new(known), settings);
    if let Some(out_dir) = &args.output {
        let rows: Vec<(String, String)> = review::load_aligned(out_dir)?
            .into_iter()
            .map(|row| (row.source, row.target))
            .collect();
        suggest::renderings(&mut candidates, &rows);
    }
    if !args.accept.is_empty() {
        let to = args
            .to
            .as_deref()
            .expect("clap requires --to with --accept");
        for &rank in &args.accept {
            let Some(candidate) = rank.checked_sub(1).and_then(|i| candidates.get(i)) else {
                bail!("no candidate {rank}: the list has {}", candidates.len());
            };
            let Some(target) = default_target(candidate) else {
                bail!(
                    "candidate {rank} ({:?}) has no English yet: give --output OUT_DIR (a \
                     translated folder) for its renderings, or add it with `passeur glossary \
                     add {} --source … --target …`",
                    candidate.source,
                    to.display()
                );
            };
            add(to, &candidate.source, &target, &candidate.variants)?;
        }
        return Ok(status);
    }
    match args.format {
        SuggestFormat::Table => print_table(&candidates, outcome.articles.len())?,
        SuggestFormat::Json => say!("{}", serde_json::to_string_pretty(&candidates)?)?,
        SuggestFormat::Tsv => print_tsv(&candidates)?,
    }
    Ok(status)
}

/// The target `--accept` and the TSV propose: the first rendering the translations used,
/// or for a name of two capitalised words or more (`Deutsche Bank`, `Mark Rutte`: people
/// and companies keep their names), the name itself. A one-word name is mostly a place,
/// which English names its own way (`Japon`, `Pologne`).
fn default_target(candidate: &Candidate) -> Option<String> {
    if let Some(first) = candidate.renderings.first() {
        return Some(first.text.clone());
    }
    let words: Vec<&str> = candidate.source.split(' ').collect();
    let all_capitals = words
        .iter()
        .all(|w| w.chars().next().is_some_and(char::is_uppercase));
    (candidate.kind == Kind::Name && words.len() >= 2 && all_capitals)
        .then(|| candidate.source.clone())
}

fn add(to: &Path, source: &str, target: &str, variants: &[String]) -> Result<()> {
    let entry = Entry {
        variants: variants.to_vec(),
        ..Entry::new(source, target, "")
    };
    edit::add(to, &entry)?;
    say!("added {source:?} → {target:?} to {}", to.display())?;
    Ok(())
}

fn print_table(candidates: &[Candidate], articles: usize) -> Result<()> {
    if candidates.is_empty() {
        say!("no candidate term in {articles} articles")?;
        return Ok(());
    }
    say!(
        "{} candidate terms in {articles} articles, best first (count × spread × specificity):",
        candidates.len()
    )?;
    for (rank, c) in candidates.iter().enumerate() {
        say!(
            "\n{:>3}. {}  ({}, {}× in {} article{}, specificity {:.2})",
            rank + 1,
            c.source,
            c.kind.name(),
            c.count,
            c.articles,
            if c.articles == 1 { "" } else { "s" },
            c.specificity
        )?;
        if !c.variants.is_empty() {
            say!("     also written: {}", c.variants.join(", "))?;
        }
        if !c.renderings.is_empty() {
            let shown: Vec<String> = c.renderings.iter().map(Rendering::to_string).collect();
            say!("     rendered: {}", shown.join(", "))?;
        }
        for example in &c.examples {
            say!("     « {} »", excerpt(example, &c.source))?;
        }
    }
    say!(
        "\nAdd some with --accept N... --to GLOSSARY.json, or review them all with \
         --format tsv and `passeur glossary accept`."
    )?;
    Ok(())
}

/// A sentence cut to about 120 characters around the first occurrence of `term`.
fn excerpt(sentence: &str, term: &str) -> String {
    const WIDTH: usize = 120;
    let chars: Vec<char> = sentence.chars().collect();
    if chars.len() <= WIDTH {
        return sentence.to_string();
    }
    let at = sentence
        .find(term)
        .map_or(0, |b| sentence[..b].chars().count());
    let start = at.saturating_sub(WIDTH / 3);
    let end = (start + WIDTH).min(chars.len());
    let start = end.saturating_sub(WIDTH);
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        chars[start..end].iter().collect::<String>(),
        if end < chars.len() { "…" } else { "" }
    )
}

/// The columns of the reviewed TSV that `accept` reads.
const TSV_HEADER: &str =
    "rank\taccept\tsource\ttarget\tkind\tcount\tarticles\tscore\tvariants\trenderings\texample";

fn print_tsv(candidates: &[Candidate]) -> Result<()> {
    // Tabs and line breaks inside a field would shift the columns.
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    say!("{TSV_HEADER}")?;
    for (rank, c) in candidates.iter().enumerate() {
        let renderings: Vec<String> = c.renderings.iter().map(Rendering::to_string).collect();
        say!(
            "{}\t\t{}\t{}\t{}\t{}\t{}\t{:.2}\t{}\t{}\t{}",
            rank + 1,
            clean(&c.source),
            clean(&default_target(c).unwrap_or_default()),
            c.kind.name(),
            c.count,
            c.articles,
            c.score,
            clean(&c.variants.join("; ")),
            clean(&renderings.join("; ")),
            clean(c.examples.first().map_or("", String::as_str)),
        )?;
    }
    Ok(())
}

/// Adds the rows of a reviewed suggest TSV marked accepted.
pub(crate) fn accept(reviewed: &Path, to: &Path) -> Result<Status> {
    let text = std::fs::read_to_string(reviewed)
        .with_context(|| format!("cannot read {}", reviewed.display()))?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, header)) => header.trim_end_matches('\r').split('\t').collect(),
        None => bail!("{}: empty file", reviewed.display()),
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{}:1: no `{name}` column (expected the header of `passeur glossary suggest \
                 --format tsv`)",
                    reviewed.display()
                )
            })
    };
    let (accept_at, source_at, target_at) =
        (column("accept")?, column("source")?, column("target")?);
    let variants_at = column("variants").ok();
    let mut status = Status::Success;
    let mut added = 0;
    for (index, line) in lines {
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let field = |i: usize| fields.get(i).map_or("", |f| f.trim());
        if !matches!(
            field(accept_at).to_lowercase().as_str(),
            "y" | "yes" | "x" | "1" | "true" | "oui"
        ) {
            continue;
        }
        let (source, target) = (field(source_at), field(target_at));
        if source.is_empty() || target.is_empty() {
            eprintln!(
                "passeur: error: {}:{}: accepted, but the {} is empty; row left out",
                reviewed.display(),
                index + 1,
                if source.is_empty() {
                    "source"
                } else {
                    "target"
                }
            );
            status = Status::Partial;
            continue;
        }
        let variants: Vec<String> = variants_at
            .map(field)
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        match add(to, source, target, &variants) {
            Ok(()) => added += 1,
            Err(error) => {
                eprintln!(
                    "passeur: error: {}:{}: {error:#}",
                    reviewed.display(),
                    index + 1
                );
                status = Status::Partial;
            }
        }
    }
    say!(
        "{added} accepted entr{} added to {}",
        if added == 1 { "y" } else { "ies" },
        to.display()
    )?;
    Ok(status)
}
