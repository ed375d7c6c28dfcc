//! Members asking: `/ask`, a mention, the prefix, watched channels, follow-ups,
//! DMs, declines, buttons and cooldowns.

use std::time::Duration;

use briefbot::bot::ask::{self, Via};
use briefbot::bot::press::{self, Outcome};
use briefbot::bot::reply::Reply;
use serde_json::json;

use super::support::*;

const SOLDIERS: &str = "how many soldiers?";

#[tokio::test]
async fn a_members_slash_ask_gets_the_passage_its_source_and_buttons() {
    let b = bot();
    let reply = ask::slash(&b.state, &slash(ASKER, SOLDIERS)).await;
    assert_eq!(reply, expected(&b.state, SOLDIERS, Some(GUILD), 1, 0).await);
    let payload = json(&reply.to_interaction());
    assert_no_pings(&payload);
    assert_eq!(payload["flags"], 0, "answers are public");
    let embed = &payload["embeds"][0];
    assert!(
        embed["description"].as_str().unwrap().contains("**"),
        "{embed}"
    );
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("__soldiers__"),
        "{embed}"
    );
    assert_eq!(embed["fields"][0]["name"], "Source");
    assert!(embed["fields"][0]["value"].as_str().unwrap().contains('¶'));
    assert_eq!(
        button_ids(&payload),
        vec!["bb:next:1:1", "bb:up:1:0", "bb:down:1:0", "bb:del:1"]
    );
}

#[tokio::test]
async fn a_mention_is_answered_as_a_question_not_parsed_as_a_command() {
    let b = bot();
    let mut msg = message(ASKER, &format!("<@{BOT}> {SOLDIERS}"));
    msg.mentions_bot = true;
    let reply = ask::message(&b.state, &msg).await.expect("a reply");
    assert_eq!(reply, expected(&b.state, SOLDIERS, Some(GUILD), 1, 0).await);
    let payload = json(&reply.to_message(Some((CHANNEL.into(), msg.id.into()))));
    assert_no_pings(&payload);
    assert_eq!(
        payload["message_reference"]["message_id"],
        msg.id.to_string()
    );
    assert_eq!(
        payload["message_reference"]["channel_id"],
        CHANNEL.to_string()
    );
}

#[tokio::test]
async fn the_prefix_command_asks_and_lookalikes_are_ignored() {
    let b = bot();
    let reply = ask::message(&b.state, &message(ASKER, "!ask how many soldiers?")).await;
    assert_eq!(
        reply,
        Some(expected(&b.state, SOLDIERS, Some(GUILD), 1, 0).await)
    );
    assert_eq!(
        ask::message(&b.state, &message(ASKER, "!asking how many soldiers?")).await,
        None
    );
    assert_eq!(
        ask::message(&b.state, &message(ASKER, "how many soldiers?")).await,
        None,
        "an unwatched channel is not answered without a mention"
    );
}

#[tokio::test]
async fn a_question_in_a_watched_channel_is_answered_and_chatter_is_not() {
    let b = bot();
    let mut msg = message(ASKER, SOLDIERS);
    msg.author.channel = WATCHED;
    let reply = ask::message(&b.state, &msg).await;
    assert_eq!(
        reply,
        Some(expected(&b.state, SOLDIERS, Some(GUILD), 1, 0).await)
    );
    let mut chatter = message(ASKER, "great brief, thanks all");
    chatter.author.channel = WATCHED;
    assert_eq!(ask::message(&b.state, &chatter).await, None);
    let mut from_bot = msg.clone();
    from_bot.author_is_bot = true;
    assert_eq!(
        ask::message(&b.state, &from_bot).await,
        None,
        "bots are never answered"
    );
}

#[tokio::test]
async fn follow_ups_in_a_thread_and_replies_to_the_bot_need_no_mention() {
    let b = bot();
    let mut first = message(ASKER, "!ask how many soldiers?");
    first.author.channel = 77;
    first.in_thread = true;
    assert!(ask::message(&b.state, &first).await.is_some());
    let mut follow = message(ASKER, "what does Russia get?");
    follow.author.channel = 77;
    follow.in_thread = true;
    assert!(
        ask::message(&b.state, &follow).await.is_some(),
        "same thread"
    );
    let mut elsewhere = follow.clone();
    elsewhere.author.channel = 78;
    assert_eq!(
        ask::message(&b.state, &elsewhere).await,
        None,
        "a thread the bot never answered in"
    );

    let mut reply_to_bot = message(ASKER, "and Kim?");
    reply_to_bot.replies_to_bot = true;
    assert!(ask::message(&b.state, &reply_to_bot).await.is_some());
}

