//! Who a passage quotes or cites. Readers weigh a claim by its source, so each
//! answer carries "Jennifer Jun, satellite specialist, CSIS" rather than just
//! the text.
//!
//! Patterns only, no list of names: a speech or citation verb ("said",
//! "told", "revealed", "accused", "according to") anchors the search, and the
//! source is the noun phrase next to it — a capitalised name with an
//! appositive role ("Pasi Paroinen, an Osint analyst, said"), a bare subject
//! ("US intelligence revealed"), a determiner-led group ("the soldiers said"),
//! or the phrase after "according to". Pronoun subjects are skipped: the name
//! they stand for is in another sentence and already cited there.

mod role;
#[cfg(test)]
mod tests;
mod words;

use super::tokens::{join, tokenize, Token, CLAUSE_OPENERS};
use crate::ingest::text::split_sentences;
use crate::types::Attribution;
use words::{BE_FORMS, DETERMINERS, NAME_JOINERS, PRONOUNS, SKIPPABLE, SPEECH_VERBS};

/// The people and bodies quoted or cited in one paragraph, in order of appearance.
pub(crate) fn extract(text: &str) -> Vec<Attribution> {
    let mut out: Vec<Attribution> = Vec::new();
    for range in split_sentences(text) {
        let tokens = tokenize(&text[range]);
        for found in sentence_sources(&tokens) {
            merge(&mut out, found);
        }
    }
    out
}

/// Keep the first mention of a source; a later one may only fill in a role
/// or organisation the first lacked.
fn merge(out: &mut Vec<Attribution>, found: Attribution) {
    let key = found.name.to_lowercase();
    match out.iter_mut().find(|a| a.name.to_lowercase() == key) {
        Some(existing) => {
            if existing.role.is_none() {
                existing.role = found.role;
            }
            if existing.org.is_none() {
                existing.org = found.org;
            }
        }
        None => out.push(found),
    }
}

fn sentence_sources(tokens: &[Token<'_>]) -> Vec<Attribution> {
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let lower = tok.lower();
        if lower == "according"
            && tokens
                .get(i + 1)
                .is_some_and(|t| t.lower() == "to" && !tok.closes())
        {
            out.extend(according_to(&tokens[i + 2..]));
            continue;
        }
        // Only verbs written in lower case: "Says" opening a title is not speech.
        if !SPEECH_VERBS.contains(&tok.core) || !tok.lead.is_empty() {
            continue;
        }
        if let Some(found) = inverted(tokens, i).or_else(|| subject_of(tokens, i)) {
            out.push(found);
        }
    }
    out
}

const MAX_SOURCE_WORDS: usize = 7;

