//! The query builder on hand-made lexicons.
use super::*;
use crate::query::spelling::correct;

/// A lexicon knowing the given words, each in one passage of ten.
fn lexicon(words: &[&str]) -> Lexicon {
    let a = Analyzer::default();
    let mut lex = Lexicon {
        passages: 10,
        ..Lexicon::default()
    };
    for w in words {
        let stem = a.stem(w);
        let id = lex.stem_ids.len() as u32;
        lex.stem_ids.entry(stem).or_insert(id);
        lex.stem_df.push(1);
        lex.exact_df.insert(w.to_string(), 1);
    }
    lex
}

fn plan_for(q: &str, lex: &Lexicon) -> Plan {
    plan(q, lex, &Synonyms::default(), &mut Analyzer::default())
}

fn words(p: &Plan) -> Vec<&str> {
    p.groups.iter().map(|g| g.word.as_str()).collect()
}

#[test]
fn question_frame_and_function_words_are_dropped() {
    let lex = lexicon(&["soldiers", "russia"]);
    let p = plan_for("How many soldiers does Russia have?", &lex);
    assert_eq!(words(&p), ["soldiers", "russia"]);
    assert_eq!(p.answer_type, AnswerType::Quantity);
    assert_eq!(
        plan_for("What year did it end?", &lex).answer_type,
        AnswerType::Time
    );
    assert_eq!(
        plan_for("Who is Jennifer Jun?", &lex).answer_type,
        AnswerType::Person
    );
    assert_eq!(
        plan_for("Where did Rubio go?", &lex).answer_type,
        AnswerType::Place
    );
    assert_eq!(plan_for("Why?", &lex).answer_type, AnswerType::Any);
}

#[test]
fn questions_asking_what_something_is_are_told_apart() {
    let lex = lexicon(&["nato", "gasser", "population", "county"]);
    for q in [
        "What is NATO?",
        "what's a gasser car",
        "Who was Henry Sampson Jr.?",
        "What does NATO stand for?",
        "what does barefoot and pregnant mean",
    ] {
        assert!(plan_for(q, &lex).defines, "{q}");
    }
    for q in [
        "What is in the box?",
        "Who is it?",
        "What is the population of the largest county in the state of Texas?",
        "How many soldiers are there?",
        "What did Russia get?",
        "Why is NATO worried?",
    ] {
        assert!(!plan_for(q, &lex).defines, "{q}");
    }
}

#[test]
fn query_syntax_is_only_text() {
    let lex = lexicon(&["title", "kursk"]);
    for q in [
        "title:\"",
        "AND (",
        "*~^",
        "Kursk:[* TO *]",
        "\"unclosed",
        "a OR b NOT c",
        "+-&&||!{}",
    ] {
        let p = plan_for(q, &lex);
        for g in &p.groups {
            assert!(
                g.word.chars().all(char::is_alphanumeric),
                "{q:?} gave {:?}",
                g.word
            );
        }
    }
    assert_eq!(words(&plan_for("Kursk:[* TO *]", &lex)), ["kursk"]);
}

#[test]
fn hostile_input_is_cleaned_and_capped() {
    let lex = lexicon(&["soldiers"]);
    assert!(plan_for("", &lex).groups.is_empty());
    assert!(plan_for("?!? ... 🪖", &lex).groups.is_empty());
    let p = plan_for("sol\u{200b}diers\u{202e}", &lex);
    assert_eq!(words(&p), ["soldiers"]);
    let long = "soldiers ".repeat(10_000);
    assert_eq!(words(&plan_for(&long, &lex)), ["soldiers"]);
    assert!(clean(&long).chars().count() <= MAX_QUESTION_CHARS);
}

#[test]
fn unknown_words_get_a_spelling_correction_scaled_to_length() {
    let lex = lexicon(&["soldiers", "munitions", "kim"]);
    let p = plan_for("soliders", &lex);
    assert_eq!(p.groups[0].members.len(), 2);
    assert_eq!(p.groups[0].members[1].stems, ["soldier"]);
    // Recorded as typed, for the model to read the briefs' word instead.
    assert_eq!(
        p.corrections,
        [("soliders".to_string(), "soldiers".to_string())]
    );
    assert!(plan_for("soldiers", &lex).corrections.is_empty());
    // Four letters or fewer are never corrected: too easily confused.
    assert_eq!(plan_for("kin", &lex).groups[0].members.len(), 1);
    assert_eq!(correct("munitons", &lex).as_deref(), Some("munitions"));
    assert_eq!(correct("xylophone", &lex), None);
}

