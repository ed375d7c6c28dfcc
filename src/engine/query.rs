//! From a member's loose question to what the engine searches for: the
//! meaningful words, each with the alternatives that may stand for it
//! (spelling corrections, synonyms, learned acronyms), and the kind of
//! answer the question asks for. User text never reaches a query parser,
//! so quotes, colons, brackets and operators are just characters.

use super::analyze::{Analyzer, Word};
use super::snapshot::Lexicon;
use super::synonyms::{Synonyms, MAX_PHRASE_WORDS};

/// Questions longer than this are cut: no real question needs more.
pub const MAX_QUESTION_CHARS: usize = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    Any,
    Quantity,
    Person,
    Time,
    Place,
}

/// One way of matching a question word.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Stems that must all occur (one for a word, several for a phrase).
    pub stems: Vec<String>,
    /// 1.0 for the word as typed; less for corrections and synonyms.
    pub weight: f32,
}

/// A meaningful word of the question and its alternatives; a passage gets
/// credit for a group once, through its best-matching member.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The word as typed, folded to lowercase ASCII.
    pub word: String,
    pub members: Vec<Member>,
    /// How much the word tells passages apart (BM25 idf; highest when unseen).
    pub idf: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub groups: Vec<Group>,
    pub answer_type: AnswerType,
    /// The question's words, lowercase, for comparing with headings.
    pub words: Vec<String>,
    /// Stems of all the question's words, function words included, in order:
    /// shared word pairs show a passage phrased like the question.
    pub stems: Vec<String>,
}

/// Words that carry no topic: function words and the question's own frame.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "for",
    "from",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "know",
    "me",
    "might",
    "more",
    "most",
    "much",
    "many",
    "must",
    "my",
    "no",
    "not",
    "of",
    "on",
    "or",
    "our",
    "out",
    "please",
    "s",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "t",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "too",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "d",
    "ll",
    "re",
    "ve",
    "m",
    "anything",
    "something",
    "thing",
    "things",
    "kind",
    "type",
    "sort",
    "exactly",
    "actually",
    "really",
    "one",
    "ones",
    "other",
    "own",
    "same",
    "such",
    "only",
    "each",
    "both",
    "either",
    "whether",
    "while",
    "during",
    "before",
    "under",
    "over",
    "between",
    "through",
    "up",
    "down",
    "off",
    "again",
    "further",
    "once",
    "name",
    "named",
    "called",
];

/// Nouns that, after "what"/"which", only say what kind of answer is wanted.
const TIME_NOUNS: &[&str] = &[
    "year", "date", "day", "month", "time", "century", "decade", "period", "era",
];
const PLACE_NOUNS: &[&str] = &[
    "country",
    "city",
    "place",
    "region",
    "town",
    "state",
    "location",
    "area",
    "county",
    "continent",
    "nation",
];
const QUANTITY_WORDS: &[&str] = &[
    "many",
    "much",
    "long",
    "old",
    "far",
    "often",
    "big",
    "large",
    "tall",
    "high",
    "percentage",
    "percent",
    "number",
    "amount",
    "size",
];

