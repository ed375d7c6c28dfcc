//! Reading one brief file: front-matter, body, and its split into passages.
//!
//! Every check that can fail on a moderator's file happens here, before
//! anything reaches the index, and fails with a [`BriefError`] that names the
//! line at fault. Nothing in this module may panic on any input: a bad file
//! must never take the bot down.

mod frontmatter;
mod heading;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::{attribution, text};
use crate::error::BriefError;
use crate::types::{BriefMeta, Passage, Scope};

/// Limits a brief file must respect before it is parsed.
#[derive(Debug, Clone)]
pub struct BriefLimits {
    pub max_bytes: u64,
}

impl Default for BriefLimits {
    fn default() -> Self {
        BriefLimits {
            max_bytes: 2 * 1024 * 1024,
        }
    }
}

/// A brief read from one file.
#[derive(Debug, Clone)]
pub struct ParsedBrief {
    pub meta: Arc<BriefMeta>,
    pub passages: Vec<Passage>,
}

const BOM: &str = "\u{feff}";
/// File extensions read as briefs, lower case. The one list: the corpus
/// scan, the parser and the bot's `/brief add` all ask this.
pub(crate) const BRIEF_EXTENSIONS: &[&str] = &["md", "markdown", "txt"];

/// Parse one brief. `path` is used for metadata and ids only; `bytes` is its content.
pub fn parse_brief(
    path: &Path,
    bytes: &[u8],
    scope: Scope,
    limits: &BriefLimits,
) -> Result<ParsedBrief, BriefError> {
    if let Some(ext) = path.extension() {
        let ext = ext.to_string_lossy().to_ascii_lowercase();
        if !BRIEF_EXTENSIONS.contains(&ext.as_str()) {
            return Err(BriefError::UnsupportedType { extension: ext });
        }
    }
    let content = decode(bytes, limits)?;
    // Offsets are into the original bytes, so a BOM shifts them.
    let base = if content.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    let text = &content[base..];
    let split = frontmatter::split(text)?;
    let body = &text[split.body_start..];
    let body_base = base + split.body_start;
    let blocks = paragraphs(body);
    if blocks.paragraphs.is_empty() {
        return Err(BriefError::NoText);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = split
        .front
        .title
        .or(blocks.first_title)
        .unwrap_or_else(|| title_from_stem(&stem));
    let meta = Arc::new(BriefMeta {
        title,
        publisher: split.front.publisher,
        date: split.front.date,
        url: split.front.url,
        tags: split.front.tags,
        file: path.to_path_buf(),
        scope,
    });
    let passages = blocks
        .paragraphs
        .into_iter()
        .enumerate()
        .map(|(i, block)| passage(&meta, &stem, i + 1, block, body_base))
        .collect();
    Ok(ParsedBrief { meta, passages })
}

/// Size, emptiness, binary and UTF-8 checks, in that order, so the error
/// names the most basic problem.
fn decode<'a>(bytes: &'a [u8], limits: &BriefLimits) -> Result<&'a str, BriefError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(BriefError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let without_bom = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    if without_bom.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(BriefError::Empty);
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(BriefError::Binary { offset });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        BriefError::InvalidUtf8 {
            line: bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1,
            offset,
        }
    })
}

/// A paragraph found in the body: its text and where it lies in the body.
struct Block {
    text: String,
    span: Range<usize>,
}

struct Body {
    paragraphs: Vec<Block>,
    /// The first `# ` heading: the title when the front-matter gives none.
    first_title: Option<String>,
}

