//! The passages of a saved generation, laid out so that one passage can be
//! built without decoding the others: all their strings in one UTF-8 block,
//! and fixed-width little-endian tables of where each field lies. Loading
//! checks every table entry once (ranges in bounds and on character
//! boundaries), which is cheap; building a passage is then infallible
//! slicing, done when a question first reaches it.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::ingest::passages::Saved;
use crate::types::{Attribution, BriefMeta, Passage};

/// Per passage: id, text, heading (start, end each), paragraph, offsets
/// (start, end), sentences and attributions (ranges in their tables), brief.
const RECORD: usize = 14;
/// Per attribution: name, role, org (start, end each).
const ATTRIBUTION: usize = 6;
/// Start of an absent optional string.
const NONE: u64 = u64::MAX;

/// The encoded tables, to be saved as byte blocks.
#[derive(Default)]
pub(crate) struct Encoded {
    pub strings: String,
    pub records: Vec<u8>,
    pub sentences: Vec<u8>,
    pub attributions: Vec<u8>,
}

/// Lay out `passages`, each with the number of its brief.
pub(crate) fn encode<'a>(passages: impl Iterator<Item = (&'a Passage, usize)>) -> Encoded {
    let mut e = Encoded::default();
    let (mut sentences, mut attributions) = (0u64, 0u64);
    for (p, brief) in passages {
        let put = |e: &mut Encoded, s: Option<&str>| -> [u64; 2] {
            match s {
                None => [NONE, NONE],
                Some(s) => {
                    let start = e.strings.len() as u64;
                    e.strings.push_str(s);
                    [start, e.strings.len() as u64]
                }
            }
        };
        let id = put(&mut e, Some(&p.id));
        let text = put(&mut e, Some(&p.text));
        let heading = put(&mut e, p.heading.as_deref());
        for s in &p.sentences {
            le(&mut e.sentences, &[s.start as u64, s.end as u64]);
        }
        for a in &p.attribution {
            let name = put(&mut e, Some(&a.name));
            let role = put(&mut e, a.role.as_deref());
            let org = put(&mut e, a.org.as_deref());
            le(&mut e.attributions, &[name, role, org].concat());
        }
        let (s0, a0) = (sentences, attributions);
        sentences += p.sentences.len() as u64;
        attributions += p.attribution.len() as u64;
        let record = [
            id[0],
            id[1],
            text[0],
            text[1],
            heading[0],
            heading[1],
            p.paragraph as u64,
            p.offsets.start as u64,
            p.offsets.end as u64,
            s0,
            sentences,
            a0,
            attributions,
            brief as u64,
        ];
        le(&mut e.records, &record);
    }
    e
}

