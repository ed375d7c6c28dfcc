//! How answers look in a terminal and as JSON. The JSON shape is a contract
//! scripts rely on: keep the field names, add fields freely.

use std::io::IsTerminal;

use serde_json::{json, Value};

use crate::engine::{Answer, Hit};

/// The answer as the `ask --json` object.
pub fn answer_json(answer: &Answer, top: usize) -> Value {
    json!({
        "question": answer.question,
        "answered": answer.answered,
        "answers": answer.hits.iter().take(top.max(1)).map(hit_json).collect::<Vec<_>>(),
        "suggestions": answer.suggestions,
        "terms": answer.terms,
    })
}

fn hit_json(hit: &Hit) -> Value {
    let p = &hit.passage;
    json!({
        "id": p.id,
        "text": p.text,
        "key_sentence": hit.key_sentence_text(),
        "score": hit.score,
        "confidence": hit.confidence,
        "paragraph": p.paragraph,
        "heading": p.heading,
        "attribution": p.attribution.iter().map(|a| json!({
            "name": a.name,
            "role": a.role,
            "org": a.org,
        })).collect::<Vec<_>>(),
        "brief": {
            "title": p.brief.title,
            "publisher": p.brief.publisher,
            "date": p.brief.date,
            "url": p.brief.url,
            "file": p.brief.file,
        },
        "highlights": hit.highlights.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
    })
}

/// "Tortoise · North Korea’s war in Europe · 2025-04-24 · ¶2 · Quoted: Jennifer Jun, CSIS".
pub fn source_line(hit: &Hit) -> String {
    let p = &hit.passage;
    let mut parts: Vec<String> = Vec::new();
    if let Some(publisher) = &p.brief.publisher {
        parts.push(publisher.clone());
    }
    parts.push(p.brief.title.clone());
    if let Some(date) = &p.brief.date {
        parts.push(date.clone());
    }
    parts.push(format!("¶{}", p.paragraph));
    if !p.attribution.is_empty() {
        let names: Vec<String> = p.attribution.iter().map(|a| a.display()).collect();
        parts.push(format!("Quoted: {}", names.join("; ")));
    }
    parts.join(" · ")
}

/// The passage with its key sentence emphasised: bold on a terminal,
/// `**…**` (Markdown) when piped.
pub fn passage_text(hit: &Hit, terminal: bool) -> String {
    let text = &hit.passage.text;
    let k = hit.key_sentence.clone();
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    match (text.get(..k.start), text.get(k.clone()), text.get(k.end..)) {
        (Some(a), Some(b), Some(c)) => format!("{a}{open}{b}{close}{c}"),
        _ => text.clone(),
    }
}

/// The human-readable answer for `ask` and `chat`.
pub fn answer_text(answer: &Answer, top: usize) -> String {
    let terminal = std::io::stdout().is_terminal();
    let mut out = String::new();
    if !answer.answered {
        out.push_str("I couldn't find that in the briefs.\n");
        if !answer.suggestions.is_empty() {
            out.push_str(&format!(
                "Closest topics: {}\n",
                answer.suggestions.join(" · ")
            ));
        }
        return out;
    }
    for (i, hit) in answer.hits.iter().take(top.max(1)).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&passage_text(hit, terminal));
        out.push_str(&format!("\n— {}\n", source_line(hit)));
    }
    out
}
