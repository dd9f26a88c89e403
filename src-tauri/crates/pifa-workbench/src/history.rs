//! Price history for charts: one offer over a range, several offers overlaid (a shortlist),
//! and sparklines for a page of list rows in one call. Downsampled in the core.

use chrono::Utc;
use pifa_core::history::{HistoryRange, PriceHistory, SparkRequest, Sparkline};
use pifa_core::store::{CompactReport, COMPACT_BUDGET};
use pifa_core::OfferId;

use crate::{CommandError, Workbench};

/// Offers overlaid on one chart at most: more lines cannot be told apart.
pub const OVERLAY_MAX: usize = 12;
/// Sparklines asked for in one call at most: a page of rows.
pub const SPARKS_MAX: usize = 200;

impl Workbench {
    /// An offer's price history over `range` at `qty` (the watched quantity, else its minimum
    /// order): the line at the quantity, each tier break and each SKU's own price.
    pub fn price_history(
        &self,
        offer_id: &str,
        range: HistoryRange,
        qty: Option<u32>,
    ) -> Result<PriceHistory, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(self
            .reader()?
            .price_history_of(&offer_id, range, qty, Utc::now())?)
    }

    /// Several offers over one range at one quantity, each with its line at that quantity only:
    /// to overlay on one chart. Offers no longer stored are left out.
    pub fn price_histories(
        &self,
        offer_ids: &[String],
        range: HistoryRange,
        qty: Option<u32>,
    ) -> Result<Vec<PriceHistory>, CommandError> {
        let store = self.reader()?;
        let now = Utc::now();
        let mut out = Vec::new();
        for id in offer_ids.iter().take(OVERLAY_MAX) {
            let offer_id = OfferId::parse(id)?;
            match store.price_history_of(&offer_id, range, qty, now) {
                Ok(mut history) => {
                    history.series.truncate(1);
                    out.push(history);
                }
                Err(pifa_core::Error::OfferNotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// 30-day sparklines for a page of list rows.
    pub fn price_sparklines(
        &self,
        requests: &[SparkRequest],
    ) -> Result<Vec<Sparkline>, CommandError> {
        let requests = requests
            .iter()
            .take(SPARKS_MAX)
            .map(|r| Ok((OfferId::parse(&r.offer_id)?, r.qty)))
            .collect::<Result<Vec<_>, CommandError>>()?;
        Ok(self.reader()?.sparklines(&requests, Utc::now())?)
    }

    /// Folds history older than 90 days into days, for a moment at most (the rest next time).
    pub fn compact_history(&self) -> Result<CompactReport, CommandError> {
        Ok(self.store()?.compact_history(Utc::now(), COMPACT_BUDGET)?)
    }
}
