//! Discord's refusals of a message body, so a bot that would be refused by the
//! real API is refused by the fake too (with Discord's error codes).

use serde_json::{json, Value};

/// A refusal: HTTP status and Discord's error object.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub body: Value,
}

impl Refusal {
    pub fn new(status: u16, code: u64, message: &str) -> Self {
        Refusal {
            status,
            body: json!({"code": code, "message": message}),
        }
    }

    fn form(field: &str, message: String) -> Self {
        Refusal {
            status: 400,
            body: json!({
                "code": 50035, "message": "Invalid Form Body",
                "errors": {field: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": message}]}},
            }),
        }
    }
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn limit(field: &str, v: &Value, max: usize) -> Result<usize, Refusal> {
    let n = chars(v);
    if n > max {
        return Err(Refusal::form(
            field,
            format!("Must be {max} or fewer in length (got {n})."),
        ));
    }
    Ok(n)
}

/// Checks a message create/edit body. `partial` for edits, which may omit everything.
pub(crate) fn message(body: &Value, partial: bool) -> Result<(), Refusal> {
    limit("content", &body["content"], 2000)?;
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        return Err(Refusal::form(
            "embeds",
            "Must be 10 or fewer in length.".into(),
        ));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        total += limit(&format!("embeds.{i}.title"), &e["title"], 256)?;
        total += limit(&format!("embeds.{i}.description"), &e["description"], 4096)?;
        total += limit(
            &format!("embeds.{i}.footer.text"),
            &e["footer"]["text"],
            2048,
        )?;
        total += limit(
            &format!("embeds.{i}.author.name"),
            &e["author"]["name"],
            256,
        )?;
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            return Err(Refusal::form(
                &format!("embeds.{i}.fields"),
                "Must be 25 or fewer in length.".into(),
            ));
        }
        for (j, f) in fields.iter().enumerate() {
            for (key, max) in [("name", 256), ("value", 1024)] {
                let field = format!("embeds.{i}.fields.{j}.{key}");
                if chars(&f[key]) == 0 {
                    return Err(Refusal::form(&field, "This field is required".into()));
                }
                total += limit(&field, &f[key], max)?;
            }
        }
    }
    if total > 6000 {
        return Err(Refusal::form(
            "embeds",
            format!("Embed size exceeds maximum size of 6000 (got {total})."),
        ));
    }
    components(&body["components"])?;
    mentions(&body["allowed_mentions"])?;
    if !partial {
        let blank = body["content"].as_str().is_none_or(|c| c.trim().is_empty());
        let nothing_else = embeds.is_empty()
            && body["components"].as_array().is_none_or(|c| c.is_empty())
            && body["attachments"].as_array().is_none_or(|a| a.is_empty())
            && body["sticker_ids"].as_array().is_none_or(|s| s.is_empty())
            && body["poll"].is_null();
        if blank && nothing_else {
            return Err(Refusal::new(400, 50006, "Cannot send an empty message"));
        }
    }
    Ok(())
}

fn components(rows: &Value) -> Result<(), Refusal> {
    let Some(rows) = rows.as_array() else {
        return Ok(());
    };
    if rows.len() > 5 {
        return Err(Refusal::form(
            "components",
            "Must be 5 or fewer in length.".into(),
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let items = row["components"].as_array().cloned().unwrap_or_default();
        if row["type"] != 1 || items.is_empty() || items.len() > 5 {
            return Err(Refusal::form(
                &format!("components.{i}"),
                "An action row holds 1 to 5 components.".into(),
            ));
        }
        for (j, c) in items.iter().enumerate() {
            let field = format!("components.{i}.components.{j}");
            limit(&format!("{field}.custom_id"), &c["custom_id"], 100)?;
            limit(&format!("{field}.label"), &c["label"], 80)?;
            let link = c["style"] == 5;
            if c["type"] == 2 && link == c["custom_id"].is_string() {
                return Err(Refusal::form(
                    &field,
                    "A button needs a custom_id, or a url if it is a link.".into(),
                ));
            }
        }
    }
    Ok(())
}

fn mentions(am: &Value) -> Result<(), Refusal> {
    let parse: Vec<&str> = am["parse"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for kind in ["users", "roles"] {
        let listed = am[kind].as_array().is_some_and(|l| !l.is_empty());
        if parse.contains(&kind) && listed {
            return Err(Refusal::form(
                "allowed_mentions",
                format!("parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."),
            ));
        }
    }
    Ok(())
}
