//! A server's own settings, its `/reindex` limit and `/help`, in process.

use briefbot::bot::ask;
use briefbot::bot::help;
use briefbot::bot::moderation::{self, Reindexer};
use briefbot::bot::server_settings::{self, SettingsRequest};

use super::support::*;

const ROLE_B: u64 = 88;
const CHANNEL_B: u64 = 21;

fn text(done: &moderation::Done) -> String {
    done.reply.content.clone().unwrap_or_default()
}

#[tokio::test]
async fn each_server_follows_its_own_settings_and_members_cannot_change_them() {
    let b = bot();
    let refused = server_settings::set(
        &b.state,
        &member(MEMBER),
        &SettingsRequest {
            embeds: Some(false),
            ..SettingsRequest::default()
        },
    )
    .await;
    assert!(refused.reply.ephemeral && text(&refused).contains("Only moderators"));
    assert!(b.state.store.audit_log(GUILD, 5).await.unwrap().is_empty());

    // Server B's moderator (Manage Server there) watches a channel, makes
    // ROLE_B moderators, turns the prefix off.
    let b_mod = in_guild(moderator(), OTHER_GUILD);
    let done = server_settings::set(
        &b.state,
        &b_mod,
        &SettingsRequest {
            watch: Some(CHANNEL_B),
            add_moderator_role: Some(ROLE_B),
            prefix: Some(false),
            ..SettingsRequest::default()
        },
    )
    .await;
    assert!(done.reply.ephemeral, "{done:?}");
    assert!(
        text(&done).contains(&format!("<#{CHANNEL_B}>")),
        "{}",
        text(&done)
    );
    let audit = b.state.store.audit_log(OTHER_GUILD, 5).await.unwrap();
    assert_eq!(audit[0].action, "settings");
    assert!(b.state.store.audit_log(GUILD, 5).await.unwrap().is_empty());

    // In server B: the channel is watched, the prefix is off, ROLE_B moderates.
    let mut overheard = message(ASKER, "how many soldiers did North Korea send?");
    overheard.author = in_guild(overheard.author, OTHER_GUILD);
    overheard.author.channel = CHANNEL_B;
    assert!(ask::message(&b.state, &overheard).await.is_some());
    let mut prefixed = message(ASKER, "!ask how many soldiers?");
    prefixed.author = in_guild(prefixed.author, OTHER_GUILD);
    assert!(ask::message(&b.state, &prefixed).await.is_none());
    let mut by_role = in_guild(member(MEMBER), OTHER_GUILD);
    by_role.roles = vec![ROLE_B];
    let show = server_settings::show(&b.state, &by_role).await;
    assert!(text(&show).contains("Watched channels"), "{}", text(&show));

    // Server A is untouched: its watched channel and prefix still work,
    // ROLE_B means nothing there and channel B is not watched.
    let mut a_overheard = message(ASKER, "how many soldiers did North Korea send?");
    a_overheard.author.channel = CHANNEL_B;
    assert!(ask::message(&b.state, &a_overheard).await.is_none());
    assert!(
        ask::message(&b.state, &message(ASKER, "!ask how many soldiers?"))
            .await
            .is_some()
    );
    let mut role_in_a = member(MEMBER);
    role_in_a.roles = vec![ROLE_B];
    let show = server_settings::show(&b.state, &role_in_a).await;
    assert!(text(&show).contains("Only moderators"), "{}", text(&show));
}

#[tokio::test]
async fn a_bad_cooldown_is_refused_with_the_allowed_range() {
    let b = bot();
    let done = server_settings::set(
        &b.state,
        &moderator(),
        &SettingsRequest {
            cooldown_secs: Some(-1.0),
            ..SettingsRequest::default()
        },
    )
    .await;
    assert!(
        text(&done).contains("between 0 and 86400"),
        "{}",
        text(&done)
    );
    assert!(b.state.store.audit_log(GUILD, 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_second_reindex_within_the_limit_is_refused_with_the_wait() {
    let b = bot_with(|s| s.discord.server_reindex_every_secs = 600);
    let first = moderation::reindex(&b.state, &moderator(), Reindexer::Member).await;
    assert!(text(&first).contains("Re-indexed in "), "{}", text(&first));
    let second = moderation::reindex(&b.state, &moderator(), Reindexer::Member).await;
    assert!(second.reply.ephemeral && second.log.is_none());
    let t = text(&second);
    assert!(
        t.contains("/reindex again in 600 s") || t.contains("again in 599 s"),
        "{t}"
    );
    // Another server has its own limit; the owners have none.
    let other = in_guild(moderator(), OTHER_GUILD);
    let there = moderation::reindex(&b.state, &other, Reindexer::Member).await;
    assert!(text(&there).contains("Re-indexed in "), "{}", text(&there));
    let owner = moderation::reindex(&b.state, &moderator(), Reindexer::Owner).await;
    assert!(text(&owner).contains("Re-indexed in "), "{}", text(&owner));
}

#[tokio::test]
async fn help_shows_a_member_how_to_ask_and_a_moderator_their_commands() {
    let b = bot();
    let for_member = help::help(&b.state, &member(MEMBER));
    assert!(for_member.ephemeral);
    let t = for_member.content.clone().unwrap();
    assert!(
        t.contains("/ask question:") && t.contains("North Korea"),
        "{t}"
    );
    assert!(!t.contains("/settings") && !t.contains("/reindex"), "{t}");
    let for_moderator = help::help(&b.state, &moderator()).content.unwrap();
    for command in ["/settings set", "/reindex", "/brief add", "/unanswered"] {
        assert!(
            for_moderator.contains(command),
            "{command}: {for_moderator}"
        );
    }
    assert!(
        for_moderator.contains("Watched channels"),
        "{for_moderator}"
    );
}

#[tokio::test]
async fn without_message_content_settings_say_what_the_operator_must_enable() {
    let b = bot_with(|s| s.discord.message_content_intent = false);
    let t = text(&server_settings::show(&b.state, &moderator()).await);
    assert!(
        t.contains("without the Message Content intent")
            && t.contains("discord.message_content_intent = true"),
        "{t}"
    );
    let with = bot_with(|s| s.discord.message_content_intent = true);
    let t = text(&server_settings::show(&with.state, &moderator()).await);
    assert!(!t.contains("Message Content"), "{t}");
}

#[tokio::test]
async fn a_server_cannot_watch_more_channels_than_a_reply_can_show() {
    let b = bot();
    let watch = |c: u64| SettingsRequest {
        watch: Some(c),
        ..SettingsRequest::default()
    };
    // The operator's default (WATCHED) is the first of the server's list.
    for c in 1..50 {
        let done = server_settings::set(&b.state, &moderator(), &watch(1000 + c)).await;
        assert!(
            text(&done).starts_with("Settings changed"),
            "{}",
            text(&done)
        );
    }
    let done = server_settings::set(&b.state, &moderator(), &watch(2000)).await;
    assert!(
        text(&done).contains("at most 50 channels"),
        "{}",
        text(&done)
    );
    let listed = b.state.server(Some(GUILD)).watched_channels;
    assert_eq!(listed.len(), 50);
    assert!(!listed.contains(&2000));
}