fn le(out: &mut Vec<u8>, values: &[u64]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Where each table lies in the mapped payload.
pub(crate) struct Layout {
    pub strings: Range<usize>,
    pub records: Range<usize>,
    pub sentences: Range<usize>,
    pub attributions: Range<usize>,
}

/// Passages built on demand from a mapped, checked payload.
pub(crate) struct SavedPassages<B> {
    bytes: B,
    layout: Layout,
    briefs: Vec<Arc<BriefMeta>>,
    cells: Box<[OnceLock<Arc<Passage>>]>,
}

impl<B: AsRef<[u8]> + Send + Sync> SavedPassages<B> {
    /// Check every table entry against the payload `bytes`; `brief_counts`
    /// are the saved briefs' passage counts, in order.
    pub(crate) fn new(
        bytes: B,
        layout: Layout,
        briefs: Vec<(Arc<BriefMeta>, usize)>,
    ) -> Result<Self, String> {
        let all = bytes.as_ref();
        let block = |r: &Range<usize>| all.get(r.clone()).ok_or("a table lies outside the file");
        let strings = std::str::from_utf8(block(&layout.strings)?)
            .map_err(|_| "passage text is not UTF-8")?;
        let (records, sentences, attributions) = (
            block(&layout.records)?,
            block(&layout.sentences)?,
            block(&layout.attributions)?,
        );
        if records.len() % (RECORD * 8) != 0
            || sentences.len() % 16 != 0
            || attributions.len() % (ATTRIBUTION * 8) != 0
        {
            return Err("a table's length is not whole entries".into());
        }
        let n = records.len() / (RECORD * 8);
        let (n_sentences, n_attributions) = (
            (sentences.len() / 16) as u64,
            (attributions.len() / 48) as u64,
        );
        let string_ok = |s: u64, e: u64, optional: bool| {
            (optional && s == NONE && e == NONE)
                || (s <= e
                    && e <= strings.len() as u64
                    && strings.is_char_boundary(s as usize)
                    && strings.is_char_boundary(e as usize))
        };
        let mut expected_brief = briefs
            .iter()
            .enumerate()
            .flat_map(|(i, (_, count))| std::iter::repeat_n(i as u64, *count));
        for pid in 0..n {
            let r = entry::<RECORD>(records, pid);
            let text_len = r[3].wrapping_sub(r[2]);
            let ok = string_ok(r[0], r[1], false)
                && string_ok(r[2], r[3], false)
                && string_ok(r[4], r[5], true)
                && r[9] <= r[10]
                && r[10] <= n_sentences
                && r[11] <= r[12]
                && r[12] <= n_attributions
                && expected_brief.next() == Some(r[13]);
            if !ok {
                return Err(format!("passage {pid} is inconsistent"));
            }
            let text = &strings[r[2] as usize..r[3] as usize];
            for k in r[9]..r[10] {
                let [s, e] = entry::<2>(sentences, k as usize);
                let inside = s <= e
                    && e <= text_len
                    && text.is_char_boundary(s as usize)
                    && text.is_char_boundary(e as usize);
                if !inside {
                    return Err(format!("a sentence of passage {pid} is out of its text"));
                }
            }
        }
        if expected_brief.next().is_some() {
            return Err("fewer passages than its briefs hold".into());
        }
        for k in 0..n_attributions as usize {
            let a = entry::<ATTRIBUTION>(attributions, k);
            let ok = string_ok(a[0], a[1], false)
                && string_ok(a[2], a[3], true)
                && string_ok(a[4], a[5], true);
            if !ok {
                return Err(format!("attribution {k} is inconsistent"));
            }
        }
        Ok(SavedPassages {
            bytes,
            layout,
            briefs: briefs.into_iter().map(|(b, _)| b).collect(),
            cells: (0..n).map(|_| OnceLock::new()).collect(),
        })
    }

    fn block(&self, r: &Range<usize>) -> &[u8] {
        &self.bytes.as_ref()[r.clone()]
    }

    /// A string the constructor checked (in bounds, on character boundaries
    /// of valid UTF-8), so the lossy conversion never replaces anything.
    fn string(&self, s: u64, e: u64) -> Option<String> {
        (s != NONE).then(|| {
            let bytes = &self.block(&self.layout.strings)[s as usize..e as usize];
            String::from_utf8_lossy(bytes).into_owned()
        })
    }

    fn build(&self, pid: usize) -> Passage {
        let r = entry::<RECORD>(self.block(&self.layout.records), pid);
        let sentences = self.block(&self.layout.sentences);
        let attributions = self.block(&self.layout.attributions);
        Passage {
            id: self.string(r[0], r[1]).unwrap_or_default(),
            brief: self.briefs[r[13] as usize].clone(),
            paragraph: r[6] as usize,
            heading: self.string(r[4], r[5]),
            text: self.string(r[2], r[3]).unwrap_or_default(),
            offsets: r[7] as usize..r[8] as usize,
            sentences: (r[9]..r[10])
                .map(|k| {
                    let [s, e] = entry::<2>(sentences, k as usize);
                    s as usize..e as usize
                })
                .collect(),
            attribution: (r[11]..r[12])
                .map(|k| {
                    let a = entry::<ATTRIBUTION>(attributions, k as usize);
                    Attribution {
                        name: self.string(a[0], a[1]).unwrap_or_default(),
                        role: self.string(a[2], a[3]),
                        org: self.string(a[4], a[5]),
                    }
                })
                .collect(),
        }
    }
}

impl<B: AsRef<[u8]> + Send + Sync> Saved for SavedPassages<B> {
    fn len(&self) -> usize {
        self.cells.len()
    }

    fn get(&self, pid: usize) -> &Arc<Passage> {
        self.cells[pid].get_or_init(|| Arc::new(self.build(pid)))
    }
}

/// Entry `k` of a table of `N` little-endian u64s per entry.
fn entry<const N: usize>(table: &[u8], k: usize) -> [u64; N] {
    let mut out = [0u64; N];
    for (i, v) in out.iter_mut().enumerate() {
        let at = (k * N + i) * 8;
        let mut b = [0u8; 8];
        b.copy_from_slice(&table[at..at + 8]);
        *v = u64::from_le_bytes(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Scope;

    fn passage(brief: &Arc<BriefMeta>, text: &str, heading: Option<&str>) -> Passage {
        Passage {
            id: format!("b#{}", text.len()),
            brief: brief.clone(),
            paragraph: 2,
            heading: heading.map(str::to_string),
            text: text.to_string(),
            offsets: 10..10 + text.len(),
            sentences: vec![0..text.len().min(6), text.len().min(6)..text.len()],
            attribution: vec![Attribution {
                name: "Ann Lée".into(),
                role: None,
                org: Some("CSIS".into()),
            }],
        }
    }

    #[test]
    fn passages_build_back_exactly_and_bad_tables_are_refused() {
        let brief = Arc::new(BriefMeta {
            title: "T".into(),
            publisher: None,
            date: None,
            url: None,
            tags: vec![],
            file: "b.md".into(),
            scope: Scope::Global,
        });
        let ps = [
            passage(&brief, "Héllo there. More text", Some("So what?")),
            passage(&brief, "Second", None),
        ];
        let e = encode(ps.iter().map(|p| (p, 0)));
        let mut bytes = Vec::new();
        let mut block = |b: &[u8]| {
            let start = bytes.len();
            bytes.extend_from_slice(b);
            start..bytes.len()
        };
        let strings = block(e.strings.as_bytes());
        let records = block(&e.records);
        let sentences = block(&e.sentences);
        let attributions = block(&e.attributions);
        let layout = || Layout {
            strings: strings.clone(),
            records: records.clone(),
            sentences: sentences.clone(),
            attributions: attributions.clone(),
        };
        let briefs = vec![(brief.clone(), 2)];
        let saved = SavedPassages::new(bytes.clone(), layout(), briefs.clone()).unwrap();
        assert_eq!(saved.len(), 2);
        for (i, p) in ps.iter().enumerate() {
            assert_eq!(**saved.get(i), *p);
        }
        // The brief counts must account for every passage.
        assert!(SavedPassages::new(bytes.clone(), layout(), vec![(brief.clone(), 1)]).is_err());
        // A text range ending inside "é" is refused, not sliced.
        let mut bad = bytes.clone();
        let text_end = records.start + 3 * 8;
        bad[text_end..text_end + 8].copy_from_slice(&2u64.to_le_bytes());
        bad[records.start + 2 * 8..records.start + 3 * 8].copy_from_slice(&0u64.to_le_bytes());
        assert!(SavedPassages::new(bad, layout(), briefs.clone()).is_err());
        // A table outside the payload is refused.
        let mut far = layout();
        far.sentences = 0..bytes.len() + 1;
        assert!(SavedPassages::new(bytes, far, briefs).is_err());
    }
}
