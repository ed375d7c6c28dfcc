//! English irregular verb forms. The Snowball stemmer leaves "slept" and
//! "sleep" apart; a question in one tense should still find a passage in
//! another, so the query adds the other forms of an irregular verb. The
//! forms are WordNet's verb exception list, shipped in the table of related
//! words (`assets/wordnet/related.txt`, "~" lines).

use super::related;

/// The other forms of `word` if it is a form of an irregular verb.
pub(crate) fn other_forms(word: &str) -> Vec<&'static str> {
    related::table().verb_forms(word).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_found_from_any_tense() {
        assert_eq!(other_forms("sleep"), vec!["slept"]);
        assert_eq!(other_forms("bought"), vec!["buy"]);
        assert_eq!(other_forms("taken"), vec!["take", "took"]);
        assert_eq!(other_forms("foresaw"), vec!["foresee", "foreseen"]);
        assert!(other_forms("walk").is_empty());
    }
}
