// Agents.
// Included by `queries/mod.rs`: see there.

use super::*;

fn agent_conflict(err: DieselError) -> StoreError {
    match &err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            let names = format!(
                "{} {}",
                info.message(),
                info.constraint_name().unwrap_or_default()
            );
            StoreError::Conflict {
                what: if names.contains("identity") {
                    "agent identity"
                } else {
                    "agent username"
                },
            }
        }
        _ => db("creating an agent")(err),
    }
}

pub(crate) async fn create_agent(
    conn: &mut Conn,
    agent: &NewAgent,
    now: i64,
) -> Result<Agent, StoreError> {
    diesel::insert_into(agents::table)
        .values(NewAgentRow {
            username: &agent.username,
            display_name: &agent.display_name,
            identity: agent.identity.as_str(),
            password_hash: &agent.password_hash,
            role: agent.role.as_str(),
            active: true,
            created_at: now,
            updated_at: now,
        })
        .returning(AgentRow::as_returning())
        .get_result(conn)
        .await
        .map_err(agent_conflict)?
        .into_model()
}

pub(crate) async fn get_agent(conn: &mut Conn, id: i64) -> Result<Option<Agent>, StoreError> {
    agents::table
        .find(id)
        .select(AgentRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(db("reading an agent"))?
        .map(AgentRow::into_model)
        .transpose()
}

pub(crate) async fn get_agent_by_username(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<Agent>, StoreError> {
    agents::table
        .filter(agents::username.eq(username))
        .select(AgentRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(db("reading an agent"))?
        .map(AgentRow::into_model)
        .transpose()
}

pub(crate) async fn get_agent_by_identity(
    conn: &mut Conn,
    identity: &ClientIdentity,
) -> Result<Option<Agent>, StoreError> {
    agents::table
        .filter(agents::identity.eq(identity.as_str()))
        .select(AgentRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(db("reading an agent"))?
        .map(AgentRow::into_model)
        .transpose()
}

pub(crate) async fn get_agent_credentials(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<AgentCredentials>, StoreError> {
    let row: Option<(AgentRow, String)> = agents::table
        .filter(agents::username.eq(username))
        .select((AgentRow::as_select(), agents::password_hash))
        .first(conn)
        .await
        .optional()
        .map_err(db("reading an agent"))?;
    row.map(|(agent, password_hash)| {
        Ok(AgentCredentials {
            agent: agent.into_model()?,
            password_hash,
        })
    })
    .transpose()
}

pub(crate) async fn list_agents(conn: &mut Conn) -> Result<Vec<Agent>, StoreError> {
    agents::table
        .order(agents::id)
        .select(AgentRow::as_select())
        .load(conn)
        .await
        .map_err(db("listing agents"))?
        .into_iter()
        .map(AgentRow::into_model)
        .collect()
}

pub(crate) async fn set_agent_active(
    conn: &mut Conn,
    id: i64,
    active: bool,
    now: i64,
) -> Result<Agent, StoreError> {
    diesel::update(agents::table.find(id))
        .set((agents::active.eq(active), agents::updated_at.eq(now)))
        .returning(AgentRow::as_returning())
        .get_result(conn)
        .await
        .optional()
        .map_err(db("updating an agent"))?
        .ok_or(StoreError::NotFound { what: "agent" })?
        .into_model()
}

pub(crate) async fn set_agent_password_hash(
    conn: &mut Conn,
    id: i64,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    let hash = crate::model::validate_password_hash(hash)?;
    let updated = diesel::update(agents::table.find(id))
        .set((agents::password_hash.eq(hash), agents::updated_at.eq(now)))
        .execute(conn)
        .await
        .map_err(db("updating an agent"))?;
    if updated == 0 {
        return Err(StoreError::NotFound { what: "agent" });
    }
    Ok(())
}

pub(crate) async fn update_agent_role(
    conn: &mut Conn,
    id: i64,
    role: AgentRole,
    now: i64,
) -> Result<Agent, StoreError> {
    diesel::update(agents::table.find(id))
        .set((agents::role.eq(role.as_str()), agents::updated_at.eq(now)))
        .returning(AgentRow::as_returning())
        .get_result(conn)
        .await
        .optional()
        .map_err(db("updating an agent"))?
        .ok_or(StoreError::NotFound { what: "agent" })?
        .into_model()
}
