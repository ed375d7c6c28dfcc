//! The line a moderator's `/brief add` reply carries while the model embeds
//! the new passages: the brief answers by its words at once, and the reply
//! says how far the vectors have come, then that they are done.

use std::time::Duration;

use crate::bot::render;
use crate::bot::reply::Reply;
use briefbot_engine::Vectors;

/// How often the reply is edited: often enough to see it move, rarely
/// enough to stay far from Discord's rate limits.
pub(crate) const EVERY: Duration = Duration::from_secs(5);

/// What to say about the vectors; None when the layer is off.
pub(crate) fn line(vectors: Vectors) -> Option<String> {
    match vectors {
        Vectors::Off => None,
        Vectors::Filling { done, total } => Some(format!(
            "Embedding {}/{} passages… Questions are answered from the brief's words meanwhile.",
            thousands(done),
            thousands(total)
        )),
        Vectors::Ready => Some("Every passage has its vector: questions in other words find it too.".into()),
        Vectors::Failed => Some(
            "The model could not embed these passages (see the bot's log); questions are answered from their words."
                .into(),
        ),
    }
}

/// `reply` with `line` under its text, within Discord's length limit.
pub(crate) fn with_line(reply: &Reply, line: &str) -> Reply {
    let text = reply.content.as_deref().unwrap_or_default();
    Reply {
        content: Some(render::clip(
            &format!("{}\n{line}", text.trim_end()),
            render::limits::CONTENT,
        )),
        ..reply.clone()
    }
}

/// 20000 → "20,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_passages_then_says_done() {
        let filling = line(Vectors::Filling {
            done: 4000,
            total: 20000,
        })
        .unwrap();
        assert!(
            filling.starts_with("Embedding 4,000/20,000 passages…"),
            "{filling}"
        );
        assert!(line(Vectors::Ready).unwrap().contains("Every passage"));
        assert!(line(Vectors::Off).is_none());
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let reply = with_line(&Reply::private("Added **X**.\n"), "Embedding 1/2 passages…");
        assert_eq!(
            reply.content.as_deref(),
            Some("Added **X**.\nEmbedding 1/2 passages…")
        );
        assert!(reply.ephemeral);
    }
}
