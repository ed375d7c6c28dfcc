//! Answers into Discord replies: a pure function of the engine's [`Answer`],
//! unit-tested without a network. Passage text is escaped so a brief can
//! neither format nor ping; the key sentence is bold and matched terms are
//! underlined; everything is trimmed at a sentence to Discord's limits.

pub use crate::present::source_line;
use std::ops::Range;

use poise::serenity_prelude as serenity;
use serenity::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

use super::buttons::ButtonId;
use super::reply::Reply;
use briefbot_engine::{Answer, Hit};

/// Discord's limits, counted in UTF-16 units (never fewer than characters).
pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const DESCRIPTION: usize = 4096;
    pub const TITLE: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const EMBED_TOTAL: usize = 6000;
}

const COLOUR: u32 = 0x2b6cb0;
const ELLIPSIS: &str = "…";

/// Length as Discord counts it, rounded up.
pub fn len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// How an answer is shown: which question it belongs to (for buttons), which
/// ranked passage, and whether the channel allows embeds.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub question_id: i64,
    pub page: usize,
    pub embeds: bool,
}

/// The reply to an answered question, showing `view.page`. A decline or a
/// page past the end renders the decline: never a passage presented as an
/// answer the engine did not give.
pub fn answer(answer: &Answer, view: View) -> Reply {
    let hit = match answer.hits.get(view.page) {
        Some(hit) if answer.answered => hit,
        _ => return decline(answer),
    };
    let footer = format!("Match {} of {}", view.page + 1, answer.hits.len());
    let mut reply = if view.embeds {
        embed_reply(hit, &footer)
    } else {
        text_reply(hit, &footer)
    };
    reply.components = vec![buttons(view, answer.hits.len())];
    reply
}

/// "I couldn't find that in the briefs", with the closest topics; or, when
/// the briefs are about the question but do not say, what is missing above
/// the closest passage.
pub fn decline(answer: &Answer) -> Reply {
    if let Some(reply) = not_stated::reply(answer) {
        return reply;
    }
    let mut text = String::from("I couldn't find that in the briefs.");
    let topics: Vec<String> = answer
        .suggestions
        .iter()
        .take(5)
        .map(|s| format!("**{}**", escape(&clip(s, 100))))
        .collect();
    if !topics.is_empty() {
        text.push_str(" Closest topics: ");
        text.push_str(&topics.join(", "));
        text.push('.');
    }
    Reply::text(clip(&text, limits::CONTENT))
}

fn buttons(view: View, hits: usize) -> CreateActionRow {
    let q = view.question_id;
    let next_page = (view.page + 1) % hits.max(1);
    CreateActionRow::Buttons(vec![
        CreateButton::new(
            ButtonId::Next {
                question: q,
                page: next_page,
            }
            .to_string(),
        )
        .label("Next match")
        .style(ButtonStyle::Primary)
        .disabled(hits < 2),
        CreateButton::new(
            ButtonId::Vote {
                question: q,
                page: view.page,
                up: true,
            }
            .to_string(),
        )
        .label("👍")
        .style(ButtonStyle::Secondary),
        CreateButton::new(
            ButtonId::Vote {
                question: q,
                page: view.page,
                up: false,
            }
            .to_string(),
        )
        .label("👎")
        .style(ButtonStyle::Secondary),
        CreateButton::new(ButtonId::Delete { question: q }.to_string())
            .label("Delete")
            .style(ButtonStyle::Danger),
    ])
}

/// The short answer in bold on a line of its own, with a capital
/// ("**At least 11,000**"), or nothing when the engine found none.
fn short_answer_line(hit: &Hit) -> String {
    let Some(short) = hit.short_answer_text() else {
        return String::new();
    };
    let mut chars = short.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("**{}**\n", escape(&clip(&capital, 200)))
}

fn embed_reply(hit: &Hit, footer: &str) -> Reply {
    let p = &hit.passage;
    // A title is brief text like any other: shown, never interpreted.
    let title = clip(
        &escape(p.heading.as_deref().unwrap_or(&p.brief.title)),
        limits::TITLE,
    );
    let source = clip(&escape(&source_line(p)), limits::FIELD_VALUE);
    let footer = clip(footer, limits::FOOTER);
    let short = short_answer_line(hit);
    let room = limits::EMBED_TOTAL - len(&title) - len("Source") - len(&source) - len(&footer);
    let description = format!(
        "{short}{}",
        passage_markdown(hit, room.min(limits::DESCRIPTION) - len(&short))
    );
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(description)
        .field("Source", source, false)
        .footer(CreateEmbedFooter::new(footer))
        .colour(COLOUR);
    if let Some(url) = p.brief.url.as_deref().filter(|u| u.starts_with("http")) {
        embed = embed.url(url);
    }
    Reply {
        embeds: vec![embed],
        ..Reply::default()
    }
}

fn text_reply(hit: &Hit, footer: &str) -> Reply {
    let p = &hit.passage;
    let head = p
        .heading
        .as_deref()
        .map(|h| format!("__{}__\n", escape(&clip(h, 200))))
        .unwrap_or_default();
    let tail = format!(
        "\n— {} · {}",
        escape(&clip(&source_line(p), 600)),
        escape(footer)
    );
    let short = short_answer_line(hit);
    let room = limits::CONTENT - len(&head) - len(&short) - len(&tail);
    Reply::text(format!(
        "{short}{head}{}{tail}",
        passage_markdown(hit, room)
    ))
}

