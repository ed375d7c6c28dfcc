//! A corpus's passages by number: built in memory when the briefs are
//! parsed, or, when an index generation is reused, read from what it saved
//! one passage at a time as questions first reach them. Serving touches a
//! few dozen passages per question; building all 100k up front was most of
//! start-up and a good share of its memory.

use std::sync::Arc;

use crate::types::Passage;

/// Passages saved elsewhere, built on first access.
pub trait Saved: Send + Sync {
    fn len(&self) -> usize;
    /// Passage `pid`; panics when out of range, like indexing a slice.
    fn get(&self, pid: usize) -> &Arc<Passage>;
}

#[derive(Clone)]
pub struct Passages(Repr);

#[derive(Clone)]
enum Repr {
    Built(Vec<Arc<Passage>>),
    Saved(Arc<dyn Saved>),
}

impl Passages {
    pub fn saved(saved: Arc<dyn Saved>) -> Passages {
        Passages(Repr::Saved(saved))
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Built(v) => v.len(),
            Repr::Saved(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every passage in order (building each saved one: for rebuilds and
    /// saving, not for serving).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Arc<Passage>> {
        (0..self.len()).map(move |pid| &self[pid])
    }
}

impl Default for Passages {
    fn default() -> Self {
        Passages(Repr::Built(Vec::new()))
    }
}

impl From<Vec<Arc<Passage>>> for Passages {
    fn from(v: Vec<Arc<Passage>>) -> Self {
        Passages(Repr::Built(v))
    }
}

impl std::ops::Index<usize> for Passages {
    type Output = Arc<Passage>;
    fn index(&self, pid: usize) -> &Arc<Passage> {
        match &self.0 {
            Repr::Built(v) => &v[pid],
            Repr::Saved(s) => s.get(pid),
        }
    }
}

impl<'a> IntoIterator for &'a Passages {
    type Item = &'a Arc<Passage>;
    type IntoIter = Box<dyn ExactSizeIterator<Item = &'a Arc<Passage>> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl std::fmt::Debug for Passages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match &self.0 {
            Repr::Built(_) => "built",
            Repr::Saved(_) => "saved",
        };
        write!(f, "Passages({} {how})", self.len())
    }
}
