//! Attribution on every paragraph of the shipped brief, and on invented
//! sentences from other topics.

use super::*;

const SHIPPED: &str = include_str!("../../../../../briefs/north-korea-war-in-europe.md");

/// The shipped brief's body, one paragraph per line.
fn paragraph(opening: &str) -> &'static str {
    SHIPPED
        .lines()
        .find(|l| l.starts_with(opening))
        .unwrap_or_else(|| panic!("no paragraph opens with {opening:?}"))
}

fn who(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
    extract(text)
        .into_iter()
        .map(|a| (a.name, a.role, a.org))
        .collect()
}

fn a(
    name: &str,
    role: Option<&str>,
    org: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (name.into(), role.map(Into::into), org.map(Into::into))
}

#[test]
fn shipped_zelensky_and_the_soldiers() {
    assert_eq!(
        who(paragraph("Who are the fighters?")),
        vec![
            a("Zelensky", Some("Ukraine’s President"), None),
            a("the soldiers", None, None),
        ]
    );
    assert_eq!(
        who(paragraph("The soldiers also said")),
        vec![a("the soldiers", None, None)]
    );
}

#[test]
fn shipped_defector_told_tortoise() {
    assert_eq!(
        who(paragraph("Not mercenaries.")),
        vec![a("Seonghyeon Ryu", Some("defector"), None)]
    );
}

#[test]
fn shipped_intelligence_service_and_osint_analyst() {
    assert_eq!(
        who(paragraph("Is it a bird?")),
        vec![
            a("South Korea’s National Intelligence Service", None, None),
            a("Pasi Paroinen", Some("Osint analyst"), None),
        ]
    );
}

#[test]
fn shipped_us_intelligence_and_csis_specialist() {
    assert_eq!(
        who(paragraph("Munitions, munitions")),
        vec![
            a("US intelligence", None, None),
            a("Jennifer Jun", Some("satellite specialist"), Some("CSIS")),
        ]
    );
}

#[test]
fn shipped_think_tank_by_according_to() {
    assert_eq!(
        who(paragraph("What’s in it for Kim?")),
        vec![a("one South Korean think tank", None, None)]
    );
}

#[test]
fn shipped_defence_attache() {
    assert_eq!(
        who(paragraph("Quid pro no.")),
        vec![a(
            "John Foreman",
            Some("UK’s defence attaché to Moscow until 2022"),
            None
        )]
    );
}

#[test]
fn shipped_trump_accused() {
    assert_eq!(who(paragraph("What’s more…")), vec![a("Trump", None, None)]);
}

#[test]
fn shipped_paragraphs_without_a_quoted_source_give_nothing() {
    for opening in [
        "Talks between diplomats",
        "So what?",
        "Seeing a friend.",
        "More importantly,",
        "And Putin?",
        "Further listening:",
    ] {
        assert_eq!(who(paragraph(opening)), vec![], "{opening}");
    }
}

#[test]
fn invented_sentences_from_other_topics() {
    assert_eq!(
        who("Maria Lopez, an economist at the Bank of Spain, warned that inflation would rise."),
        vec![a("Maria Lopez", Some("economist"), Some("Bank of Spain"))]
    );
    assert_eq!(
        who("“We will rebuild,” said Mayor Anne Hidalgo. Officials said nothing."),
        vec![
            a("Anne Hidalgo", Some("Mayor"), None),
            a("Officials", None, None)
        ]
    );
    assert_eq!(
        who("Prime Minister Keir Starmer told reporters the deal was close."),
        vec![a("Keir Starmer", Some("Prime Minister"), None)]
    );
    assert_eq!(
        who("The vaccine is safe, according to the World Health Organization."),
        vec![a("the World Health Organization", None, None)]
    );
    assert_eq!(
        who("Three senior officials told the BBC the plan had failed."),
        vec![a("Three senior officials", None, None)]
    );
    assert_eq!(
        who("Several analysts said the strike was planned. He said it again."),
        vec![a("Several analysts", None, None)]
    );
}

#[test]
fn pronouns_and_passives_are_not_sources() {
    assert_eq!(
        who("He said the talks failed. They were told to leave."),
        vec![]
    );
    assert_eq!(who("The minister was accused of lying."), vec![]);
    assert_eq!(who("It was said that the bridge fell."), vec![]);
}

#[test]
fn a_source_quoted_twice_is_listed_once() {
    assert_eq!(
        who("Anna Berg said the port was closed. Anna Berg, a harbour pilot, added that ships waited."),
        vec![a("Anna Berg", Some("harbour pilot"), None)]
    );
}

#[test]
fn lists_of_names_are_not_appositives() {
    assert_eq!(
        who("Paris, London, Berlin said nothing."),
        vec![a("Berlin", None, None)]
    );
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        ",",
        "said",
        "according to",
        "“,” said",
        ", , said",
        "X, said",
        "’s said",
    ] {
        let _ = extract(text);
    }
}

#[test]
fn a_description_before_a_name_becomes_the_role() {
    assert_eq!(
        who("The Christian author Eric Metaxas wrote that he disagreed."),
        vec![a("Eric Metaxas", Some("Christian author"), None)]
    );
    assert_eq!(
        who("On his table Luther wrote the words."),
        vec![a("Luther", None, None)]
    );
}

#[test]
fn participles_and_long_phrases_are_not_sources() {
    assert_eq!(
        who("With Great Britain having claimed the continent, settlers came."),
        vec![]
    );
    assert_eq!(
        who("It is reasonable according to the reality outside of the scriptures than the text."),
        vec![]
    );
}
