//! Creating, joining and leaving a team on a real PostgreSQL (`.dev/with-postgres`).

use pifa_core::team::{TeamCode, TeamError};
use pifa_team::testing::TestDatabase;
use pifa_team::{Member, TeamDb, TEAM_MIGRATIONS};

#[tokio::test]
async fn a_team_is_created_once_and_joined_with_its_code_only() {
    let db = TestDatabase::create("created_once").await;
    let first = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let code = TeamCode::generate();
    let lin = Member::new("林采购", "desk-1");
    let info = first.create_team("义乌采购组", &code, &lin).await.unwrap();
    assert_eq!(info.name, "义乌采购组");
    assert_eq!(info.team_id, code.team_id.to_string());
    assert_eq!(info.members.len(), 1);
    assert_eq!(info.members[0].name, "林采购");
    assert_eq!(info.schema_version as usize, TEAM_MIGRATIONS.len());

    // A second `init` on the same database names the team that is there.
    let again = first
        .create_team("another", &TeamCode::generate(), &lin)
        .await;
    assert_eq!(again, Err(TeamError::AlreadySetUp("义乌采购组".into())));

    let second = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let wang = Member::new("王经理", "desk-2");
    assert_eq!(
        second.join_team(&TeamCode::generate(), &wang).await,
        Err(TeamError::WrongCode)
    );
    // The right id with another key is refused too.
    let mut forged = TeamCode::generate();
    forged.team_id = code.team_id;
    assert_eq!(
        second.join_team(&forged, &wang).await,
        Err(TeamError::WrongCode)
    );
    let info = second.join_team(&code, &wang).await.unwrap();
    let names: Vec<&str> = info.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"王经理") && names.contains(&"林采购"));

    second.leave_team(&wang.member_id).await.unwrap();
    let info = first.team_info().await.unwrap();
    assert_eq!(info.members.len(), 1);
    // Coming back lists the member again.
    second.join_team(&code, &wang).await.unwrap();
    assert_eq!(first.team_info().await.unwrap().members.len(), 2);
}

#[tokio::test]
async fn joining_an_empty_database_says_to_create_the_team() {
    let db = TestDatabase::create("empty_join").await;
    let team = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let me = Member::new("林", "desk");
    assert_eq!(
        team.join_team(&TeamCode::generate(), &me).await,
        Err(TeamError::NoTeam)
    );
    assert_eq!(team.team_info().await, Err(TeamError::NoTeam));
}

#[tokio::test]
async fn the_team_key_never_reaches_the_database() {
    let db = TestDatabase::create("key_never_stored").await;
    let team = TeamDb::connect(&db.address, Some(&db.password))
        .await
        .unwrap();
    let code = TeamCode::generate();
    team.create_team("组", &code, &Member::new("林", "desk"))
        .await
        .unwrap();
    let key_hex = hex::encode(code.key.bytes());
    let encoded = code.encode();
    // Every text and byte column of every table in the team's schema, as text.
    let client = db.inspect().await;
    let tables = client
        .query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'pifa'",
            &[],
        )
        .await
        .unwrap();
    assert!(!tables.is_empty());
    for table in tables {
        let table: String = table.get(0);
        let rows = client
            .query(&format!("SELECT t::text FROM pifa.{table} t"), &[])
            .await
            .unwrap();
        for row in rows {
            let text: String = row.get(0);
            assert!(!text.contains(&key_hex), "{table} holds the key");
            assert!(!text.contains(&encoded), "{table} holds the code");
        }
    }
}

#[tokio::test]
async fn a_wrong_password_and_a_missing_server_are_told_apart() {
    let db = TestDatabase::create("wrong_password").await;
    let refused = TeamDb::connect(&db.address, Some("not-the-password")).await;
    assert!(
        matches!(refused, Err(TeamError::LoginRefused(_))),
        "{:?}",
        refused.err()
    );
    // A port nothing listens on: the server cannot be reached.
    let (gone, _) = pifa_team::TeamAddress::parse("postgresql://pifa@127.0.0.1:9/none").unwrap();
    let unreachable = TeamDb::connect(&gone, Some("x")).await;
    assert!(matches!(unreachable, Err(TeamError::Unreachable(_))));
    let message = unreachable.err().unwrap().to_string();
    assert!(!message.contains("not-the-password"));
}
