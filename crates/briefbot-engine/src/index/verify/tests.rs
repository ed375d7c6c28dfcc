use std::sync::Arc;

use super::*;
use crate::ingest::brief::BriefLimits;
use crate::ingest::corpus::Sources;
use crate::query::synonyms::Synonyms;

/// Shapes of real briefs whose fresh index the probe once refused: words
/// that Snowball's development branch stems otherwise than the released
/// stemmer ("biologists", "organic", "university", "added", "evening"),
/// chemical formulas split by wiki markup, possessives and hyphens.
const SHAPES: &str = include_str!("../../../../../tests/data/briefs-stems/stemmed-two-ways.md");

#[test]
fn every_word_of_every_passage_is_found_where_the_statistics_count_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shapes.md"), SHAPES).unwrap();
    let limits = BriefLimits::default();
    let corpus = Sources {
        briefs_dir: dir.path(),
        tenant_dir: None,
        extra_fingerprint: b"",
        limits: &limits,
    }
    .load()
    .unwrap();
    assert_eq!(corpus.passages.len(), 7, "{:?}", corpus.problems);
    let synonyms = Arc::new(Synonyms::parse("").unwrap());
    let snap = Snapshot::build(corpus, None, 1, synonyms, None).unwrap();
    let mut words = 0;
    for pid in 0..snap.corpus.passages.len() {
        for &id in snap.terms.doc(pid).all {
            probe_word(&snap, pid, id).unwrap();
            words += 1;
        }
    }
    assert!(words > 80, "{words}");
    check(&snap, dir.path()).unwrap();
}
