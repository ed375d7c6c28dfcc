//! The one place that knows the Tantivy schema: every field handle lives here
//! so no caller types a field name.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, STRING,
};
use tantivy::Index;

use crate::index::analyze::{exact_analyzer, stem_analyzer, EXACT_ANALYZER, STEM_ANALYZER};

/// Passage ids are positions in the snapshot's passage list, so the index
/// stores no text: answers are built from the parsed briefs held in memory.
#[derive(Debug, Clone)]
pub(crate) struct BriefSchema {
    pub schema: Schema,
    pub pid: Field,
    pub scope: Field,
    pub text_stem: Field,
    pub text_exact: Field,
    pub heading: Field,
}

/// Scope value for shipped briefs; no tenant id can be "." (see [`TenantId`]).
///
/// [`TenantId`]: crate::TenantId
pub(crate) const GLOBAL_SCOPE: &str = ".";

impl BriefSchema {
    pub(crate) fn new() -> Self {
        let mut b = Schema::builder();
        let positions = |analyzer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let pid = b.add_u64_field("pid", NumericOptions::default().set_fast());
        // The tenant id as one raw term, or GLOBAL_SCOPE.
        let scope = b.add_text_field("scope", STRING);
        let text_stem = b.add_text_field("text_stem", positions(STEM_ANALYZER));
        let text_exact = b.add_text_field("text_exact", positions(EXACT_ANALYZER));
        let heading = b.add_text_field("heading", positions(STEM_ANALYZER));
        BriefSchema {
            schema: b.build(),
            pid,
            scope,
            text_stem,
            text_exact,
            heading,
        }
    }

    /// Analyzers must be registered on every `Index` value, new or reopened.
    pub(crate) fn register(index: &Index) {
        index.tokenizers().register(STEM_ANALYZER, stem_analyzer());
        index
            .tokenizers()
            .register(EXACT_ANALYZER, exact_analyzer());
    }
}

impl Default for BriefSchema {
    fn default() -> Self {
        Self::new()
    }
}
