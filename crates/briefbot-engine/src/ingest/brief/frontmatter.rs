//! The optional front-matter block at the top of a brief: `---`, `key: value`
//! lines, `---`. Strict on purpose: a typo in a key would otherwise silently
//! drop the publisher or date from every answer, so it is reported instead,
//! with the line at fault.

use crate::error::BriefError;

/// What the front-matter says. Every field is optional except that a `title`
/// line, when present, must not be empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
}

/// Where the body starts once the front-matter is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    pub front: FrontMatter,
    /// Byte offset of the body within the text given to [`split`].
    pub body_start: usize,
    /// 1-based line number of the body's first line.
    pub body_line: usize,
}

const KEYS: &[&str] = &["title", "publisher", "date", "url", "tags"];

/// Read the front-matter, if the text opens with one. `text` must not start
/// with a byte-order mark (the caller strips it; line numbers are unaffected).
pub(crate) fn split(text: &str) -> Result<Split, BriefError> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(no_front_matter());
    };
    if first.trim_end() != "---" {
        return Ok(no_front_matter());
    }
    let mut front = FrontMatter::default();
    let mut seen: Vec<(&'static str, usize)> = Vec::new();
    let mut offset = first.len();
    for (index, raw) in lines.enumerate() {
        let line_no = index + 2;
        offset += raw.len();
        let line = raw.trim();
        if line == "---" {
            return Ok(Split {
                front,
                body_start: offset,
                body_line: line_no + 1,
            });
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| BriefError::FrontMatter {
            line: line_no,
            message,
        };
        let Some((key, value)) = line.split_once(':') else {
            return Err(err(format!(
                "expected `key: value`, found {:?}",
                shorten(line)
            )));
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!(
                "expected `key: value`, found {:?}",
                shorten(line)
            )));
        }
        let Some(&key) = KEYS.iter().find(|k| **k == key) else {
            return Err(err(format!(
                "unknown key `{key}` (known keys: {})",
                KEYS.join(", ")
            )));
        };
        if let Some((_, first_line)) = seen.iter().find(|(k, _)| *k == key) {
            return Err(err(format!(
                "duplicate key `{key}` (first given on line {first_line})"
            )));
        }
        seen.push((key, line_no));
        let value = unquote(value.trim());
        match key {
            "title" => {
                if value.is_empty() {
                    return Err(err("`title` is empty".into()));
                }
                front.title = Some(value.to_string());
            }
            "publisher" => front.publisher = non_empty(value),
            "date" => {
                if !value.is_empty() {
                    check_date(value).map_err(err)?;
                    front.date = Some(value.to_string());
                }
            }
            "url" => {
                if !value.is_empty() {
                    check_url(value).map_err(err)?;
                    front.url = Some(value.to_string());
                }
            }
            _ => front.tags = parse_tags(value),
        }
    }
    Err(BriefError::FrontMatter {
        line: 1,
        message: "front-matter opened with `---` is never closed by a `---` line".into(),
    })
}

fn no_front_matter() -> Split {
    Split {
        front: FrontMatter::default(),
        body_start: 0,
        body_line: 1,
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// Strip one pair of matching quotes, as YAML writers add them freely.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return value[1..value.len() - 1].trim();
        }
    }
    value
}

fn shorten(line: &str) -> String {
    let mut s: String = line.chars().take(60).collect();
    if s.len() < line.len() {
        s.push('…');
    }
    s
}

fn check_date(value: &str) -> Result<(), String> {
    let bad = || format!("`date` must be YYYY-MM-DD, found {:?}", shorten(value));
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    if chrono::NaiveDate::from_ymd_opt(y, m, d).is_none() {
        return Err(format!("`date` {value:?} is not a real calendar date"));
    }
    Ok(())
}

fn check_url(value: &str) -> Result<(), String> {
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !value.contains(char::is_whitespace) => Ok(()),
        _ => Err(format!(
            "`url` must be an http:// or https:// address, found {:?}",
            shorten(value)
        )),
    }
}

/// `a, b` or `[a, b]`, items optionally quoted; empty items dropped.
fn parse_tags(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    let mut tags: Vec<String> = Vec::new();
    for item in inner.split(',') {
        let tag = unquote(item.trim());
        if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm_err(text: &str) -> (usize, String) {
        match split(text) {
            Err(BriefError::FrontMatter { line, message }) => (line, message),
            other => panic!("expected a front-matter error, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_key_and_finds_the_body() {
        let text = "---\ntitle: \"A title\"\npublisher: 'Tortoise'\ndate: 2025-04-24\nurl: https://example.org/a\ntags: [war, \"peace\", war]\n---\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(s.front.title.as_deref(), Some("A title"));
        assert_eq!(s.front.publisher.as_deref(), Some("Tortoise"));
        assert_eq!(s.front.date.as_deref(), Some("2025-04-24"));
        assert_eq!(s.front.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(s.front.tags, vec!["war", "peace"]);
        assert_eq!(&text[s.body_start..], "Body\n");
        assert_eq!(s.body_line, 8);
    }

    #[test]
    fn comma_separated_tags_and_crlf_are_accepted() {
        let s = split("---\r\ntags: north korea, russia\r\n---\r\nBody").unwrap();
        assert_eq!(s.front.tags, vec!["north korea", "russia"]);
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn text_without_front_matter_is_all_body() {
        let s = split("Just text\n---\n").unwrap();
        assert_eq!(s.body_start, 0);
        assert_eq!(s.front, FrontMatter::default());
    }

    #[test]
    fn unclosed_block_names_line_one() {
        let (line, msg) = fm_err("---\ntitle: x\nBody text without end\n");
        // The unclosed block fails first on the line that is not `key: value`.
        assert_eq!(line, 3);
        assert!(msg.contains("key: value"), "{msg}");
        let (line, msg) = fm_err("---\ntitle: x\n");
        assert_eq!(line, 1);
        assert!(msg.contains("never closed"), "{msg}");
    }

    #[test]
    fn unknown_duplicate_and_malformed_keys_name_their_line() {
        let (line, msg) = fm_err("---\ntitle: a\nauthor: b\n---\nx");
        assert_eq!(line, 3);
        assert!(msg.contains("unknown key `author`"), "{msg}");
        let (line, msg) = fm_err("---\ntitle: a\n\ntitle: b\n---\nx");
        assert_eq!(line, 4);
        assert!(
            msg.contains("duplicate key `title`") && msg.contains("line 2"),
            "{msg}"
        );
        let (line, _) = fm_err("---\nnot a pair\n---\nx");
        assert_eq!(line, 2);
    }

    #[test]
    fn bad_values_are_rejected() {
        for (text, needle) in [
            ("---\ndate: 24/04/2025\n---\nx", "YYYY-MM-DD"),
            ("---\ndate: 2025-02-30\n---\nx", "calendar"),
            ("---\ndate: 2025-4-24\n---\nx", "YYYY-MM-DD"),
            ("---\nurl: ftp://example.org\n---\nx", "http"),
            ("---\nurl: https://\n---\nx", "http"),
            ("---\nurl: example.org\n---\nx", "http"),
            ("---\ntitle: \"\"\n---\nx", "empty"),
            ("---\ntitle:\n---\nx", "empty"),
        ] {
            let (line, msg) = fm_err(text);
            assert_eq!(line, 2, "{text}");
            assert!(msg.contains(needle), "{text}: {msg}");
        }
    }
}
