//! Stage 1, the briefs: files are found and read ([`corpus`]), each parsed
//! into metadata and paragraphs ([`brief`]), split into sentences ([`text`]),
//! and read for who is quoted ([`attribution`]) and which acronyms the text
//! defines or implies ([`acronyms`]). Nothing here knows about the index.

pub(crate) mod acronyms;
pub(crate) mod attribution;
pub(crate) mod brief;
pub(crate) mod corpus;
pub(crate) mod listing;
pub(crate) mod passages;
pub(crate) mod reload;
pub(crate) mod text;
mod tokens;
pub(crate) mod unchanged;
