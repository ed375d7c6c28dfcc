//! The question mix a benchmark asks: loose paraphrases of passages, the way
//! members type them (words dropped and reordered, a question word in front,
//! typos), plus questions no brief answers, so decline paths are timed too.

use std::path::Path;

use anyhow::Context;
use briefbot_engine::{parse_brief, BriefLimits, Scope};

use crate::rng::Rng;
use crate::words::OUT_OF_SCOPE;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchQuestion {
    pub text: String,
    /// Index of the passage it was built from; None for out-of-scope ones.
    pub source: Option<usize>,
}

const STOP: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "to", "and", "or", "for", "by", "with", "was",
    "were", "is", "are", "had", "has", "have", "that", "this", "its", "it", "as", "from", "be",
    "been", "would", "will", "said", "told", "since", "after", "than", "but", "not",
];

/// A brief file's passages, split by the engine's own parser so that "the
/// source" of a question is exactly a passage the engine can answer with.
/// A file the engine refuses has none.
pub fn passages_of(path: &Path, bytes: &[u8]) -> Vec<String> {
    parse_brief(path, bytes, Scope::Global, &BriefLimits::default())
        .map(|b| b.passages.into_iter().map(|p| p.text).collect())
        .unwrap_or_default()
}

/// Every passage of the corpus in file-name order, as the engine splits them.
pub fn read_passages(dir: &Path) -> anyhow::Result<(Vec<String>, usize, u64)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let (mut passages, mut bytes) = (Vec::new(), 0);
    for f in &files {
        let text = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        bytes += text.len() as u64;
        passages.extend(passages_of(f, &text));
    }
    Ok((passages, files.len(), bytes))
}

/// `count` questions over `passages`, about one in eight out of scope.
pub fn question_mix(seed: u64, passages: &[String], count: usize) -> Vec<BenchQuestion> {
    let mut rng = Rng::new(seed).fork(77);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if passages.is_empty() || i % 8 == 7 {
            out.push(BenchQuestion {
                text: OUT_OF_SCOPE[(i / 8) % OUT_OF_SCOPE.len()].to_string(),
                source: None,
            });
            continue;
        }
        let source = rng.below(passages.len());
        out.push(BenchQuestion {
            text: paraphrase(&mut rng, &passages[source]),
            source: Some(source),
        });
    }
    out
}

fn paraphrase(rng: &mut Rng, passage: &str) -> String {
    let sentences: Vec<&str> = passage
        .split_inclusive(['.', '?', '!'])
        .filter(|s| s.split_whitespace().count() > 2)
        .collect();
    let sentence = if sentences.is_empty() {
        passage
    } else {
        rng.pick(&sentences)
    };
    let words: Vec<&str> = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '$' || c == ','))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() > 2 && !STOP.contains(&w.to_lowercase().as_str()))
        .collect();
    let keep = rng.range(2, 5).min(words.len());
    let start = rng.below(words.len().saturating_sub(keep) + 1);
    let mut picked: Vec<String> = words[start..start + keep]
        .iter()
        .filter(|_| rng.chance(0.85))
        .map(|w| w.to_string())
        .collect();
    if picked.is_empty() {
        picked.extend(words.first().map(|w| w.to_string()));
    }
    if rng.chance(0.5) {
        picked.reverse();
    }
    if rng.chance(0.35) {
        let i = rng.below(picked.len().max(1));
        if let Some(w) = picked.get_mut(i) {
            *w = typo(rng, w);
        }
    }
    let has_number = sentence.chars().any(|c| c.is_ascii_digit());
    let lead = match rng.below(6) {
        0 if has_number => "how many",
        1 if has_number => "how much",
        0 | 1 => "what about",
        2 => "who",
        3 => "what did",
        4 => "why",
        _ => "",
    };
    let mut q = lead.to_string();
    for w in picked {
        if !q.is_empty() {
            q.push(' ');
        }
        q.push_str(&w);
    }
    if rng.chance(0.5) {
        q = q.to_lowercase();
    }
    if rng.chance(0.6) {
        q.push('?');
    }
    q
}

/// One slip of the fingers on a word of five letters or more.
fn typo(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 {
        return word.to_string();
    }
    let i = rng.range(1, chars.len() - 2);
    match rng.below(4) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        2 => chars.insert(i, chars[i]),
        _ => chars[i] = *rng.pick(&['e', 'a', 'i', 'o', 'r', 's', 't']),
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passages() -> Vec<String> {
        crate::corpus::generate(11, 200)
            .into_iter()
            .flat_map(|b| b.passages)
            .collect()
    }

    #[test]
    fn mix_is_deterministic_and_includes_out_of_scope() {
        let p = passages();
        let a = question_mix(5, &p, 400);
        assert_eq!(a, question_mix(5, &p, 400));
        assert_ne!(a, question_mix(6, &p, 400));
        assert_eq!(a.iter().filter(|q| q.source.is_none()).count(), 50);
        assert!(a.iter().all(|q| !q.text.trim().is_empty()));
    }

    #[test]
    fn in_scope_questions_share_words_with_their_passage() {
        let p = passages();
        for q in question_mix(9, &p, 200) {
            let Some(src) = q.source else { continue };
            let passage = p[src].to_lowercase();
            let passage_words: Vec<&str> = passage.split(|c: char| !c.is_alphanumeric()).collect();
            // A typo may hit the only long word: one edit away still counts.
            let shared = q
                .text
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 3)
                .filter(|w| {
                    passage_words
                        .iter()
                        .any(|p| strsim::damerau_levenshtein(p, w) <= 1)
                })
                .count();
            assert!(shared >= 1, "{:?} vs {}", q.text, p[src]);
        }
    }

    #[test]
    fn passages_are_split_as_the_engine_splits_them() {
        let of = |text: &str| passages_of(Path::new("b.md"), text.as_bytes());
        let text = "---\ntitle: T\npublisher: P\n---\nFirst para.\n\nSecond para.\nThird.\n";
        assert_eq!(of(text), ["First para.", "Second para. Third."]);
        assert_eq!(of("No front matter.\n"), ["No front matter."]);
        assert_eq!(
            of("One line cut off at the\nend.\nNext.\n"),
            ["One line cut off at the end.", "Next."]
        );
        assert!(of("---\nbad: key\n---\nText.\n").is_empty());
    }
}
