//! Start-up (intents and command registration), faults (reconnects, REST
//! errors) and shutdown (answers in flight sent, then the gateway closed).

use std::time::Duration;

use serde_json::json;
use serenity::model::gateway::GatewayIntents;

use crate::harness::*;
use fake_discord::{Hold, Msg, Recorded, RestFault, Slash, APP_ID};

fn names(commands: &serde_json::Value) -> Vec<String> {
    let mut n: Vec<String> = commands
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    n.sort();
    n
}

#[test]
fn startup_identifies_with_the_documented_intents_and_registers_in_the_dev_guild() {
    run(async {
        let bot = shared().await;
        let f = &bot.fake;
        let identify = f.wait_for_frame(2, 1, T).await;
        assert_eq!(identify.d["token"], "Bot fake-token");
        assert_eq!(identify.d["shard"], json!([0, 1]));
        // The gateway URL came from the fake, and every API call carried the token.
        assert!(!f.requests_matching(|r| r.is("GET", "/gateway")).is_empty());
        let unauthorized = f.requests_matching(|r| r.status == 401);
        assert!(unauthorized.is_empty(), "{unauthorized:?}");
        let documented = GatewayIntents::GUILDS
            | GatewayIntents::GUILD_MESSAGES
            | GatewayIntents::DIRECT_MESSAGES
            | GatewayIntents::MESSAGE_CONTENT;
        assert_eq!(
            identify.d["intents"],
            documented.bits(),
            "intents in IDENTIFY"
        );

        let puts = f.requests_matching(|r| r.method == "PUT" && r.path.ends_with("/commands"));
        assert_eq!(puts.len(), 1, "registered once: {puts:?}");
        assert_eq!(
            puts[0].path,
            format!("/applications/{APP_ID}/guilds/{GUILD_A}/commands")
        );
        let body = &puts[0].body;
        assert_eq!(
            names(body),
            [
                "ask",
                "brief",
                "feedback",
                "forget-me",
                "help",
                "reindex",
                "settings",
                "unanswered"
            ]
        );
        let by_name = |n: &str| {
            body.as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == n)
                .unwrap()
                .clone()
        };
        let ask = by_name("ask");
        assert_eq!(ask["options"][0]["name"], "question");
        assert_eq!(ask["options"][0]["type"], 3);
        assert_eq!(ask["options"][0]["required"], true);
        assert!(
            ask["default_member_permissions"].is_null(),
            "everyone may /ask: {ask}"
        );
        let forget = by_name("forget-me");
        assert!(
            forget["default_member_permissions"].is_null(),
            "everyone may /forget-me: {forget}"
        );
        for moderator_only in ["reindex", "brief", "settings", "unanswered", "feedback"] {
            let c = by_name(moderator_only);
            assert_eq!(
                c["default_member_permissions"], "32",
                "{moderator_only} is hidden from members: {c}"
            );
        }
        assert_eq!(
            names(&by_name("brief")["options"]),
            ["add", "list", "remove"]
        );
        assert!(bot.is_running());
    });
}

/// One question in `channel`, answered (the fake accepted the reply).
async fn answered(bot: &Bot, channel: u64, text: &str) -> serde_json::Value {
    let q = bot
        .fake
        .send_message(&Msg::mention_bot(&guild_a(), channel, &asker(), text));
    let r = bot.reply_to(&q).await;
    assert!(r.ok(), "{}", r.response);
    assert!(r.text().contains("11,000"), "{}", r.text());
    q
}

#[test]
fn faults_reconnects_and_rest_errors_leave_the_bot_answering() {
    run(async {
        let options = BotOptions {
            fake: fake_discord::Options {
                heartbeat_interval: 2_000,
                ..Default::default()
            },
            ..Default::default()
        };
        let bot = Bot::start(options).await;
        let f = &bot.fake;
        let path = format!("/channels/{CH_ASK}/messages");
        answered(&bot, CH_ASK, "how many soldiers?").await;
        // Heartbeats are answered, so the session stays up.
        f.wait_for_frame(1, 1, T).await;

        // The socket drops mid-session: the bot resumes and answers.
        f.drop_gateway();
        answered(&bot, CH_ASK, "how many soldiers?").await;
        let resume = f.wait_for_frame(6, 1, T).await;
        assert_eq!(resume.d["session_id"], "fake-session-1");

        // Op 7 (reconnect): resumed again.
        f.send_reconnect();
        answered(&bot, CH_ASK, "how many soldiers?").await;
        f.wait_for_frame(6, 2, T).await;

        // Op 9, resumable, and a close with 4000 (unknown error): resumed.
        f.invalidate_session(true);
        answered(&bot, CH_ASK, "how many soldiers?").await;
        f.wait_for_frame(6, 3, T).await;
        f.close_gateway(4000);
        answered(&bot, CH_ASK, "how many soldiers?").await;
        f.wait_for_frame(6, 4, T).await;
        assert_eq!(f.frames_with_op(2), 1, "no re-identify so far");

        // Op 9, not resumable: a fresh IDENTIFY.
        f.invalidate_session(false);
        answered(&bot, CH_ASK, "how many soldiers?").await;
        f.wait_for_frame(2, 2, T).await;

        // A 429 and a 500 on the reply: retried, delivered once, and the bot
        // answers the next question (tests/e2e/retries.rs has the details).
        for (fault, status) in [
            (RestFault::RateLimited { retry_after: 0.1 }, 429),
            (RestFault::ServerError, 500),
        ] {
            let p = path.clone();
            f.fail_next(move |r| r.is("POST", &p), fault);
            let q = f.send_message(&Msg::mention_bot(
                &guild_a(),
                CH_ASK,
                &asker(),
                "how many soldiers?",
            ));
            let failed = bot.reply_to(&q).await;
            assert_eq!(failed.status, status);
            answered(&bot, CH_ASK, "how many soldiers?").await;
            let to_q = f.requests_matching(|r| {
                r.is("POST", &path) && r.body["message_reference"]["message_id"] == q["id"]
            });
            assert_eq!(
                to_q.iter().filter(|r| r.ok()).count(),
                1,
                "one reply after the {status}: {to_q:?}"
            );
        }
        // A slow answer from Discord is waited for, not retried.
        let p = path.clone();
        f.fail_next(
            move |r| r.is("POST", &p),
            RestFault::Delay(Duration::from_millis(500)),
        );
        let q = answered(&bot, CH_ASK, "how many soldiers?").await;
        let to_q = f.requests_matching(|r| r.body["message_reference"]["message_id"] == q["id"]);
        assert_eq!(to_q.len(), 1, "one reply to a slow send: {to_q:?}");
        assert!(bot.is_running());
        bot.stop().await.expect("clean stop");
    });
}

