//! Turning the words around a source into a short, readable role and
//! organisation: "a satellite specialist at the Center for Strategic and
//! International Studies" → role "satellite specialist", org "CSIS".

use super::words::NAME_JOINERS;
use crate::ingest::tokens::{initials, join, Token};
use crate::types::Attribution;

/// Words that are a position held rather than part of a name, so that
/// "Ukraine’s President Zelensky" is cited as Zelensky, Ukraine’s President.
const TITLES: &[&str] = &[
    "president",
    "prime",
    "minister",
    "chancellor",
    "secretary",
    "general",
    "gen",
    "colonel",
    "col",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "ambassador",
    "senator",
    "sen",
    "governor",
    "gov",
    "mayor",
    "judge",
    "dr",
    "professor",
    "prof",
    "chief",
    "foreign",
    "defence",
    "defense",
    "commander",
    "admiral",
    "lieutenant",
    "lt",
    "captain",
    "sergeant",
    "sgt",
    "envoy",
    "leader",
    "premier",
    "vice",
    "deputy",
    "spokesman",
    "spokeswoman",
    "mr",
    "mrs",
    "ms",
    "sir",
    "dame",
    "lord",
    "lady",
    "supreme",
    "opposition",
    "cardinal",
    "bishop",
    "archbishop",
];

const ARTICLES: &[&str] = &["a", "an", "the"];
const RELATIVES: &[&str] = &["who", "which", "that", "whose", "whom", "where", "when"];
const ORG_LINKS: &[&str] = &["at", "of", "for", "with"];

/// An appositive ("a defector who served seven years in the military,") as
/// a role: leading article dropped, any relative clause cut off. `tokens`
/// runs to the first comma-closed token, or to the end.
pub(super) fn appositive(tokens: &[Token<'_>]) -> Option<String> {
    let end = tokens
        .iter()
        .position(|t| t.trail.starts_with(','))
        .map_or(tokens.len(), |k| k + 1);
    let tokens = &tokens[..end];
    let first = tokens.first()?;
    if tokens.len() > 20 || !first.lead.is_empty() {
        return None;
    }
    // A role opens with a lowercase word or a possessive ("Russia’s ally"),
    // not with another name (a list: "Paris, London, Berlin said").
    if first.core.chars().next().is_some_and(char::is_uppercase) && !is_possessive(first.core) {
        return None;
    }
    let mut words = tokens;
    if words
        .first()
        .is_some_and(|t| ARTICLES.contains(&t.core.to_lowercase().as_str()))
    {
        words = &words[1..];
    }
    let cut = words
        .iter()
        .position(|t| RELATIVES.contains(&t.core.to_lowercase().as_str()))
        .unwrap_or(words.len());
    let role = join(&words[..cut]);
    (!role.is_empty()).then_some(role)
}

/// "satellite specialist at the Center for Strategic and International
/// Studies" → ("satellite specialist", "CSIS"). The organisation must be a
/// capitalised name running to the end of the role.
pub(super) fn split_org(role: &str) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = role.split_whitespace().collect();
    for (k, w) in words.iter().enumerate().skip(1) {
        if !ORG_LINKS.contains(w) {
            continue;
        }
        let mut rest = &words[k + 1..];
        if rest.first() == Some(&"the") {
            rest = &rest[1..];
        }
        let is_name = rest.first().is_some_and(|w| starts_upper(w))
            && rest.last().is_some_and(|w| starts_upper(w))
            && rest
                .iter()
                .all(|w| starts_upper(w) || NAME_JOINERS.contains(w));
        if is_name {
            let org = rest.join(" ");
            let org = initials(&org).filter(|i| i.len() >= 3).unwrap_or(org);
            return (Some(words[..k].join(" ")), Some(org));
        }
    }
    (Some(role.to_string()), None)
}

fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

fn is_possessive(w: &str) -> bool {
    w.ends_with("’s") || w.ends_with("'s") || w.ends_with("s’") || w.ends_with("s'")
}

/// A subject phrase as a source: "Ukraine’s President Zelensky" → name
/// "Zelensky", role "Ukraine’s President"; "the soldiers" stays as it is.
pub(super) fn titled_name(words: &[Token<'_>]) -> Attribution {
    let owner_end = words[..words.len() - 1]
        .iter()
        .rposition(|t| is_possessive(t.core))
        .map_or(0, |p| p + 1);
    let mut title_end = owner_end;
    while title_end + 1 < words.len()
        && TITLES.contains(&words[title_end].core.to_lowercase().as_str())
        && words[title_end]
            .core
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    {
        title_end += 1;
    }
    if title_end > owner_end {
        return Attribution {
            name: join(&words[title_end..]),
            role: Some(join(&words[..title_end])),
            org: None,
        };
    }
    // "Christian author Eric Metaxas": a lowercase description, then a name.
    if let Some(k) = words.iter().rposition(|t| !starts_upper(t.core)) {
        let name_part = &words[k + 1..];
        if !name_part.is_empty() && !NAME_JOINERS.contains(&words[k].core) {
            let mut desc = &words[..=k];
            let article = desc
                .first()
                .is_some_and(|t| ARTICLES.contains(&t.core.to_lowercase().as_str()));
            if article {
                desc = &desc[1..];
            }
            if !desc.is_empty() && desc.iter().any(|t| !starts_upper(t.core)) {
                let mut found = titled_name(name_part);
                // A lone word with no article ("On his table Luther wrote")
                // is more often the end of a phrase than a description.
                if desc.len() == 1 && !article {
                    return found;
                }
                found.role = Some(match found.role {
                    Some(title) => format!("{} {title}", join(desc)),
                    None => join(desc),
                });
                return found;
            }
        }
    }
    let mut name = join(words);
    // "The soldiers" opening a sentence reads better as "the soldiers".
    let lowercase_group = words.len() > 1
        && ARTICLES.contains(&words[0].core.to_lowercase().as_str())
        && !starts_upper(words[1].core);
    if lowercase_group {
        name = format!(
            "{}{}",
            words[0].core.to_lowercase(),
            &name[words[0].core.len()..]
        );
    }
    Attribution {
        name,
        role: None,
        org: None,
    }
}
