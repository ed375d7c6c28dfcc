//! What a generation needs to serve besides its Tantivy index, saved inside
//! the generation directory (`serve.bin`): the parsed corpus and the
//! reranker's word statistics. Written into the build directory before the
//! generation is published, so it is exactly as atomic and immutable as the
//! index beside it; with it, start-up neither reads nor parses a brief.
//!
//! Every such file is framed by [`write_framed`] / [`open_framed`] and
//! [`Framed::verify`] (another per-generation file follows the same pattern
//! with its own [`Format`]):
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
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::lexicon::Lexicon;
use super::saved_passages::{self, Layout, SavedPassages};
use super::terms::Terms;
use crate::engine::error::EngineError;
use crate::engine::ingest::corpus::Corpus;
use crate::engine::ingest::passages::Passages;
use crate::engine::types::{BriefMeta, Scope, TenantId};

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
    version: 3,
};

const MAGIC: &[u8; 8] = b"briefbot";
const HEADER: usize = 8 + 4 + 4 + 8 + 4;

/// Everything [`read`] restores; `corpus.problems` and `corpus.stamps` are
/// about today's files, not the build's, and come back empty.
pub struct Saved {
    pub corpus: Corpus,
    pub terms: Terms,
    pub lexicon: Lexicon,
}

/// Save what generation `dir` serves from. Called before it is published.
pub fn write(
    dir: &Path,
    corpus: &Corpus,
    terms: &Terms,
    lexicon: &Lexicon,
) -> Result<(), EngineError> {
    let path = dir.join(SERVE.file);
    let encode_err = |e: postcard::Error| EngineError::io(&path, std::io::Error::other(e));
    let brief_of = corpus
        .briefs
        .iter()
        .enumerate()
        .flat_map(|(i, (_, count))| std::iter::repeat_n(i, *count));
    let passages = saved_passages::encode(corpus.passages.iter().map(|p| &**p).zip(brief_of));
    let stats = postcard::to_stdvec(&(terms, lexicon)).map_err(encode_err)?;
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
        strings: Blob(passages.strings.as_bytes()),
        records: Blob(&passages.records),
        sentences: Blob(&passages.sentences),
        attributions: Blob(&passages.attributions),
        stats: Blob(&stats),
    };
    write_framed(dir, SERVE, |w| {
        postcard::to_io(&wire, w)
            .map(drop)
            .map_err(std::io::Error::other)
    })
}

/// What generation `dir` serves from; damage (missing, truncated, garbled,
/// another format) is an error, never a panic or a wrong corpus. Passages
/// stay in the mapped file until a question reaches them.
pub fn read(dir: &Path) -> Result<Saved, EngineError> {
    let path = dir.join(SERVE.file);
    let damaged = |reason: String| EngineError::Damaged {
        path: path.clone(),
        reason,
    };
    let undecodable = |e: postcard::Error| damaged(format!("undecodable: {e}"));
    let started = std::time::Instant::now();
    let framed = open_framed(dir, SERVE)?;
    // Decoding unchecked bytes is safe (an error at worst, never a panic or
    // a huge allocation); nothing decoded is used unless the checksum holds.
    let (checked, wire, stats) = std::thread::scope(|s| {
        let checked = s.spawn(|| framed.verify());
        let wire = postcard::from_bytes::<Wire<'_>>(framed.payload());
        let stats = wire.as_ref().ok().map(|wire| {
            let stats = wire.stats.0;
            s.spawn(move || postcard::from_bytes::<(Terms, Lexicon)>(stats))
        });
        let stats = stats.map(|t| t.join());
        (checked.join(), wire, stats)
    });
    checked.map_err(|_| damaged("its checksum panicked".into()))??;
    let wire = wire.map_err(undecodable)?;
    let (terms, lexicon) = decoded(stats.ok_or_else(|| damaged("undecodable".into()))?, &path)?;
    let base = framed.payload().as_ptr() as usize;
    let at = |b: &Blob<'_>| {
        let start = b.0.as_ptr() as usize - base;
        start..start + b.0.len()
    };
    let layout = Layout {
        strings: at(&wire.strings),
        records: at(&wire.records),
        sentences: at(&wire.sentences),
        attributions: at(&wire.attributions),
    };
    let mut corpus = Corpus {
        fingerprint: wire.fingerprint.into_owned(),
        files: wire
            .files
            .into_iter()
            .map(|(p, h)| (PathBuf::from(OsStr::from_bytes(&p)), h.into_owned()))
            .collect(),
        ..Corpus::default()
    };
    for b in wire.briefs {
        let count = b.passages as usize;
        corpus
            .briefs
            .push((Arc::new(brief_in(b).map_err(damaged)?), count));
    }
    let passages = SavedPassages::new(framed, layout, corpus.briefs.clone()).map_err(damaged)?;
    corpus.passages = Passages::saved(Arc::new(passages));
    let n = corpus.passages.len();
    if terms.len() != n || lexicon.passages as usize != n {
        return Err(damaged(format!(
            "statistics for {} passages, corpus of {n}",
            terms.len()
        )));
    }
    let stems = lexicon.stem_df.len();
    if lexicon.numeric.len() != stems || lexicon.stem_ids.len() != stems {
        return Err(damaged("word statistics are inconsistent".into()));
    }
    terms.check(stems).map_err(damaged)?;
    tracing::debug!("{}: loaded in {:?}", path.display(), started.elapsed());
    Ok(Saved {
        corpus,
        terms,
        lexicon,
    })
}

