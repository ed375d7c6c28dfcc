//! Each kind of index file damaged: every file of a generation
//! and the manifest, truncated, deleted or garbled. A damaged index is never
//! served silently: the process either rebuilds it from the briefs (and
//! says so) and answers, or fails with a message naming the damage. And a
//! sound one is never refused.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Scratch, ANSWER};

#[derive(Debug, Clone, Copy)]
enum Damage {
    Truncate,
    Delete,
    Garble,
}

fn damage(file: &Path, how: Damage) {
    match how {
        Damage::Delete => std::fs::remove_file(file).unwrap(),
        Damage::Truncate => {
            let len = std::fs::metadata(file).unwrap().len();
            let f = std::fs::File::options().write(true).open(file).unwrap();
            f.set_len(len / 2).unwrap();
        }
        Damage::Garble => {
            let mut bytes = std::fs::read(file).unwrap();
            let mid = bytes.len() / 2;
            for b in bytes.iter_mut().skip(mid).take(16) {
                *b ^= 0x5a;
            }
            if bytes.is_empty() {
                bytes.extend_from_slice(b"garbage");
            }
            std::fs::write(file, bytes).unwrap();
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The files that make up the index: the manifest and every file of the
/// current generation that Tantivy wrote (lock files hold no data).
fn index_files(index: &Path) -> Vec<PathBuf> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("manifest.json")).unwrap()).unwrap();
    let gen_dir = index.join(manifest["dir"].as_str().unwrap());
    let mut files = vec![index.join("manifest.json")];
    for e in std::fs::read_dir(&gen_dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".lock") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn no_damaged_index_is_served_silently() {
    let s = Scratch::new(2);
    assert!(s.run(&["index"]).ok());
    let pristine = s.index();
    let files = index_files(&pristine);
    assert!(files.len() > 5, "{files:?}");
    let mut cases = 0;
    for (i, file) in files.iter().enumerate() {
        let rel = file.strip_prefix(&pristine).unwrap();
        for how in [Damage::Truncate, Damage::Delete, Damage::Garble] {
            let copy = s.root.path().join(format!("damaged-{i}-{how:?}"));
            copy_dir(&pristine, &copy);
            damage(&copy.join(rel), how);
            let run = common::finish(s.spawn(s.command_on(&copy, &["ask", "how many soldiers?"])));
            cases += 1;
            let what = format!("{how:?} {}: {}", rel.display(), run.describe());
            if run.ok() {
                // Served: then it must be the right answer, from a rebuilt
                // (or untouched) index, and damage to data must be reported.
                assert!(run.stdout.contains(ANSWER), "{what}");
                // A manifest that is missing, unreadable or no longer
                // matches the briefs makes the directory read as new or
                // outdated: rebuilt, never served;
                // `.managed.json` is Tantivy's list of files to garbage
                // collect, which it rebuilds when missing. Neither holds
                // index data, so losing one is not damage to report.
                let bookkeeping = rel == Path::new("manifest.json")
                    || rel.file_name() == Some(std::ffi::OsStr::new(".managed.json"));
                if !bookkeeping {
                    assert!(
                        run.stderr.contains("rebuilding"),
                        "damage not reported: {what}"
                    );
                }
            } else {
                assert!(
                    run.stderr.contains("damaged") || run.stderr.contains("index"),
                    "unclear error: {what}"
                );
            }
            let _ = std::fs::remove_dir_all(&copy);
        }
    }
    assert!(cases >= 18);
}

#[test]
fn a_fresh_index_of_words_two_stemmers_disagree_on_is_served() {
    let mut s = Scratch::new(0);
    s.semantic = false;
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/briefs-stems/stemmed-two-ways.md"),
        s.briefs().join("stemmed-two-ways.md"),
    )
    .unwrap();
    let built = s.run(&["index"]);
    assert!(built.ok(), "{}", built.describe());
    let asked = s.run(&["ask", "how do biologists view the chupacabra?"]);
    assert!(asked.ok(), "{}", asked.describe());
    assert!(asked.stdout.contains("as a legend"), "{}", asked.describe());
    assert!(!asked.stderr.contains("rebuilding"), "{}", asked.describe());
}
