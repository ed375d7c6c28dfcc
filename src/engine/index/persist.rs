//! What a generation needs to serve besides its Tantivy index, saved inside
//! the generation directory (`serve.bin`): the parsed corpus and the
//! reranker's word statistics. Written into the build directory before the
//! generation is published, so it is exactly as atomic and immutable as the
//! index beside it; with it, start-up neither reads nor parses a brief.
//!
//! Every such file is framed by [`write_framed`] / [`read_framed`] (another
//! per-generation file follows the same pattern with its own [`Format`]):
//! a header naming the content and its format version, the payload length
//! and a CRC-32 of the payload. A file from another format version, of
//! another kind, truncated or garbled is reported as damage, so the caller
//! rebuilds the generation rather than mis-reading it. CRC-32 rather than a
//! cryptographic hash: it guards against accidents (torn writes, bit rot,
//! a copy cut short), not against someone who can write the index directory,
//! and it costs a few milliseconds on a 100k-passage corpus where SHA-256
//! would cost a hundred.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::io::Write;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::snapshot::DocTerms;
use crate::engine::error::EngineError;
use crate::engine::ingest::corpus::Corpus;
use crate::engine::types::{Attribution, BriefMeta, Passage, Scope, TenantId};

/// Identifies one kind of per-generation file and the version of its layout.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    pub file: &'static str,
    pub tag: [u8; 4],
    /// Bump whenever the payload's layout changes.
    pub version: u32,
}

/// The corpus and reranker statistics.
pub const SERVE: Format = Format {
    file: "serve.bin",
    tag: *b"SERV",
    version: 1,
};

const MAGIC: &[u8; 8] = b"briefbot";
const HEADER: usize = 8 + 4 + 4 + 8 + 4;

/// Everything [`read`] restores; `corpus.problems` and `corpus.stamps` are
/// about today's files, not the build's, and come back empty.
pub struct Saved {
    pub corpus: Corpus,
    pub terms: Vec<DocTerms>,
    pub lexicon: Lexicon,
}

/// Save what generation `dir` serves from. Called before it is published.
pub fn write(
    dir: &Path,
    corpus: &Corpus,
    terms: &[DocTerms],
    lexicon: &Lexicon,
) -> Result<(), EngineError> {
    let wire = Wire {
        fingerprint: Cow::Borrowed(&corpus.fingerprint),
        files: corpus
            .files
            .iter()
            .map(|(p, h)| (Cow::Borrowed(p.as_os_str().as_bytes()), Cow::Borrowed(&**h)))
            .collect(),
        briefs: corpus
            .briefs
            .iter()
            .map(|(b, n)| brief_out(b, *n))
            .collect(),
        passages: corpus.passages.iter().map(|p| passage_out(p)).collect(),
        terms: Cow::Borrowed(terms),
        lexicon: Cow::Borrowed(lexicon),
    };
    let path = dir.join(SERVE.file);
    let payload =
        postcard::to_stdvec(&wire).map_err(|e| EngineError::io(&path, std::io::Error::other(e)))?;
    write_framed(dir, SERVE, &payload)
}

/// What generation `dir` serves from; damage (missing, truncated, garbled,
/// another format) is an error, never a panic or a wrong corpus.
pub fn read(dir: &Path) -> Result<Saved, EngineError> {
    let path = dir.join(SERVE.file);
    let damaged = |reason: String| EngineError::Damaged {
        path: path.clone(),
        reason,
    };
    let payload = read_framed(dir, SERVE)?;
    let wire: Wire<'_> =
        postcard::from_bytes(&payload).map_err(|e| damaged(format!("undecodable: {e}")))?;
    let terms = wire.terms.into_owned();
    let lexicon = wire.lexicon.into_owned();
    let mut corpus = Corpus {
        fingerprint: wire.fingerprint.into_owned(),
        files: wire
            .files
            .into_iter()
            .map(|(p, h)| (PathBuf::from(OsStr::from_bytes(&p)), h.into_owned()))
            .collect(),
        ..Corpus::default()
    };
    let mut passages = wire.passages.into_iter();
    for b in wire.briefs {
        let count = b.passages as usize;
        let meta = Arc::new(brief_in(b).map_err(damaged)?);
        for _ in 0..count {
            let p = passages
                .next()
                .ok_or_else(|| damaged("fewer passages than its briefs hold".into()))?;
            corpus.passages.push(Arc::new(passage_in(p, &meta)));
        }
        corpus.briefs.push((meta, count));
    }
    if passages.next().is_some() {
        return Err(damaged("more passages than its briefs hold".into()));
    }
    let n = corpus.passages.len();
    if terms.len() != n || lexicon.passages as usize != n {
        return Err(damaged(format!(
            "statistics for {} passages, corpus of {n}",
            terms.len()
        )));
    }
    Ok(Saved {
        corpus,
        terms,
        lexicon,
    })
}