#[tokio::test]
async fn direct_messages_are_answered_unless_turned_off() {
    let mut dm = message(ASKER, SOLDIERS);
    dm.author.guild = None;
    let b = bot();
    let reply = ask::message(&b.state, &dm).await;
    assert_eq!(reply, Some(expected(&b.state, SOLDIERS, None, 1, 0).await));
    let off = bot_with(|s| s.discord.dms = false);
    assert_eq!(ask::message(&off.state, &dm).await, None);
}

#[tokio::test]
async fn an_out_of_scope_question_is_declined_honestly() {
    let b = bot();
    let reply = ask::slash(&b.state, &slash(ASKER, "What is the capital of France?")).await;
    let payload = json(&reply.to_interaction());
    let content = payload["content"].as_str().unwrap();
    assert!(
        content.starts_with("I couldn't find that in the briefs."),
        "{content}"
    );
    assert_eq!(
        payload["embeds"],
        json!([]),
        "no passage is passed off as an answer"
    );
    assert_eq!(payload["components"], json!([]));
    assert_no_pings(&payload);
    let declined = b.state.store.declined(GUILD, 10).await.unwrap();
    assert_eq!(declined[0].text, "What is the capital of France?");
}

#[tokio::test]
async fn next_match_pages_for_the_asker_only_until_it_expires() {
    let b = bot();
    ask::slash(&b.state, &slash(ASKER, SOLDIERS)).await;
    let page1 = expected(&b.state, SOLDIERS, Some(GUILD), 1, 1).await;
    assert_eq!(
        press::press(&b.state, &press(ASKER, "bb:next:1:1")).await,
        Outcome::Update(page1.clone())
    );
    let payload = json(&page1.to_interaction());
    assert_eq!(payload["embeds"][0]["footer"]["text"], "Match 2 of 5");
    assert_eq!(button_ids(&payload)[0], "bb:next:1:2");

    assert_eq!(
        press::press(&b.state, &press(MEMBER, "bb:next:1:1")).await,
        Outcome::Respond(Reply::private(
            "Only the member who asked can page through these matches. Ask your own with /ask."
        ))
    );
    b.state.advance_clock(901);
    assert_eq!(
        press::press(&b.state, &press(ASKER, "bb:next:1:1")).await,
        Outcome::Respond(Reply::private(
            "These matches have expired. Ask again to see fresh ones."
        ))
    );
    assert_eq!(
        press::press(&b.state, &press(ASKER, "someone-else:1")).await,
        Outcome::Ignore
    );
}

#[tokio::test]
async fn delete_is_for_the_asker_and_moderators() {
    let b = bot();
    ask::slash(&b.state, &slash(ASKER, SOLDIERS)).await;
    assert_eq!(
        press::press(&b.state, &press(MEMBER, "bb:del:1")).await,
        Outcome::Respond(Reply::private(
            "Only the member who asked, or a moderator, can delete this answer."
        ))
    );
    assert_eq!(
        press::press(&b.state, &press(ASKER, "bb:del:1")).await,
        Outcome::Delete { log: None }
    );
    let mut by_role = press(MODERATOR, "bb:del:1");
    by_role.member.roles = vec![MOD_ROLE];
    let Outcome::Delete { log: Some(log) } = press::press(&b.state, &by_role).await else {
        panic!("a moderator may delete");
    };
    assert_eq!(log, format!("<@{MODERATOR}> (server {GUILD}) delete: deleted the answer to question 1 asked by \\<@{ASKER}\\>"));
    let audit = b.state.store.audit_log(GUILD, 5).await.unwrap();
    assert_eq!(
        (audit[0].user, audit[0].action.as_str()),
        (MODERATOR, "delete")
    );
}

#[tokio::test]
async fn feedback_is_one_vote_per_member_per_answer() {
    let b = bot();
    ask::slash(&b.state, &slash(ASKER, SOLDIERS)).await;
    let vote = |user, id: &'static str| {
        let state = b.state.clone();
        async move { press::press(&state, &press(user, id)).await }
    };
    assert_eq!(
        vote(MEMBER, "bb:down:1:0").await,
        Outcome::Respond(Reply::private("Thanks, your 👎 is recorded."))
    );
    assert_eq!(
        vote(MEMBER, "bb:down:1:0").await,
        Outcome::Respond(Reply::private("You already gave this answer a 👎."))
    );
    vote(ASKER, "bb:up:1:0").await;
    let passage = b
        .state
        .store
        .question(1)
        .await
        .unwrap()
        .unwrap()
        .passage_id
        .unwrap();
    assert_eq!(b.state.store.votes(1, &passage).await.unwrap(), (1, 1));
}

