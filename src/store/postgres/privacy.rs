//! The privacy statements (`store::privacy`) on PostgreSQL, each change in
//! one transaction; a purge announces its generation like any brief change.

use super::{bump_and_notify, id, Postgres};
use crate::store::privacy::{
    self, mention, Departure, Erased, Key, Purged, ERASED_MENTION, GUILD_ROWS, PURGE_REASON,
};
use crate::store::sql;
use crate::store::StoreError;

impl Postgres {
    pub(crate) async fn forget_member(&self, user: u64) -> Result<Erased, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let user = id(user);
        let votes = tx.execute(privacy::FORGET_VOTES, &[&user]).await?;
        let questions = tx.execute(privacy::FORGET_QUESTIONS, &[&user]).await?;
        let who = mention(user as u64);
        let pattern = format!("%{who}%");
        let audit = tx
            .execute(
                privacy::ANONYMISE_AUDIT,
                &[&user, &who, &ERASED_MENTION, &pattern],
            )
            .await?;
        let briefs = tx.execute(privacy::ANONYMISE_BRIEFS, &[&user]).await?;
        let legacy = tx
            .execute(privacy::ANONYMISE_LEGACY_BRIEFS, &[&user])
            .await?;
        let settings = tx.execute(privacy::ANONYMISE_SETTINGS, &[&user]).await?;
        tx.commit().await?;
        Ok(Erased {
            questions,
            votes,
            anonymised: audit + briefs + legacy + settings,
        })
    }

    pub(crate) async fn record_departure(
        &self,
        guild: u64,
        left_at: i64,
    ) -> Result<bool, StoreError> {
        let n = self
            .execute(privacy::RECORD_DEPARTURE, &[&id(guild), &left_at])
            .await?;
        Ok(n > 0)
    }

    pub(crate) async fn cancel_departure(&self, guild: u64) -> Result<bool, StoreError> {
        Ok(self
            .execute(privacy::CANCEL_DEPARTURE, &[&id(guild)])
            .await?
            > 0)
    }

    pub(crate) async fn departures(&self) -> Result<Vec<Departure>, StoreError> {
        let rows = self.query(privacy::DEPARTURES, &[]).await?;
        rows.iter()
            .map(|r| {
                Ok(Departure {
                    guild: r.try_get::<_, i64>(0)? as u64,
                    left_at: r.try_get(1)?,
                })
            })
            .collect()
    }

    pub(crate) async fn purge_guild(
        &self,
        guild: u64,
        left_before: i64,
        now: i64,
        now_ms: i64,
    ) -> Result<Option<Purged>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let claimed = tx
            .execute(privacy::CLAIM_DEPARTURE, &[&id(guild), &left_before])
            .await?;
        if claimed == 0 {
            return Ok(None);
        }
        let tenant = guild.to_string();
        let mut rows = Vec::with_capacity(GUILD_ROWS.len());
        for g in GUILD_ROWS {
            let n = match g.key {
                Key::Guild => tx.execute(g.delete, &[&id(guild)]).await?,
                Key::Tenant => tx.execute(g.delete, &[&tenant]).await?,
            };
            rows.push((g.table, n));
        }
        let generation = bump_and_notify(&tx, now_ms, PURGE_REASON).await?;
        let purged = Purged {
            guild,
            rows,
            generation,
        };
        tx.execute(
            sql::AUDIT,
            &[
                &None::<i64>,
                &id(privacy::ERASED_MEMBER),
                &"purge",
                &purged.describe(),
                &now,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(purged))
    }

    pub(crate) async fn known_guilds(&self) -> Result<Vec<u64>, StoreError> {
        let mut guilds = std::collections::BTreeSet::new();
        for g in GUILD_ROWS {
            let Some(sql) = g.known() else { continue };
            for row in self.query(&sql, &[]).await? {
                match g.key {
                    Key::Guild => {
                        guilds.insert(row.try_get::<_, i64>(0)? as u64);
                    }
                    Key::Tenant => {
                        guilds.extend(row.try_get::<_, String>(0)?.parse::<u64>().ok());
                    }
                }
            }
        }
        Ok(guilds.into_iter().collect())
    }

    pub(crate) async fn question_guilds(&self) -> Result<Vec<Option<u64>>, StoreError> {
        let rows = self.query(privacy::QUESTION_GUILDS, &[]).await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<_, Option<i64>>(0)?.map(|g| g as u64)))
            .collect()
    }

    pub(crate) async fn prune_questions(
        &self,
        guild: Option<u64>,
        before: i64,
    ) -> Result<usize, StoreError> {
        let n = match guild {
            Some(g) => {
                self.execute(privacy::PRUNE_GUILD_QUESTIONS, &[&id(g), &before])
                    .await?
            }
            None => {
                self.execute(privacy::PRUNE_DM_QUESTIONS, &[&before])
                    .await?
            }
        };
        Ok(n as usize)
    }
}