/// Write `payload` to `dir/format.file` with its header, synced so that a
/// generation published after this call never holds a torn file.
pub fn write_framed(dir: &Path, format: Format, payload: &[u8]) -> Result<(), EngineError> {
    let path = dir.join(format.file);
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&format.tag);
    header.extend_from_slice(&format.version.to_le_bytes());
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    let mut f = std::fs::File::create(&path).map_err(|e| EngineError::io(&path, e))?;
    f.write_all(&header)
        .and_then(|()| f.write_all(payload))
        .and_then(|()| f.sync_all())
        .map_err(|e| EngineError::io(&path, e))
}

/// The payload of `dir/format.file`, checked against its header.
pub fn read_framed(dir: &Path, format: Format) -> Result<Vec<u8>, EngineError> {
    let path = dir.join(format.file);
    let damaged = |reason: String| EngineError::Damaged {
        path: path.clone(),
        reason,
    };
    let mut bytes = std::fs::read(&path).map_err(|e| damaged(format!("cannot read: {e}")))?;
    if bytes.len() < HEADER || &bytes[..8] != MAGIC || bytes[8..12] != format.tag {
        return Err(damaged("not a briefbot data file of this kind".into()));
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
    let version = word(12);
    if version != format.version {
        return Err(damaged(format!(
            "written in format {version}, this build reads format {}",
            format.version
        )));
    }
    let len = u64::from_le_bytes(bytes[16..24].try_into().unwrap_or_default());
    let crc = word(24);
    if len != (bytes.len() - HEADER) as u64 {
        return Err(damaged(format!(
            "{} bytes of data where its header says {len}",
            bytes.len() - HEADER
        )));
    }
    if crc32fast::hash(&bytes[HEADER..]) != crc {
        return Err(damaged("checksum mismatch".into()));
    }
    bytes.drain(..HEADER);
    Ok(bytes)
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    fingerprint: Cow<'a, str>,
    /// Paths as raw bytes: a briefs directory's own path need not be UTF-8.
    files: Vec<(Cow<'a, [u8]>, Cow<'a, str>)>,
    briefs: Vec<WireBrief<'a>>,
    /// All passages, brief by brief in `briefs` order.
    passages: Vec<WirePassage<'a>>,
    terms: Cow<'a, [DocTerms]>,
    lexicon: Cow<'a, Lexicon>,
}

#[derive(Serialize, Deserialize)]
struct WireBrief<'a> {
    title: Cow<'a, str>,
    publisher: Option<Cow<'a, str>>,
    date: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    tags: Cow<'a, [String]>,
    file: Cow<'a, [u8]>,
    tenant: Option<Cow<'a, str>>,
    passages: u64,
}

#[derive(Serialize, Deserialize)]
struct WirePassage<'a> {
    id: Cow<'a, str>,
    paragraph: u64,
    heading: Option<Cow<'a, str>>,
    text: Cow<'a, str>,
    offsets: Range<usize>,
    sentences: Cow<'a, [Range<usize>]>,
    attribution: Cow<'a, [Attribution]>,
}

fn brief_out(b: &BriefMeta, passages: usize) -> WireBrief<'_> {
    WireBrief {
        title: Cow::Borrowed(&b.title),
        publisher: b.publisher.as_deref().map(Cow::Borrowed),
        date: b.date.as_deref().map(Cow::Borrowed),
        url: b.url.as_deref().map(Cow::Borrowed),
        tags: Cow::Borrowed(&b.tags),
        file: Cow::Borrowed(b.file.as_os_str().as_bytes()),
        tenant: match &b.scope {
            Scope::Global => None,
            Scope::Tenant(id) => Some(Cow::Borrowed(id.as_str())),
        },
        passages: passages as u64,
    }
}

fn brief_in(b: WireBrief<'_>) -> Result<BriefMeta, String> {
    let scope = match b.tenant {
        None => Scope::Global,
        Some(id) => Scope::Tenant(TenantId::new(id.into_owned()).map_err(|e| e.to_string())?),
    };
    Ok(BriefMeta {
        title: b.title.into_owned(),
        publisher: b.publisher.map(Cow::into_owned),
        date: b.date.map(Cow::into_owned),
        url: b.url.map(Cow::into_owned),
        tags: b.tags.into_owned(),
        file: PathBuf::from(OsStr::from_bytes(&b.file)),
        scope,
    })
}

