//! Saying what a same-topic passage leaves out: the question's words it
//! mentions, as the question wrote them, and the question turned indirect.

use crate::query::Plan;
use crate::types::{Gap, Missing};

/// The rarest words of the question named in the line: enough to show what
/// the passage is about, few enough to read at a glance.
const MENTIONED: usize = 2;

pub(super) fn describe(question: &str, plan: &Plan, covered: &[bool], gaps: Vec<Gap>) -> Missing {
    Missing {
        mentions: mentions(question, plan, covered),
        asked: plan
            .frame
            .indirect
            .clone()
            .unwrap_or_else(|| "what you asked".into()),
        gaps,
    }
}

/// The rarest question words the passage holds, each widened to the
/// neighbouring words it also holds ("Korea" → "North Korea"), in the
/// question's order and spelling.
fn mentions(question: &str, plan: &Plan, covered: &[bool]) -> Vec<String> {
    let spans: Vec<Option<(usize, usize)>> = plan
        .groups
        .iter()
        .map(|g| find_word(question, &g.word))
        .collect();
    let held: Vec<usize> = (0..plan.groups.len())
        .filter(|&i| covered.get(i).copied().unwrap_or(false) && spans[i].is_some())
        .collect();
    let mut rarest = held.clone();
    rarest.sort_by(|&a, &b| plan.groups[b].idf.total_cmp(&plan.groups[a].idf));
    let mut picked: Vec<(usize, usize)> = Vec::new();
    for i in rarest {
        if picked.len() == MENTIONED {
            break;
        }
        let Some(mut span) = spans[i] else { continue };
        // Widen over held words separated from it by one space.
        loop {
            let next = held.iter().filter_map(|&j| spans[j]).find(|&(s, e)| {
                (question.get(span.1..s) == Some(" ") || question.get(e..span.0) == Some(" "))
                    && (s, e) != span
            });
            match next {
                Some((s, e)) => span = (span.0.min(s), span.1.max(e)),
                None => break,
            }
        }
        if !picked.iter().any(|&(s, e)| s < span.1 && span.0 < e) {
            picked.push(span);
        }
    }
    picked.sort_unstable();
    picked
        .into_iter()
        .map(|(s, e)| question[s..e].to_string())
        .collect()
}

/// The byte span of `word` (lowercase ASCII, as the plan keeps it) as a
/// whole word of `question`, matched without regard to case.
fn find_word(question: &str, word: &str) -> Option<(usize, usize)> {
    if word.is_empty() {
        return None;
    }
    let bytes = question.as_bytes();
    let outside = |i: usize| bytes.get(i).is_none_or(|b| !b.is_ascii_alphanumeric());
    (0..=question.len().checked_sub(word.len())?).find_map(|s| {
        let e = s + word.len();
        (question.is_char_boundary(s)
            && question.is_char_boundary(e)
            && question[s..e].eq_ignore_ascii_case(word)
            && (s == 0 || outside(s - 1))
            && outside(e))
        .then_some((s, e))
    })
}
