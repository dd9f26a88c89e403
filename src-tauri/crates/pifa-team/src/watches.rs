//! The team's price watches and their alerts. Watches are checked once per team per round,
//! whichever desktops (or workers) are running: a desktop claims due watches with a lease
//! (`FOR UPDATE SKIP LOCKED`, so two never claim the same one), fetches and weighs them, and
//! finishes each claim in one transaction that commits only while its lease is still its own.
//! A crashed desktop's lease runs out and another claims the check; a desktop whose lease ran
//! out cannot commit what it found. Alerts are unique per watch, check and event, so a check
//! done again never tells twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use pifa_core::store::{Alert, AlertRow, RaisedAlert, SharedWatch};
use pifa_core::team::TeamError;
use pifa_core::watch::rules::{Earlier, Snooze, Told, WatchRules};
use pifa_core::{Money, OfferId};
use tokio_postgres::Row;

use crate::error::failed;
use crate::{Member, TeamDb};

/// A watch claimed for one check, until `lease_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub offer_id: OfferId,
    pub target_qty: u32,
    pub rules: WatchRules,
    pub told: Told,
    pub snooze: Snooze,
    /// Alerts about the offer observed in the 24 hours before the claim (the daily cap).
    pub alerts_today: u32,
    pub lease_until: DateTime<Utc>,
    watch_id: i64,
    /// This check's number on its watch: alerts are unique per check.
    check_no: i64,
    lease_token: String,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// A fresh observation, weighed against the claim's rules and told state.
    Observed {
        observed_at: DateTime<Utc>,
        told: Told,
        snooze_until_target: bool,
        /// The offer's title, kept with its alerts (another member's desktop may not hold it).
        title: Option<String>,
        alerts: Vec<RaisedAlert>,
    },
    /// The fetch failed: noted, and the watch is due again after the interval.
    Failed { code: String, message: String },
}

/// How finishing a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// Committed: the alerts raised (none already stored are repeated).
    Done(Vec<Alert>),
    /// The lease was no longer this desktop's (it ran out, or the watch was changed or
    /// removed meanwhile): nothing was stored, and whoever holds the watch now checks it.
    Stale,
}

const WATCH_COLUMNS: &str = "w.offer_id, w.target_qty, w.rules::text, w.told::text, w.observed_at,
    w.snoozed_until, w.snooze_until_target, w.set_by, w.set_by_name, w.created_at,
    w.next_check_at, w.last_checked_at, m.name, w.last_error, w.last_error_code,
    (SELECT count(*) FROM pifa.alerts a
      WHERE a.offer_id = w.offer_id AND a.observed_at > now() - interval '24 hours')";

const ALERT_COLUMNS: &str = "a.alert_id, a.offer_id, a.title, a.kind, a.target_qty, a.old_price,
    a.new_price, a.observed_at, a.message, a.details::text, a.raised_by_name,
    EXISTS (SELECT 1 FROM pifa.alerts_seen s WHERE s.alert_id = a.alert_id AND s.member_id = $1),
    ARRAY(SELECT coalesce(m.name, s.member_id) FROM pifa.alerts_seen s
          LEFT JOIN pifa.members m ON m.member_id = s.member_id
          WHERE s.alert_id = a.alert_id ORDER BY s.seen_at)";

/// At most this many alerts are listed, newest first (as on this desktop alone).
const ALERTS_LISTED: i64 = 200;

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("watch state serializes")
}

fn unjson<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    // A newer desktop's field this one does not know is ignored; an unreadable value starts
    // over rather than stopping every check.
    serde_json::from_str(text).unwrap_or_default()
}

fn rules_of(text: &str) -> WatchRules {
    unjson(text)
}

fn offer_id(text: String) -> Result<OfferId, TeamError> {
    OfferId::parse(&text).map_err(|e| TeamError::Failed {
        doing: "reading a team watch",
        detail: e.to_string(),
    })
}

fn qty(value: i32) -> u32 {
    value.max(1) as u32
}

fn money(units: Option<i64>) -> Option<Money> {
    units.map(Money::from_units)
}

