//! Stage 3, the question: a member's loose wording becomes a [`Plan`] — the
//! meaningful words, each with the alternatives that may stand for it
//! (spelling corrections against the briefs' own words, irregular verb forms,
//! related words from WordNet, synonyms, learned acronyms) and the kind of
//! answer asked for.

pub(crate) mod frame;
pub(crate) mod irregular;
mod plan;
mod related;
pub(crate) mod spell_out;
mod spelling;
pub(crate) mod synonyms;
mod words;

pub use plan::MAX_QUESTION_CHARS;
pub(crate) use plan::*;
