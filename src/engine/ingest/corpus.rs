//! Finding and reading brief files: the shipped directory (global scope) and
//! one sub-directory per guild for briefs added from Discord. A file that
//! cannot be read becomes a [`FileProblem`]; it never stops the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::engine::error::{BriefError, EngineError};
use crate::engine::ingest::brief::{parse_brief, BriefLimits, BRIEF_EXTENSIONS};
use crate::engine::types::{BriefMeta, FileProblem, Passage, Scope, TenantId};

/// Bump when parsing, analysis or the schema change, so existing indexes rebuild.
pub const ENGINE_VERSION: &str = "briefbot-index-4";

/// Everything read from the brief files, in a deterministic order.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    pub passages: Vec<Arc<Passage>>,
    pub briefs: Vec<(Arc<BriefMeta>, usize)>,
    /// Content hash per file, for change reports.
    pub files: BTreeMap<PathBuf, String>,
    pub problems: Vec<FileProblem>,
    /// Hash of everything that shapes the index; equal fingerprints mean the
    /// index on disk is up to date.
    pub fingerprint: String,
}

/// Read every brief under the configured directories.
pub fn load(
    briefs_dir: &Path,
    guild_dir: Option<&Path>,
    extra_fingerprint: &[u8],
    limits: &BriefLimits,
) -> Result<Corpus, EngineError> {
    if !briefs_dir.is_dir() {
        return Err(EngineError::NoBriefsDir {
            path: briefs_dir.to_path_buf(),
        });
    }
    let mut sources: Vec<(Scope, PathBuf)> = Vec::new();
    let mut problems = Vec::new();
    list_files(briefs_dir, Scope::Global, &mut sources, &mut problems)?;
    if let Some(dir) = guild_dir.filter(|d| d.is_dir()) {
        for entry in read_dir_sorted(dir)? {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            match name.map(TenantId::new) {
                Some(Ok(id)) if entry.is_dir() => {
                    list_files(&entry, Scope::Tenant(id), &mut sources, &mut problems)?
                }
                _ if is_hidden(&entry) => {}
                _ => problems.push(FileProblem {
                    file: entry.clone(),
                    problem: BriefError::NotTenantDir,
                }),
            }
        }
    }
    sources.sort();

    let mut corpus = Corpus::default();
    let mut fp = Sha256::new();
    fp.update(ENGINE_VERSION.as_bytes());
    fp.update(extra_fingerprint);
    for (scope, path) in sources {
        let bytes = match read_limited(&path, limits) {
            Ok(b) => b,
            Err(problem) => {
                problems.push(FileProblem {
                    file: path,
                    problem,
                });
                continue;
            }
        };
        let hash = hex(&Sha256::digest(&bytes));
        fp.update(format!("{scope:?}\0{}\0{hash}\n", path.display()).as_bytes());
        match parse_brief(&path, &bytes, scope, limits) {
            Ok(parsed) => {
                corpus
                    .briefs
                    .push((parsed.meta.clone(), parsed.passages.len()));
                corpus
                    .passages
                    .extend(parsed.passages.into_iter().map(Arc::new));
                corpus.files.insert(path, hash);
            }
            Err(problem) => problems.push(FileProblem {
                file: path,
                problem,
            }),
        }
    }
    corpus.problems = problems;
    corpus.fingerprint = hex(&fp.finalize());
    Ok(corpus)
}

fn list_files(
    dir: &Path,
    scope: Scope,
    out: &mut Vec<(Scope, PathBuf)>,
    problems: &mut Vec<FileProblem>,
) -> Result<(), EngineError> {
    for path in read_dir_sorted(dir)? {
        if is_hidden(&path) || path.is_dir() {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.starts_with("readme") {
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if BRIEF_EXTENSIONS.contains(&ext.as_str()) {
            out.push((scope.clone(), path));
        } else {
            problems.push(FileProblem {
                file: path,
                problem: BriefError::UnsupportedType { extension: ext },
            });
        }
    }
    Ok(())
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, EngineError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EngineError::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Read a file unless it is over the size limit, checked before reading so a
/// huge file costs nothing.
fn read_limited(path: &Path, limits: &BriefLimits) -> Result<Vec<u8>, BriefError> {
    let unreadable = |e: std::io::Error| BriefError::Unreadable {
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.len() > limits.max_bytes {
        return Err(BriefError::TooLarge {
            size: meta.len(),
            limit: limits.max_bytes,
        });
    }
    std::fs::read(path).map_err(unreadable)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
