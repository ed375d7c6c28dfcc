//! Members asking: `/ask`, a mention, the prefix, a
//! watched channel, an unwatched one, a DM, and hostile input over the wire.

use crate::harness::*;
use fake_discord::{Msg, Recorded, Slash, User};

/// The `**…**` spans of a Markdown text.
fn bold_spans(text: &str) -> Vec<&str> {
    text.split("**").skip(1).step_by(2).collect()
}

/// An answer to "how many soldiers?" leads with the number in bold, then
/// holds the 11,000-soldiers passage with that sentence in bold and the
/// brief's attribution.
fn assert_soldiers_answer(r: &Recorded) {
    let m = r.message();
    let embed = &m["embeds"][0];
    let description = embed["description"].as_str().unwrap_or_else(|| {
        panic!("the answer has no embed description: {m}");
    });
    assert!(
        bold_spans(description)
            .iter()
            .any(|b| b.contains("11,000") && b.contains("soldiers")),
        "the key sentence is not bold: {description}"
    );
    assert!(
        description.starts_with("**At least 11,000**\n"),
        "the short answer does not lead: {description}"
    );
    let source = embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "Source")
        .unwrap_or_else(|| panic!("no Source field: {embed}"));
    let source = source["value"].as_str().unwrap();
    for part in ["Tortoise", "North Korea’s war in Europe", "¶2"] {
        assert!(
            source.contains(part),
            "source line lacks {part:?}: {source}"
        );
    }
    assert_no_pings(r);
}

#[test]
fn slash_ask_answers_with_the_passage_and_its_source() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let ask = Slash::new("ask", &guild_a(), CH_ASK, &asker())
            .string("question", "how many soldiers?");
        let token = f.send_slash(&ask);
        let reply = f.wait_for_interaction_reply(&token, T).await;
        assert_soldiers_answer(&reply);
        // Public (not ephemeral), with the paging and delete buttons.
        let flags = reply.message()["flags"].as_u64().unwrap_or(0);
        assert_eq!(flags & 64, 0, "an answer must be public");
        let labels: Vec<&str> = reply.message()["components"][0]["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["label"].as_str())
            .collect();
        assert!(
            labels.contains(&"Next match") && labels.contains(&"Delete"),
            "{labels:?}"
        );
        // Exactly one initial response; Discord refuses a second one.
        let callbacks = f.requests_matching(|r| r.path.ends_with(&format!("/{token}/callback")));
        assert_eq!(callbacks.len(), 1, "{callbacks:?}");
        assert!(callbacks[0].ok(), "{callbacks:?}");
    });
}

#[test]
fn mention_prefix_watched_channel_and_dm_are_answered() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());

        let mention = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &a, "how many soldiers?"));
        let answer = bot.reply_to(&mention).await;
        assert_soldiers_answer(&answer);

        // A reply to the bot's answer is a follow-up: no new mention needed.
        let follow_up = Msg::new(&g, CH_MENTION, &a, "and how many soldiers exactly?");
        let follow_up = f.send_message(&follow_up.reply_to(&answer.response));
        assert_soldiers_answer(&*bot.reply_to(&follow_up).await);

        let prefix = f.send_message(&Msg::new(&g, CH_PREFIX, &a, "!ask how many soldiers?"));
        assert_soldiers_answer(&*bot.reply_to(&prefix).await);

        let watched = f.send_message(&Msg::new(&g, CH_WATCHED, &a, "how many soldiers?"));
        assert_soldiers_answer(&*bot.reply_to(&watched).await);

        let dm = f.send_message(&Msg::dm(CH_DM, a.user.clone(), "how many soldiers?"));
        assert_soldiers_answer(&*bot.reply_to(&dm).await);
    });
}

#[test]
fn unwatched_channel_gets_no_reply() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());
        let question = f.send_message(&Msg::new(&g, CH_UNWATCHED, &a, "how many soldiers?"));
        // A mention right after is answered; by then a reply to the first
        // message would have been sent too (both take the same path).
        let sentinel = f.send_message(&Msg::mention_bot(
            &g,
            CH_UNWATCHED,
            &a,
            "how many soldiers?",
        ));
        bot.reply_to(&sentinel).await;
        let in_channel =
            f.requests_matching(|r| r.path == format!("/channels/{CH_UNWATCHED}/messages"));
        assert_eq!(
            in_channel.len(),
            1,
            "only the mention is answered: {in_channel:?}"
        );
        assert_ne!(
            in_channel[0].body["message_reference"]["message_id"],
            question["id"]
        );
    });
}

/// Questions that try to break the reply, the markdown or the query parser.
fn hostile_questions() -> Vec<(&'static str, String)> {
    vec![
        ("4,000 characters", "how many soldiers? ".repeat(210)),
        (
            "@everyone",
            "@everyone @here <@&11> <@302> how many soldiers?".into(),
        ),
        (
            "markdown",
            "**how** _many_ ~~soldiers~~ `x` ```rust\nfn main() {}\n``` > quote ||spoiler||".into(),
        ),
        (
            "zero-width and RTL",
            "how\u{200b} many\u{200d} sol\u{2060}diers\u{202e}?\u{202c} \u{061f}".into(),
        ),
        (
            "query syntax",
            "title:\" AND ( *~^ soldiers:[1 TO 2] OR \\ -".into(),
        ),
        ("only punctuation", "?!?! ... \u{200b}".into()),
    ]
}

#[test]
fn hostile_input_gets_a_valid_reply_or_a_clean_decline() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());
        for (what, text) in hostile_questions() {
            let mut msg = Msg::mention_bot(&g, CH_HOSTILE, &a, &text);
            if what == "@everyone" {
                msg = msg
                    .mention_everyone()
                    .mentioning(User::new(302, "bystander"));
            }
            let sent = f.send_message(&msg);
            let reply = bot.reply_to(&sent).await;
            // The fake enforces Discord's limits: a 2xx means it was a valid message.
            assert!(reply.ok(), "{what}: refused by Discord: {}", reply.response);
            assert_no_pings(&reply);
            let m = reply.message();
            let visible = [&m["content"], &m["embeds"][0]["description"]]
                .iter()
                .filter_map(|v| v.as_str())
                .any(|s| !s.trim().is_empty());
            assert!(visible, "{what}: an empty reply: {m}");
            if what == "@everyone" {
                // The mentions are not words of the question.
                assert!(reply.text().contains("11,000"), "{what}: {}", reply.text());
            }
        }
        // The same through /ask (Discord caps the option at the registered length).
        for (what, text) in hostile_questions() {
            let cap = briefbot_engine::MAX_QUESTION_CHARS;
            let text: String = text.chars().take(cap).collect();
            let ask = Slash::new("ask", &g, CH_HOSTILE, &a).string("question", &text);
            let token = f.send_slash(&ask);
            let reply = f.wait_for_interaction_reply(&token, T).await;
            assert!(
                reply.ok(),
                "/ask {what}: refused by Discord: {}",
                reply.response
            );
            assert_no_pings(&reply);
            let refused = f.interaction_requests(&token);
            assert!(refused.iter().all(|r| r.ok()), "/ask {what}: {refused:?}");
        }
        assert!(bot.is_running(), "the bot survived the hostile input");
    });
}
