//! `/forget-me`: a member erases what the bot keeps about them, in every
//! server and in direct messages: their questions (and with them the
//! thread follow-ups and "Next match" pages that read them back), their
//! votes, and their name in moderator records. The audit entry it leaves
//! says what was done and how much, not who.

use super::events::Member;
use super::reply::Reply;
use super::state::BotState;
use crate::store::{AuditEntry, Erased, ERASED_MEMBER};

/// The audit log's `action` for an erasure.
pub const ACTION: &str = "forget-me";

pub async fn forget_me(state: &BotState, m: &Member) -> Reply {
    let erased = match state.store.forget_member(m.user).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!("erasing a member's data failed: {e}");
            return Reply::private(
                "I couldn't erase your data just now: the database did not answer, so \
                 nothing was changed. Please try again in a minute.",
            );
        }
    };
    let entry = AuditEntry {
        guild: m.guild,
        user: ERASED_MEMBER,
        action: ACTION.to_string(),
        detail: format!(
            "a member erased their data: {} questions, {} votes, {} moderator records anonymised",
            erased.questions, erased.votes, erased.anonymised
        ),
        at: state.now(),
    };
    if let Err(e) = state.store.audit(&entry).await {
        tracing::error!("writing the audit log of an erasure: {e}");
    }
    tracing::info!(
        guild = ?m.guild,
        questions = erased.questions,
        votes = erased.votes,
        anonymised = erased.anonymised,
        "a member erased their data"
    );
    Reply::private(confirmation(&erased))
}

/// What the member is told, with the counts.
pub fn confirmation(e: &Erased) -> String {
    if e.total() == 0 {
        return "I had nothing stored about you: no questions, no votes. \
                Questions you ask from now on are kept as \"What briefbot stores\" describes."
            .to_string();
    }
    let mut text = format!(
        "Done: I deleted {} and {}, in every server and in direct messages ({} in all).",
        count(
            e.questions,
            "of your stored questions",
            "stored question of yours"
        ),
        count(e.votes, "votes", "vote"),
        count(e.total(), "records", "record"),
    );
    if e.anonymised > 0 {
        let records = if e.anonymised == 1 {
            "record that named you now names"
        } else {
            "records that named you now name"
        };
        text.push_str(&format!(" {} moderator {records} no one.", e.anonymised));
    }
    text.push_str(" The buttons on your earlier answers no longer work.");
    text
}

/// `n` and its noun: "3 votes", "1 vote".
fn count(n: u64, many: &str, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_counts_what_went() {
        let text = confirmation(&Erased {
            questions: 3,
            votes: 2,
            anonymised: 1,
        });
        assert!(
            text.contains("deleted 3 of your stored questions and 2 votes"),
            "{text}"
        );
        assert!(text.contains("(6 records in all)"), "{text}");
        assert!(
            text.contains("1 moderator record that named you now names no one."),
            "{text}"
        );
        let one = confirmation(&Erased {
            questions: 1,
            votes: 1,
            anonymised: 0,
        });
        assert!(
            one.contains("deleted 1 stored question of yours and 1 vote,"),
            "{one}"
        );
        let nothing = confirmation(&Erased::default());
        assert!(nothing.starts_with("I had nothing stored"), "{nothing}");
    }
}
