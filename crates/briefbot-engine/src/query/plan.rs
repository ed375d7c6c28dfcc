//! From a member's loose question to what the engine searches for: the
//! meaningful words, each with the alternatives that may stand for it
//! (spelling corrections, related words, synonyms, learned acronyms), each
//! weighted by how close it is to the word asked, and the kind of
//! answer the question asks for. User text never reaches a query parser,
//! so quotes, colons, brackets and operators are just characters.

use super::frame::{self, Frame};
use super::irregular;
use super::related;
use super::spelling::correct;
use super::synonyms::{Synonyms, MAX_PHRASE_WORDS};
use super::words::*;
pub(crate) use crate::answer::features::AnswerType;
use crate::index::analyze::{Analyzer, Word};
use crate::index::lexicon::Lexicon;

/// Questions longer than this are cut: no real question needs more.
pub const MAX_QUESTION_CHARS: usize = 600;

/// One way of matching a question word.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    /// Stems that must all occur (one for a word, several for a phrase).
    pub stems: Vec<String>,
    /// 1.0 for the word as typed; less for corrections and synonyms.
    pub weight: f32,
}

/// A meaningful word of the question and its alternatives; a passage gets
/// credit for a group once, through its best-matching member.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// The word as typed, folded to lowercase ASCII.
    pub word: String,
    pub members: Vec<Member>,
    /// How much the word tells passages apart (BM25 idf; highest when unseen).
    pub idf: f32,
    /// Capitalised inside the question: a name, what the question is about.
    pub name: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub groups: Vec<Group>,
    pub answer_type: AnswerType,
    /// The question asks what its subject is ("what is a gasser?", "who was
    /// Henry Sampson?", "what does NATO stand for?"): a sentence defining the
    /// subject answers it, wherever the brief mentions it elsewhere.
    pub defines: bool,
    /// Question words the briefs do not know, each with the briefs' word its
    /// spelling is closest to ("munitons" → "munitions"), as typed (folded).
    pub corrections: Vec<(String, String)>,
    /// Stems of all the question's words, function words included, in order:
    /// shared word pairs show a passage phrased like the question.
    pub stems: Vec<String>,
    /// Its indirect form, from its grammar.
    pub frame: Frame,
}

/// Is word `i` part of a time expression relative to the asker?
fn deictic(words: &[Word], i: usize) -> bool {
    let w = words[i].exact.as_str();
    let prev = i.checked_sub(1).map(|j| words[j].exact.as_str());
    let next = words.get(i + 1).map(|n| n.exact.as_str());
    DEICTIC_WORDS.contains(&w)
        || DEICTIC_LEADS.contains(&w) && next.is_some_and(|n| DEICTIC_UNITS.contains(&n))
        || DEICTIC_UNITS.contains(&w) && prev.is_some_and(|p| DEICTIC_LEADS.contains(&p))
}

