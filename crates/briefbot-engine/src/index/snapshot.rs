//! One generation of the index: the Tantivy index and reader together with
//! the parsed passages and the word statistics the reranker needs. A snapshot
//! never changes; a rebuild makes a new one and swaps it in whole.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::columnar::Column;
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

pub(crate) use super::lexicon::Lexicon;
pub(crate) use super::terms::{DocTerms, Terms};
use crate::answer::features;
use crate::error::EngineError;
use crate::index::analyze::Analyzer;
use crate::index::schema::{BriefSchema, GLOBAL_SCOPE};
use crate::index::verify;
use crate::ingest::acronyms;
use crate::ingest::corpus::Corpus;
use crate::query::synonyms::Synonyms;
use crate::semantic::{DenseIndex, Encoder, Layer};
use crate::types::Scope;

pub(crate) struct Snapshot {
    pub generation: u64,
    pub schema: BriefSchema,
    pub reader: IndexReader,
    /// The `pid` fast-field column of each segment, by segment ordinal.
    pub pid_columns: Vec<Column<u64>>,
    pub corpus: Corpus,
    pub terms: Terms,
    pub lexicon: Lexicon,
    pub synonyms: Arc<Synonyms>,
    /// The passages' vectors: unset when `engine.semantic` is off, and
    /// while they are being filled in behind a published generation
    /// (questions then use words only). Set once, never changed.
    pub dense: OnceLock<Layer>,
    /// Passages run through the model for this snapshot before it was
    /// published (the others' vectors were reused or loaded).
    pub embedded: usize,
    /// The vectors still to make, when there were too many to make before
    /// publishing; the engine takes this to fill them in.
    pub pending: Option<Pending>,
}

/// What the semantic layer of a new snapshot starts from.
#[derive(Clone)]
pub(crate) struct DenseInput<'a> {
    pub encoder: &'a Arc<Encoder>,
    /// Vectors of an earlier generation: unchanged passages keep theirs.
    pub previous: Option<Arc<DenseIndex>>,
    /// Up to this many passages to embed, a build embeds them before it
    /// publishes; more are left [`Pending`], so the words of a large brief
    /// are searchable at once.
    pub inline_up_to: usize,
}

/// Vectors a snapshot lacks, to be made after it is published.
pub(crate) struct Pending {
    pub encoder: Arc<Encoder>,
    pub previous: Option<Arc<DenseIndex>>,
    /// The published generation to save them in (None: in memory).
    pub dir: Option<PathBuf>,
    /// Passages that need the model.
    pub missing: usize,
}

/// A snapshot's vectors: made, or left to make.
enum Vectors {
    Off,
    Ready(Layer, usize),
    Pending(Pending),
}

/// Threads embedding passages: every core, up to the four that the
/// forward pass still scales to. A rebuild's threads inherit its lowered
/// priority.
pub(crate) fn embed_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(4))
}