#[tokio::test]
async fn cooldowns_slow_a_member_down_without_flooding_the_channel() {
    let b = bot_with(|s| s.discord.user_cooldown_secs = 30.0);
    let first = message(ASKER, "!ask how many soldiers?");
    assert!(ask::message(&b.state, &first).await.is_some());
    let mut again = first.clone();
    again.received = first.received + Duration::from_secs(10);
    assert_eq!(
        ask::message(&b.state, &again).await,
        Some(Reply::text("Slow down: you can ask again in 20 s."))
    );
    again.received = first.received + Duration::from_secs(11);
    assert_eq!(
        ask::message(&b.state, &again).await,
        None,
        "told once, then quiet"
    );
    let mut slash_again = slash(ASKER, SOLDIERS);
    slash_again.received = first.received + Duration::from_secs(12);
    assert_eq!(
        ask::slash(&b.state, &slash_again).await,
        Reply::private("Slow down: you can ask again in 18 s.")
    );
    let mut other = message(MEMBER, "!ask how many soldiers?");
    other.received = again.received;
    assert!(
        ask::message(&b.state, &other).await.is_some(),
        "others still get answers"
    );
}

#[tokio::test]
async fn after_shutdown_begins_every_question_is_told_the_bot_is_restarting() {
    let b = bot();
    let in_flight = b.state.in_flight.enter();
    b.state.in_flight.close();
    assert!(!in_flight.closing(), "admitted before: answered as usual");
    assert!(b.state.in_flight.enter().closing(), "after: refused");
    let words = "I'm restarting. Please ask again in a minute.";
    assert_eq!(ask::restarting(Via::Slash), Some(Reply::private(words)));
    assert_eq!(
        ask::restarting(Via::Message),
        Some(Reply::text(words)),
        "a mention gets what /ask gets, in the channel"
    );
    assert_eq!(ask::restarting(Via::Overheard), None);
}

#[tokio::test]
async fn mentions_and_markup_in_a_question_keep_its_meaning() {
    let b = bot();
    for text in [
        "<@302> how many soldiers?",
        "<@&11> <@!302> how many soldiers?",
        "@everyone @here how many <:kim:123> soldiers?",
        "<#9> how many soldiers <t:1745452800:R>?",
    ] {
        let mut msg = message(ASKER, &format!("<@{BOT}> {text}"));
        msg.mentions_bot = true;
        let reply = ask::message(&b.state, &msg).await.expect("a reply");
        let shown = json(&reply.to_message(None));
        assert!(
            shown["embeds"][0]["description"]
                .as_str()
                .is_some_and(|d| d.contains("11,000")),
            "{text}: {shown}"
        );
    }
    // A mention with a known name reads as that name.
    let mut msg = message(ASKER, &format!("<@{BOT}> who is <@7>?"));
    msg.mentions_bot = true;
    msg.names.users.insert(7, "Jennifer Jun".into());
    let reply = ask::message(&b.state, &msg).await.expect("a reply");
    let shown = json(&reply.to_message(None));
    assert!(
        shown.to_string().contains("Jennifer Jun"),
        "answered about the member named: {shown}"
    );
}

#[tokio::test]
async fn hostile_questions_get_a_valid_reply_and_ping_no_one() {
    let b = bot();
    for q in [
        "@everyone title:\" AND ( *~^ <@&1> ```",
        &"how many soldiers ".repeat(300),
        "\u{200b}\u{202e}how many soldiers?",
    ] {
        let reply = ask::slash(&b.state, &slash(ASKER, q)).await;
        let payload = json(&reply.to_interaction());
        assert_no_pings(&payload);
        let content = payload["content"].as_str().unwrap_or("");
        assert!(content.chars().count() <= 2000 && !content.contains("@everyone"));
    }
}

#[tokio::test]
async fn a_bare_mention_gets_a_hint_not_a_search() {
    let b = bot();
    let mut msg = message(ASKER, &format!("<@{BOT}>"));
    msg.mentions_bot = true;
    assert_eq!(
        ask::message(&b.state, &msg).await,
        Some(Reply::text(
            "Ask me about the briefs, for example `/ask question: how many soldiers?`"
        ))
    );
    assert!(
        b.state.store.question(1).await.unwrap().is_none(),
        "nothing recorded"
    );
}

#[tokio::test]
async fn an_overheard_question_the_briefs_cannot_answer_gets_no_reply_but_is_recorded() {
    let b = bot();
    let mut msg = message(ASKER, "anyone up for pizza tonight?");
    msg.author.channel = WATCHED;
    assert_eq!(
        ask::message(&b.state, &msg).await,
        None,
        "no public decline for chatter"
    );
    let declined = b.state.store.declined(GUILD, 5).await.unwrap();
    assert_eq!(declined[0].text, "anyone up for pizza tonight?");
    let mut asked = message(ASKER, &format!("<@{BOT}> anyone up for pizza tonight?"));
    asked.mentions_bot = true;
    let reply = ask::message(&b.state, &asked)
        .await
        .expect("asked directly");
    assert!(reply
        .content
        .unwrap()
        .starts_with("I couldn't find that in the briefs."));
}
