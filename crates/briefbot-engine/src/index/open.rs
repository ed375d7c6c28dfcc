//! Opening the index directory at start-up, or rebuilding it, when several
//! processes may share it. An up-to-date index opens without reading or
//! parsing the briefs (see `ingest::unchanged` and [`persist`]). Readers take no lock: they open the generation the
//! manifest names and verify it. Building a generation, publishing it and
//! removing old ones happen only under the rebuild lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::generation;
use super::lock::RebuildLock;
use super::manifest::Manifest;
use super::persist;
use super::snapshot::{DenseInput, Snapshot};
use crate::error::EngineError;
use crate::ingest::corpus::{Corpus, Sources};
use crate::ingest::listing::Listing;
use crate::ingest::unchanged::{self, Recorded};
use crate::query::synonyms::Synonyms;
use crate::semantic::{self, DenseIndex};

pub(crate) enum Outcome {
    /// The index on disk was up to date and verified.
    Reused(Snapshot),
    /// A new generation was built; `before` is what the previous one indexed.
    Rebuilt {
        snapshot: Snapshot,
        before: BTreeMap<PathBuf, String>,
    },
}

pub(crate) fn open_or_build(
    dir: &Path,
    sources: &Sources<'_>,
    synonyms: Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
    wait: Duration,
) -> Result<Outcome, EngineError> {
    // Listed first: a missing briefs directory is reported before anything
    // is created in the index directory.
    let listing = sources.list()?;
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    if let Some((snapshot, m)) =
        open_current(dir, sources, Some(listing), &synonyms, dense.clone())?
    {
        // Leftovers of crashed or concurrent builds go now, but never at the
        // cost of waiting: a process holding the lock cleans up itself.
        if untidy(dir, &m, &snapshot) {
            if let Ok(Some(lock)) = RebuildLock::try_acquire(dir) {
                tidy(dir, &snapshot, &lock);
            }
        }
        return Ok(Outcome::Reused(snapshot));
    }
    let lock = RebuildLock::acquire(dir, wait)?;
    // Another process may have brought the index up to date while we waited.
    if let Some((snapshot, _)) = open_current(dir, sources, None, &synonyms, dense.clone())? {
        tidy(dir, &snapshot, &lock);
        return Ok(Outcome::Reused(snapshot));
    }
    let corpus = sources.load()?;
    let before = Manifest::read(dir);
    let snapshot = build(dir, corpus, before.as_ref(), synonyms, dense, &lock)?;
    Ok(Outcome::Rebuilt {
        snapshot,
        before: before.map(|m| m.files).unwrap_or_default(),
    })
}

/// The generation the manifest names, if the briefs are still the ones it
/// was built from and it passes verification. Reads only the briefs whose
/// stamps changed, and parses none: the corpus and statistics come from the
/// generation's saved data. A concurrent rebuild may remove the generation
/// a manifest named a moment ago: then the manifest is read again.
fn open_current(
    dir: &Path,
    sources: &Sources<'_>,
    mut listing: Option<Listing>,
    synonyms: &Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
) -> Result<Option<(Snapshot, Manifest)>, EngineError> {
    for _ in 0..3 {
        let started = Instant::now();
        let listing = match listing.take() {
            Some(l) => l,
            None => sources.list()?,
        };
        let Some(m) = Manifest::read(dir) else {
            return Ok(None);
        };
        let recorded = Recorded {
            fingerprint: &m.fingerprint,
            hashes: &m.files,
            stamps: &m.stamps,
        };
        let Some(unchanged) = unchanged::check(
            listing,
            &recorded,
            sources.extra_fingerprint,
            sources.limits,
        ) else {
            return Ok(None);
        };
        let checked = started.elapsed();
        let gen_dir = dir.join(&m.dir);
        let saved = persist::read(&gen_dir).and_then(|saved| {
            if saved.corpus.fingerprint == m.fingerprint {
                Ok(saved)
            } else {
                Err(EngineError::Damaged {
                    path: gen_dir.join(persist::SERVE.file),
                    reason: "saved for other briefs than the manifest names".into(),
                })
            }
        });
        let read = started.elapsed();
        let dense = dense
            .clone()
            .map(|d| with_previous_on_disk(d, dir, &gen_dir, &m));
        let opened = saved.and_then(|saved| {
            let Some(corpus) = unchanged.corpus(saved.corpus, sources.limits) else {
                return Ok(None);
            };
            let analysis = (saved.terms, saved.lexicon);
            Snapshot::open(
                corpus,
                analysis,
                &gen_dir,
                m.generation,
                synonyms.clone(),
                dense,
            )
            .map(Some)
        });
        match opened {
            Ok(Some(s)) => {
                tracing::debug!(
                    "index up to date: briefs checked in {checked:?}, saved corpus read by \
                     {read:?}, verified and open by {:?}",
                    started.elapsed()
                );
                return Ok(Some((s, m)));
            }
            Ok(None) => {
                // Same bytes, yet a file that failed to parse now parses (or
                // the reverse): the brief limits changed. Not damage.
                tracing::info!("briefs parse differently from when the index was built");
                return Ok(None);
            }
            Err(e) => {
                if Manifest::read(dir).is_some_and(|now| now.dir != m.dir) {
                    continue;
                }
                tracing::warn!("{e}; rebuilding it from the briefs");
                return Ok(None);
            }
        }
    }
    Ok(None)
}

