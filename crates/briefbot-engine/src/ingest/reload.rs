//! One tenant's briefs read again, every other brief kept as the serving
//! generation has it: what a tenant's own re-index rebuilds from. A tenant
//! cannot make the engine re-read the shipped briefs or another tenant's:
//! those change only through a full [`crate::Engine::reindex`].

use std::sync::Arc;

use crate::error::EngineError;
use crate::ingest::corpus::{load_listed, Corpus, Fingerprint, Sources};
use crate::ingest::listing::Stamp;
use crate::types::{BriefMeta, Passage, Scope, TenantId};

/// A brief carried into the new corpus, from the old one or read afresh.
struct Entry {
    meta: Arc<BriefMeta>,
    passages: Vec<Arc<Passage>>,
    hash: Option<String>,
    stamp: Option<Stamp>,
}

/// Entries for the briefs of `corpus` that `keep` accepts, in its order.
fn entries(corpus: &Corpus, keep: impl Fn(&Scope) -> bool) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (meta, count) in &corpus.briefs {
        let range = offset..offset + count;
        offset += count;
        if !keep(&meta.scope) {
            continue;
        }
        out.push(Entry {
            meta: meta.clone(),
            passages: range.map(|pid| corpus.passages[pid].clone()).collect(),
            hash: corpus.files.get(&meta.file).cloned(),
            stamp: corpus.stamps.get(&meta.file).copied(),
        });
    }
    out
}

/// `old` with `tenant`'s briefs read again from its directory.
pub(crate) fn reload_tenant(
    old: &Corpus,
    sources: &Sources<'_>,
    tenant: &TenantId,
) -> Result<Corpus, EngineError> {
    let scope = Scope::Tenant(tenant.clone());
    let root = sources.tenant_dir.map(|d| d.join(tenant.as_str()));
    let ours = |file: &std::path::Path| root.as_ref().is_some_and(|r| file.starts_with(r));
    let mut listing = sources.list()?;
    listing.sources.retain(|s| s.scope == scope);
    listing.problems.retain(|p| ours(&p.file));
    let fresh = load_listed(listing, sources.extra_fingerprint, sources.limits);

    let mut all = entries(old, |s| *s != scope);
    all.extend(entries(&fresh, |_| true));
    // The order a full load lists them in, so the fingerprint is the one a
    // full load of the same files would give.
    all.sort_by(|a, b| (&a.meta.scope, &a.meta.file).cmp(&(&b.meta.scope, &b.meta.file)));

    let mut corpus = Corpus::default();
    let mut passages = Vec::new();
    let mut fp = Fingerprint::new(sources.extra_fingerprint);
    for e in all {
        if let Some(hash) = e.hash {
            fp.add(&e.meta.scope, &e.meta.file, &hash);
            corpus.files.insert(e.meta.file.clone(), hash);
        }
        if let Some(stamp) = e.stamp {
            corpus.stamps.insert(e.meta.file.clone(), stamp);
        }
        corpus.briefs.push((e.meta, e.passages.len()));
        passages.extend(e.passages);
    }
    corpus.passages = passages.into();
    corpus.problems = old
        .problems
        .iter()
        .filter(|p| !ours(&p.file))
        .cloned()
        .chain(fresh.problems)
        .collect();
    corpus.fingerprint = fp.finish();
    Ok(corpus)
}
