//! Stage 5, checks: QA findings on one aligned pair, named after Translate Toolkit's
//! pofilter tests so that reviewers recognise them.
//!
//! Each check looks at the source, the target and what the engine reported, and gives a
//! [`Flag`] with a severity and a reason a reviewer can act on. The thresholds are
//! calibrated where data allowed (see [`LENGTH_RATIO`]) and documented where it did not.

use serde::{Deserialize, Serialize};

/// Target/source character-length ratio outside which a pair is flagged `length`. On WMT
/// newstest2012 (2,954 French–English human translations of at least 20 characters), 1% of
/// pairs fall below 0.55 and 0.5% below 0.50; 1% above 1.32 and 0.5% above 1.41. So these
/// bounds flag about one human translation in a hundred, and the dropped halves and
/// hallucinated tails machine translation produces.
pub const LENGTH_RATIO: (f64, f64) = (0.50, 1.45);
/// Sources shorter than this many characters are too short for a length ratio to mean
/// anything (headlines, "Lien source").
const LENGTH_MIN_CHARS: usize = 20;
/// Length-normalised log-probability below which a translation is flagged `low-score`.
/// Not calibrated on a real model in this workplace (none can be downloaded); OPUS-MT
/// scores fluent output between about -0.1 and -0.6, so -1.5 marks the model's own doubt.
pub const LOW_SCORE: f32 = -1.5;

/// A QA finding on a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub check: Check,
    pub severity: Severity,
    pub reason: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl Flag {
    pub(crate) fn new(check: Check, severity: Severity, reason: impl Into<String>) -> Flag {
        Flag {
            check,
            severity,
            reason: reason.into(),
        }
    }
}

/// The checks, by the names reviewers see (pofilter's where pofilter has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// The engine failed on the segment (named `error` in the output).
    EngineError,
    Untranslated,
    Truncated,
    Split,
    TermRepair,
    MissingTerm,
    /// The translation holds a target a glossary forbids.
    ForbiddenTerm,
    /// The source uses a form a glossary deprecates.
    DeprecatedTerm,
    /// The same source translated differently in the batch, or one translation given to
    /// different sources (Xbench's two inconsistencies).
    Inconsistent,
    Memory,
    Unchanged,
    Numbers,
    Length,
    Repetition,
    LowScore,
    Punctuation,
    Quotes,
    /// Inline codes placed by position, not where the model put them (pofilter's name).
    XmlTags,
}

impl Check {
    /// Every check, for parsing names back.
    pub const ALL: [Check; 18] = [
        Check::EngineError,
        Check::Untranslated,
        Check::Truncated,
        Check::Split,
        Check::TermRepair,
        Check::MissingTerm,
        Check::ForbiddenTerm,
        Check::DeprecatedTerm,
        Check::Inconsistent,
        Check::Memory,
        Check::Unchanged,
        Check::Numbers,
        Check::Length,
        Check::Repetition,
        Check::LowScore,
        Check::Punctuation,
        Check::Quotes,
        Check::XmlTags,
    ];

    /// The name in `aligned.jsonl` and every review format: the one table of names (serde
    /// goes through it too).
    pub fn name(self) -> &'static str {
        match self {
            Check::EngineError => "error",
            Check::Untranslated => "untranslated",
            Check::Truncated => "truncated",
            Check::Split => "split",
            Check::TermRepair => "term-repair",
            Check::MissingTerm => "missing-term",
            Check::ForbiddenTerm => "forbidden-term",
            Check::DeprecatedTerm => "deprecated-term",
            Check::Inconsistent => "inconsistent",
            Check::Memory => "memory",
            Check::Unchanged => "unchanged",
            Check::Numbers => "numbers",
            Check::Length => "length",
            Check::Repetition => "repetition",
            Check::LowScore => "low-score",
            Check::Punctuation => "punctuation",
            Check::Quotes => "quotes",
            Check::XmlTags => "xmltags",
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Check, D::Error> {
        let name = String::deserialize(deserializer)?;
        Check::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown check {name:?}")))
    }
}

/// What the checks need to know about one pair.
pub struct Pair<'a> {
    pub source: &'a str,
    pub target: &'a str,
    pub score: Option<f32>,
}

/// Runs every check on a pair.
pub fn check(pair: &Pair) -> Vec<Flag> {
    let mut flags = Vec::new();
    let target = pair.target.trim();
    if target.is_empty() {
        // `untranslated` is reported by alignment, with the engine's error if any.
        return flags;
    }
    unchanged(pair, &mut flags);
    numbers(pair, &mut flags);
    length(pair, &mut flags);
    repetition(pair, &mut flags);
    low_score(pair, &mut flags);
    punctuation(pair, &mut flags);
    quotes(pair, &mut flags);
    flags
}

