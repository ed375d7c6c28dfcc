//! Sentence splitting for English news prose.
//!
//! The engine marks a passage's key sentence, so a split in the wrong place
//! (after "Mr.", inside "3.5", before a closing quote) shows up to users as a
//! half-sentence. The rules are deliberately conservative: a full stop ends a
//! sentence only when the next word starts like a sentence does.

use std::ops::Range;

/// Abbreviations after which a full stop never ends a sentence: titles and
/// Latin forms that are always followed by more of the same sentence.
const NEVER_FINAL: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "col", "lt", "sgt", "capt", "cpt", "maj",
    "prof", "ca", "circa", "gov", "sen", "rep", "rev", "hon", "pres", "adm", "cmdr", "vs", "e.g",
    "i.e", "cf", "approx", "fig", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec",
];

/// Abbreviations that may also close a sentence: they end one only when the
/// next word is capitalised ("…and pears etc. The next day").
const SOMETIMES_FINAL: &[&str] = &["etc", "inc", "ltd", "co", "corp", "plc", "llc", "bros"];

/// Byte ranges of the sentences in `text`, trimmed of surrounding whitespace.
pub(crate) fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if !is_terminator(c) {
            i += c.len_utf8();
            continue;
        }
        // A run of terminators ("?!", "...", "…") then closing quotes/brackets.
        let run_start = i;
        let mut end = i;
        for ch in text[i..].chars() {
            if is_terminator(ch) {
                end += ch.len_utf8();
            } else {
                break;
            }
        }
        let run = &text[run_start..end];
        for ch in text[end..].chars() {
            if is_closer(ch) {
                end += ch.len_utf8();
            } else {
                break;
            }
        }
        let after = &text[end..];
        let next_word = after.trim_start();
        let at_end = next_word.is_empty();
        let spaced = after.starts_with(char::is_whitespace);
        if at_end || (spaced && ends_sentence(text, run_start, run, next_word)) {
            push_trimmed(text, start..end, &mut out);
            start = end;
        }
        i = end.max(run_start + 1);
        while !text.is_char_boundary(i) {
            i += 1;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

/// Characters that may open a sentence before its first word.
const OPENERS: &[char] = &['"', '“', '‘', '\'', '(', '[', '«'];

/// Whether the next word looks like the start of a sentence.
fn starts_sentence(next: &str) -> bool {
    starts_sentence_after(next, OPENERS)
}

/// Whether `next` starts with a capital or a digit, perhaps behind one of
/// `openers` (quotes, brackets, currency signs: callers differ).
pub(crate) fn starts_sentence_after(next: &str, openers: &[char]) -> bool {
    let mut chars = next.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() || c.is_ascii_digit() => true,
        Some(c) if openers.contains(&c) => chars
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
        _ => false,
    }
}

/// Decide whether the terminator run at `run_start` closes a sentence, given
/// the text that follows it.
fn ends_sentence(text: &str, run_start: usize, run: &str, next: &str) -> bool {
    if !starts_sentence(next) {
        return false;
    }
    if run != "." {
        // "?", "!", "…", "...", "?!": the next word is capitalised, so it ends.
        return true;
    }
    let word = word_before(text, run_start);
    let lower = word.to_lowercase();
    if NEVER_FINAL.contains(&lower.as_str()) {
        return false;
    }
    // "No. 10", but "…said no. Then…".
    if lower == "no" && next.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if SOMETIMES_FINAL.contains(&lower.as_str()) {
        return true;
    }
    // A single letter is an initial ("J. R. R. Tolkien") or an abbreviation
    // ("c. 1,300,000"); a dotted form such as "U.S" or "a.m" is one too.
    let after_apostrophe = text[..run_start - word.len()].ends_with(['\'', '’']);
    if word.chars().count() == 1 && word.chars().all(char::is_alphabetic) && !after_apostrophe {
        return false;
    }
    if word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2) {
        return false;
    }
    true
}

/// The word that ends just before byte `at` (letters, digits and inner dots).
fn word_before(text: &str, at: usize) -> &str {
    let head = &text[..at];
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    &head[start..]
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    if !t.is_empty() {
        out.push(r.start + lead..r.start + lead + t.len());
    }
}

/// Words that cannot close a sentence: articles, conjunctions, the
/// prepositions that need an object, subject pronouns and possessives.
const NEVER_LAST: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "from", "with", "into", "onto", "than",
    "that", "which", "whose", "whether", "because", "although", "though", "they", "we", "he",
    "she", "i", "their", "our", "its", "my", "your", "his",
];

/// Whether a line or paragraph stops in the middle of a sentence: it ends
/// with a comma or a word that cannot close one ("…revealed that they").
/// Text pasted from a web page loses its line structure this way; the next
/// line carries on the same sentence and belongs in the same passage.
pub(crate) fn breaks_off(text: &str) -> bool {
    let text = text.trim_end();
    if text.ends_with([',', ';']) {
        return true;
    }
    let last = text
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    NEVER_LAST.contains(&last.to_lowercase().as_str())
}

