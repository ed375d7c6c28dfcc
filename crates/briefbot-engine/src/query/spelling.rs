//! Spelling correction against the words the briefs actually use.

use crate::index::lexicon::Lexicon;

/// Longest edit distance tolerated for a word of this length: short words
/// are too easily confused to correct at all.
pub(super) fn max_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Which letters a word uses, hashed into 64 bits (a collision only weakens
/// the bound in `correct`, never makes it wrong).
fn letter_set(word: &str) -> u64 {
    word.chars().fold(0, |set, c| set | 1 << (c as u32 % 64))
}

/// The most frequent known word within the allowed edit distance, if any.
pub(super) fn correct(word: &str, lex: &Lexicon) -> Option<String> {
    let max = max_typos(word.chars().count());
    if max == 0 || word.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut best: Option<(usize, u32, &str)> = None;
    let letters = letter_set(word);
    for (cand, &df) in &lex.exact_df {
        if cand.len().abs_diff(word.len()) > max {
            continue;
        }
        // One edit changes at most two letters of the set (a substitution),
        // so this cheap bound skips nearly every word before the costly distance.
        if (letters ^ letter_set(cand)).count_ones() as usize > 2 * max {
            continue;
        }
        let d = strsim::osa_distance(word, cand);
        if d == 0 || d > max {
            continue;
        }
        let better = match best {
            None => true,
            Some((bd, bdf, bc)) => {
                (d, std::cmp::Reverse(df), cand.as_str()) < (bd, std::cmp::Reverse(bdf), bc)
            }
        };
        if better {
            best = Some((d, df, cand));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}
