//! Members' questions, however they arrive: `/ask`, a mention, the prefix
//! command, a reply to the bot, a follow-up in a thread the bot answered in,
//! a question in a watched channel, or a DM.

use std::time::{Duration, Instant};

use super::events::{IncomingMessage, Member, SlashAsk};
use super::markup;
use super::render::{self, View};
use super::reply::Reply;
use super::state::BotState;
use crate::ops::metrics::{EntryPoint, Verdict};
use crate::store::StoredQuestion;
use briefbot_engine::{Answer, Question, MAX_QUESTION_CHARS};

const HELP: &str = "Ask me about the briefs, for example `/ask question: how many soldiers?`";

const RESTARTING: &str = "I'm restarting. Please ask again in a minute.";

/// Where a question came from: decides how refusals are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Interactions must always be answered; refusals are private.
    Slash,
    /// Messages addressed to the bot (prefix, mention, reply, DM) are answered
    /// in public: refusals are rate limited or silent.
    Message,
    /// Messages the bot overheard (a watched channel, a thread it answered
    /// in): only an answer is worth interrupting for; declines and refusals
    /// stay silent (declines are still recorded for `/unanswered`).
    Overheard,
}

impl Via {
    fn entry_point(self) -> EntryPoint {
        match self {
            Via::Slash => EntryPoint::Slash,
            Via::Message => EntryPoint::Message,
            Via::Overheard => EntryPoint::Overheard,
        }
    }
}

/// What a question that arrives once shutdown has begun gets: the same
/// words however it was asked, except that overheard ones stay unanswered.
pub fn restarting(via: Via) -> Option<Reply> {
    match via {
        Via::Slash => Some(restarting_privately()),
        Via::Message => Some(Reply::text(RESTARTING)),
        Via::Overheard => None,
    }
}

/// The refusal once shutdown has begun, for interactions (always answered).
pub(crate) fn restarting_privately() -> Reply {
    Reply::private(RESTARTING)
}

/// A slash command's `/ask`: always returns a reply.
pub async fn slash(state: &BotState, ask: &SlashAsk) -> Reply {
    if ask.member.guild.is_none() && !state.settings.discord.dms {
        return Reply::private("I only answer in servers, not in direct messages.");
    }
    let question = markup::plain(&ask.question, state.bot_id(), &ask.names);
    answer(
        state,
        &ask.member,
        &question,
        ask.embeds,
        ask.received,
        Via::Slash,
    )
    .await
    .unwrap_or_else(|| Reply::private(HELP))
}

/// A message: the reply to send (as a reply to it), or None to stay quiet.
pub async fn message(state: &BotState, msg: &IncomingMessage) -> Option<Reply> {
    let (question, via) = question_in(state, msg).await?;
    answer(state, &msg.author, &question, msg.embeds, msg.received, via).await
}

/// The question a message asks the bot, if it asks one, and how it was asked.
pub(crate) async fn question_in(state: &BotState, msg: &IncomingMessage) -> Option<(String, Via)> {
    if msg.author_is_bot || msg.author.user == state.bot_id() {
        return None;
    }
    let d = &state.settings.discord;
    let server = state.server(msg.author.guild);
    let content = msg.content.trim();
    let plain = |text: &str| markup::plain(text, state.bot_id(), &msg.names);
    let prefix = server.prefix.as_deref().unwrap_or("");
    if let Some(q) = strip_prefix(content, prefix) {
        return (msg.author.guild.is_some() || d.dms).then(|| (plain(q), Via::Message));
    }
    if msg.author.guild.is_none() {
        return d.dms.then(|| (plain(content), Via::Message));
    }
    if msg.mentions_bot || msg.replies_to_bot {
        return Some((plain(content), Via::Message));
    }
    let follow_up = msg.in_thread
        && state
            .store
            .answered_in_channel(msg.author.channel)
            .await
            .unwrap_or(false);
    let watched = server.watched_channels.contains(&msg.author.channel);
    let question = plain(content);
    ((follow_up || watched) && reads_as_question(&question)).then_some((question, Via::Overheard))
}

