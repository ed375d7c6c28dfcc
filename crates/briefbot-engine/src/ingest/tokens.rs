//! Words of a sentence with their punctuation peeled off, shared by the
//! passes that read names out of text (attribution, acronyms). Living apart
//! from both keeps either from reaching into the other.

/// One word of a sentence with its punctuation separated.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    /// The word without surrounding punctuation: "Tortoise" from "Tortoise,".
    pub core: &'a str,
    /// Punctuation after the word ("," "." "”,").
    pub trail: &'a str,
    /// Punctuation before the word ("“", "(").
    pub lead: &'a str,
}

impl Token<'_> {
    pub(crate) fn lower(&self) -> String {
        self.core.to_lowercase()
    }
    pub(crate) fn is_cap(&self) -> bool {
        self.core.chars().next().is_some_and(char::is_uppercase)
    }
    pub(crate) fn is_digit(&self) -> bool {
        self.core.chars().next().is_some_and(|c| c.is_ascii_digit())
    }
    /// Punctuation after the word ends a phrase (a comma, a stop, a quote).
    pub(crate) fn closes(&self) -> bool {
        !self.trail.is_empty()
    }
}

pub(crate) fn tokenize(sentence: &str) -> Vec<Token<'_>> {
    sentence
        .split_whitespace()
        .filter_map(|raw| {
            let keep = |c: char| c.is_alphanumeric();
            let start = raw.find(keep)?;
            let end = raw
                .rfind(keep)
                .map(|i| i + raw[i..].chars().next().map_or(1, char::len_utf8))?;
            Some(Token {
                core: &raw[start..end],
                trail: &raw[end..],
                lead: &raw[..start],
            })
        })
        .collect()
}

pub(crate) fn join(tokens: &[Token<'_>]) -> String {
    tokens.iter().map(|t| t.core).collect::<Vec<_>>().join(" ")
}

/// Small words inside names that do not contribute an initial.
pub(crate) const SKIPPED: &[&str] = &[
    "of", "for", "and", "the", "on", "in", "at", "to", "a", "an", "de",
];

/// The initials of a capitalised name, skipping small inner words:
/// "Center for Strategic and International Studies" → "CSIS". None unless
/// at least two significant words, all capitalised.
pub(crate) fn initials(phrase: &str) -> Option<String> {
    let mut out = String::new();
    let mut count = 0;
    for word in phrase.split_whitespace() {
        if SKIPPED.contains(&word) {
            continue;
        }
        let first = word.chars().next()?;
        if !first.is_uppercase() {
            return None;
        }
        out.extend(first.to_uppercase());
        count += 1;
    }
    (count >= 2).then_some(out)
}

/// Capitalised words that open a sentence or clause but never a source:
/// "But John Foreman…", "In January, …".
pub(crate) const CLAUSE_OPENERS: &[&str] = &[
    "but",
    "and",
    "so",
    "yet",
    "or",
    "however",
    "meanwhile",
    "then",
    "now",
    "still",
    "in",
    "on",
    "at",
    "for",
    "from",
    "with",
    "by",
    "after",
    "before",
    "when",
    "while",
    "as",
    "if",
    "although",
    "though",
    "since",
    "because",
    "also",
    "last",
    "this",
    "that",
    "instead",
    "indeed",
    "later",
    "earlier",
    "today",
    "yesterday",
];
