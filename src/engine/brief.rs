//! Reading one brief file: front-matter, body, and its split into passages.
//! MINIMAL VERSION: to be completed (front-matter validation, heading detection).

use std::path::Path;
use std::sync::Arc;

use super::error::BriefError;
use super::types::{BriefMeta, Passage, Scope};
use super::{attribution, text};

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

/// Parse one brief. `path` is used for metadata and ids only; `bytes` is its content.
pub fn parse_brief(
    path: &Path,
    bytes: &[u8],
    scope: Scope,
    limits: &BriefLimits,
) -> Result<ParsedBrief, BriefError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(BriefError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(BriefError::Empty);
    }
    let content = std::str::from_utf8(bytes).map_err(|e| BriefError::InvalidUtf8 {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        offset: e.valid_up_to(),
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = Arc::new(BriefMeta {
        title: stem.clone(),
        publisher: None,
        date: None,
        url: None,
        tags: vec![],
        file: path.to_path_buf(),
        scope,
    });
    let mut passages = Vec::new();
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let start = offset + (line.len() - line.trim_start().len());
            let paragraph = passages.len() + 1;
            passages.push(Passage {
                id: format!("{stem}#{paragraph}"),
                brief: meta.clone(),
                paragraph,
                heading: None,
                text: trimmed.to_string(),
                offsets: start..start + trimmed.len(),
                sentences: text::split_sentences(trimmed),
                attribution: attribution::extract(trimmed),
            });
        }
        offset += line.len();
    }
    if passages.is_empty() {
        return Err(BriefError::NoText);
    }
    Ok(ParsedBrief { meta, passages })
}
