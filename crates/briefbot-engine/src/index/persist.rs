//! What a generation needs to serve besides its Tantivy index, saved inside
//! the generation directory (`serve.bin`): the parsed corpus and the
//! reranker's word statistics. Written into the build directory before the
//! generation is published, so it is exactly as atomic and immutable as the
//! index beside it; with it, start-up neither reads nor parses a brief. The
//! file is framed by [`framed`] (format version, length, CRC-32), so a file
//! that is damaged or from another version is rebuilt, never mis-read.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::framed::{open_framed, write_framed, Format};
use super::lexicon::Lexicon;
use super::saved_passages::{self, Layout, SavedPassages};
use super::terms::Terms;
use crate::error::EngineError;
use crate::ingest::corpus::Corpus;
use crate::ingest::passages::Passages;
use crate::types::{BriefMeta, Scope, TenantId};

/// The corpus and reranker statistics.
pub(crate) const SERVE: Format = Format {
    file: "serve.bin",
    tag: *b"SERV",
    version: 4,
};

/// Everything [`read`] restores; `corpus.problems` and `corpus.stamps` are
/// about today's files, not the build's, and come back empty.
pub(crate) struct Saved {
    pub corpus: Corpus,
    pub terms: Terms,
    pub lexicon: Lexicon,
}

/// Save what generation `dir` serves from. Called before it is published.
pub(crate) fn write(
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
pub(crate) fn read(dir: &Path) -> Result<Saved, EngineError> {
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
    use crate::ingest::brief::BriefLimits;
    use crate::ingest::corpus::Sources;

    fn saved_corpus(dir: &Path) -> Corpus {
        let shipped = crate::repo_file("briefs/north-korea-war-in-europe.md");
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
    fn a_payload_that_passes_the_checksum_but_does_not_decode_is_damage() {
        let dir = tempfile::tempdir().unwrap();
        write_framed(dir.path(), SERVE, |w| {
            w.write_all(b"\xff\xff\xff\xff\xff\xff")
        })
        .unwrap();
        assert!(matches!(read(dir.path()), Err(EngineError::Damaged { .. })));
    }
}
