//! The reply when the briefs are about the question but do not say what it
//! asks: a line saying what is missing, then the closest passage as
//! context. Its key sentence is not bold and no buttons ask for a vote, so
//! nothing presents it as the answer.

use briefbot_engine::{Answer, Hit, Verdict};

use super::{escape, len, limits, passage_markdown, source_line};
use crate::bot::reply::Reply;

/// Room kept for the source line under the passage.
const SOURCE: usize = 600;
/// Room for the line saying what is missing: it quotes the question, which
/// may be long.
const LINE: usize = 700;

/// The reply for a [`Verdict::NotStated`] answer; None for any other.
pub(super) fn reply(answer: &Answer) -> Option<Reply> {
    if answer.verdict != Verdict::NotStated {
        return None;
    }
    let hit = answer.closest.first()?;
    let line = match &answer.missing {
        Some(m) => format!("{m}."),
        None => "The briefs are about this but do not say.".to_string(),
    };
    let head = format!(
        "{}\nThe closest passage:\n",
        escape(&super::clip(&line, LINE))
    );
    let source = format!(
        "\n— {}",
        escape(&super::clip(&source_line(&hit.passage), SOURCE))
    );
    let plain = Hit {
        key_sentence: 0..0,
        short_answer: None,
        ..hit.clone()
    };
    let room = limits::CONTENT.saturating_sub(len(&head) + len(&source) + 2);
    let body = passage_markdown(&plain, room);
    Some(Reply::text(format!("{head}> {body}{source}")))
}
