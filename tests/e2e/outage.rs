//! A Discord outage: the gateway drops and refuses every reconnection. The
//! bot says so, and a service manager's SIGTERM still stops it.

use std::time::Duration;

use briefbot::bot::readiness::Level;
use fake_discord::FakeDiscord;

use crate::harness::*;
use crate::processes::ServeProcess;

/// The child's `discord.shutdown_grace_secs`.
const GRACE_SECS: u64 = 2;

/// Building the index and connecting, in a debug build on a shared machine.
const START: Duration = Duration::from_secs(120);

#[test]
fn sigterm_stops_serve_after_the_gateway_has_been_unreachable_for_20_s() {
    run(async {
        let fake = FakeDiscord::start().await;
        fake.add_guild(guild_a());
        let dir = tempfile::tempdir().unwrap();
        let grace = GRACE_SECS.to_string();
        let mut serve = ServeProcess::spawn_alone(
            &fake.url(),
            dir.path(),
            &[("BRIEFBOT_SHUTDOWN_GRACE_SECS", &grace)],
            &[],
        );
        fake.wait_for_request(is_registration, START).await;

        fake.refuse_gateway(true);
        // Long enough for serenity to give up the shard runner (~15 s).
        tokio::time::sleep(Duration::from_secs(20)).await;
        assert!(
            serve.log().contains("readiness: gateway down"),
            "the outage is in the log:\n{}",
            serve.log()
        );

        // The bound is the one operators are promised; a process that does
        // not exit at all is what this catches.
        tokio::task::block_in_place(|| serve.stop(Duration::from_secs(GRACE_SECS + 2)));
        assert!(serve.log().contains("shutting down"), "{}", serve.log());
    });
}

#[test]
fn readiness_reports_the_gateway_down_and_back() {
    run(async {
        let bot = Bot::start(BotOptions::default()).await;
        let within = |level| tokio::time::timeout(T, bot.readiness.wait_for(level));
        within(Level::Answering).await.expect("answering");
        bot.fake.refuse_gateway(true);
        within(Level::GatewayDown).await.expect("gateway down");
        assert!(
            bot.readiness.snapshot().commands_registered,
            "registration is not lost with the connection"
        );
        bot.fake.refuse_gateway(false);
        within(Level::Answering)
            .await
            .expect("answering after the gateway is back");
        bot.stop().await.expect("clean stop");
    });
}