fn passage_out(p: &Passage) -> WirePassage<'_> {
    WirePassage {
        id: Cow::Borrowed(&p.id),
        paragraph: p.paragraph as u64,
        heading: p.heading.as_deref().map(Cow::Borrowed),
        text: Cow::Borrowed(&p.text),
        offsets: p.offsets.clone(),
        sentences: Cow::Borrowed(&p.sentences),
        attribution: Cow::Borrowed(&p.attribution),
    }
}

fn passage_in(p: WirePassage<'_>, brief: &Arc<BriefMeta>) -> Passage {
    Passage {
        id: p.id.into_owned(),
        brief: brief.clone(),
        paragraph: p.paragraph as usize,
        heading: p.heading.map(Cow::into_owned),
        text: p.text.into_owned(),
        offsets: p.offsets,
        sentences: p.sentences.into_owned(),
        attribution: p.attribution.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::brief::BriefLimits;
    use crate::engine::ingest::corpus::Sources;

    fn saved_corpus(dir: &Path) -> Corpus {
        std::fs::write(
            dir.join("a.md"),
            "---\ntitle: Gulls\ntags: [birds]\n---\n\nSo what? The keeper, Ann Lee, said he counted 42 gulls.\n\nThen 7 more.\n",
        )
        .unwrap();
        let tenant = dir.join("tenants/guild-1");
        std::fs::create_dir_all(&tenant).unwrap();
        std::fs::write(tenant.join("b.md"), "Their own brief about ferries.\n").unwrap();
        let limits = BriefLimits::default();
        Sources {
            briefs_dir: dir,
            tenant_dir: Some(&dir.join("tenants")),
            extra_fingerprint: b"",
            limits: &limits,
        }
        .load()
        .unwrap()
    }

    #[test]
    fn a_saved_corpus_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = saved_corpus(dir.path());
        assert_eq!(corpus.briefs.len(), 2);
        let terms = vec![DocTerms::default(); corpus.passages.len()];
        let lexicon = Lexicon {
            passages: corpus.passages.len() as u32,
            ..Lexicon::default()
        };
        write(dir.path(), &corpus, &terms, &lexicon).unwrap();
        let saved = read(dir.path()).unwrap();
        assert_eq!(saved.corpus.passages, corpus.passages);
        assert_eq!(saved.corpus.briefs, corpus.briefs);
        assert_eq!(saved.corpus.files, corpus.files);
        assert_eq!(saved.corpus.fingerprint, corpus.fingerprint);
        assert_eq!(saved.terms.len(), terms.len());
        // Passages of one brief share its metadata, as when parsed.
        assert!(Arc::ptr_eq(
            &saved.corpus.passages[0].brief,
            &saved.corpus.briefs[0].0
        ));
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let format = Format {
            file: "test.bin",
            tag: *b"TEST",
            version: 3,
        };
        let payload: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        write_framed(dir.path(), format, &payload).unwrap();
        assert_eq!(read_framed(dir.path(), format).unwrap(), payload);
        let path = dir.path().join(format.file);
        let pristine = std::fs::read(&path).unwrap();
        let reason = |bytes: &[u8], format: Format| {
            std::fs::write(&path, bytes).unwrap();
            match read_framed(dir.path(), format) {
                Err(EngineError::Damaged { reason, .. }) => reason,
                other => panic!("not refused as damage: {other:?}"),
            }
        };
        assert!(reason(&pristine[..pristine.len() / 2], format).contains("header says"));
        assert!(reason(&pristine[..10], format).contains("not a briefbot data file"));
        assert!(reason(b"", format).contains("not a briefbot data file"));
        let mut garbled = pristine.clone();
        garbled[5000] ^= 0x5a;
        assert!(reason(&garbled, format).contains("checksum"));
        let newer = Format {
            version: 4,
            ..format
        };
        assert!(reason(&pristine, newer).contains("format 3"));
        let other = Format {
            tag: *b"DENS",
            ..format
        };
        assert!(reason(&pristine, other).contains("not a briefbot data file"));
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            read_framed(dir.path(), format),
            Err(EngineError::Damaged { .. })
        ));
    }

    #[test]
    fn a_payload_that_passes_the_checksum_but_does_not_decode_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        write_framed(dir.path(), SERVE, b"\xff\xff\xff\xff\xff\xff").unwrap();
        assert!(matches!(read(dir.path()), Err(EngineError::Damaged { .. })));
    }
}
