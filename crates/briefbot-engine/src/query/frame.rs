//! What a question asks, read from its grammar: the question turned into
//! an indirect one ("when Gasquet was born", "what the capital of North
//! Korea is"), so a reply can say what a passage leaves out.

use super::irregular;
use crate::index::analyze::Word;

/// What the question's grammar says it asks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Frame {
    /// The question as an indirect question: "when Kaffa was founded",
    /// "what the capital of North Korea is".
    pub indirect: Option<String>,
}

const WH: &[&str] = &[
    "what", "which", "when", "where", "who", "whom", "whose", "how", "why",
];
const BE: &[&str] = &["is", "are", "was", "were"];
const DO: &[&str] = &["do", "does", "did"];
const MODAL: &[&str] = &[
    "has", "have", "had", "can", "could", "will", "would", "should", "may", "might",
];
/// Prepositions a question may open with ("In what year did ...").
const LEADS: &[&str] = &[
    "in", "on", "at", "by", "for", "from", "to", "during", "since",
];
/// The most words a wh-phrase takes ("how many North Korean soldiers").
const MAX_WH_PHRASE: usize = 5;

fn is_aux(w: &str) -> bool {
    BE.contains(&w) || DO.contains(&w) || MODAL.contains(&w)
}

/// A verb form that ends a passive or perfect question ("founded",
/// "born", "taken", "getting").
fn participle(w: &str) -> bool {
    w.len() > 3
        && (w.ends_with("ed") || w.ends_with("en") || w.ends_with("ing") || w.ends_with("wn"))
        || w == "born"
        || !irregular::other_forms(w).is_empty()
}

/// Read the frame of `text` (the cleaned question), whose analysed words are
/// `words`.
pub(crate) fn read(text: &str, words: &[Word]) -> Frame {
    let w: Vec<&str> = words.iter().map(|w| w.exact.as_str()).collect();
    let start = usize::from(w.first().is_some_and(|f| LEADS.contains(f)));
    if !w.get(start).is_some_and(|f| WH.contains(f)) {
        return Frame::default();
    }
    // The wh-phrase runs to the auxiliary ("how many soldiers | did").
    let mut aux = start + 1;
    if matches!(w[start], "what" | "which" | "whose" | "how") {
        while aux < w.len() && aux - start < MAX_WH_PHRASE && !is_aux(w[aux]) {
            aux += 1;
        }
    }
    let slice = |from: usize, to: usize| -> &str {
        match (
            words.get(from),
            to.checked_sub(1).and_then(|t| words.get(t)),
        ) {
            (Some(a), Some(b)) if from < to => &text[a.span.start..b.span.end],
            _ => "",
        }
    };
    if aux >= w.len() || !is_aux(w[aux]) {
        // "who founded Kaffa": the subject is asked; the order stays.
        return Frame {
            indirect: Some(lower_first(slice(0, w.len()))),
        };
    }
    let opening = lower_first(slice(0, aux));
    let (rest, last) = (aux + 1, w.len() - 1);
    if rest > last {
        return Frame::default();
    }
    let (verb, subject) = (w[last], slice(rest, last));
    let indirect = if DO.contains(&w[aux]) {
        let tensed = match w[aux] {
            "did" => past(verb),
            "does" => third_person(verb),
            _ => verb.to_string(),
        };
        (rest < last).then(|| format!("{opening} {subject} {tensed}"))
    } else if participle(verb) {
        // "how many were sent" keeps its order; "when was Kaffa founded"
        // puts the subject first.
        Some(if rest < last {
            format!("{opening} {subject} {} {verb}", w[aux])
        } else {
            format!("{opening} {} {verb}", w[aux])
        })
    } else if BE.contains(&w[aux]) {
        Some(format!("{opening} {} {}", slice(rest, last + 1), w[aux]))
    } else {
        None
    };
    Frame { indirect }
}

/// The text with its first letter in lower case ("In what year" → "in
/// what year"); names further on keep their capitals.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Verbs whose past is their present ("how much did it cost").
const SAME_PAST: &[&str] = &[
    "bet", "burst", "cast", "cost", "cut", "hit", "hurt", "let", "put", "quit", "read", "set",
    "shut", "split", "spread", "upset",
];

fn past(verb: &str) -> String {
    if SAME_PAST.contains(&verb) {
        return verb.to_string();
    }
    if let Some(form) = irregular::other_forms(verb).first() {
        return form.to_string();
    }
    if verb.ends_with('e') {
        format!("{verb}d")
    } else if let Some(stem) = verb.strip_suffix('y').filter(|s| !s.ends_with(VOWELS)) {
        format!("{stem}ied")
    } else {
        format!("{verb}ed")
    }
}

const VOWELS: [char; 5] = ['a', 'e', 'i', 'o', 'u'];

fn third_person(verb: &str) -> String {
    if verb == "have" {
        "has".into()
    } else if ["s", "sh", "ch", "x", "z", "o"]
        .iter()
        .any(|e| verb.ends_with(e))
    {
        format!("{verb}es")
    } else if let Some(stem) = verb.strip_suffix('y').filter(|s| !s.ends_with(VOWELS)) {
        format!("{stem}ies")
    } else {
        format!("{verb}s")
    }
}
