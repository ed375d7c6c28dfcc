//! Moderators: refusals for members, `/reindex`, a server's own briefs,
//! `/unanswered`, `/feedback`, and questions answered during a rebuild.

use std::sync::Arc;

use briefbot::bot::ask;
use briefbot::bot::events::Attachment;
use briefbot::bot::moderation::{self, Done, Reindexer};
use briefbot::bot::reply::Reply;
use briefbot::store::StoredQuestion;
use briefbot_engine::Scope;
use serde_json::json;

use super::support::*;

const LUNAR: &str = "---\ntitle: Water on the Moon\npublisher: Test Desk\ndate: 2025-01-02\n---\n\nIce at the poles. Orbiters found roughly 600 million tonnes of water ice in shadowed craters near the lunar north pole, enough to make rocket fuel.\n\nWho pays? Space agencies plan to mine the regolith with robotic excavators.\n";
const LUNAR_Q: &str = "how much water ice is in the lunar craters?";

/// Serve `body` at `/attachments/<name>` on loopback; returns the URL.
async fn serve_attachment(name: &str, body: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        &format!("/attachments/{name}"),
        axum::routing::get(move || async move { body }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{}/attachments/{name}", addr.port())
}

fn loopback_bot() -> TestBot {
    bot_with(|s| s.discord.attachment_hosts = vec!["127.0.0.1".into()])
}

fn attachment(name: &str, url: &str, size: usize) -> Attachment {
    Attachment {
        filename: name.into(),
        url: url.into(),
        size: size as u64,
    }
}

#[tokio::test]
async fn a_non_moderators_reindex_is_refused_privately() {
    let b = bot();
    let done = moderation::reindex(&b.state, &member(MEMBER), Reindexer::Member).await;
    assert_eq!(
        done,
        Done {
            reply: Reply::private(
                "Only moderators can use /reindex: members with Manage Server or a moderator role."
            ),
            log: None,
        }
    );
    let payload = json(&done.reply.to_interaction());
    assert_eq!(payload["flags"], 64, "ephemeral");
    assert_no_pings(&payload);
    assert!(b.state.store.audit_log(GUILD, 5).await.unwrap().is_empty());
    let mut in_dm = moderator();
    in_dm.guild = None;
    assert_eq!(
        moderation::reindex(&b.state, &in_dm, Reindexer::Member)
            .await
            .reply,
        Reply::private("/reindex works in a server, not in direct messages.")
    );
}

#[tokio::test]
async fn a_moderators_reindex_reports_and_is_audited() {
    let b = bot();
    let mut by_role = member(MODERATOR);
    by_role.roles = vec![MOD_ROLE];
    let done = moderation::reindex(&b.state, &by_role, Reindexer::Member).await;
    let text = done.reply.content.clone().unwrap();
    assert!(done.reply.ephemeral);
    assert!(
        text.starts_with("This server's briefs: Re-indexed in "),
        "{text}"
    );
    assert!(
        text.contains("briefs 1 → 1") && text.contains("Problems: none."),
        "{text}"
    );
    assert!(done
        .log
        .unwrap()
        .starts_with(&format!("<@{MODERATOR}> (server {GUILD}) reindex: ")));
    let audit = b.state.store.audit_log(GUILD, 5).await.unwrap();
    assert_eq!(
        (audit[0].user, audit[0].action.as_str()),
        (MODERATOR, "reindex")
    );
}

#[tokio::test]
async fn a_reindex_that_fails_is_audited_as_failed() {
    let b = bot();
    let mut by_role = member(MODERATOR);
    by_role.roles = vec![MOD_ROLE];
    std::fs::remove_dir_all(&b.state.settings.paths.briefs).unwrap();
    let done = moderation::reindex(&b.state, &by_role, Reindexer::Member).await;
    let text = done.reply.content.clone().unwrap();
    assert!(
        text.starts_with("Re-indexing this server's briefs failed"),
        "{text}"
    );
    assert!(done.log.unwrap().contains(" reindex failed: "));
    let audit = b.state.store.audit_log(GUILD, 5).await.unwrap();
    assert_eq!(audit[0].action, "reindex failed");
}

#[tokio::test]
async fn a_moderators_brief_is_searched_only_in_their_own_server() {
    let b = loopback_bot();
    let url = serve_attachment("lunar.md", LUNAR.as_bytes()).await;
    let refused = moderation::add(
        &b.state,
        &member(MEMBER),
        &attachment("lunar.md", &url, LUNAR.len()),
    )
    .await;
    assert_eq!(
        refused.reply,
        Reply::private(
            "Only moderators can use /brief add: members with Manage Server or a moderator role."
        )
    );

    let done = moderation::add(
        &b.state,
        &moderator(),
        &attachment("lunar.md", &url, LUNAR.len()),
    )
    .await;
    let text = done.reply.content.clone().unwrap();
    assert!(text.starts_with("Added **"), "{text}");
    assert!(
        text.contains("(lunar.md, ") && text.contains("for this server only"),
        "{text}"
    );
    assert!(text.contains("Added: lunar.md."), "{text}");
    assert!(b.state.guild_dir(GUILD).join("lunar.md").exists());
    assert_eq!(
        b.state
            .store
            .briefs(Some(&GUILD.to_string()))
            .await
            .unwrap()[0]
            .file,
        "lunar.md"
    );
    assert_eq!(
        b.state.store.audit_log(GUILD, 1).await.unwrap()[0].action,
        "brief add"
    );

    let here = ask::ask_engine(&b.state, LUNAR_Q, Some(GUILD))
        .await
        .unwrap();
    assert!(here.answered, "{here:?}");
    assert_eq!(
        here.hits[0].passage.brief.scope,
        Scope::Tenant(moderation::tenant(GUILD))
    );
    let reply = ask::slash(&b.state, &slash(ASKER, LUNAR_Q)).await;
    let embed = &json(&reply.to_interaction())["embeds"][0];
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("600 million tonnes"),
        "{embed}"
    );

    let there = ask::ask_engine(&b.state, LUNAR_Q, Some(OTHER_GUILD))
        .await
        .unwrap();
    assert!(
        there
            .ranked()
            .iter()
            .all(|h| h.passage.brief.scope == Scope::Global),
        "another server never sees it"
    );
    let other_mod = in_guild(moderator(), OTHER_GUILD);
    let listed = moderation::list(&b.state, &other_mod)
        .await
        .reply
        .content
        .unwrap();
    assert!(listed.ends_with("This server's briefs:\nnone"), "{listed}");
    let removed = moderation::remove(&b.state, &other_mod, "lunar.md").await;
    assert_eq!(
        removed.reply,
        Reply::private("This server has no brief named lunar.md. /brief list shows them.")
    );
    assert!(
        b.state.guild_dir(GUILD).join("lunar.md").exists(),
        "untouched by another server"
    );

    let listed = moderation::list(&b.state, &moderator())
        .await
        .reply
        .content
        .unwrap();
    assert!(listed.contains("lunar.md"), "{listed}");
    let removed = moderation::remove(&b.state, &moderator(), "lunar.md").await;
    assert!(removed
        .reply
        .content
        .unwrap()
        .starts_with("Removed lunar.md from this server."));
    let gone = ask::ask_engine(&b.state, LUNAR_Q, Some(GUILD))
        .await
        .unwrap();
    assert!(gone
        .ranked()
        .iter()
        .all(|h| h.passage.brief.scope == Scope::Global));
}

