//! Typed builders for the gateway payloads a test sends: guilds with roles and
//! channels, members, messages, mentions, slash interactions and button presses.
//!
//! Builders only produce JSON; [`super::FakeDiscord::dispatch`] parses every
//! payload with serenity's own model types before it leaves, so a fixture that
//! serenity would silently drop as an "unknown event" fails the test instead.

use serde_json::{json, Value};
use serenity::model::Permissions;

/// The application id, which is also the bot's user id (as on Discord today).
pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_NAME: &str = "briefbot";
/// The application's owner, as `GET /oauth2/applications/@me` names it: the
/// bot's owner for poise's `owners`.
pub const APP_OWNER_ID: u64 = 1;

/// A fixed, valid ISO-8601 timestamp for fixtures.
pub fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string()
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub bot: bool,
}

impl User {
    pub fn new(id: u64, name: &str) -> Self {
        User {
            id,
            name: name.to_string(),
            bot: false,
        }
    }

    /// The bot itself, as the fake announces it in READY.
    pub fn bot() -> Self {
        User {
            id: APP_ID,
            name: BOT_NAME.to_string(),
            bot: true,
        }
    }

    /// The application's owner ([`APP_OWNER_ID`]).
    pub fn app_owner() -> Self {
        User::new(APP_OWNER_ID, "owner")
    }

    pub fn json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": null,
            "bot": self.bot,
        })
    }

    /// `<@id>`, as Discord writes a mention in message content.
    pub fn mention(&self) -> String {
        format!("<@{}>", self.id)
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub permissions: Permissions,
    pub position: u16,
}

impl Role {
    pub fn new(id: u64, name: &str, permissions: Permissions) -> Self {
        Role {
            id,
            name: name.to_string(),
            permissions,
            position: 1,
        }
    }

    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id.to_string(), "name": self.name, "color": 0,
            "colors": {"primary_color": 0}, "hoist": false, "managed": false,
            "mentionable": false, "permissions": self.permissions.bits().to_string(),
            "position": self.position, "flags": 0,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub user: User,
    pub roles: Vec<u64>,
    /// Overrides the permissions computed from the guild's roles (for
    /// interactions, where Discord sends them precomputed).
    pub permissions: Option<Permissions>,
}

impl Member {
    pub fn new(user: User) -> Self {
        Member {
            user,
            roles: Vec::new(),
            permissions: None,
        }
    }

    pub fn permissions(mut self, permissions: Permissions) -> Self {
        self.permissions = Some(permissions);
        self
    }

    pub fn role(mut self, role: u64) -> Self {
        self.roles.push(role);
        self
    }

    /// The member object as it appears inside a guild payload (with its user).
    pub fn json(&self, permissions: Option<Permissions>) -> Value {
        let mut m = json!({
            "user": self.user.json(),
            "roles": self.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "joined_at": timestamp(), "deaf": false, "mute": false, "flags": 0,
            "pending": false, "nick": null,
        });
        if let Some(p) = permissions {
            m["permissions"] = json!(p.bits().to_string());
        }
        m
    }
}

/// Everyone may read and write; what the shared fixtures assume.
pub fn everyone_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::ADD_REACTIONS
        | Permissions::USE_APPLICATION_COMMANDS
        | Permissions::SEND_MESSAGES_IN_THREADS
}

#[derive(Debug, Clone)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    /// @everyone (id = guild id) comes first.
    pub roles: Vec<Role>,
    /// (id, name) of text channels.
    pub channels: Vec<(u64, String)>,
    pub members: Vec<Member>,
}

impl Guild {
    /// A guild whose @everyone may read and write, with the bot as a member.
    pub fn new(id: u64, name: &str) -> Self {
        Guild {
            id,
            name: name.to_string(),
            owner_id: 1,
            roles: vec![Role::new(id, "@everyone", everyone_permissions())],
            channels: Vec::new(),
            members: vec![Member::new(User::bot())],
        }
    }

    pub fn role(mut self, role: Role) -> Self {
        self.roles.push(role);
        self
    }

    pub fn channel(mut self, id: u64, name: &str) -> Self {
        self.channels.push((id, name.to_string()));
        self
    }

    pub fn member(mut self, member: Member) -> Self {
        self.members.push(member);
        self
    }

