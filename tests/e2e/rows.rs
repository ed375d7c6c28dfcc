//! The bot's database as a test reads it, on either backend: every table and
//! column is scanned, so a table added later is checked too, with no list to
//! keep up to date.

use std::path::PathBuf;

/// Where a test bot keeps its rows.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Db {
    /// `database.url` for the bot.
    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(p) => p.display().to_string(),
            Db::Postgres(u) => u.clone(),
        }
    }

    /// Rows per table that name `id`: an integer column equal to it, or a
    /// text column equal to it or (with `in_text`) containing it, as a
    /// mention `<@id>` or bare. Tables without such rows are left out.
    pub async fn rows_naming(&self, id: u64, in_text: bool) -> Vec<(String, i64)> {
        let mut found = Vec::new();
        for (table, columns) in self.columns().await {
            let mut conditions = Vec::new();
            for (column, integer) in columns {
                if integer {
                    conditions.push(format!("{column} = {}", id as i64));
                } else {
                    conditions.push(format!("{column} = '{id}'"));
                    if in_text {
                        conditions.push(format!("{column} LIKE '%{id}%'"));
                    }
                }
            }
            if conditions.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT COUNT(*) FROM {table} WHERE {}",
                conditions.join(" OR ")
            );
            let n = self.count(&sql).await;
            if n > 0 {
                found.push((table, n));
            }
        }
        found
    }

    /// The single integer `sql` returns.
    pub async fn count(&self, sql: &str) -> i64 {
        let sql = sql.to_string();
        match self {
            Db::Sqlite(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    let c = rusqlite::Connection::open(&path).expect("open the bot's SQLite file");
                    c.query_row(&sql, [], |r| r.get::<_, i64>(0))
                        .unwrap_or_else(|e| panic!("{sql}: {e}"))
                })
                .await
                .unwrap()
            }
            Db::Postgres(url) => {
                let client = pg(url).await;
                let row = client
                    .query_one(&sql, &[])
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                row.get::<_, i64>(0)
            }
        }
    }

    /// Every table (the migration bookkeeping aside) with its columns, and
    /// whether each holds integers (ids) or text; binary columns are skipped.
    async fn columns(&self) -> Vec<(String, Vec<(String, bool)>)> {
        let raw: Vec<(String, String, String)> = match self {
            Db::Sqlite(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    let c = rusqlite::Connection::open(&path).unwrap();
                    let mut stmt = c
                        .prepare(
                            "SELECT m.name, p.name, p.type FROM sqlite_master m,
                             pragma_table_info(m.name) p
                             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                             ORDER BY m.name, p.cid",
                        )
                        .unwrap();
                    let rows = stmt
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .unwrap();
                    rows.collect::<Result<Vec<_>, _>>().unwrap()
                })
                .await
                .unwrap()
            }
            Db::Postgres(url) => {
                let client = pg(url).await;
                client
                    .query(
                        "SELECT table_name::text, column_name::text, data_type::text
                         FROM information_schema.columns WHERE table_schema = 'public'
                         ORDER BY table_name, ordinal_position",
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect()
            }
        };
        let mut tables: Vec<(String, Vec<(String, bool)>)> = Vec::new();
        for (table, column, kind) in raw {
            if table == "schema_migrations" {
                continue;
            }
            let kind = kind.to_lowercase();
            let integer = kind.contains("int");
            if !integer && !kind.contains("text") && !kind.contains("char") {
                continue;
            }
            match tables.last_mut() {
                Some((t, cols)) if *t == table => cols.push((column, integer)),
                _ => tables.push((table, vec![(column, integer)])),
            }
        }
        assert!(
            tables.len() >= 7,
            "the bot's schema is not there: {tables:?}"
        );
        tables
    }
}

async fn pg(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL");
    tokio::spawn(connection);
    client
}

/// Files under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path);
            }
        }
    }
    found
}
