//! The statements of the parent module on SQLite, each change in one
//! transaction.

use rusqlite::{params, Connection};

use super::super::sql;
use super::super::StoreError;
use super::{mention, Departure, Erased, Key, Purged, ERASED_MENTION, GUILD_ROWS, PURGE_REASON};

fn id(v: u64) -> i64 {
    v as i64
}

pub(super) fn forget_member(c: &mut Connection, user: u64) -> Result<Erased, StoreError> {
    let tx = c.transaction()?;
    let votes = tx.execute(super::FORGET_VOTES, [id(user)])?;
    let questions = tx.execute(super::FORGET_QUESTIONS, [id(user)])?;
    let who = mention(user);
    let audit = tx.execute(
        super::ANONYMISE_AUDIT,
        params![id(user), who, ERASED_MENTION, format!("%{who}%")],
    )?;
    let briefs = tx.execute(super::ANONYMISE_BRIEFS, [id(user)])?;
    let legacy = tx.execute(super::ANONYMISE_LEGACY_BRIEFS, [id(user)])?;
    let settings = tx.execute(super::ANONYMISE_SETTINGS, [id(user)])?;
    tx.commit()?;
    Ok(Erased {
        questions: questions as u64,
        votes: votes as u64,
        anonymised: (audit + briefs + legacy + settings) as u64,
    })
}

pub(super) fn record_departure(
    c: &mut Connection,
    guild: u64,
    left_at: i64,
) -> Result<bool, StoreError> {
    Ok(c.execute(super::RECORD_DEPARTURE, params![id(guild), left_at])? > 0)
}

pub(super) fn cancel_departure(c: &mut Connection, guild: u64) -> Result<bool, StoreError> {
    Ok(c.execute(super::CANCEL_DEPARTURE, [id(guild)])? > 0)
}

pub(super) fn departures(c: &mut Connection) -> Result<Vec<Departure>, StoreError> {
    let mut stmt = c.prepare(super::DEPARTURES)?;
    let rows = stmt.query_map([], |r| {
        Ok(Departure {
            guild: r.get::<_, i64>(0)? as u64,
            left_at: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn purge_guild(
    c: &mut Connection,
    guild: u64,
    left_before: i64,
    now: i64,
    now_ms: i64,
) -> Result<Option<Purged>, StoreError> {
    let tx = c.transaction()?;
    if tx.execute(super::CLAIM_DEPARTURE, params![id(guild), left_before])? == 0 {
        return Ok(None);
    }
    let tenant = guild.to_string();
    let mut rows = Vec::with_capacity(GUILD_ROWS.len());
    for g in GUILD_ROWS {
        let n = match g.key {
            Key::Guild => tx.execute(g.delete, [id(guild)])?,
            Key::Tenant => tx.execute(g.delete, [&tenant])?,
        };
        rows.push((g.table, n as u64));
    }
    let generation: i64 =
        tx.query_row(sql::BUMP_GENERATION, params![now_ms, PURGE_REASON], |r| {
            r.get(0)
        })?;
    let purged = Purged {
        guild,
        rows,
        generation,
    };
    tx.execute(
        sql::AUDIT,
        params![
            None::<i64>,
            id(super::ERASED_MEMBER),
            "purge",
            purged.describe(),
            now
        ],
    )?;
    tx.commit()?;
    Ok(Some(purged))
}

pub(super) fn known_guilds(c: &mut Connection) -> Result<Vec<u64>, StoreError> {
    let mut guilds = std::collections::BTreeSet::new();
    for g in GUILD_ROWS {
        let Some(sql) = g.known() else { continue };
        let mut stmt = c.prepare(&sql)?;
        match g.key {
            Key::Guild => {
                let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
                for id in rows {
                    guilds.insert(id? as u64);
                }
            }
            Key::Tenant => {
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                for tenant in rows {
                    guilds.extend(tenant?.parse::<u64>().ok());
                }
            }
        }
    }
    Ok(guilds.into_iter().collect())
}

pub(super) fn question_guilds(c: &mut Connection) -> Result<Vec<Option<u64>>, StoreError> {
    let mut stmt = c.prepare(super::QUESTION_GUILDS)?;
    let rows = stmt.query_map([], |r| r.get::<_, Option<i64>>(0))?;
    let guilds: Vec<Option<i64>> = rows.collect::<Result<_, _>>()?;
    Ok(guilds.into_iter().map(|g| g.map(|g| g as u64)).collect())
}

pub(super) fn prune_questions(
    c: &mut Connection,
    guild: Option<u64>,
    before: i64,
) -> Result<usize, StoreError> {
    Ok(match guild {
        Some(g) => c.execute(super::PRUNE_GUILD_QUESTIONS, params![id(g), before])?,
        None => c.execute(super::PRUNE_DM_QUESTIONS, [before])?,
    })
}

/// Tables with a column naming a server (`guild_id` or `tenant`).
#[cfg(test)]
pub(super) fn tables_naming_a_server(c: &mut Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = c.prepare(
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.name IN ('guild_id', 'tenant')
         ORDER BY m.name",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
