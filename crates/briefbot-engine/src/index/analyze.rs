//! Text analysis shared by indexing and querying, so the words the reranker
//! compares are exactly the words Tantivy indexed: split on non-alphanumerics,
//! lowercase, fold accents to ASCII ("café" → "cafe"), and for the stemmed
//! form apply the English Snowball stemmer ("soldiers" → "soldier").

use std::ops::Range;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// Name under which the stemmed analyzer is registered with Tantivy.
pub(crate) const STEM_ANALYZER: &str = "bb_stem";
/// Name of the unstemmed (folded, lowercased) analyzer.
pub(crate) const EXACT_ANALYZER: &str = "bb_exact";

/// Words longer than this are noise (URLs, hashes) and are dropped.
const MAX_TOKEN_LEN: usize = 40;

pub(crate) fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(tantivy::tokenizer::Stemmer::new(Language::English))
        .build()
}

pub(crate) fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// One word of a text: its folded form, its stem, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub exact: String,
    pub stem: String,
    pub span: Range<usize>,
}

/// Reusable analyzer state; one per thread (Tantivy analyzers need `&mut`).
pub(crate) struct Analyzer {
    exact: TextAnalyzer,
    stemmer: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            exact: exact_analyzer(),
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

impl Analyzer {
    pub(crate) fn words(&mut self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut stream = self.exact.token_stream(text);
        while let Some(tok) = stream.next() {
            let stem = self.stemmer.stem(&tok.text).into_owned();
            out.push(Word {
                exact: tok.text.clone(),
                stem,
                span: tok.offset_from..tok.offset_to,
            });
        }
        out
    }

    pub(crate) fn stem(&self, exact: &str) -> String {
        self.stemmer.stem(exact).into_owned()
    }

    /// Byte spans of the words of `text` whose stem passes `keep`: the words
    /// [`Analyzer::words`] gives, found without building them all.
    /// Highlighting runs on every answer and most words never match, so ASCII
    /// words whose first letter is not in `initials` are skipped unstemmed.
    pub(crate) fn matching_spans(
        &mut self,
        text: &str,
        initials: &[char],
        keep: impl Fn(&str) -> bool,
    ) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut lower = String::new();
        let mut start = None;
        let ends = text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')));
        for (i, c) in ends {
            if c.is_alphanumeric() {
                start.get_or_insert(i);
                continue;
            }
            let Some(s) = start.take() else { continue };
            let word = &text[s..i];
            if !word.is_ascii() {
                // Accents and other scripts: the full analyzer folds them.
                for w in self.words(word) {
                    if keep(&w.stem) {
                        out.push(s + w.span.start..s + w.span.end);
                    }
                }
                continue;
            }
            let first = char::from(word.as_bytes()[0].to_ascii_lowercase());
            if !initials.contains(&first) {
                continue;
            }
            lower.clear();
            lower.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            if keep(&self.stemmer.stem(&lower)) {
                out.push(s..i);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_spans_finds_exactly_the_words_the_analyzer_finds() {
        let text = include_str!("../../../../briefs/north-korea-war-in-europe.md");
        let text = format!(
            "{text} Café crème, naïve CAFÉ, 11,000 x{} end",
            "y".repeat(50)
        );
        let mut a = Analyzer::default();
        let all: Vec<char> = ('a'..='z').chain('0'..='9').collect();
        for keep in [
            |s: &str| s.len() % 2 == 0,
            |s: &str| s.starts_with('s') || s.starts_with('c'),
            |s: &str| s == "soldier" || s == "cafe" || s == "000",
        ] {
            let want: Vec<Range<usize>> = a
                .words(&text)
                .into_iter()
                .filter(|w| keep(&w.stem))
                .map(|w| w.span)
                .collect();
            assert_eq!(a.matching_spans(&text, &all, keep), want);
        }
        let only_s = a.matching_spans(&text, &['s'], |s| s == "soldier");
        assert!(!only_s.is_empty());
        assert!(only_s
            .iter()
            .all(|r| text[r.clone()].to_lowercase().starts_with("soldier")));
    }
}