#[tokio::test]
async fn bad_attachments_are_refused_with_the_reason() {
    let b = loopback_bot();
    let cases: Vec<(Attachment, &str)> = vec![
        (
            attachment("x.md", "https://evil.example/x.md", 10),
            "Could not add x.md: attachments are only downloaded from 127.0.0.1 (setting `discord.attachment_hosts`).",
        ),
        (
            attachment("x.exe", "http://127.0.0.1/x.exe", 10),
            "Could not add x.exe: briefs are Markdown (.md) or text (.txt) files.",
        ),
        (
            attachment("big.md", "http://127.0.0.1/big.md", 3 * 1024 * 1024),
            "Could not add big.md: it is 3072 KB, over the limit of 2048 KB (setting `engine.max_brief_kb`).",
        ),
    ];
    for (file, want) in cases {
        assert_eq!(
            moderation::add(&b.state, &moderator(), &file).await.reply,
            Reply::private(want)
        );
    }
    let url = serve_attachment("latin1.md", b"caf\xe9 au lait\n").await;
    let done = moderation::add(&b.state, &moderator(), &attachment("latin1.md", &url, 14)).await;
    let text = done.reply.content.unwrap();
    assert!(
        text.starts_with("Could not add latin1.md: invalid UTF-8"),
        "{text}"
    );
    assert!(
        !b.state.guild_dir(GUILD).join("latin1.md").exists(),
        "nothing written"
    );
}

