//! The team database's schema, versioned like the SQLite ones: every migration runs once, in a
//! transaction of its own, in order, while a session lock keeps two desktops from migrating at
//! the same time. Everything lives in the `pifa` schema, beside whatever else the database holds.
//! A database migrated by a newer Pifa is left alone: this desktop reads but does not write.

use pifa_core::team::TeamError;
use tokio_postgres::Client;

use crate::error::failed;

/// Appended to, never edited: a desktop knows up to `TEAM_MIGRATIONS.len()`.
pub const TEAM_MIGRATIONS: &[&str] = &[
    // 1: the team, its key check (never the key), and who is in it.
    r#"
    CREATE TABLE pifa.team (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        team_id    text NOT NULL,
        name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        key_check  bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
    );
    CREATE TABLE pifa.members (
        member_id   text PRIMARY KEY,
        name        text NOT NULL,
        host        text NOT NULL,
        app_version text NOT NULL,
        joined_at   timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz NOT NULL DEFAULT now(),
        left_at     timestamptz
    );
    "#,
    // Team watches (`watches.rs`): rules and what the team was told as JSON, who set them, when
    // each is due, the lease of the desktop checking it; alerts unique per watch, check and
    // event, and who has seen each.
    r#"
    CREATE TABLE pifa.watches (
        watch_id            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        offer_id            text PRIMARY KEY,
        target_qty          integer NOT NULL CHECK (target_qty >= 1),
        rules               jsonb NOT NULL,
        told                jsonb NOT NULL,
        observed_at         timestamptz,
        snoozed_until       timestamptz,
        snooze_until_target boolean NOT NULL DEFAULT false,
        set_by              text NOT NULL,
        set_by_name         text NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        next_check_at       timestamptz NOT NULL DEFAULT now(),
        leased_by           text,
        lease_until         timestamptz,
        lease_token         text,
        checks              bigint NOT NULL DEFAULT 0,
        last_checked_at     timestamptz,
        last_checked_by     text,
        last_error          text,
        last_error_code     text
    );
    CREATE INDEX watches_due ON pifa.watches (next_check_at);
    CREATE TABLE pifa.alerts (
        alert_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        watch_id       bigint NOT NULL,
        check_no       bigint NOT NULL,
        offer_id       text NOT NULL,
        title          text,
        kind           text NOT NULL,
        event_key      text NOT NULL DEFAULT '',
        target_qty     integer,
        old_price      bigint,
        new_price      bigint,
        message        text NOT NULL,
        details        jsonb NOT NULL,
        observed_at    timestamptz NOT NULL,
        raised_by      text NOT NULL,
        raised_by_name text NOT NULL,
        raised_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (watch_id, check_no, kind, event_key)
    );
    CREATE INDEX alerts_by_offer ON pifa.alerts (offer_id, observed_at);
    CREATE TABLE pifa.alerts_seen (
        alert_id  bigint NOT NULL REFERENCES pifa.alerts ON DELETE CASCADE,
        member_id text NOT NULL,
        seen_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (alert_id, member_id)
    );
    CREATE TABLE pifa.alerts_notified (
        alert_id    bigint NOT NULL REFERENCES pifa.alerts ON DELETE CASCADE,
        member_id   text NOT NULL,
        notified_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (alert_id, member_id)
    );
    "#,
    // The rate limit of each 1688 app key, one row per key shared by every desktop of the team
    // (`rate.rs`): `tat` is when the next call may go, on the server's clock. The app key is
    // not a secret; the app secret never comes here.
    r#"
    CREATE TABLE pifa.rate_limits (
        app_key        text PRIMARY KEY CHECK (length(app_key) BETWEEN 1 AND 200),
        tat            timestamptz NOT NULL,
        throttles      bigint NOT NULL DEFAULT 0,
        last_throttled timestamptz
    );
    "#,
    // Shared offers and shortlists (`shortlists.rs`): each offer as 1688 answered it (every
    // desktop cleans it itself, as it would its own fetch) with when and by whom it was fetched;
    // shortlists and their entries with who made and added them.
    r#"
    CREATE TABLE pifa.offers (
        offer_id   text PRIMARY KEY,
        answer     text NOT NULL,
        fetched_at timestamptz NOT NULL,
        fetched_by text NOT NULL
    );
    CREATE TABLE pifa.shortlists (
        shortlist_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name         text NOT NULL UNIQUE,
        created_by   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE pifa.shortlist_items (
        shortlist_id bigint NOT NULL REFERENCES pifa.shortlists ON DELETE CASCADE,
        offer_id     text NOT NULL REFERENCES pifa.offers,
        note         text NOT NULL DEFAULT '',
        target_qty   integer,
        added_by     text NOT NULL,
        added_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shortlist_id, offer_id)
    );
    "#,
    // The team's supplier book (`contacts.rs`): every field sealed on a member's desktop with
    // the team key, which never comes here; who changed it last.
    r#"
    CREATE TABLE pifa.supplier_contacts (
        supplier_key text NOT NULL,
        field        text NOT NULL,
        sealed       bytea NOT NULL,
        updated_by   text NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (supplier_key, field)
    );
    "#,
    // The team's pick runs (`picks.rs`), each whole as JSON like a desktop keeps its own, with
    // who ran it; the offers it weighed are shared in `pifa.offers` with it.
    r#"
    CREATE TABLE pifa.pick_runs (
        run_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ran_at     timestamptz NOT NULL,
        ran_by     text NOT NULL,
        request    text NOT NULL,
        weights    text NOT NULL,
        candidates text NOT NULL,
        outcome    text NOT NULL
    );
    CREATE INDEX pick_runs_ran_at ON pifa.pick_runs (ran_at);
    "#,
    // The team's price history (`history.rs`): every desktop's observations, as its store keeps
    // them (amounts in fen), once each; `point_id` orders them for the copies taking them.
    r#"
    CREATE TABLE pifa.price_points (
        point_id     bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        offer_id     text NOT NULL,
        observed_at  timestamptz NOT NULL,
        lowest_price bigint,
        tiers        text NOT NULL,
        sku_low      bigint,
        sku_high     bigint,
        skus         text,
        PRIMARY KEY (offer_id, observed_at)
    );
    "#,
];

