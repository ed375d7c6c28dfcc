//! One reply, independent of how it goes out: as a channel message, an
//! interaction response, a follow-up or a poise reply. Every conversion sets
//! empty allowed mentions, so no reply can ping anyone whatever it contains.

use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, CreateActionRow, CreateAllowedMentions, CreateEmbed,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, MessageId,
};

/// serenity's two interaction builders share these setters but no trait:
/// one macro keeps both conversions identical.
macro_rules! interaction_builder {
    ($reply:expr, $builder:expr) => {{
        let mut m = $builder
            .embeds($reply.embeds.clone())
            .components($reply.components.clone())
            .ephemeral($reply.ephemeral)
            .allowed_mentions(CreateAllowedMentions::new());
        if let Some(c) = &$reply.content {
            m = m.content(c);
        }
        m
    }};
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub content: Option<String>,
    pub embeds: Vec<CreateEmbed>,
    pub components: Vec<CreateActionRow>,
    /// Only the invoker sees it (interactions only; messages cannot be).
    pub ephemeral: bool,
}

impl Reply {
    pub fn text(content: impl Into<String>) -> Reply {
        Reply {
            content: Some(content.into()),
            ..Reply::default()
        }
    }

    /// A private reply: refusals and errors.
    pub fn private(content: impl Into<String>) -> Reply {
        Reply {
            ephemeral: true,
            ..Reply::text(content)
        }
    }

    /// As a message in a channel, replying to `reply_to` when given (without
    /// pinging its author).
    pub fn to_message(&self, reply_to: Option<(ChannelId, MessageId)>) -> CreateMessage {
        let mut m = CreateMessage::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(CreateAllowedMentions::new());
        if let Some(c) = &self.content {
            m = m.content(c);
        }
        if let Some(r) = reply_to {
            m = m.reference_message(r);
        }
        m
    }

    /// As the first response to an interaction (or its update, for buttons).
    pub fn to_interaction(&self) -> CreateInteractionResponseMessage {
        interaction_builder!(self, CreateInteractionResponseMessage::new())
    }

    /// As a follow-up after a deferred response.
    pub fn to_followup(&self) -> CreateInteractionResponseFollowup {
        interaction_builder!(self, CreateInteractionResponseFollowup::new())
    }

    /// As an edit of an interaction's original response (after a deferral,
    /// or when a first response that seemed lost had landed). Whether it is
    /// private was settled by that first response.
    pub(crate) fn to_edit(&self) -> EditInteractionResponse {
        let mut m = EditInteractionResponse::new()
            .embeds(self.embeds.clone())
            .components(self.components.clone())
            .allowed_mentions(CreateAllowedMentions::new());
        if let Some(c) = &self.content {
            m = m.content(c);
        }
        m
    }

    /// As a poise reply (slash commands).
    pub(crate) fn to_poise(&self) -> poise::CreateReply {
        let mut r = poise::CreateReply::default()
            .components(self.components.clone())
            .ephemeral(self.ephemeral)
            .allowed_mentions(CreateAllowedMentions::new());
        for e in &self.embeds {
            r = r.embed(e.clone());
        }
        if let Some(c) = &self.content {
            r = r.content(c);
        }
        r
    }
}
