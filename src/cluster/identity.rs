//! Who a process is, as the others sharing the database see it.

use std::sync::atomic::Ordering;

use super::now_ms;
use crate::store::ProcessRow;

/// Who this process is, as other processes see it.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: String,
    pub host: String,
    pub pid: i64,
    /// The gateway shards it runs, as `A-B/TOTAL`, or "all".
    pub shards: String,
    pub started_at_ms: i64,
}

impl Identity {
    pub fn of_this_process(shards: String) -> Identity {
        let host = hostname();
        let pid = std::process::id() as i64;
        let started_at_ms = now_ms();
        // Unique even for two members started in one process (tests) in one ms.
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        Identity {
            id: format!("{host}:{pid}:{started_at_ms}:{seq}"),
            host,
            pid,
            shards,
            started_at_ms,
        }
    }

    /// How a moderator reads it: host, pid and shards.
    pub fn describe(row: &ProcessRow) -> String {
        format!("{} pid {} (shards {})", row.host, row.pid, row.shards)
    }
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates
    // within it or truncates, and we stop at the first NUL either way.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match (rc, std::str::from_utf8(&buf[..end])) {
        (0, Ok(h)) if !h.is_empty() => h.to_string(),
        _ => "unknown-host".to_string(),
    }
}
