//! Lead-in headings: news briefs often open a paragraph with a short phrase
//! that names its topic ("So what?", "Not mercenaries.", "Further listening:").
//! They are useful as topics and misleading as answers, so they are kept apart
//! from the paragraph's sentences.
//!
//! The test is structural, never a list of phrases: a short opening unit that
//! ends in `?`, `…`, `.`, `!` or `:` and is followed by a new sentence. Units
//! ending in `.`, `!` or `:` must also not read like a clause ("It was built.")
//! — lead-ins are verbless fragments, while ordinary prose opens with a subject
//! and a finite verb.

use crate::ingest::text::split_sentences;

/// A lead-in longer than this is treated as an ordinary first sentence.
const MAX_WORDS: usize = 6;
const MAX_CHARS: usize = 45;

/// A detected lead-in heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lead {
    /// The heading without Markdown emphasis: "So what?".
    pub heading: String,
    /// Byte offset in the paragraph where the text after the heading starts.
    pub body_start: usize,
}

/// The lead-in heading `paragraph` opens with, if any.
pub(crate) fn detect(paragraph: &str) -> Option<Lead> {
    bold_lead(paragraph).or_else(|| plain_lead(paragraph))
}

/// `**So what?** The war…`: emphasis is an explicit marker, so only length
/// and the presence of following text are checked.
fn bold_lead(text: &str) -> Option<Lead> {
    let marker = ["**", "__"].into_iter().find(|m| text.starts_with(m))?;
    let close = text[2..].find(marker)? + 2;
    let mut heading = text[2..close].trim().to_string();
    let mut body_start = close + 2;
    // `**So what**? The war…` keeps its punctuation in the heading.
    if let Some(p) = text[body_start..]
        .chars()
        .next()
        .filter(|c| matches!(*c, '?' | '.' | '!' | ':' | '…'))
    {
        heading.push(p);
        body_start += p.len_utf8();
    }
    let rest = &text[body_start..];
    let words = heading.split_whitespace().count();
    if heading.is_empty() || words > MAX_WORDS * 2 || rest.trim().is_empty() {
        return None;
    }
    // Emphasis on the first words of a sentence ("**Three** ships sank") is
    // not a lead-in: it needs its own punctuation or a new sentence after it.
    let punctuated = heading.ends_with(['?', '.', '!', ':', '…']);
    if !punctuated && !starts_sentence(rest.trim_start()) {
        return None;
    }
    body_start += rest.len() - rest.trim_start().len();
    Some(Lead {
        heading,
        body_start,
    })
}

fn plain_lead(text: &str) -> Option<Lead> {
    let first_sentence_end = split_sentences(text).first()?.end;
    let colon_end = text
        .find(':')
        .filter(|&i| text[i + 1..].starts_with(char::is_whitespace))
        .map(|i| i + 1);
    let end = match colon_end {
        Some(c) if c < first_sentence_end => c,
        _ => first_sentence_end,
    };
    let lead = text[..end].trim();
    let rest = &text[end..];
    let next = rest.trim_start();
    if next.is_empty() || !starts_sentence(next) {
        return None;
    }
    if lead.chars().count() > MAX_CHARS || lead.split_whitespace().count() > MAX_WORDS {
        return None;
    }
    if lead.contains(['(', ')', '[', ']', '"', '“', '”', '«', '»', '*']) {
        return None;
    }
    let closing = lead.trim_end_matches(['\'', '’']);
    let is_question_or_trail = closing.ends_with(['?', '…']) || closing.ends_with("...");
    if !is_question_or_trail && reads_like_clause(closing) {
        return None;
    }
    Some(Lead {
        heading: lead.to_string(),
        body_start: end + (rest.len() - next.len()),
    })
}

/// After a lead-in the text opens with a capital or digit, perhaps behind a
/// quote or a currency sign ("What’s in it for Kim? $20 billion").
fn starts_sentence(next: &str) -> bool {
    crate::ingest::text::starts_sentence_after(next, &['"', '“', '‘', '\'', '$', '£', '€'])
}

