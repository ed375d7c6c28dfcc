//! Rendering: limits, trimming, the bold key sentence, the attribution line,
//! and briefs that try to ping.

use std::path::PathBuf;
use std::sync::Arc;

use briefbot::bot::render::{self, limits, View};
use briefbot_engine::{Answer, Attribution, BriefMeta, Gap, Hit, Missing, Passage, Scope, Verdict};
use serde_json::json;

use super::support::json;

fn meta() -> Arc<BriefMeta> {
    Arc::new(BriefMeta {
        title: "North Korea's war in Europe".into(),
        publisher: Some("Tortoise".into()),
        date: Some("2024-11-05".into()),
        url: None,
        tags: vec![],
        file: PathBuf::from("briefs/nk.md"),
        scope: Scope::Global,
    })
}

/// A passage whose sentences are the given strings, with `heading` first.
fn passage(heading: Option<&str>, sentences: &[&str], attribution: Vec<Attribution>) -> Passage {
    let mut text = String::new();
    if let Some(h) = heading {
        text.push_str(h);
        text.push(' ');
    }
    let mut ranges = Vec::new();
    for s in sentences {
        let start = text.len();
        text.push_str(s);
        ranges.push(start..text.len());
        text.push(' ');
    }
    let text = text.trim_end().to_string();
    Passage {
        id: "nk#3".into(),
        brief: meta(),
        paragraph: 3,
        heading: heading.map(str::to_string),
        offsets: 0..text.len(),
        text,
        sentences: ranges,
        attribution,
    }
}

fn hit(p: Passage, key: usize, words: &[&str]) -> Hit {
    let key_sentence = p.sentences[key].clone();
    let highlights = words
        .iter()
        .flat_map(|w| p.text.match_indices(w).map(|(i, _)| i..i + w.len()))
        .collect();
    Hit {
        passage: Arc::new(p),
        key_sentence,
        highlights,
        score: 1.0,
        confidence: 0.9,
        short_answer: None,
    }
}

fn answered(hits: Vec<Hit>) -> Answer {
    Answer {
        question: "how many soldiers?".into(),
        verdict: Verdict::Answered,
        answered: true,
        missing: None,
        hits,
        closest: vec![],
        suggestions: vec![],
        terms: vec!["soldiers".into()],
    }
}

fn jun() -> Attribution {
    Attribution {
        name: "Jennifer Jun".into(),
        role: Some("satellite specialist".into()),
        org: Some("CSIS".into()),
    }
}

const VIEW: View = View {
    question_id: 42,
    page: 0,
    embeds: true,
};

#[test]
fn the_key_sentence_is_bold_and_matched_terms_underlined_under_the_heading() {
    let p = passage(
        Some("Not mercenaries."),
        &[
            "Kim sent at least 11,000 soldiers to Kursk.",
            "They fight under Russian command.",
        ],
        vec![jun()],
    );
    let reply = render::answer(&answered(vec![hit(p, 0, &["soldiers"])]), VIEW);
    let payload = json(&reply.to_message(None));
    let embed = &payload["embeds"][0];
    assert_eq!(embed["title"], "Not mercenaries.");
    assert_eq!(
        embed["description"],
        "**Kim sent at least 11,000 __soldiers__ to Kursk.** They fight under Russian command."
    );
    assert_eq!(
        embed["fields"],
        json!([{
            "name": "Source",
            "value": "Tortoise · North Korea's war in Europe · 2024-11-05 · ¶3 · Quoted: Jennifer Jun, CSIS",
            "inline": false
        }])
    );
    assert_eq!(embed["footer"]["text"], "Match 1 of 1");
    assert_eq!(
        payload["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": []})
    );
}

#[test]
fn buttons_page_vote_and_delete_by_question_id() {
    let p = || passage(None, &["One.", "Two."], vec![]);
    let reply = render::answer(&answered(vec![hit(p(), 0, &[]), hit(p(), 1, &[])]), VIEW);
    let payload = json(&reply.to_interaction());
    assert_eq!(
        payload["components"],
        json!([{
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": "Next match", "custom_id": "bb:next:42:1", "disabled": false},
                {"type": 2, "style": 2, "label": "👍", "custom_id": "bb:up:42:0", "disabled": false},
                {"type": 2, "style": 2, "label": "👎", "custom_id": "bb:down:42:0", "disabled": false},
                {"type": 2, "style": 4, "label": "Delete", "custom_id": "bb:del:42", "disabled": false}
            ]
        }])
    );
}

