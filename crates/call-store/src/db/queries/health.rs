// Health and schema checks.
// Included by `queries/mod.rs`: see there.

use super::*;

pub(crate) async fn ping(conn: &mut Conn) -> Result<(), StoreError> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
        .get_result::<i32>(conn)
        .await
        .map_err(db("checking the database"))?;
    Ok(())
}

pub(crate) async fn schema_drift(conn: &mut Conn) -> Result<Vec<SchemaDrift>, StoreError> {
    let mut drift = Vec::new();
    for (table, declared) in crate::schema::declared_columns() {
        let live: BTreeSet<String> = live_columns(conn, table).await?.into_iter().collect();
        let declared: BTreeSet<String> = declared.into_iter().collect();
        let missing: Vec<String> = declared.difference(&live).cloned().collect();
        let extra: Vec<String> = live.difference(&declared).cloned().collect();
        if !missing.is_empty() || !extra.is_empty() {
            drift.push(SchemaDrift {
                table: table.to_owned(),
                missing,
                extra,
            });
        }
    }
    Ok(drift)
}
