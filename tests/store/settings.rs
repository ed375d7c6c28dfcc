//! Servers' own settings on both backends: kept across a restart, and read
//! by another process sharing the database at its next refresh.

use briefbot::cluster::ServerSettings;
use briefbot::config::{DatabaseUrl, GuildOverrides};
use briefbot::store::{SettingsChange, Store};

use crate::pg_cluster;

fn change(guild: u64) -> SettingsChange {
    SettingsChange {
        guild,
        by: 3,
        at: 1_700_000_000,
    }
}

async fn settings_survive_a_restart_and_reach_another_process(url: DatabaseUrl) {
    let a = Store::connect(&url, 2).await.unwrap();
    let b = Store::connect(&url, 2).await.unwrap();
    let (here, there) = (ServerSettings::default(), ServerSettings::default());
    let watch = GuildOverrides {
        watched_channels: Some(vec![104]),
        moderator_roles: Some(vec![11]),
        log_channel: Some(Some(107)),
        ..GuildOverrides::default()
    };
    let quiet = GuildOverrides {
        log_channel: Some(None),
        prefix: Some(false),
        ..GuildOverrides::default()
    };
    here.put(&a, change(10), watch.clone()).await.unwrap();
    here.put(&a, change(20), quiet.clone()).await.unwrap();
    assert_eq!(there.refresh(&b).await.unwrap(), 2);
    assert_eq!(
        (there.get(10), there.get(20)),
        (watch.clone(), quiet.clone())
    );

    // A later change replaces the earlier one everywhere, in order.
    let louder = GuildOverrides {
        prefix: Some(true),
        ..quiet.clone()
    };
    here.put(&a, change(20), louder.clone()).await.unwrap();
    assert_eq!(there.refresh(&b).await.unwrap(), 1);
    assert_eq!(there.get(20), louder);

    // A restart: a new connection and an empty memory read them all back.
    drop((a, b));
    let again = Store::connect(&url, 2).await.unwrap();
    let fresh = ServerSettings::default();
    assert_eq!(fresh.refresh(&again).await.unwrap(), 2);
    assert_eq!((fresh.get(10), fresh.get(20)), (watch, louder));
    assert_eq!(fresh.get(30), GuildOverrides::default());
}

#[tokio::test]
async fn sqlite_keeps_servers_settings() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("b.sqlite3"));
    settings_survive_a_restart_and_reach_another_process(url).await;
}

#[tokio::test]
async fn postgres_keeps_servers_settings() {
    let Some(db) = pg_cluster::database("settings") else {
        return;
    };
    settings_survive_a_restart_and_reach_another_process(DatabaseUrl::Postgres(db)).await;
}
