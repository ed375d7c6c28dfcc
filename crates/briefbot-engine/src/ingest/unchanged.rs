//! Start-up without reading the briefs: a file whose [`Stamp`] matches the
//! one recorded when the index was built is taken as unchanged, with the
//! content hash recorded then; only the others are read and hashed. If the
//! fingerprint this gives equals the index's, the corpus persisted with the
//! index is the one the files would parse to, and start-up costs a
//! directory listing instead of reading, hashing and parsing every brief.
//!
//! A file that was touched but not changed is read and hashed (its hash
//! matches, nothing is rebuilt); one whose content changed makes the
//! fingerprint differ, and the caller reads everything and rebuilds.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::ingest::brief::{parse_brief, BriefLimits};
use crate::ingest::corpus::{content_hash, read_limited, Corpus, Fingerprint};
use crate::ingest::listing::{Listing, Source, Stamp};
use crate::types::FileProblem;

/// What an earlier build recorded of the files it indexed.
pub(crate) struct Recorded<'a> {
    pub fingerprint: &'a str,
    pub hashes: &'a BTreeMap<PathBuf, String>,
    pub stamps: &'a BTreeMap<PathBuf, Stamp>,
}

/// The briefs as they are now, established to match a recorded build.
pub(crate) struct Unchanged {
    problems: Vec<FileProblem>,
    files: Vec<File>,
}

struct File {
    source: Source,
    state: State,
}

enum State {
    /// Same stamp as recorded: indexed then, not read now.
    Known,
    /// Read because its stamp differed (or it was not indexed).
    Read {
        hash: String,
        bytes: Vec<u8>,
        stamp: Stamp,
    },
    Unreadable(crate::error::BriefError),
}

/// Some(..) when the listed files hash to `recorded.fingerprint`, reading
/// only those whose stamp differs from the recorded one.
pub(crate) fn check(
    listing: Listing,
    recorded: &Recorded<'_>,
    extra_fingerprint: &[u8],
    limits: &BriefLimits,
) -> Option<Unchanged> {
    let mut fp = Fingerprint::new(extra_fingerprint);
    let mut files = Vec::with_capacity(listing.sources.len());
    for source in listing.sources {
        let known = recorded.hashes.get(&source.path).filter(|_| {
            recorded.stamps.get(&source.path) == Some(&source.stamp)
                && source.stamp.size <= limits.max_bytes
        });
        let state = match known {
            Some(hash) => {
                fp.add(&source.scope, &source.path, hash);
                State::Known
            }
            None => match read_limited(&source.path, limits) {
                Ok((bytes, stamp)) => {
                    let hash = content_hash(&bytes);
                    fp.add(&source.scope, &source.path, &hash);
                    State::Read { hash, bytes, stamp }
                }
                Err(problem) => State::Unreadable(problem),
            },
        };
        files.push(File { source, state });
    }
    (fp.finish() == recorded.fingerprint).then_some(Unchanged {
        problems: listing.problems,
        files,
    })
}

