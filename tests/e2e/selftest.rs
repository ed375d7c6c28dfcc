//! The fake proves itself against a minimal serenity + poise client, so a
//! failure in the bot's tests is the bot's and not the harness's.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serde_json::json;

use fake_discord::{FakeDiscord, Guild, Member, Msg, RestFault, Role, Slash, User, APP_ID};

const T: Duration = Duration::from_secs(20);

struct Data;
type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, Data, Error>;

/// Echo the question back.
#[poise::command(slash_command)]
async fn echo(ctx: Ctx<'_>, #[description = "text"] text: String) -> Result<(), Error> {
    ctx.say(format!("echo: {text}")).await?;
    Ok(())
}

async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent) -> Result<(), Error> {
    if let serenity::FullEvent::Message { new_message } = event {
        if new_message.mentions_user_id(APP_ID) {
            let reply = serenity::CreateMessage::new()
                .content(format!("heard: {}", new_message.content.len()))
                .allowed_mentions(serenity::CreateAllowedMentions::new())
                .reference_message(new_message);
            if let Err(e) = new_message.channel_id.send_message(&ctx.http, reply).await {
                eprintln!("selftest bot: send failed: {e}");
            }
        }
    }
    Ok(())
}

async fn run_client(url: String, guild: u64) {
    let http = serenity::HttpBuilder::new("fake-token")
        .proxy(url)
        .ratelimiter_disabled(true)
        .build();
    let framework = poise::Framework::<Data, Error>::builder()
        .options(poise::FrameworkOptions {
            commands: vec![echo()],
            allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
            event_handler: |fw, event| Box::pin(on_event(fw.serenity_context, event)),
            ..Default::default()
        })
        .setup(move |ctx, _ready, fw| {
            Box::pin(async move {
                poise::builtins::register_in_guild(ctx, &fw.options().commands, guild.into())
                    .await?;
                Ok(Data)
            })
        })
        .build();
    let intents = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::DIRECT_MESSAGES;
    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .framework(framework)
        .await
        .expect("client");
    client.start().await.expect("client runs");
}

#[tokio::test]
async fn fake_serves_a_minimal_poise_client() {
    let fake = FakeDiscord::start().await;
    let mods = Role::new(51, "Mods", serenity::Permissions::MANAGE_GUILD);
    let asker = Member::new(User::new(61, "asker"));
    let guild = Guild::new(50, "Self test")
        .role(mods)
        .channel(52, "general")
        .member(asker.clone());
    fake.add_guild(guild.clone());
    let client = tokio::spawn(run_client(fake.url(), guild.id));

    let identify = fake.wait_for_frame(2, 1, T).await;
    assert_eq!(identify.d["token"], "Bot fake-token");
    assert_eq!(identify.d["shard"], json!([0, 1]));
    let put = fake
        .wait_for_request(
            |r| r.is("PUT", "/applications/900000000000000001/guilds/50/commands"),
            T,
        )
        .await;
    assert_eq!(put.body[0]["name"], "echo");

    // A slash command → callback type 4 with the text, no pings.
    let token = fake.send_slash(&Slash::new("echo", &guild, 52, &asker).string("text", "hi"));
    let cb = fake
        .wait_for_request(|r| r.path.ends_with(&format!("/{token}/callback")), T)
        .await;
    assert_eq!((cb.status, cb.body["type"].as_u64()), (204, Some(4)));
    assert_eq!(cb.message()["content"], "echo: hi");
    assert_eq!(cb.message()["allowed_mentions"]["parse"], json!([]));

    // A mention → a message reply; a 429 on it is seen by the client as an error.
    fake.fail_next(
        |r| r.is("POST", "/channels/52/messages"),
        RestFault::RateLimited { retry_after: 0.2 },
    );
    let first = fake.send_message(&Msg::mention_bot(&guild, 52, &asker, "one"));
    let limited = fake
        .wait_for_request(|r| r.is("POST", "/channels/52/messages"), T)
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body["message_reference"]["message_id"], first["id"]);
    let second = fake.send_message(&Msg::mention_bot(&guild, 52, &asker, "two"));
    let ok = fake
        .wait_for_request(|r| r.is("POST", "/channels/52/messages") && r.ok(), T)
        .await;
    assert_eq!(ok.body["message_reference"]["message_id"], second["id"]);

    // The fake refuses an over-long message like Discord does.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let long = http
        .post(format!("{}/api/v10/channels/52/messages", fake.url()))
        .header("content-type", "application/json")
        .header("authorization", "Bot selftest")
        .body(json!({"content": "x".repeat(2001)}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 400);

    // Op 7 → the client resumes on a new socket and keeps answering.
    fake.send_reconnect();
    let resume = fake.wait_for_frame(6, 1, T).await;
    assert_eq!(resume.d["session_id"], "fake-session-1");
    let third = fake.send_message(&Msg::mention_bot(&guild, 52, &asker, "three"));
    fake.wait_for_request(
        |r| r.body["message_reference"]["message_id"] == third["id"],
        T,
    )
    .await;

    // A dropped socket → resume again.
    fake.drop_gateway();
    fake.wait_for_frame(6, 2, T).await;
    let fourth = fake.send_message(&Msg::mention_bot(&guild, 52, &asker, "four"));
    fake.wait_for_request(
        |r| r.body["message_reference"]["message_id"] == fourth["id"],
        T,
    )
    .await;
    client.abort();
}

