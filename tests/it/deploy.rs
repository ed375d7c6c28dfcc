//! The service files under `deploy/`: the systemd unit passes
//! `systemd-analyze verify` (when systemd is installed), and every
//! `BRIEFBOT_*` variable they set names a real setting, so a misspelt one
//! cannot be silently ignored in production.

use std::path::Path;
use std::process::Command;

fn deploy(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `BRIEFBOT_*` names in `text` (the unit's `Environment=`, the
/// Dockerfile's `ENV`, the compose file's `environment:`).
fn variables(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .match_indices("BRIEFBOT_")
        .map(|(i, _)| {
            text[i..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        })
        .collect();
    names.dedup();
    names
}

#[test]
fn every_variable_the_service_files_set_is_a_setting() {
    for file in ["briefbot.service", "Dockerfile", "compose.yaml"] {
        let names = variables(&deploy(file));
        assert!(!names.is_empty(), "{file} sets no BRIEFBOT_ variable");
        let unknown = briefbot::config::env::unknown_variables(names);
        assert!(unknown.is_empty(), "{file}: not settings: {unknown:?}");
    }
}

#[test]
fn the_unit_hands_the_token_over_as_a_credential() {
    let unit = deploy("briefbot.service");
    for line in [
        "LoadCredential=discord-token:",
        "Environment=DISCORD_TOKEN_FILE=%d/discord-token",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=briefbot",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.lines().any(|l| l.starts_with(line)), "{line} missing");
    }
}

#[test]
fn the_unit_passes_systemd_analyze_verify() {
    let available = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipping: systemd-analyze is not installed");
        return;
    }
    // The unit names the installed binary; this build's stands in for it.
    let unit = deploy("briefbot.service")
        .replace("/opt/briefbot/bin/briefbot", env!("CARGO_BIN_EXE_briefbot"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("briefbot.service");
    std::fs::write(&file, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&file)
        .output()
        .expect("running systemd-analyze");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !said.contains("briefbot.service"),
        "systemd-analyze verify: {said}"
    );
}
