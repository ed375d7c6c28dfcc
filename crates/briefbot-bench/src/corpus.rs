//! Synthetic news briefs for scale runs: deterministic from a seed, written as
//! ordinary brief files (front-matter, then one paragraph per passage) so the
//! engine indexes them exactly as it would a moderator's upload.

use std::fmt::Write as _;
use std::path::Path;

use crate::rng::Rng;
use crate::words::*;

/// One generated brief: the file's name and text, and its passages as the
/// engine should split them (for building questions and the baseline).
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedBrief {
    pub file_name: String,
    pub text: String,
    pub passages: Vec<String>,
}

/// What `write_corpus` put on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct CorpusInfo {
    pub files: usize,
    pub passages: usize,
    pub bytes: u64,
}

/// Rare words made from syllables: the long tail of real vocabulary.
struct Lexicon(Vec<String>);

impl Lexicon {
    fn new(rng: &mut Rng, size: usize) -> Self {
        let mut words = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        while words.len() < size {
            let n = rng.range(2, 4);
            let w: String = (0..n).map(|_| *rng.pick(SYLLABLES)).collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        Lexicon(words)
    }

    /// A rare word, Zipf-distributed so a few recur often and most rarely.
    fn word(&self, rng: &mut Rng) -> &str {
        &self.0[rng.zipf(self.0.len())]
    }

    fn name(&self, rng: &mut Rng) -> String {
        capitalise(self.word(rng))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Generate `passages` passages spread over briefs of 20 to 120 paragraphs.
pub fn generate(seed: u64, passages: usize) -> Vec<GeneratedBrief> {
    let root = Rng::new(seed);
    let lex = Lexicon::new(&mut root.fork(0), 6000);
    let mut briefs = Vec::new();
    let mut left = passages;
    let mut sizes = root.fork(1);
    while left > 0 {
        let n = sizes.range(20, 120).min(left);
        let index = briefs.len() + 1;
        briefs.push(brief(&mut root.fork(1000 + index as u64), &lex, index, n));
        left -= n;
    }
    briefs
}

/// Write the corpus into `dir` (created, and emptied of earlier `.md` files).
pub fn write_corpus(dir: &Path, seed: u64, passages: usize) -> std::io::Result<CorpusInfo> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::remove_file(path)?;
        }
    }
    let mut info = CorpusInfo::default();
    for b in generate(seed, passages) {
        std::fs::write(dir.join(&b.file_name), &b.text)?;
        info.files += 1;
        info.passages += b.passages.len();
        info.bytes += b.text.len() as u64;
    }
    Ok(info)
}

fn brief(rng: &mut Rng, lex: &Lexicon, index: usize, n: usize) -> GeneratedBrief {
    let place = *rng.pick(PLACES);
    let title = format!(
        "{} {} in {}",
        capitalise(rng.pick::<&str>(ADJECTIVES)),
        rng.pick(NOUNS),
        place
    );
    let publisher = *rng.pick(PUBLISHERS);
    let mut text = String::new();
    let _ = write!(
        text,
        "---\ntitle: {title}\npublisher: {publisher}\ndate: 2025-{:02}-{:02}\ntags: {}, {}\n---\n",
        rng.range(1, 12),
        rng.range(1, 28),
        place.to_lowercase(),
        rng.pick(NOUNS)
    );
    let passages: Vec<String> = (0..n).map(|_| passage(rng, lex, publisher)).collect();
    for p in &passages {
        text.push('\n');
        text.push_str(p);
        text.push('\n');
    }
    GeneratedBrief {
        file_name: format!("brief-{index:05}.md"),
        text,
        passages,
    }
}

fn passage(rng: &mut Rng, lex: &Lexicon, publisher: &str) -> String {
    let sentences = if rng.chance(0.1) {
        rng.range(6, 10)
    } else {
        rng.range(1, 5)
    };
    let mut out = String::new();
    if rng.chance(0.3) {
        out.push_str(rng.pick::<&str>(HEADINGS));
    }
    for _ in 0..sentences {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&sentence(rng, lex, publisher));
    }
    out
}

fn person(rng: &mut Rng, lex: &Lexicon) -> String {
    let surname = if rng.chance(0.5) {
        lex.name(rng)
    } else {
        rng.pick(SURNAMES).to_string()
    };
    format!("{} {surname}", rng.pick(FIRST_NAMES))
}

fn place(rng: &mut Rng, lex: &Lexicon) -> String {
    match rng.below(4) {
        0 => format!("{} province", lex.name(rng)),
        1 => rng.pick(CITIES).to_string(),
        _ => rng.pick(PLACES).to_string(),
    }
}