async fn post(fake: &FakeDiscord, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http
        .post(format!("{}/api/v10{path}", fake.url()))
        .header("content-type", "application/json")
        .header("authorization", "Bot selftest")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// The refusals the bot's tests rely on to catch its mistakes.
#[tokio::test]
async fn fake_refuses_what_discord_refuses() {
    let fake = FakeDiscord::start().await;
    let asker = Member::new(User::new(61, "asker"));
    let guild = Guild::new(50, "Self test")
        .channel(52, "general")
        .member(asker.clone());
    let ok = json!({"content": "fine", "allowed_mentions": {"parse": []}});
    assert_eq!(
        post(&fake, "/channels/52/messages", ok.clone()).await.0,
        200
    );
    let (status, body) = post(&fake, "/channels/52/messages", json!({"content": "  "})).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(50006)),
        "empty message"
    );
    let long_embed = json!({"embeds": [{"description": "x".repeat(4097)}]});
    assert_eq!(
        post(&fake, "/channels/52/messages", long_embed).await.0,
        400
    );
    let both = json!({"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}});
    assert_eq!(post(&fake, "/channels/52/messages", both).await.0, 400);

    // Interactions: follow-up before a response, then a second initial response.
    fake.dispatch("GUILD_CREATE", guild.json());
    let commands = json!([{"name": "echo", "description": "d", "type": 1}]);
    let put = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!(
            "{}/api/v10/applications/{APP_ID}/commands",
            fake.url()
        ))
        .header("content-type", "application/json")
        .header("authorization", "Bot selftest")
        .body(commands.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let token = fake.send_slash(&Slash::new("echo", &guild, 52, &asker));
    let id = token.trim_start_matches("token-");
    let (status, body) = post(&fake, &format!("/webhooks/{APP_ID}/{token}"), ok.clone()).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10015)),
        "follow-up first"
    );
    let callback = format!("/interactions/{id}/{token}/callback");
    let respond = json!({"type": 4, "data": ok});
    assert_eq!(post(&fake, &callback, respond.clone()).await.0, 204);
    let (status, body) = post(&fake, &callback, respond).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(40060)),
        "second response"
    );
    assert_eq!(
        post(&fake, &format!("/webhooks/{APP_ID}/{token}"), ok)
            .await
            .0,
        200
    );
}

/// A fixture serenity cannot parse fails the test instead of hanging it.
#[tokio::test]
#[should_panic(expected = "does not parse as serenity's model")]
async fn malformed_fixture_fails_loudly() {
    let fake = FakeDiscord::start().await;
    let asker = Member::new(User::new(61, "asker"));
    let guild = Guild::new(50, "Self test").channel(52, "general");
    let mut message = Msg::new(&guild, 52, &asker, "hello").json(1);
    message.as_object_mut().unwrap().remove("author");
    fake.dispatch("MESSAGE_CREATE", message);
}
