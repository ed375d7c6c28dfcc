//! Per-member cooldowns. A refused member is told to slow down at most once
//! per cooldown window, so a spammer cannot turn the refusals themselves into
//! a flood. Other members never share a member's cooldown: how busy a channel
//! is, is the channel budget's business ([`super::channel_budget`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Cooldowns {
    user: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    users: HashMap<u64, Instant>,
    /// When each member was last told to slow down.
    warned: HashMap<u64, Instant>,
}

/// A refused question: how long to wait, and whether to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub wait: Duration,
    pub notify: bool,
}

impl Cooldowns {
    pub fn new(user_secs: f64) -> Cooldowns {
        Cooldowns {
            user: Duration::from_secs_f64(user_secs),
            inner: Mutex::default(),
        }
    }

    /// Admit `user`'s question at `now`, starting their cooldown, or refuse it.
    pub fn check(&self, user: u64, now: Instant) -> Result<(), Refusal> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let wait = inner
            .users
            .get(&user)
            .map(|t| self.user.saturating_sub(now.saturating_duration_since(*t)))
            .unwrap_or_default();
        if wait.is_zero() {
            inner.users.insert(user, now);
            if inner.users.len() > 10_000 {
                self.forget_old(&mut inner, now);
            }
            return Ok(());
        }
        let notify = inner
            .warned
            .get(&user)
            .is_none_or(|t| now.saturating_duration_since(*t) >= self.user);
        if notify {
            inner.warned.insert(user, now);
        }
        Err(Refusal { wait, notify })
    }

    /// Keep memory bounded on a busy bot: entries past their window are moot.
    fn forget_old(&self, inner: &mut Inner, now: Instant) {
        let fresh = |t: &mut Instant| now.saturating_duration_since(*t) < self.user;
        inner.users.retain(|_, t| fresh(t));
        inner.warned.retain(|_, t| fresh(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_question_within_the_window_is_refused_and_warned_once() {
        let c = Cooldowns::new(5.0);
        let t0 = Instant::now();
        assert!(c.check(1, t0).is_ok());
        let r = c.check(1, t0 + Duration::from_secs(1)).unwrap_err();
        assert_eq!(r.wait, Duration::from_secs(4));
        assert!(r.notify);
        let r = c.check(1, t0 + Duration::from_secs(2)).unwrap_err();
        assert!(!r.notify, "the slow-down notice itself must not flood");
        assert!(
            c.check(2, t0 + Duration::from_secs(2)).is_ok(),
            "others may ask"
        );
        assert!(c.check(1, t0 + Duration::from_secs(5)).is_ok());
    }

    #[test]
    fn fifty_members_asking_at_once_are_all_admitted() {
        let c = Cooldowns::new(3.0);
        let t0 = Instant::now();
        assert!((0..50).all(|m| c.check(m, t0).is_ok()));
    }
}
