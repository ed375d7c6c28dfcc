//! Listing brief files without opening them: the shipped directory (global
//! scope) and one sub-directory per tenant. Only metadata is read here, so a
//! FIFO cannot block and a listing costs the same whatever the files hold;
//! each file's [`Stamp`] lets start-up tell an unchanged file from a changed
//! one without reading it. A file that cannot be listed becomes a
//! [`FileProblem`]; it never stops the others.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{BriefError, EngineError};
use crate::ingest::brief::BRIEF_EXTENSIONS;
use crate::types::{FileProblem, Scope, TenantId};

/// What a file's metadata says about its content. Equal stamps are taken to
/// mean equal content, as git's index does: size, modification time and
/// inode change time, all to the nanosecond. A change that keeps all three
/// (only possible by setting the clock back, or by writing to the disk
/// beneath the file system) goes unnoticed; restoring an old mtime with
/// `touch -d` does not, because that sets the change time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stamp {
    pub(crate) fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }
    }
}

/// One file that looks like a brief, with its metadata at listing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Source {
    pub scope: Scope,
    pub path: PathBuf,
    pub stamp: Stamp,
}

/// Every brief file under the configured directories, sorted, and what was
/// refused while listing.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub sources: Vec<Source>,
    pub problems: Vec<FileProblem>,
}

/// List the shipped briefs and, if configured, every tenant's.
pub(crate) fn list(briefs_dir: &Path, tenant_dir: Option<&Path>) -> Result<Listing, EngineError> {
    if !briefs_dir.is_dir() {
        return Err(EngineError::NoBriefsDir {
            path: briefs_dir.to_path_buf(),
        });
    }
    let mut listing = Listing::default();
    list_files(briefs_dir, Scope::Global, &mut listing)?;
    if let Some(dir) = tenant_dir.filter(|d| d.is_dir()) {
        for entry in read_dir_sorted(dir)? {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            match name.map(TenantId::new) {
                Some(Ok(id)) if is_real_dir(&entry) => {
                    list_files(&entry, Scope::Tenant(id), &mut listing)?
                }
                _ if is_hidden(&entry) => {}
                _ => listing.problems.push(FileProblem {
                    file: entry.clone(),
                    problem: BriefError::NotTenantDir,
                }),
            }
        }
    }
    listing
        .sources
        .sort_by(|a, b| (&a.scope, &a.path).cmp(&(&b.scope, &b.path)));
    Ok(listing)
}

fn list_files(dir: &Path, scope: Scope, out: &mut Listing) -> Result<(), EngineError> {
    // Links are followed only within the directory listed: for a tenant that
    // is its own directory, so one tenant cannot link to another's briefs.
    let root = dir.canonicalize().map_err(|e| EngineError::io(dir, e))?;
    for path in read_dir_sorted(dir)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            // Reported under a lossy name: the real one cannot be printed or
            // stored in the manifest.
            out.problems.push(FileProblem {
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
        let problem = match file_kind(&path, &root) {
            Ok((Kind::File, meta)) if named_like_brief => {
                out.sources.push(Source {
                    scope: scope.clone(),
                    path,
                    stamp: Stamp::of(&meta),
                });
                continue;
            }
            Ok((Kind::File, _)) => BriefError::UnsupportedType { extension: ext },
            // Sub-directories hold nothing of ours, unless named like a brief.
            Ok((Kind::Dir, _)) if !named_like_brief => continue,
            Ok((Kind::Dir, _)) => BriefError::NotAFile {
                kind: "directory".into(),
            },
            Err(problem) => problem,
        };
        out.problems.push(FileProblem {
            file: path,
            problem,
        });
    }
    Ok(())
}

enum Kind {
    File,
    Dir,
}

/// What `path` is, following a symbolic link only when its target stays
/// under `root`, with the metadata of what it resolves to. Nothing is
/// opened, so a FIFO cannot block here.
fn file_kind(path: &Path, root: &Path) -> Result<(Kind, std::fs::Metadata), BriefError> {
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
        Ok((Kind::File, meta))
    } else if ft.is_dir() {
        Ok((Kind::Dir, meta))
    } else {
        Err(BriefError::NotAFile {
            kind: kind_name(&ft).into(),
        })
    }
}

pub(crate) fn kind_name(ft: &std::fs::FileType) -> &'static str {
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
