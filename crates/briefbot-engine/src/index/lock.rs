//! The cross-process rebuild lock: the bot, `briefbot index` and `briefbot
//! ask` may share one index directory, and only one of them may pick a
//! generation number, write a generation or delete old ones at a time.
//! Readers never take it: they open what the manifest names.
//!
//! An OS advisory lock (`flock` via `fs4`) rather than a lock file's mere
//! existence, so a process killed mid-rebuild releases it with its file
//! descriptors and never leaves the directory locked for good.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;

use crate::error::EngineError;

const FILE: &str = ".rebuild.lock";
/// How often a waiting process retries; rebuilds take seconds, so this
/// costs nothing and keeps the wait responsive.
const POLL: Duration = Duration::from_millis(50);

/// Held while a process rebuilds or cleans up; released on drop (or death).
#[derive(Debug)]
pub(crate) struct RebuildLock {
    file: File,
}

impl RebuildLock {
    /// Take the lock, waiting up to `wait` for another process's rebuild.
    pub(crate) fn acquire(dir: &Path, wait: Duration) -> Result<RebuildLock, EngineError> {
        let started = Instant::now();
        loop {
            if let Some(lock) = Self::try_acquire(dir)? {
                return Ok(lock);
            }
            if started.elapsed() >= wait {
                return Err(EngineError::RebuildInProgress {
                    path: dir.to_path_buf(),
                    waited_secs: wait.as_secs(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Take the lock if no other process holds it.
    pub(crate) fn try_acquire(dir: &Path) -> Result<Option<RebuildLock>, EngineError> {
        std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
        let path = lock_path(dir);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| EngineError::io(&path, e))?;
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => Ok(Some(RebuildLock { file })),
            Ok(false) => Ok(None),
            Err(e) => Err(EngineError::io(&path, e)),
        }
    }
}

impl Drop for RebuildLock {
    fn drop(&mut self) {
        // Closing the file releases the lock anyway; unlocking first just
        // makes the release immediate for a waiter.
        let _ = FileExt::unlock(&self.file);
    }
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_reports_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = RebuildLock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert!(RebuildLock::try_acquire(dir.path()).unwrap().is_none());
        let err = RebuildLock::acquire(dir.path(), Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, EngineError::RebuildInProgress { .. }));
        assert!(err.to_string().contains(&dir.path().display().to_string()));
        drop(first);
        assert!(RebuildLock::try_acquire(dir.path()).unwrap().is_some());
    }
}