/// A section decoded on its own thread: failing to decode, or a panic in
/// the decoder, is damage to the file.
fn decoded<T>(
    joined: std::thread::Result<Result<T, postcard::Error>>,
    path: &Path,
) -> Result<T, EngineError> {
    let reason = match joined {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(e)) => format!("undecodable: {e}"),
        Err(_) => "its decoder panicked".into(),
    };
    Err(EngineError::Damaged {
        path: path.to_path_buf(),
        reason,
    })
}

/// Write `dir/format.file`: its header, then whatever `payload` writes,
/// streamed (a payload of a hundred megabytes is never copied whole in
/// memory), then the header again with the length and checksum now known.
/// Synced, so a generation published after this call never holds a torn
/// file.
pub fn write_framed(
    dir: &Path,
    format: Format,
    payload: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), EngineError> {
    use std::io::{Seek, SeekFrom};
    let path = dir.join(format.file);
    let header = |len: u64, crc: u32| {
        let mut h = Vec::with_capacity(HEADER);
        h.extend_from_slice(MAGIC);
        h.extend_from_slice(&format.tag);
        h.extend_from_slice(&format.version.to_le_bytes());
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&crc.to_le_bytes());
        h
    };
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&header(0, 0))?;
        let mut out = Counted {
            inner: std::io::BufWriter::with_capacity(1 << 20, f),
            crc: crc32fast::Hasher::new(),
            len: 0,
        };
        payload(&mut out)?;
        let Counted { len, crc, inner } = out;
        let mut f = inner.into_inner().map_err(|e| e.into_error())?;
        let crc = crc.finalize();
        f.seek(SeekFrom::Start(0))?;
        f.write_all(&header(len, crc))?;
        f.sync_all()
    };
    write().map_err(|e| EngineError::io(&path, e))
}

/// A writer that checksums and counts what passes through it.
struct Counted<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
    len: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The file mapped, its header checked but not yet its checksum: for a