/// `unchanged`: the target is the source, unless it holds only names, numbers and codes
/// (which stay as they are in English).
fn unchanged(pair: &Pair, flags: &mut Vec<Flag>) {
    if pair.source.trim() != pair.target.trim() {
        return;
    }
    let has_french_word = pair
        .source
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() > 3 && w.chars().all(char::is_lowercase));
    if has_french_word {
        flags.push(Flag::new(
            Check::Unchanged,
            Severity::Warning,
            "the translation is identical to the source",
        ));
    }
}

/// Numbers in canonical form: digits, with `.` as the decimal mark and no grouping.
/// French groups with (no-break) spaces and writes decimals with a comma (`1 000,5`);
/// English groups with commas and writes decimals with a point (`1,000.5`).
pub(crate) fn numbers_in(text: &str, french: bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut number = String::new();
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            let next_digit = chars.get(j + 1).is_some_and(char::is_ascii_digit);
            let group_sep = if french {
                matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '.')
            } else {
                c == ','
            };
            let decimal = if french { c == ',' } else { c == '.' };
            if c.is_ascii_digit() {
                number.push(c);
            } else if group_sep
                && next_digit
                && chars[j + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count()
                    == 3
            {
                // A thousands separator: three digits follow.
            } else if decimal && next_digit {
                number.push('.');
            } else {
                break;
            }
            j += 1;
        }
        out.push(number);
        i = j;
    }
    out.sort();
    out
}

/// `numbers`: every number of the source appears in the target, allowing for French and
/// English number formats (`1,5`↔`1.5`, `1 000`↔`1,000`, `15 %`↔`15%`).
fn numbers(pair: &Pair, flags: &mut Vec<Flag>) {
    let source = numbers_in(pair.source, true);
    let mut target = numbers_in(pair.target, false);
    let mut missing = Vec::new();
    for number in source {
        match target.iter().position(|t| *t == number) {
            Some(at) => {
                target.remove(at);
            }
            None => missing.push(number),
        }
    }
    if !missing.is_empty() {
        flags.push(Flag::new(
            Check::Numbers,
            Severity::Warning,
            format!(
                "numbers of the source missing from the translation: {}",
                missing.join(", ")
            ),
        ));
    }
}

/// `length`: the target is much shorter or longer than translations usually are.
fn length(pair: &Pair, flags: &mut Vec<Flag>) {
    let source = pair.source.trim().chars().count();
    if source < LENGTH_MIN_CHARS {
        return;
    }
    let ratio = pair.target.trim().chars().count() as f64 / source as f64;
    let (low, high) = LENGTH_RATIO;
    if ratio < low || ratio > high {
        flags.push(Flag::new(
            Check::Length,
            Severity::Warning,
            format!(
                "the translation is {:.2} times the source's length (expected {low:.2}–{high:.2})",
                ratio
            ),
        ));
    }
}

/// `repetition`: a word or phrase repeated in a loop, the hallucination OPUS-MT models are
/// known for ("the the the", "of the war of the war of the war").
fn repetition(pair: &Pair, flags: &mut Vec<Flag>) {
    let words: Vec<String> = pair
        .target
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let source_words: Vec<String> = pair
        .source
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    for n in 1..=4 {
        if words.len() < n * 3 {
            break;
        }
        for start in 0..=words.len() - n * 3 {
            let gram = &words[start..start + n];
            let repeats = (1..)
                .take_while(|k| words.get(start + k * n..start + (k + 1) * n) == Some(gram))
                .count()
                + 1;
            // Three in a row, unless the source repeats it too ("très, très, très").
            let in_source = source_words.windows(n * 2).any(|w| w[..n] == w[n..]);
            if repeats >= 3 && !in_source {
                flags.push(Flag::new(
                    Check::Repetition,
                    Severity::Warning,
                    format!("\"{}\" repeated {repeats} times in a row", gram.join(" ")),
                ));
                return;
            }
        }
    }
}

/// `low-score`: the model itself doubts this translation.
fn low_score(pair: &Pair, flags: &mut Vec<Flag>) {
    if let Some(score) = pair.score.filter(|s| *s < LOW_SCORE) {
        flags.push(Flag::new(
            Check::LowScore,
            Severity::Warning,
            format!("model score {score:.2} is below {LOW_SCORE}"),
        ));
    }
}

