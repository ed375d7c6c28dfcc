//! The `[database]` section: where what must survive a restart lives, and how
//! processes sharing it keep in step. One setting picks the backend, so an
//! operator moving from one process to several changes a URL, nothing else.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// A SQLite file path, or `postgres://user:password@host:port/db`.
    /// Unset: `<paths.data>/briefbot.sqlite3`.
    pub url: Option<String>,
    /// Most connections this process opens to PostgreSQL.
    pub pool_size: usize,
    /// Seconds between heartbeats; each also re-checks the content generation,
    /// so a change whose notification was missed is caught within this time.
    pub sync_secs: u64,
    /// How long a moderator's `/reindex` or `/brief` reply waits for the other
    /// processes to serve the change before naming those that have not.
    pub catch_up_secs: u64,
    /// PEM file of the CAs trusted for a PostgreSQL URL's
    /// `sslmode=verify-ca|verify-full`. Unset: the Mozilla roots.
    pub ca_file: Option<PathBuf>,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: None,
            pool_size: 8,
            sync_secs: 5,
            catch_up_secs: 20,
            ca_file: None,
        }
    }
}

/// Passwords in the URL never reach a log or a `{:?}` of the settings.
impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url.as_deref().map(redact))
            .field("pool_size", &self.pool_size)
            .field("sync_secs", &self.sync_secs)
            .field("catch_up_secs", &self.catch_up_secs)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Which backend a `database.url` names.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string())
    }
}

/// The URL as it may be shown: the password replaced by `***`.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

impl DatabaseUrl {
    /// Read `database.url`; `data_dir` gives the default SQLite location.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<DatabaseUrl, String> {
        let Some(url) = url.map(str::trim) else {
            return Ok(DatabaseUrl::Sqlite(data_dir.join("briefbot.sqlite3")));
        };
        if url.is_empty() {
            return Err("is empty (unset it to use <paths.data>/briefbot.sqlite3)".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!(
                "{scheme}:// is not supported: use a SQLite file path or a postgres:// URL"
            ));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(url)))
    }
}

impl DatabaseSettings {
    pub(crate) fn validate(&self, data_dir: &Path) -> Result<(), (String, String)> {
        let err = |k: &str, m: String| Err((format!("database.{k}"), m));
        if let Err(m) = DatabaseUrl::parse(self.url.as_deref(), data_dir) {
            return err("url", m);
        }
        if !(1..=128).contains(&self.pool_size) {
            return err(
                "pool_size",
                format!("{} is not between 1 and 128", self.pool_size),
            );
        }
        if !(1..=300).contains(&self.sync_secs) {
            return err(
                "sync_secs",
                format!("{} is not between 1 and 300", self.sync_secs),
            );
        }
        if !(1..=600).contains(&self.catch_up_secs) {
            return err(
                "catch_up_secs",
                format!("{} is not between 1 and 600", self.catch_up_secs),
            );
        }
        Ok(())
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; also hides
/// a `password=` query parameter.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://bot:s3cret@db:5432/briefbot?sslmode=disable&password=x"),
            "postgres://bot:***@db:5432/briefbot?sslmode=disable&password=***"
        );
        assert_eq!(redact("postgres://db/briefbot"), "postgres://db/briefbot");
        let s = DatabaseSettings {
            url: Some("postgres://bot:s3cret@db/briefbot".into()),
            ..DatabaseSettings::default()
        };
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn the_url_picks_the_backend() {
        let data = Path::new("data");
        assert_eq!(
            DatabaseUrl::parse(None, data).unwrap(),
            DatabaseUrl::Sqlite("data/briefbot.sqlite3".into())
        );
        assert_eq!(
            DatabaseUrl::parse(Some("/var/lib/bb.sqlite3"), data).unwrap(),
            DatabaseUrl::Sqlite("/var/lib/bb.sqlite3".into())
        );
        assert_eq!(
            DatabaseUrl::parse(Some("sqlite:///tmp/x.db"), data).unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse(Some("postgresql://h/db"), data).unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(DatabaseUrl::parse(Some("mysql://h/db"), data)
            .unwrap_err()
            .contains("mysql://"));
        assert!(DatabaseUrl::parse(Some(" "), data).is_err());
    }
}