impl Unchanged {
    /// The corpus, from what the build persisted (`saved`) and the problems
    /// of today's files. None if `saved` does not hold exactly the files
    /// that are indexable now: then the caller rebuilds.
    pub(crate) fn corpus(self, mut saved: Corpus, limits: &BriefLimits) -> Option<Corpus> {
        let mut problems = self.problems;
        let mut stamps = BTreeMap::new();
        for File { source, state } in self.files {
            match state {
                State::Known => {
                    saved.files.get(&source.path)?;
                    stamps.insert(source.path, source.stamp);
                }
                State::Read { hash, bytes, stamp } => {
                    if saved.files.get(&source.path) == Some(&hash) {
                        stamps.insert(source.path, stamp);
                        continue;
                    }
                    // Not indexed by the build, yet part of its fingerprint:
                    // it failed to parse then and must fail the same way now.
                    let problem = parse_brief(&source.path, &bytes, source.scope, limits).err()?;
                    problems.push(FileProblem {
                        file: source.path,
                        problem,
                    });
                }
                State::Unreadable(problem) => problems.push(FileProblem {
                    file: source.path,
                    problem,
                }),
            }
        }
        if stamps.len() != saved.files.len() {
            return None;
        }
        saved.stamps = stamps;
        saved.problems = problems;
        Some(saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::corpus::Sources;
    use std::time::{Duration, SystemTime};

    const BRIEF: &str = "---\ntitle: Gulls\n---\n\nThe lighthouse keeper counted 42 gulls.\n";

    /// What a manifest would record for `built`.
    fn recorded(built: &Corpus) -> Recorded<'_> {
        Recorded {
            fingerprint: &built.fingerprint,
            hashes: &built.files,
            stamps: &built.stamps,
        }
    }

    fn read_files(u: &Unchanged) -> Vec<String> {
        u.files
            .iter()
            .filter(|f| !matches!(f.state, State::Known))
            .map(|f| f.source.path.file_name().unwrap().to_string_lossy().into())
            .collect()
    }

    #[test]
    fn only_files_whose_stamp_changed_are_read() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.md", "b.md", "broken.md"] {
            std::fs::write(dir.path().join(name), BRIEF).unwrap();
        }
        std::fs::write(dir.path().join("broken.md"), "").unwrap();
        let limits = BriefLimits::default();
        let sources = Sources {
            briefs_dir: dir.path(),
            tenant_dir: None,
            extra_fingerprint: b"synonyms",
            limits: &limits,
        };
        let built = sources.load().unwrap();
        let recorded = recorded(&built);
        let check =
            |s: &Sources<'_>| check(s.list().unwrap(), &recorded, s.extra_fingerprint, &limits);

        // Untouched: nothing is read but the file that failed to parse,
        // which is read again to report its problem.
        let same = check(&sources).expect("unchanged");
        assert_eq!(read_files(&same), ["broken.md"]);
        let corpus = same.corpus(built.clone(), &limits).unwrap();
        assert_eq!(corpus.problems.len(), 1);
        assert_eq!(corpus.stamps, built.stamps);

        // Touched, same bytes: read and hashed, still unchanged.
        let later = SystemTime::now() + Duration::from_secs(60);
        let f = std::fs::File::options()
            .write(true)
            .open(dir.path().join("a.md"))
            .unwrap();
        f.set_modified(later).unwrap();
        let touched = check(&sources).expect("same content");
        assert_eq!(read_files(&touched), ["a.md", "broken.md"]);
        let corpus = touched.corpus(built.clone(), &limits).unwrap();
        assert_ne!(corpus.stamps, built.stamps, "the new stamp is kept");

        // Same size, other bytes, old mtime put back: the change time differs.
        let old = std::fs::metadata(dir.path().join("b.md"))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::write(dir.path().join("b.md"), BRIEF.replace("42", "43")).unwrap();
        let f = std::fs::File::options()
            .write(true)
            .open(dir.path().join("b.md"))
            .unwrap();
        f.set_modified(old).unwrap();
        assert!(check(&sources).is_none());

        // Other synonyms: everything that shapes the index is in the fingerprint.
        std::fs::write(dir.path().join("b.md"), BRIEF).unwrap();
        let other = Sources {
            extra_fingerprint: b"other synonyms",
            ..sources
        };
        assert!(check(&other).is_none());
        assert!(check(&sources).is_some());
    }

    #[test]
    fn a_saved_corpus_missing_a_file_is_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), BRIEF).unwrap();
        let limits = BriefLimits::default();
        let sources = Sources {
            briefs_dir: dir.path(),
            tenant_dir: None,
            extra_fingerprint: b"",
            limits: &limits,
        };
        let built = sources.load().unwrap();
        let recorded = recorded(&built);
        let same = check(sources.list().unwrap(), &recorded, b"", &limits).unwrap();
        let mut saved = built.clone();
        saved.files.clear();
        assert!(same.corpus(saved, &limits).is_none());
    }
}
