//! The short answer: the number or date the key sentence gives for a "how
//! many" or "when" question ("at least 11,000"). Only when the sentence
//! holds exactly one such phrase, or one that stands next to a word of the
//! question: a short answer is never a guess.

use std::ops::Range;

use crate::answer::features::{is_year, AMOUNT_WORDS, MONTHS};
use crate::query::{AnswerType, Plan};

/// Words before a number that belong to the amount ("at least 11,000").
const QUALIFIERS: &[&[&str]] = &[
    &["as", "many", "as"],
    &["at", "least"],
    &["more", "than"],
    &["fewer", "than"],
    &["less", "than"],
    &["up", "to"],
    &["about"],
    &["around"],
    &["nearly"],
    &["almost"],
    &["over"],
    &["some"],
    &["roughly"],
    &["approximately"],
    &["only"],
];
/// A question word names what a number counts when it stands this close
/// after the number ("11,000 North Korean soldiers").
const COUNTED_WITHIN: usize = 3;

/// Words of `s` with their byte ranges; a comma or point between digits
/// stays inside the number ("11,000", "2.5").
fn tokens(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let inner = matches!(c, ',' | '.')
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if c.is_alphanumeric() || inner {
            start.get_or_insert(i);
        } else if let Some(st) = start.take() {
            out.push(st..i);
        }
    }
    if let Some(st) = start {
        out.push(st..s.len());
    }
    out
}

/// The answer's byte range within `sentence`, if it holds one.
pub(super) fn find(plan: &Plan, sentence: &str) -> Option<Range<usize>> {
    let toks = tokens(sentence);
    let lower: Vec<String> = toks
        .iter()
        .map(|r| sentence[r.clone()].to_lowercase())
        .collect();
    let part: &dyn Fn(&str) -> bool = match plan.answer_type {
        AnswerType::Quantity => &|w: &str| {
            w.chars().any(|c| c.is_ascii_digit()) && !is_year(w) || AMOUNT_WORDS.contains(&w)
        },
        AnswerType::Time => &|w: &str| {
            is_year(w)
                || MONTHS.contains(&w)
                || w.len() <= 2 && w.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
        },
        _ => return None,
    };
    // Runs of consecutive answer words, each a candidate.
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, w) in lower.iter().enumerate() {
        if !part(w) {
            continue;
        }
        match runs.last_mut() {
            Some(r) if r.end == i => r.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    // A date needs a year or a month; a lone small number is not one.
    if plan.answer_type == AnswerType::Time {
        runs.retain(|r| {
            lower[r.clone()]
                .iter()
                .any(|w| is_year(w) || MONTHS.contains(&w.as_str()))
        });
    }
    let counted = |r: &Range<usize>| {
        lower[r.end..lower.len().min(r.end + COUNTED_WITHIN)]
            .iter()
            .any(|w| plan.groups.iter().any(|g| same_word(w, &g.word)))
    };
    // One candidate; else the one counting a word of the question; else the
    // only one in figures ("$20 billion" beside "one think tank").
    let figures: Vec<&Range<usize>> = runs
        .iter()
        .filter(|r| {
            lower[(*r).clone()]
                .iter()
                .any(|w| w.bytes().any(|b| b.is_ascii_digit()))
        })
        .collect();
    let run = match (
        runs.as_slice(),
        runs.iter().find(|r| counted(r)),
        figures.as_slice(),
    ) {
        ([one], _, _) => one.clone(),
        (_, Some(counting), _) => counting.clone(),
        (_, None, [only]) => (*only).clone(),
        _ => return None,
    };
    let mut first = run.start;
    if plan.answer_type == AnswerType::Quantity {
        if let Some(q) = QUALIFIERS.iter().find(|q| {
            first >= q.len()
                && lower[first - q.len()..first]
                    .iter()
                    .zip(q.iter())
                    .all(|(a, b)| a == b)
        }) {
            first -= q.len();
        }
    }
    let mut start = toks[first].start;
    let mut end = toks[run.end - 1].end;
    if plan.answer_type == AnswerType::Quantity {
        let before = sentence[..toks[run.start].start].chars().next_back();
        if first == run.start && before.is_some_and(|c| matches!(c, '$' | '£' | '€')) {
            start -= before.map_or(0, char::len_utf8);
        }
        if sentence[end..].starts_with('%') {
            end += 1;
        }
    }
    Some(start..end)
}

/// The same word, give or take an ending ("soldier" and "soldiers").
fn same_word(a: &str, b: &str) -> bool {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    a == b || common >= 4 && (common == a.len().min(b.len()) || common >= 5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Group;

    fn plan(answer_type: AnswerType, words: &[&str]) -> Plan {
        Plan {
            groups: words
                .iter()
                .map(|w| Group {
                    word: w.to_string(),
                    members: vec![],
                    idf: 1.0,
                    name: false,
                })
                .collect(),
            answer_type,
            defines: false,
            corrections: vec![],
            stems: vec![],
            frame: Default::default(),
        }
    }

    fn short(kind: AnswerType, words: &[&str], sentence: &str) -> Option<String> {
        find(&plan(kind, words), sentence).map(|r| sentence[r].to_string())
    }

    #[test]
    fn an_amount_keeps_its_qualifier_currency_and_percent_sign() {
        let q = AnswerType::Quantity;
        let s = "Kim Jong-un has reportedly sent at least 11,000 soldiers to Kursk.";
        assert_eq!(
            short(q, &["soldiers"], s).as_deref(),
            Some("at least 11,000")
        );
        let s = "More than $20 billion, according to one think tank.";
        assert_eq!(
            short(q, &["kim"], s).as_deref(),
            Some("More than $20 billion")
        );
        assert_eq!(
            short(q, &[], "Turnout rose to 61.5% in May.").as_deref(),
            Some("61.5%")
        );
    }

    #[test]
    fn of_several_numbers_only_the_one_counting_the_asked_thing_is_taken() {
        let q = AnswerType::Quantity;
        let s = "In 12 years, 300 soldiers and 40 tanks were sent.";
        assert_eq!(short(q, &["tanks"], s).as_deref(), Some("40"));
        let words = "Two ships and 40 tanks were sent.";
        assert_eq!(short(q, &["guns"], words).as_deref(), Some("40"));
        // Nothing says which number is meant: no guess.
        assert_eq!(short(q, &["ships"], s), None);
        assert_eq!(short(q, &["ships"], "No number here."), None);
    }

    #[test]
    fn a_date_needs_a_year_or_a_month() {
        let t = AnswerType::Time;
        let s = "Kim travelled to Russia in 2023 by armoured train.";
        assert_eq!(short(t, &["kim"], s).as_deref(), Some("2023"));
        let s = "It was signed on 24 April 2025 in London.";
        assert_eq!(short(t, &[], s).as_deref(), Some("24 April 2025"));
        assert_eq!(short(t, &[], "He served 7 years."), None);
        // Other kinds of answer have no short form yet.
        assert_eq!(short(AnswerType::Person, &[], "Kim Jong-un said so."), None);
    }
}
