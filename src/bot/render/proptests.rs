//! Whatever a brief holds, a rendered reply is one Discord accepts and one
//! that can ping no one: no panic, every part within Discord's limits, and no
//! mention or `@everyone` left unescaped. Briefs are generated from the
//! pieces hostile files are made of; passage ranges may be out of bounds or
//! split a character, as a damaged index could hand them over.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;

use super::{answer, len, limits, View};
use briefbot_engine::{Answer, Attribution, BriefMeta, Gap, Hit, Missing, Passage, Scope, Verdict};

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,12}".prop_map(String::from),
        Just(" ".to_string()),
        Just(". ".to_string()),
        Just("@everyone".to_string()),
        Just("@here".to_string()),
        Just("<@123>".to_string()),
        Just("<@!456>".to_string()),
        Just("<@&789>".to_string()),
        Just("<#42>".to_string()),
        Just("</ask:1>".to_string()),
        Just("```".to_string()),
        Just("**".to_string()),
        Just("__".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just("# ".to_string()),
        Just("[x](https://e.com)".to_string()),
        Just("😀".to_string()),
        Just("é".to_string()),
        Just("\u{200b}".to_string()),
        any::<char>().prop_map(String::from),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max).prop_map(|p| p.concat())
}

fn range() -> impl Strategy<Value = Range<usize>> {
    (0usize..3000, 0usize..400).prop_map(|(start, n)| start..start + n)
}

fn passage() -> impl Strategy<Value = Passage> {
    (
        text(400),
        prop::option::of(text(40)),
        text(60),
        prop::option::of(text(8)),
        prop::collection::vec(range(), 0..12),
        prop::collection::vec((text(8), prop::option::of(text(8))), 0..4),
        0usize..100,
    )
        .prop_map(
            |(body, heading, title, publisher, sentences, quoted, paragraph)| {
                let text = match &heading {
                    Some(h) => format!("{h} {body}"),
                    None => body,
                };
                Passage {
                    id: "p#1".into(),
                    brief: Arc::new(BriefMeta {
                        title,
                        publisher,
                        date: Some("2025-04-24".into()),
                        url: Some("https://example.org/brief".into()),
                        tags: vec![],
                        file: PathBuf::from("briefs/x.md"),
                        scope: Scope::Global,
                    }),
                    paragraph,
                    heading,
                    offsets: 0..text.len(),
                    sentences,
                    attribution: quoted
                        .into_iter()
                        .map(|(name, org)| Attribution {
                            name,
                            role: None,
                            org,
                        })
                        .collect(),
                    text,
                }
            },
        )
}

fn hit() -> impl Strategy<Value = Hit> {
    (passage(), range(), prop::collection::vec(range(), 0..10)).prop_map(|(p, key, highlights)| {
        Hit {
            passage: Arc::new(p),
            key_sentence: key,
            highlights,
            score: 1.0,
            confidence: 0.5,
            short_answer: None,
        }
    })
}

/// True when `s` holds a mention Discord would render: `<@…`, `<#…`, `</…`
/// after a `<` that no backslash escapes, or a bare `@everyone`/`@here`.
fn has_live_mention(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut escaped = false;
    for (i, c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '<' if matches!(chars.get(i + 1), Some('@' | '#' | '/')) => return true,
            _ => {}
        }
    }
    s.contains("@everyone") || s.contains("@here")
}

/// Every piece of text of a message payload, with its Discord limit.
fn parts(payload: &serde_json::Value) -> Vec<(String, usize)> {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut out = vec![(s(&payload["content"]), limits::CONTENT)];
    for e in payload["embeds"].as_array().into_iter().flatten() {
        out.push((s(&e["title"]), limits::TITLE));
        out.push((s(&e["description"]), limits::DESCRIPTION));
        out.push((s(&e["footer"]["text"]), limits::FOOTER));
        for f in e["fields"].as_array().into_iter().flatten() {
            out.push((s(&f["name"]), 256));
            out.push((s(&f["value"]), limits::FIELD_VALUE));
        }
        let total: usize = out.iter().skip(1).map(|(t, _)| len(t)).sum();
        assert!(total <= limits::EMBED_TOTAL, "embed of {total} units");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_brief_renders_within_limits_and_pings_no_one(
        hits in prop::collection::vec(hit(), 1..3),
        suggestions in prop::collection::vec(text(20), 0..6),
        answered in any::<bool>(),
        not_stated in any::<bool>(),
        missing in (text(400), text(700)),
        short in any::<bool>(),
        page in 0usize..3,
        embeds in any::<bool>(),
    ) {
        // As the engine hands them over: hits only for an answer.
        let mut hits = hits;
        if short {
            hits.iter_mut().for_each(|h| h.short_answer = Some(h.key_sentence.clone()));
        }
        let (hits, closest) = if answered { (hits, vec![]) } else { (vec![], hits) };
        let verdict = match (answered, not_stated) {
            (true, _) => Verdict::Answered,
            (false, true) => Verdict::NotStated,
            (false, false) => Verdict::NotInBriefs,
        };
        let a = Answer {
            question: "q".into(),
            verdict,
            answered,
            missing: (verdict == Verdict::NotStated).then(|| Missing {
                mentions: vec![missing.0],
                asked: missing.1,
                gaps: vec![Gap::Reader],
            }),
            hits,
            closest,
            suggestions,
            terms: vec![],
        };
        let reply = answer(&a, View { question_id: 1, page, embeds });
        let payload = serde_json::to_value(reply.to_message(None)).unwrap();
        let parts = parts(&payload);
        prop_assert!(parts.iter().any(|(t, _)| !t.trim().is_empty()), "empty reply: {payload}");
        for (t, max) in parts {
            prop_assert!(len(&t) <= max, "{} units over {max}: {t:?}", len(&t));
            prop_assert!(!has_live_mention(&t), "live mention in {t:?}");
        }
    }
}

#[test]
fn the_mention_check_itself_tells_escaped_from_live() {
    assert!(has_live_mention("hi <@123>"));
    assert!(
        has_live_mention("\\\\<@&1>"),
        "an escaped backslash escapes nothing"
    );
    assert!(has_live_mention("@everyone"));
    assert!(!has_live_mention("hi \\<@123> @\u{200b}everyone"));
}
