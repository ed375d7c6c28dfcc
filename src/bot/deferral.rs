//! Discord drops an interaction not answered within 3 seconds. Answers are
//! usually ready in milliseconds, and a direct reply is one request instead of
//! two, so the bot defers only when the work outlasts a threshold.

use std::future::Future;
use std::time::Duration;

/// Run `work`; if it is not done after `wait`, run `defer` (and keep waiting).
/// Returns the work's output and whether `defer` ran; a failed `defer` is
/// returned as the error, without abandoning the work.
pub(crate) async fn answer_or_defer<T, E, W, D>(
    work: W,
    wait: Duration,
    defer: D,
) -> (T, Result<bool, E>)
where
    W: Future<Output = T>,
    D: Future<Output = Result<(), E>>,
{
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => (out, Ok(false)),
        _ = tokio::time::sleep(wait) => {
            let deferred = defer.await.map(|()| true);
            (work.await, deferred)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_quick_answer_is_sent_directly() {
        let work = async { "answer" };
        let never = async { panic!("a quick answer must not be deferred") };
        let (out, deferred) =
            answer_or_defer::<_, (), _, _>(work, Duration::from_secs(3600), never).await;
        assert_eq!((out, deferred), ("answer", Ok(false)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_answer_is_deferred_first() {
        // The work can only finish once the deferral has gone out.
        let (tx, rx) = tokio::sync::oneshot::channel();
        let work = async { rx.await.unwrap_or("dropped") };
        let defer = async {
            tx.send("late answer").ok();
            Ok::<_, ()>(())
        };
        let (out, deferred) = answer_or_defer(work, Duration::from_millis(1), defer).await;
        assert_eq!((out, deferred), ("late answer", Ok(true)));
    }
}