#[tokio::test]
async fn questions_asked_during_a_reindex_are_all_answered() {
    let b = bot();
    let mut tasks = Vec::new();
    for i in 0..40u64 {
        let state = Arc::clone(&b.state);
        tasks.push(tokio::spawn(async move {
            ask::slash(&state, &slash(1000 + i, "how many soldiers?")).await
        }));
    }
    let state = Arc::clone(&b.state);
    let rebuild =
        tokio::spawn(
            async move { moderation::reindex(&state, &moderator(), Reindexer::Member).await },
        );
    for t in tasks {
        let reply = t.await.unwrap();
        let payload = json(&reply.to_interaction());
        assert_eq!(payload["flags"], 0, "{payload}");
        assert_eq!(
            payload["embeds"].as_array().map(Vec::len),
            Some(1),
            "{payload}"
        );
    }
    let text = rebuild.await.unwrap().reply.content.unwrap();
    assert!(text.contains("Re-indexed in "), "{text}");
}

#[tokio::test]
async fn unanswered_tells_a_question_the_briefs_are_about_but_do_not_answer() {
    let b = bot();
    for (text, not_stated) in [("Who is Kim's wife?", true), ("Who won the cup?", false)] {
        b.state
            .store
            .record_question(&StoredQuestion {
                id: 0,
                guild: Some(GUILD),
                channel: CHANNEL,
                asker: ASKER,
                text: text.into(),
                answered: false,
                passage_id: None,
                asked_at: 1_700_000_000,
                not_stated,
            })
            .await
            .unwrap();
    }
    let text = moderation::unanswered(&b.state, &moderator())
        .await
        .reply
        .content
        .unwrap();
    assert!(
        text.contains("1. “Who won the cup?” <t:")
            && text.contains("2. “Who is Kim's wife?” (on topic, not stated) <t:"),
        "{text}"
    );
}

#[tokio::test]
async fn unanswered_and_feedback_show_moderators_what_is_missing() {
    let b = bot();
    assert_eq!(
        moderation::unanswered(&b.state, &member(MEMBER))
            .await
            .reply,
        Reply::private(
            "Only moderators can use /unanswered: members with Manage Server or a moderator role."
        )
    );
    ask::slash(&b.state, &slash(ASKER, "What is the capital of France?")).await;
    let text = moderation::unanswered(&b.state, &moderator())
        .await
        .reply
        .content
        .unwrap();
    assert!(
        text.starts_with("Recent questions the briefs could not answer:\n1. “What is the capital of France?” <t:"),
        "{text}"
    );
    let elsewhere = moderation::unanswered(&b.state, &in_guild(moderator(), OTHER_GUILD)).await;
    assert_eq!(
        elsewhere.reply,
        Reply::private("No declined questions in this server yet.")
    );

    ask::slash(&b.state, &slash(ASKER, "how many soldiers?")).await;
    let qid = 2;
    briefbot::bot::press::press(&b.state, &press(MEMBER, &format!("bb:down:{qid}:0"))).await;
    let text = moderation::feedback(&b.state, &moderator())
        .await
        .reply
        .content
        .unwrap();
    assert!(
        text.starts_with("Answers members voted down:\n1. “how many soldiers?” → "),
        "{text}"
    );
    assert!(text.ends_with("(👎 1, 👍 0)"), "{text}");
    assert_eq!(
        json(
            &moderation::feedback(&b.state, &moderator())
                .await
                .reply
                .to_interaction()
        )["flags"],
        json!(64)
    );
}

