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
pub const STEM_ANALYZER: &str = "bb_stem";
/// Name of the unstemmed (folded, lowercased) analyzer.
pub const EXACT_ANALYZER: &str = "bb_exact";

/// Words longer than this are noise (URLs, hashes) and are dropped.
const MAX_TOKEN_LEN: usize = 40;

pub fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(tantivy::tokenizer::Stemmer::new(Language::English))
        .build()
}

pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// One word of a text: its folded form, its stem, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub exact: String,
    pub stem: String,
    pub span: Range<usize>,
}

/// Reusable analyzer state; one per thread (Tantivy analyzers need `&mut`).
pub struct Analyzer {
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
    pub fn words(&mut self, text: &str) -> Vec<Word> {
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

    pub fn stem(&self, exact: &str) -> String {
        self.stemmer.stem(exact).into_owned()
    }
}
