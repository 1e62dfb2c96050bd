//! `passeur glossary suggest`: the terms a batch needs that its glossaries lack, mined from
//! the French articles and ranked, as memoQ's term extraction and TermSuite do.
//!
//! Candidates are runs of words inside a sentence, never across punctuation: acronyms
//! (`PNUE`, `BCE`), names (a capitalised word, or a capitalised head with its adjectives and
//! complements: `Deutsche Bank`, `Conseil européen`, `Organisation des Nations unies`) and
//! recurring lower-case noun phrases (`banque centrale`). A candidate never begins or ends
//! with a stop word (stopwords-iso's French list, and the elided `l'`, `d'`…), and only
//! the linking words of a noun phrase (`de`, `la`, `à`…) sit inside one. A stop word with
//! a capital inside a sentence is part of a name (`Le Monde`, `l'État`). Occurrences are grouped case
//! and plural aside, so `l'OTAN`/`OTAN`/`Otan` or `banque centrale`/`banques centrales` are
//! one candidate with its variants. A run that only ever occurs inside a longer candidate
//! is left for the longer one (C-value's nesting rule); what the glossaries already match is
//! left out, and so is anything inside it.
//!
//! Rank = occurrences × (1 + ln articles) × specificity, where specificity is how rare the
//! candidate's words are in general French (wordfreq's French frequencies,
//! `french-frequency.txt`): `Giffords` (not in the list) counts fully, `premier ministre`
//! (two very common words) a third.

mod renderings;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use rayon::prelude::*;
use serde::Serialize;

use super::normalize::Normalized;
use super::Matcher;
use crate::read::Article;

pub use renderings::{associated, renderings, Rendering};

/// The longest candidate, in words.
const MAX_WORDS: usize = 5;

/// What kind of term a candidate looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Acronym,
    Name,
    Phrase,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Acronym => "acronym",
            Kind::Name => "name",
            Kind::Phrase => "phrase",
        }
    }
}

/// A term the batch uses that no glossary covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The form seen most often.
    pub source: String,
    /// The other forms seen (case, plural), most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<String>,
    pub kind: Kind,
    /// Occurrences in the batch.
    pub count: usize,
    /// Articles it occurs in.
    pub articles: usize,
    /// How rare its words are in general French, from 0 (very common) to 1.
    pub specificity: f64,
    pub score: f64,
    /// Up to two sentences it occurs in.
    pub examples: Vec<String>,
    /// With a translated folder: the English that co-occurs with it, most associated first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renderings: Vec<Rendering>,
}

/// What `suggest` keeps.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Fewer occurrences than this and a candidate is left out.
    pub min_count: usize,
    /// At most this many candidates, best first.
    pub limit: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            min_count: 2,
            limit: 50,
        }
    }
}

/// Candidate terms in `articles` that `known` (the glossaries) does not match, best first.
pub fn suggest(articles: &[Article], known: &Matcher, settings: Settings) -> Vec<Candidate> {
    let mut words = Words::default();
    let mut groups: HashMap<Key, Group> = HashMap::new();
    // Reading is done in parallel, a block of articles at a time (memory stays bounded);
    // counting, in order (the result does not depend on the threads).
    const BLOCK: usize = 256;
    for (b, block) in articles.chunks(BLOCK).enumerate() {
        let read: Vec<Vec<Sentence>> = block
            .par_iter()
            .map(|article| read_article(article, known))
            .collect();
        for (i, sentences) in read.iter().enumerate() {
            let a = b * BLOCK + i;
            for sentence in sentences {
                let numbers: Vec<u32> = sentence.folded.iter().map(|w| words.number(w)).collect();
                if !sentence.headline {
                    for (&number, token) in numbers.iter().zip(&sentence.tokens) {
                        words.count_case(number, token);
                    }
                }
                for occurrence in &sentence.occurrences {
                    let key = Key(numbers[occurrence.first..=occurrence.last].to_vec());
                    let span = sentence.tokens[occurrence.first].start
                        ..sentence.tokens[occurrence.last].end;
                    groups
                        .entry(key)
                        .or_insert_with(|| Group::new(occurrence.kind))
                        .add(a, &sentence.text[span], &sentence.text);
                }
            }
        }
    }
    let inside = inside_longer(&groups);
    let mut out: Vec<Candidate> = groups
        .iter()
        .filter(|(key, group)| {
            // Kept on its own when a quarter of its uses at least are outside longer
            // candidates (`Giffords` beside `Gabrielle Giffords`, not `New` beside `New York`).
            let outside = group
                .count
                .saturating_sub(inside.get(*key).copied().unwrap_or(0));
            group.count >= settings.min_count
                && outside >= settings.min_count.max(group.count.div_ceil(4))
        })
        .filter(|(key, group)| {
            // A capitalised common noun (`Gouvernement`, `Police`) is written small more
            // often than not in the same batch: its capital makes no name.
            !(group.kind == Kind::Name
                && key.0.len() == 1
                && words.small_at_least_as_often(key.0[0]))
        })
        .filter_map(|(_, group)| group.candidate())
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.count.cmp(&a.count))
            .then(a.source.cmp(&b.source))
    });
    out.truncate(settings.limit);
    out
}

