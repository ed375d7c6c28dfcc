//! News stories asked about as a member who saw only the headline would ask:
//! in other words than the story's, often in the headline's own.

use briefbot_engine::eval::{self, QuestionSet};

use crate::engine::{engine, repo};

/// P@1 on `news-dev.json`, just under what the engine reaches. Raise it as
/// the ranking improves; lower it only for a trade stated in BENCHMARKS.md.
const NEWS_P1_FLOOR: f64 = 0.47;

#[test]
fn news_questions_asked_from_the_headline_find_the_paragraph() {
    let engine = engine(&repo("tests/data/briefs-news"));
    let set = QuestionSet::load(&repo("tests/data/eval/news-dev.json")).unwrap();
    let report = eval::run(&engine, &set).unwrap();
    let misses: Vec<_> = report
        .results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| &r.q)
        .collect();
    assert!(
        report.summary.p_at_1 >= NEWS_P1_FLOOR,
        "P@1 {:.3} under {NEWS_P1_FLOOR}; missed: {misses:#?}",
        report.summary.p_at_1
    );
    assert_eq!(report.summary.out_of_scope, 0);
}
