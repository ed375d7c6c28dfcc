//! `BRIEFBOT_*` environment variables override the config file, one variable
//! per key: `BRIEFBOT_<SECTION>_<KEY>` (`BRIEFBOT_PATHS_DATA`). The bot's own
//! keys are also read by their bare name (`BRIEFBOT_REST_PROXY`), the one
//! scripts use; it wins when both are set. Lists are comma-separated, and an
//! empty value unsets an optional key.

use std::path::PathBuf;
use std::str::FromStr;

use super::{ConfigError, Settings, Token};

type Setter = fn(&mut Settings, &str) -> Result<(), String>;

/// Every overridable key: its variable and how to apply it.
pub const OVERRIDES: &[(&str, Setter)] = &[
    ("BRIEFBOT_PATHS_BRIEFS", |s, v| {
        set_path(&mut s.paths.briefs, v)
    }),
    ("BRIEFBOT_PATHS_INDEX", |s, v| {
        set_path(&mut s.paths.index, v)
    }),
    ("BRIEFBOT_PATHS_DATA", |s, v| set_path(&mut s.paths.data, v)),
    ("BRIEFBOT_PATHS_SYNONYMS", |s, v| {
        set_path(&mut s.paths.synonyms, v)
    }),
    ("BRIEFBOT_ENGINE_DECLINE_THRESHOLD", |s, v| {
        parse(&mut s.engine.decline_threshold, v)
    }),
    ("BRIEFBOT_ENGINE_MAX_BRIEF_KB", |s, v| {
        parse(&mut s.engine.max_brief_kb, v)
    }),
    ("BRIEFBOT_ENGINE_LOCK_WAIT_SECS", |s, v| {
        parse(&mut s.engine.lock_wait_secs, v)
    }),
    ("BRIEFBOT_DATABASE_URL", |s, v| {
        optional(&mut s.database.url, v)
    }),
    ("BRIEFBOT_DATABASE_POOL_SIZE", |s, v| {
        parse(&mut s.database.pool_size, v)
    }),
    ("BRIEFBOT_DATABASE_SYNC_SECS", |s, v| {
        parse(&mut s.database.sync_secs, v)
    }),
    ("BRIEFBOT_DATABASE_CA_FILE", |s, v| {
        optional(&mut s.database.ca_file, v)
    }),
    ("BRIEFBOT_DATABASE_CATCH_UP_SECS", |s, v| {
        parse(&mut s.database.catch_up_secs, v)
    }),
    ("BRIEFBOT_ENGINE_SEMANTIC", |s, v| {
        parse(&mut s.engine.semantic, v)
    }),
    ("BRIEFBOT_ENGINE_MODEL_DIR", |s, v| {
        set_path(&mut s.engine.model_dir, v)
    }),
    ("BRIEFBOT_ENGINE_READER_DIR", |s, v| {
        s.engine.reader_dir = v.trim().into();
        Ok(())
    }),
    ("BRIEFBOT_PREFIX", |s, v| {
        s.discord.prefix = v.trim().to_string();
        Ok(())
    }),
    ("BRIEFBOT_WATCHED_CHANNELS", |s, v| {
        list(&mut s.discord.watched_channels, v)
    }),
    ("BRIEFBOT_DMS", |s, v| parse(&mut s.discord.dms, v)),
    ("BRIEFBOT_MESSAGE_CONTENT_INTENT", |s, v| {
        parse(&mut s.discord.message_content_intent, v)
    }),
    ("BRIEFBOT_EMBEDS", |s, v| parse(&mut s.discord.embeds, v)),
    ("BRIEFBOT_USER_COOLDOWN_SECS", |s, v| {
        parse(&mut s.discord.user_cooldown_secs, v)
    }),
    ("BRIEFBOT_CHANNEL_BUDGET", |s, v| {
        parse(&mut s.discord.channel_budget, v)
    }),
    ("BRIEFBOT_CHANNEL_WINDOW_SECS", |s, v| {
        parse(&mut s.discord.channel_window_secs, v)
    }),
    ("BRIEFBOT_CHANNEL_QUEUE", |s, v| {
        parse(&mut s.discord.channel_queue, v)
    }),
    ("BRIEFBOT_REQUEST_TIMEOUT_SECS", |s, v| {
        parse(&mut s.discord.request_timeout_secs, v)
    }),
    ("BRIEFBOT_REGISTER_RETRY_SECS", |s, v| {
        parse(&mut s.discord.register_retry_secs, v)
    }),
    ("BRIEFBOT_REGISTER_RETRY_MAX_SECS", |s, v| {
        parse(&mut s.discord.register_retry_max_secs, v)
    }),
    ("BRIEFBOT_MODERATOR_ROLES", |s, v| {
        list(&mut s.discord.moderator_roles, v)
    }),
    ("BRIEFBOT_LOG_CHANNEL", |s, v| {
        optional(&mut s.discord.log_channel, v)
    }),
    ("BRIEFBOT_SERVER_REINDEX_EVERY_SECS", |s, v| {
        parse(&mut s.discord.server_reindex_every_secs, v)
    }),
    ("BRIEFBOT_DEV_GUILD", |s, v| {
        optional(&mut s.discord.dev_guild, v)
    }),
    ("BRIEFBOT_REST_PROXY", |s, v| {
        optional(&mut s.discord.rest_proxy, v)
    }),
    ("BRIEFBOT_ATTACHMENT_HOSTS", |s, v| {
        list(&mut s.discord.attachment_hosts, v)
    }),
    ("BRIEFBOT_PAGES", |s, v| parse(&mut s.discord.pages, v)),
    ("BRIEFBOT_PAGE_EXPIRY_SECS", |s, v| {
        parse(&mut s.discord.page_expiry_secs, v)
    }),
    ("BRIEFBOT_DEFER_AFTER_MS", |s, v| {
        parse(&mut s.discord.defer_after_ms, v)
    }),
    ("BRIEFBOT_SHUTDOWN_GRACE_SECS", |s, v| {
        parse(&mut s.discord.shutdown_grace_secs, v)
    }),
    ("BRIEFBOT_SHARDS", |s, v| optional(&mut s.discord.shards, v)),
    ("BRIEFBOT_OPS_LISTEN", |s, v| optional(&mut s.ops.listen, v)),
    ("BRIEFBOT_PRIVACY_QUESTION_RETENTION_DAYS", |s, v| {
        parse(&mut s.privacy.question_retention_days, v)
    }),
    ("BRIEFBOT_PRIVACY_LEAVE_GRACE_SECS", |s, v| {
        parse(&mut s.privacy.leave_grace_secs, v)
    }),
];