/// The passage body (heading removed: it is shown as the title), key sentence
/// bold, matched terms underlined, within `budget`. When the passage does not
/// fit, whole sentences around the key sentence are kept and the cut marked
/// with an ellipsis.
pub fn passage_markdown(hit: &Hit, budget: usize) -> String {
    let p = &hit.passage;
    let text = p.text.as_str();
    let body_start = match &p.heading {
        Some(h) if text.starts_with(h.as_str()) => h.len(),
        _ => 0,
    };
    let mut units: Vec<Range<usize>> = p
        .sentences
        .iter()
        .filter(|r| r.start >= body_start && r.end <= text.len() && r.start < r.end)
        .filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        .cloned()
        .collect();
    if units.is_empty() {
        units.push(body_start..text.len());
    }
    let units: Vec<Range<usize>> = units.into_iter().map(|r| trim_range(text, r)).collect();
    let key = units
        .iter()
        .enumerate()
        .max_by_key(|(_, r)| overlap(r, &hit.key_sentence))
        .filter(|(_, r)| overlap(r, &hit.key_sentence) > 0)
        .map(|(i, _)| i);
    let rendered: Vec<String> = units
        .iter()
        .enumerate()
        .map(|(i, r)| marked(text, r.clone(), &hit.highlights, Some(i) == key))
        .collect();

    // Grow a window of whole sentences from the key sentence (or the first).
    let k = key.unwrap_or(0);
    let cost = |a: usize, b: usize| -> usize {
        let inner: usize = rendered[a..=b].iter().map(|s| len(s) + 1).sum::<usize>() - 1;
        inner + if a > 0 { 2 } else { 0 } + if b + 1 < rendered.len() { 2 } else { 0 }
    };
    if cost(k, k) > budget {
        return oversized(text, units[k].clone(), hit, Some(k) == key, budget);
    }
    // Alternate: the sentence after, then the one before, so the key
    // sentence keeps its context on both sides.
    let (mut a, mut b) = (k, k);
    loop {
        let mut grew = false;
        if b + 1 < rendered.len() && cost(a, b + 1) <= budget {
            b += 1;
            grew = true;
        }
        if a > 0 && cost(a - 1, b) <= budget {
            a -= 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    let mut out = String::new();
    if a > 0 {
        out.push_str("… ");
    }
    out.push_str(&rendered[a..=b].join(" "));
    if b + 1 < rendered.len() {
        out.push_str(" …");
    }
    out
}

/// One sentence longer than the whole budget: cut at a word, keep the markup whole.
fn oversized(text: &str, r: Range<usize>, hit: &Hit, bold: bool, budget: usize) -> String {
    let mut end = r.end;
    loop {
        let s = marked(text, r.start..end, &hit.highlights, bold);
        if len(&s) + len(ELLIPSIS) <= budget || end <= r.start {
            return format!("{s}{ELLIPSIS}");
        }
        // Step back to the previous word boundary (at least one character).
        let slice = &text[r.start..end];
        let cut = slice
            .trim_end()
            .rfind(char::is_whitespace)
            .filter(|&i| i > 0)
            .unwrap_or_else(|| slice.char_indices().last().map(|(i, _)| i).unwrap_or(0));
        end = r.start + cut;
    }
}

fn overlap(a: &Range<usize>, b: &Range<usize>) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// Escape `text[range]`, underline the highlights inside it, and bold it all when asked.
fn marked(text: &str, range: Range<usize>, highlights: &[Range<usize>], bold: bool) -> String {
    let mut spans: Vec<Range<usize>> = highlights
        .iter()
        .map(|h| h.start.max(range.start)..h.end.min(range.end))
        .filter(|h| h.start < h.end)
        .filter(|h| text.is_char_boundary(h.start) && text.is_char_boundary(h.end))
        .collect();
    spans.sort_by_key(|h| h.start);
    // "__Jennifer Jun__" reads better than "__Jennifer__ __Jun__".
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for h in spans {
        match merged.last_mut() {
            Some(last)
                if h.start >= last.end && text[last.end..h.start].chars().all(|c| c == ' ') =>
            {
                last.end = last.end.max(h.end);
            }
            _ => merged.push(h),
        }
    }
    let spans = merged;
    let mut out = String::new();
    let mut at = range.start;
    for h in spans {
        if h.start < at {
            continue; // overlapping highlights: keep the first
        }
        out.push_str(&escape(&text[at..h.start]));
        out.push_str("__");
        out.push_str(&escape(&text[h.clone()]));
        out.push_str("__");
        at = h.end;
    }
    out.push_str(&escape(&text[at..range.end.max(at)]));
    if bold && !out.trim().is_empty() {
        format!("**{out}**")
    } else {
        out
    }
}

/// Make text inert in Discord markdown: formatting characters are escaped,
/// `<@&role>`/`<@user>` cannot form mentions, and `@everyone`/`@here` are
/// broken with a zero-width space. Allowed mentions are empty anyway; this
/// keeps the text from even looking like a ping.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.replace("@everyone", "@\u{200b}everyone")
        .replace("@here", "@\u{200b}here")
}

/// Shorten plain text to `max` units, at a sentence end when one is in the
/// second half, else at a word, and mark the cut with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if len(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(len(ELLIPSIS));
    let mut end = 0;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    let head = &text[..end];
    let sentence = head
        .rmatch_indices(['.', '!', '?'])
        .map(|(i, _)| i + 1)
        .find(|&i| i * 2 >= head.len());
    let cut = sentence
        .or_else(|| {
            head.rfind(char::is_whitespace)
                .filter(|&i| i * 2 >= head.len())
        })
        .unwrap_or(head.len());
    format!("{}{ELLIPSIS}", head[..cut].trim_end())
}

mod not_stated;
#[cfg(test)]
mod proptests;
