//! What a translated folder already says for each candidate: the English word runs that
//! co-occur with it in aligned rows, ranked by their association with it (Dice's
//! coefficient, as co-occurrence term aligners use), counted.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Serialize;

use super::{runs, tokenize, Candidate};
use crate::glossary::{Entry, Matcher};

/// Renderings shown per candidate.
const SHOWN: usize = 3;
/// The longest rendering, in words.
const MAX_WORDS: usize = 4;

/// English that co-occurs with a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendering {
    pub text: String,
    /// Rows where both occur.
    pub count: usize,
}

impl std::fmt::Display for Rendering {
    /// `Germany ×20`, as the terminal and the TSV show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ×{}", self.text, self.count)
    }
}

/// Fills each candidate's renderings from `rows` (source, target pairs): the rows whose
/// source holds one of its forms.
pub fn renderings(candidates: &mut [Candidate], rows: &[(String, String)]) {
    let forms: Vec<Entry> = candidates
        .iter()
        .map(|c| Entry {
            variants: c.variants.clone(),
            case_sensitive: false,
            ..Entry::new(&c.source, &c.source, "")
        })
        .collect();
    let matcher = Matcher::new(forms);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); candidates.len()];
    for (r, (source, _)) in rows.iter().enumerate() {
        let found: HashSet<usize> = matcher
            .find(source)
            .into_iter()
            .map(|m| m.entry_index)
            .collect();
        for c in found {
            groups[c].push(r);
        }
    }
    let targets: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
    for (candidate, found) in candidates.iter_mut().zip(associated(&groups, &targets)) {
        candidate.renderings = found;
    }
}

/// For each group of rows (indices into `targets`), the English word runs most associated
/// with it over all `targets`: Dice's coefficient between "the row is in the group" and
/// "the row's target holds the run", ties to the longer run, then the more frequent.
pub fn associated(groups: &[Vec<usize>], targets: &[&str]) -> Vec<Vec<Rendering>> {
    // Pass 1: the runs in each group's rows, counted.
    let together: Vec<HashMap<String, usize>> = groups
        .iter()
        .map(|rows| {
            let mut counted = HashMap::new();
            for &r in rows {
                for gram in english_runs(targets[r]) {
                    *counted.entry(gram).or_insert(0) += 1;
                }
            }
            counted
        })
        .collect();
    // Pass 2: how many rows each of those runs is in, anywhere.
    let wanted: HashSet<&String> = together.iter().flat_map(|t| t.keys()).collect();
    let mut everywhere: HashMap<&String, usize> = HashMap::new();
    for target in targets {
        for gram in english_runs(target) {
            if let Some(key) = wanted.get(&gram) {
                *everywhere.entry(*key).or_insert(0) += 1;
            }
        }
    }
    groups
        .iter()
        .zip(&together)
        .map(|(rows, together)| {
            let mut ranked: Vec<(f64, usize, &String, usize)> = together
                .iter()
                .map(|(gram, &both)| {
                    let dice = 2.0 * both as f64 / (rows.len() + everywhere[gram]) as f64;
                    (dice, gram.split(' ').count(), gram, both)
                })
                .collect();
            ranked.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.1.cmp(&a.1))
                    .then(b.3.cmp(&a.3))
                    .then(a.2.cmp(b.2))
            });
            ranked
                .into_iter()
                .take(SHOWN)
                .map(|(_, _, text, count)| Rendering {
                    text: text.clone(),
                    count,
                })
                .collect()
        })
        .collect()
}

/// The distinct runs of one to [`MAX_WORDS`] English words in a target, within
/// punctuation, neither starting nor ending with a stop word.
fn english_runs(target: &str) -> HashSet<String> {
    let tokens = tokenize(target);
    let mut out = HashSet::new();
    for run in runs(&tokens) {
        let words: Vec<&str> = run.iter().map(|t| &target[t.start..t.end]).collect();
        // A capital inside a sentence makes a name of a stop word (`The Hague`).
        let stop: Vec<bool> = run
            .iter()
            .zip(&words)
            .map(|(t, w)| {
                let lower = w.to_lowercase();
                (t.first || lower == *w) && ENGLISH_STOP_WORDS.contains(lower.as_str())
            })
            .collect();
        for first in (0..words.len()).filter(|&i| !stop[i]) {
            for last in (first..words.len().min(first + MAX_WORDS)).filter(|&i| !stop[i]) {
                out.insert(words[first..=last].join(" "));
            }
        }
    }
    out
}

/// The English stop words of stopwords-iso (through the stop-words crate).
static ENGLISH_STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    stop_words::get(stop_words::LANGUAGE::English)
        .iter()
        .copied()
        .collect()
});
