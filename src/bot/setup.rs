//! Everything before the bot takes events: the token, the state, the HTTP
//! client, the poise framework and the serenity client. No event is handled
//! here; [`super::discord`] runs what this builds.

use std::sync::Arc;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::{CreateAllowedMentions, GatewayIntents, HttpBuilder};

use super::log_channel::{self, LogTo};
use super::readiness::Readiness;
use super::registration::{self, Target};
use super::{commands, dispatch, gateway_watch, BotState, Data};
use crate::config::Settings;
use briefbot_engine::Engine;

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

/// What cannot work without the Message Content intent, said once at start:
/// Discord shows a bot the text of server messages only when they mention
/// it, so the prefix command and watched channels see empty messages.
pub fn message_content_warning(settings: &Settings) -> Option<String> {
    let d = &settings.discord;
    if d.message_content_intent {
        return None;
    }
    let mut unusable = Vec::new();
    if !d.prefix.is_empty() {
        unusable.push(format!("the prefix command ({:?}) in servers", d.prefix));
    }
    if !d.watched_channels.is_empty() {
        unusable.push(format!("the {} watched channels", d.watched_channels.len()));
    }
    if unusable.is_empty() {
        return None;
    }
    Some(format!(
        "{} cannot work: `discord.message_content_intent` is false, so Discord does not \
         show the bot what members write unless they mention it. /ask, mentions, replies \
         and DMs work. To use them, turn on \"Message Content Intent\" in the Discord \
         Developer Portal (your application → Bot → Privileged Gateway Intents) and set \
         `discord.message_content_intent = true` (BRIEFBOT_MESSAGE_CONTENT_INTENT=true)",
        unusable.join(" and ")
    ))
}

/// Open the state (the database). `readiness` is shared with whoever reports
/// on the bot.
pub(super) async fn state(
    settings: Settings,
    engine: Arc<Engine>,
    readiness: Readiness,
) -> anyhow::Result<Data> {
    if let Some(warning) = message_content_warning(&settings) {
        tracing::warn!("{warning}");
    }
    let mut state = BotState::open(settings, engine).await?;
    state.readiness = readiness;
    Ok(Arc::new(state))
}

/// Build a client for `state`, ready to connect.
pub(super) async fn client(state: &Data) -> anyhow::Result<serenity::Client> {
    let token = state.settings.discord.require_token()?.clone();
    let d = &state.settings.discord;
    let http = HttpBuilder::new(token.expose()).client(state.discord_client.clone());
    let http = match &d.rest_proxy {
        // serenity only honours a proxy with its own rate limiter off: the
        // proxy is the one that does the rate limiting.
        Some(proxy) => http.proxy(proxy.as_str()).ratelimiter_disabled(true),
        None => http,
    }
    .build();

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
            on_error: |e| Box::pin(dispatch::on_error(e)),
            event_handler: |fw, event| Box::pin(dispatch::on_event(fw, event)),
            ..Default::default()
        })
        // The bot's owners (the application's owner, or its team) may
        // rebuild the shipped briefs with /reindex; poise reads them from
        // Discord as the client starts.
        .initialize_owners(true)
        .setup({
            let state = state.clone();
            let dev_guild = d.dev_guild;
            move |ctx, ready, framework| Box::pin(register(ctx, ready, framework, state, dev_guild))
        })
        .build();

    let client = serenity::ClientBuilder::new_with_http(http, intents(&state.settings))
        .framework(framework)
        .event_handler(gateway_watch::Events {
            readiness: state.readiness.clone(),
        })
        .await
        .context("building the Discord client")?;
    Ok(client)
}

/// Once connected: learn the bot's id and start registering the slash
/// commands. Events wait until this returns, so it must not wait on Discord.
async fn register(
    ctx: &serenity::Context,
    ready: &serenity::Ready,
    framework: &poise::Framework<Data, anyhow::Error>,
    state: Data,
    dev_guild: Option<u64>,
) -> Result<Data, anyhow::Error> {
    state.set_bot_id(ready.user.id.get());
    tracing::info!(
        user = %ready.user.name,
        guilds = ready.guilds.len(),
        scope = if dev_guild.is_some() { "guild" } else { "global" },
        "connected; registering the slash commands"
    );
    let target = Target {
        application: ready.application.id,
        guild: dev_guild.map(serenity::GuildId::new),
    };
    let commands = poise::builtins::create_application_commands(&framework.options().commands);
    registration::spawn(ctx.http.clone(), state.clone(), target, commands);
    // An operator event: the operator's log channel, never a server's.
    let (http, announce) = (ctx.http.clone(), state.clone());
    let line = format!(
        "briefbot started as {} in {} servers (shards {}).",
        ready.user.name,
        ready.guilds.len(),
        state.cluster.identity().shards
    );
    tokio::spawn(async move {
        log_channel::post_with(&http, &announce, LogTo::Operator, &line).await;
    });
    Ok(state)
}
