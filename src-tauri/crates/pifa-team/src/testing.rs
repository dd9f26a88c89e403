//! For tests in this crate and those above it: a database of its own on the throwaway
//! PostgreSQL cluster that `.dev/with-postgres` starts, dropped when the test ends.

use std::str::FromStr;

use crate::TeamAddress;

/// A database made for one test. Dropping it drops the database (best effort).
pub struct TestDatabase {
    pub address: TeamAddress,
    pub password: String,
    name: String,
    admin_url: String,
}

/// The cluster's address and password; a test without them fails and says how to get them,
/// rather than passing without having run.
fn cluster() -> (String, String) {
    let url = std::env::var("PIFA_TEST_POSTGRES_URL");
    let password = std::env::var("PIFA_TEST_POSTGRES_PASSWORD");
    match (url, password) {
        (Ok(url), Ok(password)) => (url, password),
        _ => panic!(
            "team-mode tests need a PostgreSQL server: run them under `bash .dev/with-postgres` \
             (the test command does), which sets PIFA_TEST_POSTGRES_URL and PIFA_TEST_POSTGRES_PASSWORD"
        ),
    }
}

impl TestDatabase {
    /// Creates an empty database named after the test (plus randomness, so runs never meet).
    pub async fn create(test: &str) -> TestDatabase {
        let (admin_url, password) = cluster();
        let slug: String = test
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let name = format!("t_{slug}_{}", crate::random_id());
        let admin = admin(&admin_url, &password).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let mut url = url::Url::parse(&admin_url).expect("a URL");
        url.set_path(&name);
        let (address, _) = TeamAddress::parse(url.as_str()).expect("the test address");
        TestDatabase {
            address,
            password,
            name,
            admin_url,
        }
    }

    /// The address with the password in it, as a user might paste it.
    pub fn url_with_password(&self) -> String {
        let mut url = url::Url::parse(self.address.as_str()).expect("a URL");
        url.set_password(Some(&self.password)).expect("a host");
        url.to_string()
    }

    /// A plain client for looking at what the team database holds.
    pub async fn inspect(&self) -> tokio_postgres::Client {
        admin(self.address.as_str(), &self.password).await
    }
}

async fn admin(url: &str, password: &str) -> tokio_postgres::Client {
    let mut config = tokio_postgres::Config::from_str(url).expect("a URL");
    config.password(password);
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("the test cluster answers");
    tokio::spawn(connection);
    client
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (url, password, name) = (
            self.admin_url.clone(),
            self.password.clone(),
            self.name.clone(),
        );
        // Dropped inside a runtime or not: a thread of its own with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let admin = admin(&url, &password).await;
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            });
        })
        .join();
    }
}
