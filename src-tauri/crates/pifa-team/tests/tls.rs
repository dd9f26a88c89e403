//! TLS to the team database, on the throwaway cluster of `.dev/with-postgres`, which presents a
//! certificate from a certificate authority of its own (as a team running its own authority
//! would): trusted through `sslrootcert`, refused without it, and said which.

use pifa_core::team::TeamError;
use pifa_team::testing::TestDatabase;
use pifa_team::{TeamAddress, TeamDb};

fn authority() -> String {
    std::env::var("PIFA_TEST_POSTGRES_CA")
        .expect("run under `bash .dev/with-postgres`, which sets PIFA_TEST_POSTGRES_CA")
}

fn address_with(db: &TestDatabase, query: &str) -> TeamAddress {
    TeamAddress::parse(&format!("{}?{query}", db.address.as_str()))
        .unwrap()
        .0
}

/// How many of the test database's connections from Pifa are encrypted, per the server.
async fn encrypted_connections(db: &TestDatabase) -> i64 {
    let name = db.address.as_str().rsplit('/').next().unwrap().to_owned();
    db.inspect()
        .await
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.datname = $1 AND a.application_name = 'pifa' AND s.ssl",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_teams_own_authority_is_trusted_through_sslrootcert() {
    let db = TestDatabase::create("tls_own_authority").await;
    let address = address_with(
        &db,
        &format!("sslmode=verify-full&sslrootcert={}", authority()),
    );
    assert!(address.uses_tls());
    let team = TeamDb::connect(&address, Some(&db.password)).await.unwrap();
    assert!(team.check_writable().is_ok());
    assert_eq!(encrypted_connections(&db).await, 1);
}

#[tokio::test]
async fn a_certificate_nobody_vouches_for_is_refused_and_said_so() {
    let db = TestDatabase::create("tls_untrusted").await;
    let address = address_with(&db, "sslmode=require");
    match TeamDb::connect(&address, Some(&db.password)).await {
        Err(TeamError::TlsUntrusted(why)) => {
            assert!(why.contains("certificate"), "{why}");
            let shown = TeamError::TlsUntrusted(why).to_string();
            assert!(shown.contains("sslrootcert"), "{shown}");
        }
        Err(other) => panic!("refused for another reason: {other:?}"),
        Ok(_) => panic!("an unknown authority was trusted"),
    }
    assert_eq!(encrypted_connections(&db).await, 0);
}

#[tokio::test]
async fn an_authority_file_that_cannot_be_used_names_itself() {
    let db = TestDatabase::create("tls_bad_authority").await;
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "这不是证书").unwrap();
    for path in [
        dir.path().join("missing.pem").display().to_string(),
        not_pem.display().to_string(),
    ] {
        let address = address_with(&db, &format!("sslmode=require&sslrootcert={path}"));
        match TeamDb::connect(&address, Some(&db.password)).await {
            Err(TeamError::BadUrl(message)) => {
                assert!(message.contains("sslrootcert"), "{message}");
                assert!(message.contains(&path), "{message}");
            }
            other => panic!("{path}: {:?}", other.err()),
        }
    }
}
