//! Briefs that belong to one tenant (a Discord server, a Slack workspace…):
//! front ends add and remove them through [`Engine`] methods and never learn
//! where the engine keeps them. They are files in `<tenant dir>/<tenant>/`,
//! written whole (write then rename) so a rebuild never reads half a brief.
//! Nothing here rebuilds: a caller changing several calls
//! [`Engine::reindex`] once.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::{BriefError, EngineError};
use super::ingest::brief::{parse_brief, ParsedBrief, BRIEF_EXTENSIONS};
use super::ingest::corpus::content_hash;
use super::types::Scope;
use super::Engine;

/// Names a tenant. Opaque to the engine; it is a directory name, so only
/// ASCII letters, digits, '-' and '_' (1 to 64) are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    pub fn new(id: impl Into<String>) -> Result<TenantId, EngineError> {
        let id = id.into();
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(TenantId(id))
        } else {
            Err(EngineError::Setting {
                key: "tenant id",
                message: format!("{id:?} is not 1-64 ASCII letters, digits, '-' or '_'"),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A tenant's brief as the engine holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantBrief {
    pub tenant: TenantId,
    pub file: String,
    pub sha256: String,
}

/// A file name a tenant's brief may have: no path, not hidden, a brief extension.
pub fn check_file_name(name: &str) -> Result<(), BriefError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.is_empty() || name.len() > 100 || !ok_chars || name.starts_with('.') {
        return Err(BriefError::BadFileName {
            name: name.to_string(),
        });
    }
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !BRIEF_EXTENSIONS.contains(&ext.as_str()) {
        return Err(BriefError::UnsupportedType { extension: ext });
    }
    Ok(())
}

impl Engine {
    fn tenants_root(&self) -> Result<&Path, EngineError> {
        self.cfg
            .tenant_briefs_dir
            .as_deref()
            .ok_or(EngineError::Setting {
                key: "tenant briefs directory",
                message: "this engine was opened without one, so it holds only shared briefs"
                    .into(),
            })
    }

    /// Where a tenant's brief lives; for reports that name files.
    pub fn tenant_dir(&self, tenant: &TenantId) -> Option<PathBuf> {
        self.cfg
            .tenant_briefs_dir
            .as_ref()
            .map(|d| d.join(tenant.as_str()))
    }

    /// Check a brief and keep it for `tenant` (replacing one of the same
    /// name); it serves from the next [`Engine::reindex`].
    pub fn add_brief(
        &self,
        tenant: &TenantId,
        file: &str,
        bytes: &[u8],
    ) -> Result<ParsedBrief, EngineError> {
        let root = self.tenants_root()?;
        let dir = root.join(tenant.as_str());
        let path = dir.join(file);
        let brief_err = |source| EngineError::Brief {
            path: path.clone(),
            source,
        };
        check_file_name(file).map_err(brief_err)?;
        let parsed = parse_brief(
            Path::new(file),
            bytes,
            Scope::Tenant(tenant.clone()),
            &self.cfg.limits,
        )
        .map_err(brief_err)?;
        std::fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
        let tmp = dir.join(format!(".{file}.partial"));
        std::fs::write(&tmp, bytes).map_err(|e| EngineError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| EngineError::io(&path, e))?;
        Ok(parsed)
    }

    /// Forget a tenant's brief; false when it had none of that name. It
    /// stops serving at the next [`Engine::reindex`].
    pub fn remove_brief(&self, tenant: &TenantId, file: &str) -> Result<bool, EngineError> {
        let dir = self.tenants_root()?.join(tenant.as_str());
        let path = dir.join(file);
        check_file_name(file).map_err(|source| EngineError::Brief {
            path: path.clone(),
            source,
        })?;
        match std::fs::remove_file(&path) {
            Ok(()) => {
                // An empty tenant directory is not an error; tidy it away.
                let _ = std::fs::remove_dir(&dir);
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(EngineError::io(&path, e)),
        }
    }

    /// Every tenant's briefs as held now (including any not yet indexed),
    /// with content hashes, so a front end can bring them in line with its
    /// own record.
    pub fn tenant_briefs(&self) -> Result<Vec<TenantBrief>, EngineError> {
        let Some(root) = self.cfg.tenant_briefs_dir.as_deref() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let Ok(tenants) = std::fs::read_dir(root) else {
            return Ok(out);
        };
        for t in tenants.flatten() {
            let name = t.file_name().to_string_lossy().into_owned();
            let Ok(tenant) = TenantId::new(name) else {
                continue;
            };
            if !t.path().is_dir() {
                continue;
            }
            let files = std::fs::read_dir(t.path()).map_err(|e| EngineError::io(t.path(), e))?;
            for f in files.flatten() {
                let file = f.file_name().to_string_lossy().into_owned();
                if file.starts_with('.') || !f.path().is_file() {
                    continue;
                }
                let bytes = std::fs::read(f.path()).map_err(|e| EngineError::io(f.path(), e))?;
                out.push(TenantBrief {
                    tenant: tenant.clone(),
                    file,
                    sha256: content_hash(&bytes),
                });
            }
        }
        out.sort_by(|a, b| (&a.tenant, &a.file).cmp(&(&b.tenant, &b.file)));
        Ok(out)
    }

    /// The bytes of a tenant's brief as held now.
    pub fn tenant_brief_bytes(
        &self,
        tenant: &TenantId,
        file: &str,
    ) -> Result<Vec<u8>, EngineError> {
        let path = self.tenants_root()?.join(tenant.as_str()).join(file);
        check_file_name(file).map_err(|source| EngineError::Brief {
            path: path.clone(),
            source,
        })?;
        std::fs::read(&path).map_err(|e| EngineError::io(&path, e))
    }
}
