//! The yardstick: plain Tantivy BM25 over the same passages, with the stock
//! English analyser (`en_stem`) and a lenient `QueryParser`. Whatever the
//! engine adds on top (query building, fuzzy terms, key sentences,
//! attribution) is measured as its ratio to this.

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};
use tantivy::{doc, DocAddress, Index, IndexReader, ReloadPolicy, Score, Searcher};

pub struct Baseline {
    reader: IndexReader,
    parser: QueryParser,
    top: usize,
}

impl Baseline {
    /// Index `passages` into `dir` (a fresh directory) and open a reader.
    pub fn build(dir: &Path, passages: &[String], top: usize) -> tantivy::Result<Baseline> {
        let mut schema = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text = schema.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored(),
        );
        let id = schema.add_u64_field("id", STORED);
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        let index = Index::create_in_dir(dir, schema.build())?;
        let mut writer = index.writer(50_000_000)?;
        for (i, p) in passages.iter().enumerate() {
            writer.add_document(doc!(text => p.as_str(), id => i as u64))?;
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let parser = QueryParser::for_index(&index, vec![text]);
        Ok(Baseline {
            reader,
            parser,
            top: top.max(1),
        })
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The question's words, OR-ed, BM25-ranked: the top passages' addresses.
    pub fn search(&self, searcher: &Searcher, question: &str) -> Vec<(Score, DocAddress)> {
        let words = query_words(question);
        let (query, _errors) = self.parser.parse_query_lenient(&words);
        searcher
            .search(&query, &TopDocs::with_limit(self.top).order_by_score())
            .unwrap_or_default()
    }
}

/// Only the words, lowercased so "AND"/"OR" stay words: the baseline should
/// pay for BM25, not for query syntax.
pub fn query_words(question: &str) -> String {
    question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_strip_syntax() {
        assert_eq!(
            query_words("how many \"soldiers\"? (AND) a:b*"),
            "how many soldiers and a b"
        );
    }
}
