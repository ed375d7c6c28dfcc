//! Sentence splitting for English news prose.
//! MINIMAL VERSION: to be completed (abbreviations, quotes, decimals).

use std::ops::Range;

/// Byte ranges of the sentences in `text`, trimmed of surrounding whitespace.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'?' | b'!') && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            push_trimmed(text, start..i + 1, &mut out);
            start = i + 1;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    if !t.is_empty() {
        out.push(r.start + lead..r.start + lead + t.len());
    }
}