/// `punctuation`: French spacing left in English (a space before `? ! : ;`), unbalanced
/// brackets, and a final stop, question or exclamation mark lost or changed.
fn punctuation(pair: &Pair, flags: &mut Vec<Flag>) {
    let target = pair.target.trim();
    let mut problems = Vec::new();
    let spaced = target
        .char_indices()
        .filter(|(_, c)| matches!(c, '?' | '!' | ':' | ';'))
        .any(|(i, _)| target[..i].ends_with([' ', '\u{00A0}', '\u{202F}']));
    if spaced {
        problems.push("French spacing before ? ! : or ; in English".to_string());
    }
    for (open, close) in [('(', ')'), ('[', ']')] {
        let opened = target.matches(open).count();
        let closed = target.matches(close).count();
        if opened != closed {
            problems.push(format!(
                "unbalanced {open}{close} ({opened} opened, {closed} closed)"
            ));
        }
    }
    let end = |s: &str| {
        s.trim_end_matches(|c: char| {
            matches!(c, '»' | '"' | '”' | ')' | ' ' | '\u{00A0}' | '\u{202F}')
        })
        .chars()
        .next_back()
        .filter(|c| matches!(c, '.' | '?' | '!'))
    };
    let (source_end, target_end) = (end(pair.source.trim()), end(target));
    if source_end.is_some() && source_end != target_end {
        problems.push(format!(
            "the source ends with {:?}, the translation with {}",
            source_end.unwrap_or(' '),
            target_end.map_or("no final punctuation".into(), |c| format!("{c:?}"))
        ));
    }
    if !problems.is_empty() {
        flags.push(Flag::new(
            Check::Punctuation,
            Severity::Info,
            problems.join("; "),
        ));
    }
}

/// `quotes`: French guillemets left in English, or unbalanced double quotes.
fn quotes(pair: &Pair, flags: &mut Vec<Flag>) {
    let target = pair.target;
    let mut problems = Vec::new();
    if target.contains(['«', '»']) {
        problems.push("French guillemets « » in English (use “ ” or \")".to_string());
    }
    if target.matches('"').count() % 2 == 1 {
        problems.push("an odd number of \" quotes".to_string());
    }
    if target.matches('“').count() != target.matches('”').count() {
        problems.push("unbalanced “ ” quotes".to_string());
    }
    if !problems.is_empty() {
        flags.push(Flag::new(
            Check::Quotes,
            Severity::Info,
            problems.join("; "),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(source: &str, target: &str) -> Vec<&'static str> {
        check(&Pair {
            source,
            target,
            score: Some(-0.3),
        })
        .into_iter()
        .map(|f| f.check.name())
        .collect()
    }

    #[test]
    fn a_good_translation_has_no_flags() {
        assert!(checks(
            "Le budget atteindra 1 000,5 millions d'euros, soit 15 % du total.",
            "The budget will reach 1,000.5 million euros, or 15% of the total."
        )
        .is_empty());
    }

    #[test]
    fn numbers_compare_across_formats() {
        assert_eq!(
            numbers_in("1 000,5 et 3,5 % et 2\u{202F}500", true),
            ["1000.5", "2500", "3.5"]
        );
        assert_eq!(
            numbers_in("1,000.5 and 3.5% and 2,500", false),
            ["1000.5", "2500", "3.5"]
        );
        assert_eq!(checks("Il a 44 ans.", "He is 45 years old."), ["numbers"]);
    }

    #[test]
    fn flags_unchanged_french_but_not_names() {
        assert_eq!(
            checks("Une phrase française.", "Une phrase française."),
            ["unchanged"]
        );
        assert!(checks("Fumio Kishida", "Fumio Kishida").is_empty());
    }

    #[test]
    fn flags_length_repetition_and_low_score() {
        assert!(checks("Une phrase assez longue pour compter vraiment.", "A.").contains(&"length"));
        assert!(checks(
            "La guerre en Ukraine continue.",
            "The war of the war of the war of the war continues."
        )
        .contains(&"repetition"));
        let flags = check(&Pair {
            source: "Bonjour.",
            target: "Hello.",
            score: Some(-2.0),
        });
        assert_eq!(flags[0].check, Check::LowScore);
    }

    #[test]
    fn flags_french_punctuation_and_quotes_in_english() {
        assert_eq!(checks("Pourquoi ?", "Why ?"), ["punctuation"]);
        assert_eq!(checks("Il a dit « non ».", "He said « no »."), ["quotes"]);
        assert_eq!(
            checks("Il part (vite.", "He leaves (quickly."),
            ["punctuation"]
        );
    }
}
