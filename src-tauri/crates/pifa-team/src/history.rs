//! The team's price history: the observations each desktop recorded, sent once each and taken
//! by the others' copies in the order the team received them.

use pifa_core::offer::OfferId;
use pifa_core::store::PriceObservation;
use pifa_core::team::TeamError;

use crate::error::failed;
use crate::TeamDb;

/// Held by each sharing transaction until it commits: identity values are handed out before
/// commit, so without it a share committing late could land below what a copy already took.
const SHARING_LOCK: i64 = 0x5049_4641_5052_4943; // "PIFAPRIC"

impl TeamDb {
    /// Adds observations the team does not hold yet, in one transaction.
    pub async fn share_observations(
        &self,
        observations: &[PriceObservation],
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let doing = "sharing price history with the team";
        let mut client = self.client().await;
        let tx = client.transaction().await.map_err(failed(doing))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SHARING_LOCK])
            .await
            .map_err(failed(doing))?;
        let insert = tx
            .prepare(
                "INSERT INTO pifa.price_points
                     (offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .await
            .map_err(failed(doing))?;
        for o in observations {
            tx.execute(
                &insert,
                &[
                    &o.offer_id.as_str(),
                    &o.observed_at,
                    &o.lowest_price,
                    &o.tiers,
                    &o.sku_low,
                    &o.sku_high,
                    &o.skus,
                ],
            )
            .await
            .map_err(failed(doing))?;
        }
        tx.commit().await.map_err(failed(doing))
    }

    /// Observations the team received after `cursor`, in the order it received them, at most
    /// `limit`, with the cursor to continue from.
    pub async fn observations_after(
        &self,
        cursor: i64,
        limit: u32,
    ) -> Result<(Vec<PriceObservation>, i64), TeamError> {
        let rows = self
            .client()
            .await
            .query(
                "SELECT point_id, offer_id, observed_at, lowest_price, tiers, sku_low, sku_high, skus
                 FROM pifa.price_points WHERE point_id > $1 ORDER BY point_id LIMIT $2",
                &[&cursor, &i64::from(limit)],
            )
            .await
            .map_err(failed("reading the team's price history"))?;
        let mut next = cursor;
        let mut found = Vec::with_capacity(rows.len());
        for r in rows {
            next = next.max(r.get(0));
            // Rows another desktop wrote: an unreadable ID is skipped, never trusted.
            let Ok(offer_id) = OfferId::parse(r.get::<_, &str>(1)) else {
                continue;
            };
            found.push(PriceObservation {
                offer_id,
                observed_at: r.get(2),
                lowest_price: r.get(3),
                tiers: r.get(4),
                sku_low: r.get(5),
                sku_high: r.get(6),
                skus: r.get(7),
            });
        }
        Ok((found, next))
    }
}