/// Apply overrides and read the token, looking variables up with `get`
/// (the process environment in production, a map in tests).
pub(crate) fn apply(
    settings: &mut Settings,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    for (name, set) in OVERRIDES {
        let long = long_name(name);
        let found = get(name)
            .map(|v| (name.to_string(), v))
            .or_else(|| long.and_then(|l| get(&l).map(|v| (l, v))));
        if let Some((key, value)) = found {
            set(settings, &value).map_err(|message| ConfigError::Invalid { key, message })?;
        }
    }
    // The conventional variable of hosting platforms, when ours is not set.
    if get("BRIEFBOT_DATABASE_URL").is_none() {
        if let Some(url) = get("DATABASE_URL").filter(|u| !u.trim().is_empty()) {
            settings.database.url = Some(url.trim().to_string());
        }
    }
    settings.discord.token = token(get)?;
    Ok(())
}

/// `BRIEFBOT_*` variables that name no setting: a misspelt override would
/// otherwise be ignored without a word while the operator believes it applies.
pub fn unknown_variables(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut unknown: Vec<String> = names
        .into_iter()
        .filter(|n| n.starts_with("BRIEFBOT_"))
        .filter(|n| {
            !OVERRIDES
                .iter()
                .any(|(name, _)| name == n || long_name(name).as_deref() == Some(n.as_str()))
        })
        .collect();
    unknown.sort();
    unknown
}

