//! Word statistics over all passages of one generation: what query planning
//! needs (document frequencies, known words for spelling, learned acronyms)
//! without knowing anything about the index that produced them.

use std::collections::HashMap;

/// Word statistics over all passages.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Lexicon {
    pub stem_ids: HashMap<String, u32>,
    /// Number of passages containing each stem id.
    pub stem_df: Vec<u32>,
    /// Unstemmed words with their passage frequency, for spelling correction.
    pub exact_df: HashMap<String, u32>,
    /// Learned acronym (lowercase) → stems of the phrases it stands for.
    pub acronyms: HashMap<String, Vec<Vec<String>>>,
    /// Learned acronym (lowercase) → the first phrase it stands for, as
    /// written, for the sentence-embedding model (which cannot read stems).
    pub acronym_names: HashMap<String, String>,
    /// Per stem id: is it a number (for "how many" questions)?
    pub numeric: Vec<bool>,
    pub passages: u32,
}

impl Lexicon {
    /// BM25's idf; a word absent from every passage gets the highest value.
    pub(crate) fn idf_df(&self, df: u32) -> f32 {
        let n = self.passages.max(1) as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    pub(crate) fn idf(&self, stem: &str) -> f32 {
        self.idf_df(self.df(stem))
    }

    pub(crate) fn df(&self, stem: &str) -> u32 {
        self.stem_ids
            .get(stem)
            .map(|&id| self.stem_df[id as usize])
            .unwrap_or(0)
    }
}