fn number(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("{}", rng.range(2, 99)),
        1 => format!("{},{:03}", rng.range(1, 99), rng.below(1000)),
        2 => format!("{}.{} million", rng.range(1, 40), rng.below(10)),
        3 => format!("${} billion", rng.range(1, 300)),
        _ => format!("{} per cent", rng.range(1, 95)),
    }
}

/// A clause a source can be quoted as saying.
fn clause(rng: &mut Rng, lex: &Lexicon) -> String {
    match rng.below(4) {
        0 => format!(
            "the {} {} would {} {} in {}",
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS),
            rng.pick(VERBS_BASE),
            rng.pick(PLURALS),
            place(rng, lex)
        ),
        1 => format!(
            "{} had {} the {} {} {}",
            place(rng, lex),
            rng.pick(VERBS_PAST),
            lex.word(rng),
            rng.pick(NOUNS),
            rng.pick(TIME_PHRASES)
        ),
        2 => format!(
            "at least {} {} were affected by the {}",
            number(rng),
            rng.pick(PLURALS),
            rng.pick(NOUNS)
        ),
        _ => format!(
            "the {} programme was \u{201c}{} and {}\u{201d}",
            lex.word(rng),
            rng.pick(ADJECTIVES),
            rng.pick(ADJECTIVES)
        ),
    }
}

fn sentence(rng: &mut Rng, lex: &Lexicon, publisher: &str) -> String {
    let s = match rng.below(9) {
        0 => format!(
            "{}, {} at {}, said {}.",
            person(rng, lex),
            rng.pick(ROLES),
            rng.pick(ORGS),
            clause(rng, lex)
        ),
        1 => format!(
            "{}, according to {}.",
            capitalise(&clause(rng, lex)),
            rng.pick(ORGS)
        ),
        2 => format!(
            "In {} {}, {} {} {} {} near {}.",
            rng.pick(MONTHS),
            rng.range(1995, 2025),
            place(rng, lex),
            rng.pick(VERBS_PAST),
            number(rng),
            rng.pick(PLURALS),
            place(rng, lex)
        ),
        3 => format!(
            "The {} {} rose by {} {}, {} told {publisher}.",
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS),
            number(rng),
            rng.pick(TIME_PHRASES),
            person(rng, lex)
        ),
        4 => format!(
            "Officials in {} {} the {} after the {} {} {}.",
            rng.pick(CITIES),
            rng.pick(VERBS_PAST),
            rng.pick(NOUNS),
            lex.word(rng),
            rng.pick(NOUNS),
            rng.pick(TIME_PHRASES)
        ),
        5 => format!(
            "More than {} {} have left {} since {}.",
            number(rng),
            rng.pick(PLURALS),
            place(rng, lex),
            rng.pick(MONTHS)
        ),
        6 => format!(
            "{} Holdings is expected to {} its {} {} {}.",
            lex.name(rng),
            rng.pick(VERBS_BASE),
            rng.pick(ADJECTIVES),
            rng.pick(NOUNS),
            rng.pick(TIME_PHRASES)
        ),
        7 => format!(
            "Critics say the {} {} will {} {} across {}.",
            lex.word(rng),
            rng.pick(NOUNS),
            rng.pick(VERBS_BASE),
            rng.pick(PLURALS),
            place(rng, lex)
        ),
        _ => format!(
            "The {} deal, worth {}, {} {} and {} {}.",
            rng.pick(NOUNS),
            number(rng),
            rng.pick(VERBS_PAST),
            place(rng, lex),
            lex.name(rng),
            rng.pick(TIME_PHRASES)
        ),
    };
    capitalise(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let a = generate(7, 300);
        assert_eq!(a, generate(7, 300));
        assert_ne!(a, generate(8, 300));
    }

    #[test]
    fn exact_passage_count_with_front_matter_and_blank_line_paragraphs() {
        let briefs = generate(1, 1234);
        assert_eq!(briefs.iter().map(|b| b.passages.len()).sum::<usize>(), 1234);
        for b in &briefs {
            assert!(b.text.starts_with("---\ntitle: "), "{}", b.file_name);
            let body_paragraphs = b.text.split("\n\n").count() - 1;
            assert_eq!(body_paragraphs, b.passages.len(), "{}", b.file_name);
            assert!(b
                .passages
                .iter()
                .all(|p| !p.contains('\n') && !p.is_empty()));
        }
    }

    #[test]
    fn vocabulary_and_lengths_vary() {
        let briefs = generate(3, 2000);
        let passages: Vec<&String> = briefs.iter().flat_map(|b| &b.passages).collect();
        let words: std::collections::HashSet<&str> =
            passages.iter().flat_map(|p| p.split_whitespace()).collect();
        assert!(words.len() > 3000, "only {} distinct words", words.len());
        let lens: Vec<usize> = passages.iter().map(|p| p.len()).collect();
        assert!(lens.iter().min() < Some(&150) && lens.iter().max() > Some(&800));
    }
}