/// `BRIEFBOT_DISCORD_REST_PROXY` for `BRIEFBOT_REST_PROXY`: the section-prefixed
/// name of a `[discord]` key (those are the ones without a section prefix).
pub(crate) fn long_name(name: &str) -> Option<String> {
    let bare = name.strip_prefix("BRIEFBOT_")?;
    let sectioned = ["PATHS_", "ENGINE_", "DATABASE_", "OPS_", "PRIVACY_"]
        .iter()
        .any(|p| bare.starts_with(p));
    (!sectioned).then(|| format!("BRIEFBOT_DISCORD_{bare}"))
}

fn token(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<Token>, ConfigError> {
    if let Some(t) = get("DISCORD_TOKEN").filter(|t| !t.trim().is_empty()) {
        return Ok(Some(Token::new(t.trim())));
    }
    let Some(path) = get("DISCORD_TOKEN_FILE").filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path.trim()).map_err(|e| ConfigError::Invalid {
        key: "DISCORD_TOKEN_FILE".into(),
        message: format!("cannot read {}: {e}", path.trim()),
    })?;
    let t = text.trim();
    if t.is_empty() {
        return Err(ConfigError::Invalid {
            key: "DISCORD_TOKEN_FILE".into(),
            message: format!("{} is empty", path.trim()),
        });
    }
    Ok(Some(Token::new(t)))
}

fn set_path(target: &mut PathBuf, v: &str) -> Result<(), String> {
    if v.trim().is_empty() {
        return Err("is empty".into());
    }
    *target = PathBuf::from(v.trim());
    Ok(())
}

fn parse<T: FromStr>(target: &mut T, v: &str) -> Result<(), String>
where
    T::Err: std::fmt::Display,
{
    *target = v
        .trim()
        .parse()
        .map_err(|e| format!("{v:?} is not valid: {e}"))?;
    Ok(())
}

fn optional<T: FromStr>(target: &mut Option<T>, v: &str) -> Result<(), String>
where
    T::Err: std::fmt::Display,
{
    *target = match v.trim() {
        "" => None,
        s => Some(s.parse().map_err(|e| format!("{v:?} is not valid: {e}"))?),
    };
    Ok(())
}

fn list<T: FromStr>(target: &mut Vec<T>, v: &str) -> Result<(), String>
where
    T::Err: std::fmt::Display,
{
    *target = v
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|e| format!("{s:?} in {v:?} is not valid: {e}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each key the shipped config documents, set or commented out, as
    /// `BRIEFBOT_<SECTION>_<KEY>`.
    fn documented_keys() -> Vec<String> {
        let mut section = String::new();
        let mut keys = Vec::new();
        for line in include_str!("../../config/briefbot.toml").lines() {
            let line = line.trim();
            if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = s.to_uppercase();
                continue;
            }
            let Some((key, _)) = line.trim_start_matches('#').trim().split_once(" = ") else {
                continue;
            };
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                keys.push(format!("BRIEFBOT_{section}_{}", key.to_uppercase()));
            }
        }
        keys
    }

    #[test]
    fn every_documented_config_key_has_an_environment_variable() {
        let keys = documented_keys();
        assert!(
            keys.len() >= 20,
            "the config file parser found only {keys:?}"
        );
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| !unknown_variables([k.to_string()]).is_empty())
            .collect();
        assert!(
            missing.is_empty(),
            "no environment variable for {missing:?}"
        );
    }

    #[test]
    fn a_misspelt_variable_is_reported_and_known_ones_are_not() {
        let names = [
            "BRIEFBOT_PATHS_BRIEFS",
            "BRIEFBOT_REST_PROXY",
            "BRIEFBOT_DISCORD_REST_PROXY",
            "BRIEFBOT_ENGINE_DECLINE_TRESHOLD",
            "HOME",
        ];
        assert_eq!(
            unknown_variables(names.map(String::from)),
            ["BRIEFBOT_ENGINE_DECLINE_TRESHOLD"]
        );
    }
}
