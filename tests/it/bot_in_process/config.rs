//! Settings: the shipped file, environment overrides, refusals, the token.

use std::collections::HashMap;
use std::path::Path;

use briefbot::config::{env::OVERRIDES, Settings, ShardRange};

fn load(toml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("briefbot.toml");
    std::fs::write(&file, toml).unwrap();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::load_with(Some(&file), &|k| env.get(k).cloned()).map_err(|e| e.to_string())
}

#[test]
fn the_shipped_config_file_loads_and_documents_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/briefbot.toml");
    let s = Settings::load_with(Some(&path), &|_| None).expect("shipped config loads");
    assert_eq!(s.discord.prefix, "!ask");
    assert!(s.discord.token.is_none());
    let text = std::fs::read_to_string(&path).unwrap();
    for (var, _) in OVERRIDES {
        assert!(
            text.contains(&format!("env: {var}")),
            "{var} is not documented"
        );
    }
}

#[test]
fn an_unknown_key_is_refused_with_its_name() {
    let err = load("[discord]\nprefx = \"!\"\n", &[]).unwrap_err();
    assert!(err.contains("prefx"), "{err}");
}

#[test]
fn a_wrong_value_is_refused_with_the_key() {
    let err = load("[discord]\npages = 0\n", &[]).unwrap_err();
    assert!(err.contains("discord.pages"), "{err}");
    let err = load("[discord]\nuser_cooldown_secs = \"soon\"\n", &[]).unwrap_err();
    assert!(err.contains("user_cooldown_secs"), "{err}");
    let err = load("", &[("BRIEFBOT_USER_COOLDOWN_SECS", "soon")]).unwrap_err();
    assert!(err.contains("BRIEFBOT_USER_COOLDOWN_SECS"), "{err}");
    let err = load("", &[("BRIEFBOT_SHARDS", "4-2/8")]).unwrap_err();
    assert!(err.contains("BRIEFBOT_SHARDS"), "{err}");
    for (toml, key) in [
        ("channel_budget = 0", "discord.channel_budget"),
        ("channel_window_secs = 0.0", "discord.channel_window_secs"),
        ("channel_queue = 100000", "discord.channel_queue"),
        ("request_timeout_secs = 0.0", "discord.request_timeout_secs"),
        ("register_retry_secs = 0.0", "discord.register_retry_secs"),
        (
            "register_retry_secs = 60.0\nregister_retry_max_secs = 30.0",
            "discord.register_retry_secs",
        ),
        (
            "register_retry_max_secs = -1.0",
            "discord.register_retry_max_secs",
        ),
    ] {
        let err = load(&format!("[discord]\n{toml}\n"), &[]).unwrap_err();
        assert!(err.contains(key), "{toml}: {err}");
    }
    let err = load("[discord]\nchannel_cooldown_secs = 1.0\n", &[]).unwrap_err();
    assert!(
        err.contains("channel_cooldown_secs"),
        "the old channel cooldown is refused by name, not ignored: {err}"
    );
}

#[test]
fn environment_variables_override_the_file() {
    let s = load(
        "[discord]\nprefix = \"!q\"\nrest_proxy = \"http://a:1\"\n[paths]\ndata = \"d\"\n",
        &[
            ("BRIEFBOT_PREFIX", "?ask"),
            ("BRIEFBOT_WATCHED_CHANNELS", "1, 2,3"),
            ("BRIEFBOT_REST_PROXY", "http://127.0.0.1:9"),
            ("BRIEFBOT_DEV_GUILD", "55"),
            ("BRIEFBOT_ATTACHMENT_HOSTS", "127.0.0.1"),
            ("BRIEFBOT_PATHS_DATA", "/tmp/x"),
            ("BRIEFBOT_SHARDS", "0-3/8"),
        ],
    )
    .unwrap();
    assert_eq!(s.discord.prefix, "?ask");
    assert_eq!(s.discord.watched_channels, vec![1, 2, 3]);
    assert_eq!(s.discord.rest_proxy.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(s.discord.dev_guild, Some(55));
    assert_eq!(s.discord.attachment_hosts, vec!["127.0.0.1"]);
    assert_eq!(s.paths.data, Path::new("/tmp/x"));
    assert_eq!(
        s.discord.shards,
        Some(ShardRange {
            first: 0,
            last: 3,
            total: 8
        })
    );
    let unset = load(
        "[discord]\nrest_proxy = \"http://a:1\"\n",
        &[("BRIEFBOT_REST_PROXY", "")],
    )
    .unwrap();
    assert_eq!(unset.discord.rest_proxy, None);
}

#[test]
fn the_token_comes_only_from_the_environment_and_never_prints() {
    let err = load("[discord]\ntoken = \"abc\"\n", &[]).unwrap_err();
    assert!(err.contains("token"), "{err}");
    let s = load("", &[("DISCORD_TOKEN", "sekrit.token.value")]).unwrap();
    assert_eq!(
        s.discord.token.as_ref().unwrap().expose(),
        "sekrit.token.value"
    );
    let printed = format!("{s:?} {:?}", s.discord);
    assert!(!printed.contains("sekrit"), "{printed}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "from-file\n").unwrap();
    let s = load("", &[("DISCORD_TOKEN_FILE", file.to_str().unwrap())]).unwrap();
    assert_eq!(s.discord.token.unwrap().expose(), "from-file");
    let err = load("", &[("DISCORD_TOKEN_FILE", "/no/such/token")]).unwrap_err();
    assert!(err.contains("DISCORD_TOKEN_FILE"), "{err}");
}

#[test]
fn shard_ranges_parse_and_refuse_nonsense() {
    assert_eq!(
        "2/4".parse::<ShardRange>(),
        Ok(ShardRange {
            first: 2,
            last: 2,
            total: 4
        })
    );
    for bad in ["", "1-2", "3-1/4", "0-4/4", "a-b/c", "0-0/0"] {
        assert!(bad.parse::<ShardRange>().is_err(), "{bad}");
    }
}

#[test]
fn discord_keys_also_take_the_section_prefixed_name() {
    let s = load("", &[("BRIEFBOT_DISCORD_REST_PROXY", "http://127.0.0.1:7")]).unwrap();
    assert_eq!(s.discord.rest_proxy.as_deref(), Some("http://127.0.0.1:7"));
    let s = load(
        "",
        &[("BRIEFBOT_DISCORD_PAGES", "3"), ("BRIEFBOT_PAGES", "4")],
    )
    .unwrap();
    assert_eq!(s.discord.pages, 4, "the bare name wins");
    let err = load("", &[("BRIEFBOT_DISCORD_PAGES", "many")]).unwrap_err();
    assert!(err.contains("BRIEFBOT_DISCORD_PAGES"), "{err}");
}