    /// What Discord computes for `member.permissions` in an interaction: the
    /// union of @everyone and the member's roles, everything for administrators.
    pub fn permissions_of(&self, member: &Member) -> Permissions {
        if let Some(p) = member.permissions {
            return p;
        }
        let mut p = Permissions::empty();
        for role in &self.roles {
            if role.id == self.id || member.roles.contains(&role.id) {
                p |= role.permissions;
            }
        }
        if p.contains(Permissions::ADMINISTRATOR) || member.user.id == self.owner_id {
            Permissions::all()
        } else {
            p
        }
    }

    /// The GUILD_CREATE payload.
    pub fn json(&self) -> Value {
        let channels: Vec<Value> = self
            .channels
            .iter()
            .enumerate()
            .map(|(i, (id, name))| {
                json!({
                    "id": id.to_string(), "type": 0, "name": name, "position": i,
                    "guild_id": self.id.to_string(), "permission_overwrites": [],
                    "nsfw": false, "topic": null, "last_message_id": null,
                    "parent_id": null, "rate_limit_per_user": 0, "flags": 0,
                })
            })
            .collect();
        json!({
            "id": self.id.to_string(), "name": self.name, "icon": null,
            "owner_id": self.owner_id.to_string(), "afk_channel_id": null, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "premium_tier": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
            "premium_progress_bar_enabled": false, "features": [], "emojis": [],
            "stickers": [], "joined_at": timestamp(), "large": false,
            "member_count": self.members.len(), "unavailable": false,
            "voice_states": [], "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
            "roles": self.roles.iter().map(Role::json).collect::<Vec<_>>(),
            "members": self.members.iter().map(|m| m.json(None)).collect::<Vec<_>>(),
            "channels": channels,
        })
    }
}

/// A member's message, in a guild channel or a DM.
#[derive(Debug, Clone)]
pub struct Msg {
    pub channel_id: u64,
    pub author: User,
    pub content: String,
    guild: Option<(u64, Member)>,
    mentions: Vec<User>,
    mention_everyone: bool,
    reply_to: Option<Value>,
}

impl Msg {
    /// A direct message (no guild).
    pub fn dm(channel_id: u64, author: User, content: &str) -> Self {
        Msg {
            channel_id,
            author,
            content: content.to_string(),
            guild: None,
            mentions: Vec::new(),
            mention_everyone: false,
            reply_to: None,
        }
    }

    pub fn new(guild: &Guild, channel_id: u64, member: &Member, content: &str) -> Self {
        let mut m = Msg::dm(channel_id, member.user.clone(), content);
        m.guild = Some((guild.id, member.clone()));
        m
    }

    /// `"@briefbot <text>"`: the bot is in `mentions`, its mention leads the content.
    pub fn mention_bot(guild: &Guild, channel_id: u64, member: &Member, text: &str) -> Self {
        let bot = User::bot();
        let mut m = Msg::new(
            guild,
            channel_id,
            member,
            &format!("{} {text}", bot.mention()),
        );
        m.mentions.push(bot);
        m
    }

    pub fn mentioning(mut self, user: User) -> Self {
        self.mentions.push(user);
        self
    }

    pub fn mention_everyone(mut self) -> Self {
        self.mention_everyone = true;
        self
    }

    /// A reply to `message` (e.g. the bot's answer), as Discord sends it.
    pub fn reply_to(mut self, message: &Value) -> Self {
        self.reply_to = Some(message.clone());
        self
    }

    /// The MESSAGE_CREATE payload with the given id.
    pub fn json(&self, id: u64) -> Value {
        let mut m = json!({
            "id": id.to_string(), "channel_id": self.channel_id.to_string(),
            "author": self.author.json(), "content": self.content, "timestamp": timestamp(),
            "edited_timestamp": null, "tts": false, "mention_everyone": self.mention_everyone,
            "mentions": self.mentions.iter().map(User::json).collect::<Vec<_>>(),
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": false,
            "type": 0, "flags": 0, "components": [],
        });
        if let Some((guild_id, member)) = &self.guild {
            m["guild_id"] = json!(guild_id.to_string());
            let mut member = member.json(None);
            member.as_object_mut().unwrap().remove("user");
            m["member"] = member;
        }
        if let Some(parent) = &self.reply_to {
            m["type"] = json!(19);
            m["message_reference"] = json!({
                "message_id": parent["id"], "channel_id": parent["channel_id"],
                "guild_id": self.guild.as_ref().map(|(g, _)| g.to_string()),
            });
            m["referenced_message"] = parent.clone();
        }
        m
    }
}
