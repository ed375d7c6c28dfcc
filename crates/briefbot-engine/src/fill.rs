//! Filling in a published generation's vectors on a thread of the engine's
//! own: a large brief is answerable by its words as soon as its lexical
//! index is published, and the model catches up behind it. Questions take
//! whatever snapshot is current and never wait for the fill.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::index::priority;
use super::index::snapshot::{Pending, Snapshot};
use super::semantic::{DenseIndex, Layer, SemanticError, Watch};
use super::{Engine, EngineError, IndexReport};

/// Told how far a long piece of work has come; front ends draw it (a
/// progress bar, a Discord message) without the engine knowing how.
pub trait Progress: Sync {
    /// `done` of `total` passages embedded so far.
    fn update(&self, done: usize, total: usize);
}

impl<F: Fn(usize, usize) + Sync> Progress for F {
    fn update(&self, done: usize, total: usize) {
        self(done, total)
    }
}

/// Where the current generation's vectors stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vectors {
    /// The semantic layer is off (`engine.semantic = false`).
    Off,
    /// Every passage has its vector.
    Ready,
    /// Being embedded: questions use words only until this ends.
    Filling { done: usize, total: usize },
    /// The model failed; questions use words only (logged as an error).
    Failed,
}

/// Holds a fill before it embeds anything until opened: lets a test look at
/// the engine while vectors are still missing, without racing the model.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct FillGate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl FillGate {
    pub fn closed() -> Arc<FillGate> {
        Arc::default()
    }

    pub fn open(&self) {
        *lock(&self.open) = true;
        self.opened.notify_all();
    }

    /// Wait until opened, or until `cancel` is set.
    fn pass(&self, cancel: &AtomicBool) {
        let mut open = lock(&self.open);
        while !*open && !cancel.load(Ordering::Relaxed) {
            open = self
                .opened
                .wait_timeout(open, Duration::from_millis(50))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// A fill in progress (or finished) for one snapshot.
pub(crate) struct Fill {
    shared: Arc<Shared>,
    /// What the fill reuses: a build that replaces this generation before
    /// the fill ends starts from the same vectors.
    previous: Option<Arc<DenseIndex>>,
    thread: Option<JoinHandle<()>>,
}

/// What the fill's thread and its watchers share.
pub(crate) struct Shared {
    total: usize,
    done: AtomicUsize,
    cancel: AtomicBool,
    /// Set once the thread ends: passages embedded, or why it failed.
    outcome: Mutex<Option<Result<usize, SemanticError>>>,
    ended: Condvar,
}

impl Watch for Shared {
    fn embedded(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Shared {
    pub(crate) fn state(&self) -> Vectors {
        match &*lock(&self.outcome) {
            Some(Ok(_)) => Vectors::Ready,
            Some(Err(_)) => Vectors::Failed,
            None => Vectors::Filling {
                done: self.done.load(Ordering::Relaxed),
                total: self.total,
            },
        }
    }

    /// Wait for the fill to end, telling `progress` about every quarter
    /// second. Returns how many passages were embedded.
    pub(crate) fn wait(&self, progress: &dyn Progress) -> Result<usize, SemanticError> {
        let total = self.total;
        let mut outcome = lock(&self.outcome);
        loop {
            progress.update(self.done.load(Ordering::Relaxed), total);
            if let Some(result) = &*outcome {
                return result.clone();
            }
            outcome = self
                .ended
                .wait_timeout(outcome, Duration::from_millis(250))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

impl Fill {
    /// Start embedding what `snapshot` lacks, saving the vectors into its
    /// generation and setting them on it when done.
    pub(crate) fn start(
        snapshot: Arc<Snapshot>,
        pending: Pending,
        gate: Option<Arc<FillGate>>,
    ) -> Fill {
        let shared = Arc::new(Shared {
            total: pending.missing,
            done: AtomicUsize::new(0),
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
            ended: Condvar::new(),
        });
        let previous = pending.previous.clone();
        let worker = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("briefbot-vectors".into())
            .spawn(move || {
                // Questions are answered meanwhile on the same cores.
                priority::lower_this_thread();
                if let Some(gate) = gate {
                    gate.pass(&worker.cancel);
                }
                let outcome = fill(&snapshot, &pending, &worker);
                match &outcome {
                    Ok(n) => tracing::info!("passage vectors filled in: {n} embedded"),
                    Err(SemanticError::Cancelled) => {
                        tracing::debug!("{}", SemanticError::Cancelled)
                    }
                    Err(e) => tracing::error!("{e}; questions use words only"),
                }
                *lock(&worker.outcome) = Some(outcome);
                worker.ended.notify_all();
            });
        let thread = match spawned {
            Ok(t) => Some(t),
            Err(e) => {
                let message = format!("no thread to embed passages on: {e}");
                *lock(&shared.outcome) = Some(Err(SemanticError::Inference {
                    dir: Default::default(),
                    message,
                }));
                None
            }
        };
        Fill {
            shared,
            previous,
            thread,
        }
    }

    /// The fill's state, to watch it without holding the fill.
    pub(crate) fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }

    /// Stop the fill (its generation is being replaced) and return what it
    /// started from, for the next build.
    pub(crate) fn cancel(mut self) -> Option<Arc<DenseIndex>> {
        self.stop();
        self.previous.take()
    }

    fn stop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Fill {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `snapshot`, shared, and the fill of the vectors it lacks.
pub(super) fn start(
    mut snapshot: Snapshot,
    gate: Option<Arc<FillGate>>,
) -> (Arc<Snapshot>, Option<Fill>) {
    let pending = snapshot.pending.take();
    let snapshot = Arc::new(snapshot);
    let fill = pending.map(|p| Fill::start(snapshot.clone(), p, gate));
    (snapshot, fill)
}

/// What the engine offers about its vectors.
impl Engine {
    /// Make `snapshot` current and start filling in its missing vectors.
    pub(super) fn publish(&self, snapshot: Snapshot) {
        let (snapshot, fill) = start(snapshot, self.cfg.fill_gate.clone());
        self.current.store(snapshot);
        *lock(&self.fill) = fill;
    }

    /// Unless the fill runs in the background, wait for it and count what
    /// it embedded in `report`.
    pub(super) fn settle(
        &self,
        report: &mut IndexReport,
        started: Instant,
    ) -> Result<(), EngineError> {
        if !self.cfg.fill_in_background && report.pending_vectors > 0 {
            report.embedded += self.wait_for_vectors(&|_, _| {})?;
            report.pending_vectors = 0;
            report.millis = started.elapsed().as_millis();
        }
        Ok(())
    }

    /// Where the current generation's vectors stand.
    pub fn vectors(&self) -> Vectors {
        if self.current.load().dense.get().is_some() {
            return Vectors::Ready;
        }
        match &*lock(&self.fill) {
            Some(fill) => fill.shared().state(),
            None if self.encoder.is_some() => Vectors::Failed,
            None => Vectors::Off,
        }
    }

    /// Wait until every passage of the current generation has its vector,
    /// telling `progress` how far the model has come. Returns how many
    /// passages it embedded; at once with 0 when nothing is being filled.
    /// An error is the model's failure: questions then use words only.
    pub fn wait_for_vectors(&self, progress: &dyn Progress) -> Result<usize, EngineError> {
        loop {
            // Not held while waiting: a reindex replaces the fill meanwhile.
            let Some(fill) = lock(&self.fill).as_ref().map(Fill::shared) else {
                return Ok(0);
            };
            match fill.wait(progress) {
                // A newer generation replaced the one being filled: wait for its vectors.
                Err(SemanticError::Cancelled) => std::thread::sleep(Duration::from_millis(50)),
                other => return other.map_err(EngineError::Model),
            }
        }
    }
}

fn fill(snapshot: &Snapshot, pending: &Pending, watch: &Shared) -> Result<usize, SemanticError> {
    let passages = &snapshot.corpus.passages;
    // Another process sharing the index may have filled them first.
    if let Some(dir) = &pending.dir {
        if let Some(layer) = Layer::load(&pending.encoder, passages.len(), dir, false) {
            let _ = snapshot.dense.set(layer);
            return Ok(0);
        }
    }
    let previous = pending.previous.as_deref();
    let (layer, embedded) = Layer::build(
        &pending.encoder,
        passages,
        previous,
        pending.dir.as_deref(),
        watch,
    )?;
    let _ = snapshot.dense.set(layer);
    Ok(embedded)
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
