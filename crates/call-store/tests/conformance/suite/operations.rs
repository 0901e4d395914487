//! Operations: migrations, schema, health, several instances on one database.

use super::*;

pub(crate) async fn schema_and_migrations_are_current(db: &TestStore) {
    let store = db.store.as_ref();
    let status = store.migration_status().await.unwrap();
    assert!(status.is_current(), "{status:?}");
    assert_eq!(status.applied.len(), embedded_migrations(&db.target));
    assert_eq!(
        store.schema_drift().await.unwrap(),
        vec![],
        "schema.rs matches the migrated database"
    );
    let again = call_store::migrate(&db.target).await.unwrap();
    assert!(again.is_empty(), "nothing left to apply");
    store.health_check().await.unwrap();
    assert_eq!(
        call_store::migration_status(&db.target).await.unwrap(),
        status
    );
}

/// Used by `migrations_go_down_and_up_again` in main.rs.
pub(crate) async fn migrations_down_and_up(target: &call_store::StoreTarget) {
    let applied = call_store::migrate(target).await.unwrap();
    let embedded = embedded_migrations(target);
    assert_eq!(applied.len(), embedded);
    let store = call_store::open_target(target, call_store::StoreOptions::default())
        .await
        .unwrap();
    let scenario = &scenarios::all(800, t0())[0];
    apply_all(store.as_ref(), &scenario.events).await;
    assert!(store.schema_drift().await.unwrap().is_empty());
    drop(store);
    let reverted = call_store::revert_migrations(target, 10).await.unwrap();
    assert_eq!(reverted.len(), embedded, "every migration reverted");
    let mut sorted = applied.clone();
    sorted.reverse();
    assert_eq!(reverted, sorted, "newest first");
    let status = call_store::migration_status(target).await.unwrap();
    assert!(status.applied.is_empty());
    assert_eq!(status.pending.len(), embedded);
    let reapplied = call_store::migrate(target).await.unwrap();
    assert_eq!(reapplied, applied);
    let store = call_store::open_target(target, call_store::StoreOptions::default())
        .await
        .unwrap();
    assert!(store.schema_drift().await.unwrap().is_empty());
    assert!(
        store.get_call(&scenario.root).await.unwrap().is_none(),
        "down really dropped the data"
    );
    apply_all(store.as_ref(), &scenario.events).await;
    assert!(store.get_call(&scenario.root).await.unwrap().is_some());
}

/// Migrations embedded for a backend (SQLite's fifth removes the trigram index its fourth
/// added; PostgreSQL's fifth makes the event indexes partial; both sixths index the
/// distinct numbers).
fn embedded_migrations(target: &call_store::StoreTarget) -> usize {
    match target {
        call_store::StoreTarget::Sqlite(_) => 6,
        call_store::StoreTarget::Postgres(_) => 6,
    }
}
