//! `index/manifest.json`: which generation directory is current and the
//! fingerprint of the briefs it was built from. Written by rename, so a crash
//! mid-write leaves the previous manifest (and index) in force.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::EngineError;
use crate::ingest::listing::Stamp;

const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub fingerprint: String,
    pub generation: u64,
    /// The generation this one replaced: kept on disk (with the current one)
    /// because another process may still be opening it.
    #[serde(default)]
    pub previous: Option<u64>,
    /// Directory of the current generation, relative to the index directory.
    pub dir: String,
    /// Content hash of each brief file indexed.
    pub files: BTreeMap<PathBuf, String>,
    /// Size and times of each brief file indexed, as read: a file listed
    /// with the same stamp is not read again at start-up. Missing in
    /// manifests of older builds: then every file is read once.
    #[serde(default)]
    pub stamps: BTreeMap<PathBuf, Stamp>,
}

impl Manifest {
    /// The manifest in `dir`, or None when missing or unreadable (then the
    /// index is rebuilt, which is always safe).
    pub(crate) fn read(dir: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        match serde_json::from_str(&text) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(
                    "{}: unreadable ({e}); rebuilding the index",
                    dir.join(FILE).display()
                );
                None
            }
        }
    }

    /// Replace the manifest atomically. Only under the rebuild lock, so the
    /// temporary file is never shared. Synced before the rename so a power
    /// cut cannot leave a renamed but empty manifest.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), EngineError> {
        use std::io::Write;
        let tmp = dir.join(format!("{FILE}.tmp"));
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| EngineError::io(dir.join(FILE), std::io::Error::other(e)))?;
        let mut f = std::fs::File::create(&tmp).map_err(|e| EngineError::io(&tmp, e))?;
        f.write_all(&json)
            .and_then(|()| f.sync_all())
            .map_err(|e| EngineError::io(&tmp, e))?;
        std::fs::rename(&tmp, dir.join(FILE)).map_err(|e| EngineError::io(dir.join(FILE), e))
    }
}
