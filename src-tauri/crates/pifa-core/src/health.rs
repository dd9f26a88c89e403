//! What the health view shows: how much is stored, what is paused, how the cache is doing;
//! and the brief's monitoring targets over a window ([`report`]).

mod report;
mod targets;

pub use report::{
    local_midnight, report, update_lag, ErrorClass, ErrorEntry, GatewayKind, HealthGateway,
    HealthReport, HealthWindow, LookupCounts, ReportInput, Target, TrendPoint, UpdateLag,
    LATEST_PER_CLASS, TARGET_ORDER,
};
pub use targets::{
    judge, Direction, TargetKey, TargetState, Threshold, ThresholdOverrides, Thresholds, BRIEF,
    WARNING_SHARE,
};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::store::{Cache, CacheCounts, Store};
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Health {
    #[ts(type = "number")]
    pub offers: u64,
    #[ts(type = "number")]
    pub suppliers: u64,
    #[ts(type = "number")]
    pub price_points: u64,
    /// Offers paused now after repeated failures.
    #[ts(type = "number")]
    pub paused: u64,
    /// Cache lookups per kind since the cache file was made.
    pub cache: Vec<CacheCounts>,
    /// Sizes on disk, WAL included.
    #[ts(type = "number")]
    pub store_bytes: u64,
    #[ts(type = "number")]
    pub cache_bytes: u64,
}

/// A database's size with its write-ahead log, which can hold much of it between checkpoints.
fn file_bytes(path: &std::path::Path) -> u64 {
    let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    size(path) + size(std::path::Path::new(&wal))
}

pub fn health(store: &Store, cache: &Cache, now: DateTime<Utc>) -> Result<Health> {
    Ok(Health {
        offers: store.row_count("offers")?,
        suppliers: store.row_count("suppliers")?,
        price_points: store.row_count("price_points")?,
        paused: store.paused_offers(now)?.len() as u64,
        cache: cache.counts()?,
        store_bytes: file_bytes(store.path()),
        cache_bytes: file_bytes(cache.path()),
    })
}
