//! When each watched offer last got a price: what the health view's update lag is measured from.

use chrono::{DateTime, Utc};

use super::codec::Stamp;
use super::Store;
use crate::Result;

impl Store {
    /// For every watched offer, when its newest successful answer (and so its price) was
    /// fetched: `offers.fetched_at`, which every successful fetch moves.
    pub fn watched_fetched_at(&self) -> Result<Vec<DateTime<Utc>>> {
        let mut statement = self
            .conn
            .prepare("SELECT o.fetched_at FROM watches w JOIN offers o USING (offer_id)")
            .map_err(|e| self.error("reading when watched offers were fetched", e))?;
        let rows = statement
            .query_map([], |r| r.get::<_, Stamp>(0))
            .map_err(|e| self.error("reading when watched offers were fetched", e))?;
        rows.map(|row| row.map(DateTime::from))
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error("reading when watched offers were fetched", e))
    }
}
