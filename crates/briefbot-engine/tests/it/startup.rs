//! Start-up with an index on disk: an up-to-date index opens from
//! what its generation saved, without parsing the briefs; a touched but
//! unchanged brief does not rebuild it; a changed one does; and a saved
//! file that is damaged or from another format version is rebuilt, never
//! mis-read. Whether start-up is fast is for `briefbot bench`, not here.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use briefbot_engine::{Engine, EngineConfig, IndexReport, TenantId};

const ANSWER: &str = "11,000";

/// A file of the repository: cargo runs these tests in the crate's folder.
fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

struct Setup {
    briefs: tempfile::TempDir,
    index: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let briefs = tempfile::tempdir().unwrap();
        let shipped = repo("briefs/north-korea-war-in-europe.md");
        std::fs::copy(&shipped, briefs.path().join("nk.md")).unwrap();
        let tenant = briefs.path().join("tenants/guild-1");
        std::fs::create_dir_all(&tenant).unwrap();
        std::fs::copy(
            repo("tests/data/briefs-extra/pandemic-accord.md"),
            tenant.join("accord.md"),
        )
        .unwrap();
        std::fs::write(briefs.path().join("empty.md"), "").unwrap();
        Setup {
            briefs,
            index: tempfile::tempdir().unwrap(),
        }
    }

    fn cfg(&self) -> EngineConfig {
        EngineConfig {
            index_dir: Some(self.index.path().to_path_buf()),
            tenant_briefs_dir: Some(self.briefs.path().join("tenants")),
            synonyms_file: Some(repo("config/synonyms.txt")),
            model_dir: Some(repo(briefbot_engine::DEFAULT_MODEL_DIR)),
            ..EngineConfig::in_memory(self.briefs.path())
        }
    }

    fn open(&self) -> (Engine, IndexReport) {
        Engine::open(self.cfg()).expect("engine opens")
    }

    fn brief(&self) -> PathBuf {
        self.briefs.path().join("nk.md")
    }

    fn manifest(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.index.path().join("manifest.json")).unwrap())
            .unwrap()
    }

    fn saved_file(&self) -> PathBuf {
        let m = self.manifest();
        self.index
            .path()
            .join(m["dir"].as_str().unwrap())
            .join("serve.bin")
    }
}

fn set_mtime(path: &Path, when: SystemTime) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(when).unwrap();
}

/// Everything a reused index must serve as the build did.
fn assert_serves_like_a_build(engine: &Engine, report: &IndexReport, built: &IndexReport) {
    assert_eq!(report.briefs, built.briefs);
    assert_eq!(report.passages, built.passages);
    let names = |r: &IndexReport| -> Vec<String> {
        r.problems
            .iter()
            .map(|p| format!("{}: {}", p.file.display(), p.problem))
            .collect()
    };
    assert_eq!(names(report), names(built));
    assert!(engine.ask("how many soldiers?").unwrap().hits[0]
        .passage
        .text
        .contains(ANSWER));
    // The tenant's brief keeps its scope.
    let guild = TenantId::new("guild-1").unwrap();
    let q = briefbot_engine::Question {
        tenant: Some(&guild),
        ..briefbot_engine::Question::new("pandemic accord enforcement")
    };
    assert!(engine.ask_with(&q).unwrap().answered);
    assert!(!engine.ask("pandemic accord enforcement").unwrap().answered);
}

#[test]
fn an_up_to_date_index_is_served_from_what_its_generation_saved() {
    let s = Setup::new();
    let (_, built) = s.open();
    assert!(built.rebuilt);
    assert_eq!(built.problems.len(), 1, "{:?}", built.problems);
    let stamps = &s.manifest()["stamps"];
    assert!(stamps.as_object().is_some_and(|m| m.len() == 2), "{stamps}");
    let (engine, reused) = s.open();
    assert!(!reused.rebuilt);
    assert_serves_like_a_build(&engine, &reused, &built);
}

