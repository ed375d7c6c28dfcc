//! Reading and parsing the brief files a [`listing`] found. A file that
//! cannot be read becomes a [`FileProblem`]; it never stops the others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::{BriefError, EngineError};
use crate::ingest::brief::{parse_brief, BriefLimits};
use crate::ingest::listing::{self, kind_name, Listing, Source, Stamp};
use crate::ingest::passages::Passages;
use crate::types::{BriefMeta, FileProblem, Scope};

/// Bump when parsing, analysis or the schema change, so existing indexes rebuild.
pub(crate) const ENGINE_VERSION: &str = "briefbot-index-7";

/// Everything read from the brief files, in a deterministic order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Corpus {
    pub passages: Passages,
    pub briefs: Vec<(Arc<BriefMeta>, usize)>,
    /// Content hash per file indexed, for change reports.
    pub files: BTreeMap<PathBuf, String>,
    /// Metadata of each file indexed when it was read, so the next start-up
    /// can tell it unchanged without reading it.
    pub stamps: BTreeMap<PathBuf, Stamp>,
    pub problems: Vec<FileProblem>,
    /// Hash of everything that shapes the index; equal fingerprints mean the
    /// index on disk is up to date.
    pub fingerprint: String,
}

/// Where the briefs are and how they are read: what decides a corpus.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources<'a> {
    pub briefs_dir: &'a Path,
    pub tenant_dir: Option<&'a Path>,
    /// Other input that shapes the index (the synonyms file's bytes).
    pub extra_fingerprint: &'a [u8],
    pub limits: &'a BriefLimits,
}

impl Sources<'_> {
    /// The brief files, from metadata alone.
    pub(crate) fn list(&self) -> Result<Listing, EngineError> {
        listing::list(self.briefs_dir, self.tenant_dir)
    }

    /// Read and parse every brief.
    pub(crate) fn load(&self) -> Result<Corpus, EngineError> {
        Ok(load_listed(
            self.list()?,
            self.extra_fingerprint,
            self.limits,
        ))
    }
}

/// Read and parse every file of `listing`.
pub(crate) fn load_listed(
    listing: Listing,
    extra_fingerprint: &[u8],
    limits: &BriefLimits,
) -> Corpus {
    let mut corpus = Corpus::default();
    let mut passages = Vec::new();
    let mut problems = listing.problems;
    let mut fp = Fingerprint::new(extra_fingerprint);
    for Source { scope, path, .. } in listing.sources {
        let (bytes, stamp) = match read_limited(&path, limits) {
            Ok(read) => read,
            Err(problem) => {
                problems.push(FileProblem {
                    file: path,
                    problem,
                });
                continue;
            }
        };
        let hash = content_hash(&bytes);
        fp.add(&scope, &path, &hash);
        match parse_brief(&path, &bytes, scope, limits) {
            Ok(parsed) => {
                corpus
                    .briefs
                    .push((parsed.meta.clone(), parsed.passages.len()));
                passages.extend(parsed.passages.into_iter().map(Arc::new));
                corpus.files.insert(path.clone(), hash);
                corpus.stamps.insert(path, stamp);
            }
            Err(problem) => problems.push(FileProblem {
                file: path,
                problem,
            }),
        }
    }
    corpus.passages = passages.into();
    corpus.problems = problems;
    corpus.fingerprint = fp.finish();
    corpus
}

/// The hash of everything that shapes the index, fed file by file in
/// listing order (files that could not be read are left out).
pub(crate) struct Fingerprint(Sha256);

impl Fingerprint {
    pub(crate) fn new(extra: &[u8]) -> Fingerprint {
        let mut fp = Sha256::new();
        fp.update(ENGINE_VERSION.as_bytes());
        fp.update(extra);
        Fingerprint(fp)
    }

    pub(crate) fn add(&mut self, scope: &Scope, path: &Path, hash: &str) {
        self.0
            .update(format!("{scope:?}\0{}\0{hash}\n", path.display()).as_bytes());
    }

    pub(crate) fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// A file's content hash as the manifest, the fingerprint and the database
/// record it: a brief stored in the database and the same brief read from a
/// file must hash alike.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Read a brief, enforcing the size cap while reading: the size on disk can
/// lie (a file still growing, a device behind a link swapped in after the
/// listing), so no more than the cap plus one byte is ever read. Opened
/// non-blocking and checked to be a regular file before reading, so a FIFO
/// swapped in after the listing cannot hang the indexer either.
/// The stamp is the open file's own metadata, taken before reading: if the
/// file changes while being read, its stamp differs next time and it is
/// read again.
pub(crate) fn read_limited(
    path: &Path,
    limits: &BriefLimits,
) -> Result<(Vec<u8>, Stamp), BriefError> {
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
    Ok((bytes, Stamp::of(&meta)))
}

/// Lower-case hexadecimal: how every hash the engine and the database keep
/// is written (fingerprints, content hashes, the model's fingerprint).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
