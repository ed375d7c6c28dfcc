//! Words related to a question's words, from WordNet
//! (`assets/wordnet/related.txt`, compiled in): another name of the same
//! place, a demonym, a capital, a derivation, a synonym, a broader word.
//! A match through one counts for less than the word itself, graded by how
//! close the relation is and how likely the word is meant in the linking
//! sense, so "invasion" helps a question about "invaded" without letting a
//! rare sense of a common word flood the query.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE_TEXT: &str = include_str!("../../../../assets/wordnet/related.txt");

/// How a related word is related, closest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Another name of the same place ("France" / "French Republic").
    Name,
    /// An adjective of a country and the country ("French" / "France").
    Pertainym,
    /// The same word family ("invade" / "invasion").
    Derivation,
    /// A word of the same meaning ("buy" / "purchase").
    Synonym,
    /// A capital and its country ("Tokyo" / "Japan").
    Capital,
    /// A more general word ("purchase" / "acquisition").
    Broader,
}

impl Kind {
    fn from_letter(letter: &str) -> Option<Kind> {
        Some(match letter {
            "n" => Kind::Name,
            "p" => Kind::Pertainym,
            "d" => Kind::Derivation,
            "c" => Kind::Capital,
            "s" => Kind::Synonym,
            "b" => Kind::Broader,
            _ => return None,
        })
    }

    /// Weight of a match through this relation when the word is surely meant
    /// in the linking sense; the word as asked (or its stem) weighs 1.0.
    fn closeness(self) -> f32 {
        match self {
            Kind::Name => 0.85,
            Kind::Pertainym => 0.8,
            Kind::Derivation => 0.75,
            Kind::Synonym => 0.65,
            Kind::Capital => 0.6,
            // Only a broader word of a dominant sense clears the plan's
            // minimum weight.
            Kind::Broader => 0.55,
        }
    }
}

/// One related word or phrase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Related {
    /// Lowercase words, space-separated ("set up").
    pub text: &'static str,
    pub kind: Kind,
    /// How likely (0..=1) the asked word is meant in the linking sense.
    pub confidence: f32,
}

impl Related {
    /// The member weight of a match through this word: the relation's
    /// closeness, halved at worst for an unlikely sense.
    pub(super) fn weight(&self) -> f32 {
        self.kind.closeness() * (0.5 + 0.5 * self.confidence)
    }
}

/// The parsed table: lemma → related words (best first), irregular
/// inflections → their lemmas ("said" → "say"), and each form of an
/// irregular verb → the verb's other forms ("slept" → "sleep").
#[derive(Debug, Default)]
pub(super) struct Table {
    words: HashMap<&'static str, Vec<Related>>,
    inflections: HashMap<&'static str, Vec<&'static str>>,
    verb_forms: HashMap<&'static str, Vec<&'static str>>,
}

/// The shipped table, parsed on first use (a few milliseconds).
pub(super) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::parse(TABLE_TEXT))
}

impl Table {
    /// Parse the format `extract.py` writes. Malformed fields are skipped:
    /// the file is generated and compiled in, and a test checks it parses whole.
    pub(super) fn parse(text: &'static str) -> Table {
        let mut t = Table::default();
        for line in text.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let Some(head) = fields.next() else { continue };
            if let Some(form) = head.strip_prefix('=') {
                t.inflections.insert(form, fields.collect());
                continue;
            }
            if let Some(verb) = head.strip_prefix('~') {
                let forms: Vec<&'static str> = std::iter::once(verb).chain(fields).collect();
                for &form in &forms {
                    let others = t.verb_forms.entry(form).or_default();
                    for &other in &forms {
                        if other != form && !others.contains(&other) {
                            others.push(other);
                        }
                    }
                }
                continue;
            }
            let related = fields.filter_map(parse_field).collect();
            t.words.insert(head, related);
        }
        t
    }

    /// Words related to `lemma`, best first; empty when WordNet has none.
    pub(super) fn related(&self, lemma: &str) -> &[Related] {
        self.words.get(lemma).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The other forms of every irregular verb `word` is a form of, the
    /// verb first ("taken" → "take", "took"); empty for any other word.
    pub(super) fn verb_forms(&self, word: &str) -> &[&'static str] {
        self.verb_forms.get(word).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The table's lemmas a word typed in a question may be a form of.
    /// An irregular form maps to its lemma only ("said" → "say", not the
    /// rare adjective "said"); otherwise WordNet's detachment rules
    /// ("invaded" → "invade", "elections" → "election") are tried, the word
    /// itself first.
    pub(super) fn lemmas(&self, word: &str) -> Vec<&'static str> {
        if let Some(bases) = self.inflections.get(word) {
            return bases.clone();
        }
        let mut out: Vec<&'static str> = Vec::new();
        let mut push = |candidate: &str| {
            if let Some((&key, _)) = self.words.get_key_value(candidate) {
                if !out.contains(&key) {
                    out.push(key);
                }
            }
        };
        push(word);
        for (suffix, replacement) in DETACHMENTS {
            if let Some(stem) = word.strip_suffix(suffix) {
                if stem.len() >= 2 {
                    push(&format!("{stem}{replacement}"));
                }
            }
        }
        // Doubled consonants: "planned" → "plan", "stopping" → "stop".
        for suffix in ["ed", "ing", "er", "est"] {
            if let Some(stem) = word.strip_suffix(suffix) {
                let b = stem.as_bytes();
                if b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] {
                    push(&stem[..stem.len() - 1]);
                }
            }
        }
        out
    }
}

