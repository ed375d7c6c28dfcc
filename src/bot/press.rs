//! Button presses on an answer: "Next match" (asker only, until it expires),
//! 👍/👎 (anyone, one vote per member per answer), "Delete" (asker or moderator).

use super::ask::ask_engine;
use super::buttons::ButtonId;
use super::events::ButtonPress;
use super::moderation::{audit, AuditAction};
use super::render::{self, View};
use super::reply::Reply;
use super::state::BotState;
use crate::store::Vote;

/// What to do with the interaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Replace the answer message (interaction response type 7).
    Update(Reply),
    /// Answer the press with a new (usually private) message.
    Respond(Reply),
    /// Acknowledge and delete the answer message; `log` goes to the log channel.
    Delete { log: Option<String> },
    /// Not one of our buttons.
    Ignore,
}

pub async fn press(state: &BotState, p: &ButtonPress) -> Outcome {
    let Some(id) = ButtonId::parse(&p.custom_id) else {
        return Outcome::Ignore;
    };
    let qid = match id {
        ButtonId::Next { question, .. }
        | ButtonId::Vote { question, .. }
        | ButtonId::Delete { question } => question,
    };
    let q = match state.store.question(qid).await {
        Ok(Some(q)) => q,
        Ok(None) => return private("This answer is no longer available. Ask again with /ask."),
        Err(e) => {
            tracing::error!("loading question {qid}: {e}");
            return private("Something went wrong. Please try again.");
        }
    };
    let user = p.member.user;
    match id {
        ButtonId::Next { page, .. } => {
            if user != q.asker {
                return private(
                    "Only the member who asked can page through these matches. Ask your own with /ask.",
                );
            }
            let expiry = state.settings.discord.page_expiry_secs as i64;
            if state.now() - q.asked_at > expiry {
                return private("These matches have expired. Ask again to see fresh ones.");
            }
            match ask_engine(state, &q.text, q.guild).await {
                Ok(answer) if answer.answered && !answer.hits.is_empty() => {
                    let view = View {
                        question_id: qid,
                        page: page % answer.hits.len(),
                        embeds: p.embeds,
                    };
                    Outcome::Update(render::answer(&answer, view))
                }
                Ok(_) => private("The briefs changed and no longer answer this question."),
                Err(e) => {
                    tracing::error!("paging question {qid}: {e:#}");
                    private("Something went wrong. Please try again.")
                }
            }
        }
        ButtonId::Vote { page, up, .. } => {
            let passage = match page {
                0 => q.passage_id.clone(),
                _ => ask_engine(state, &q.text, q.guild)
                    .await
                    .ok()
                    .and_then(|a| a.hits.get(page).map(|h| h.passage.id.clone())),
            };
            let Some(passage) = passage else {
                return private("This answer can no longer be rated.");
            };
            let thumb = if up { "👍" } else { "👎" };
            let vote = Vote {
                question: qid,
                passage_id: passage,
                user,
                up,
                at: state.now(),
            };
            match state.store.vote(&vote).await {
                Ok(true) => private(&format!("Thanks, your {thumb} is recorded.")),
                Ok(false) => private(&format!("You already gave this answer a {thumb}.")),
                Err(e) => {
                    tracing::error!("recording a vote on {qid}: {e}");
                    private("Something went wrong. Please try again.")
                }
            }
        }
        ButtonId::Delete { .. } => {
            if user == q.asker {
                return Outcome::Delete { log: None };
            }
            if !state.is_moderator(&p.member) {
                return private(
                    "Only the member who asked, or a moderator, can delete this answer.",
                );
            }
            let log = audit(
                state,
                &p.member,
                AuditAction::Delete,
                &format!(
                    "deleted the answer to question {qid} asked by <@{}>",
                    q.asker
                ),
            )
            .await;
            Outcome::Delete { log: Some(log) }
        }
    }
}

fn private(text: &str) -> Outcome {
    Outcome::Respond(Reply::private(text))
}
