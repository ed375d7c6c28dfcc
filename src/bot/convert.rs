//! From serenity's models to the plain events the handlers take: the one
//! place that knows how Discord describes a member, a message, a button
//! press, and the names behind the ids a question mentions.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, ComponentInteraction, GuildId, Message, Permissions, RoleId, User};

use super::events::{ButtonPress, IncomingMessage, Member};
use super::markup::{self, Names};
use super::state::BotState;

/// What serenity's two shapes of a guild member (a message's
/// `PartialMember`, an interaction's `Member`) both tell.
pub(crate) trait MemberParts {
    fn role_ids(&self) -> &[RoleId];
    /// Only interactions carry them; for messages they would need the cache.
    fn channel_permissions(&self) -> Option<Permissions>;
}

impl MemberParts for serenity::Member {
    fn role_ids(&self) -> &[RoleId] {
        &self.roles
    }

    fn channel_permissions(&self) -> Option<Permissions> {
        self.permissions
    }
}

impl MemberParts for serenity::PartialMember {
    fn role_ids(&self) -> &[RoleId] {
        &self.roles
    }

    fn channel_permissions(&self) -> Option<Permissions> {
        self.permissions
    }
}

/// The acting member as the handlers see it.
pub(crate) fn member(
    user: &User,
    guild: Option<GuildId>,
    channel: ChannelId,
    parts: Option<&dyn MemberParts>,
) -> Member {
    Member {
        user: user.id.get(),
        guild: guild.map(|g| g.get()),
        channel: channel.get(),
        permissions: parts.and_then(|p| p.channel_permissions()),
        roles: parts
            .map(|p| p.role_ids().iter().map(|r| r.get()).collect())
            .unwrap_or_default(),
    }
}

/// The invoker of a command.
pub(crate) fn command_member(ctx: super::Context<'_>) -> Member {
    let parts: Option<&dyn MemberParts> = match ctx {
        poise::Context::Application(a) => a.interaction.member.as_deref().map(|m| m as _),
        poise::Context::Prefix(p) => p.msg.member.as_deref().map(|m| m as _),
    };
    member(ctx.author(), ctx.guild_id(), ctx.channel_id(), parts)
}

pub(crate) fn message(ctx: &serenity::Context, state: &BotState, msg: &Message) -> IncomingMessage {
    let bot = state.bot_id();
    let (in_thread, embeds) = match msg.guild_id.and_then(|g| ctx.cache.guild(g)) {
        Some(guild) => {
            let in_thread = guild.threads.iter().any(|t| t.id == msg.channel_id);
            let channel = guild
                .channels
                .get(&msg.channel_id)
                .or_else(|| guild.threads.iter().find(|t| t.id == msg.channel_id));
            let me = guild.members.get(&serenity::UserId::new(bot.max(1)));
            let embeds = match (channel, me) {
                (Some(c), Some(me)) => guild.user_permissions_in(c, me).embed_links(),
                _ => true,
            };
            (in_thread, embeds)
        }
        None => (false, true),
    };
    let parts = msg.member.as_deref().map(|m| m as &dyn MemberParts);
    IncomingMessage {
        id: msg.id.get(),
        author: member(&msg.author, msg.guild_id, msg.channel_id, parts),
        author_is_bot: msg.author.bot,
        content: msg.content.clone(),
        names: names(ctx, msg.guild_id, &msg.content, &msg.mentions),
        mentions_bot: msg.mentions.iter().any(|u| u.id.get() == bot),
        replies_to_bot: msg
            .referenced_message
            .as_ref()
            .is_some_and(|r| r.author.id.get() == bot),
        in_thread,
        embeds: state.server(msg.guild_id.map(|g| g.get())).embeds && embeds,
        received: Instant::now(),
    }
}

pub(crate) fn press(state: &BotState, c: &ComponentInteraction) -> ButtonPress {
    let parts = c.member.as_ref().map(|m| m as &dyn MemberParts);
    ButtonPress {
        custom_id: c.data.custom_id.clone(),
        member: member(&c.user, c.guild_id, c.channel_id, parts),
        embeds: state.server(c.guild_id.map(|g| g.get())).embeds
            && c.app_permissions.is_none_or(|p| p.embed_links()),
        received: Instant::now(),
    }
}

/// Names for what `text` mentions: users from the event itself (a message's
/// `mentions`, with their server nickname) or the cache, roles and channels
/// from the cached server. An id with no known name is left out, and the
/// question then drops the mention.
pub(crate) fn names(
    ctx: &serenity::Context,
    guild: Option<GuildId>,
    text: &str,
    mentions: &[User],
) -> Names {
    let ids = markup::mentioned(text);
    let mut names = Names::default();
    if ids == markup::Mentioned::default() {
        return names;
    }
    for id in ids.users {
        let from_event = mentions.iter().find(|u| u.id.get() == id).map(|u| {
            let nick = u.member.as_ref().and_then(|m| m.nick.clone());
            nick.unwrap_or_else(|| u.display_name().to_string())
        });
        let from_cache = || {
            let guild = ctx.cache.guild(guild?)?;
            let m = guild.members.get(&serenity::UserId::new(id))?;
            Some(m.display_name().to_string())
        };
        if let Some(name) = from_event.or_else(from_cache) {
            names.users.insert(id, name);
        }
    }
    let Some(guild) = guild.and_then(|g| ctx.cache.guild(g)) else {
        return names;
    };
    for id in ids.roles {
        if let Some(role) = guild.roles.get(&RoleId::new(id.max(1))) {
            names.roles.insert(id, role.name.clone());
        }
    }
    for id in ids.channels {
        let channel = ChannelId::new(id.max(1));
        let name = guild
            .channels
            .get(&channel)
            .map(|c| c.name.clone())
            .or_else(|| {
                let t = guild.threads.iter().find(|t| t.id == channel)?;
                Some(t.name.clone())
            });
        if let Some(name) = name {
            names.channels.insert(id, name);
        }
    }
    names
}
