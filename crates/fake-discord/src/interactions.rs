//! Interaction payloads: slash commands (with options and attachments) and
//! button presses, from a guild member or a user in a DM.

use serde_json::{json, Value};
use serenity::model::Permissions;

use super::payloads::{everyone_permissions, Guild, Member, Role, User, APP_ID};

/// A file attached to a slash command option, served by the fake at `url`.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub size: usize,
    pub url: String,
    pub content_type: String,
}

/// Who an interaction comes from: a guild member or a user in a DM.
#[derive(Debug, Clone)]
enum Invoker {
    Guild {
        guild_id: u64,
        member: Member,
        permissions: Permissions,
    },
    Dm(User),
}

impl Invoker {
    fn apply(&self, i: &mut Value) {
        match self {
            Invoker::Guild {
                guild_id,
                member,
                permissions,
            } => {
                i["guild_id"] = json!(guild_id.to_string());
                i["member"] = member.json(Some(*permissions));
                i["guild_locale"] = json!("en-US");
                i["app_permissions"] = json!(Permissions::all().bits().to_string());
                i["context"] = json!(0);
            }
            Invoker::Dm(user) => {
                i["user"] = user.json();
                i["channel"]["type"] = json!(1);
                i["app_permissions"] = json!(everyone_permissions().bits().to_string());
                i["context"] = json!(1);
            }
        }
    }
}

/// A slash command invocation (INTERACTION_CREATE type 2).
#[derive(Debug, Clone)]
pub struct Slash {
    pub name: String,
    pub channel_id: u64,
    invoker: Invoker,
    subcommand: Option<String>,
    options: Vec<Value>,
    attachments: Vec<Attachment>,
    /// What Discord's channel and role pickers resolve, by id.
    channels: Vec<u64>,
    roles: Vec<Role>,
}

impl Slash {
    /// Invoked by `member` in `guild`; its permissions are computed from the guild's roles.
    pub fn new(name: &str, guild: &Guild, channel_id: u64, member: &Member) -> Self {
        Slash {
            name: name.to_string(),
            channel_id,
            invoker: Invoker::Guild {
                guild_id: guild.id,
                member: member.clone(),
                permissions: guild.permissions_of(member),
            },
            subcommand: None,
            options: Vec::new(),
            attachments: Vec::new(),
            channels: Vec::new(),
            roles: Vec::new(),
        }
    }

    pub fn dm(name: &str, channel_id: u64, user: &User) -> Self {
        Slash {
            name: name.to_string(),
            channel_id,
            invoker: Invoker::Dm(user.clone()),
            subcommand: None,
            options: Vec::new(),
            attachments: Vec::new(),
            channels: Vec::new(),
            roles: Vec::new(),
        }
    }

    pub fn subcommand(mut self, name: &str) -> Self {
        self.subcommand = Some(name.to_string());
        self
    }

    pub fn string(mut self, name: &str, value: &str) -> Self {
        self.options
            .push(json!({"name": name, "type": 3, "value": value}));
        self
    }

    pub fn boolean(mut self, name: &str, value: bool) -> Self {
        self.options
            .push(json!({"name": name, "type": 5, "value": value}));
        self
    }

    pub fn number(mut self, name: &str, value: f64) -> Self {
        self.options
            .push(json!({"name": name, "type": 10, "value": value}));
        self
    }

    /// A text channel picked in Discord's channel picker (resolved in the
    /// payload, as Discord sends it).
    pub fn channel(mut self, name: &str, channel_id: u64) -> Self {
        self.options
            .push(json!({"name": name, "type": 7, "value": channel_id.to_string()}));
        self.channels.push(channel_id);
        self
    }

    /// A role picked in Discord's role picker.
    pub fn role(mut self, name: &str, role: &Role) -> Self {
        self.options
            .push(json!({"name": name, "type": 8, "value": role.id.to_string()}));
        self.roles.push(role.clone());
        self
    }

    pub fn attachment(mut self, name: &str, file: Attachment) -> Self {
        self.options
            .push(json!({"name": name, "type": 11, "value": file.id.to_string()}));
        self.attachments.push(file);
        self
    }

    /// The INTERACTION_CREATE payload; `command_id` is the id the fake gave the
    /// registered command of that name.
    pub fn json(&self, id: u64, token: &str, command_id: u64) -> Value {
        let options = match &self.subcommand {
            Some(sub) => vec![json!({"name": sub, "type": 1, "options": self.options})],
            None => self.options.clone(),
        };
        let mut data = json!({
            "id": command_id.to_string(), "name": self.name, "type": 1, "options": options,
        });
        if let Invoker::Guild { guild_id, .. } = &self.invoker {
            data["guild_id"] = json!(guild_id.to_string());
        }
        let mut resolved = serde_json::Map::new();
        if !self.attachments.is_empty() {
            let attachments: serde_json::Map<String, Value> = self
                .attachments
                .iter()
                .map(|a| {
                    let v = json!({
                        "id": a.id.to_string(), "filename": a.filename, "size": a.size,
                        "url": a.url, "proxy_url": a.url, "content_type": a.content_type,
                    });
                    (a.id.to_string(), v)
                })
                .collect();
            resolved.insert("attachments".into(), attachments.into());
        }
        if !self.channels.is_empty() {
            let channels: serde_json::Map<String, Value> = self
                .channels
                .iter()
                .map(|id| {
                    let v = json!({
                        "id": id.to_string(), "name": format!("channel-{id}"), "type": 0,
                        "permissions": Permissions::all().bits().to_string(),
                    });
                    (id.to_string(), v)
                })
                .collect();
            resolved.insert("channels".into(), channels.into());
        }
        if !self.roles.is_empty() {
            let roles: serde_json::Map<String, Value> = self
                .roles
                .iter()
                .map(|r| (r.id.to_string(), r.json()))
                .collect();
            resolved.insert("roles".into(), roles.into());
        }
        if !resolved.is_empty() {
            data["resolved"] = resolved.into();
        }
        let mut i = interaction_base(2, id, token, self.channel_id);
        i["data"] = data;
        self.invoker.apply(&mut i);
        i
    }
}

/// A press on a button of one of the bot's messages (INTERACTION_CREATE type 3).
#[derive(Debug, Clone)]
pub struct ButtonPress {
    pub message: Value,
    pub custom_id: String,
    invoker: Invoker,
}

impl ButtonPress {
    pub fn new(guild: &Guild, member: &Member, message: &Value, custom_id: &str) -> Self {
        ButtonPress {
            message: message.clone(),
            custom_id: custom_id.to_string(),
            invoker: Invoker::Guild {
                guild_id: guild.id,
                member: member.clone(),
                permissions: guild.permissions_of(member),
            },
        }
    }

    pub fn json(&self, id: u64, token: &str) -> Value {
        let channel: u64 = self.message["channel_id"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .expect("the pressed message has a channel_id");
        let mut i = interaction_base(3, id, token, channel);
        i["message"] = self.message.clone();
        i["data"] = json!({"custom_id": self.custom_id, "component_type": 2});
        self.invoker.apply(&mut i);
        i
    }
}

fn interaction_base(kind: u8, id: u64, token: &str, channel_id: u64) -> Value {
    json!({
        "type": kind, "id": id.to_string(), "application_id": APP_ID.to_string(),
        "token": token, "version": 1, "channel_id": channel_id.to_string(),
        "channel": {"id": channel_id.to_string(), "type": 0},
        "locale": "en-US", "entitlements": [], "attachment_size_limit": 10_485_760,
        "authorizing_integration_owners": {"0": "1"},
    })
}