pub(crate) fn plan(
    question: &str,
    lex: &Lexicon,
    synonyms: &Synonyms,
    analyzer: &mut Analyzer,
) -> Plan {
    let cleaned = clean(question);
    let words = analyzer.words(&cleaned);
    let answer_type = answer_type(&words);
    let shouting = !cleaned.chars().any(|c| c.is_lowercase());
    let mut content: Vec<&Word> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let original = &cleaned[w.span.clone()];
        // "US", "WHO", "IT" typed in capitals are names, not function words.
        let acronym = !shouting
            && CAPITAL_STOP_WORDS.contains(&w.exact.as_str())
            && original.chars().all(|c| c.is_ascii_uppercase());
        let prev = i.checked_sub(1).map(|j| words[j].exact.as_str());
        let frame_noun = matches!(prev, Some("what" | "which"))
            && (TIME_NOUNS.contains(&w.exact.as_str()) || PLACE_NOUNS.contains(&w.exact.as_str()));
        let frame_quantity = prev == Some("how") && QUANTITY_WORDS.contains(&w.exact.as_str());
        let next = words.get(i + 1).map(|n| n.exact.as_str());
        // "how long ago" asks for a time; "what does X stand for" for a name.
        let frame_ago =
            w.exact == "ago" && prev == Some("long") && i >= 2 && words[i - 2].exact == "how";
        let frame_stand = w.exact == "stand"
            && next == Some("for")
            && words.first().is_some_and(|f| f.exact == "what");
        if (STOP_WORDS.contains(&w.exact.as_str()) && !acronym)
            || frame_noun
            || frame_quantity
            || frame_ago
            || frame_stand
            || deictic(&words, i)
        {
            continue;
        }
        if content.iter().any(|c| c.stem == w.stem) {
            continue;
        }
        content.push(w);
    }
    let mut corrections = Vec::new();
    let mut groups: Vec<Group> = content
        .iter()
        .map(|w| {
            let mut members = vec![Member {
                stems: vec![w.stem.clone()],
                weight: 1.0,
            }];
            if lex.df(&w.stem) == 0 {
                if let Some(fix) = correct(&w.exact, lex) {
                    members.push(Member {
                        stems: vec![analyzer.stem(&fix)],
                        weight: 0.8,
                    });
                    corrections.push((w.exact.clone(), fix));
                }
            }
            // "sending" finds "sent": look the verb up by its stem too.
            let mut forms = irregular::other_forms(&w.exact);
            if forms.is_empty() {
                forms = irregular::other_forms(&w.stem);
            }
            for form in forms {
                push_member(&mut members, vec![analyzer.stem(form)], 0.9);
            }
            if let Some(expansions) = lex.acronyms.get(&w.exact) {
                for stems in expansions {
                    push_member(&mut members, stems.clone(), 0.9);
                }
            }
            let name = is_name(&cleaned, w);
            Group {
                word: w.exact.clone(),
                members,
                idf: lex.idf(&w.stem) * if name { NAME_BOOST } else { 1.0 },
                name,
            }
        })
        .collect();
    add_related(&mut groups, &words, &content, analyzer);
    add_synonyms(&mut groups, &content, synonyms);
    let frame = frame::read(&cleaned, &words);
    Plan {
        frame,
        defines: asks_definition(&words, groups.len()),
        corrections,
        groups,
        answer_type,
        stems: words.into_iter().map(|w| w.stem).collect(),
    }
}

fn push_member(members: &mut Vec<Member>, stems: Vec<String>, weight: f32) {
    if !members.iter().any(|m| m.stems == stems) {
        members.push(Member { stems, weight });
    }
}

/// Related words a question word may bring at most: the closest few carry
/// the meaning, more only add noise.
const MAX_RELATED: usize = 6;
/// Below this weight a related word is more likely noise than help: on the
/// SQuAD sample, 0.35 let about two more foreign questions in a hundred
/// through the decline threshold for no gain in accuracy.
const MIN_RELATED_WEIGHT: f32 = 0.5;
/// Longest WordNet phrase looked up in a question ("throw in the towel").
const MAX_RELATED_PHRASE: usize = 4;

/// Prepositions that make the word after them a place.
const LOCATIVES: &[&str] = &["in", "at", "near", "around", "outside", "inside", "across"];

