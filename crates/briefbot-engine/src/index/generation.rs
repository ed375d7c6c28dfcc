//! Generation directories on disk: `gen-<n>` under the index directory, each
//! one complete and immutable. A generation is written into a uniquely named
//! temporary directory and renamed into place, so a reader can never see a
//! half-written one and a crashed build leaves only a temporary directory
//! that the next lock holder removes. Numbers are picked under the rebuild
//! lock and never reused, so no process ever writes into, or deletes, a
//! directory another process has open by that name.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::lock::RebuildLock;
use super::manifest::Manifest;
use crate::error::EngineError;

const PREFIX: &str = "gen-";
const BUILDING: &str = ".building-";

pub(crate) fn dir_name(generation: u64) -> String {
    format!("{PREFIX}{generation}")
}

/// The number a new generation gets: above every directory on disk and the
/// manifest's, so a number is never reused even after crashes.
pub(crate) fn next_number(dir: &Path, manifest: Option<&Manifest>, _lock: &RebuildLock) -> u64 {
    let on_disk = numbered(dir).into_iter().map(|(n, _)| n).max().unwrap_or(0);
    on_disk.max(manifest.map_or(0, |m| m.generation)) + 1
}

/// A fresh directory to build generation `generation` in, named so that no
/// other build (of this or another process) can share it.
pub(crate) fn temp_dir(dir: &Path, generation: u64) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    dir.join(format!(
        "{BUILDING}{}-{}-{nanos}",
        dir_name(generation),
        std::process::id()
    ))
}

/// Move a complete build into place as `gen-<generation>`.
pub(crate) fn publish(built: &Path, dir: &Path, generation: u64) -> Result<PathBuf, EngineError> {
    let target = dir.join(dir_name(generation));
    std::fs::rename(built, &target).map_err(|e| EngineError::io(&target, e))?;
    Ok(target)
}

/// Remove every generation but `keep`, and builds interrupted by a crash.
/// Only under the lock: a process that has already opened a removed
/// generation keeps its open files (and mmaps) and is not disturbed.
pub(crate) fn remove_stale(dir: &Path, keep: &[u64], _lock: &RebuildLock) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let stale = if name.starts_with(BUILDING) {
            true
        } else {
            parse(&name).is_some_and(|n| !keep.contains(&n))
        };
        if stale {
            if let Err(err) = std::fs::remove_dir_all(e.path()) {
                tracing::warn!("cannot remove old index {}: {err}", e.path().display());
            }
        }
    }
}

/// Is `name` a generation or a build directory (what [`remove_stale`] may remove)?
pub(crate) fn is_ours(name: &str) -> bool {
    name.starts_with(BUILDING) || parse(name).is_some()
}

fn numbered(dir: &Path) -> Vec<(u64, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| Some((parse(&e.file_name().to_string_lossy())?, e.path())))
        .collect()
}

fn parse(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn numbers_are_never_reused_and_cleanup_keeps_only_what_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let lock = RebuildLock::acquire(d, Duration::ZERO).unwrap();
        for n in [1, 2, 7] {
            std::fs::create_dir(d.join(dir_name(n))).unwrap();
        }
        let crashed = temp_dir(d, 8);
        std::fs::create_dir(&crashed).unwrap();
        assert_eq!(next_number(d, None, &lock), 8);
        remove_stale(d, &[7, 2], &lock);
        assert!(d.join("gen-7").is_dir() && d.join("gen-2").is_dir());
        assert!(!d.join("gen-1").exists());
        assert!(!crashed.exists());
    }
}
