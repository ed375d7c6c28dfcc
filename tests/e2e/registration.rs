//! Slash-command registration that Discord refuses: the bot keeps answering
//! everything that does not need slash commands, retries, and reports where
//! it stands.

use std::time::Duration;

use briefbot::bot::readiness::Level;
use fake_discord::{Hold, Msg, RestFault, Slash};

use crate::harness::*;

/// Retries a few milliseconds apart, so the test takes no real backoff.
fn quick_retries() -> Vec<(&'static str, String)> {
    vec![
        ("BRIEFBOT_REGISTER_RETRY_SECS", "0.02".into()),
        ("BRIEFBOT_REGISTER_RETRY_MAX_SECS", "0.05".into()),
    ]
}

fn soldiers(text: &str) -> bool {
    text.contains("11,000")
}

#[test]
fn refused_registrations_are_retried_while_mentions_prefix_and_dms_are_answered() {
    run(async {
        // 50001, then 500, then 429; the fourth try is held until the test
        // has seen the other ways of asking answered, then it succeeds.
        let held = Hold::default();
        let bot = Bot::start(BotOptions {
            registration_faults: vec![
                RestFault::Refused {
                    status: 403,
                    code: 50001,
                    message: "Missing Access".into(),
                },
                RestFault::ServerError,
                RestFault::RateLimited { retry_after: 0.05 },
                RestFault::Hold(held.clone()),
            ],
            env: quick_retries(),
            ..Default::default()
        })
        .await;
        let f = &bot.fake;
        let (g, a) = (guild_a(), asker());
        assert!(held.arrived(T).await, "registration tried a fourth time");
        let tries = f.requests_matching(is_registration);
        let statuses: Vec<u16> = tries.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [403, 500, 429], "{tries:?}");

        // Before any registration has succeeded, every other way of asking works.
        let mention = f.send_message(&Msg::mention_bot(&g, CH_MENTION, &a, "how many soldiers?"));
        let r = bot.reply_to(&mention).await;
        assert!(r.ok() && soldiers(&r.text()), "{}", r.text());
        let prefix = f.send_message(&Msg::new(&g, CH_PREFIX, &a, "!ask how many soldiers?"));
        let r = bot.reply_to(&prefix).await;
        assert!(r.ok() && soldiers(&r.text()), "{}", r.text());
        let dm = f.send_message(&Msg::dm(CH_DM, a.user.clone(), "how many soldiers?"));
        let r = bot.reply_to(&dm).await;
        assert!(r.ok() && soldiers(&r.text()), "{}", r.text());
        assert!(f.registered_commands(Some(GUILD_A)).is_empty());
        assert_eq!(
            bot.readiness.level(),
            Level::CommandsUnregistered,
            "{:?}",
            bot.readiness.snapshot()
        );

        // The refusal was logged with Discord's reason.
        let refusal = logged("code 50001");
        assert!(
            refusal
                .iter()
                .any(|l| l.contains("403") && l.contains("Missing Access")),
            "{refusal:?}"
        );
        assert!(!logged("500: Internal Server Error").is_empty());

        held.release();
        tokio::time::timeout(T, bot.readiness.wait_for(Level::Answering))
            .await
            .expect("registered once Discord accepts");
        let ask = Slash::new("ask", &g, CH_ASK, &a).string("question", "how many soldiers?");
        let token = f.send_slash(&ask);
        let r = f.wait_for_interaction_reply(&token, T).await;
        assert!(soldiers(&r.text()), "{}", r.text());
        let ok = f.requests_matching(|r| is_registration(r) && r.ok());
        assert_eq!(ok.len(), 1, "no registration after the one that succeeded");
        bot.stop().await.expect("clean stop");
    });
}

#[test]
fn shutdown_stops_the_retries_of_a_registration_discord_keeps_refusing() {
    run(async {
        let refused = || RestFault::Refused {
            status: 400,
            code: 50035,
            message: "Invalid Form Body".into(),
        };
        let bot = Bot::start(BotOptions {
            registration_faults: (0..200).map(|_| refused()).collect(),
            env: quick_retries(),
            ..Default::default()
        })
        .await;
        bot.fake.wait_for_requests(3, is_registration, T).await;
        bot.stop().await.expect("clean stop");
        let after_stop = bot.fake.requests_matching(is_registration).len();
        // Watched for a bounded while: ten times the longest retry pause.
        let retried = tokio::time::timeout(Duration::from_millis(500), async {
            while bot.fake.requests_matching(is_registration).len() == after_stop {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(retried.is_err(), "registration retried after shutdown");
    });
}
