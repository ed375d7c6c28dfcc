//! Synonyms a moderator can edit: `config/synonyms.txt`, one group of
//! interchangeable words or phrases per line, comma-separated; `#` starts a
//! comment. Matching is on stems, so "soldier" in the file covers "soldiers".

use std::collections::HashMap;
use std::path::Path;

use crate::error::EngineError;
use crate::index::analyze::Analyzer;

/// Longest phrase, in words, looked up in a question.
pub(crate) const MAX_PHRASE_WORDS: usize = 6;

#[derive(Debug, Default, Clone)]
pub(crate) struct Synonyms {
    /// Stemmed phrase ("north korea") → the other phrases of its groups.
    map: HashMap<String, Vec<Vec<String>>>,
}

impl Synonyms {
    /// Read and parse the file, returning its bytes too: they are part of
    /// the index fingerprint, so a changed file rebuilds the index.
    pub(crate) fn load(path: &Path) -> Result<(Synonyms, Vec<u8>), EngineError> {
        let bytes = std::fs::read(path).map_err(|e| EngineError::io(path, e))?;
        let error = |line, message| EngineError::Synonyms {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            error(line, "not valid UTF-8".to_string())
        })?;
        let synonyms = Synonyms::parse(text).map_err(|(line, message)| error(line, message))?;
        Ok((synonyms, bytes))
    }

    /// Parse the file's text; an error gives the 1-based line and what is wrong.
    pub(crate) fn parse(text: &str) -> Result<Synonyms, (usize, String)> {
        let mut analyzer = Analyzer::default();
        let mut map: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut group: Vec<Vec<String>> = Vec::new();
            for item in line.split(',') {
                let stems: Vec<String> = analyzer.words(item).into_iter().map(|w| w.stem).collect();
                if stems.is_empty() {
                    return Err((i + 1, format!("empty entry in group {line:?}")));
                }
                if stems.len() > MAX_PHRASE_WORDS {
                    return Err((
                        i + 1,
                        format!("{:?} is longer than {MAX_PHRASE_WORDS} words", item.trim()),
                    ));
                }
                if !group.contains(&stems) {
                    group.push(stems);
                }
            }
            if group.len() < 2 {
                return Err((i + 1, "a group needs at least two entries".into()));
            }
            for (j, phrase) in group.iter().enumerate() {
                let others = map.entry(phrase.join(" ")).or_default();
                for (k, other) in group.iter().enumerate() {
                    if k != j && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        Ok(Synonyms { map })
    }

    /// The alternatives for a stemmed phrase, if any.
    pub(crate) fn lookup(&self, stems: &[String]) -> Option<&[Vec<String>]> {
        self.map.get(&stems.join(" ")).map(Vec::as_slice)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_stemmed() {
        let s = Synonyms::parse("# news\nsoldiers, troops\nkyiv, ukraine # capital\n").unwrap();
        let alts = s.lookup(&["troop".into()]).unwrap();
        assert_eq!(alts, &[vec!["soldier".to_string()]]);
        assert!(s.lookup(&["ukrain".into()]).is_some());
    }

    #[test]
    fn multi_word_phrases_are_kept_whole() {
        let s = Synonyms::parse("united states, us, america").unwrap();
        let alts = s.lookup(&["us".into()]).unwrap();
        assert!(alts.contains(&vec!["unit".to_string(), "state".to_string()]));
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let err = Synonyms::parse("a, b\nlonely\n").unwrap_err();
        assert_eq!(err.0, 2);
        let err = Synonyms::parse("a, , b").unwrap_err();
        assert_eq!(err.0, 1);
    }
}
