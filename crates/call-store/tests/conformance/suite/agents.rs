//! Agents.

use super::*;

pub(crate) async fn agents_lifecycle(db: &TestStore) {
    let store = db.store.as_ref();
    let (ana, bob) = seed_agents(store).await;
    assert_eq!(ana.display_name, "Álefe Lins");
    assert!(ana.active);
    assert_eq!(store.get_agent(ana.id).await.unwrap().unwrap(), ana);
    assert_eq!(
        store.get_agent_by_username("bob").await.unwrap().unwrap(),
        bob
    );
    assert_eq!(
        store
            .get_agent_by_identity(&ClientIdentity::parse("ana").unwrap())
            .await
            .unwrap()
            .unwrap(),
        ana
    );
    assert!(
        store
            .get_agent_by_username("nobody")
            .await
            .unwrap()
            .is_none()
    );
    let creds = store.get_agent_credentials("ana").await.unwrap().unwrap();
    assert_eq!(creds.password_hash(), "hash-a");
    assert!(!format!("{creds:?}").contains("hash-a"));
    let dup_name = NewAgent::new(
        "ana",
        "Other",
        ClientIdentity::parse("other").unwrap(),
        "h",
        AgentRole::Agent,
    )
    .unwrap();
    assert!(matches!(
        store.create_agent(&dup_name).await,
        Err(StoreError::Conflict {
            what: "agent username"
        })
    ));
    let dup_identity = NewAgent::new(
        "carla",
        "Carla",
        ClientIdentity::parse("ana").unwrap(),
        "h",
        AgentRole::Agent,
    )
    .unwrap();
    assert!(matches!(
        store.create_agent(&dup_identity).await,
        Err(StoreError::Conflict {
            what: "agent identity"
        })
    ));
    db.clock.advance(chrono::Duration::seconds(5));
    let inactive = store.set_agent_active(ana.id, false).await.unwrap();
    assert!(!inactive.active);
    assert!(inactive.updated_at > ana.updated_at);
    store
        .set_agent_password_hash(ana.id, "hash-a2")
        .await
        .unwrap();
    assert_eq!(
        store
            .get_agent_credentials("ana")
            .await
            .unwrap()
            .unwrap()
            .password_hash(),
        "hash-a2"
    );
    let promoted = store
        .update_agent_role(ana.id, AgentRole::Admin)
        .await
        .unwrap();
    assert_eq!(promoted.role, AgentRole::Admin);
    assert_eq!(
        store
            .list_agents()
            .await
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(matches!(
        store.set_agent_active(99, true).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.set_agent_password_hash(99, "x").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.update_agent_role(99, AgentRole::Agent).await,
        Err(StoreError::NotFound { .. })
    ));
}
