//! Per-generation data files beside the Tantivy index, each with its own
//! [`Format`]: `serve.bin` (the parsed corpus, `persist`) and `dense.bin`
//! (the passage vectors, `semantic::store`). A header names the content and
//! its format version, the payload length and a CRC-32 of the payload. A file from another format version, of another kind, truncated
//! or garbled is reported as damage ([`EngineError::Damaged`]), so the caller
//! rebuilds the generation rather than mis-reading it. CRC-32 rather than a
//! cryptographic hash: it guards against accidents (torn writes, bit rot,
//! a copy cut short), not against someone who can write the index directory,
//! and it costs a few milliseconds on a 100k-passage corpus where SHA-256
//! would cost a hundred.
//!
//! Write with [`write_framed`]; read with [`open_framed`] (or
//! [`open_framed_file`] for a copy kept elsewhere), then [`Framed::verify`]
//! before using anything decoded from [`Framed::payload`] (possibly while
//! decoding, on another thread).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::EngineError;

/// Identifies one kind of per-generation file and the version of its layout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Format {
    pub file: &'static str,
    pub tag: [u8; 4],
    /// Bump whenever the payload's layout changes.
    pub version: u32,
}

const MAGIC: &[u8; 8] = b"briefbot";
const HEADER: usize = 8 + 4 + 4 + 8 + 4;

/// Write `dir/format.file`: its header, then whatever `payload` writes,
/// streamed (a payload of a hundred megabytes is never copied whole in
/// memory), then the header again with the length and checksum now known.
/// Synced, so a generation published after this call never holds a torn
/// file. Written under a temporary name and renamed into place: the passage
/// vectors may be saved into a generation that is already serving, and a
/// process that has the old file mapped keeps reading it whole. The
/// temporary name is this writer's own (process and call): two processes may
/// fill the same generation's vectors at once, and each renames a whole file.
pub(crate) fn write_framed(
    dir: &Path,
    format: Format,
    payload: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), EngineError> {
    use std::io::{Seek, SeekFrom};
    let path = dir.join(format.file);
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!("{}.{}-{n}.tmp", format.file, std::process::id()));
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
        let mut f = std::fs::File::create(&tmp)?;
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
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        EngineError::io(&path, e)
    })
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
pub(crate) fn open_framed(dir: &Path, format: Format) -> Result<Framed, EngineError> {
    open_framed_file(&dir.join(format.file), format)
}

/// [`open_framed`] for a file of `format` at any path.
pub(crate) fn open_framed_file(path: &Path, format: Format) -> Result<Framed, EngineError> {
    let path = path.to_path_buf();
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
pub(crate) struct Framed {
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
    pub(crate) fn payload(&self) -> &[u8] {
        &self.map[HEADER..]
    }

    /// Does the payload match the checksum its header recorded?
    pub(crate) fn verify(&self) -> Result<(), EngineError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
