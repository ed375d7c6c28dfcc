//! The serenity/poise wiring: build the client, route events to the
//! handlers, send what they return, and shut down gracefully.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, ComponentInteraction, CreateAllowedMentions, CreateInteractionResponse,
    CreateMessage, FullEvent, GatewayIntents, HttpBuilder, Interaction, Message,
};

use super::events::{ButtonPress, IncomingMessage, Member};
use super::press::Outcome;
use super::{ask, commands, press, BotState, Data, Error};
use crate::config::Settings;
use crate::engine::Engine;

/// Answered questions are kept this long (for buttons and thread follow-ups).
const QUESTION_RETENTION_SECS: i64 = 30 * 24 * 3600;

/// The gateway intents the bot asks for. Message content is privileged: it is
/// only requested when configured, and mentions, replies, DMs and `/ask` work
/// without it.
pub fn intents(settings: &Settings) -> GatewayIntents {
    let mut i =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if settings.discord.message_content_intent {
        i |= GatewayIntents::MESSAGE_CONTENT;
    }
    i
}

/// Run the bot until `shutdown` resolves, then stop taking questions, let the
/// ones in flight finish (up to `discord.shutdown_grace_secs`), and close the
/// gateway.
pub async fn run(
    settings: Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = settings.discord.token.clone().context(
        "no Discord token: set DISCORD_TOKEN (or DISCORD_TOKEN_FILE); see \"Run it on Discord\" in the README",
    )?;
    let state: Data = Arc::new(BotState::open(settings, engine).await?);
    let follower = super::follower::join(&state).await?;
    match state
        .store
        .prune_questions(state.now() - QUESTION_RETENTION_SECS)
        .await
    {
        Ok(n) if n > 0 => tracing::info!(questions = n, "pruned old answered questions"),
        Ok(_) => {}
        Err(e) => tracing::warn!("pruning old questions: {e}"),
    }
    let d = &state.settings.discord;

    let http = match &d.rest_proxy {
        // serenity only honours a proxy with its own rate limiter off: the
        // proxy is the one that does the rate limiting.
        Some(proxy) => HttpBuilder::new(token.expose())
            .proxy(proxy.as_str())
            .ratelimiter_disabled(true)
            .client(
                reqwest::Client::builder()
                    .no_proxy()
                    .build()
                    .context("building the HTTP client for discord.rest_proxy")?,
            )
            .build(),
        None => HttpBuilder::new(token.expose()).build(),
    };

    let setup_state = state.clone();
    let dev_guild = d.dev_guild;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            allowed_mentions: Some(CreateAllowedMentions::new()),
            // Mentions, the prefix and DMs are questions, handled in `on_event`:
            // poise would read "@bot how many soldiers?" as a command "how".
            prefix_options: poise::PrefixFrameworkOptions {
                prefix: None,
                mention_as_prefix: false,
                ..Default::default()
            },
            initialize_owners: false,
            on_error: |e| Box::pin(on_error(e)),
            event_handler: |fw, event| Box::pin(on_event(fw, event)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                setup_state.set_bot_id(ready.user.id.get());
                let commands = &framework.options().commands;
                match dev_guild {
                    // Bulk overwrite: registering again replaces, never duplicates.
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(g))
                            .await?
                    }
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                tracing::info!(
                    user = %ready.user.name,
                    guilds = ready.guilds.len(),
                    scope = if dev_guild.is_some() { "guild" } else { "global" },
                    "connected; slash commands registered"
                );
                Ok(setup_state)
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, intents(&state.settings))
        .framework(framework)
        .await
        .context("building the Discord client")?;

    let shard_manager = client.shard_manager.clone();
    let stopping = state.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!(in_flight = stopping.gate.in_flight(), "shutting down");
        stopping.gate.close();
        let grace = Duration::from_secs(stopping.settings.discord.shutdown_grace_secs);
        if !stopping.gate.drained(grace).await {
            tracing::warn!(
                in_flight = stopping.gate.in_flight(),
                "questions still in flight after the grace period"
            );
        }
        shard_manager.shutdown_all().await;
    });

    let started = match state.settings.discord.shards {
        Some(r) => client.start_shard_range(r.first..r.last + 1, r.total).await,
        None => client.start().await,
    };
    follower.stop().await;
    started.context("Discord gateway")?;
    tracing::info!("stopped");
    Ok(())
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(command = %ctx.command().qualified_name, "command failed: {error:#}");
            let reply = super::reply::Reply::private("Something went wrong. Please try again.");
            let _ = ctx.send(reply.to_poise()).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!("handling a framework error: {e}");
            }
        }
    }
}

