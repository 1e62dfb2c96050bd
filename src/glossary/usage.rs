//! `passeur glossary check`: how often each entry occurs in a set of articles.

use super::{Entry, Matcher};
use crate::read::Article;

/// How often each entry occurs in a set of articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub entry: String,
    pub source: String,
    pub target: String,
    pub occurrences: usize,
    pub articles: usize,
}

/// Counts the occurrences of each entry in articles, most frequent first; entries that
/// never occur are listed with zero.
pub fn usage(entries: &[Entry], articles: &[Article]) -> Vec<Usage> {
    let matcher = Matcher::new(entries.to_vec());
    let mut counts = vec![(0usize, 0usize); entries.len()];
    for article in articles {
        let mut seen = vec![false; entries.len()];
        for m in matcher.find(&article.text) {
            counts[m.entry_index].0 += 1;
            if !seen[m.entry_index] {
                seen[m.entry_index] = true;
                counts[m.entry_index].1 += 1;
            }
        }
    }
    let mut usage: Vec<Usage> = entries
        .iter()
        .zip(counts)
        .map(|(e, (occurrences, articles))| Usage {
            entry: e.origin.clone(),
            source: e.source.clone(),
            target: e.target.clone(),
            occurrences,
            articles,
        })
        .collect();
    usage.sort_by(|a, b| {
        b.occurrences
            .cmp(&a.occurrences)
            .then(a.entry.cmp(&b.entry))
    });
    usage
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn counts_usage_in_articles() {
        let entries = vec![
            Entry::new("OTAN", "NATO", "g#1"),
            Entry::new("ONU", "UN", "g#2"),
        ];
        let articles = vec![crate::read::Article::plain("a", "a", "L'OTAN et l’OTAN.")];
        let usage = usage(&entries, &articles);
        assert_eq!(
            (
                usage[0].source.as_str(),
                usage[0].occurrences,
                usage[0].articles
            ),
            ("OTAN", 2, 1)
        );
        assert_eq!(usage[1].occurrences, 0);
    }
}
