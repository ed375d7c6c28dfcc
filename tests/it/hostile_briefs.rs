//! Hostile files in the briefs directory: a FIFO, links out of
//! the directory (to a secret file and to /dev/zero), a directory named like
//! a brief, a non-UTF-8 name, a huge file, a binary file. Nothing hangs,
//! nothing outside the directory is indexed, each is reported by name, and
//! the manifest stays intact so the next start does not rebuild.

use crate::common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use common::{Scratch, ANSWER};

const SECRET: &str = "zanzibarsecret";

#[test]
fn hostile_brief_files_are_refused_by_name_and_never_hang() {
    let s = Scratch::new(0);
    let b = s.briefs();
    let outside = s.root.path().join("secret.txt");
    std::fs::write(&outside, format!("The {SECRET} password is hunter2.\n")).unwrap();

    let fifo = b.join("fifo.md");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    symlink(&outside, b.join("secret.md")).unwrap();
    symlink("/etc/passwd", b.join("passwd.md")).unwrap();
    symlink("/dev/zero", b.join("zero.md")).unwrap();
    std::fs::create_dir(b.join("folder.md")).unwrap();
    std::fs::write(
        b.join(OsStr::from_bytes(b"caf\xe9.md")),
        "A brief whose name is not UTF-8.\n",
    )
    .unwrap();
    std::fs::write(b.join("huge.md"), "word ".repeat(600_000)).unwrap();
    std::fs::write(b.join("binary.md"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    // A link that stays inside the directory is followed.
    std::fs::create_dir(b.join("sub")).unwrap();
    std::fs::write(
        b.join("sub/inner.txt"),
        "The lighthouse keeper counted 42 gulls.\n",
    )
    .unwrap();
    symlink(b.join("sub/inner.txt"), b.join("inner.md")).unwrap();

    let index = s.run(&["index"]);
    assert!(index.ok(), "{}", index.describe());
    let report = &index.stdout;
    for (file, reason) in [
        ("fifo.md", "named pipe"),
        ("secret.md", "outside the briefs directory"),
        ("passwd.md", "outside the briefs directory"),
        ("zero.md", "outside the briefs directory"),
        ("folder.md", "directory"),
        ("caf\u{fffd}.md", "not valid UTF-8"),
        ("huge.md", "over the limit"),
        ("binary.md", "binary"),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(file) && l.contains(reason)),
            "{file} not reported as {reason:?}:\n{report}"
        );
    }

    let ask = |q: &str| {
        let run = s.run(&["ask", "--json", q]);
        assert!(run.ok(), "{}", run.describe());
        run.stdout
    };
    assert!(ask("how many soldiers?").contains(ANSWER));
    assert!(ask("how many gulls did the lighthouse keeper count?").contains("42 gulls"));
    assert!(!ask(&format!("what is the {SECRET} password?")).contains("hunter2"));
    assert!(!ask("root bin bash nologin").contains("/bin/"));

    // The manifest survived the non-UTF-8 name: an unchanged start reuses it.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.index().join("manifest.json")).unwrap()).unwrap();
    assert!(!manifest["files"].as_object().unwrap().is_empty());
    let again = s.run(&["ask", "how many soldiers?"]);
    assert!(again.ok(), "{}", again.describe());
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.index().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["generation"], after["generation"],
        "an unchanged start rebuilt"
    );
}
