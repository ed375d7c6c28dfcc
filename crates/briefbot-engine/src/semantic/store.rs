//! The passages' vectors for one index generation: each passage's and each
//! of its sentences', keyed by a hash of the passage's content so that a
//! rebuild re-embeds only new or changed passages, and saved next to the
//! Tantivy index so a restart loads them instead of running the model.

use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::encoder::Encoder;
use super::error::SemanticError;
use super::vectors::Quantised;
use crate::error::EngineError;
use crate::index::framed::{open_framed_file, write_framed, Format};

/// The vectors' file in a generation, framed like the generation's other
/// data files (format version, length, CRC-32): a file that is damaged or
/// from another version is re-embedded, never served.
pub(super) const FORMAT: Format = Format {
    file: "dense.bin",
    tag: *b"DENS",
    version: 4,
};

/// What identifies a passage's vectors: its text and sentence split.
pub(super) type Key = [u8; 16];

/// One text to embed: the passage and its sentences' byte ranges.
pub(crate) struct Item<'a> {
    /// What the passage is about when read on its own: its brief's title.
    /// A paragraph that says "it" or "the accord" loses its subject once cut
    /// out of its brief; the model reads it with the title in front.
    pub context: &'a str,
    pub text: &'a str,
    pub sentences: &'a [Range<usize>],
}

impl Item<'_> {
    pub(crate) fn key(&self) -> Key {
        let mut h = Sha256::new();
        h.update((self.context.len() as u64).to_le_bytes());
        h.update(self.context.as_bytes());
        h.update(self.text.as_bytes());
        for s in self.sentences {
            h.update((s.start as u64).to_le_bytes());
            h.update((s.end as u64).to_le_bytes());
        }
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize()[..16]);
        key
    }
}

/// Vectors of every passage of a generation, in passage order.
#[derive(Debug, Clone, Default)]
pub(crate) struct DenseIndex {
    /// Which model made them: vectors of different models do not compare.
    pub model: String,
    keys: Vec<Key>,
    passages: Quantised,
    /// Sentence vectors of passage `p` are `sent_start[p]..sent_start[p + 1]`.
    sent_start: Vec<usize>,
    sentences: Quantised,
}