/// Split the body into paragraphs. Blank lines separate paragraphs; a body
/// with no blank line between its lines (one paragraph per line, like the
/// shipped brief) makes each line a paragraph. A paragraph that breaks off
/// mid-sentence is joined to the next; a list item or quotation starts a
/// new one. Markdown `#` headings are never passages.
fn paragraphs(body: &str) -> Body {
    let mut lines: Vec<(Range<usize>, &str)> = Vec::new();
    let mut offset = 0;
    for raw in body.split_inclusive('\n') {
        let content = raw.trim_end_matches(['\n', '\r']);
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        let start = offset + lead;
        lines.push((start..start + trimmed.len(), trimmed));
        offset += raw.len();
    }
    let first = lines.iter().position(|(_, l)| !l.is_empty());
    let last = lines.iter().rposition(|(_, l)| !l.is_empty());
    let one_per_line = match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].iter().all(|(_, t)| !t.is_empty()),
        _ => true,
    };
    let mut out = Body {
        paragraphs: Vec::new(),
        first_title: None,
    };
    let mut current: Option<Block> = None;
    for (span, line) in lines {
        // Rules ("---", "***") and other lines without a letter or digit
        // separate paragraphs like headings do; they are never passages.
        let separator = !line.is_empty() && !line.chars().any(char::is_alphanumeric);
        let heading = markdown_heading(line).or(separator.then_some((0, "")));
        if let Some((level, title)) = heading {
            if level == 1 && out.first_title.is_none() && title.chars().any(char::is_alphanumeric) {
                out.first_title = Some(title.to_string());
            }
        }
        // A list item or a quotation starts a passage of its own: each
        // bullet of "Key points" is one answer. Its marker is not text.
        let marker = block_marker(line);
        // A paragraph that stops mid-sentence goes on in the next one,
        // unless a heading or a new item comes between.
        let carries_on = current.as_ref().is_some_and(|b| text::breaks_off(&b.text));
        if heading.is_some() || marker > 0 || ((line.is_empty() || one_per_line) && !carries_on) {
            out.paragraphs.extend(current.take());
        }
        if line.is_empty() || heading.is_some() {
            continue;
        }
        match current.as_mut() {
            Some(block) => {
                block.text.push(' ');
                block.text.push_str(line);
                block.span.end = span.end;
            }
            None => {
                current = Some(Block {
                    text: line[marker..].to_string(),
                    span: span.start + marker..span.end,
                })
            }
        }
    }
    out.paragraphs.extend(current);
    out
}

/// Length of the list or quotation marker opening `line` ("- ", "* ",
/// "+ ", "12. ", "3) ", "> "), spaces included; 0 when there is none or
/// nothing follows it. "**Bold**" and "-5C" have none.
fn block_marker(line: &str) -> usize {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let mark = match line.as_bytes() {
        [b'-' | b'*' | b'+', b' ' | b'\t', ..] => 1,
        [b'>', ..] => 1,
        _ if (1..=3).contains(&digits)
            && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))
            && matches!(line.as_bytes().get(digits + 1), Some(b' ' | b'\t')) =>
        {
            digits + 1
        }
        _ => return 0,
    };
    let rest = &line[mark..];
    let text = rest.trim_start();
    if text.is_empty() {
        0
    } else {
        mark + rest.len() - text.len()
    }
}

/// `# Title` → (1, "Title"). A `#` run must be followed by a space (or end
/// the line), so hashtags are text.
fn markdown_heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &line[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// "north-korea_war" → "North korea war".
fn title_from_stem(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Untitled brief".to_string(),
    }
}

fn passage(
    meta: &Arc<BriefMeta>,
    stem: &str,
    paragraph: usize,
    block: Block,
    body_base: usize,
) -> Passage {
    let lead = heading::detect(&block.text);
    let body_start = lead.as_ref().map_or(0, |l| l.body_start);
    let sentences = text::split_sentences(&block.text[body_start..])
        .into_iter()
        .map(|r| r.start + body_start..r.end + body_start)
        .collect();
    Passage {
        id: format!("{stem}#{paragraph}"),
        brief: meta.clone(),
        paragraph,
        heading: lead.map(|l| l.heading),
        attribution: attribution::extract(&block.text),
        offsets: block.span.start + body_base..block.span.end + body_base,
        sentences,
        text: block.text,
    }
}