/// The sentences of `text` as string slices, for tests.
#[cfg(test)]
pub(crate) fn sentence_texts(text: &str) -> Vec<&str> {
    split_sentences(text)
        .into_iter()
        .map(|r| &text[r])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentence_texts(text)
    }

    #[test]
    fn text_breaks_off_only_mid_sentence() {
        for cut in [
            "the soldiers revealed that they",
            "Kim, Putin,",
            "sold to the",
        ] {
            assert!(breaks_off(cut), "{cut}");
        }
        for whole in [
            "Further listening: North Korea’s war in Europe",
            "They said so.",
            "Key points",
            "What are they?",
            "",
            "11,000 soldiers deployed",
        ] {
            assert!(!breaks_off(whole), "{whole}");
        }
    }

    #[test]
    fn splits_plain_sentences_and_trims() {
        assert_eq!(
            split("  The war continues.  Not just here!   Why? "),
            vec!["The war continues.", "Not just here!", "Why?"]
        );
    }

    #[test]
    fn empty_and_blank_text_has_no_sentences() {
        assert!(split("").is_empty());
        assert!(split(" \n\t ").is_empty());
    }

    #[test]
    fn text_without_terminator_is_one_sentence() {
        assert_eq!(
            split("Further listening: North Korea’s war"),
            vec!["Further listening: North Korea’s war"]
        );
    }

    #[test]
    fn titles_and_latin_abbreviations_do_not_split() {
        assert_eq!(
            split("Mr. Smith met Mrs. Jones and Dr. Who at St. Paul's. They talked."),
            vec![
                "Mr. Smith met Mrs. Jones and Dr. Who at St. Paul's.",
                "They talked."
            ]
        );
        assert_eq!(
            split("Some states, e.g. Texas, i.e. big ones, vs. Ohio. Next."),
            vec!["Some states, e.g. Texas, i.e. big ones, vs. Ohio.", "Next."]
        );
        assert_eq!(
            split("Gen. Lee, Col. Mustard, Lt. Dan, Sgt. Pepper and Prof. Plum came."),
            vec!["Gen. Lee, Col. Mustard, Lt. Dan, Sgt. Pepper and Prof. Plum came."]
        );
    }

    #[test]
    fn dotted_abbreviations_do_not_split() {
        assert_eq!(
            split("The U.S. and the U.K. agreed on Jan. 5 and Feb. 9. It held."),
            vec![
                "The U.S. and the U.K. agreed on Jan. 5 and Feb. 9.",
                "It held."
            ]
        );
    }

    #[test]
    fn number_abbreviation_splits_only_before_non_digits() {
        assert_eq!(
            split("He lives at No. 10 Downing Street. She said no. Then left."),
            vec![
                "He lives at No. 10 Downing Street.",
                "She said no.",
                "Then left."
            ]
        );
    }

    #[test]
    fn company_suffixes_may_end_a_sentence() {
        assert_eq!(
            split("He joined Acme Inc. The firm grew, etc. and so on. Ltd. firms too."),
            vec![
                "He joined Acme Inc.",
                "The firm grew, etc. and so on.",
                "Ltd. firms too."
            ]
        );
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            split("J. R. R. Tolkien wrote it. George W. Bush read it."),
            vec!["J. R. R. Tolkien wrote it.", "George W. Bush read it."]
        );
    }

    #[test]
    fn circa_before_a_number_does_not_split() {
        assert_eq!(
            split("In 1939, c. 1,300,000 people lived there, ca. 1 in 5. Then fewer."),
            vec![
                "In 1939, c. 1,300,000 people lived there, ca. 1 in 5.",
                "Then fewer."
            ]
        );
    }

    #[test]
    fn decimals_and_grouped_numbers_do_not_split() {
        assert_eq!(
            split("Growth was 3.5 per cent, or 1,000.5 units. Prices rose 2.1%."),
            vec![
                "Growth was 3.5 per cent, or 1,000.5 units.",
                "Prices rose 2.1%."
            ]
        );
    }

    #[test]
    fn ellipsis_ends_a_sentence_only_before_a_capital() {
        assert_eq!(
            split("What’s more… So might Ukraine. Wait... then go... Now."),
            vec![
                "What’s more…",
                "So might Ukraine.",
                "Wait... then go...",
                "Now."
            ]
        );
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_their_sentence() {
        assert_eq!(
            split("He said it was “cannon fodder.” Then he left. (It rained.) \"Why?\" she asked. 'No.' Done."),
            vec![
                "He said it was “cannon fodder.”",
                "Then he left.",
                "(It rained.)",
                "\"Why?\" she asked.",
                "'No.'",
                "Done."
            ]
        );
    }

    #[test]
    fn question_inside_a_sentence_does_not_split_before_lowercase() {
        assert_eq!(
            split("“Why?” he asked. Fine."),
            vec!["“Why?” he asked.", "Fine."]
        );
    }

    #[test]
    fn newlines_and_runs_of_spaces_separate_sentences() {
        let text = "First one.\n\nSecond   one.\r\nThird.";
        assert_eq!(split(text), vec!["First one.", "Second   one.", "Third."]);
    }

    #[test]
    fn sentence_starting_with_digit_or_quote_splits() {
        assert_eq!(
            split("It ended. 2022 was hard. “Yes,” he said."),
            vec!["It ended.", "2022 was hard.", "“Yes,” he said."]
        );
    }

    #[test]
    fn ranges_are_valid_for_multibyte_text() {
        let text = "Café au lait… Über alles! Ça va? Né.";
        for r in split_sentences(text) {
            assert!(text.get(r.clone()).is_some(), "{r:?}");
        }
        assert_eq!(split(text).len(), 4);
    }
}
