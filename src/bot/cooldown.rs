//! Per-member cooldowns. A refused member is told to slow down at most once
//! per cooldown window, so a spammer cannot turn the refusals themselves into
//! a flood. Other members never share a member's cooldown: how busy a channel
//! is, is the channel budget's business ([`super::channel_budget`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Each member's last question. The window is the caller's: each server
/// sets its own (`/settings`), and a member's questions in one server do not
/// hold them back in another.
#[derive(Default)]
pub struct Cooldowns {
    inner: Mutex<Inner>,
}

struct Inner {
    /// Keyed by (server, member); server 0 for direct messages.
    users: HashMap<(u64, u64), Instant>,
    /// When each member was last told to slow down.
    warned: HashMap<(u64, u64), Instant>,
    /// Entries kept before the next sweep: twice what the last sweep kept,
    /// so a busy day costs one sweep per doubling, not one per question.
    sweep_at: usize,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            users: HashMap::new(),
            warned: HashMap::new(),
            sweep_at: 10_000,
        }
    }
}

/// Past this, an entry older than any server's window cannot refuse anyone.
const LONGEST: Duration = Duration::from_secs(86_400);

/// A refused question: how long to wait, and whether to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub wait: Duration,
    pub notify: bool,
}

impl Cooldowns {
    /// Admit `user`'s question in `guild` at `now` when `window` has passed
    /// since their last one there, starting a new window, or refuse it.
    pub fn check(
        &self,
        guild: Option<u64>,
        user: u64,
        window: Duration,
        now: Instant,
    ) -> Result<(), Refusal> {
        let user = (guild.unwrap_or(0), user);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let wait = inner
            .users
            .get(&user)
            .map(|t| window.saturating_sub(now.saturating_duration_since(*t)))
            .unwrap_or_default();
        if wait.is_zero() {
            inner.users.insert(user, now);
            if inner.users.len() > inner.sweep_at {
                self.forget_old(&mut inner, now);
                inner.sweep_at = (2 * inner.users.len()).max(10_000);
            }
            return Ok(());
        }
        let notify = inner
            .warned
            .get(&user)
            .is_none_or(|t| now.saturating_duration_since(*t) >= window);
        if notify {
            inner.warned.insert(user, now);
        }
        Err(Refusal { wait, notify })
    }

    /// Keep memory bounded on a busy bot: entries past their window are moot.
    fn forget_old(&self, inner: &mut Inner, now: Instant) {
        let fresh = |t: &mut Instant| now.saturating_duration_since(*t) < LONGEST;
        inner.users.retain(|_, t| fresh(t));
        inner.warned.retain(|_, t| fresh(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE: Duration = Duration::from_secs(5);

    #[test]
    fn a_second_question_within_the_window_is_refused_and_warned_once() {
        let c = Cooldowns::default();
        let t0 = Instant::now();
        let g = Some(1);
        assert!(c.check(g, 1, FIVE, t0).is_ok());
        let r = c
            .check(g, 1, FIVE, t0 + Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(r.wait, Duration::from_secs(4));
        assert!(r.notify);
        let r = c
            .check(g, 1, FIVE, t0 + Duration::from_secs(2))
            .unwrap_err();
        assert!(!r.notify, "the slow-down notice itself must not flood");
        assert!(
            c.check(g, 2, FIVE, t0 + Duration::from_secs(2)).is_ok(),
            "others may ask"
        );
        assert!(c.check(g, 1, FIVE, t0 + Duration::from_secs(5)).is_ok());
    }

    #[test]
    fn each_server_has_its_own_window() {
        let c = Cooldowns::default();
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(1);
        assert!(c.check(Some(1), 7, FIVE, t0).is_ok());
        assert!(c.check(Some(2), 7, FIVE, t1).is_ok(), "another server");
        assert!(c.check(Some(3), 7, Duration::ZERO, t0).is_ok());
        assert!(c.check(Some(3), 7, Duration::ZERO, t0).is_ok(), "no limit");
    }

    #[test]
    fn fifty_members_asking_at_once_are_all_admitted() {
        let c = Cooldowns::default();
        let t0 = Instant::now();
        let three = Duration::from_secs(3);
        assert!((0..50).all(|m| c.check(Some(1), m, three, t0).is_ok()));
    }
}
