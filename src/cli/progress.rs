//! Progress of the model's work on the passages, for `briefbot index`: a bar
//! with the rate and time left when stderr is a terminal, a plain log line
//! every ten seconds otherwise (a service log or CI is no terminal).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use briefbot_engine::Progress;

/// How often the plain lines come.
const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct Embedding {
    bar: Option<ProgressBar>,
    started: Instant,
    logged: Mutex<Instant>,
}

impl Embedding {
    pub fn new(total: usize) -> Embedding {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "embedding {bar:30} {human_pos}/{human_len} passages, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Embedding {
            bar,
            started: now,
            logged: Mutex::new(now),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Embedding {
    fn update(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            return;
        }
        let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
        if logged.elapsed() < LOG_EVERY || done >= total {
            return;
        }
        *logged = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        tracing::info!("{}", line(done, total, secs));
    }
}

/// "embedding 4000/20000 passages, 95/s, about 168 s left".
fn line(done: usize, total: usize, secs: f64) -> String {
    let rate = done as f64 / secs.max(1e-3);
    let left = if rate > 0.0 {
        format!(", about {:.0} s left", (total - done) as f64 / rate)
    } else {
        String::new()
    };
    format!("embedding {done}/{total} passages, {rate:.0}/s{left}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_gives_the_rate_and_time_left() {
        assert_eq!(
            line(4000, 20000, 40.0),
            "embedding 4000/20000 passages, 100/s, about 160 s left"
        );
        assert_eq!(line(0, 10, 1.0), "embedding 0/10 passages, 0/s");
    }
}
