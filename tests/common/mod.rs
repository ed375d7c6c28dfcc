//! Running the real `briefbot` binary as a separate process, the way several
//! processes share one index directory in production: each run has a
//! deadline, so a hang fails the test instead of stalling it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Far above any run's real duration on a loaded machine: reaching it means
/// the process hung, never that it was slow.
pub const HANG: Duration = Duration::from_secs(120);

pub const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/briefs/north-korea-war-in-europe.md"
);
pub const ANSWER: &str = "at least 11,000 soldiers";

/// A scratch area: briefs, index, data and per-run output files.
pub struct Scratch {
    pub root: tempfile::TempDir,
    runs: std::cell::Cell<usize>,
    /// Run with the sentence-embedding model (the default). Off where a test
    /// rebuilds large generated briefs many times and is about processes,
    /// not answers: an unoptimised build embeds slowly.
    pub semantic: bool,
}

pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.status.success()
    }
    pub fn describe(&self) -> String {
        format!(
            "status {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

impl Scratch {
    /// Briefs: the shipped one plus `extra` generated ones.
    pub fn new(extra: usize) -> Scratch {
        let root = tempfile::tempdir().unwrap();
        let s = Scratch {
            root,
            runs: std::cell::Cell::new(0),
            semantic: true,
        };
        std::fs::create_dir_all(s.briefs()).unwrap();
        std::fs::create_dir_all(s.data()).unwrap();
        std::fs::copy(SHIPPED, s.briefs().join("shipped.md")).unwrap();
        for i in 0..extra {
            std::fs::write(s.briefs().join(format!("extra-{i:02}.md")), filler(i, 0)).unwrap();
        }
        s
    }

    pub fn briefs(&self) -> PathBuf {
        self.root.path().join("briefs")
    }
    pub fn index(&self) -> PathBuf {
        self.root.path().join("index")
    }
    pub fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        self.command_on(&self.index(), args)
    }

    /// The binary with its paths set (the scratch root is the working
    /// directory; the config file is the shipped one, found above the
    /// executable, and sets nothing these do not override), quiet except for
    /// warnings and errors.
    pub fn command_on(&self, index: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_briefbot"));
        c.current_dir(self.root.path())
            .env_remove("RUST_LOG")
            .env("BRIEFBOT_PATHS_DATA", self.data())
            .env("BRIEFBOT_PATHS_SYNONYMS", self.root.path().join("none.txt"))
            // The shipped model, named rather than found, so each test says
            // which model it runs.
            .env("BRIEFBOT_ENGINE_MODEL_DIR", model_dir())
            .env("BRIEFBOT_ENGINE_SEMANTIC", self.semantic.to_string())
            .arg("--briefs")
            .arg(self.briefs())
            .arg("--index")
            .arg(index)
            .args(args);
        c
    }

    /// Start a process whose output goes to files (a pipe nobody reads
    /// could block it).
    pub fn spawn(&self, mut cmd: Command) -> (Child, PathBuf) {
        let n = self.runs.get();
        self.runs.set(n + 1);
        let base = self.root.path().join(format!("run-{n}"));
        let out = File::create(base.with_extension("out")).unwrap();
        let err = File::create(base.with_extension("err")).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("briefbot starts");
        (child, base)
    }

    /// Run to completion; a run that outlives [`HANG`] is killed and fails.
    pub fn run(&self, args: &[&str]) -> Run {
        let started = self.spawn(self.command(args));
        finish(started)
    }
}

/// Wait for a started process, failing the test if it hangs.
pub fn finish((mut child, base): (Child, PathBuf)) -> Run {
    let deadline = Instant::now() + HANG;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("briefbot hung: {}", read(&base.with_extension("err")));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        status,
        stdout: read(&base.with_extension("out")),
        stderr: read(&base.with_extension("err")),
    }
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// The shipped sentence-embedding model, wherever the test runs from.
pub fn model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2")
}

/// A brief of a few paragraphs whose words vary with `i` and `version`, so
/// changing `version` changes the index.
pub fn filler(i: usize, version: usize) -> String {
    let mut text = format!("---\ntitle: Filler brief {i}\n---\n");
    for p in 0..12 {
        text.push_str(&format!(
            "Paragraph {p} of brief {i} revision {version} reports harvest figures, \
             rainfall totals and shipping delays across region{i} and district{p}. \
             Officials said the estimate for item{i}x{p} was revised {version} times.\n\n"
        ));
    }
    text
}

/// Total size in bytes of everything under `dir`.
pub fn du(dir: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let m = e.metadata().unwrap();
        total += if m.is_dir() { du(&e.path()) } else { m.len() };
    }
    total
}