/// An arbitrary constant: the advisory lock migrations hold.
const MIGRATION_LOCK: i64 = 0x5049_4641_5445_414d; // "PIFATEAM"

/// Where a database's schema stands for this desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaState {
    pub version: i64,
    pub known: i64,
}

impl SchemaState {
    /// Writes are refused on a schema this desktop does not know.
    pub fn check_writable(&self) -> Result<(), TeamError> {
        if self.version > self.known {
            Err(TeamError::SchemaTooNew {
                found: self.version,
                known: self.known,
            })
        } else {
            Ok(())
        }
    }
}

/// Brings the schema up to `migrations` (a prefix of [`TEAM_MIGRATIONS`] in tests).
pub async fn migrate(client: &mut Client, migrations: &[&str]) -> Result<SchemaState, TeamError> {
    let known = migrations.len() as i64;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(failed("waiting to update the team schema"))?;
    let result = migrate_locked(client, migrations, known).await;
    // Closing the connection would release it too; a failure here changes nothing.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    result
}

async fn migrate_locked(
    client: &mut Client,
    migrations: &[&str],
    known: i64,
) -> Result<SchemaState, TeamError> {
    client
        .batch_execute(
            "CREATE SCHEMA IF NOT EXISTS pifa;
             CREATE TABLE IF NOT EXISTS pifa.schema_versions (
                 version    integer PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 applied_by text NOT NULL
             );",
        )
        .await
        .map_err(failed("creating the team schema"))?;
    let mut version = current_version(client).await?;
    if version > known {
        return Ok(SchemaState { version, known });
    }
    for (index, sql) in migrations.iter().enumerate().skip(version as usize) {
        let number = index as i32 + 1;
        let tx = client
            .transaction()
            .await
            .map_err(failed("updating the team schema"))?;
        tx.batch_execute(sql)
            .await
            .map_err(failed("updating the team schema"))?;
        tx.execute(
            "INSERT INTO pifa.schema_versions (version, applied_by) VALUES ($1, $2)",
            &[&number, &format!("pifa {}", pifa_core::VERSION)],
        )
        .await
        .map_err(failed("updating the team schema"))?;
        tx.commit()
            .await
            .map_err(failed("updating the team schema"))?;
        tracing::info!(version = number, "team schema updated");
        version = number.into();
    }
    Ok(SchemaState { version, known })
}

pub(crate) async fn current_version(client: &Client) -> Result<i64, TeamError> {
    let row = client
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM pifa.schema_versions",
            &[],
        )
        .await
        .map_err(failed("reading the team schema version"))?;
    Ok(row.get(0))
}
