//! The binary as an installed program runs it: copied out of the build tree
//! and started from an unrelated working directory (a service unit, a
//! container's workdir), with the shipped config named by absolute path or
//! with none at all.

use std::path::Path;
use std::process::Command;

#[test]
fn a_copied_binary_answers_from_another_directory_with_the_shipped_config_or_none() {
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = bin_dir.path().join("briefbot");
    std::fs::copy(env!("CARGO_BIN_EXE_briefbot"), &bin).unwrap();
    let work = tempfile::tempdir().unwrap();
    // One index for both runs, so the model embeds the brief only once.
    let index = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/briefbot.toml");
    for config in [Some(shipped.as_path()), None] {
        let mut cmd = Command::new(&bin);
        cmd.current_dir(work.path())
            .env_remove("RUST_LOG")
            .arg("--index")
            .arg(index.path());
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd.args(["ask", "how many soldiers?"]).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success() && stdout.contains("11,000"),
            "config {config:?}: {stdout}\n{stderr}"
        );
    }
    assert!(
        std::fs::read_dir(work.path()).unwrap().next().is_none(),
        "nothing is written to the working directory"
    );
}