/// caller that decodes while [`Framed::verify`] runs on another thread,
/// and uses nothing it decoded unless that succeeds.
///
/// The file is mapped rather than read: a copy of tens of megabytes into
/// fresh memory cost more than decoding parts of it. Mapping is as safe as
/// Tantivy's own mapped segment files beside it: a generation's files are
/// never written again once it is published (only a hand truncating one
/// while it is being loaded could fault).
pub fn open_framed(dir: &Path, format: Format) -> Result<Framed, EngineError> {
    let path = dir.join(format.file);
    let damaged = |reason: String| EngineError::Damaged {
        path: path.clone(),
        reason,
    };
    let cannot_read = |e: std::io::Error| damaged(format!("cannot read: {e}"));
    let file = std::fs::File::open(&path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size < HEADER as u64 {
        return Err(damaged("not a briefbot data file of this kind".into()));
    }
    // SAFETY: see above; the map is private and read-only.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(cannot_read)?;
    let bytes = &map[..];
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
    Ok(Framed { map, crc, path })
}

/// A per-generation data file, mapped.
#[derive(Debug)]
pub struct Framed {
    map: memmap2::Mmap,
    crc: u32,
    path: PathBuf,
}

impl AsRef<[u8]> for Framed {
    fn as_ref(&self) -> &[u8] {
        self.payload()
    }
}

impl Framed {
    pub fn payload(&self) -> &[u8] {
        &self.map[HEADER..]
    }

    /// Does the payload match the checksum its header recorded?
    pub fn verify(&self) -> Result<(), EngineError> {
        let started = std::time::Instant::now();
        let ok = crc32fast::hash(self.payload()) == self.crc;
        tracing::debug!(
            "{}: checksum in {:?}",
            self.path.display(),
            started.elapsed()
        );
        ok.then_some(()).ok_or_else(|| EngineError::Damaged {
            path: self.path.clone(),
            reason: "checksum mismatch".into(),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    fingerprint: Cow<'a, str>,
    /// Paths as raw bytes: a briefs directory's own path need not be UTF-8.
    files: Vec<(Cow<'a, [u8]>, Cow<'a, str>)>,
    briefs: Vec<WireBrief<'a>>,
    /// The passages, brief by brief in `briefs` order (see `saved_passages`).
    #[serde(borrow)]
    strings: Blob<'a>,
    #[serde(borrow)]
    records: Blob<'a>,
    #[serde(borrow)]
    sentences: Blob<'a>,
    #[serde(borrow)]
    attributions: Blob<'a>,
    /// The encoded `(Terms, Lexicon)`.
    #[serde(borrow)]
    stats: Blob<'a>,
}

/// Bytes encoded as such (not as a sequence of numbers) and borrowed from
/// the file when read, so a section can be decoded on a thread of its own.
struct Blob<'a>(&'a [u8]);

impl Serialize for Blob<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Blob<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(d).map(Blob)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::brief::BriefLimits;
    use crate::engine::ingest::corpus::Sources;

    fn saved_corpus(dir: &Path) -> Corpus {
        let shipped =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs/north-korea-war-in-europe.md");
        std::fs::copy(shipped, dir.join("a.md")).unwrap();
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
        let mut terms = Terms::default();
        for _ in &corpus.passages {
            terms.push(&[], &[], &[]);
        }
        let lexicon = Lexicon {
            passages: corpus.passages.len() as u32,
            ..Lexicon::default()
        };
        write(dir.path(), &corpus, &terms, &lexicon).unwrap();
        let saved = read(dir.path()).unwrap();
        let all = |c: &Corpus| c.passages.iter().cloned().collect::<Vec<_>>();
        assert_eq!(all(&saved.corpus), all(&corpus));
        assert!(all(&corpus).iter().any(|p| p.heading.is_some()));
        assert!(all(&corpus).iter().any(|p| !p.attribution.is_empty()));
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
        write_framed(dir.path(), format, |w| w.write_all(&payload)).unwrap();
        let read = |format| open_framed(dir.path(), format).and_then(|f| f.verify().map(|()| f));
        assert_eq!(read(format).unwrap().payload(), payload);
        let path = dir.path().join(format.file);
        let pristine = std::fs::read(&path).unwrap();
        let reason = |bytes: &[u8], format: Format| {
            std::fs::write(&path, bytes).unwrap();
            match read(format) {
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
        assert!(matches!(read(format), Err(EngineError::Damaged { .. })));
    }

    #[test]
    fn a_payload_that_passes_the_checksum_but_does_not_decode_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        write_framed(dir.path(), SERVE, |w| {
            w.write_all(b"\xff\xff\xff\xff\xff\xff")
        })
        .unwrap();
        assert!(matches!(read(dir.path()), Err(EngineError::Damaged { .. })));
    }
}
