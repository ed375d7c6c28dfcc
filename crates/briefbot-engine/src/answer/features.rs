//! Cheap surface cues of what a sentence contains, matched against the kind
//! of answer a question asks for ("how many" wants a quantity).

/// The kind of answer a question asks for ("how many" wants a quantity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AnswerType {
    Any,
    Quantity,
    Person,
    Time,
    Place,
}

/// Words that state an amount ("eleven", "thousands", "percent").
pub(crate) const AMOUNT_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "trillion",
    "dozen",
    "dozens",
    "percent",
];
/// Words that stand for a number without stating one ("several", "twice"):
/// enough to show a sentence speaks of a quantity, never a short answer.
const LOOSE_AMOUNT_WORDS: &[&str] = &["half", "several", "few", "once", "twice"];

fn is_number_word(word: &str) -> bool {
    AMOUNT_WORDS.contains(&word) || LOOSE_AMOUNT_WORDS.contains(&word)
}
/// Month names: a date's word, for the answer-type cue and the short answer.
pub(crate) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Other words that place a sentence in time ("yesterday", "decade").
const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "century",
    "decade",
    "ago",
    "since",
    "until",
    "spring",
    "summer",
    "autumn",
    "winter",
    "week",
    "month",
    "year",
    "years",
    "months",
    "weeks",
    "era",
    "during",
];
const PLACE_PREPOSITIONS: &[&str] = &["in", "at", "to", "from", "near", "across", "into", "via"];

/// Is this word a number ("11", "000", "two", "dozens")?
pub(crate) fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit()) || is_number_word(word)
}

/// Does `sentence` hold the kind of thing `kind` asks for?
pub(crate) fn fits(kind: AnswerType, sentence: &str) -> bool {
    match kind {
        AnswerType::Any => false,
        AnswerType::Quantity => has_quantity(sentence),
        AnswerType::Time => has_time(sentence),
        AnswerType::Person => has_name(sentence, false),
        AnswerType::Place => has_name(sentence, true),
    }
}

fn words(sentence: &str) -> impl Iterator<Item = &str> {
    sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
}

fn has_quantity(s: &str) -> bool {
    s.contains(['$', '£', '€', '%'])
        || words(s).any(|w| {
            w.chars().any(|c| c.is_ascii_digit()) && !is_year(w)
                || is_number_word(&w.to_lowercase())
        })
}

pub(crate) fn is_year(w: &str) -> bool {
    w.len() == 4
        && w.chars().all(|c| c.is_ascii_digit())
        && matches!(
            &w[..2],
            "10" | "11" | "12" | "13" | "14" | "15" | "16" | "17" | "18" | "19" | "20"
        )
}

fn has_time(s: &str) -> bool {
    words(s).any(|w| {
        is_year(w) || w.ends_with("s") && w.len() == 5 && is_year(&w[..4]) || {
            let w = w.to_lowercase();
            MONTHS.contains(&w.as_str()) || TIME_WORDS.contains(&w.as_str())
        }
    })
}

/// A capitalised word that does not open the sentence: a name. For places,
/// it must follow a preposition of place.
fn has_name(s: &str, place: bool) -> bool {
    let ws: Vec<&str> = words(s).collect();
    ws.iter().enumerate().skip(1).any(|(i, w)| {
        let capital = w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().skip(1).any(char::is_lowercase);
        capital && (!place || PLACE_PREPOSITIONS.contains(&ws[i - 1].to_lowercase().as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_dates_and_names_are_recognised() {
        assert!(fits(
            AnswerType::Quantity,
            "Kim has sent at least 11,000 soldiers."
        ));
        assert!(fits(AnswerType::Quantity, "More than $20 billion."));
        assert!(!fits(
            AnswerType::Quantity,
            "Kim travelled to Russia in 2023."
        ));
        assert!(fits(AnswerType::Time, "Kim travelled to Russia in 2023."));
        assert!(fits(AnswerType::Time, "Putin visited last June."));
        assert!(!fits(AnswerType::Time, "The war continues."));
        assert!(fits(AnswerType::Person, "Analyst Pasi Paroinen said so."));
        assert!(!fits(AnswerType::Person, "The war continues."));
        assert!(fits(
            AnswerType::Place,
            "The game was played at Levi's Stadium."
        ));
        assert!(!fits(AnswerType::Any, "Anything at all 12."));
    }
}