fn watch_of(row: &Row) -> Result<SharedWatch, TeamError> {
    Ok(SharedWatch {
        offer_id: offer_id(row.get(0))?,
        target_qty: qty(row.get(1)),
        rules: rules_of(row.get(2)),
        told: unjson(row.get(3)),
        observed_at: row.get(4),
        snooze: Snooze {
            until: row.get(5),
            until_target: row.get(6),
        },
        set_by: row.get(7),
        set_by_name: row.get(8),
        created_at: row.get(9),
        next_check_at: row.get(10),
        last_checked_at: row.get(11),
        last_checked_by: row.get(12),
        last_error: row.get(13),
        last_error_code: row.get(14),
        alerts_today: row.get::<_, i64>(15) as u32,
    })
}

fn alert_of(row: &Row) -> Result<Alert, TeamError> {
    let alert = Alert::from(AlertRow {
        alert_id: row.get(0),
        offer_id: offer_id(row.get(1))?,
        title: row.get(2),
        kind: row.get(3),
        target_qty: row.get::<_, Option<i32>>(4).map(qty),
        old_price: money(row.get(5)),
        new_price: money(row.get(6)),
        at: row.get(7),
        message: row.get(8),
        details: row.get(9),
        seen: row.get(11),
    });
    Ok(Alert {
        raised_by: Some(row.get(10)),
        seen_by: row.get(12),
        ..alert
    })
}

/// Writes refused on an unreachable server say the change was not saved.
fn offline(error: TeamError) -> TeamError {
    match error {
        TeamError::Unreachable(_) => TeamError::Offline,
        other => other,
    }
}

impl TeamDb {
    /// Every team watch, oldest first.
    pub async fn watches(&self) -> Result<Vec<SharedWatch>, TeamError> {
        let rows = self
            .client()
            .await
            .query(
                &format!(
                    "SELECT {WATCH_COLUMNS} FROM pifa.watches w
                     LEFT JOIN pifa.members m ON m.member_id = w.last_checked_by
                     ORDER BY w.created_at, w.offer_id"
                ),
                &[],
            )
            .await
            .map_err(failed("listing the team's watches"))?;
        rows.iter().map(watch_of).collect()
    }

