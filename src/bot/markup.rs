//! A question as its author meant it, whatever Discord markup it carries.
//! "`<@123>` how many soldiers?" is a question about soldiers, not about a
//! number the engine has never seen: every mention becomes the name it stands
//! for (the event's resolved data or the cache name it), or is dropped when
//! no name is known. `@everyone`/`@here`, custom emoji and timestamps are
//! dropped, before the engine sees the question.

use std::collections::HashMap;

/// Names for the ids mentioned in one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub users: HashMap<u64, String>,
    pub roles: HashMap<u64, String>,
    pub channels: HashMap<u64, String>,
}

/// The ids `text` mentions, for the glue to look their names up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Mentioned {
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
    pub channels: Vec<u64>,
}

pub(crate) fn mentioned(text: &str) -> Mentioned {
    let mut found = Mentioned::default();
    for piece in text.split('<').skip(1) {
        let Some((inner, _)) = piece.split_once('>') else {
            continue;
        };
        let (list, raw) = if let Some(r) = inner.strip_prefix("@&") {
            (&mut found.roles, r)
        } else if let Some(u) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
            (&mut found.users, u)
        } else if let Some(c) = inner.strip_prefix('#') {
            (&mut found.channels, c)
        } else {
            continue;
        };
        if let Ok(id) = raw.parse::<u64>() {
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }
    found
}

/// `text` with its markup replaced by plain words, whitespace collapsed.
/// Mentions that address the message rather than speak of someone are
/// dropped: those before its first word ("@briefbot @Kim how many
/// soldiers?") and those after its closing question mark ("… soldiers?
/// @Kim"). The others read as names ("what did @Kim say?").
pub(crate) fn plain(text: &str, bot: u64, names: &Names) -> String {
    let pieces = pieces(text, bot, names);
    let is_word = |p: &Piece| !p.markup && p.text.chars().any(char::is_alphanumeric);
    let first_word = pieces.iter().position(is_word);
    let last_word = pieces.iter().rposition(is_word);
    let mut asked = false; // a '?' after the last word has been seen
    let mut out = String::with_capacity(text.len());
    for (i, p) in pieces.iter().enumerate() {
        if !p.markup {
            asked |= last_word.is_some_and(|l| i >= l) && p.text.contains('?');
            out.push_str(&p.text);
            continue;
        }
        let addresses =
            first_word.is_none_or(|f| i < f) || (asked && last_word.is_some_and(|l| i > l));
        out.push(' ');
        if !addresses {
            out.push_str(&p.text);
            out.push(' ');
        }
    }
    let out = neutralise(&out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A run of plain text, or what one piece of markup stands for.
struct Piece {
    markup: bool,
    text: String,
}

fn pieces(text: &str, bot: u64, names: &Names) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        plain.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('>')
            .filter(|&close| !after[..close].contains('<'));
        let Some(close) = close else {
            plain.push('<');
            rest = after;
            continue;
        };
        let inner = &after[..close];
        match token(inner, bot, names) {
            Some(words) => {
                pieces.push(Piece {
                    markup: false,
                    text: neutralise(&std::mem::take(&mut plain)),
                });
                pieces.push(Piece {
                    markup: true,
                    text: words,
                });
            }
            None => {
                plain.push('<');
                plain.push_str(inner);
                plain.push('>');
            }
        }
        rest = &after[close + 1..];
    }
    plain.push_str(rest);
    pieces.push(Piece {
        markup: false,
        text: neutralise(&plain),
    });
    pieces
}

/// `@everyone` and `@here` are pings, not words.
fn neutralise(text: &str) -> String {
    text.replace("@everyone", " ").replace("@here", " ")
}

