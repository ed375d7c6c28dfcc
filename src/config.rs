//! Settings: committed defaults, then `config/briefbot.toml` (or `--config`),
//! then `BRIEFBOT_*` environment variables, then command-line flags.
//! Raw values are validated here with no I/O beyond finding and reading the
//! file; the engine and bot are built from the result. Where relative paths
//! are read from is `root`'s rule.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use briefbot_engine::{
    BriefLimits, EngineConfig, DEFAULT_DECLINE_THRESHOLD, DEFAULT_LOCK_WAIT, DEFAULT_MODEL_DIR,
};

mod database;
mod discord;
pub mod env;
mod guild;
mod ops;
mod privacy;
pub(crate) mod root;

pub use database::{DatabaseSettings, DatabaseUrl};
pub use discord::{DiscordSettings, MissingToken, ShardRange, Token};
pub use guild::{GuildOverrides, GuildSettings, MAX_COOLDOWN_SECS};
pub use ops::OpsSettings;
pub use privacy::PrivacySettings;

/// The default config file, used when no `--config` is given: looked for
/// where `root::Places::default_config` says.
pub(crate) const DEFAULT_CONFIG_FILE: &str = "config/briefbot.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("setting `{key}`: {message}")]
    Invalid { key: String, message: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub paths: Paths,
    pub engine: EngineSettings,
    pub database: DatabaseSettings,
    pub discord: DiscordSettings,
    pub ops: OpsSettings,
    pub privacy: PrivacySettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    /// Shipped briefs, one file per brief.
    pub briefs: PathBuf,
    /// The Tantivy index (generated).
    pub index: PathBuf,
    /// State that must survive a restart: database, briefs added from Discord.
    pub data: PathBuf,
    /// Moderator-editable synonyms.
    pub synonyms: PathBuf,
}

impl Paths {
    /// Where briefs added from Discord are kept, one folder per server:
    /// the engine reads them there, moderators' commands and the import of
    /// an older version's files write and name them there.
    pub(crate) fn tenant_briefs(&self) -> PathBuf {
        self.data.join("briefs")
    }
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            briefs: "briefs".into(),
            index: "index".into(),
            data: "data".into(),
            synonyms: "config/synonyms.txt".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineSettings {
    pub decline_threshold: f32,
    pub max_brief_kb: u64,
    /// How long a process waits for another's index rebuild to finish before
    /// reporting it (several processes may share one index directory).
    pub lock_wait_secs: u64,
    /// Match questions to passages by meaning too (the sentence-embedding model).
    pub semantic: bool,
    /// Folder of the sentence-embedding model, used when `semantic` is on.
    pub model_dir: PathBuf,
    /// Folder of the answerability reader (fine-tuned on top of the model in
    /// `model_dir`), used when `semantic` is on; empty (the default) runs
    /// without it.
    pub reader_dir: PathBuf,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            decline_threshold: DEFAULT_DECLINE_THRESHOLD,
            max_brief_kb: 2048,
            lock_wait_secs: DEFAULT_LOCK_WAIT.as_secs(),
            semantic: true,
            model_dir: DEFAULT_MODEL_DIR.into(),
            reader_dir: PathBuf::new(),
        }
    }
}

impl Settings {
    /// Load from `file` (must exist) or from the default file if one is
    /// found, then apply `BRIEFBOT_*` overrides and read the token from the
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Settings::load_with(file, &|name| std::env::var(name).ok())
    }

    /// [`Settings::load`] with the environment given as a lookup, for tests.
    pub fn load_with(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        Settings::load_in(file, env, &root::Places::here())
    }

    /// [`Settings::load_with`] from the given places (working directory,
    /// executable, source tree) rather than this process's.
    pub(crate) fn load_in(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        places: &root::Places,
    ) -> Result<Settings, ConfigError> {
        let path = match file {
            Some(p) => Some(places.absolute(p)),
            None => places.default_config(),
        };
        let root = match &path {
            Some(p) => root::root_of(p),
            None => places.home(),
        };
        let mut settings: Settings = match path {
            None => Settings::default(),
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.clone(),
                    message: e.to_string(),
                })?
            }
        };
        root::resolve(&mut settings, &root, places);
        env::apply(&mut settings, env)?;
        settings.validate()?;
        Ok(settings)
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let t = self.engine.decline_threshold;
        if !(0.0..=1.0).contains(&t) {
            return Err(ConfigError::Invalid {
                key: "engine.decline_threshold".into(),
                message: format!("{t} is not between 0 and 1"),
            });
        }
        self.database
            .validate(&self.paths.data)
            .and_then(|()| self.discord.validate())
            .and_then(|()| self.privacy.validate())
            .map_err(|(key, message)| ConfigError::Invalid { key, message })
    }

    /// The database `database.url` names (validated at load).
    pub fn database_url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(self.database.url.as_deref(), &self.paths.data)
            .unwrap_or_else(|_| DatabaseUrl::Sqlite(self.paths.data.join("briefbot.sqlite3")))
    }

    pub fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            briefs_dir: self.paths.briefs.clone(),
            tenant_briefs_dir: Some(self.paths.tenant_briefs()),
            index_dir: Some(self.paths.index.clone()),
            synonyms_file: Some(self.paths.synonyms.clone()).filter(|p| p.exists()),
            decline_threshold: self.engine.decline_threshold,
            limits: BriefLimits {
                max_bytes: self.engine.max_brief_kb * 1024,
            },
            lock_wait: std::time::Duration::from_secs(self.engine.lock_wait_secs),
            model_dir: self.engine.semantic.then(|| self.engine.model_dir.clone()),
            reader_dir: (self.engine.semantic && !self.engine.reader_dir.as_os_str().is_empty())
                .then(|| self.engine.reader_dir.clone()),
            vector_cache: None,
            fill_in_background: false,
            inline_embed_up_to: briefbot_engine::DEFAULT_INLINE_EMBED,
            fill_gate: None,
        }
    }
}