/// Words that make a unit a clause rather than a fragment: finite auxiliaries
/// and modals, and the pronouns that open clauses.
const FINITE: &[&str] = &[
    "is", "are", "was", "were", "am", "has", "have", "had", "do", "does", "did", "will", "would",
    "can", "could", "may", "might", "shall", "should", "must",
];
const SUBJECT_PRONOUNS: &[&str] = &[
    "i", "he", "she", "it", "we", "they", "you", "there", "this", "these", "those",
];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "his", "her", "its", "their", "our", "my", "your",
];

/// Whether a short unit has a subject and finite verb ("It was built.",
/// "Tesla died.", "The war continues.").
fn reads_like_clause(lead: &str) -> bool {
    let words: Vec<String> = lead
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '’' && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let Some(first) = words.first() else {
        return false;
    };
    for (i, w) in words.iter().enumerate() {
        let base = w.split(['’', '\'']).next().unwrap_or(w.as_str());
        let contracted = base.len() < w.len();
        if FINITE.contains(&base) || w.ends_with("n’t") || w.ends_with("n't") {
            return true;
        }
        if SUBJECT_PRONOUNS.contains(&base) && (i == 0 || contracted) {
            return true;
        }
        // Regular past tense after the first word: "Tesla died", "Talks stalled".
        if i > 0 && w.len() >= 4 && w.ends_with("ed") {
            return true;
        }
    }
    // "The war continues.": a determiner-led noun then a present-tense verb.
    let last = &words[words.len() - 1];
    DETERMINERS.contains(&first.as_str())
        && words.len() >= 3
        && last.ends_with('s')
        && !last.ends_with("ss")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(text: &str) -> Option<String> {
        detect(text).map(|l| l.heading)
    }

    #[test]
    fn questions_and_trailing_ellipses_are_headings() {
        assert_eq!(
            heading("So what? The war continues.").as_deref(),
            Some("So what?")
        );
        assert_eq!(
            heading("What’s more… So might Ukraine.").as_deref(),
            Some("What’s more…")
        );
        assert_eq!(
            heading("Why now... Because.").as_deref(),
            Some("Why now...")
        );
    }

    #[test]
    fn verbless_fragments_are_headings() {
        for lead in [
            "Not mercenaries.",
            "Seeing a friend.",
            "Quid pro no.",
            "Munitions, munitions, munitions.",
        ] {
            let text = format!("{lead} Military service is mandatory.");
            assert_eq!(heading(&text).as_deref(), Some(lead));
        }
        assert_eq!(
            heading("Further listening: North Korea’s war in Europe").as_deref(),
            Some("Further listening:")
        );
    }

    #[test]
    fn body_start_points_after_the_heading() {
        let text = "So what?   The war continues.";
        let lead = detect(text).unwrap();
        assert_eq!(&text[lead.body_start..], "The war continues.");
    }

    #[test]
    fn short_clauses_are_not_headings() {
        for text in [
            "It was built. The tower stands in Paris.",
            "Tesla died. He was 86.",
            "The war continues. Talks stall.",
            "They won. The final score was 24–10.",
            "It’s over. Everyone went home.",
            "Prices haven’t moved. Markets waited.",
        ] {
            assert_eq!(heading(text), None, "{text}");
        }
    }

    #[test]
    fn long_or_single_sentences_are_not_headings() {
        assert_eq!(
            heading("The soldiers also said they had been told to kill themselves rather than be taken alive."),
            None
        );
        assert_eq!(
            heading("More importantly, the operation in Kursk will inform future military training. For a closed-off country, that is invaluable."),
            None
        );
        assert_eq!(heading("So what?"), None);
        assert_eq!(heading("So what? and then lower case"), None);
    }

    #[test]
    fn colons_inside_brackets_or_times_are_not_headings() {
        assert_eq!(
            heading("The Normans (Norman: Nourmands; French: Normands) were a people."),
            None
        );
        assert_eq!(
            heading("At 10:30 the talks began in Geneva today. They ended."),
            None
        );
    }

    #[test]
    fn markdown_bold_lead_ins_are_unwrapped() {
        let text = "**So what?** The war continues.";
        let lead = detect(text).unwrap();
        assert_eq!(lead.heading, "So what?");
        assert_eq!(&text[lead.body_start..], "The war continues.");
        let text = "**Background**: Talks began in May.";
        assert_eq!(heading(text).as_deref(), Some("Background:"));
        assert_eq!(heading("**bold** only"), None);
        assert_eq!(heading("**unclosed bold. Text"), None);
    }
}