#[tokio::test]
async fn a_reindex_report_never_names_another_servers_briefs() {
    let b = bot();
    // Stored by another process, not yet indexed by this one.
    let secret = briefbot::store::NewBrief {
        tenant: GUILD.to_string(),
        file: "secret-plans.md".into(),
        title: "Secret plans".into(),
        publisher: None,
        published: None,
        url: None,
        body: LUNAR.as_bytes().to_vec(),
        added_by: MODERATOR,
        added_at: 1,
    };
    b.state.store.put_brief(&secret, 1).await.unwrap();
    let text = moderation::reindex(
        &b.state,
        &in_guild(moderator(), OTHER_GUILD),
        Reindexer::Owner,
    )
    .await
    .reply
    .content
    .unwrap();
    assert!(!text.contains("secret-plans"), "{text}");
    assert!(text.contains("Added: none."), "{text}");
    assert!(
        text.ends_with("(1 change in other servers' briefs not shown.)"),
        "{text}"
    );
    let own = moderation::reindex(&b.state, &moderator(), Reindexer::Member).await;
    assert!(own.reply.content.unwrap().contains("briefs 2 → 2"));
}

#[tokio::test]
async fn adding_a_brief_again_replaces_it_and_a_broken_one_is_refused() {
    let b = loopback_bot();
    let url = serve_attachment("lunar.md", LUNAR.as_bytes()).await;
    let file = attachment("lunar.md", &url, LUNAR.len());
    moderation::add(&b.state, &moderator(), &file).await;
    let again = moderation::add(&b.state, &moderator(), &file).await;
    let text = again.reply.content.unwrap();
    assert!(text.starts_with("Replaced **"), "{text}");
    assert_eq!(
        b.state
            .store
            .briefs(Some(&GUILD.to_string()))
            .await
            .unwrap()
            .len(),
        1
    );

    let broken = b"---\ntitle: Never closed\n\nBody text here.\n";
    let url = serve_attachment("broken.md", broken).await;
    let done = moderation::add(
        &b.state,
        &moderator(),
        &attachment("broken.md", &url, broken.len()),
    )
    .await;
    let text = done.reply.content.unwrap();
    assert!(
        text.starts_with("Could not add broken.md: front-matter"),
        "{text}"
    );
    assert!(done.reply.ephemeral && done.log.is_none());
    assert!(!b.state.guild_dir(GUILD).join("broken.md").exists());
}

#[tokio::test]
async fn a_brief_of_words_two_stemmers_disagree_on_is_added_answered_and_reopened() {
    let b = loopback_bot();
    let body = include_bytes!("../../data/briefs-stems/stemmed-two-ways.md");
    let url = serve_attachment("stems.md", body).await;
    let done = moderation::add(
        &b.state,
        &moderator(),
        &attachment("stems.md", &url, body.len()),
    )
    .await;
    let text = done.reply.content.unwrap();
    assert!(
        text.starts_with("Added **") && !text.contains("failed"),
        "{text}"
    );
    let question = "how do biologists view the chupacabra?";
    let here = ask::ask_engine(&b.state, question, Some(GUILD))
        .await
        .unwrap();
    assert!(here.answered, "{here:?}");
    assert!(
        here.hits[0].passage.text.contains("as a legend"),
        "{here:?}"
    );
    // A restart opens what the rebuild wrote, rather than refusing it.
    let (reopened, report) = briefbot_engine::Engine::open(b.state.settings.engine_config())
        .expect("the index the brief was added to opens again");
    assert!(!report.rebuilt, "{report:?}");
    assert_eq!(reopened.stats().passages, b.state.engine.stats().passages);
}
