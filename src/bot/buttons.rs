//! Button ids. They are stateless, `bb:<action>:<question id>[:<page>]`, so
//! buttons keep working across restarts: the question itself (asker, text,
//! time) is looked up in the store, which also decides expiry.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ButtonId {
    /// Show ranked passage `page` (0-based) of the question.
    Next {
        question: i64,
        page: usize,
    },
    /// Vote on the passage shown at `page`.
    Vote {
        question: i64,
        page: usize,
        up: bool,
    },
    Delete {
        question: i64,
    },
}

impl fmt::Display for ButtonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ButtonId::Next { question, page } => write!(f, "bb:next:{question}:{page}"),
            ButtonId::Vote { question, page, up } => {
                write!(f, "bb:{}:{question}:{page}", if up { "up" } else { "down" })
            }
            ButtonId::Delete { question } => write!(f, "bb:del:{question}"),
        }
    }
}

impl ButtonId {
    /// None for ids that are not ours or are malformed.
    pub(crate) fn parse(id: &str) -> Option<ButtonId> {
        let mut parts = id.split(':');
        if parts.next()? != "bb" {
            return None;
        }
        let action = parts.next()?;
        let question: i64 = parts.next()?.parse().ok()?;
        let page = parts.next().map(str::parse::<usize>);
        let out = match (action, page) {
            ("next", Some(Ok(page))) => ButtonId::Next { question, page },
            ("up", Some(Ok(page))) => ButtonId::Vote {
                question,
                page,
                up: true,
            },
            ("down", Some(Ok(page))) => ButtonId::Vote {
                question,
                page,
                up: false,
            },
            ("del", None) => ButtonId::Delete { question },
            _ => return None,
        };
        parts.next().is_none().then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_foreign_ids_are_ignored() {
        for b in [
            ButtonId::Next {
                question: 7,
                page: 2,
            },
            ButtonId::Vote {
                question: 7,
                page: 0,
                up: false,
            },
            ButtonId::Delete { question: 9 },
        ] {
            assert_eq!(ButtonId::parse(&b.to_string()), Some(b));
        }
        for bad in [
            "",
            "bb",
            "bb:next:x:1",
            "bb:del:1:2",
            "other:next:1:1",
            "bb:next:1",
        ] {
            assert_eq!(ButtonId::parse(bad), None, "{bad}");
        }
    }
}