/// Answer one question: cooldown, engine, record, render. None when the bot
/// should stay quiet (a repeated slow-down, an overheard decline).
pub async fn answer(
    state: &BotState,
    member: &Member,
    question: &str,
    embeds: bool,
    received: Instant,
    via: Via,
) -> Option<Reply> {
    let question = render::clip(question.trim(), MAX_QUESTION_CHARS);
    if question.is_empty() {
        return Some(Reply {
            ephemeral: via == Via::Slash,
            ..Reply::text(HELP)
        });
    }
    let count = |verdict| state.metrics.question(via.entry_point(), verdict);
    let window = Duration::from_secs_f64(state.server(member.guild).user_cooldown_secs);
    if let Err(r) = state
        .cooldowns
        .check(member.guild, member.user, window, received)
    {
        count(Verdict::Throttled);
        let text = format!(
            "Slow down: you can ask again in {} s.",
            r.wait.as_secs_f64().ceil().max(1.0)
        );
        return match via {
            Via::Slash => Some(Reply::private(text)),
            Via::Message => r.notify.then(|| Reply::text(text)),
            Via::Overheard => None,
        };
    }
    let found = ask_engine(state, &question, member.guild).await;
    let answer = match found {
        Ok(a) => a,
        Err(e) => {
            count(Verdict::Failed);
            tracing::error!(guild = ?member.guild, channel = member.channel, "question failed: {e:#}");
            // A damaged index must not pass for "not in the briefs".
            let damaged = matches!(
                e.downcast_ref::<briefbot_engine::EngineError>(),
                Some(briefbot_engine::EngineError::Search { .. })
            );
            let text = if damaged {
                "The index of the briefs is damaged, so I can't search them. A moderator should run /reindex."
            } else {
                "Something went wrong while searching the briefs. Please try again."
            };
            return (via != Via::Overheard).then(|| Reply {
                ephemeral: via == Via::Slash,
                ..Reply::text(text)
            });
        }
    };
    let top = answer.hits.first().filter(|_| answer.answered);
    let stored = StoredQuestion {
        id: 0,
        guild: member.guild,
        channel: member.channel,
        asker: member.user,
        text: question.clone(),
        answered: answer.answered,
        passage_id: top.map(|h| h.passage.id.clone()),
        asked_at: state.now(),
        not_stated: answer.verdict == briefbot_engine::Verdict::NotStated,
    };
    let question_id = match state.store.record_question(&stored).await {
        Ok(id) => id,
        Err(e) => {
            // Still answer: only the buttons depend on the record.
            tracing::error!("recording a question: {e}");
            0
        }
    };
    let latency = received.elapsed();
    count(if answer.answered {
        Verdict::Answered
    } else {
        Verdict::Declined
    });
    state.metrics.answer_latency(latency);
    tracing::info!(
        guild = ?member.guild,
        channel = member.channel,
        latency_ms = latency.as_millis() as u64,
        outcome = if answer.answered { "answered" } else { "declined" },
        passage = top.map(|h| h.passage.id.as_str()).unwrap_or("-"),
        question_id,
        via = ?via,
        "question"
    );
    if via == Via::Overheard && !answer.answered {
        return None;
    }
    let mut reply = render::answer(
        &answer,
        View {
            question_id,
            page: 0,
            embeds,
        },
    );
    if question_id == 0 {
        reply.components.clear();
    }
    Some(reply)
}

/// Run the (synchronous) engine off the async threads.
pub async fn ask_engine(
    state: &BotState,
    question: &str,
    guild: Option<u64>,
) -> anyhow::Result<Answer> {
    let engine = state.engine.clone();
    let text = question.to_string();
    let top = state.settings.discord.pages;
    Ok(tokio::task::spawn_blocking(move || {
        // The engine knows tenants, not guilds: each guild is one.
        let tenant = guild.map(super::moderation::tenant);
        engine.ask_with(&Question {
            text: &text,
            tenant: tenant.as_ref(),
            top,
        })
    })
    .await??)
}

/// `!ask how many soldiers?` → `how many soldiers?`; the prefix is matched
/// case-insensitively and must stand alone.
fn strip_prefix<'a>(content: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() || content.len() < prefix.len() || !content.is_char_boundary(prefix.len())
    {
        return None;
    }
    let (head, rest) = content.split_at(prefix.len());
    (head.eq_ignore_ascii_case(prefix)
        && (rest.is_empty() || rest.starts_with(char::is_whitespace)))
    .then(|| rest.trim())
}

/// A message in a watched channel or thread is taken as a question when it
/// ends with a question mark or opens with a question word.
pub(crate) fn reads_as_question(text: &str) -> bool {
    const OPENERS: &[&str] = &[
        "who", "what", "when", "where", "why", "how", "which", "whose", "whom", "is", "are", "was",
        "were", "does", "do", "did", "can", "could", "will", "would", "should", "has", "have",
        "had",
    ];
    let t = text.trim();
    if t.chars().count() < 4 {
        return false;
    }
    if t.ends_with('?') {
        return true;
    }
    let first = t
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .next()
        .unwrap_or("")
        .to_lowercase();
    let first = first.split('\'').next().unwrap_or("");
    OPENERS.contains(&first) && t.split_whitespace().count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_must_stand_alone() {
        assert_eq!(strip_prefix("!ask how many?", "!ask"), Some("how many?"));
        assert_eq!(strip_prefix("!ASK  x", "!ask"), Some("x"));
        assert_eq!(strip_prefix("!asking x", "!ask"), None);
        assert_eq!(strip_prefix("x", ""), None);
        assert_eq!(strip_prefix("é", "!a"), None);
    }

    #[test]
    fn questions_are_told_from_chatter() {
        assert!(reads_as_question("how many soldiers"));
        assert!(reads_as_question("Kim's troops?"));
        assert!(reads_as_question("What's in it for Kim"));
        assert!(!reads_as_question("lol"));
        assert!(!reads_as_question("thanks everyone, great brief"));
        assert!(!reads_as_question("is it"));
    }
}
