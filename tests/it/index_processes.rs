//! Several `briefbot` processes on one index directory, as a bot, its
//! replicas and a moderator's `briefbot index` share one: rebuilds killed at
//! any moment, and `index` and `ask` processes racing.

use crate::common;

use std::time::Duration;

use common::{du, filler, finish, model_dir, Scratch, ANSWER};

/// 30 rebuilds killed at moments spread over a whole build, each after a
/// brief changed so that the start really rebuilds: afterwards the index
/// still opens and answers, and the directory stays within 3x a clean build.
#[test]
fn rebuilds_killed_at_any_moment_leave_a_working_small_index() {
    // A thousand-paragraph brief rebuilt 30 times: words only (the racing
    // test below keeps the passage vectors in the race).
    let mut s = Scratch::new(8);
    s.semantic = false;
    let clean = s.run(&["index"]);
    assert!(clean.ok(), "{}", clean.describe());
    let clean_size = du(&s.index());
    // How long an uninterrupted rebuild takes here, so the kills land
    // before, during and after the build (not only at start-up).
    let started = std::time::Instant::now();
    std::fs::write(s.briefs().join("extra-00.md"), filler(0, 1000)).unwrap();
    assert!(s.run(&["index"]).ok());
    let span = started.elapsed().as_millis() as u64 + 1;

    for round in 0..30 {
        std::fs::write(s.briefs().join("extra-01.md"), filler(1, round + 1)).unwrap();
        let (mut child, _) = s.spawn(s.command(&["index"]));
        // Each thirtieth of the span once, in a scrambled order (7 and 30
        // share no factor), the same on every run so a failure replays.
        let at = span * (round as u64 * 7 % 30) / 30;
        std::thread::sleep(Duration::from_millis(at));
        let _ = child.kill();
        child.wait().unwrap();
    }

    let after = s.run(&["ask", "how many soldiers?"]);
    assert!(after.ok(), "{}", after.describe());
    assert!(after.stdout.contains(ANSWER), "{}", after.describe());
    let size = du(&s.index());
    eprintln!(
        "after 30 killed rebuilds the index directory is {:.2}x a clean build",
        size as f64 / clean_size as f64
    );
    assert!(
        size <= 3 * clean_size,
        "index directory is {size} bytes after 30 killed rebuilds, a clean build is {clean_size}: {:?}",
        std::fs::read_dir(s.index())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect::<Vec<_>>()
    );
}

/// 10 rounds of 2 `index` and 20 `ask` processes started together on one
/// directory, every other round after a brief changed: none fails, and
/// every `ask` answers.
#[test]
fn racing_index_and_ask_processes_all_succeed() {
    let s = Scratch::new(4);
    assert!(s.run(&["index"]).ok());
    let mut failures = Vec::new();
    for round in 0..10 {
        if round % 2 == 1 {
            std::fs::write(s.briefs().join("extra-02.md"), filler(2, round)).unwrap();
        }
        let mut started = Vec::new();
        for p in 0..22 {
            let args: &[&str] = if p % 11 == 0 {
                &["index"]
            } else {
                &["ask", "how many soldiers?"]
            };
            started.push((args[0], s.spawn(s.command(args))));
        }
        for (what, child) in started {
            let run = finish(child);
            let answered = what == "index" || run.stdout.contains(ANSWER);
            if !run.ok() || !answered {
                failures.push(format!("round {round}, {what}: {}", run.describe()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 220 processes failed; first: {}",
        failures.len(),
        failures[0]
    );
}

/// A process that finds a rebuild in progress waits `engine.lock_wait_secs`
/// at most, then says so and fails cleanly.
#[test]
fn a_rebuild_held_too_long_is_reported_by_name() {
    let s = Scratch::new(0);
    assert!(s.run(&["index"]).ok());
    // Hold the lock the way a rebuilding process does.
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(s.index().join(".rebuild.lock"))
        .unwrap();
    fs4::fs_std::FileExt::lock_exclusive(&lock).unwrap();
    let mut cmd = s.command(&["index"]);
    cmd.env("BRIEFBOT_ENGINE_LOCK_WAIT_SECS", "1");
    let run = finish(s.spawn(cmd));
    assert!(!run.ok(), "{}", run.describe());
    assert!(
        run.stderr
            .contains("another process is rebuilding the index")
            && run.stderr.contains("engine.lock_wait_secs"),
        "{}",
        run.describe()
    );
    // Questions are still answered from the current index meanwhile.
    let ask = s.run(&["ask", "how many soldiers?"]);
    assert!(
        ask.ok() && ask.stdout.contains(ANSWER),
        "{}",
        ask.describe()
    );
}

/// The bot's `/reindex` (an engine in this process) against CLI `index`
/// processes on the same directory, six times, each after a brief changed:
/// every rebuild succeeds on both sides and the engine keeps answering.
#[test]
fn reindex_in_a_running_engine_and_a_cli_index_never_fail_each_other() {
    let s = Scratch::new(2);
    assert!(s.run(&["index"]).ok());
    let mut cfg = briefbot_engine::EngineConfig::in_memory(s.briefs());
    cfg.index_dir = Some(s.index());
    cfg.model_dir = Some(model_dir());
    let (engine, _) = briefbot_engine::Engine::open(cfg).expect("engine opens");
    let mut failures = Vec::new();
    for round in 0..6 {
        std::fs::write(s.briefs().join("extra-03.md"), filler(3, round + 1)).unwrap();
        let cli = s.spawn(s.command(&["index"]));
        if let Err(e) = engine.reindex() {
            failures.push(format!("round {round}, /reindex: {e}"));
        }
        let run = finish(cli);
        if !run.ok() {
            failures.push(format!("round {round}, CLI index: {}", run.describe()));
        }
        let answer = engine.ask("how many soldiers?").expect("answers");
        assert!(answer.hits[0].passage.text.contains(ANSWER));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
