//! What shutdown waits for. Every event enters once, when it arrives, and
//! holds its [`Pass`] until its reply is sent; after shutdown begins, events
//! still enter (so their refusal is waited for too) but are told to refuse.

use std::time::Duration;

use tokio_util::task::task_tracker::TaskTrackerToken;
use tokio_util::task::TaskTracker;

#[derive(Default)]
pub struct InFlight {
    tracker: TaskTracker,
}

/// One event's admission, held until its reply has gone out.
pub struct Pass {
    _token: TaskTrackerToken,
    closing: bool,
}

impl Pass {
    /// Shutdown had begun when the event arrived: answer it with a refusal
    /// instead of starting work that may not finish.
    pub fn closing(&self) -> bool {
        self.closing
    }
}

impl InFlight {
    pub fn enter(&self) -> Pass {
        // The token comes first: a shutdown that starts between these two
        // lines still waits for this event, which then refuses.
        let token = self.tracker.token();
        Pass {
            closing: self.tracker.is_closed(),
            _token: token,
        }
    }

    /// Stop admitting events; the ones in flight carry on.
    pub fn close(&self) {
        self.tracker.close();
    }

    /// Events entered and not yet done.
    pub fn len(&self) -> usize {
        self.tracker.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracker.is_empty()
    }

    /// Wait until every event in flight is done (after [`InFlight::close`]),
    /// or `limit` passes; true when they all finished.
    pub(crate) async fn drained(&self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.tracker.wait())
            .await
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn shutdown_waits_for_events_in_flight_and_new_ones_are_told_to_refuse() {
        let in_flight = InFlight::default();
        let pass = in_flight.enter();
        assert!(!pass.closing());
        in_flight.close();
        let late = in_flight.enter();
        assert!(late.closing(), "no new work once closed");
        assert_eq!(in_flight.len(), 2, "a refusal is waited for too");
        drop(late);
        assert!(!in_flight.drained(Duration::from_millis(20)).await);
        drop(pass);
        assert!(in_flight.drained(Duration::from_secs(30)).await);
    }
}
