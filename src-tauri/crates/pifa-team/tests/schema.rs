//! The team schema's migrations: from every earlier version, concurrently, and a newer schema
//! read but never written by an older desktop.

use pifa_core::team::{TeamCode, TeamError};
use pifa_team::testing::TestDatabase;
use pifa_team::{Member, TeamDb, TEAM_MIGRATIONS};

#[tokio::test]
async fn every_earlier_version_migrates_to_the_newest_keeping_the_team() {
    for start in 1..=TEAM_MIGRATIONS.len() {
        let db = TestDatabase::create(&format!("from_v{start}")).await;
        let older =
            TeamDb::connect_with(&db.address, Some(&db.password), &TEAM_MIGRATIONS[..start])
                .await
                .unwrap();
        assert_eq!(older.schema().version, start as i64);
        // Version 1 already holds the team; every later one must keep it.
        let code = TeamCode::generate();
        older
            .create_team("组", &code, &Member::new("林", "desk"))
            .await
            .unwrap();
        drop(older);
        let newest = TeamDb::connect(&db.address, Some(&db.password))
            .await
            .unwrap();
        assert_eq!(newest.schema().version, TEAM_MIGRATIONS.len() as i64);
        let info = newest.team_info().await.unwrap();
        assert_eq!(info.team_id, code.team_id.to_string());
        assert_eq!(info.members.len(), 1);
    }
}

#[tokio::test]
async fn desktops_starting_together_migrate_once() {
    let db = TestDatabase::create("migrate_together").await;
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let (address, password) = (db.address.clone(), db.password.clone());
            tokio::spawn(async move { TeamDb::connect(&address, Some(&password)).await })
        })
        .collect();
    for handle in handles {
        let team = handle.await.unwrap().unwrap();
        assert_eq!(team.schema().version, TEAM_MIGRATIONS.len() as i64);
    }
    let client = db.inspect().await;
    let applied: i64 = client
        .query_one("SELECT count(*) FROM pifa.schema_versions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, TEAM_MIGRATIONS.len() as i64);
}

#[tokio::test]
async fn an_older_desktop_reads_a_newer_schema_and_refuses_to_write() {
    let db = TestDatabase::create("newer_schema").await;
    let newest = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let code = TeamCode::generate();
    newest
        .create_team("组", &code, &Member::new("林", "desk"))
        .await
        .unwrap();
    // A future Pifa added a version.
    db.inspect()
        .await
        .execute(
            "INSERT INTO pifa.schema_versions (version, applied_by) VALUES ($1, 'pifa 99')",
            &[&(TEAM_MIGRATIONS.len() as i32 + 1)],
        )
        .await
        .unwrap();
    let older = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let too_new = Err(TeamError::SchemaTooNew {
        found: TEAM_MIGRATIONS.len() as i64 + 1,
        known: TEAM_MIGRATIONS.len() as i64,
    });
    assert_eq!(older.check_writable(), too_new.clone());
    assert_eq!(older.team_info().await.unwrap().name, "组");
    let refused = older.join_team(&code, &Member::new("王", "desk-2")).await;
    assert_eq!(refused.map(drop), too_new);
    let message = older.check_writable().unwrap_err().to_string();
    assert!(message.contains("update Pifa"), "{message}");
}