pub fn plan(question: &str, lex: &Lexicon, synonyms: &Synonyms, analyzer: &mut Analyzer) -> Plan {
    let cleaned = clean(question);
    let words = analyzer.words(&cleaned);
    let answer_type = answer_type(&words);
    let shouting = !cleaned.chars().any(|c| c.is_lowercase());
    let mut content: Vec<&Word> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let original = &cleaned[w.span.clone()];
        // "US", "WHO", "IT" typed in capitals are names, not function words.
        let acronym =
            !shouting && original.len() >= 2 && original.chars().all(|c| c.is_ascii_uppercase());
        let prev = i.checked_sub(1).map(|j| words[j].exact.as_str());
        let frame_noun = matches!(prev, Some("what" | "which"))
            && (TIME_NOUNS.contains(&w.exact.as_str()) || PLACE_NOUNS.contains(&w.exact.as_str()));
        let frame_quantity = prev == Some("how") && QUANTITY_WORDS.contains(&w.exact.as_str());
        if (STOP_WORDS.contains(&w.exact.as_str()) && !acronym) || frame_noun || frame_quantity {
            continue;
        }
        if content.iter().any(|c| c.stem == w.stem) {
            continue;
        }
        content.push(w);
    }
    let mut groups: Vec<Group> = content
        .iter()
        .map(|w| {
            let mut members = vec![Member {
                stems: vec![w.stem.clone()],
                weight: 1.0,
            }];
            if lex.df(&w.stem) == 0 {
                if let Some(fix) = correct(&w.exact, lex) {
                    let stem = analyzer.stem(&fix);
                    members.push(Member {
                        stems: vec![stem],
                        weight: 0.8,
                    });
                }
            }
            if let Some(expansions) = lex.acronyms.get(&w.exact) {
                for stems in expansions {
                    push_member(&mut members, stems.clone(), 0.9);
                }
            }
            Group {
                word: w.exact.clone(),
                members,
                idf: lex.idf(&w.stem),
            }
        })
        .collect();
    add_synonyms(&mut groups, &content, synonyms);
    Plan {
        groups,
        answer_type,
        stems: words.iter().map(|w| w.stem.clone()).collect(),
        words: words.into_iter().map(|w| w.exact).collect(),
    }
}

fn push_member(members: &mut Vec<Member>, stems: Vec<String>, weight: f32) {
    if !members.iter().any(|m| m.stems == stems) {
        members.push(Member { stems, weight });
    }
}

/// Phrases of consecutive content words found in the synonyms file lend their
/// alternatives to the phrase's first word.
fn add_synonyms(groups: &mut [Group], content: &[&Word], synonyms: &Synonyms) {
    if synonyms.is_empty() {
        return;
    }
    for start in 0..content.len() {
        for len in 1..=MAX_PHRASE_WORDS.min(content.len() - start) {
            let stems: Vec<String> = content[start..start + len]
                .iter()
                .map(|w| w.stem.clone())
                .collect();
            if let Some(alts) = synonyms.lookup(&stems) {
                for alt in alts {
                    push_member(&mut groups[start].members, alt.clone(), 0.7);
                }
            }
        }
    }
}

/// Strip invisible formatting characters (zero-width, bidi controls) that
/// would split or disguise words, and cap the length.
pub fn clean(question: &str) -> String {
    question
        .chars()
        .filter(|c| !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0x00AD))
        .take(MAX_QUESTION_CHARS)
        .collect()
}

fn answer_type(words: &[Word]) -> AnswerType {
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|n| n.exact.as_str()).unwrap_or("");
        match w.exact.as_str() {
            "how" if QUANTITY_WORDS.contains(&next) => return AnswerType::Quantity,
            "who" | "whom" | "whose" => return AnswerType::Person,
            "when" => return AnswerType::Time,
            "where" => return AnswerType::Place,
            "what" | "which" if TIME_NOUNS.contains(&next) => return AnswerType::Time,
            "what" | "which" if PLACE_NOUNS.contains(&next) => return AnswerType::Place,
            "what" | "which" if matches!(next, "percentage" | "number" | "amount") => {
                return AnswerType::Quantity
            }
            _ => {}
        }
    }
    AnswerType::Any
}

/// Longest edit distance tolerated for a word of this length: short words
/// are too easily confused to correct at all.
fn max_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// The most frequent known word within the allowed edit distance, if any.
pub fn correct(word: &str, lex: &Lexicon) -> Option<String> {
    let max = max_typos(word.chars().count());
    if max == 0 || word.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut best: Option<(usize, u32, &str)> = None;
    for (cand, &df) in &lex.exact_df {
        if cand.len().abs_diff(word.len()) > max {
            continue;
        }
        let d = strsim::osa_distance(word, cand);
        if d == 0 || d > max {
            continue;
        }
        let better = match best {
            None => true,
            Some((bd, bdf, bc)) => {
                (d, std::cmp::Reverse(df), cand.as_str()) < (bd, std::cmp::Reverse(bdf), bc)
            }
        };
        if better {
            best = Some((d, df, cand));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}
