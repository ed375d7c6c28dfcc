//! Stage 2, the index: passages are analysed ([`analyze`]: one analyzer for
//! passages and questions alike) into a Tantivy index ([`schema`]), with the
//! word statistics query planning needs ([`lexicon`]). One immutable
//! generation of all that is a [`snapshot::Snapshot`]; [`manifest`] records on
//! disk which generation is current and which files it was built from.

pub(crate) mod analyze;
pub(crate) mod framed;
pub(crate) mod generation;
pub(crate) mod lexicon;
pub(crate) mod lock;
pub(crate) mod manifest;
pub(crate) mod open;
pub(crate) mod persist;
pub(crate) mod priority;
pub(crate) mod saved_passages;
pub(crate) mod schema;
pub(crate) mod snapshot;
pub(crate) mod terms;
pub(crate) mod verify;