#[test]
fn a_single_match_cannot_be_paged() {
    let p = passage(None, &["Only one."], vec![]);
    let payload = json(&render::answer(&answered(vec![hit(p, 0, &[])]), VIEW).to_interaction());
    assert_eq!(payload["components"][0]["components"][0]["disabled"], true);
}

#[test]
fn without_embeds_the_answer_is_plain_text_with_the_source_line() {
    let p = passage(
        Some("So what?"),
        &["Kim gets oil.", "Russia gets troops."],
        vec![],
    );
    let view = View {
        embeds: false,
        ..VIEW
    };
    let payload =
        json(&render::answer(&answered(vec![hit(p, 1, &["troops"])]), view).to_message(None));
    assert_eq!(payload["embeds"], json!([]));
    assert_eq!(
        payload["content"],
        "__So what?__\nKim gets oil. **Russia gets __troops__.**\n— Tortoise · North Korea's war in Europe · 2024-11-05 · ¶3 · Match 1 of 1"
    );
}

#[test]
fn a_decline_names_the_closest_topics_and_shows_no_passage() {
    let p = passage(None, &["Paris is lovely."], vec![]);
    let mut answer = answered(vec![]);
    answer.answered = false;
    answer.closest = vec![hit(p, 0, &[])];
    answer.suggestions = vec!["So what?".into(), "Not mercenaries.".into()];
    let payload = json(&render::answer(&answer, VIEW).to_message(None));
    assert_eq!(
        payload["content"],
        "I couldn't find that in the briefs. Closest topics: **So what?**, **Not mercenaries.**."
    );
    assert_eq!(payload["embeds"], json!([]));
    assert!(payload.get("components").is_none_or(|c| c == &json!([])));
}

#[test]
fn a_not_stated_decline_says_what_is_missing_above_the_passage_never_as_the_answer() {
    let p = passage(
        None,
        &["Kim went by armoured train.", "Putin visited in June."],
        vec![],
    );
    let mut answer = answered(vec![]);
    answer.verdict = Verdict::NotStated;
    answer.answered = false;
    answer.closest = vec![hit(p, 0, &["train"])];
    answer.missing = Some(Missing {
        mentions: vec!["armoured train".into()],
        asked: "how much the armoured train cost".into(),
        gaps: vec![Gap::Reader],
    });
    let payload = json(&render::answer(&answer, VIEW).to_message(None));
    assert_eq!(
        payload["content"],
        "The brief mentions armoured train but does not say how much the armoured train cost.\n\
         The closest passage:\n\
         > Kim went by armoured __train__. Putin visited in June.\n\
         — Tortoise · North Korea's war in Europe · 2024-11-05 · ¶3"
    );
    // No vote on an answer that was not given.
    assert!(payload.get("components").is_none_or(|c| c == &json!([])));
}

#[test]
fn the_short_answer_leads_in_bold() {
    let p = passage(None, &["Kim sent at least 11,000 soldiers."], vec![]);
    let mut h = hit(p, 0, &[]);
    h.short_answer = Some(9..24);
    let payload = json(&render::answer(&answered(vec![h.clone()]), VIEW).to_message(None));
    assert_eq!(
        payload["embeds"][0]["description"],
        "**At least 11,000**\n**Kim sent at least 11,000 soldiers.**"
    );
    let view = View {
        embeds: false,
        ..VIEW
    };
    let payload = json(&render::answer(&answered(vec![h]), view).to_message(None));
    let content = payload["content"].as_str().unwrap();
    assert!(content.starts_with("**At least 11,000**\n"), "{content}");
}