    /// When the team's copy of each watched offer was fetched (by the last check, mostly):
    /// each desktop's copy takes the newer ones, so every member's chart gets the team's
    /// observations.
    pub async fn watched_offer_times(&self) -> Result<Vec<(OfferId, DateTime<Utc>)>, TeamError> {
        let rows = self
            .client()
            .await
            .query(
                "SELECT w.offer_id, o.fetched_at FROM pifa.watches w
                 JOIN pifa.offers o ON o.offer_id = w.offer_id
                 ORDER BY w.offer_id",
                &[],
            )
            .await
            .map_err(failed("listing the team's watches"))?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((OfferId::parse(r.get::<_, &str>(0)).ok()?, r.get(1))))
            .collect())
    }

    /// The team's watch on one offer.
    pub async fn watch(&self, offer: &OfferId) -> Result<Option<SharedWatch>, TeamError> {
        let row = self
            .client()
            .await
            .query_opt(
                &format!(
                    "SELECT {WATCH_COLUMNS} FROM pifa.watches w
                     LEFT JOIN pifa.members m ON m.member_id = w.last_checked_by
                     WHERE w.offer_id = $1"
                ),
                &[&offer.as_str()],
            )
            .await
            .map_err(failed("reading a team watch"))?;
        row.as_ref().map(watch_of).transpose()
    }

    /// Watches an offer at a quantity with these rules, or changes the team's watch on it.
    /// `told` says what counts as told from the watch as it was (see `Told::after_edit`),
    /// decided while the watch is locked. A check in progress is dropped (its lease ends) and
    /// the watch is checked again soon under its new rules; `observed_at` is when the offer the
    /// told state starts from was fetched (a new watch only).
    pub async fn set_watch(
        &self,
        me: &Member,
        offer: &OfferId,
        target_qty: u32,
        rules: &WatchRules,
        observed_at: Option<DateTime<Utc>>,
        told: impl FnOnce(Option<Earlier<'_>>) -> Told,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let doing = "saving a team watch";
        let mut client = self.client().await;
        let tx = client
            .transaction()
            .await
            .map_err(failed(doing))
            .map_err(offline)?;
        let before = tx
            .query_opt(
                "SELECT target_qty, rules::text, told::text FROM pifa.watches
                 WHERE offer_id = $1 FOR UPDATE",
                &[&offer.as_str()],
            )
            .await
            .map_err(failed(doing))
            .map_err(offline)?;
        let before = before.map(|row| {
            (
                qty(row.get(0)),
                rules_of(row.get(1)),
                unjson::<Told>(row.get(2)),
            )
        });
        let told = told(before.as_ref().map(|(qty, rules, told)| Earlier {
            qty: *qty,
            rules,
            told,
        }));
        let target_qty = target_qty.max(1).min(i32::MAX as u32) as i32;
        // Snoozing "until the target" means nothing without a target.
        let keep_target_snooze = rules.target_price.is_some();
        tx.execute(
            "INSERT INTO pifa.watches (offer_id, target_qty, rules, told, observed_at, set_by,
                 set_by_name)
             VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb, $5, $6, $7)
             ON CONFLICT (offer_id) DO UPDATE SET target_qty = excluded.target_qty,
                 rules = excluded.rules, told = excluded.told, set_by = excluded.set_by,
                 set_by_name = excluded.set_by_name, updated_at = now(),
                 snooze_until_target = watches.snooze_until_target AND $8,
                 next_check_at = CASE WHEN watches.lease_until > now() THEN now()
                                      ELSE watches.next_check_at END,
                 leased_by = NULL, lease_until = NULL, lease_token = NULL",
            &[
                &offer.as_str(),
                &target_qty,
                &json(rules),
                &json(&told),
                &observed_at,
                &me.member_id,
                &me.name,
                &keep_target_snooze,
            ],
        )
        .await
        .map_err(failed(doing))
        .map_err(offline)?;
        tx.commit().await.map_err(failed(doing)).map_err(offline)
    }

    /// Snoozes a team watch until a time or until its price crosses its target; with neither,
    /// ends its snooze. False when the team has no watch on the offer.
    pub async fn snooze_watch(
        &self,
        offer: &OfferId,
        until: Option<DateTime<Utc>>,
        until_target: bool,
    ) -> Result<bool, TeamError> {
        self.check_writable()?;
        let changed = self
            .client()
            .await
            .execute(
                "UPDATE pifa.watches SET snoozed_until = $2, snooze_until_target = $3
                 WHERE offer_id = $1",
                &[&offer.as_str(), &until, &until_target],
            )
            .await
            .map_err(failed("snoozing a team watch"))
            .map_err(offline)?;
        Ok(changed == 1)
    }

    /// Stops the team's watch on an offer; its alerts stay. False when there was none.
    pub async fn remove_watch(&self, offer: &OfferId) -> Result<bool, TeamError> {
        self.check_writable()?;
        let removed = self
            .client()
            .await
            .execute(
                "DELETE FROM pifa.watches WHERE offer_id = $1",
                &[&offer.as_str()],
            )
            .await
            .map_err(failed("stopping a team watch"))
            .map_err(offline)?;
        Ok(removed == 1)
    }

    /// The team's alerts, newest first, `seen` for member `me`; `unseen_only` leaves out those
    /// `me` has seen.
    pub async fn alerts(&self, me: &str, unseen_only: bool) -> Result<Vec<Alert>, TeamError> {
        let rows = self
            .client()
            .await
            .query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM pifa.alerts a
                     WHERE NOT $2 OR NOT EXISTS (SELECT 1 FROM pifa.alerts_seen s
                                                 WHERE s.alert_id = a.alert_id AND s.member_id = $1)
                     ORDER BY a.observed_at DESC, a.alert_id DESC LIMIT $3"
                ),
                &[&me, &unseen_only, &ALERTS_LISTED],
            )
            .await
            .map_err(failed("reading the team's alerts"))?;
        rows.iter().map(alert_of).collect()
    }

    /// Notes that `me` has seen one alert (`Some`), or every alert; returns how many were new
    /// to `me`.
    pub async fn mark_seen(&self, me: &str, alert_id: Option<i64>) -> Result<u64, TeamError> {
        self.check_writable()?;
        self.client()
            .await
            .execute(
                "INSERT INTO pifa.alerts_seen (alert_id, member_id)
                 SELECT alert_id, $1 FROM pifa.alerts WHERE $2::bigint IS NULL OR alert_id = $2
                 ON CONFLICT DO NOTHING",
                &[&me, &alert_id],
            )
            .await
            .map_err(failed("marking alerts seen"))
            .map_err(offline)
    }

    /// The alerts raised since `me` joined that `me`'s desktop has not notified of yet, oldest
    /// first, now noted as notified: whichever desktop or worker raised them, each member's
    /// desktop tells of each once.
    pub async fn take_unnotified(&self, me: &str) -> Result<Vec<Alert>, TeamError> {
        self.check_writable()?;
        let doing = "noting notified alerts";
        let mut client = self.client().await;
        let tx = client.transaction().await.map_err(failed(doing))?;
        let ids: Vec<i64> = tx
            .query(
                "INSERT INTO pifa.alerts_notified (alert_id, member_id)
                 SELECT a.alert_id, $1 FROM pifa.alerts a
                 WHERE a.raised_at >= coalesce(
                           (SELECT joined_at FROM pifa.members WHERE member_id = $1), now())
                   AND NOT EXISTS (SELECT 1 FROM pifa.alerts_notified n
                                   WHERE n.alert_id = a.alert_id AND n.member_id = $1)
                 ON CONFLICT DO NOTHING
                 RETURNING alert_id",
                &[&me],
            )
            .await
            .map_err(failed(doing))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        let alerts = if ids.is_empty() {
            Vec::new()
        } else {
            tx.query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM pifa.alerts a WHERE a.alert_id = ANY($2)
                     ORDER BY a.alert_id"
                ),
                &[&me, &ids],
            )
            .await
            .map_err(failed(doing))?
            .iter()
            .map(alert_of)
            .collect::<Result<_, _>>()?
        };
        tx.commit().await.map_err(failed(doing))?;
        Ok(alerts)
    }

    /// Claims up to `limit` watches due now (every watch not claimed, with `all`) for `me`,
    /// each until `lease` from now. Watches another desktop holds are skipped, never waited
    /// for; its lease running out makes them claimable again.
    pub async fn claim_due(
        &self,
        me: &Member,
        limit: u32,
        lease: Duration,
        all: bool,
    ) -> Result<Vec<Claim>, TeamError> {
        self.check_writable()?;
        let token = crate::random_id();
        let rows = self
            .client()
            .await
            .query(
                "WITH due AS (
                     SELECT offer_id FROM pifa.watches
                     WHERE ($4 OR next_check_at <= now())
                       AND (lease_until IS NULL OR lease_until <= now())
                     ORDER BY next_check_at, offer_id
                     LIMIT $1
                     FOR UPDATE SKIP LOCKED
                 )
                 UPDATE pifa.watches w
                 SET leased_by = $2, lease_token = $3,
                     lease_until = now() + make_interval(secs => $5)
                 FROM due WHERE w.offer_id = due.offer_id
                 RETURNING w.offer_id, w.target_qty, w.rules::text, w.told::text,
                     w.snoozed_until, w.snooze_until_target, w.lease_until, w.watch_id,
                     w.checks + 1,
                     (SELECT count(*) FROM pifa.alerts a
                       WHERE a.offer_id = w.offer_id AND a.observed_at > now() - interval '24 hours')",
                &[
                    &i64::from(limit),
                    &me.member_id,
                    &token,
                    &all,
                    &lease.as_secs_f64(),
                ],
            )
            .await
            .map_err(failed("claiming due team watches"))?;
        rows.into_iter()
            .map(|row| {
                Ok(Claim {
                    offer_id: offer_id(row.get(0))?,
                    target_qty: qty(row.get(1)),
                    rules: rules_of(row.get(2)),
                    told: unjson(row.get(3)),
                    snooze: Snooze {
                        until: row.get(4),
                        until_target: row.get(5),
                    },
                    lease_until: row.get(6),
                    watch_id: row.get(7),
                    check_no: row.get(8),
                    alerts_today: row.get::<_, i64>(9) as u32,
                    lease_token: token.clone(),
                })
            })
            .collect()
    }

    /// Stores what a check found, in one transaction, only while `claim`'s lease is still
    /// `me`'s: the new told state, the alerts (a check stored again adds none), the next
    /// check `interval` from now, the lease cleared.
    pub async fn finish_check(
        &self,
        me: &Member,
        claim: &Claim,
        outcome: &CheckOutcome,
        interval: Duration,
    ) -> Result<Finished, TeamError> {
        self.check_writable()?;
        let doing = "storing a team watch check";
        let mut client = self.client().await;
        let tx = client.transaction().await.map_err(failed(doing))?;
        // clock_timestamp(), not now(): the lease must hold when this runs, not when the
        // transaction began.
        let held = tx
            .query_opt(
                "SELECT 1 FROM pifa.watches
                 WHERE offer_id = $1 AND watch_id = $2 AND lease_token = $3 AND leased_by = $4
                   AND lease_until > clock_timestamp()
                 FOR UPDATE",
                &[
                    &claim.offer_id.as_str(),
                    &claim.watch_id,
                    &claim.lease_token,
                    &me.member_id,
                ],
            )
            .await
            .map_err(failed(doing))?;
        if held.is_none() {
            return Ok(Finished::Stale);
        }
        let next = interval.as_secs_f64();
        let mut raised = Vec::new();
        match outcome {
            CheckOutcome::Observed {
                observed_at,
                told,
                snooze_until_target,
                title,
                alerts,
            } => {
                let target_qty = claim.target_qty.min(i32::MAX as u32) as i32;
                for alert in alerts {
                    let inserted = tx
                        .query_opt(
                            "INSERT INTO pifa.alerts (watch_id, check_no, offer_id, title, kind,
                                 event_key, target_qty, old_price, new_price, message, details,
                                 observed_at, raised_by, raised_by_name)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb,
                                 $12, $13, $14)
                             ON CONFLICT (watch_id, check_no, kind, event_key) DO NOTHING
                             RETURNING alert_id",
                            &[
                                &claim.watch_id,
                                &claim.check_no,
                                &claim.offer_id.as_str(),
                                title,
                                &alert.kind.as_str(),
                                &alert.event_key,
                                &target_qty,
                                &alert.old_price.map(Money::units),
                                &alert.new_price.map(Money::units),
                                &alert.message,
                                &alert.details,
                                observed_at,
                                &me.member_id,
                                &me.name,
                            ],
                        )
                        .await
                        .map_err(failed(doing))?;
                    if let Some(row) = inserted {
                        raised.push(row.get::<_, i64>(0));
                    }
                }
                tx.execute(
                    "UPDATE pifa.watches SET told = $2::text::jsonb, observed_at = $3,
                         snooze_until_target = $4, checks = checks + 1,
                         last_checked_at = now(), last_checked_by = $5, last_error = NULL,
                         last_error_code = NULL,
                         next_check_at = now() + make_interval(secs => $6),
                         leased_by = NULL, lease_until = NULL, lease_token = NULL
                     WHERE offer_id = $1",
                    &[
                        &claim.offer_id.as_str(),
                        &json(told),
                        observed_at,
                        snooze_until_target,
                        &me.member_id,
                        &next,
                    ],
                )
                .await
                .map_err(failed(doing))?;
            }
            CheckOutcome::Failed { code, message } => {
                tx.execute(
                    "UPDATE pifa.watches SET checks = checks + 1, last_checked_at = now(),
                         last_checked_by = $2, last_error = $3, last_error_code = $4,
                         next_check_at = now() + make_interval(secs => $5),
                         leased_by = NULL, lease_until = NULL, lease_token = NULL
                     WHERE offer_id = $1",
                    &[
                        &claim.offer_id.as_str(),
                        &me.member_id,
                        message,
                        code,
                        &next,
                    ],
                )
                .await
                .map_err(failed(doing))?;
            }
        }
        let alerts = if raised.is_empty() {
            Vec::new()
        } else {
            tx.query(
                &format!("SELECT {ALERT_COLUMNS} FROM pifa.alerts a WHERE a.alert_id = ANY($2) ORDER BY a.alert_id"),
                &[&me.member_id, &raised],
            )
            .await
            .map_err(failed(doing))?
            .iter()
            .map(alert_of)
            .collect::<Result<_, _>>()?
        };
        tx.commit().await.map_err(failed(doing))?;
        Ok(Finished::Done(alerts))
    }

    /// Gives claims back unchecked (a round stopped for a reason no watch could avoid: the
    /// app's authorization, its quota): they are due again at once, for any desktop.
    pub async fn release(&self, me: &Member, claims: &[Claim]) -> Result<(), TeamError> {
        let offers: Vec<&str> = claims.iter().map(|c| c.offer_id.as_str()).collect();
        let tokens: Vec<&str> = claims.iter().map(|c| c.lease_token.as_str()).collect();
        self.client()
            .await
            .execute(
                "UPDATE pifa.watches w SET leased_by = NULL, lease_until = NULL, lease_token = NULL
                 FROM unnest($1::text[], $2::text[]) AS c(offer_id, token)
                 WHERE w.offer_id = c.offer_id AND w.lease_token = c.token AND w.leased_by = $3",
                &[&offers, &tokens, &me.member_id],
            )
            .await
            .map_err(failed("giving back team watch claims"))?;
        Ok(())
    }
}