/// A sentence as read: its words (folded, plural aside) and the candidate occurrences in
/// it, token indices into the whole sentence.
struct Sentence {
    text: String,
    tokens: Vec<Token>,
    folded: Vec<String>,
    headline: bool,
    occurrences: Vec<Occurrence>,
}

/// An article's sentences and the candidates in them that `known` does not cover.
fn read_article(article: &Article, known: &Matcher) -> Vec<Sentence> {
    crate::segment::segment_article(0, article)
        .into_iter()
        .map(|segment| {
            let text = segment.text;
            let covered: Vec<std::ops::Range<usize>> =
                known.find(&text).into_iter().map(|m| m.span).collect();
            let tokens = tokenize(&text);
            let headline = is_headline(&tokens, &text);
            let mut occurrences = Vec::new();
            let mut offset = 0;
            for run in runs(&tokens) {
                for mut occurrence in candidates_in(run, &text, headline) {
                    let span = run[occurrence.first].start..run[occurrence.last].end;
                    if !covered
                        .iter()
                        .any(|c| c.start <= span.start && span.end <= c.end)
                    {
                        occurrence.first += offset;
                        occurrence.last += offset;
                        occurrences.push(occurrence);
                    }
                }
                offset += run.len();
            }
            let folded = tokens
                .iter()
                .map(|t| singular(&fold_word(&text[t.start..t.end])).to_string())
                .collect();
            Sentence {
                text,
                tokens,
                folded,
                headline,
                occurrences,
            }
        })
        .collect()
}

/// A word folded as matching folds it; most words are ASCII, folded without the full
/// Unicode machinery.
fn fold_word(word: &str) -> std::borrow::Cow<'_, str> {
    match word.is_ascii() {
        true if !word.bytes().any(|b| b.is_ascii_uppercase()) => word.into(),
        true => word.to_ascii_lowercase().into(),
        false => Normalized::new(word, true).text.into(),
    }
}

/// A word of a sentence: its byte span and how it is written.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    case: Case,
    /// Nothing but white space between the previous token and this one.
    joined: bool,
    /// The first word of its sentence.
    first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Two letters or more, all capitals (`OTAN`, `G20`).
    Upper,
    /// A capital, then small letters (`Giffords`, `Conseil`).
    Title,
    Lower,
}

/// The words of a sentence. Elision is a word of its own (`l'` + `OTAN`, `qu'` + `il`);
/// hyphens and apostrophes inside a word keep it whole (`indo-pacifique`, `aujourd'hui`);
/// numbers are no words (they break a run).
fn tokenize(sentence: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    // Only white space since the last word.
    let mut clean_gap = true;
    let mut chars = sentence.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            clean_gap &= c.is_whitespace();
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            let apostrophe = matches!(next, '\'' | '’' | 'ʼ');
            let inside = (apostrophe || next == '-')
                && sentence[at + next.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if !next.is_alphanumeric() && !inside {
                break;
            }
            chars.next();
            end = at + next.len_utf8();
            if apostrophe && is_elided(&sentence[start..at]) {
                break;
            }
        }
        let word = &sentence[start..end];
        if !word.chars().any(char::is_alphabetic) {
            // A number breaks a run as punctuation does.
            clean_gap = false;
            continue;
        }
        tokens.push(Token {
            start,
            end,
            case: case_of(word),
            joined: clean_gap && !tokens.is_empty(),
            first: tokens.is_empty(),
        });
        clean_gap = true;
    }
    tokens
}

