//! A server's own settings over the operator's: what a server's moderators
//! may change from Discord (`/settings set`). Only the keys a server changed
//! are kept; every other key follows `[discord]` in the TOML file, so an
//! operator's new default reaches every server that did not choose.

use serde::{Deserialize, Deserializer, Serialize};

use super::DiscordSettings;

/// The keys one server changed. Unknown keys in a stored row (written by a
/// newer briefbot) are ignored rather than refused, so an older process
/// sharing the database keeps serving.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuildOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watched_channels: Option<Vec<u64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderator_roles: Option<Vec<u64>>,
    /// Where this server's moderator actions are posted; `Some(None)` is
    /// "nowhere", chosen on purpose (stored as `null`, told apart from a key
    /// never set).
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "chosen")]
    pub log_channel: Option<Option<u64>>,
    /// The prefix command (`!ask …`) on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embeds: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_cooldown_secs: Option<f64>,
    /// `/ask` answers seen only by the asker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask_private: Option<bool>,
}

/// A server's settings in force: its own where it chose, else the operator's.
#[derive(Debug, Clone, PartialEq)]
pub struct GuildSettings {
    pub watched_channels: Vec<u64>,
    pub moderator_roles: Vec<u64>,
    pub log_channel: Option<u64>,
    /// The prefix command, or None when it is off.
    pub prefix: Option<String>,
    pub embeds: bool,
    pub user_cooldown_secs: f64,
    pub ask_private: bool,
}

/// The longest member cooldown a server may set, as `[discord]` allows.
pub const MAX_COOLDOWN_SECS: f64 = 86_400.0;

impl GuildOverrides {
    /// Parse a stored row; the error says what is wrong with it.
    pub fn from_json(json: &str) -> Result<GuildOverrides, serde_json::Error> {
        serde_json::from_str(json)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain data always serialises")
    }

    /// These overrides over the operator's `[discord]` settings. The
    /// operator's log channel is the operator's own: a server without one of
    /// its own has none.
    pub fn resolve(&self, d: &DiscordSettings) -> GuildSettings {
        let prefix = (!d.prefix.is_empty()).then(|| d.prefix.clone());
        GuildSettings {
            watched_channels: self
                .watched_channels
                .clone()
                .unwrap_or_else(|| d.watched_channels.clone()),
            moderator_roles: self
                .moderator_roles
                .clone()
                .unwrap_or_else(|| d.moderator_roles.clone()),
            log_channel: self.log_channel.flatten(),
            prefix: match self.prefix {
                Some(false) => None,
                _ => prefix,
            },
            embeds: self.embeds.unwrap_or(d.embeds),
            user_cooldown_secs: self.user_cooldown_secs.unwrap_or(d.user_cooldown_secs),
            ask_private: self.ask_private.unwrap_or(false),
        }
    }
}

/// A key present in the JSON, `null` included, was chosen; one absent was
/// not (`#[serde(default)]` leaves it None).
fn chosen<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_chose_nothing_follows_the_operator() {
        let d = DiscordSettings {
            watched_channels: vec![7],
            moderator_roles: vec![8],
            log_channel: Some(9),
            ..DiscordSettings::default()
        };
        let s = GuildOverrides::default().resolve(&d);
        assert_eq!(s.watched_channels, vec![7]);
        assert_eq!(s.moderator_roles, vec![8]);
        assert_eq!(s.prefix.as_deref(), Some("!ask"));
        assert_eq!(
            s.log_channel, None,
            "the operator's log channel never receives a server's actions"
        );
        assert!(s.embeds && !s.ask_private);
    }

    #[test]
    fn a_servers_choices_replace_the_operators_and_survive_a_round_trip() {
        let o = GuildOverrides {
            watched_channels: Some(vec![]),
            moderator_roles: Some(vec![1, 2]),
            log_channel: Some(Some(3)),
            prefix: Some(false),
            embeds: Some(false),
            user_cooldown_secs: Some(10.0),
            ask_private: Some(true),
        };
        let back = GuildOverrides::from_json(&o.to_json()).unwrap();
        assert_eq!(back, o);
        let d = DiscordSettings {
            watched_channels: vec![7],
            ..DiscordSettings::default()
        };
        let s = back.resolve(&d);
        assert!(s.watched_channels.is_empty());
        assert_eq!(s.moderator_roles, vec![1, 2]);
        assert_eq!(s.log_channel, Some(3));
        assert_eq!(s.prefix, None);
        assert!(!s.embeds && s.ask_private);
        assert_eq!(s.user_cooldown_secs, 10.0);
    }

    #[test]
    fn no_log_channel_chosen_is_kept_apart_from_none_chosen() {
        let off = GuildOverrides {
            log_channel: Some(None),
            ..GuildOverrides::default()
        };
        assert_eq!(GuildOverrides::from_json(&off.to_json()).unwrap(), off);
        let unset = GuildOverrides::from_json("{}").unwrap();
        assert_eq!(unset.log_channel, None);
    }

    #[test]
    fn keys_from_a_newer_version_are_ignored() {
        let o = GuildOverrides::from_json(r#"{"embeds":false,"colour":"blue"}"#).unwrap();
        assert_eq!(o.embeds, Some(false));
    }
}