#[test]
fn a_touched_but_unchanged_brief_does_not_rebuild_and_its_new_time_is_kept() {
    let s = Setup::new();
    let (_, built) = s.open();
    let before = s.manifest()["stamps"].clone();
    set_mtime(&s.brief(), SystemTime::now() + Duration::from_secs(3600));
    let (engine, reused) = s.open();
    assert!(!reused.rebuilt);
    assert_serves_like_a_build(&engine, &reused, &built);
    assert_ne!(s.manifest()["stamps"], before, "new stamp recorded");
    let (_, again) = s.open();
    assert!(!again.rebuilt);
}

#[test]
fn a_same_size_change_behind_an_old_mtime_still_rebuilds() {
    let s = Setup::new();
    s.open();
    let old = std::fs::metadata(s.brief()).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(s.brief()).unwrap();
    assert!(text.contains(ANSWER));
    std::fs::write(s.brief(), text.replace(ANSWER, "12,000")).unwrap();
    set_mtime(&s.brief(), old);
    let (engine, report) = s.open();
    assert!(report.rebuilt);
    assert_eq!(report.changed, [s.brief()]);
    let answer = engine.ask("how many soldiers?").unwrap();
    assert!(answer.hits[0].passage.text.contains("12,000"));
}

#[test]
fn a_damaged_or_outdated_saved_corpus_rebuilds_instead_of_being_misread() {
    type Damage = fn(&mut Vec<u8>);
    let cases: [(&str, Damage); 4] = [
        ("truncated", |b| b.truncate(b.len() / 2)),
        ("garbled", |b| {
            let mid = b.len() / 2;
            b[mid] ^= 0x5a;
        }),
        ("garbage", |b| *b = b"not a saved corpus at all".to_vec()),
        // The format version follows the 8-byte magic and 4-byte tag.
        ("older format", |b| {
            b[12..16].copy_from_slice(&0u32.to_le_bytes())
        }),
    ];
    for (what, damage) in cases {
        let s = Setup::new();
        let (_, built) = s.open();
        let path = s.saved_file();
        let mut bytes = std::fs::read(&path).unwrap();
        damage(&mut bytes);
        std::fs::write(&path, bytes).unwrap();
        let (engine, report) = s.open();
        assert!(report.rebuilt, "{what}: not rebuilt");
        assert_serves_like_a_build(&engine, &report, &built);
        let (_, again) = s.open();
        assert!(!again.rebuilt, "{what}: the rebuild did not repair it");
    }
}

#[test]
fn a_manifest_from_before_stamps_reads_the_briefs_once_without_rebuilding() {
    let s = Setup::new();
    let (_, built) = s.open();
    let mut m = s.manifest();
    m.as_object_mut().unwrap().remove("stamps");
    std::fs::write(
        s.index.path().join("manifest.json"),
        serde_json::to_vec(&m).unwrap(),
    )
    .unwrap();
    let (engine, reused) = s.open();
    assert!(!reused.rebuilt);
    assert_serves_like_a_build(&engine, &reused, &built);
    assert!(s.manifest()["stamps"]
        .as_object()
        .is_some_and(|m| m.len() == 2));
}

#[test]
fn hostile_files_added_after_the_build_are_refused_without_a_rebuild() {
    use std::os::unix::ffi::OsStrExt;
    let s = Setup::new();
    s.open();
    let b = s.briefs.path();
    let fifo = b.join("fifo.md");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("/etc/passwd", b.join("passwd.md")).unwrap();
    std::fs::write(b.join("huge.md"), "word ".repeat(600_000)).unwrap();
    let (_, report) = s.open();
    assert!(!report.rebuilt, "no readable brief was added");
    let problems: Vec<String> = report
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.file.display(), p.problem))
        .collect();
    for (file, reason) in [
        ("fifo.md", "named pipe"),
        ("passwd.md", "outside the briefs directory"),
        ("huge.md", "over the limit"),
        ("empty.md", "empty"),
    ] {
        assert!(
            problems
                .iter()
                .any(|p| p.contains(file) && p.contains(reason)),
            "{file} not reported as {reason}: {problems:?}"
        );
    }
}
