//! Per-member and per-channel cooldowns. A refused member is told to slow
//! down at most once per cooldown window, so a spammer cannot turn the
//! refusals themselves into a flood.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Cooldowns {
    user: Duration,
    channel: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    users: HashMap<u64, Instant>,
    channels: HashMap<u64, Instant>,
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
    pub fn new(user_secs: f64, channel_secs: f64) -> Cooldowns {
        Cooldowns {
            user: Duration::from_secs_f64(user_secs),
            channel: Duration::from_secs_f64(channel_secs),
            inner: Mutex::default(),
        }
    }

    /// Admit a question at `now`, starting both cooldowns, or refuse it.
    pub fn check(&self, user: u64, channel: u64, now: Instant) -> Result<(), Refusal> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let left = |last: Option<&Instant>, window: Duration| {
            last.map(|t| window.saturating_sub(now.saturating_duration_since(*t)))
                .unwrap_or_default()
        };
        let wait = left(inner.users.get(&user), self.user)
            .max(left(inner.channels.get(&channel), self.channel));
        if wait.is_zero() {
            inner.users.insert(user, now);
            inner.channels.insert(channel, now);
            if inner.users.len() > 10_000 {
                self.forget_old(&mut inner, now);
            }
            return Ok(());
        }
        let window = self.user.max(self.channel);
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
        let window = self.user.max(self.channel);
        let fresh = |t: &mut Instant| now.saturating_duration_since(*t) < window;
        inner.users.retain(|_, t| fresh(t));
        inner.channels.retain(|_, t| fresh(t));
        inner.warned.retain(|_, t| fresh(t));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_question_within_the_window_is_refused_and_warned_once() {
        let c = Cooldowns::new(5.0, 0.0);
        let t0 = Instant::now();
        assert!(c.check(1, 10, t0).is_ok());
        let r = c.check(1, 10, t0 + Duration::from_secs(1)).unwrap_err();
        assert_eq!(r.wait, Duration::from_secs(4));
        assert!(r.notify);
        let r = c.check(1, 10, t0 + Duration::from_secs(2)).unwrap_err();
        assert!(!r.notify, "the slow-down notice itself must not flood");
        assert!(
            c.check(2, 10, t0 + Duration::from_secs(2)).is_ok(),
            "others may ask"
        );
        assert!(c.check(1, 10, t0 + Duration::from_secs(5)).is_ok());
    }

    #[test]
    fn the_channel_cooldown_applies_to_everyone_in_it() {
        let c = Cooldowns::new(0.0, 2.0);
        let t0 = Instant::now();
        assert!(c.check(1, 10, t0).is_ok());
        assert!(c.check(2, 10, t0).is_err());
        assert!(c.check(2, 11, t0).is_ok());
        assert!(c.check(2, 10, t0 + Duration::from_secs(2)).is_ok());
    }
}
