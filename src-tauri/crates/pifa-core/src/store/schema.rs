//! Embedded, versioned migrations. Migration N (1-based) takes a database from
//! `user_version = N-1` to `N`; each runs in its own transaction together with the version bump,
//! so a crash mid-upgrade leaves the previous version intact. Never edit a released migration:
//! append a new one.

use std::path::Path;

use rusqlite::Connection;

use super::classify;
use crate::{Error, Result};

pub const USER_MIGRATIONS: &[&str] = &[
    // 1: offers and what hangs off them, the user's lists, watches, alerts and the event log.
    r#"
    CREATE TABLE suppliers (
        supplier_key       TEXT PRIMARY KEY,
        name               TEXT,
        login_id           TEXT,
        open_id            TEXT,
        province           TEXT,
        city               TEXT,
        tp_years           INTEGER,
        trust_score_tenths INTEGER,
        power_merchant     INTEGER NOT NULL DEFAULT 0,
        super_factory      INTEGER NOT NULL DEFAULT 0,
        manufacturer       INTEGER NOT NULL DEFAULT 0,
        repurchase_bp      INTEGER,
        order_count        INTEGER,
        response_bp        INTEGER,
        updated_at         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX suppliers_province ON suppliers(province);

    -- Money columns hold ten-thousandths of a yuan (see money.rs); times are RFC 3339 UTC.
    CREATE TABLE offers (
        offer_id        TEXT PRIMARY KEY,
        title           TEXT,
        title_en        TEXT,
        category_id     TEXT,
        category_name   TEXT,
        images          TEXT NOT NULL DEFAULT '[]',
        unit            TEXT,
        moq             INTEGER,
        minimum_order   INTEGER NOT NULL DEFAULT 1,
        batch_size      INTEGER,
        quote_type      INTEGER,
        retail_price    INTEGER,
        listed_price    INTEGER,
        consign_price   INTEGER,
        lowest_price    INTEGER,
        price_basis     TEXT,
        supplier_key    TEXT REFERENCES suppliers(supplier_key),
        origin          TEXT,
        unit_weight_g   INTEGER,
        month_sold      INTEGER,
        status          TEXT,
        source          TEXT NOT NULL,
        fetched_at      TEXT NOT NULL,
        warnings        TEXT NOT NULL DEFAULT '[]',
        cleaner_version INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX offers_supplier ON offers(supplier_key);
    CREATE INDEX offers_lowest_price ON offers(lowest_price);
    CREATE INDEX offers_fetched_at ON offers(fetched_at);

    CREATE TABLE offer_tiers (
        offer_id TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        min_qty  INTEGER NOT NULL,
        price    INTEGER NOT NULL,
        PRIMARY KEY (offer_id, min_qty)
    ) STRICT, WITHOUT ROWID;

    -- The schedule the search prices orders by: the tiers for tier-priced offers, one step at
    -- quantity 1 for offers priced per SKU or by a listed price (see offer/tiers.rs).
    CREATE TABLE offer_price_steps (
        offer_id TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        min_qty  INTEGER NOT NULL,
        price    INTEGER NOT NULL,
        PRIMARY KEY (offer_id, min_qty)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE offer_skus (
        offer_id  TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        sku_id    TEXT NOT NULL,
        spec_id   TEXT,
        specs     TEXT NOT NULL,
        price     INTEGER,
        stock     INTEGER,
        available INTEGER NOT NULL,
        PRIMARY KEY (offer_id, sku_id)
    ) STRICT;

    -- The answers offers were cleaned from, so a better cleaner can redo them (pifa-cli recheck).
    CREATE TABLE raw_answers (
        offer_id   TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        source     TEXT NOT NULL,
        body       TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (offer_id, source)
    ) STRICT;

    CREATE TABLE price_points (
        offer_id     TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        observed_at  TEXT NOT NULL,
        lowest_price INTEGER,
        tiers        TEXT NOT NULL,
        sku_low      INTEGER,
        sku_high     INTEGER,
        PRIMARY KEY (offer_id, observed_at)
    ) STRICT;

    CREATE TABLE shortlists (
        shortlist_id INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        created_at   TEXT NOT NULL
    ) STRICT;

    CREATE TABLE shortlist_items (
        shortlist_id INTEGER NOT NULL REFERENCES shortlists(shortlist_id) ON DELETE CASCADE,
        offer_id     TEXT NOT NULL REFERENCES offers(offer_id),
        note         TEXT NOT NULL DEFAULT '',
        target_qty   INTEGER,
        added_at     TEXT NOT NULL,
        PRIMARY KEY (shortlist_id, offer_id)
    ) STRICT;

    CREATE TABLE watches (
        offer_id           TEXT PRIMARY KEY REFERENCES offers(offer_id),
        target_qty         INTEGER NOT NULL,
        alert_threshold_bp INTEGER NOT NULL DEFAULT 500,
        created_at         TEXT NOT NULL,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        paused_until       TEXT
    ) STRICT;

    CREATE TABLE alerts (
        alert_id   INTEGER PRIMARY KEY,
        offer_id   TEXT NOT NULL REFERENCES offers(offer_id),
        kind       TEXT NOT NULL,
        message    TEXT NOT NULL,
        old_price  INTEGER,
        new_price  INTEGER,
        created_at TEXT NOT NULL,
        seen_at    TEXT
    ) STRICT;

    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        level    TEXT NOT NULL,
        kind     TEXT NOT NULL,
        offer_id TEXT,
        message  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX events_at ON events(at);

    -- Any 3+ character substring of a title or supplier name; shorter queries use LIKE.
    CREATE VIRTUAL TABLE offer_text USING fts5(title, title_en, supplier_name, tokenize = 'trigram');
    "#,
    // 2: offers whose fetches keep failing, and until when they are paused (the seed's rule: five
    // serious failures in a row pause an offer for an hour). No foreign key: the offer may never
    // have been stored.
    r#"
    CREATE TABLE fetch_failures (
        offer_id             TEXT PRIMARY KEY,
        consecutive_failures INTEGER NOT NULL,
        last_code            TEXT NOT NULL,
        last_message         TEXT NOT NULL,
        last_failure_at      TEXT NOT NULL,
        paused_until         TEXT
    ) STRICT;
    "#,
    // 3: when each watch was last checked and how that went; the pause rule lives in
    // fetch_failures, shared with batches, so the watches' own failure columns stay unused.
    r#"
    ALTER TABLE watches ADD COLUMN last_checked_at TEXT;
    ALTER TABLE watches ADD COLUMN last_error TEXT;
    CREATE INDEX alerts_unseen ON alerts(seen_at, created_at);
    "#,
    // 4: the supplier signals and offer facts of 1688's documented answers. Badges are known
    // only when an answer said them (`badges_known`); a search item's supplier is kept under
    // `offer:<id>` until a detail names the supplier. `trust_score_tenths` holds the composite
    // service score. Display-only facts travel as JSON; what search filters on has a column.
    r#"
    ALTER TABLE suppliers ADD COLUMN badges_known INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE suppliers ADD COLUMN tp_member INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE suppliers ADD COLUMN trade_medal INTEGER;
    ALTER TABLE suppliers ADD COLUMN scores TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE suppliers ADD COLUMN pickup_48h_bp INTEGER;
    ALTER TABLE suppliers ADD COLUMN quality_refund_bp INTEGER;
    UPDATE suppliers SET badges_known = 1 WHERE power_merchant = 1 OR super_factory = 1;
    ALTER TABLE offers ADD COLUMN offer_repurchase_bp INTEGER;
    ALTER TABLE offers ADD COLUMN trade_score_tenths INTEGER;
    ALTER TABLE offers ADD COLUMN sold_count INTEGER;
    ALTER TABLE offers ADD COLUMN one_piece_dropship INTEGER;
    ALTER TABLE offers ADD COLUMN listed_at TEXT;
    ALTER TABLE offers ADD COLUMN shipping TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE offers ADD COLUMN mixed_batch TEXT;
    ALTER TABLE offer_skus ADD COLUMN image TEXT;
    "#,
    // 5: what nothing reads or writes goes: the event log (logs go to a file), the watches'
    // failure columns (see 3) and supplier fields 1688's answers do not carry. An alert keeps
    // the quantity its prices are for, since the watch's target may change or the watch go;
    // older alerts take their watch's target where the watch is still there.
    r#"
    DROP TABLE events;
    ALTER TABLE watches DROP COLUMN consecutive_failures;
    ALTER TABLE watches DROP COLUMN paused_until;
    ALTER TABLE suppliers DROP COLUMN manufacturer;
    ALTER TABLE suppliers DROP COLUMN order_count;
    ALTER TABLE suppliers DROP COLUMN response_bp;
    ALTER TABLE alerts ADD COLUMN qty INTEGER;
    UPDATE alerts SET qty = (SELECT target_qty FROM watches w WHERE w.offer_id = alerts.offer_id);
    "#,
    // 6: the stable code of a watch's last failure beside its English message, so the app can
    // explain it in the user's language.
    r#"
    ALTER TABLE watches ADD COLUMN last_error_code TEXT;
    "#,
    // 7: pick runs (选品), to reopen or rerun: what was asked, with which weights, which
    // candidates were weighed (so new weights re-rank without a fetch) and what came out.
    r#"
    CREATE TABLE pick_runs (
        run_id     INTEGER PRIMARY KEY,
        ran_at     TEXT NOT NULL,
        request    TEXT NOT NULL,
        weights    TEXT NOT NULL,
        candidates TEXT NOT NULL,
        outcome    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX pick_runs_ran_at ON pick_runs(ran_at);
    "#,
    // 8: the last few 1688 keyword searches, for the first screen; one row per keyword.
    r#"
    CREATE TABLE recent_searches (
        keyword     TEXT PRIMARY KEY,
        searched_at TEXT NOT NULL
    ) STRICT;
    "#,
    // 9: the buyer's own contacts and notes for a supplier (person, phone, 旺旺, WeChat, email,
    // notes), each sealed apart (`suppliers.rs`: nonce and ciphertext, bound to the supplier and
    // field). No foreign key: a supplier's row may be rebuilt while its contacts stay. The check
    // row tells a wrong key from a damaged value.
    r#"
    CREATE TABLE supplier_contacts (
        supplier_key TEXT NOT NULL,
        field        TEXT NOT NULL,
        sealed       BLOB NOT NULL,
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (supplier_key, field)
    ) STRICT;
    CREATE TABLE contacts_key_check (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        sealed BLOB NOT NULL
    ) STRICT;
    "#,
    // 10: a watch's alert rules (`move_direction` NULL: no move alerts), its snooze, what the
    // buyer was last told (`told`, JSON, see watch/rules.rs) and the newest observation evaluated
    // (`observed_at`). An alert keeps its event's details (JSON) and when the desktop was told;
    // one alert per event: older duplicates go before the unique index.
    r#"
    ALTER TABLE watches ADD COLUMN move_direction TEXT DEFAULT 'both';
    ALTER TABLE watches ADD COLUMN target_price INTEGER;
    ALTER TABLE watches ADD COLUMN stock_rule INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE watches ADD COLUMN stock_sku TEXT;
    ALTER TABLE watches ADD COLUMN tiers_rule INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE watches ADD COLUMN delisting_rule INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE watches ADD COLUMN daily_cap INTEGER NOT NULL DEFAULT 5;
    ALTER TABLE watches ADD COLUMN snoozed_until TEXT;
    ALTER TABLE watches ADD COLUMN snooze_until_target INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE watches ADD COLUMN told TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE watches ADD COLUMN observed_at TEXT;
    ALTER TABLE alerts ADD COLUMN event_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE alerts ADD COLUMN notified_at TEXT;
    UPDATE alerts SET notified_at = created_at;
    DELETE FROM alerts WHERE alert_id NOT IN
        (SELECT MIN(alert_id) FROM alerts GROUP BY offer_id, kind, created_at);
    CREATE UNIQUE INDEX alerts_event ON alerts(offer_id, kind, created_at, event_key);
    CREATE INDEX alerts_unnotified ON alerts(notified_at) WHERE notified_at IS NULL;
    "#,
    // 11: price history that lasts (store/history.rs): each observation keeps its SKUs' own
    // prices (JSON, NULL before), and whole days older than 90 days fold into one row per day
    // and tier break (`sku_id` '') or SKU (`min_qty` 0) with open, low, high and close. The
    // existing history older than that is folded when the store next opens.
    r#"
    ALTER TABLE price_points ADD COLUMN skus TEXT;
    CREATE INDEX price_points_observed ON price_points(observed_at);
    CREATE TABLE price_days (
        offer_id TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        sku_id   TEXT NOT NULL,
        day      TEXT NOT NULL,
        min_qty  INTEGER NOT NULL,
        open     INTEGER NOT NULL,
        open_at  TEXT NOT NULL,
        low      INTEGER NOT NULL,
        low_at   TEXT NOT NULL,
        high     INTEGER NOT NULL,
        high_at  TEXT NOT NULL,
        close    INTEGER NOT NULL,
        close_at TEXT NOT NULL,
        points   INTEGER NOT NULL,
        PRIMARY KEY (offer_id, sku_id, day, min_qty)
    ) STRICT, WITHOUT ROWID;
    "#,
];

pub const CACHE_MIGRATIONS: &[&str] = &[
    // 1: answers by request key, with when they were fetched and when they go stale.
    r#"
    CREATE TABLE answers (
        cache_key  TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        body       TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        stale_at   TEXT NOT NULL
    ) STRICT;
    CREATE TABLE counters (
        kind   TEXT NOT NULL,
        result TEXT NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (kind, result)
    ) STRICT;
    "#,
    // 2: gateway calls for the health view: each call on the wire for a few days, hourly
    // roll-ups (counts, latency sums and histograms per API and outcome) and cache lookups per
    // hour for months (`store::cache::calls`).
    r#"
    CREATE TABLE calls (
        at         TEXT NOT NULL,
        api        TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        latency_us INTEGER NOT NULL,
        attempt    INTEGER NOT NULL,
        message    TEXT
    ) STRICT;
    CREATE INDEX calls_at ON calls(at);
    CREATE TABLE call_hours (
        hour       TEXT NOT NULL,
        api        TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        count      INTEGER NOT NULL,
        latency_us INTEGER NOT NULL,
        histogram  TEXT NOT NULL,
        PRIMARY KEY (hour, api, outcome)
    ) STRICT;
    CREATE TABLE lookup_hours (
        hour   TEXT NOT NULL,
        kind   TEXT NOT NULL,
        result TEXT NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (hour, kind, result)
    ) STRICT;
    "#,
];

/// Brings a database to the newest schema in `migrations`.
pub(crate) fn migrate(conn: &Connection, path: &Path, migrations: &[&str]) -> Result<()> {
    let known = migrations.len() as i64;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| classify(path, "reading the schema version", e))?;
    // Pifa never writes a negative version; skipping migrations for one would fail later with
    // "no such table" instead of naming the file.
    if found < 0 {
        return Err(Error::StoreCorrupt {
            path: path.to_owned(),
        });
    }
    if found > known {
        return Err(Error::StoreTooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    for (index, sql) in migrations.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        let step = || -> rusqlite::Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            // Another process (the app and pifa-cli, say) may have applied this step since the
            // version was read: look again under the write lock.
            let current: rusqlite::Result<i64> =
                conn.query_row("PRAGMA user_version", [], |row| row.get(0));
            let applied = current.and_then(|current| {
                if current >= version {
                    return Ok(());
                }
                conn.execute_batch(sql)
                    .and_then(|()| conn.execute_batch(&format!("PRAGMA user_version = {version}")))
            });
            match applied {
                Ok(()) => conn.execute_batch("COMMIT"),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        };
        step().map_err(|e| classify(path, "upgrading the schema", e))?;
    }
    Ok(())
}
