//! Embedded, versioned migrations. Migration N (1-based) takes a database from
//! `user_version = N-1` to `N`; each runs in its own transaction together with the version bump,
//! so a crash mid-upgrade leaves the previous version intact (a new file takes them all in one). Never edit a released migration:
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
    // A supplier's signals over time (store/supplier_history.rs): a row when they change, one a
    // day while they hold; NULL where no answer said. Badges are NULL together when unknown.
    // Each named supplier starts with its current values, seen when it was last updated.
    r#"
    CREATE TABLE supplier_observations (
        supplier_key      TEXT NOT NULL,
        observed_at       TEXT NOT NULL,
        tp_years          INTEGER,
        power_merchant    INTEGER,
        super_factory     INTEGER,
        tp_member         INTEGER,
        trade_medal       INTEGER,
        score_composite   INTEGER,
        score_logistics   INTEGER,
        score_dispute     INTEGER,
        score_offer       INTEGER,
        score_after_sales INTEGER,
        score_consulting  INTEGER,
        repurchase_bp     INTEGER,
        pickup_48h_bp     INTEGER,
        quality_refund_bp INTEGER,
        PRIMARY KEY (supplier_key, observed_at)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO supplier_observations
    SELECT supplier_key, updated_at, tp_years,
        IIF(badges_known, power_merchant, NULL), IIF(badges_known, super_factory, NULL),
        IIF(badges_known, tp_member, NULL), trade_medal,
        json_extract(sc, '$.composite'), json_extract(sc, '$.logistics'),
        json_extract(sc, '$.dispute'), json_extract(sc, '$.offer'),
        json_extract(sc, '$.afterSales'), json_extract(sc, '$.consulting'),
        repurchase_bp, pickup_48h_bp, quality_refund_bp
    FROM (SELECT *, IIF(json_valid(scores), scores, '{}') AS sc FROM suppliers
          WHERE supplier_key NOT LIKE 'offer:%');
    "#,
    // Stored-offer search reads one narrow row per offer (store/search/keys.rs) into memory
    // and matches text there, so the trigram index and the price steps table go: their
    // content moves here (the steps packed as big-endian (u32 quantity, i64 price) pairs). The
    // supplier's signals are copied in and follow the supplier by the trigger; `seq` orders
    // changes so readers load only what changed; `rid` is the offer's rowid (which VACUUM keeps
    // for a table with indexes, as `offers` has). (The supplier trigger names supplier columns:
    // a migration dropping one must drop or redo the trigger first.)
    r#"
    CREATE TABLE offer_keys (
        rid                 INTEGER PRIMARY KEY,
        seq                 INTEGER NOT NULL,
        offer_id            TEXT NOT NULL,
        fetched_at          TEXT NOT NULL,
        listed              INTEGER NOT NULL,
        minimum_order       INTEGER NOT NULL,
        lot_size            INTEGER,
        month_sold          INTEGER,
        offer_repurchase_bp INTEGER,
        power_merchant      INTEGER,
        super_factory       INTEGER,
        tp_years            INTEGER,
        province            TEXT,
        repurchase_bp       INTEGER,
        pickup_48h_bp       INTEGER,
        quality_refund_bp   INTEGER,
        service_tenths      INTEGER,
        steps               BLOB,
        title               TEXT,
        title_en            TEXT,
        supplier_name       TEXT
    ) STRICT;
    CREATE INDEX offer_keys_seq ON offer_keys(seq);
    INSERT INTO offer_keys
    SELECT o.rowid, 1, o.offer_id, o.fetched_at,
        NOT (o.status IS NOT NULL AND o.status <> 'published'), o.minimum_order, o.batch_size,
        o.month_sold, o.offer_repurchase_bp, s.power_merchant, s.super_factory, s.tp_years,
        s.province, s.repurchase_bp, s.pickup_48h_bp, s.quality_refund_bp, s.trust_score_tenths,
        (SELECT unhex(group_concat(printf('%08X%016X', p.min_qty, p.price), '' ORDER BY p.min_qty))
         FROM offer_price_steps p WHERE p.offer_id = o.offer_id),
        o.title, o.title_en, t.supplier_name
    FROM offers o LEFT JOIN suppliers s ON s.supplier_key = o.supplier_key
        LEFT JOIN offer_text t ON t.rowid = o.rowid;
    CREATE TRIGGER offer_keys_follow_supplier AFTER UPDATE ON suppliers
    WHEN OLD.power_merchant IS NOT NEW.power_merchant OR OLD.super_factory IS NOT NEW.super_factory
        OR OLD.tp_years IS NOT NEW.tp_years OR OLD.province IS NOT NEW.province
        OR OLD.repurchase_bp IS NOT NEW.repurchase_bp OR OLD.pickup_48h_bp IS NOT NEW.pickup_48h_bp
        OR OLD.quality_refund_bp IS NOT NEW.quality_refund_bp
        OR OLD.trust_score_tenths IS NOT NEW.trust_score_tenths
    BEGIN
        UPDATE offer_keys SET power_merchant = NEW.power_merchant,
            super_factory = NEW.super_factory, tp_years = NEW.tp_years, province = NEW.province,
            repurchase_bp = NEW.repurchase_bp, pickup_48h_bp = NEW.pickup_48h_bp,
            quality_refund_bp = NEW.quality_refund_bp, service_tenths = NEW.trust_score_tenths,
            seq = (SELECT MAX(seq) FROM offer_keys) + 1
        WHERE rid IN (SELECT rowid FROM offers WHERE supplier_key = NEW.supplier_key);
    END;
    CREATE TRIGGER offer_keys_follow_delete AFTER DELETE ON offers BEGIN
        DELETE FROM offer_keys WHERE rid = OLD.rowid;
    END;
    DROP TABLE offer_text;
    DROP TABLE offer_price_steps;
    "#,
    // Raw answers are kept zstd-compressed (store/raw_answers.rs), so the body becomes a blob,
    // keyed by its primary key alone. Rows from before keep their text's bytes, which read back
    // as they are, and are compressed when the store opens.
    r#"
    CREATE TABLE raw_answers_packed (
        offer_id   TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        source     TEXT NOT NULL,
        body       BLOB NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (offer_id, source)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO raw_answers_packed
        SELECT offer_id, source, CAST(body AS BLOB), fetched_at FROM raw_answers;
    DROP TABLE raw_answers;
    ALTER TABLE raw_answers_packed RENAME TO raw_answers;
    "#,
    // An offer's tiers and SKUs move into its row (store/parts.rs): `tiers` as compact JSON,
    // `skus` as compact JSON that Pifa compresses when it next writes the offer (NULL: none).
    r#"
    ALTER TABLE offers ADD COLUMN tiers TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE offers ADD COLUMN skus BLOB;
    UPDATE offers SET
        tiers = (SELECT json_group_array(json_array(t.min_qty, t.price) ORDER BY t.min_qty)
                 FROM offer_tiers t WHERE t.offer_id = offers.offer_id),
        skus = (SELECT CAST(json_group_array(json_array(k.sku_id, k.spec_id,
                    json((SELECT json_group_array(json_array(j.value ->> 'name', j.value ->> 'value'))
                          FROM json_each(IIF(json_valid(k.specs), k.specs, '[]')) j)),
                    k.price, k.stock, k.available, k.image) ORDER BY k.position) AS BLOB)
                FROM offer_skus k WHERE k.offer_id = offers.offer_id
                HAVING COUNT(*) > 0);
    DROP TABLE offer_tiers;
    DROP TABLE offer_skus;
    "#,
    // A smaller store (issue 14). An offer's pictures, shipping facts without a column, warnings
    // and 混批 move into one `extras` blob (store/parts.rs), which Pifa writes compressed with the
    // SKUs; rows moved here hold its compact JSON, their SKUs staying in `skus`. Raw answers
    // move to a table with a rowid: in the key's own b-tree an answer over about 1 KB spilled
    // into an overflow page of its own, mostly empty. Indexes no query uses go.
    r#"
    ALTER TABLE offers ADD COLUMN extras BLOB;
    UPDATE offers SET extras = CAST(json_array(
            json(x.images),
            IIF(json_type(x.shipping, '$.dimensions') = 'object',
                json_array(x.shipping ->> '$.dimensions.lengthMm',
                    x.shipping ->> '$.dimensions.widthMm', x.shipping ->> '$.dimensions.heightMm'),
                NULL),
            x.shipping ->> '$.dispatchHours',
            x.shipping ->> '$.perfectFulfilment30d.basisPoints',
            x.shipping ->> '$.pickup24h30d.basisPoints',
            x.shipping ->> '$.qualityReturn30d.basisPoints',
            x.shipping ->> '$.delayedShipping7d.basisPoints',
            IIF(json_type(x.mixed) = 'object',
                json_array(IIF(x.mixed ->> '$.allowed', 1, 0), x.mixed ->> '$.minAmountYuan',
                    x.mixed ->> '$.minPieces'),
                NULL),
            json(x.warnings),
            NULL) AS BLOB)
    FROM (SELECT rowid AS r,
              IIF(json_valid(images), images, '[]') AS images,
              IIF(json_valid(shipping), shipping, '{}') AS shipping,
              IIF(json_valid(warnings), warnings, '[]') AS warnings,
              IIF(json_valid(mixed_batch), mixed_batch, 'null') AS mixed
          FROM offers) AS x
    WHERE offers.rowid = x.r;
    ALTER TABLE offers DROP COLUMN images;
    ALTER TABLE offers DROP COLUMN shipping;
    ALTER TABLE offers DROP COLUMN warnings;
    ALTER TABLE offers DROP COLUMN mixed_batch;
    DROP INDEX offers_lowest_price;
    DROP INDEX offers_fetched_at;
    CREATE TABLE raw_answers_rows (
        offer_id   TEXT NOT NULL REFERENCES offers(offer_id) ON DELETE CASCADE,
        source     TEXT NOT NULL,
        body       BLOB NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT;
    INSERT INTO raw_answers_rows SELECT offer_id, source, body, fetched_at FROM raw_answers;
    DROP TABLE raw_answers;
    ALTER TABLE raw_answers_rows RENAME TO raw_answers;
    CREATE UNIQUE INDEX raw_answers_key ON raw_answers(offer_id, source);
    "#,
    // Team mode: who made a shortlist and who added an offer to it (the team member's name);
    // NULL on this computer's own lists.
    r#"
    ALTER TABLE shortlists ADD COLUMN created_by TEXT;
    ALTER TABLE shortlist_items ADD COLUMN added_by TEXT;
    "#,
    // Answers stored before compression, found through an index that holds only them: empty
    // once all are packed, so opening a store no longer reads every stored answer to learn
    // that (`raw_answers::pack_some`, whose query repeats this condition word for word).
    r#"
    CREATE INDEX raw_answers_unpacked ON raw_answers(offer_id)
        WHERE substr(body, 1, 4) <> x'28B52FFD';
    "#,
    // Team mode: who ran a pick (the team member's name); NULL on this computer's own runs.
    r#"
    ALTER TABLE pick_runs ADD COLUMN ran_by TEXT;
    "#,
    // Team mode: how far this copy has sent and taken the team's shared rows (price history).
    r#"
    CREATE TABLE team_cursors (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;
    "#,
    // Team mode: the copy of the team's watches and newest alerts, for reading while the team
    // database is unreachable; no foreign key to offers, as a teammate may watch an offer this
    // desktop has never fetched. `shared_copies` says when each was copied (absent: never).
    r#"
    CREATE TABLE shared_watches (
        offer_id            TEXT PRIMARY KEY,
        target_qty          INTEGER NOT NULL,
        rules               TEXT NOT NULL,
        told                TEXT NOT NULL,
        observed_at         TEXT,
        snoozed_until       TEXT,
        snooze_until_target INTEGER NOT NULL,
        set_by              TEXT NOT NULL,
        set_by_name         TEXT NOT NULL,
        created_at          TEXT NOT NULL,
        next_check_at       TEXT NOT NULL,
        last_checked_at     TEXT,
        last_checked_by     TEXT,
        last_error          TEXT,
        last_error_code     TEXT,
        alerts_today        INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE shared_alerts (
        alert_id INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        alert    TEXT NOT NULL
    ) STRICT;
    CREATE TABLE shared_copies (
        what      TEXT PRIMARY KEY,
        copied_at TEXT NOT NULL
    ) STRICT;
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
    // Which gateway each call and lookup went to (`demo`, or the live gateway's address), so a
    // health report covers one and demo figures never mix into live ones. Rows from before are
    // 'unknown': they may be either, so no report counts them (`metrics::GatewayKey::UNKNOWN`).
    r#"
    ALTER TABLE calls ADD COLUMN gateway TEXT NOT NULL DEFAULT 'unknown';
    CREATE INDEX calls_gateway_at ON calls(gateway, at);
    CREATE TABLE call_hours_by_gateway (
        gateway    TEXT NOT NULL,
        hour       TEXT NOT NULL,
        api        TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        count      INTEGER NOT NULL,
        latency_us INTEGER NOT NULL,
        histogram  TEXT NOT NULL,
        PRIMARY KEY (gateway, hour, api, outcome)
    ) STRICT;
    INSERT INTO call_hours_by_gateway
        SELECT 'unknown', hour, api, outcome, count, latency_us, histogram FROM call_hours;
    DROP TABLE call_hours;
    ALTER TABLE call_hours_by_gateway RENAME TO call_hours;
    CREATE INDEX call_hours_hour ON call_hours(hour);
    CREATE TABLE lookup_hours_by_gateway (
        gateway TEXT NOT NULL,
        hour    TEXT NOT NULL,
        kind    TEXT NOT NULL,
        result  TEXT NOT NULL,
        count   INTEGER NOT NULL,
        PRIMARY KEY (gateway, hour, kind, result)
    ) STRICT;
    INSERT INTO lookup_hours_by_gateway
        SELECT 'unknown', hour, kind, result, count FROM lookup_hours;
    DROP TABLE lookup_hours;
    ALTER TABLE lookup_hours_by_gateway RENAME TO lookup_hours;
    CREATE INDEX lookup_hours_hour ON lookup_hours(hour);
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
    // A new file takes every step in one transaction, so its log holds each page once (a new
    // store on a small disk) and nothing is left half made; a file with data steps version by
    // version, each step with its version bump.
    let mut version = found;
    while version < known {
        let target = if version == 0 { known } else { version + 1 };
        let step = || -> rusqlite::Result<i64> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            // Another process (the app and pifa-cli, say) may have applied these steps since the
            // version was read: look again under the write lock.
            let current: rusqlite::Result<i64> =
                conn.query_row("PRAGMA user_version", [], |row| row.get(0));
            let applied = current.and_then(|current| {
                for sql in &migrations[current.min(target) as usize..target as usize] {
                    conn.execute_batch(sql)?;
                }
                if current < target {
                    conn.execute_batch(&format!("PRAGMA user_version = {target}"))?;
                }
                Ok(current.max(target))
            });
            match applied {
                Ok(now) => conn.execute_batch("COMMIT").map(|()| now),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        };
        version = step().map_err(|e| classify(path, "upgrading the schema", e))?;
    }
    Ok(())
}