async fn on_event(
    fw: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let ctx = fw.serenity_context;
    let state = fw.user_data;
    match event {
        FullEvent::Message { new_message } => on_message(ctx, state, new_message).await,
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => on_button(ctx, state, c).await,
        _ => Ok(()),
    }
}

async fn on_message(ctx: &serenity::Context, state: &BotState, msg: &Message) -> Result<(), Error> {
    if msg.author.bot {
        return Ok(());
    }
    // Held until the reply is sent, so shutdown waits for it.
    let _in_flight = state.gate.enter();
    let incoming = describe_message(ctx, state, msg);
    let Some(reply) = ask::message(state, &incoming).await else {
        return Ok(());
    };
    let builder = reply.to_message(Some((msg.channel_id, msg.id)));
    if let Err(e) = msg.channel_id.send_message(ctx, builder).await {
        tracing::warn!(
            channel = msg.channel_id.get(),
            "sending an answer failed: {e}"
        );
    }
    Ok(())
}

fn describe_message(ctx: &serenity::Context, state: &BotState, msg: &Message) -> IncomingMessage {
    let bot = state.bot_id();
    let (in_thread, embeds) = match msg.guild_id.and_then(|g| ctx.cache.guild(g)) {
        Some(guild) => {
            let in_thread = guild.threads.iter().any(|t| t.id == msg.channel_id);
            let channel = guild
                .channels
                .get(&msg.channel_id)
                .or_else(|| guild.threads.iter().find(|t| t.id == msg.channel_id));
            let me = guild.members.get(&serenity::UserId::new(bot.max(1)));
            let embeds = match (channel, me) {
                (Some(c), Some(me)) => guild.user_permissions_in(c, me).embed_links(),
                _ => true,
            };
            (in_thread, embeds)
        }
        None => (false, true),
    };
    IncomingMessage {
        id: msg.id.get(),
        author: Member {
            user: msg.author.id.get(),
            guild: msg.guild_id.map(|g| g.get()),
            channel: msg.channel_id.get(),
            permissions: None,
            roles: msg
                .member
                .as_ref()
                .map(|m| m.roles.iter().map(|r| r.get()).collect())
                .unwrap_or_default(),
        },
        author_is_bot: msg.author.bot,
        content: msg.content.clone(),
        mentions_bot: msg.mentions.iter().any(|u| u.id.get() == bot),
        replies_to_bot: msg
            .referenced_message
            .as_ref()
            .is_some_and(|r| r.author.id.get() == bot),
        in_thread,
        embeds: state.settings.discord.embeds && embeds,
        received: Instant::now(),
    }
}

async fn on_button(
    ctx: &serenity::Context,
    state: &BotState,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let press = ButtonPress {
        custom_id: c.data.custom_id.clone(),
        member: Member {
            user: c.user.id.get(),
            guild: c.guild_id.map(|g| g.get()),
            channel: c.channel_id.get(),
            permissions: c.member.as_ref().and_then(|m| m.permissions),
            roles: c
                .member
                .as_ref()
                .map(|m| m.roles.iter().map(|r| r.get()).collect())
                .unwrap_or_default(),
        },
        embeds: state.settings.discord.embeds && c.app_permissions.is_none_or(|p| p.embed_links()),
        received: Instant::now(),
    };
    let _in_flight = state.gate.enter();
    match press::press(state, &press).await {
        Outcome::Ignore => {}
        Outcome::Update(reply) => {
            let r = CreateInteractionResponse::UpdateMessage(reply.to_interaction());
            c.create_response(ctx, r).await?;
        }
        Outcome::Respond(reply) => {
            let r = CreateInteractionResponse::Message(reply.to_interaction());
            c.create_response(ctx, r).await?;
        }
        Outcome::Delete { log } => {
            c.create_response(ctx, CreateInteractionResponse::Acknowledge)
                .await?;
            c.message.delete(ctx).await?;
            if let Some(line) = log {
                post_log(ctx, state, &line).await;
            }
        }
    }
    Ok(())
}

/// Post a moderator action to `discord.log_channel`, if one is configured.
pub async fn post_log(ctx: &serenity::Context, state: &BotState, line: &str) {
    let Some(channel) = state.settings.discord.log_channel else {
        return;
    };
    let message = CreateMessage::new()
        .content(line)
        .allowed_mentions(CreateAllowedMentions::new());
    if let Err(e) = ChannelId::new(channel).send_message(ctx, message).await {
        tracing::warn!(channel, "posting to the log channel failed: {e}");
    }
}
