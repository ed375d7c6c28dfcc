//! The Message Content intent is off by default: the bot starts on an
//! application that does not have it (Discord would close the gateway with
//! 4014 if it asked), answers `/ask`, mentions and DMs, and says once at
//! start what cannot work without it and how to turn it on.

use crate::harness::*;
use fake_discord::{Msg, Slash, MESSAGE_CONTENT};

#[test]
fn the_default_config_needs_no_message_content_and_answers_ask_mentions_and_dms() {
    run(async {
        let bot = Bot::start(BotOptions {
            fake: fake_discord::Options {
                message_content_allowed: false,
                ..Default::default()
            },
            message_content_intent: None,
            ..Default::default()
        })
        .await;
        let f = &bot.fake;
        let identify = f.wait_for_frame(2, 1, T).await;
        let intents = identify.d["intents"].as_u64().unwrap();
        assert_eq!(intents & MESSAGE_CONTENT, 0, "intents {intents:#b}");

        let (g, a) = (guild_a(), asker());
        let ask = Slash::new("ask", &g, CH_ASK, &a).string("question", "how many soldiers?");
        let token = f.send_slash(&ask);
        let r = f.wait_for_interaction_reply(&token, T).await;
        assert!(r.text().contains("11,000"), "{}", r.text());
        let mention = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &a, "how many soldiers?"));
        let r = bot.reply_to(&mention).await;
        assert!(r.plain_text().contains("11,000"), "{}", r.plain_text());
        let dm = f.send_message(&Msg::dm(CH_DM, a.user.clone(), "how many soldiers?"));
        let r = bot.reply_to(&dm).await;
        assert!(r.plain_text().contains("11,000"), "{}", r.plain_text());

        // The prefix reaches the bot blank, so it is not answered; a mention
        // sent after it is (the sentinel that bounds the wait).
        let prefix = f.send_message(&Msg::new(&g, CH_PREFIX, &a, "!ask how many soldiers?"));
        let sentinel = f.send_message(&Msg::mention_bot(&g, CH_PREFIX, &a, "how many soldiers?"));
        bot.reply_to(&sentinel).await;
        let to_prefix =
            f.requests_matching(|r| r.body["message_reference"]["message_id"] == prefix["id"]);
        assert!(
            to_prefix.is_empty(),
            "the prefix was answered: {to_prefix:?}"
        );

        let warned = logged("message_content_intent");
        assert_eq!(warned.len(), 1, "one warning line: {warned:?}");
        let line = &warned[0];
        for needed in [
            "prefix command",
            "watched channels",
            "Developer Portal",
            "Message Content Intent",
            "discord.message_content_intent = true",
        ] {
            assert!(line.contains(needed), "{needed:?} not in {line}");
        }
        bot.stop().await.expect("clean stop");
    });
}
