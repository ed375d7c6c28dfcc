//! The question as the sentence-embedding model reads it. The model lowercases
//! everything, so "Who funded the WHO?" reaches it as "who funded the who?"
//! and the organisation is lost. An acronym the briefs define, typed in
//! capitals, is followed by what it stands for, as the briefs spell it out.
//! And a typo the model cannot read ("munitons shipped how") is replaced by
//! the briefs' word the question's plan already matches it to: otherwise the
//! model would see no meaning and the answer be discounted as a mismatch.

use std::borrow::Cow;

use crate::index::lexicon::Lexicon;
use crate::query::related;

/// `question` with each known acronym (two or more capitals) spelled out in
/// brackets after it, and each misspelt word corrected: one of the plan's
/// `corrections` (words the briefs do not know) that WordNet does not know
/// either, so a real word the briefs lack reaches the model as typed.
/// Borrowed unchanged when there is neither.
pub(crate) fn for_the_model<'a>(
    question: &'a str,
    lexicon: &Lexicon,
    corrections: &[(String, String)],
) -> Cow<'a, str> {
    let mut out = String::new();
    let mut last = 0;
    for (start, word) in words(question) {
        let long = (word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase()))
            .then(|| lexicon.acronym_names.get(&word.to_lowercase()))
            .flatten();
        let end = start + word.len();
        if let Some(long) = long {
            out.push_str(&question[last..end]);
            out.push_str(" (");
            out.push_str(long);
            out.push(')');
            last = end;
        } else if let Some(fix) = typo_fix(word, corrections) {
            out.push_str(&question[last..start]);
            out.push_str(fix);
            last = end;
        }
    }
    if last == 0 {
        return Cow::Borrowed(question);
    }
    out.push_str(&question[last..]);
    Cow::Owned(out)
}

/// The briefs' word a misspelt `word` stands for, if it is one.
fn typo_fix<'c>(word: &str, corrections: &'c [(String, String)]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let (_, fix) = corrections.iter().find(|(typed, _)| *typed == lower)?;
    related::table()
        .lemmas(&lower)
        .is_empty()
        .then_some(fix.as_str())
}

/// Runs of ASCII letters with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_acronym_in_capitals_is_spelled_out_and_nothing_else_changes() {
        let mut lex = Lexicon::default();
        lex.acronym_names
            .insert("who".into(), "World Health Organization".into());
        assert_eq!(
            for_the_model("Who funded the WHO?", &lex, &[]),
            "Who funded the WHO (World Health Organization)?"
        );
        assert_eq!(for_the_model("who funded it?", &lex, &[]), "who funded it?");
        assert_eq!(
            for_the_model("What does NATO do?", &lex, &[]),
            "What does NATO do?"
        );
        assert_eq!(for_the_model("", &lex, &[]), "");
    }

    #[test]
    fn a_typo_is_corrected_to_the_briefs_word_but_a_real_word_is_kept() {
        let lex = Lexicon::default();
        // As the plan corrects them against briefs using "soldiers",
        // "munitions" and "match".
        let corrections: Vec<(String, String)> = [
            ("soliders", "soldiers"),
            ("munitons", "munitions"),
            ("watch", "match"),
        ]
        .map(|(typed, fix)| (typed.to_string(), fix.to_string()))
        .into();
        assert_eq!(
            for_the_model("how many soliders and munitons?", &lex, &corrections),
            "how many soldiers and munitions?"
        );
        // "watch" is English, though one letter from "match": kept.
        assert_eq!(
            for_the_model("who watched the watch", &lex, &corrections),
            "who watched the watch"
        );
    }
}
