//! The database, on both backends: the same contract tests run on SQLite and
//! on a throwaway PostgreSQL (skipped, saying why, when PostgreSQL is not
//! installed), then what only several processes sharing PostgreSQL need.

#[path = "../support/pg_cluster.rs"]
mod pg_cluster;

mod cluster;
#[macro_use]
mod contract;
mod outage;
mod privacy;
mod settings;
mod tls;
