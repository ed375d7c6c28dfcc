//! Text analysis shared by indexing and querying, so the words the reranker
//! compares are exactly the words Tantivy indexed: split on non-alphanumerics,
//! lowercase, fold accents to ASCII ("café" → "cafe"), and for the stemmed
//! form apply the English Snowball stemmer ("soldiers" → "soldier").
//!
//! One stemmer serves both sides: [`english`], used by the word statistics
//! and the query, and by Tantivy's stemmed fields through [`SameStemmer`].
//! Tantivy's own `Stemmer` filter runs another implementation (frostem,
//! which follows Snowball's development branch and changes with it): it
//! stems "biologists" to "biolog" where ours gives "biologist", so a word
//! the statistics counted was not found under its stem in the index.

use std::borrow::Cow;
use std::ops::Range;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
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
        .filter(SameStemmer)
        .build()
}

pub(crate) fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The English stemmer every stem in the engine comes from.
pub(crate) fn english() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// A Tantivy token filter applying [`english`], so the index holds the stems
/// the word statistics and the queries use.
#[derive(Clone, Copy)]
pub(crate) struct SameStemmer;

impl TokenFilter for SameStemmer {
    type Tokenizer<T: Tokenizer> = SameStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> SameStemmerFilter<T> {
        SameStemmerFilter { inner }
    }
}

#[derive(Clone)]
pub(crate) struct SameStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SameStemmerFilter<T> {
    type TokenStream<'a> = SameStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SameStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: english(),
        }
    }
}

pub(crate) struct SameStemmerStream<S> {
    tail: S,
    stemmer: Stemmer,
}

impl<S: TokenStream> TokenStream for SameStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.stemmer.stem(&token.text) {
            Cow::Owned(stem) => token.text = stem,
            // A borrowed stem is a prefix of the word: the word itself
            // when it has the same length.
            Cow::Borrowed(stem) if stem.len() != token.text.len() => token.text = stem.to_string(),
            Cow::Borrowed(_) => {}
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
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
            stemmer: english(),
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
            |s: &str| s.len().is_multiple_of(2),
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

    #[test]
    fn the_index_stems_every_word_as_the_statistics_do() {
        let text = format!(
            "{} {}",
            include_str!("../../../../briefs/north-korea-war-in-europe.md"),
            "biologists organic university universities added evening international \
             emergency interstate vying C6 H|Hydrogen|H6 the latter's well-organized"
        );
        let ours: Vec<String> = Analyzer::default()
            .words(&text)
            .into_iter()
            .map(|w| w.stem)
            .collect();
        let mut indexed = Vec::new();
        let mut analyzer = stem_analyzer();
        let mut stream = analyzer.token_stream(&text);
        while let Some(t) = stream.next() {
            indexed.push(t.text.clone());
        }
        assert_eq!(indexed, ours);
        assert!(ours.iter().any(|s| s == "biologist"));
    }
}
