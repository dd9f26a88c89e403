//! Team mode: a buying team shares one PostgreSQL database (the team's own server). This crate
//! is the only one that talks to it; the workbench decides when. See `pifa_core::team` for the
//! team's errors and code.

mod address;
mod connect;
mod contacts;
mod error;
pub mod history;
pub mod members;
mod offers;
pub mod picks;
pub mod rate;
pub mod schema;
pub mod shortlists;
/// Test databases on the throwaway cluster (`.dev/with-postgres`); for tests only.
#[doc(hidden)]
pub mod testing;
pub mod watches;

pub use address::TeamAddress;
pub use members::{Member, MemberSeen, TeamInfo};
pub use picks::NewPickRun;
pub use rate::{TeamGate, Turn};
pub use schema::{SchemaState, TEAM_MIGRATIONS};
pub use shortlists::ShortlistSnapshot;
pub use watches::{CheckOutcome, Claim, Finished};

use pifa_core::team::TeamError;
use tokio::sync::Mutex;

/// A connection to the team database, its schema checked. Statements go through one client;
/// transactions hold it for their length.
pub struct TeamDb {
    client: Mutex<tokio_postgres::Client>,
    /// Set when the connection ends (`connect::open_watched`).
    closed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    address: TeamAddress,
    schema: SchemaState,
}

impl TeamDb {
    /// Connects and brings the team schema up to date; a newer schema leaves it read-only.
    pub async fn connect(
        address: &TeamAddress,
        password: Option<&str>,
    ) -> Result<TeamDb, TeamError> {
        Self::connect_with(address, password, TEAM_MIGRATIONS).await
    }

    /// As [`TeamDb::connect`], knowing only `migrations` (tests of older desktops).
    pub async fn connect_with(
        address: &TeamAddress,
        password: Option<&str>,
        migrations: &[&str],
    ) -> Result<TeamDb, TeamError> {
        let (mut client, closed) = connect::open_watched(address, password).await?;
        let schema = schema::migrate(&mut client, migrations).await?;
        Ok(TeamDb {
            client: Mutex::new(client),
            closed,
            address: address.clone(),
            schema,
        })
    }

    pub fn address(&self) -> &TeamAddress {
        &self.address
    }

    pub fn schema(&self) -> SchemaState {
        self.schema
    }

    /// Refuses a change this desktop may not make (a newer team schema).
    pub fn check_writable(&self) -> Result<(), TeamError> {
        self.schema.check_writable()
    }

    /// Whether the connection has gone (server restarted, network lost): connect again.
    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) async fn client(&self) -> tokio::sync::MutexGuard<'_, tokio_postgres::Client> {
        self.client.lock().await
    }
}

/// A fresh random id (hex), for members.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    hex::encode(bytes)
}