/// French words that elide before a vowel: `l'`, `d'`, `qu'`, `lorsqu'`…
fn is_elided(word: &str) -> bool {
    const ELIDED: &[&str] = &[
        "l", "d", "j", "m", "n", "s", "t", "c", "qu", "lorsqu", "puisqu", "jusqu", "quoiqu",
        "presqu",
    ];
    ELIDED.contains(&word.to_lowercase().as_str())
}

fn case_of(word: &str) -> Case {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
        Case::Upper
    } else if letters.first().is_some_and(|c| c.is_uppercase()) {
        Case::Title
    } else {
        Case::Lower
    }
}

/// A headline or a shouted line: most of its words in capitals, or most of its longer
/// words capitalised (`Le Gouvernement Présente Son Plan`). Its capitals say nothing about
/// acronyms and names.
fn is_headline(tokens: &[Token], sentence: &str) -> bool {
    let length = |t: &Token| sentence[t.start..t.end].chars().count();
    let long = tokens.iter().filter(|t| length(t) >= 3).count();
    let upper = tokens
        .iter()
        .filter(|t| t.case == Case::Upper && length(t) >= 3)
        .count();
    let longer = tokens.iter().filter(|t| length(t) >= 4).count();
    let title = tokens
        .iter()
        .filter(|t| t.case == Case::Title && length(t) >= 4)
        .count();
    (upper >= 3 && upper * 2 > long) || (title >= 3 && title * 10 >= longer * 6)
}

/// The runs of words with nothing but spaces between them.
fn runs(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=tokens.len() {
        if i == tokens.len() || !tokens[i].joined {
            if start < i {
                out.push(&tokens[start..i]);
            }
            start = i;
        }
    }
    out
}

/// One candidate occurrence in a run: its first and last token.
struct Occurrence {
    first: usize,
    last: usize,
    kind: Kind,
}

/// How a word takes part in a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Cannot be in a candidate (a verb's auxiliary, a pronoun…).
    Stop,
    /// May sit inside a candidate, not at its ends (`de`, `la`, `l'`).
    Link,
    /// A name's particle (`von der Leyen`): may start a name, not end one.
    Particle,
    /// A content word, written small.
    Small,
    /// A content word with a capital.
    Capital,
    Acronym,
}

fn role(token: &Token, sentence: &str, headline: bool) -> Role {
    let word = &sentence[token.start..token.end];
    let lower = word.to_lowercase();
    let bare = lower.trim_end_matches(['\'', '’', 'ʼ']);
    // A capital says nothing at a sentence's start or in a headline; elsewhere it makes a
    // name of a stop word too (`Le Monde`, `La Poste`, `l'État`).
    let small = token.case == Case::Lower || token.first || headline;
    if TITLES.contains(&bare) {
        return Role::Stop;
    }
    if small && LINKS.contains(&bare) {
        return Role::Link;
    }
    if token.case == Case::Lower && PARTICLES.contains(&bare) {
        return Role::Particle;
    }
    if small && (STOP_WORDS.contains(lower.as_str()) || STOP_WORDS.contains(bare)) {
        return Role::Stop;
    }
    match token.case {
        _ if headline => Role::Small,
        Case::Upper if is_roman_numeral(word) => Role::Stop,
        Case::Upper => Role::Acronym,
        // A common French word at a sentence's start is a common word (`Selon`, `Hier`);
        // a rare one is a name (`Giffords`).
        Case::Title if token.first && zipf(&lower) >= 4.0 => Role::Small,
        Case::Title => Role::Capital,
        Case::Lower => Role::Small,
    }
}

/// Words that link the parts of a noun phrase or name: allowed inside a candidate only
/// (`bureau de liaison`, `Organisation pour la sécurité`). Not `et`: two names joined are
/// two names. Of the elided words, only the article and the preposition (`l'`, `d'`).
const LINKS: &[&str] = &[
    "de", "du", "des", "d", "la", "le", "les", "l", "à", "au", "aux", "en", "pour",
];

/// The links a name takes (`Banque de France`, `Organisation pour la sécurité`); `à` and
/// `en` join a name to what is said of it (`l'Ukraine à l'OTAN`).
const NAME_LINKS: &[&str] = &["de", "du", "des", "d", "la", "le", "les", "l", "pour"];