/// What one `<…>` stands for; None when it is not Discord markup.
fn token(inner: &str, bot: u64, names: &Names) -> Option<String> {
    let id = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let named = |map: &HashMap<u64, String>, raw: &str| -> Option<String> {
        let id = id(raw)?;
        Some(map.get(&id).cloned().unwrap_or_default())
    };
    if let Some(role) = inner.strip_prefix("@&") {
        return named(&names.roles, role);
    }
    if let Some(user) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
        if id(user) == Some(bot) {
            return Some(String::new());
        }
        return named(&names.users, user);
    }
    if let Some(channel) = inner.strip_prefix('#') {
        return named(&names.channels, channel);
    }
    // <t:1745452800:R>: the reader sees a time in their own zone; as a
    // search word it would only be a number no brief holds.
    if let Some(stamp) = inner.strip_prefix("t:") {
        let secs = stamp.split(':').next()?;
        return secs.parse::<i64>().ok().map(|_| String::new());
    }
    // </ask:123>: a slash command mention reads as its name.
    if let Some(command) = inner.strip_prefix('/') {
        let (name, cid) = command.rsplit_once(':')?;
        id(cid)?;
        return Some(name.to_string());
    }
    // <:kim:123> and <a:wave:123>: custom emoji carry no meaning for a search.
    let emoji = inner
        .strip_prefix("a:")
        .or_else(|| inner.strip_prefix(':'))?;
    let (_, eid) = emoji.rsplit_once(':')?;
    id(eid).map(|_| String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            users: HashMap::from([(7, "Jennifer Jun".to_string())]),
            roles: HashMap::from([(11, "Moderators".to_string())]),
            channels: HashMap::from([(5, "north-korea".to_string())]),
        }
    }

    #[test]
    fn mentions_become_the_names_they_stand_for_or_vanish() {
        let n = names();
        assert_eq!(plain("who is <@!7>?", 42, &n), "who is Jennifer Jun ?");
        assert_eq!(plain("what did <@99> say?", 42, &n), "what did say?");
        let q = "do <@&11> or <@&12> know";
        assert_eq!(plain(q, 42, &n), "do Moderators or know");
        let q = "news in <#5> and <#6> today";
        assert_eq!(plain(q, 42, &n), "news in north-korea and today");
        assert_eq!(plain("<@42> <@!42>how many?", 42, &n), "how many?");
    }

    #[test]
    fn mentions_that_address_the_message_are_not_part_of_the_question() {
        let n = names();
        let q = "how many soldiers?";
        assert_eq!(plain("<@99> how many soldiers?", 42, &n), q);
        assert_eq!(plain("<@7> <@&11> <#5> how many soldiers?", 42, &n), q);
        assert_eq!(
            plain("@everyone <@7>, how many soldiers?", 42, &n),
            ", how many soldiers?"
        );
        assert_eq!(plain("how many soldiers? <@7> <@&11>", 42, &n), q);
        assert_eq!(plain("<@7>", 42, &n), "");
    }

    #[test]
    fn pings_emoji_and_timestamps_are_neutralised() {
        let n = names();
        let q = "@everyone @here how many <:kim:123><a:wave:456> soldiers?";
        assert_eq!(plain(q, 1, &n), "how many soldiers?");
        let q = "how many soldiers <t:1745452800:R>?";
        assert_eq!(plain(q, 1, &n), "how many soldiers ?");
        assert_eq!(plain("use </ask:123> now", 1, &n), "use ask now");
    }

    #[test]
    fn the_ids_to_look_up_are_found() {
        let m = mentioned("<@1> <@!2> <@&3> <#4> <@1> <:e:5> <@x> <t:6>");
        assert_eq!(
            (m.users, m.roles, m.channels),
            (vec![1, 2], vec![3], vec![4])
        );
    }

    #[test]
    fn text_that_only_looks_like_markup_is_kept() {
        let n = names();
        assert_eq!(plain("is 3 < 4 > 2?", 1, &n), "is 3 < 4 > 2?");
        assert_eq!(
            plain("<b>bold</b> <@x> <<@7>", 1, &n),
            "<b>bold</b> <@x> < Jennifer Jun"
        );
        assert_eq!(plain("tail <", 1, &n), "tail <");
        assert_eq!(
            plain("<t:99999999999999999999>", 1, &n),
            "<t:99999999999999999999>"
        );
    }

    proptest::proptest! {
        #[test]
        fn no_markup_survives_and_nothing_panics(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z ?]{0,8}",
                    "<@!?[0-9]{1,20}>",
                    "<@&[0-9]{1,5}>",
                    "<#[0-9]{1,5}>",
                    "<a?:[a-z]{1,5}:[0-9]{1,5}>",
                    "<t:[0-9]{1,12}(:R)?>",
                    "@everyone|@here|<|>|@",
                    ".{0,3}",
                ],
                0..20,
            )
        ) {
            let text = parts.concat();
            let out = plain(&text, 42, &names());
            proptest::prop_assert!(!out.contains("@everyone") && !out.contains("@here"), "{out:?}");
            let left = mentioned(&out);
            proptest::prop_assert!(left == Mentioned::default(), "{text:?} → {out:?}");
        }
    }
}