#[test]
fn shutdown_sends_in_flight_answers_then_closes_the_gateway() {
    run(async {
        let bot = Bot::start(BotOptions {
            dev_guild: None,
            ..Default::default()
        })
        .await;
        let f = &bot.fake;
        // Without a dev guild the commands are registered globally.
        let puts = f.requests_matching(|r| r.method == "PUT" && r.path.ends_with("/commands"));
        assert_eq!(puts.len(), 1, "{puts:?}");
        assert_eq!(puts[0].path, format!("/applications/{APP_ID}/commands"));

        let path = format!("/channels/{CH_ASK}/messages");
        let hold = Hold::default();
        let p = path.clone();
        f.fail_next(move |r| r.is("POST", &p), RestFault::Hold(hold.clone()));
        let q = f.send_message(&Msg::mention_bot(
            &guild_a(),
            CH_ASK,
            &asker(),
            "how many soldiers?",
        ));
        assert!(hold.arrived(T).await, "the answer is on its way");

        bot.trigger_shutdown();
        // While the answer is still being sent, the bot neither returns from
        // run() nor closes the gateway (watched for a bounded while: a bot that
        // does not wait closes within well under a second).
        let stopped = bot.wait_stopped(Duration::from_secs(2)).await;
        assert!(
            !stopped && f.client_close_codes().is_empty(),
            "the bot stopped with an answer in flight"
        );
        hold.release();
        bot.join().await.expect("run returns Ok after shutdown");

        let reply = bot.reply_to(&q).await;
        assert!(reply.ok(), "{}", reply.response);
        assert!(f.wait_gateway_closed(T).await, "the gateway is closed");
        let closes = f.client_close_codes();
        assert!(
            !closes.is_empty(),
            "the bot closed the gateway itself (close frame)"
        );
        assert!(
            closes.iter().all(|(_, at)| *at >= reply.at),
            "gateway closed before the answer was sent"
        );
    });
}

fn restarting(r: &Recorded) -> bool {
    r.ok() && r.text().contains("I'm restarting")
}

#[test]
fn once_shutdown_begins_every_way_of_asking_is_told_the_bot_is_restarting() {
    run(async {
        let bot = Bot::start(BotOptions::default()).await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());
        // An answer held in flight keeps the bot connected while it drains.
        let path = format!("/channels/{CH_ASK}/messages");
        let hold = Hold::default();
        let p = path.clone();
        f.fail_next(move |r| r.is("POST", &p), RestFault::Hold(hold.clone()));
        f.send_message(&Msg::mention_bot(&g, CH_ASK, &a, "how many soldiers?"));
        assert!(hold.arrived(T).await, "the first answer is on its way");
        bot.trigger_shutdown();

        // The shutdown signal reaches the bot a moment later: ask until it says so.
        let mut said_so = false;
        for _ in 0..50 {
            let q = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &a, "how many soldiers?"));
            let reply = bot.reply_to(&q).await;
            if restarting(&reply) {
                said_so = true;
                break;
            }
        }
        assert!(
            said_so,
            "a mention after shutdown is told the bot is restarting"
        );

        // From then on: a mention, /ask, and the moderator commands alike.
        let q = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &other(), "who is Kim?"));
        let r = bot.reply_to(&q).await;
        assert!(restarting(&r), "{}", r.text());
        assert_no_pings(&r);
        let ask = Slash::new("ask", &g, CH_ASK, &a).string("question", "how many soldiers?");
        let token = f.send_slash(&ask);
        let r = f.wait_for_interaction_reply(&token, T).await;
        assert!(restarting(&r), "{}", r.text());
        for (name, sub) in [
            ("reindex", None),
            ("brief", Some("list")),
            ("unanswered", None),
        ] {
            let mut cmd = Slash::new(name, &g, CH_MOD, &moderator());
            if let Some(sub) = sub {
                cmd = cmd.subcommand(sub);
            }
            let token = f.send_slash(&cmd);
            let r = f.wait_for_interaction_reply(&token, T).await;
            assert!(restarting(&r), "/{name}: {}", r.text());
            assert_eq!(
                r.message()["flags"].as_u64().unwrap_or(0) & 64,
                64,
                "/{name}: private"
            );
        }
        hold.release();
        bot.join().await.expect("run returns Ok after shutdown");
    });
}