#[test]
fn a_brief_with_everyone_and_a_role_mention_pings_no_one() {
    let p = passage(
        Some("@everyone"),
        &["Ping <@&123> and @here now.", "Also <@456>."],
        vec![],
    );
    let reply = render::answer(&answered(vec![hit(p, 0, &[])]), VIEW);
    for payload in [
        json(&reply.to_message(None)),
        json(&reply.to_interaction()),
        json(&reply.to_followup()),
    ] {
        assert_eq!(
            payload["allowed_mentions"],
            json!({"parse": [], "users": [], "roles": []})
        );
        let description = payload["embeds"][0]["description"].as_str().unwrap();
        assert_eq!(
            description,
            "**Ping \\<@&123\\> and @\u{200b}here now.** Also \\<@456\\>."
        );
    }
    let plain = render::answer(
        &answered(vec![hit(
            passage(Some("@everyone"), &["Hi @everyone."], vec![]),
            0,
            &[],
        )]),
        View {
            embeds: false,
            ..VIEW
        },
    );
    let content = json(&plain.to_message(None))["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!content.contains("@everyone"), "{content}");
    assert!(content.contains("@\u{200b}everyone"));
}

#[test]
fn markdown_in_a_brief_is_shown_not_interpreted() {
    let p = passage(
        None,
        &["Use *stars*, _under_ and `code` | > quote."],
        vec![],
    );
    let payload = json(&render::answer(&answered(vec![hit(p, 0, &[])]), VIEW).to_message(None));
    assert_eq!(
        payload["embeds"][0]["description"],
        "**Use \\*stars\\*, \\_under\\_ and \\`code\\` \\| \\> quote.**"
    );
}

fn long_passage(sentences: usize, key: usize) -> Hit {
    let owned: Vec<String> = (0..sentences)
        .map(|i| format!("Sentence number {i} talks about soldiers and the front line at length."))
        .collect();
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    hit(passage(None, &refs, vec![]), key, &["soldiers"])
}

#[test]
fn long_passages_are_trimmed_at_a_sentence_around_the_key_sentence() {
    let h = long_passage(200, 150);
    for budget in [limits::DESCRIPTION, limits::CONTENT, 300] {
        let text = render::passage_markdown(&h, budget);
        assert!(
            render::len(&text) <= budget,
            "{budget}: {}",
            render::len(&text)
        );
        assert!(
            text.contains("**Sentence number 150 talks about __soldiers__"),
            "{text}"
        );
        assert!(text.starts_with("… Sentence number"), "{text}");
        assert!(text.ends_with("at length. …"), "{text}");
    }
}

#[test]
fn every_payload_stays_within_discord_limits() {
    let h = long_passage(400, 399);
    let mut answer = answered(vec![h]);
    let long = "x".repeat(5000);
    let hit = &mut answer.hits[0];
    let mut p = (*hit.passage).clone();
    let mut meta = (*p.brief).clone();
    meta.title = long.clone();
    meta.publisher = Some(long.clone());
    p.brief = Arc::new(meta);
    p.attribution = vec![Attribution {
        name: long.clone(),
        role: None,
        org: None,
    }];
    hit.passage = Arc::new(p);
    for embeds in [true, false] {
        let reply = render::answer(&answer, View { embeds, ..VIEW });
        let payload = json(&reply.to_message(None));
        let content = payload["content"].as_str().unwrap_or("");
        assert!(render::len(content) <= limits::CONTENT);
        if let Some(e) = payload["embeds"].as_array().and_then(|a| a.first()) {
            let s = |v: &serde_json::Value| render::len(v.as_str().unwrap_or(""));
            let (title, desc) = (s(&e["title"]), s(&e["description"]));
            let (field, footer) = (s(&e["fields"][0]["value"]), s(&e["footer"]["text"]));
            assert!(title <= limits::TITLE && desc <= limits::DESCRIPTION);
            assert!(field <= limits::FIELD_VALUE && footer <= limits::FOOTER);
            assert!(title + desc + field + footer + "Source".len() <= limits::EMBED_TOTAL);
            assert!(e["title"].as_str().unwrap().ends_with('…'));
        }
    }
}

#[test]
fn one_enormous_sentence_is_cut_at_a_word_with_the_bold_kept_whole() {
    let words = "soldiers march ".repeat(1000);
    let h = hit(passage(None, &[words.trim()], vec![]), 0, &[]);
    let text = render::passage_markdown(&h, 500);
    assert!(render::len(&text) <= 500);
    assert!(
        text.starts_with("**soldiers march") && text.ends_with("**…"),
        "{text}"
    );
}

#[test]
fn clip_prefers_a_sentence_end_and_marks_the_cut() {
    assert_eq!(render::clip("short", 10), "short");
    assert_eq!(
        render::clip("First sentence here. Second one is long", 30),
        "First sentence here.…"
    );
    assert_eq!(render::clip("aaaa bbbb cccc dddd", 12), "aaaa bbbb…");
    // Astral characters count double, as Discord counts them.
    assert!(render::len(&render::clip(&"😀".repeat(50), 11)) <= 11);
}

#[test]
fn adjacent_matched_words_are_underlined_together() {
    let p = passage(None, &["Jennifer Jun said so."], vec![jun()]);
    let reply = render::answer(&answered(vec![hit(p, 0, &["Jennifer", "Jun"])]), VIEW);
    assert_eq!(
        json(&reply.to_message(None))["embeds"][0]["description"],
        "**__Jennifer Jun__ said so.**"
    );
}