/// The links after which a word written small may come: the complement of a noun
/// (`bureau de liaison`, `achat d'armements`, `en matière de`), not a verb (`pour renforcer`).
const COMPLEMENT_LINKS: &[&str] = &["de", "du", "des", "d", "la", "le", "les", "l", "en", "à"];

/// What comes before a noun: a phrase written small starts after one of these (or after
/// one and an adjective that goes before nouns), which tells its first word from a verb
/// (`des exercices navals`, not `participeront au prochain`).
const DETERMINERS: &[&str] = &[
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "au",
    "aux",
    "sa",
    "son",
    "ses",
    "leur",
    "leurs",
    "notre",
    "nos",
    "votre",
    "vos",
    "ce",
    "cet",
    "cette",
    "ces",
    "chaque",
    "plusieurs",
    "quelques",
    "tout",
    "toute",
    "tous",
    "toutes",
    "certains",
    "certaines",
    "aucun",
    "aucune",
];

/// Adjectives French puts before the noun (`sa nouvelle orientation`).
const BEFORE_NOUNS: &[&str] = &[
    "nouveau",
    "nouvel",
    "nouvelle",
    "nouveaux",
    "nouvelles",
    "grand",
    "grande",
    "grands",
    "grandes",
    "petit",
    "petite",
    "petits",
    "petites",
    "premier",
    "première",
    "premiers",
    "premières",
    "dernier",
    "dernière",
    "derniers",
    "dernières",
    "ancien",
    "ancienne",
    "anciens",
    "anciennes",
    "prochain",
    "prochaine",
    "prochains",
    "prochaines",
    "seul",
    "seule",
    "haut",
    "haute",
    "hauts",
    "hautes",
    "vaste",
    "vastes",
    "principal",
    "principale",
    "principaux",
    "principales",
];

/// Particles of foreign names (`von der Leyen`, `van Rompuy`).
const PARTICLES: &[&str] = &["von", "van", "der", "den", "ter", "ten"];

/// Titles before a name (`M. Guterres`, `Mme von der Leyen`): not part of it.
const TITLES: &[&str] = &[
    "m", "mm", "mme", "mmes", "mlle", "mlles", "me", "mgr", "dr", "pr",
];

/// Whether a word written small looks like a French adjective (or a past participle), by
/// its ending: what may follow a noun in a term without a link (`Conseil européen`,
/// `banque centrale`, `Nations unies`, `exercices navals`), where a verb (`dispose`,
/// `renforcent`) or an adverb (`actuellement`) may not. No part-of-speech tagger: endings
/// cover the adjectives of institutions, places and fields, and leave verbs out.
fn looks_like_adjective(word: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "é", "ée", "és", "ées", "ain", "aine", "ains", "aines", "ais", "aise", "aises", "ois",
        "oise", "oises", "ien", "ienne", "iens", "iennes", "éen", "éenne", "éens", "éennes",
        "ique", "iques", "al", "ale", "aux", "ales", "als", "el", "elle", "els", "elles", "aire",
        "aires", "if", "ive", "ifs", "ives", "ier", "ière", "iers", "ières", "unie", "unies",
        "iste", "istes", "un", "une", "uns", "unes", "eur", "eure", "eurs", "eures", "ême", "in",
        "ine", "ins", "ines",
    ];
    let lower = word.to_lowercase();
    lower.chars().count() > 3
        && !lower.ends_with("ment")
        && ENDINGS.iter().any(|e| lower.ends_with(e))
}

fn is_roman_numeral(word: &str) -> bool {
    word.chars().all(|c| "IVXLCDM".contains(c))
}