impl DenseIndex {
    /// Embed `items`, taking the vectors of passages already in `reuse` (same
    /// model, same key) instead of running the model again. `threads` workers
    /// share the passages left, longest first so the last ones are quick.
    /// Returns the index and how many passages had to be embedded.
    pub(crate) fn build(
        encoder: &Encoder,
        items: &[Item<'_>],
        reuse: Option<&DenseIndex>,
        threads: usize,
        watch: &dyn Watch,
    ) -> Result<(DenseIndex, usize), SemanticError> {
        let reuse = reuse.filter(|r| r.model == encoder.fingerprint());
        let known = known(reuse);
        let keys: Vec<Key> = items.iter().map(Item::key).collect();
        let mut todo: Vec<usize> = (0..items.len())
            .filter(|&i| !known.contains_key(&keys[i]))
            .collect();
        todo.sort_by_key(|&i| std::cmp::Reverse(items[i].text.len()));
        let fresh = embed_all(encoder, items, &todo, threads, watch)?;

        let dim = encoder.dim();
        let mut out = DenseIndex {
            model: encoder.fingerprint().to_string(),
            keys: Vec::with_capacity(items.len()),
            passages: Quantised::new(dim),
            sent_start: vec![0],
            sentences: Quantised::new(dim),
        };
        for (i, key) in keys.into_iter().enumerate() {
            match (known.get(&key), reuse, fresh.get(&i)) {
                (Some(&j), Some(old), _) => {
                    out.passages.push_from(&old.passages, j);
                    for s in old.sent_start[j]..old.sent_start[j + 1] {
                        out.sentences.push_from(&old.sentences, s);
                    }
                }
                (_, _, Some((passage, sentences))) => {
                    out.passages.push(passage);
                    sentences.iter().for_each(|s| out.sentences.push(s));
                }
                _ => unreachable!("every passage is either reused or embedded"),
            }
            out.keys.push(key);
            out.sent_start.push(out.sentences.len());
        }
        Ok((out, todo.len()))
    }

    /// How many of `items` [`DenseIndex::build`] would run through the
    /// model: those whose vectors `reuse` (from the same model) lacks.
    pub(crate) fn missing(
        encoder: &Encoder,
        items: &[Item<'_>],
        reuse: Option<&DenseIndex>,
    ) -> usize {
        let known = known(reuse.filter(|r| r.model == encoder.fingerprint()));
        items
            .iter()
            .filter(|i| !known.contains_key(&i.key()))
            .count()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Cosine of passage `p` with the unit vector `q`.
    pub(crate) fn passage(&self, p: usize, q: &[f32]) -> f32 {
        self.passages.dot(p, q)
    }

    /// Cosines of passage `p`'s sentences with `q`, in order.
    pub(crate) fn sentences(&self, p: usize, q: &[f32]) -> Vec<f32> {
        (self.sent_start[p]..self.sent_start[p + 1])
            .map(|s| self.sentences.dot(s, q))
            .collect()
    }

    /// The `k` passages nearest `q` among those `visible` accepts, best
    /// first, by brute force: at 384 bytes a passage, a scan of 100,000
    /// passages takes a few milliseconds, less than embedding the question.
    pub(crate) fn nearest(
        &self,
        q: &[f32],
        k: usize,
        visible: impl Fn(usize) -> bool,
    ) -> Vec<(usize, f32)> {
        let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
        let mut floor = f32::MIN;
        for p in 0..self.len() {
            let s = self.passages.dot(p, q);
            if (best.len() < k || s > floor) && visible(p) {
                let at = best.partition_point(|b| b.1 >= s);
                best.insert(at, (p, s));
                best.truncate(k);
                if best.len() == k {
                    floor = best[k - 1].1;
                }
            }
        }
        best
    }

    /// Are these the vectors of `n` passages from this model? Enough for the
    /// file saved inside a generation (written with it, checksummed), so a
    /// start-up need not hash every passage to trust it.
    pub(crate) fn fits(&self, model: &str, n: usize) -> bool {
        self.model == model && self.keys.len() == n
    }

    /// Save the vectors as `dir/dense.bin`, framed (format `DENS`).
    pub(crate) fn write(&self, dir: &Path) -> Result<(), EngineError> {
        write_framed(dir, FORMAT, |w| self.encode(w))
    }

    fn encode(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let u64 = |w: &mut dyn Write, v: usize| w.write_all(&(v as u64).to_le_bytes());
        u64(w, self.model.len())?;
        w.write_all(self.model.as_bytes())?;
        u64(w, self.passages.dim())?;
        u64(w, self.len())?;
        u64(w, self.sentences.len())?;
        for (p, key) in self.keys.iter().enumerate() {
            w.write_all(key)?;
            u64(w, self.sent_start[p + 1] - self.sent_start[p])?;
        }
        for q in [&self.passages, &self.sentences] {
            for chunk in q.codes().chunks(1 << 16) {
                let bytes: Vec<u8> = chunk.iter().map(|&c| c as u8).collect();
                w.write_all(&bytes)?;
            }
            for s in q.scales() {
                w.write_all(&s.to_le_bytes())?;
            }
        }
        Ok(())
    }

    /// Read vectors written by [`DenseIndex::write`] (or a copy of that
    /// file); None if the file is missing, damaged or of another format
    /// (the caller re-embeds).
    pub(crate) fn read(path: &Path) -> Option<DenseIndex> {
        let framed = open_framed_file(path, FORMAT).ok()?;
        framed.verify().ok()?;
        DenseIndex::decode(framed.payload())
    }

    fn decode(bytes: &[u8]) -> Option<DenseIndex> {
        let mut r = Reader(bytes);
        let model_len = r.u64()? as usize;
        let model = String::from_utf8(r.take(model_len)?.to_vec()).ok()?;
        let dim = r.u64()? as usize;
        let n = r.u64()? as usize;
        let total = r.u64()? as usize;
        let mut keys = Vec::with_capacity(n);
        let mut sent_start = Vec::with_capacity(n + 1);
        sent_start.push(0);
        for _ in 0..n {
            keys.push(r.take(16)?.try_into().ok()?);
            let count = r.u64()? as usize;
            sent_start.push(sent_start.last()? + count);
        }
        if *sent_start.last()? != total {
            return None;
        }
        let mut quantised = |count: usize| {
            let codes = r
                .take(count.checked_mul(dim)?)?
                .iter()
                .map(|&b| b as i8)
                .collect();
            let scales = r
                .take(count.checked_mul(4)?)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Quantised::from_parts(dim, codes, scales)
        };
        let passages = quantised(n)?;
        let sentences = quantised(total)?;
        r.0.is_empty().then_some(DenseIndex {
            model,
            keys,
            passages,
            sent_start,
            sentences,
        })
    }
}

type Embedded = (Vec<f32>, Vec<Vec<f32>>);

/// Watches a build embed: told of each passage done, and asked before each
/// one whether to stop (a newer generation made the work moot).
pub(crate) trait Watch: Sync {
    fn embedded(&self);
    fn cancelled(&self) -> bool {
        false
    }
}

/// Nobody watching.
impl Watch for () {
    fn embedded(&self) {}
}

fn known(reuse: Option<&DenseIndex>) -> HashMap<Key, usize> {
    reuse
        .map(|r| r.keys.iter().enumerate().map(|(i, k)| (*k, i)).collect())
        .unwrap_or_default()
}

/// Embed `items[todo]` on a pool of `threads` threads of its own, one
/// passage per thread at a time (each forward pass runs on its caller's
/// thread), so a rebuild's work stays on these threads, which inherit the
/// caller's lowered priority.
fn embed_all(
    encoder: &Encoder,
    items: &[Item<'_>],
    todo: &[usize],
    threads: usize,
    watch: &dyn Watch,
) -> Result<HashMap<usize, Embedded>, SemanticError> {
    if todo.is_empty() {
        return Ok(HashMap::new());
    }
    let embed = || {
        todo.par_iter()
            .with_max_len(1)
            .map(|&i| {
                if watch.cancelled() {
                    return Err(SemanticError::Cancelled);
                }
                let v = encoder.embed_in_context(
                    items[i].context,
                    items[i].text,
                    items[i].sentences,
                )?;
                watch.embedded();
                Ok((i, v))
            })
            .collect::<Result<HashMap<usize, Embedded>, SemanticError>>()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("briefbot-embed-{i}"))
        .build()
    {
        Ok(pool) => pool.install(embed),
        Err(e) => {
            tracing::warn!("no thread pool for embedding ({e}); using the shared one");
            embed()
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIM: usize = 8;

    fn unit(i: usize) -> Vec<f32> {
        let mut v = [0.1f32; DIM];
        v[i % DIM] = 1.0;
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    /// Three passages with 2, 0 and 3 sentences.
    fn sample() -> DenseIndex {
        let (mut passages, mut sentences) = (Quantised::new(DIM), Quantised::new(DIM));
        (0..3).for_each(|p| passages.push(&unit(p)));
        (0..5).for_each(|s| sentences.push(&unit(s + 3)));
        DenseIndex {
            model: "test-model".into(),
            keys: vec![[1; 16], [2; 16], [3; 16]],
            passages,
            sent_start: vec![0, 2, 2, 5],
            sentences,
        }
    }

    #[test]
    fn saved_vectors_read_back_and_damaged_or_old_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let index = sample();
        index.write(dir.path()).unwrap();
        let path = dir.path().join(FORMAT.file);
        let back = DenseIndex::read(&path).expect("the saved vectors read back");
        assert!(back.fits("test-model", 3));
        let q = unit(4);
        for p in 0..3 {
            assert_eq!(back.passage(p, &q), index.passage(p, &q));
            assert_eq!(back.sentences(p, &q), index.sentences(p, &q));
        }

        let pristine = std::fs::read(&path).unwrap();
        let refused = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            DenseIndex::read(&path).is_none()
        };
        assert!(refused(&pristine[..pristine.len() / 2]), "truncated");
        let mut garbled = pristine.clone();
        let last = garbled.len() - 1;
        garbled[last] ^= 0x5a; // a scale's byte: decodes, only the checksum tells
        assert!(refused(&garbled), "garbled");
        // The layout before the common framing: magic, payload, CRC-32.
        let mut old = b"BBDENSE3".to_vec();
        index.encode(&mut old).unwrap();
        let crc = crc32fast::hash(&old);
        old.extend_from_slice(&crc.to_le_bytes());
        assert!(refused(&old), "an older format");
        std::fs::remove_file(&path).unwrap();
        assert!(DenseIndex::read(&path).is_none(), "missing");
    }
}
