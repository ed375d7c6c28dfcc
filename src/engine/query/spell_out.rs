//! The question as the sentence-embedding model reads it. The model lowercases
//! everything, so "Who funded the WHO?" reaches it as "who funded the who?"
//! and the organisation is lost. An acronym the briefs define, typed in
//! capitals, is followed by what it stands for, as the briefs spell it out.

use std::borrow::Cow;

use crate::engine::index::lexicon::Lexicon;

/// `question` with each known acronym (two or more capitals) spelled out in
/// brackets after it; borrowed unchanged when there is none.
pub fn for_the_model<'a>(question: &'a str, lexicon: &Lexicon) -> Cow<'a, str> {
    let mut out = String::new();
    let mut last = 0;
    for (start, word) in words(question) {
        let long = (word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase()))
            .then(|| lexicon.acronym_names.get(&word.to_lowercase()))
            .flatten();
        if let Some(long) = long {
            let end = start + word.len();
            out.push_str(&question[last..end]);
            out.push_str(" (");
            out.push_str(long);
            out.push(')');
            last = end;
        }
    }
    if last == 0 {
        return Cow::Borrowed(question);
    }
    out.push_str(&question[last..]);
    Cow::Owned(out)
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
            for_the_model("Who funded the WHO?", &lex),
            "Who funded the WHO (World Health Organization)?"
        );
        assert_eq!(for_the_model("who funded it?", &lex), "who funded it?");
        assert_eq!(
            for_the_model("What does NATO do?", &lex),
            "What does NATO do?"
        );
        assert_eq!(for_the_model("", &lex), "");
    }
}