/// The candidates of a run: every span of up to [`MAX_WORDS`] words whose ends are content
/// words, that has only content words and links inside, and that is a name (starts with a
/// capital), an acronym, or a lower-case phrase of two words or more.
fn candidates_in(run: &[Token], sentence: &str, headline: bool) -> Vec<Occurrence> {
    let roles: Vec<Role> = run.iter().map(|t| role(t, sentence, headline)).collect();
    let words: Vec<String> = run
        .iter()
        .map(|t| {
            sentence[t.start..t.end]
                .to_lowercase()
                .trim_end_matches(['\'', '’', 'ʼ'])
                .to_string()
        })
        .collect();
    let adjective: Vec<bool> = run
        .iter()
        .map(|t| looks_like_adjective(&sentence[t.start..t.end]))
        .collect();
    let determiner = |i: usize| DETERMINERS.contains(&words[i].as_str());
    let mut out = Vec::new();
    for first in 0..run.len() {
        let kind = match roles[first] {
            Role::Acronym | Role::Capital | Role::Particle => Kind::Name,
            // A noun: after a determiner, or after one and an adjective.
            Role::Small
                if (first >= 1 && determiner(first - 1))
                    || (first >= 2
                        && BEFORE_NOUNS.contains(&words[first - 1].as_str())
                        && determiner(first - 2)) =>
            {
                Kind::Phrase
            }
            _ => continue,
        };
        for last in first..run.len().min(first + MAX_WORDS) {
            if roles[last] == Role::Stop {
                break;
            }
            // A small word inside a term is a noun's complement (`bureau de liaison`) or
            // an adjective (`Conseil européen`); a phrase written small does not run into
            // a name (`selon Goldman`), nor a name take capitals after small words.
            if last > first {
                let (before, this) = (roles[last - 1], roles[last]);
                let link = words[last].as_str();
                let fits = match (kind, this) {
                    (Kind::Name, Role::Link) => NAME_LINKS.contains(&link),
                    (_, Role::Link) => true,
                    (_, Role::Small) => match before {
                        Role::Link => COMPLEMENT_LINKS.contains(&words[last - 1].as_str()),
                        _ => adjective[last],
                    },
                    (Kind::Phrase, _) => false,
                    (_, Role::Capital | Role::Acronym | Role::Particle) => before != Role::Small,
                    (_, Role::Stop) => false,
                };
                if !fits {
                    break;
                }
            }
            if matches!(roles[last], Role::Link | Role::Particle) {
                continue;
            }
            let kind = match kind {
                Kind::Name if first == last && roles[first] == Role::Acronym => Kind::Acronym,
                // An initial (`R.`) is no name.
                Kind::Name if first == last && words[first].chars().count() < 2 => continue,
                Kind::Phrase if first == last => continue,
                kind => kind,
            };
            out.push(Occurrence { first, last, kind });
        }
    }
    out
}

/// A candidate's identity: its words folded (case, accents kept) and their plural taken
/// off, as word numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key(Vec<u32>);

/// Word numbers, so that keys are small; and how often each word is written small and with
/// a capital inside sentences.
#[derive(Default)]
struct Words {
    numbers: HashMap<String, u32>,
    /// By word number: (written small, written with a capital), not counting sentence
    /// starts and headlines.
    cases: Vec<(usize, usize)>,
}

impl Words {
    /// Counts how a word is written inside a sentence (not at its start).
    fn count_case(&mut self, number: u32, token: &Token) {
        if token.first {
            return;
        }
        let cases = &mut self.cases[number as usize];
        match token.case {
            Case::Lower => cases.0 += 1,
            _ => cases.1 += 1,
        }
    }

    fn small_at_least_as_often(&self, number: u32) -> bool {
        let (small, capital) = self.cases[number as usize];
        small >= capital
    }

    /// The number of a folded word.
    fn number(&mut self, folded: &str) -> u32 {
        if let Some(&number) = self.numbers.get(folded) {
            return number;
        }
        let number = self.numbers.len() as u32;
        self.numbers.insert(folded.to_string(), number);
        self.cases.push((0, 0));
        number
    }
}

/// A folded word without its regular plural ending (`banques` → `banque`, `généraux` →
/// `général`, `bureaux` → `bureau`), so that both numbers group.
fn singular(word: &str) -> &str {
    if word.chars().count() <= 3 {
        return word;
    }
    if let Some(stem) = word.strip_suffix("aux") {
        // `généraux` → `génér` + `al`; grouped by the stem, which is what `général` gives.
        return stem;
    }
    if let Some(stem) = word.strip_suffix("al") {
        return stem;
    }
    word.strip_suffix(['s', 'x']).unwrap_or(word)
}

/// Occurrences of one candidate.
struct Group {
    kind: Kind,
    count: usize,
    articles: usize,
    last_article: Option<usize>,
    forms: HashMap<String, usize>,
    examples: Vec<String>,
}

impl Group {
    fn new(kind: Kind) -> Group {
        Group {
            kind,
            count: 0,
            articles: 0,
            last_article: None,
            forms: HashMap::new(),
            examples: Vec::new(),
        }
    }