/// WordNet's morphy rules: suffix → replacement, for nouns, verbs and adjectives.
const DETACHMENTS: &[(&str, &str)] = &[
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("er", "e"),
    ("est", "e"),
];

/// "invasion d 44" → Related; the text may hold spaces, so split from the right.
fn parse_field(field: &'static str) -> Option<Related> {
    let mut parts = field.rsplitn(3, ' ');
    let percent: f32 = parts.next()?.parse().ok()?;
    let kind = Kind::from_letter(parts.next()?)?;
    let text = parts.next()?;
    Some(Related {
        text,
        kind,
        confidence: (percent / 100.0).clamp(0.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_whole() {
        let t = table();
        let (words, inflections) = (t.words.len(), t.inflections.len());
        assert!(
            words > 10_000 && inflections > 1_000,
            "{words} {inflections}"
        );
        let entry = |l: &&str| !l.starts_with(['#', '=', '~']);
        let lines = TABLE_TEXT.lines().filter(entry).count();
        assert_eq!(words, lines);
        assert!(t.verb_forms.len() > 1_000, "{}", t.verb_forms.len());
        let fields = TABLE_TEXT
            .lines()
            .filter(entry)
            .map(|l| l.split('\t').count() - 1)
            .sum::<usize>();
        let parsed: usize = t.words.values().map(Vec::len).sum();
        assert_eq!(parsed, fields);
    }

    #[test]
    fn related_words_are_graded_by_closeness() {
        let t = Table::parse(
            "# test\ninvade\tinvasion d 44\toccupy s 18\tset up s 99\n=said\tsay\n~say\tsaid\n\
             say\ttell s 55\n",
        );
        let rel = t.related("invade");
        assert_eq!(rel.len(), 3);
        assert_eq!(rel[0].kind, Kind::Derivation);
        assert_eq!(rel[2].text, "set up");
        // A likely derivation outweighs an unlikely synonym; nothing reaches
        // the weight of the word itself.
        assert!(rel[0].weight() > rel[1].weight());
        assert!(rel.iter().all(|r| r.weight() < 1.0));
        assert_eq!(t.lemmas("said"), vec!["say"]);
        assert_eq!(t.verb_forms("said"), ["say"]);
        assert_eq!(t.verb_forms("say"), ["said"]);
        assert!(t.verb_forms("invade").is_empty());
        assert_eq!(t.lemmas("invaded"), vec!["invade"]);
        assert_eq!(t.lemmas("invades"), vec!["invade"]);
        assert!(t.lemmas("elephant").is_empty());
    }

    #[test]
    fn the_table_knows_each_kind_of_relation() {
        let t = table();
        let has = |word: &str, alt: &str, kind: Kind| {
            t.related(word)
                .iter()
                .any(|r| r.text == alt && r.kind == kind)
        };
        assert!(has("invade", "invasion", Kind::Derivation));
        assert!(has("decide", "decision", Kind::Derivation));
        assert!(has("buy", "purchase", Kind::Synonym));
        assert!(has("set up", "found", Kind::Synonym));
        assert!(has("french", "france", Kind::Pertainym));
        assert!(has("tokyo", "japan", Kind::Capital));
        assert!(has("united states", "usa", Kind::Name));
        assert!(t.lemmas("elected").contains(&"elect"));
    }
}
