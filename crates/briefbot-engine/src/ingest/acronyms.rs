//! Acronyms learned from the briefs themselves, so "WHO" finds a brief that
//! spells out "the World Health Organization".
//!
//! Two sources: explicit definitions ("World Health Organization (WHO)",
//! "WHO (World Health Organization)"), and implied ones — a capitalised
//! multi-word name yields its initials even when the text never writes them.
//! Implied acronyms need three significant words, or two after "the" ("the
//! European Union"): person names ("Donald Trump") never take "the", and
//! their initials would only add noise to the index.

use super::tokens::{initials, tokenize, Token, CLAUSE_OPENERS, SKIPPED};
use crate::ingest::text::split_sentences;

/// An acronym and the phrase it stands for, as found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Acronym {
    /// Upper-case initials: "CSIS".
    pub short: String,
    /// The phrase as written: "Center for Strategic and International Studies".
    pub long: String,
}

/// Small words that may continue an implied name. "in", "at" and "to" are
/// left out: "Sky Deutschland in November" is a name and a date, not one name.
const RUN_JOINERS: &[&str] = &["of", "for", "and", "the", "on", "de"];

/// Acronyms that a text defines or implies.
pub(crate) fn learn(text: &str) -> Vec<Acronym> {
    let mut out: Vec<Acronym> = Vec::new();
    let mut push = |a: Acronym| {
        if !out.iter().any(|o| o.short == a.short && o.long == a.long) {
            out.push(a);
        }
    };
    for range in split_sentences(text) {
        let tokens = tokenize(&text[range]);
        explicit(&tokens).into_iter().for_each(&mut push);
        implied(&tokens).into_iter().for_each(&mut push);
    }
    out
}

/// Initials of every word, small ones included: "Department of Defense" →
/// "DOD", for acronyms such as "DoD".
fn all_initials(words: &[&str]) -> String {
    words
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// "WHO", "NATO", "DoD": mostly capitals, 2 to 10 characters.
fn looks_like_acronym(word: &str) -> bool {
    let len = word.chars().count();
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    (2..=10).contains(&len)
        && upper >= 2
        && upper * 2 >= len
        && word.chars().all(|c| c.is_alphanumeric() || c == '&')
}

fn matches(short: &str, words: &[&str]) -> bool {
    let phrase = words.join(" ");
    let upper = short.to_uppercase();
    initials(&phrase).is_some_and(|i| i == upper) || all_initials(words) == upper
}

fn explicit(tokens: &[Token<'_>]) -> Vec<Acronym> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        // "… World Health Organization (WHO)".
        if t.lead.starts_with('(') && t.trail.starts_with(')') && looks_like_acronym(t.core) {
            let start = i.saturating_sub(12);
            let mut before: Vec<&Token<'_>> = Vec::new();
            for p in tokens[start..i].iter().rev() {
                if p.closes() && !before.is_empty() {
                    break;
                }
                before.insert(0, p);
            }
            for n in 2..=before.len() {
                let words: Vec<&str> = before[before.len() - n..].iter().map(|t| t.core).collect();
                if words[0].chars().next().is_some_and(char::is_uppercase)
                    && matches(t.core, &words)
                {
                    out.push(Acronym {
                        short: t.core.to_uppercase(),
                        long: words.join(" "),
                    });
                    break;
                }
            }
        }
        // "WHO (World Health Organization) …".
        let opens_bracket = tokens.get(i + 1).is_some_and(|n| n.lead.starts_with('('));
        if looks_like_acronym(t.core) && t.trail.is_empty() && opens_bracket {
            let end = tokens[i + 1..]
                .iter()
                .take(12)
                .position(|n| n.trail.starts_with(')'))
                .map(|k| i + 1 + k);
            if let Some(end) = end {
                let words: Vec<&str> = tokens[i + 1..=end].iter().map(|t| t.core).collect();
                if matches(t.core, &words) {
                    out.push(Acronym {
                        short: t.core.to_uppercase(),
                        long: words.join(" "),
                    });
                }
            }
        }
    }
    out
}

fn implied(tokens: &[Token<'_>]) -> Vec<Acronym> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_name_word(&tokens[i]) {
            i += 1;
            continue;
        }
        // A run of capitalised words, small words allowed inside, broken by
        // punctuation and ended by a possessive ("South Korea’s").
        let mut j = i;
        let mut last_cap = i;
        while j < tokens.len() {
            let t = &tokens[j];
            let inner = j > i && RUN_JOINERS.contains(&t.core) && t.lead.is_empty();
            if !(is_name_word(t) || inner) || (j > i && !t.lead.is_empty()) {
                break;
            }
            // "Marco Rubio and Jennifer Jun" is two names; "Center for
            // Strategic and International Studies" and "Food and Drug
            // Administration" are one.
            let plain_left = tokens[i..j].iter().all(|w| !SKIPPED.contains(&w.core));
            if t.core == "and" && j - i >= 2 && plain_left {
                break;
            }
            if is_name_word(t) {
                last_cap = j;
            }
            if t.closes() || is_possessive(t.core) {
                break;
            }
            j += 1;
        }
        let mut start = i;
        let mut after_the = start > 0 && tokens[start - 1].core == "the";
        while start < last_cap {
            let lower = tokens[start].core.to_lowercase();
            if lower == "the" || lower == "a" || lower == "an" {
                after_the = lower == "the";
            } else if !CLAUSE_OPENERS.contains(&lower.as_str())
                && !(start == 0 && (lower.ends_with("ly") || lower.ends_with("ing")))
            {
                // A sentence's first word is capitalised whatever it is:
                // "Eventually the Home Army", "During the Second World War".
                break;
            }
            start += 1;
        }
        let words: Vec<&str> = tokens[start..=last_cap]
            .iter()
            .map(|t| strip_possessive(t.core))
            .collect();
        let phrase = words.join(" ");
        if let Some(short) = initials(&phrase) {
            let significant = short.chars().count();
            if significant >= 3 || (significant == 2 && after_the) {
                out.push(Acronym {
                    short,
                    long: phrase,
                });
            }
        }
        i = last_cap + 1;
    }
    out
}

