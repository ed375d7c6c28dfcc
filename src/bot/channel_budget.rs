//! How many messages the bot posts in one channel. Discord lets a bot post
//! about 5 messages per 5 seconds in a channel; past that it answers 429 and
//! the channel floods with retries. So each channel has a budget of `posts`
//! per `window` (a token bucket whose tokens each come back `window` after
//! use). A question beyond the budget waits its turn in a short line, and
//! answers go out in the order members asked (by message id, the order they
//! see in the channel). Only the ones that wait are strictly ordered:
//! serenity hands each event to its own task, so questions arriving within
//! the same instant reach the budget in the scheduler's order. Past the line a member gets a quiet signal instead (a
//! reaction), and the channel at most one public notice per [`NOTICE_EVERY`].
//!
//! `/ask` never comes here: interaction responses do not count against the
//! channel, so a busy channel never refuses them.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// The most often one channel is told publicly that questions are waiting.
pub(crate) const NOTICE_EVERY: Duration = Duration::from_secs(60);

pub struct ChannelBudget {
    inner: Arc<Inner>,
}

struct Inner {
    posts: usize,
    window: Duration,
    queue: usize,
    channels: Mutex<HashMap<u64, Channel>>,
}

#[derive(Default)]
struct Channel {
    /// When the posts of the last `window` went out, oldest first.
    sent: VecDeque<Instant>,
    /// Questions holding a place (answer being found, waiting, or being
    /// posted), by message id.
    places: BTreeSet<u64>,
    /// How many of those are being posted: already counted in `sent`.
    posting: usize,
    noticed: Option<Instant>,
    changed: Arc<Notify>,
}

/// What a question arriving in a channel gets.
pub(crate) enum Admission {
    /// A place in the channel's line; post once [`Place::turn`] returns.
    Place(Place),
    /// The line is full: signal the member quietly. `notice` holds a place for
    /// the channel's public notice when none was posted in [`NOTICE_EVERY`].
    Full { notice: Option<Place> },
}

/// A question's place in its channel's line, released when dropped (after
/// its answer is posted, or when it turns out to need none).
pub(crate) struct Place {
    inner: Arc<Inner>,
    channel: u64,
    id: u64,
    /// Its post has been counted (its turn came).
    posting: AtomicBool,
}

impl ChannelBudget {
    /// `posts` per `window` in each channel, and up to `queue` questions
    /// waiting beyond what the budget allows at once.
    pub fn new(posts: usize, window: Duration, queue: usize) -> ChannelBudget {
        ChannelBudget {
            inner: Arc::new(Inner {
                posts: posts.max(1),
                window,
                queue,
                channels: Mutex::default(),
            }),
        }
    }

    /// Take a place for message `id` in `channel`, or learn the line is full.
    pub(crate) fn admit(&self, channel: u64, id: u64) -> Admission {
        let now = Instant::now();
        let mut channels = self.inner.lock();
        if channels.len() > 1_000 {
            // Channels the bot has not posted in for a window need no memory.
            channels.retain(|_, c| {
                self.inner.expire(c, now);
                !(c.places.is_empty() && c.sent.is_empty())
                    || c.noticed
                        .is_some_and(|t| now.duration_since(t) < NOTICE_EVERY)
            });
        }
        let c = channels.entry(channel).or_default();
        self.inner.expire(c, now);
        let free_now = self.inner.posts - c.sent.len();
        let waiting = c.places.len() - c.posting;
        if waiting < free_now + self.inner.queue {
            c.places.insert(id);
            return Admission::Place(self.place(channel, id));
        }
        let notice_due = c
            .noticed
            .is_none_or(|t| now.duration_since(t) >= NOTICE_EVERY);
        if !notice_due {
            return Admission::Full { notice: None };
        }
        c.noticed = Some(now);
        c.places.insert(id);
        Admission::Full {
            notice: Some(self.place(channel, id)),
        }
    }

    /// Questions holding a place in any channel's line whose post has not
    /// gone out yet (their answer being found, or waiting for the budget).
    pub fn waiting(&self) -> usize {
        self.inner
            .lock()
            .values()
            .map(|c| c.places.len() - c.posting)
            .sum()
    }

    fn place(&self, channel: u64, id: u64) -> Place {
        Place {
            inner: self.inner.clone(),
            channel,
            id,
            posting: AtomicBool::new(false),
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Channel>> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expire(&self, c: &mut Channel, now: Instant) {
        while c
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            c.sent.pop_front();
        }
    }
}

impl Place {
    /// Wait until every earlier question in the channel has been posted (or
    /// dropped) and the budget allows one more post, then count this post.
    pub(crate) async fn turn(&self) {
        loop {
            let (changed, wake_at) = {
                let now = Instant::now();
                let mut channels = self.inner.lock();
                let Some(c) = channels.get_mut(&self.channel) else {
                    return; // not reachable while this place exists
                };
                self.inner.expire(c, now);
                let first = c.places.first() == Some(&self.id);
                if first && c.sent.len() < self.inner.posts {
                    c.sent.push_back(now);
                    if !self.posting.swap(true, Ordering::Relaxed) {
                        c.posting += 1;
                    }
                    return;
                }
                let wake_at = match c.sent.front() {
                    Some(t) if first => Some(*t + self.inner.window),
                    _ => None,
                };
                (c.changed.clone(), wake_at)
            };
            let notified = changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Re-checked after enabling, so a release in between is not missed.
            if self.is_first_with_room() {
                continue;
            }
            match wake_at {
                Some(t) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep_until(t) => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    fn is_first_with_room(&self) -> bool {
        let now = Instant::now();
        let mut channels = self.inner.lock();
        let Some(c) = channels.get_mut(&self.channel) else {
            return true;
        };
        self.inner.expire(c, now);
        c.places.first() == Some(&self.id) && c.sent.len() < self.inner.posts
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut channels = self.inner.lock();
        let Some(c) = channels.get_mut(&self.channel) else {
            return;
        };
        c.places.remove(&self.id);
        if self.posting.load(Ordering::Relaxed) {
            c.posting -= 1;
        }
        c.changed.notify_waiters();
        self.inner.expire(c, now);
        let idle = c.places.is_empty()
            && c.sent.is_empty()
            && c.noticed
                .is_none_or(|t| now.duration_since(t) >= NOTICE_EVERY);
        if idle {
            channels.remove(&self.channel);
        }
    }
}

#[cfg(test)]
mod tests;