/// WordNet's related words of each content word, and of the phrases it
/// opens ("set up", "gave up": function words included, since they make the
/// phrase), join its group weighted by closeness (see [`related::Related::weight`]).
fn add_related(groups: &mut [Group], words: &[Word], content: &[&Word], analyzer: &mut Analyzer) {
    let table = related::table();
    for (group, w) in groups.iter_mut().zip(content) {
        let Some(i) = words.iter().position(|x| x.span == w.span) else {
            continue;
        };
        let mut found: Vec<related::Related> = Vec::new();
        for lemma in table.lemmas(&w.exact) {
            for len in (2..=MAX_RELATED_PHRASE).rev() {
                let Some(rest) = words.get(i + 1..i + len) else {
                    continue;
                };
                let phrase = std::iter::once(lemma)
                    .chain(rest.iter().map(|r| r.exact.as_str()))
                    .collect::<Vec<_>>()
                    .join(" ");
                // "capital of north korea" is linked to "north korea" and
                // "dprk": the question asks those words itself, and counting
                // them again for "capital" would credit any passage naming
                // the country. A relation naming the phrase's own words, or
                // the country a capital's phrase already names, is skipped.
                let repeats = |r: &related::Related| {
                    r.kind == related::Kind::Capital
                        || r.text.split(' ').any(|t| rest.iter().any(|x| x.exact == t))
                };
                found.extend(table.related(&phrase).iter().filter(|r| !repeats(r)));
            }
            found.extend_from_slice(table.related(lemma));
        }
        // A capital stands for its country's government when it acts
        // ("what does Seoul want?"), not when it is a place ("the weather in
        // Seoul"): a passage about the country does not answer that.
        let a_place = i > 0 && LOCATIVES.contains(&words[i - 1].exact.as_str());
        found.retain(|r| !(a_place && r.kind == related::Kind::Capital));
        found.sort_by(|a, b| b.weight().total_cmp(&a.weight()));
        let mut added = 0;
        for r in found {
            if added == MAX_RELATED || r.weight() < MIN_RELATED_WEIGHT {
                break;
            }
            let stems: Vec<String> = analyzer.words(r.text).into_iter().map(|x| x.stem).collect();
            if stems.is_empty() || stems == [w.stem.clone()] {
                continue;
            }
            let before = group.members.len();
            // "give up" also matches "gave up": other forms of its verb.
            for form in irregular::other_forms(&stems[0]) {
                if stems.len() > 1 {
                    let mut other = stems.clone();
                    other[0] = analyzer.stem(form);
                    push_member(&mut group.members, other, r.weight());
                }
            }
            push_member(&mut group.members, stems, r.weight());
            if group.members.len() > before {
                added += 1;
            }
        }
    }
}

/// Names tell passages apart better than their idf alone says.
const NAME_BOOST: f32 = 1.6;

/// A capitalised word that does not open the question: a name.
fn is_name(text: &str, w: &Word) -> bool {
    w.span.start > 0
        && text[w.span.clone()]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
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
pub(crate) fn clean(question: &str) -> String {
    let mut chars = question.chars().filter(|c| {
        !matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0x00AD)
    });
    let mut out: String = chars.by_ref().take(MAX_QUESTION_CHARS).collect();
    // Cut at a word boundary, so the cap never invents a half word.
    if chars.next().is_some_and(char::is_alphanumeric) {
        let keep = out.trim_end_matches(char::is_alphanumeric).len();
        out.truncate(keep);
    }
    out
}

fn answer_type(words: &[Word]) -> AnswerType {
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|n| n.exact.as_str()).unwrap_or("");
        match w.exact.as_str() {
            "how" if next == "long" && words.get(i + 2).is_some_and(|w| w.exact == "ago") => {
                return AnswerType::Time
            }
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

/// Subjects of more content words than this are not asked to be defined:
/// "what is the population of the largest county in the state of Texas"
/// asks for a fact about its subject, not what it is.
const MAX_DEFINED_WORDS: usize = 4;

/// Words that open a question's remainder when it asks about a relation, not
/// a subject ("what is in the box", "who was at the summit").
const RELATION_WORDS: &[&str] = &[
    "in", "on", "at", "to", "for", "from", "of", "with", "by", "about", "after", "before",
    "behind", "next", "there", "it", "he", "she", "they", "this", "that",
];

/// Does the question ask what its subject is? Its frame is "what/who
/// is/are/was/were X" or "what does X mean/stand for", with a short X.
fn asks_definition(words: &[Word], content: usize) -> bool {
    let w: Vec<&str> = words.iter().map(|w| w.exact.as_str()).collect();
    let short = (1..=MAX_DEFINED_WORDS).contains(&content);
    match w.as_slice() {
        ["what" | "who", "is" | "are" | "was" | "were" | "s", first, ..] => {
            short && !RELATION_WORDS.contains(first)
        }
        ["what", "does" | "do" | "did", _, .., "mean"]
        | ["what", "does" | "do" | "did", _, .., "stand", "for"] => short,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