#[test]
fn capitals_typed_as_acronyms_are_kept() {
    let lex = lexicon(&["us"]);
    assert_eq!(
        words(&plan_for("What does the US want?", &lex)),
        ["us", "want"]
    );
    assert_eq!(words(&plan_for("what does us want", &lex)), ["want"]);
}

#[test]
fn time_relative_to_the_asker_is_not_a_topic() {
    let lex = lexicon(&["football", "night"]);
    assert_eq!(
        words(&plan_for("Who won the football last night?", &lex)),
        ["won", "football"]
    );
    assert_eq!(words(&plan_for("What happened today?", &lex)), ["happened"]);
    assert_eq!(
        words(&plan_for("Where did he spend the night?", &lex)),
        ["spend", "night"]
    );
}

#[test]
fn irregular_verbs_and_synonyms_add_members() {
    let lex = lexicon(&["slept", "troops"]);
    let syn = Synonyms::parse("soldiers, troops").unwrap();
    let p = plan(
        "How much did the soldiers sleep?",
        &lex,
        &syn,
        &mut Analyzer::default(),
    );
    let sleep = p.groups.iter().find(|g| g.word == "sleep").unwrap();
    assert!(sleep.members.iter().any(|m| m.stems == ["slept"]));
    let soldiers = p.groups.iter().find(|g| g.word == "soldiers").unwrap();
    assert!(soldiers
        .members
        .iter()
        .any(|m| m.stems == ["troop"] && m.weight < 1.0));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any question a member can type is planned without panicking, and
        /// the plan never invents words it was not asked.
        #[test]
        fn any_question_plans_without_panic(q in "\\PC{0,120}") {
            let lex = lexicon(&["soldiers", "korea", "kursk", "ceasefire", "2025"]);
            let p = plan_for(&q, &lex);
            prop_assert!(p.groups.len() <= q.chars().count());
        }

        /// Unicode soup, markup and operators included.
        #[test]
        fn hostile_characters_plan_without_panic(q in "[\\u{0}-\\u{2FF}\"'`:()\\[\\]*~^!?<>@#-]{0,80}") {
            let lex = lexicon(&["soldiers"]);
            let _ = plan_for(&q, &lex);
            let _ = clean(&q);
        }
    }
}

#[test]
fn a_capital_stands_for_its_country_only_when_it_is_not_a_place() {
    let lex = lexicon(&["south", "korea", "weather"]);
    let brings_korea = |q: &str| {
        let p = plan_for(q, &lex);
        let seoul = p.groups.iter().find(|g| g.word == "seoul").unwrap();
        seoul.members.iter().any(|m| m.stems == ["south", "korea"])
    };
    assert!(brings_korea("What does Seoul want?"));
    assert!(!brings_korea("What is the weather in Seoul?"));
    assert!(!brings_korea("who lives near seoul"));
}

#[test]
fn a_phrase_is_not_credited_again_for_the_words_it_contains() {
    let lex = lexicon(&["north", "korea", "pyongyang", "dprk"]);
    let p = plan_for("What is the capital of North Korea?", &lex);
    let capital = p.groups.iter().find(|g| g.word == "capital").unwrap();
    let stems: Vec<&[String]> = capital.members.iter().map(|m| m.stems.as_slice()).collect();
    assert!(stems.iter().any(|s| *s == ["pyongyang"]), "{stems:?}");
    assert!(
        !stems.iter().any(|s| s.contains(&"korea".to_string())),
        "{stems:?}"
    );
    assert!(!stems.iter().any(|s| *s == ["dprk"]), "{stems:?}");
}

/// The indirect form of a question.
fn frame_of(q: &str) -> Option<String> {
    plan_for(q, &lexicon(&[])).frame.indirect
}

#[test]
fn a_question_reads_back_as_an_indirect_question() {
    let f = frame_of;
    assert_eq!(
        f("When was Kaffa founded?").as_deref(),
        Some("when Kaffa was founded")
    );
    assert_eq!(
        f("What is the capital of North Korea?").as_deref(),
        Some("what the capital of North Korea is")
    );
    assert_eq!(
        f("When did the war in Ukraine start?").as_deref(),
        Some("when the war in Ukraine started")
    );
    assert_eq!(
        f("what does Russia get?").as_deref(),
        Some("what Russia gets")
    );
    assert_eq!(
        f("In what year did the Black Death originate?").as_deref(),
        Some("in what year the Black Death originated")
    );
    assert_eq!(
        f("How many soldiers were sent?").as_deref(),
        Some("how many soldiers were sent")
    );
    assert_eq!(
        f("Who founded Kaffa?").as_deref(),
        Some("who founded Kaffa")
    );
    assert_eq!(f("soldiers in Russia"), None);
}
