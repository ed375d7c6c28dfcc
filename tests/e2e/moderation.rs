//! Moderators: refusals for members, `/brief add` with
//! an attachment scoped to its guild, and `/reindex` under load.

use crate::harness::*;
use fake_discord::{Recorded, Slash};

const PENGUIN_BRIEF: &str = "---
title: The Zorblatt accord
publisher: Penguin Gazette
tags: antarctica, penguins
---
Forty-two emperor penguins signed the Zorblatt accord at the Halley research station yesterday, agreeing to share the krill fishing grounds of the Weddell Sea.
So what? The accord is the first treaty ever signed by flightless birds, according to Ada Quill, a zoologist at the University of Tromsø.
";

const PENGUIN_QUESTION: &str = "how many penguins signed the zorblatt accord?";

fn ephemeral(r: &Recorded) -> bool {
    r.message()["flags"].as_u64().unwrap_or(0) & 64 == 64
}

#[test]
fn members_are_refused_and_a_moderators_brief_serves_only_its_guild() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, member, moderator) = (guild_a(), asker(), moderator());

        // A member's /reindex and /brief add: refused, privately, nothing done.
        let reindex = f.send_slash(&Slash::new("reindex", &g, CH_MOD, &member));
        let refusal = f.wait_for_interaction_reply(&reindex, T).await;
        assert!(ephemeral(&refusal), "{}", refusal.body);
        assert!(
            refusal.text().contains("Only moderators"),
            "{}",
            refusal.text()
        );
        assert_no_pings(&refusal);

        let file = f.host_attachment("zorblatt.md", PENGUIN_BRIEF.as_bytes());
        let add = Slash::new("brief", &g, CH_MOD, &member).subcommand("add");
        let add = f.send_slash(&add.attachment("file", file.clone()));
        let refusal = f.wait_for_interaction_reply(&add, T).await;
        assert!(
            ephemeral(&refusal) && refusal.text().contains("Only moderators"),
            "{}",
            refusal.body
        );
        let attachment_path = file.url.trim_start_matches(&f.url()).to_string();
        let fetched = f.requests_matching(|r| r.path == attachment_path);
        assert!(fetched.is_empty(), "a refused /brief add downloads nothing");

        // The moderator's /brief add: the file is fetched from the fake and
        // the brief is added for this guild.
        let add = Slash::new("brief", &g, CH_MOD, &moderator).subcommand("add");
        let add = f.send_slash(&add.attachment("file", file));
        let done = f.wait_for_interaction_reply(&add, T).await;
        assert!(ephemeral(&done), "{}", done.body);
        assert!(
            done.text().contains("Added **The Zorblatt accord**"),
            "{}",
            done.text()
        );
        assert_no_pings(&done);
        let fetched = f.requests_matching(|r| r.path == attachment_path);
        assert_eq!(fetched.len(), 1, "downloaded once from the attachment URL");

        // Guild A's members are answered from it...
        let q = f.send_message(&fake_discord::Msg::mention_bot(
            &g,
            CH_MOD,
            &member,
            PENGUIN_QUESTION,
        ));
        let answer = bot.reply_to(&q).await;
        let text = answer.plain_text();
        assert!(
            text.contains("Forty-two emperor penguins") && text.contains("Penguin Gazette"),
            "{text}"
        );

        // ...guild B's are not.
        let q = f.send_message(&fake_discord::Msg::mention_bot(
            &guild_b(),
            CH_B,
            &member,
            PENGUIN_QUESTION,
        ));
        let other = bot.reply_to(&q).await;
        assert!(other.ok());
        let text = other.plain_text();
        assert!(
            !text.contains("Forty-two") && !text.contains("Penguin Gazette"),
            "guild B saw guild A's brief: {text}"
        );
        assert_no_pings(&other);
    });
}

#[test]
fn reindex_while_fifty_questions_are_in_flight() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let (g, member) = (guild_a(), asker());
        // Through /ask: fifty mentions in one channel would meet its posting
        // budget (tests/e2e/burst.rs), which is not what this test is about.
        let ask =
            |q: &str| f.send_slash(&Slash::new("ask", &g, CH_LOAD, &member).string("question", q));
        let questions: Vec<String> = (0..25).map(|_| ask("how many soldiers?")).collect();
        let reindex = f.send_slash(&Slash::new("reindex", &g, CH_LOAD, &moderator()));
        let more: Vec<String> = (0..25).map(|_| ask("what does russia get?")).collect();

        let report = f.wait_for_interaction_reply(&reindex, T).await;
        assert!(ephemeral(&report), "{}", report.body);
        let text = report.text();
        assert!(
            text.to_lowercase().contains("passages"),
            "the report gives counts: {text}"
        );

        for token in &questions {
            let r = f.wait_for_interaction_reply(token, T).await;
            assert_no_pings(&r);
            assert!(r.text().contains("11,000"), "{}", r.text());
        }
        // The second question is answered or declined exactly as the engine
        // does outside the rebuild: the swap never shows a half-built index.
        let engine = bot.engine.clone();
        let expected = tokio::task::spawn_blocking(move || {
            engine.ask("what does russia get?").unwrap().answered
        })
        .await
        .unwrap();
        for token in &more {
            let r = f.wait_for_interaction_reply(token, T).await;
            let is_answer = r.message()["embeds"][0]["description"].is_string();
            assert_eq!(is_answer, expected, "under reindex: {}", r.text());
        }
        for token in questions.iter().chain(&more) {
            let refused = f.interaction_requests(token);
            assert!(refused.iter().all(|r| r.ok()), "{refused:?}");
        }
    });
}