impl Snapshot {
    /// Index `corpus` into a new index at `dir` (or in memory).
    pub(crate) fn build(
        corpus: Corpus,
        dir: Option<&Path>,
        generation: u64,
        synonyms: Arc<Synonyms>,
        dense: Option<DenseInput<'_>>,
    ) -> Result<Snapshot, EngineError> {
        let schema = BriefSchema::new();
        let err_path = dir.map(Path::to_path_buf).unwrap_or_default();
        let tv = |source| EngineError::Index {
            path: err_path.clone(),
            source,
        };
        let index = match dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(|e| EngineError::io(d, e))?;
                Index::create_in_dir(d, schema.schema.clone()).map_err(tv)?
            }
            None => Index::create_in_ram(schema.schema.clone()),
        };
        BriefSchema::register(&index);
        let threads = if corpus.passages.len() > 20_000 { 2 } else { 1 };
        // The reranker's word statistics do not depend on the Tantivy index:
        // compute them on another thread while the writer indexes.
        // The passages' vectors do not depend on the Tantivy index either:
        // the model embeds them while the writer indexes.
        let (analysis, layer, built) = std::thread::scope(|s| {
            let analysis = s.spawn(|| analyse(&corpus));
            let layer = s.spawn(|| dense_layer(dense, &corpus, dir, false));
            let built = Self::index_passages(&index, &schema, &corpus, threads).map_err(tv);
            (analysis.join(), layer.join(), built)
        });
        built?;
        let analysis = analysis.unwrap_or_else(|_| analyse(&corpus));
        let layer = layer.map_err(|_| EngineError::RebuildPanicked)??;
        let snapshot = Self::assemble(
            index,
            schema,
            corpus,
            generation,
            synonyms,
            dir,
            Some(analysis),
        )?;
        Ok(snapshot.with_vectors(layer))
    }

    fn index_passages(
        index: &Index,
        schema: &BriefSchema,
        corpus: &Corpus,
        threads: usize,
    ) -> tantivy::Result<()> {
        let mut writer =
            index.writer_with_num_threads::<TantivyDocument>(threads, 60_000_000 * threads)?;
        for (pid, p) in corpus.passages.iter().enumerate() {
            let scope = match &p.brief.scope {
                Scope::Global => GLOBAL_SCOPE,
                Scope::Tenant(id) => id.as_str(),
            };
            writer.add_document(doc!(
                schema.pid => pid as u64,
                schema.scope => scope,
                schema.text_stem => p.text.as_str(),
                schema.text_exact => p.text.as_str(),
                schema.heading => p.heading.as_deref().unwrap_or(""),
            ))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()
    }

    /// Open an index built earlier from the same corpus (same fingerprint),
    /// with the statistics saved with it, verified before it may serve.
    pub(crate) fn open(
        corpus: Corpus,
        analysis: (Terms, Lexicon),
        dir: &Path,
        generation: u64,
        synonyms: Arc<Synonyms>,
        dense: Option<DenseInput<'_>>,
    ) -> Result<Snapshot, EngineError> {
        let layer = dense_layer(dense, &corpus, Some(dir), true)?;
        Self::serve(dir, corpus, analysis, layer, generation, synonyms)
    }

    /// The same generation read from where it now lives: a build is written
    /// in a temporary directory and renamed into place, and what serves
    /// must be what the manifest names (and pass the same checks).
    pub(crate) fn reopen(self, dir: &Path) -> Result<Snapshot, EngineError> {
        let Snapshot {
            generation,
            corpus,
            terms,
            lexicon,
            synonyms,
            dense,
            embedded,
            pending,
            ..
        } = self;
        let vectors = match (dense.into_inner(), pending) {
            (Some(layer), _) => Vectors::Ready(layer, embedded),
            (None, Some(pending)) => Vectors::Pending(Pending {
                dir: Some(dir.to_path_buf()),
                ..pending
            }),
            (None, None) => Vectors::Off,
        };
        Self::serve(dir, corpus, (terms, lexicon), vectors, generation, synonyms)
    }

    /// A generation on disk with its corpus, statistics and vectors in
    /// hand, verified before it may serve.
    fn serve(
        dir: &Path,
        corpus: Corpus,
        analysis: (Terms, Lexicon),
        vectors: Vectors,
        generation: u64,
        synonyms: Arc<Synonyms>,
    ) -> Result<Snapshot, EngineError> {
        let (index, schema) = open_index(dir)?;
        let snap = Self::assemble(
            index,
            schema,
            corpus,
            generation,
            synonyms,
            Some(dir),
            Some(analysis),
        )?
        .with_vectors(vectors);
        verify::check(&snap, dir)?;
        Ok(snap)
    }

    fn with_vectors(mut self, vectors: Vectors) -> Snapshot {
        match vectors {
            Vectors::Off => {}
            Vectors::Ready(layer, embedded) => {
                let _ = self.dense.set(layer);
                self.embedded = embedded;
            }
            Vectors::Pending(pending) => self.pending = Some(pending),
        }
        self
    }

    fn assemble(
        index: Index,
        schema: BriefSchema,
        corpus: Corpus,
        generation: u64,
        synonyms: Arc<Synonyms>,
        dir: Option<&Path>,
        analysis: Option<(Terms, Lexicon)>,
    ) -> Result<Snapshot, EngineError> {
        let err_path = dir.map(Path::to_path_buf).unwrap_or_default();
        let tv = |source| EngineError::Index {
            path: err_path.clone(),
            source,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tv)?;
        let searcher = reader.searcher();
        if searcher.num_docs() != corpus.passages.len() as u64 {
            return Err(tv(tantivy::TantivyError::InvalidArgument(format!(
                "index holds {} passages, briefs have {}",
                searcher.num_docs(),
                corpus.passages.len()
            ))));
        }
        let pid_columns = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().u64("pid"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(tv)?;
        let (terms, lexicon) = analysis.unwrap_or_else(|| analyse(&corpus));
        Ok(Snapshot {
            dense: OnceLock::new(),
            embedded: 0,
            pending: None,
            generation,
            schema,
            reader,
            pid_columns,
            corpus,
            terms,
            lexicon,
            synonyms,
        })
    }
}

fn open_index(dir: &Path) -> Result<(Index, BriefSchema), EngineError> {
    let tv = |source| EngineError::Index {
        path: dir.to_path_buf(),
        source,
    };
    let index = Index::open_in_dir(dir).map_err(tv)?;
    BriefSchema::register(&index);
    let schema = BriefSchema::new();
    if index.schema() != schema.schema {
        return Err(tv(tantivy::TantivyError::SchemaError(
            "schema differs".into(),
        )));
    }
    Ok((index, schema))
}

/// The passages' vectors: loaded from `dir` if saved there with this
/// generation, else embedded now (reusing the previous generation's) and
/// saved, or left pending when there are more than `inline_up_to` to embed.
/// `saved` says the generation is published, so its vectors may be there.
fn dense_layer(
    dense: Option<DenseInput<'_>>,
    corpus: &Corpus,
    dir: Option<&Path>,
    saved: bool,
) -> Result<Vectors, EngineError> {
    let Some(input) = dense else {
        return Ok(Vectors::Off);
    };
    let passages = &corpus.passages;
    if let Some(layer) = dir.and_then(|d| Layer::load(input.encoder, passages.len(), d, saved)) {
        return Ok(Vectors::Ready(layer, 0));
    }
    let previous = input.previous.as_deref();
    let missing = Layer::missing(input.encoder, passages, previous);
    if missing > input.inline_up_to {
        return Ok(Vectors::Pending(Pending {
            encoder: input.encoder.clone(),
            previous: input.previous.clone(),
            dir: dir.map(Path::to_path_buf),
            missing,
        }));
    }
    let (layer, embedded) =
        Layer::build(input.encoder, passages, previous, dir, &()).map_err(EngineError::Model)?;
    Ok(Vectors::Ready(layer, embedded))
}

/// Tokenise every passage once, assigning words to sentences by position.
fn analyse(corpus: &Corpus) -> (Terms, Lexicon) {
    let mut analyzer = Analyzer::default();
    let mut lex = Lexicon {
        passages: corpus.passages.len() as u32,
        ..Lexicon::default()
    };
    let mut terms = Terms::default();
    for p in &corpus.passages {
        let words = analyzer.words(&p.text);
        let mut dt = Parts {
            sentences: vec![Vec::new(); p.sentences.len()],
            ..Parts::default()
        };
        let mut exact_seen: Vec<&str> = Vec::new();
        for w in &words {
            let next = lex.stem_ids.len() as u32;
            let id = *lex.stem_ids.entry(w.stem.clone()).or_insert(next);
            if id == next {
                lex.stem_df.push(0);
                lex.numeric.push(features::is_number(&w.exact));
            }
            dt.all.push(id);
            match p.sentences.iter().position(|s| s.contains(&w.span.start)) {
                Some(i) => dt.sentences[i].push(id),
                None => dt.heading.push(id),
            }
            exact_seen.push(&w.exact);
        }
        dt.all.sort_unstable();
        dt.all.dedup();
        for &id in &dt.all {
            lex.stem_df[id as usize] += 1;
        }
        exact_seen.sort_unstable();
        exact_seen.dedup();
        for e in exact_seen {
            *lex.exact_df.entry(e.to_string()).or_insert(0) += 1;
        }
        for acr in acronyms::learn(&p.text) {
            let stems: Vec<String> = analyzer
                .words(&acr.long)
                .into_iter()
                .map(|w| w.stem)
                .collect();
            lex.acronym_names
                .entry(acr.short.to_lowercase())
                .or_insert_with(|| acr.long.clone());
            let entry = lex.acronyms.entry(acr.short.to_lowercase()).or_default();
            if !stems.is_empty() && !entry.contains(&stems) {
                entry.push(stems);
            }
        }
        terms.push(&dt.heading, &dt.sentences, &dt.all);
    }
    (terms, lex)
}

/// One passage's ids while it is analysed.
#[derive(Default)]
struct Parts {
    sentences: Vec<Vec<u32>>,
    heading: Vec<u32>,
    all: Vec<u32>,
}