    fn add(&mut self, article: usize, form: &str, sentence: &str) {
        self.count += 1;
        if self.last_article != Some(article) {
            self.articles += 1;
            self.last_article = Some(article);
        }
        match self.forms.get_mut(form) {
            Some(count) => *count += 1,
            None => {
                self.forms.insert(form.to_string(), 1);
            }
        }
        if self.examples.len() < 2 && !self.examples.iter().any(|e| e == sentence) {
            self.examples.push(sentence.to_string());
        }
    }

    fn candidate(&self) -> Option<Candidate> {
        let mut forms: Vec<(&String, &usize)> = self.forms.iter().collect();
        forms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let source = forms[0].0.clone();
        let specificity = specificity(&source);
        // Common words only, or a one-off: a turn of phrase, not a term.
        if self.kind == Kind::Phrase && (specificity < 0.3 || self.count < 2) {
            return None;
        }
        Some(Candidate {
            variants: forms[1..].iter().map(|(f, _)| (*f).clone()).collect(),
            source,
            kind: self.kind,
            count: self.count,
            articles: self.articles,
            specificity,
            score: self.count as f64 * (1.0 + (self.articles as f64).ln()) * specificity,
            examples: self.examples.clone(),
            renderings: Vec::new(),
        })
    }
}

/// For each candidate key, the occurrences of the candidates that directly contain it
/// (with no candidate between the two), added up: how often the shorter one occurs only as
/// a part of a longer one (`New` in `New York`).
fn inside_longer(groups: &HashMap<Key, Group>) -> HashMap<Key, usize> {
    let mut inside: HashMap<Key, usize> = HashMap::new();
    for (key, group) in groups {
        let n = key.0.len();
        let mut parts: Vec<(usize, usize)> = Vec::new();
        for len in 1..n {
            for start in 0..=n - len {
                if groups.contains_key(&Key(key.0[start..start + len].to_vec())) {
                    parts.push((start, start + len));
                }
            }
        }
        // The parts no other part holds: the candidates right below this one.
        for &(start, end) in &parts {
            let covered = parts
                .iter()
                .any(|&(s, e)| (s, e) != (start, end) && s <= start && end <= e);
            if !covered {
                *inside.entry(Key(key.0[start..end].to_vec())).or_insert(0) += group.count;
            }
        }
    }
    inside
}

/// How rare a candidate's words are in general French: the mean over its content words of
/// (7 − Zipf) / 4, within 0 and 1 (Zipf 3, once per million words, or rarer counts as 1).
fn specificity(form: &str) -> f64 {
    let rarity: Vec<f64> = tokenize(form)
        .iter()
        .map(|t| form[t.start..t.end].to_lowercase())
        .filter(|w| !LINKS.contains(&w.trim_end_matches(['\'', '’', 'ʼ'])))
        .map(|w| ((7.0 - zipf(&w)) / 4.0).clamp(0.0, 1.0))
        .collect();
    if rarity.is_empty() {
        return 0.0;
    }
    rarity.iter().sum::<f64>() / rarity.len() as f64
}

/// A word's frequency in general French on the Zipf scale (7 for `de`, 3 for a word seen
/// once per million); words rarer than that are not listed and get 2.
fn zipf(word: &str) -> f64 {
    static FREQUENCY: LazyLock<HashMap<&'static str, f64>> = LazyLock::new(|| {
        let mut out = HashMap::new();
        for line in include_str!("french-frequency.txt").lines() {
            let Some((zipf, words)) = line.split_once('\t') else {
                continue;
            };
            let Ok(zipf) = zipf.parse::<f64>() else {
                continue;
            };
            for word in words.split(' ').filter(|w| !w.is_empty()) {
                out.entry(word).or_insert(zipf);
            }
        }
        out
    });
    let lower = word.to_lowercase();
    FREQUENCY
        .get(lower.as_str())
        .or_else(|| FREQUENCY.get(singular(&lower)))
        .copied()
        .unwrap_or(2.0)
}

/// The French stop words of stopwords-iso (691 words, through the stop-words crate):
/// function words, auxiliaries and the most common adverbs and adjectives.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    stop_words::get(stop_words::LANGUAGE::French)
        .iter()
        .copied()
        .collect()
});