/// "…according to one South Korean think tank." → the phrase up to the
/// next punctuation or relative word.
fn according_to(rest: &[Token<'_>]) -> Option<Attribution> {
    let mut words = Vec::new();
    let mut closed = false;
    for t in rest.iter().take(MAX_SOURCE_WORDS) {
        if matches!(t.lower().as_str(), "that" | "which" | "who" | "whose") {
            break;
        }
        words.push(t.core);
        if t.closes() {
            closed = true;
            break;
        }
    }
    // A long run with no punctuation is prose, not a source.
    if !closed && words.len() == MAX_SOURCE_WORDS {
        return None;
    }
    let name = words.join(" ");
    let name = name.trim();
    (!name.is_empty()).then(|| Attribution {
        name: name.to_string(),
        role: None,
        org: None,
    })
}

/// `“…,” said Jennifer Jun, a satellite specialist.` — the verb right after
/// a closing quote, its subject after it.
fn inverted(tokens: &[Token<'_>], verb: usize) -> Option<Attribution> {
    let prev = tokens.get(verb.checked_sub(1)?)?;
    if !prev.trail.contains(['”', '"', '’']) || tokens[verb].closes() {
        return None;
    }
    let after = &tokens[verb + 1..];
    let mut end = 0;
    let det = after
        .first()
        .is_some_and(|t| DETERMINERS.contains(&t.lower().as_str()));
    while end < after.len() && end < 6 {
        let t = &after[end];
        if !(t.is_cap() || (det && !t.is_digit())) {
            break;
        }
        end += 1;
        if t.closes() {
            break;
        }
    }
    if end == 0 || (!det && !after[0].is_cap()) {
        return None;
    }
    let mut found = role::titled_name(&after[..end]);
    if after[end - 1].trail.starts_with(',') {
        if let Some(role) = role::appositive(&after[end..]) {
            let (role, org) = role::split_org(&role);
            found.role = role;
            found.org = org;
        }
    }
    Some(found)
}

/// The subject before a speech verb: an appositive form ("Name, role,
/// said") or a plain noun phrase ("US intelligence revealed").
fn subject_of(tokens: &[Token<'_>], verb: usize) -> Option<Attribution> {
    let mut i = verb;
    while i > 0 && SKIPPABLE.contains(&tokens[i - 1].lower().as_str()) && !tokens[i - 1].closes() {
        i -= 1;
    }
    let end = i;
    if end == 0 {
        return None;
    }
    let before = &tokens[end - 1];
    let before_lower = before.lower();
    if BE_FORMS.contains(&before_lower.as_str()) || PRONOUNS.contains(&before_lower.as_str()) {
        return None;
    }
    if before.trail.starts_with(',') {
        return appositive_subject(&tokens[..end]);
    }
    if before.closes() {
        return None;
    }
    plain_subject(&tokens[..end])
}

/// `Jennifer Jun, a satellite specialist at the …, said`: `tokens` ends with
/// the token carrying the appositive's closing comma.
fn appositive_subject(tokens: &[Token<'_>]) -> Option<Attribution> {
    let last = tokens.len() - 1;
    // The name ends at the previous comma-closed token.
    let name_end = (0..last).rev().find(|&k| tokens[k].closes())?;
    if !tokens[name_end].trail.starts_with(',') {
        return None;
    }
    let mut start = name_end + 1;
    while start > 0 {
        let t = &tokens[start - 1];
        if t.is_cap() && (start - 1 == name_end || !t.closes()) {
            start -= 1;
        } else {
            break;
        }
    }
    let names = strip_openers(&tokens[start..=name_end]);
    if names.is_empty() || names.len() > 5 {
        return None;
    }
    let role = role::appositive(&tokens[name_end + 1..=last])?;
    let (role, org) = role::split_org(&role);
    Some(Attribution {
        name: join(names),
        role,
        org,
    })
}

/// A noun phrase right before the verb, with no punctuation inside.
fn plain_subject(tokens: &[Token<'_>]) -> Option<Attribution> {
    let mut start = tokens.len();
    while start > 0 {
        let t = &tokens[start - 1];
        if start < tokens.len() && t.closes() {
            break;
        }
        let lower = t.lower();
        let joiner = NAME_JOINERS.contains(&lower.as_str())
            && start < tokens.len()
            && tokens[start].is_cap()
            && start >= 2
            && tokens[start - 2].is_cap()
            && !tokens[start - 2].closes();
        let content = !t.is_digit()
            && !PRONOUNS.contains(&lower.as_str())
            && !CLAUSE_OPENERS.contains(&lower.as_str())
            && !NAME_JOINERS.contains(&lower.as_str())
            && !DETERMINERS.contains(&lower.as_str())
            && !is_function_word(&lower);
        if content || joiner {
            start -= 1;
        } else {
            break;
        }
    }
    // Determiners may open the phrase: "the soldiers", "three senior officials".
    let content_start = start;
    while start > 0
        && DETERMINERS.contains(&tokens[start - 1].lower().as_str())
        && !tokens[start - 1].closes()
    {
        start -= 1;
    }
    let det = start < content_start;
    let words = &tokens[start..];
    let words = strip_openers(words);
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let has_cap = words
        .iter()
        .any(|t| t.is_cap() && !DETERMINERS.contains(&t.lower().as_str()));
    if !has_cap && !det {
        return None;
    }
    if words.len() < 2 && !has_cap {
        return None;
    }
    Some(role::titled_name(words))
}

/// Lowercase words that end a subject phrase when scanning backwards.
fn is_function_word(lower: &str) -> bool {
    matches!(
        lower,
        "to" | "with"
            | "from"
            | "by"
            | "at"
            | "as"
            | "than"
            | "after"
            | "before"
            | "while"
            | "when"
            | "where"
            | "because"
            | "but"
            | "or"
            | "nor"
            | "if"
            | "not"
            | "no"
            | "what"
            | "whom"
            | "whose"
            | "into"
            | "about"
            | "over"
            | "under"
            | "between"
            | "against"
            | "during"
            | "without"
            | "within"
            | "through"
            | "until"
            | "since"
            | "also"
            | "said"
            | "says"
            | "told"
            | "his"
            | "her"
            | "their"
            | "its"
            | "our"
            | "my"
            | "your"
    ) || SKIPPABLE.contains(&lower)
        || BE_FORMS.contains(&lower)
}

/// Drop sentence-initial words such as "But" or "In" from a capitalised run.
fn strip_openers<'t, 'a>(mut words: &'t [Token<'a>]) -> &'t [Token<'a>] {
    while let Some(first) = words.first() {
        if CLAUSE_OPENERS.contains(&first.lower().as_str()) {
            words = &words[1..];
        } else {
            break;
        }
    }
    words
}
