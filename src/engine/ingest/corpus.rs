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
                Some(Ok(id)) if is_real_dir(&entry) => {
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
    // Links are followed only within the directory listed: for a tenant that
    // is its own directory, so one tenant cannot link to another's briefs.
    let root = dir.canonicalize().map_err(|e| EngineError::io(dir, e))?;
    for path in read_dir_sorted(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            // Reported under a lossy name: the real one cannot be printed or
            // stored in the manifest.
            problems.push(FileProblem {
                file: PathBuf::from(path.to_string_lossy().into_owned()),
                problem: BriefError::NonUtf8Name,
            });
            continue;
        };
        let name = name.to_lowercase();
        if name.starts_with('.') || name.starts_with("readme") {
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let named_like_brief = BRIEF_EXTENSIONS.contains(&ext.as_str());
        match file_kind(&path, &root) {
            Ok(Kind::File) if named_like_brief => out.push((scope.clone(), path)),
            Ok(Kind::File) => problems.push(FileProblem {
                file: path,
                problem: BriefError::UnsupportedType { extension: ext },
            }),
            // Sub-directories hold nothing of ours, unless named like a brief.
            Ok(Kind::Dir) if !named_like_brief => {}
            Ok(Kind::Dir) => problems.push(FileProblem {
                file: path,
                problem: BriefError::NotAFile {
                    kind: "directory".into(),
                },
            }),
            Err(problem) => problems.push(FileProblem {
                file: path,
                problem,
            }),
        }
    }
    Ok(())
}

enum Kind {
    File,
    Dir,
}

/// What `path` is, following a symbolic link only when its target stays
/// under `root`. Nothing is opened, so a FIFO cannot block here.
fn file_kind(path: &Path, root: &Path) -> Result<Kind, BriefError> {
    let unreadable = |e: std::io::Error| BriefError::Unreadable {
        message: e.to_string(),
    };
    let mut meta = std::fs::symlink_metadata(path).map_err(unreadable)?;
    if meta.file_type().is_symlink() {
        let target = path.canonicalize().map_err(unreadable)?;
        if !target.starts_with(root) {
            return Err(BriefError::LinkOutside { target });
        }
        meta = std::fs::metadata(&target).map_err(unreadable)?;
    }
    let ft = meta.file_type();
    if ft.is_file() {
        Ok(Kind::File)
    } else if ft.is_dir() {
        Ok(Kind::Dir)
    } else {
        Err(BriefError::NotAFile {
            kind: kind_name(&ft).into(),
        })
    }
}

fn kind_name(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "named pipe (FIFO)"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, EngineError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EngineError::io(dir, e))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

/// A tenant directory must be a directory itself, not a link to one
/// (which could point at another tenant's briefs or anywhere else).
fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Read a brief, enforcing the size cap while reading: the size on disk can
/// lie (a file still growing, a device behind a link swapped in after the
/// listing), so no more than the cap plus one byte is ever read. Opened
/// non-blocking and checked to be a regular file before reading, so a FIFO
/// swapped in after the listing cannot hang the indexer either.
fn read_limited(path: &Path, limits: &BriefLimits) -> Result<Vec<u8>, BriefError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let unreadable = |e: std::io::Error| BriefError::Unreadable {
        message: e.to_string(),
    };
    let file = std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.file_type().is_file() {
        return Err(BriefError::NotAFile {
            kind: kind_name(&meta.file_type()).into(),
        });
    }
    if meta.len() > limits.max_bytes {
        return Err(BriefError::TooLarge {
            size: meta.len(),
            limit: limits.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limits.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(BriefError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    Ok(bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
