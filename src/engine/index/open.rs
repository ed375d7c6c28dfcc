//! Opening the index directory at start-up, or rebuilding it, when several
//! processes may share it. Readers take no lock: they open the generation the
//! manifest names and verify it. Building a generation, publishing it and
//! removing old ones happen only under the rebuild lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::generation;
use super::lock::RebuildLock;
use super::manifest::Manifest;
use super::snapshot::{DenseInput, Snapshot};
use crate::engine::error::EngineError;
use crate::engine::ingest::corpus::Corpus;
use crate::engine::query::synonyms::Synonyms;
use crate::engine::semantic::{self, DenseIndex};

pub enum Outcome {
    /// The index on disk was up to date and verified.
    Reused(Snapshot),
    /// A new generation was built; `before` is what the previous one indexed.
    Rebuilt {
        snapshot: Snapshot,
        before: BTreeMap<PathBuf, String>,
    },
}

pub fn open_or_build(
    dir: &Path,
    corpus: Corpus,
    synonyms: Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
    wait: Duration,
) -> Result<Outcome, EngineError> {
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    if let Some(snapshot) = open_current(dir, &corpus, &synonyms, dense) {
        // Leftovers of crashed or concurrent builds go now, but never at the
        // cost of waiting: a process holding the lock cleans up itself.
        if let Ok(Some(lock)) = RebuildLock::try_acquire(dir) {
            if let Some(m) = Manifest::read(dir) {
                generation::remove_stale(dir, &keep(&m), &lock);
            }
        }
        return Ok(Outcome::Reused(snapshot));
    }
    let lock = RebuildLock::acquire(dir, wait)?;
    // Another process may have brought the index up to date while we waited.
    if let Some(snapshot) = open_current(dir, &corpus, &synonyms, dense) {
        if let Some(m) = Manifest::read(dir) {
            generation::remove_stale(dir, &keep(&m), &lock);
        }
        return Ok(Outcome::Reused(snapshot));
    }
    let before = Manifest::read(dir);
    let snapshot = build(dir, corpus, before.as_ref(), synonyms, dense, &lock)?;
    Ok(Outcome::Rebuilt {
        snapshot,
        before: before.map(|m| m.files).unwrap_or_default(),
    })
}

/// The generation the manifest names, if it was built from `corpus` and
/// passes verification. A concurrent rebuild may remove the generation a
/// manifest named a moment ago: then the manifest is read again.
fn open_current(
    dir: &Path,
    corpus: &Corpus,
    synonyms: &Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
) -> Option<Snapshot> {
    for _ in 0..3 {
        let m = Manifest::read(dir)?;
        if m.fingerprint != corpus.fingerprint {
            return None;
        }
        let gen_dir = dir.join(&m.dir);
        match Snapshot::open(
            corpus.clone(),
            &gen_dir,
            m.generation,
            synonyms.clone(),
            dense,
        ) {
            Ok(s) => return Some(s),
            Err(e) => {
                if Manifest::read(dir).is_some_and(|now| now.dir != m.dir) {
                    continue;
                }
                tracing::warn!("{e}; rebuilding it from the briefs");
                return None;
            }
        }
    }
    None
}

/// Build a new generation, publish it and make it current. Only under the
/// lock, which `lock` proves.
pub fn build(
    dir: &Path,
    corpus: Corpus,
    before: Option<&Manifest>,
    synonyms: Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
    lock: &RebuildLock,
) -> Result<Snapshot, EngineError> {
    // Unchanged passages keep the vectors of the generation on disk, even
    // when its index is stale: only new or changed text is embedded.
    let on_disk: Option<DenseIndex> = match (&dense, before) {
        (Some(d), Some(m)) if d.previous.is_none() => {
            DenseIndex::read(&dir.join(&m.dir).join(semantic::FILE))
        }
        _ => None,
    };
    let dense = dense.map(|d| DenseInput {
        previous: d.previous.or(on_disk.as_ref()),
        ..d
    });
    let number = generation::next_number(dir, before, lock);
    let manifest = Manifest {
        fingerprint: corpus.fingerprint.clone(),
        generation: number,
        previous: before.map(|m| m.generation),
        dir: generation::dir_name(number),
        files: corpus.files.clone(),
    };
    let tmp = generation::temp_dir(dir, number);
    let built = Snapshot::build(corpus, Some(&tmp), number, synonyms, dense).and_then(|snapshot| {
        let target = generation::publish(&tmp, dir, number)?;
        snapshot.reopen(&target)
    });
    let snapshot = match built {
        Ok(s) => s,
        Err(e) => {
            // Nothing else can be using a directory this build created.
            let _ = std::fs::remove_dir_all(&tmp);
            let _ = std::fs::remove_dir_all(dir.join(&manifest.dir));
            return Err(e);
        }
    };
    manifest.write(dir)?;
    generation::remove_stale(dir, &keep(&manifest), lock);
    Ok(snapshot)
}

fn keep(m: &Manifest) -> Vec<u64> {
    std::iter::once(m.generation).chain(m.previous).collect()
}
