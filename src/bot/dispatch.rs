//! Gateway events to handlers, and their replies back to Discord. Each event
//! enters the in-flight set exactly once, here, and holds its pass until its
//! reply is out.

use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, ComponentInteraction, CreateInteractionResponse, FullEvent, Interaction, Message,
};

use super::ask::{self, Via};
use super::channel_budget::Admission;
use super::in_flight::Pass;
use super::press::{self, Outcome};
use super::reply::Reply;
use super::send::{Rest, Retry};
use super::{convert, departures, log_channel, BotState, Data, Error};

/// The quiet signal for a question the channel's line had no room for.
const WAIT_EMOJI: &str = "⏳";

/// The public notice when a channel's line overflows (at most one a minute).
const BUSY: &str = "Lots of questions here at once: I'm answering them in the order they were \
asked. Those marked ⏳ did not fit in the line; please ask them again in a moment, or use \
/ask, which always gets an answer.";

pub(super) async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(command = %ctx.command().qualified_name, "command failed: {error:#}");
            let reply = Reply::private("Something went wrong. Please try again.");
            let _ = ctx.send(reply.to_poise()).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!("handling a framework error: {e}");
            }
        }
    }
}

pub(super) async fn on_event(
    fw: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let ctx = fw.serenity_context;
    let state = fw.user_data;
    match event {
        FullEvent::Message { new_message } if !new_message.author.bot => {
            let pass = state.in_flight.enter();
            on_message(ctx, state, &pass, new_message).await;
            Ok(())
        }
        FullEvent::InteractionCreate {
            interaction: Interaction::Component(c),
        } => {
            let pass = state.in_flight.enter();
            on_button(ctx, state, &pass, c).await
        }
        FullEvent::GuildDelete { incomplete, .. } => {
            departures::guild_deleted(state, incomplete).await;
            Ok(())
        }
        FullEvent::Ready { data_about_bot } => {
            departures::ready(state, data_about_bot).await;
            Ok(())
        }
        FullEvent::GuildCreate { guild, .. } => {
            departures::guild_created(state, guild.id.get()).await;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn rest<'a>(ctx: &'a serenity::Context, state: &'a BotState) -> Rest<'a> {
    Rest {
        http: &ctx.http,
        client: &state.discord_client,
        retry: Retry::default(),
        metrics: &state.metrics,
    }
}

async fn on_message(ctx: &serenity::Context, state: &BotState, pass: &Pass, msg: &Message) {
    let incoming = convert::message(ctx, state, msg);
    let Some((question, via)) = ask::question_in(state, &incoming).await else {
        return;
    };
    let rest = rest(ctx, state);
    let channel = msg.channel_id;
    // The place is taken before the answer is looked up, so answers go out
    // in the order members asked, however long each takes to find.
    let place = match state.channels.admit(channel.get(), msg.id.get()) {
        Admission::Place(place) => place,
        Admission::Full { notice } => {
            if via == Via::Overheard {
                return; // not addressed to the bot: no signal owed
            }
            tracing::info!(
                channel = channel.get(),
                "channel line full; question signalled"
            );
            if let Err(e) = rest.react(channel, msg.id, WAIT_EMOJI).await {
                tracing::warn!(channel = channel.get(), "reacting to a question: {e}");
            }
            if let Some(place) = notice {
                place.turn().await;
                let nonce = format!("bb:n{}", msg.id);
                if let Err(e) = rest
                    .message(channel, None, &Reply::text(BUSY), &nonce)
                    .await
                {
                    tracing::warn!(channel = channel.get(), "posting the busy notice: {e}");
                }
            }
            return;
        }
    };
    let reply = if pass.closing() {
        ask::restarting(via)
    } else {
        let author = &incoming.author;
        ask::answer(
            state,
            author,
            &question,
            incoming.embeds,
            incoming.received,
            via,
        )
        .await
    };
    let Some(reply) = reply else {
        return;
    };
    place.turn().await;
    send_reply(&rest, channel, msg, &reply).await;
}

async fn send_reply(rest: &Rest<'_>, channel: ChannelId, msg: &Message, reply: &Reply) {
    // One nonce per question: however often the reply is retried, Discord
    // keeps one message.
    let nonce = format!("bb:{}", msg.id);
    if let Err(e) = rest.message(channel, Some(msg.id), reply, &nonce).await {
        tracing::warn!(channel = channel.get(), "sending an answer failed: {e}");
    }
}

async fn on_button(
    ctx: &serenity::Context,
    state: &BotState,
    pass: &Pass,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let outcome = if pass.closing() {
        Outcome::Respond(ask::restarting_privately())
    } else {
        press::press(state, &convert::press(state, c)).await
    };
    match outcome {
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
            if let (Some(line), Some(guild)) = (log, c.guild_id) {
                let to = log_channel::LogTo::Server(guild.get());
                log_channel::post(ctx, state, to, &line).await;
            }
        }
    }
    Ok(())
}