/// Is there anything for [`tidy`] to do? Only names the manifest `m` does
/// not keep can be stale (another process's rebuild since `m` was read
/// shows as such a name), so when the directory holds none and no stamp
/// changed, start-up skips the lock and a second read of the manifest.
fn untidy(dir: &Path, m: &Manifest, snapshot: &Snapshot) -> bool {
    if m.stamps != snapshot.corpus.stamps {
        return true;
    }
    let kept: Vec<String> = keep(m).into_iter().map(generation::dir_name).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        generation::is_ours(&name) && !kept.iter().any(|k| *k == name)
    })
}

/// Under the lock, after reusing `snapshot`: remove leftovers of other
/// builds, and record the stamps of files that were touched but found
/// unchanged, so the next start-up does not read them again.
fn tidy(dir: &Path, snapshot: &Snapshot, lock: &RebuildLock) {
    let Some(mut m) = Manifest::read(dir) else {
        return;
    };
    generation::remove_stale(dir, &keep(&m), lock);
    let same_build =
        m.generation == snapshot.generation && m.fingerprint == snapshot.corpus.fingerprint;
    if same_build && m.stamps != snapshot.corpus.stamps {
        m.stamps = snapshot.corpus.stamps.clone();
        if let Err(e) = m.write(dir) {
            tracing::warn!("cannot record the briefs' new times in the index manifest: {e}");
        }
    }
}

/// Build a new generation, publish it and make it current. Only under the
/// lock, which `lock` proves.
pub(crate) fn build(
    dir: &Path,
    corpus: Corpus,
    before: Option<&Manifest>,
    synonyms: Arc<Synonyms>,
    dense: Option<DenseInput<'_>>,
    lock: &RebuildLock,
) -> Result<Snapshot, EngineError> {
    // Unchanged passages keep the vectors of the generation on disk, even
    // when its index is stale: only new or changed text is embedded.
    let on_disk: Option<Arc<DenseIndex>> = match (&dense, before) {
        (Some(d), Some(m)) if d.previous.is_none() => {
            DenseIndex::read(&dir.join(&m.dir).join(semantic::FILE)).map(Arc::new)
        }
        _ => None,
    };
    let dense = dense.map(|d| DenseInput {
        previous: d.previous.clone().or(on_disk),
        ..d
    });
    let number = generation::next_number(dir, before, lock);
    let manifest = Manifest {
        fingerprint: corpus.fingerprint.clone(),
        generation: number,
        previous: before.map(|m| m.generation),
        dir: generation::dir_name(number),
        files: corpus.files.clone(),
        stamps: corpus.stamps.clone(),
    };
    let tmp = generation::temp_dir(dir, number);
    let built = Snapshot::build(corpus, Some(&tmp), number, synonyms, dense).and_then(|snapshot| {
        persist::write(&tmp, &snapshot.corpus, &snapshot.terms, &snapshot.lexicon)?;
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

/// A published generation whose vectors were never filled in (the process
/// filling them stopped) takes the previous generation's for its unchanged
/// passages, as its build would have.
fn with_previous_on_disk<'a>(
    dense: DenseInput<'a>,
    dir: &Path,
    gen_dir: &Path,
    m: &Manifest,
) -> DenseInput<'a> {
    if dense.previous.is_some() || gen_dir.join(semantic::FILE).exists() {
        return dense;
    }
    let previous = m.previous.and_then(|n| {
        DenseIndex::read(&dir.join(generation::dir_name(n)).join(semantic::FILE)).map(Arc::new)
    });
    DenseInput { previous, ..dense }
}

fn keep(m: &Manifest) -> Vec<u64> {
    std::iter::once(m.generation).chain(m.previous).collect()
}
