//! `briefbot serve` as a real child process, for tests of a bot split over
//! several processes: each runs some shards against the same fake Discord and
//! shares one PostgreSQL. Its log goes to a file the test prints on failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a process shares with the others, and what is its own.
pub struct ServeConfig<'a> {
    pub fake_url: &'a str,
    pub database_url: &'a str,
    pub shards: &'a str,
    /// Shipped briefs (shared by the processes of these tests).
    pub briefs: &'a Path,
    /// Its own index and data directory, as on a machine of its own.
    pub own_dir: PathBuf,
    pub dev_guild: u64,
}

pub struct ServeProcess {
    child: Option<Child>,
    log: PathBuf,
    pub shards: String,
}

impl ServeProcess {
    pub fn spawn(c: &ServeConfig<'_>) -> ServeProcess {
        Self::spawn_with(c, &[])
    }

    /// [`ServeProcess::spawn`] with more settings, as environment variables.
    pub fn spawn_with(c: &ServeConfig<'_>, env: &[(&str, &str)]) -> ServeProcess {
        Self::spawn_with_args(c, env, &[])
    }

    /// The one process of a test about a single bot: shard 0 of 1 on the
    /// fake at `fake_url`, the shipped briefs, an SQLite database and its own
    /// directory in `dir`.
    pub fn spawn_alone(
        fake_url: &str,
        dir: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> ServeProcess {
        let db = dir.join("briefbot.sqlite3").display().to_string();
        Self::spawn_with_args(
            &ServeConfig {
                fake_url,
                database_url: &db,
                shards: "0-0/1",
                briefs: &Path::new(env!("CARGO_MANIFEST_DIR")).join("briefs"),
                own_dir: dir.join("own"),
                dev_guild: crate::harness::GUILD_A,
            },
            env,
            args,
        )
    }

    /// [`ServeProcess::spawn_with`] with more command-line arguments.
    pub fn spawn_with_args(
        c: &ServeConfig<'_>,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> ServeProcess {
        std::fs::create_dir_all(&c.own_dir).unwrap();
        let log = c
            .own_dir
            .join(format!("serve-{}.log", c.shards.replace('/', "of")));
        let err = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_briefbot"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn,briefbot=info")
            .env("DISCORD_TOKEN", "fake-token")
            .env("BRIEFBOT_REST_PROXY", c.fake_url)
            .env("BRIEFBOT_ATTACHMENT_HOSTS", "127.0.0.1")
            .env("BRIEFBOT_DATABASE_URL", c.database_url)
            .env("BRIEFBOT_DATABASE_SYNC_SECS", "1")
            .env("BRIEFBOT_DATABASE_CATCH_UP_SECS", "30")
            .env("BRIEFBOT_PATHS_BRIEFS", c.briefs)
            .env("BRIEFBOT_PATHS_INDEX", c.own_dir.join("index"))
            .env("BRIEFBOT_PATHS_DATA", c.own_dir.join("data"))
            .env("BRIEFBOT_PATHS_SYNONYMS", c.own_dir.join("no-synonyms.txt"))
            .env("BRIEFBOT_DEV_GUILD", c.dev_guild.to_string())
            .env("BRIEFBOT_USER_COOLDOWN_SECS", "0")
            .env("BRIEFBOT_CHANNEL_COOLDOWN_SECS", "0")
            .envs(env.iter().copied())
            .args(["serve", "--shards", c.shards])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("spawning briefbot serve");
        ServeProcess {
            child: Some(child),
            log,
            shards: c.shards.to_string(),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, as a service manager stops it, and wait (bounded) for it to exit.
    pub fn stop(&mut self, timeout: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                assert!(
                    status.success(),
                    "serve {} exited with {status}:\n{}",
                    self.shards,
                    self.log()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "serve {} did not stop within {timeout:?}:\n{}",
            self.shards,
            self.log()
        );
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            if std::thread::panicking() {
                eprintln!("--- log of serve {} ---\n{}", self.shards, self.log());
            }
        }
    }
}