fn is_name_word(t: &Token<'_>) -> bool {
    t.core.chars().next().is_some_and(char::is_uppercase)
        && !looks_like_acronym(t.core)
        && !t.lead.starts_with('(')
}

fn is_possessive(w: &str) -> bool {
    w.ends_with("’s") || w.ends_with("'s")
}

fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("’s")
        .or_else(|| w.strip_suffix("'s"))
        .unwrap_or(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        learn(text).into_iter().map(|a| (a.short, a.long)).collect()
    }

    fn has(text: &str, short: &str, long: &str) -> bool {
        learn(text)
            .iter()
            .any(|a| a.short == short && a.long == long)
    }

    #[test]
    fn initials_skip_small_words_and_need_two_capitalised_words() {
        assert_eq!(
            initials("Center for Strategic and International Studies").as_deref(),
            Some("CSIS")
        );
        assert_eq!(initials("Bank of England").as_deref(), Some("BE"));
        assert_eq!(initials("England"), None);
        assert_eq!(initials("World health Organization"), None);
    }

    #[test]
    fn explicit_definitions_in_both_orders() {
        let text = "Officials at the World Health Organization (WHO) met. NATO (North Atlantic Treaty Organization) agreed.";
        assert!(has(text, "WHO", "World Health Organization"));
        assert!(has(text, "NATO", "North Atlantic Treaty Organization"));
    }

    #[test]
    fn explicit_definitions_may_count_small_words() {
        assert!(has(
            "The Department of Defense (DoD) said so.",
            "DOD",
            "Department of Defense"
        ));
    }

    #[test]
    fn mismatched_parentheses_are_not_definitions() {
        let learned = pairs("He joined the army (USA) in 1990 and left.");
        assert!(learned.iter().all(|(s, _)| s != "USA"), "{learned:?}");
    }

    #[test]
    fn implied_acronyms_from_long_names() {
        let text = "Jennifer Jun, a satellite specialist at the Center for Strategic and International Studies, said so. South Korea’s National Intelligence Service agreed.";
        assert!(has(
            text,
            "CSIS",
            "Center for Strategic and International Studies"
        ));
        assert!(has(text, "NIS", "National Intelligence Service"));
    }

    #[test]
    fn two_word_names_count_only_after_the() {
        assert!(has(
            "Talks with the European Union stalled.",
            "EU",
            "European Union"
        ));
        let learned = pairs("Donald Trump met Marco Rubio and Jennifer Jun.");
        assert!(learned.is_empty(), "{learned:?}");
    }

    #[test]
    fn sentence_openers_and_single_words_are_not_names() {
        let learned =
            pairs("In January the talks ended. The Broncos won. Famous musicians include Chopin.");
        assert!(learned.is_empty(), "{learned:?}");
        assert!(has(
            "In The World Health Organization report, nothing.",
            "WHO",
            "World Health Organization"
        ));
    }

    #[test]
    fn dates_and_sentence_adverbs_do_not_join_names() {
        assert!(has(
            "During the Second World War, Sky Deutschland in November grew.",
            "SWW",
            "Second World War"
        ));
        let learned = pairs("Eventually the Home Army won. Sky Deutschland in November grew.");
        assert!(
            learned.iter().all(|(s, _)| s != "EHA" && s != "SDN"),
            "{learned:?}"
        );
    }

    #[test]
    fn duplicates_are_dropped() {
        let text =
            "The World Health Organization (WHO) acted. The World Health Organization spoke.";
        let who: Vec<_> = learn(text)
            .into_iter()
            .filter(|a| a.short == "WHO")
            .collect();
        assert_eq!(who.len(), 1);
    }

    #[test]
    fn the_shipped_brief_teaches_csis_and_nis() {
        let brief = include_str!("../../../../briefs/north-korea-war-in-europe.md");
        let learned = learn(brief);
        let shorts: Vec<&str> = learned.iter().map(|a| a.short.as_str()).collect();
        assert!(shorts.contains(&"CSIS"), "{learned:?}");
        assert!(shorts.contains(&"NIS"), "{learned:?}");
        assert!(!shorts.contains(&"DT"), "{learned:?}");
    }
}
