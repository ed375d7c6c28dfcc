//! `index/manifest.json`: which generation directory is current and the
//! fingerprint of the briefs it was built from. Written by rename, so a crash
//! mid-write leaves the previous manifest (and index) in force.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::error::EngineError;

const FILE: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub fingerprint: String,
    pub generation: u64,
    /// Directory of the current generation, relative to the index directory.
    pub dir: String,
    /// Content hash of each brief file indexed.
    pub files: BTreeMap<PathBuf, String>,
}

impl Manifest {
    /// The manifest in `dir`, or None when missing or unreadable (then the
    /// index is rebuilt, which is always safe).
    pub fn read(dir: &Path) -> Option<Manifest> {
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

    pub fn write(&self, dir: &Path) -> Result<(), EngineError> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&tmp, json).map_err(|e| EngineError::io(&tmp, e))?;
        std::fs::rename(&tmp, dir.join(FILE)).map_err(|e| EngineError::io(dir.join(FILE), e))
    }
}
