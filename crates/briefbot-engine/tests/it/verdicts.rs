//! The three verdicts on the shipped brief: what it answers, with its short
//! answer and a key sentence about the question's subject; what it is about
//! but does not say; and the count of the latter that must not fall.

use briefbot_engine::eval::{self, QuestionSet};
use briefbot_engine::{Answer, Engine, Question, Verdict};

use crate::engine::{engine, repo};

/// Questions of `not-stated-dev.json` the engine still answers, each with
/// why. No cheap rule tells them apart without declining as many answerable
/// questions (see `answer::verdict`): a reader model that reads the
/// question with the sentence is expected to. Remove a line when its
/// question is declined: the test then holds it.
const PENDING: &[(&str, &str)] = &[
    (
        "What is the capital of North Korea?",
        "reader: names North Korea, not its capital",
    ),
    (
        "When did the war in Ukraine start?",
        "reader: the war, no start date",
    ),
    (
        "How many North Korean soldiers have died in Kursk?",
        "reader: a number of soldiers sent, not dead",
    ),
    (
        "When did Kim Jong-un become leader?",
        "reader: dates of other events",
    ),
    (
        "How much does Russia pay each soldier?",
        "reader: a number of soldiers, not a wage",
    ),
    (
        "When will the ceasefire talks start again?",
        "reader: the talks, no date",
    ),
    (
        "How many Ukrainian soldiers are fighting in Kursk?",
        "reader: North Korean soldiers counted",
    ),
    (
        "How old are the North Korean soldiers?",
        "reader: the soldiers, no age",
    ),
    (
        "When did Marco Rubio arrive in Moscow?",
        "reader: his trip, no date",
    ),
    (
        "When was the trade agreement signed?",
        "reader: the agreement unconfirmed, dates of a visit",
    ),
    (
        "How many tanks has North Korea sent?",
        "reader: a number of soldiers, not tanks",
    ),
    (
        "Who commands the North Korean troops in Russia?",
        "reader: names, none a commander",
    ),
    (
        "How many people live in North Korea?",
        "reader: a sum of money, no population",
    ),
    (
        "What is the population of Kursk?",
        "reader: Kursk named, no population",
    ),
    (
        "When did the talks in London begin?",
        "reader: the talks downgraded yesterday",
    ),
    (
        "How much did the armoured train cost?",
        "reader: the train named, no cost",
    ),
    (
        "Who is the president of South Korea?",
        "reader: Ukraine's president named",
    ),
    (
        "How many missiles has North Korea given Russia?",
        "reader: millions of shells, not missiles",
    ),
];

fn ask(engine: &Engine, q: &str) -> Answer {
    engine
        .ask_with(&Question {
            text: q,
            tenant: None,
            top: 3,
        })
        .unwrap()
}

#[test]
fn same_topic_questions_the_brief_does_not_answer_are_not_presented_as_answers() {
    let engine = engine(&repo("briefs"));
    let set = QuestionSet::load(&repo("tests/data/eval/not-stated-dev.json")).unwrap();
    assert!(set.questions.len() >= 15);
    assert!(set.questions.iter().all(|q| q.expect.is_empty()));
    for (q, _) in PENDING {
        assert!(
            set.questions.iter().any(|e| e.q == *q),
            "{q} is not in the set"
        );
    }
    let report = eval::run(&engine, &set).unwrap();
    let pending = |q: &str| PENDING.iter().any(|(p, _)| *p == q);
    let answered: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.answered && !pending(&r.q))
        .map(|r| r.q.as_str())
        .collect();
    assert!(answered.is_empty(), "presented as answers: {answered:#?}");
    let now_declined: Vec<&str> = report
        .results
        .iter()
        .filter(|r| !r.answered && pending(&r.q))
        .map(|r| r.q.as_str())
        .collect();
    assert!(
        now_declined.is_empty(),
        "declined now: remove from PENDING so the test holds them: {now_declined:#?}"
    );
    // A same-topic question is declined as not stated, not as foreign.
    let foreign: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::NotInBriefs)
        .map(|r| r.q.as_str())
        .collect();
    assert!(
        foreign.is_empty(),
        "declined as not in the briefs: {foreign:#?}"
    );
}

#[test]
fn how_many_soldiers_leads_with_the_number() {
    let engine = engine(&repo("briefs"));
    let a = ask(&engine, "how many soldiers?");
    assert_eq!(a.verdict, Verdict::Answered);
    assert_eq!(a.hits[0].short_answer_text(), Some("at least 11,000"));
}

#[test]
fn the_key_sentence_is_about_the_questions_subject() {
    let engine = engine(&repo("briefs"));
    let a = ask(&engine, "what does Russia get?");
    let key = a.hits[0].key_sentence_text();
    assert!(
        key.contains("benefit for Russia") || key.contains("Russia has reclaimed"),
        "the key sentence is not about what Russia gets: {key}"
    );
}
