//! Fetching many offers at once: what the buyer pasted is read into offer IDs, paused offers are
//! skipped, the rest are fetched with bounded concurrency and each answer is stored as it
//! arrives, with one result per offer. One failure never fails the batch. Shared by the app's
//! batch page and `pifa-cli batch`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::offer::{find_offer_ids, OfferId};
use crate::protocol::GatewayClient;
use crate::sourcing::{self, CacheTtls, Fetched};
use crate::store::{Cache, Store};
use crate::Error;

/// What a pasted text or file asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchInput {
    /// In order of first appearance, once each.
    pub offer_ids: Vec<OfferId>,
    /// Lines that name no offer, reported as failed items.
    pub unreadable: Vec<BatchItem>,
}

/// Reads offer IDs from text: bare IDs, offer URLs, or lines holding several. Blank lines and
/// lines starting with `#` are skipped.
pub fn read_batch(text: &str) -> BatchInput {
    let mut input = BatchInput::default();
    let mut seen = HashSet::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let found = find_offer_ids(trimmed);
        if found.is_empty() {
            let number = index as u32 + 1;
            input.unreadable.push(BatchItem {
                offer_id: None,
                line: Some(number),
                status: BatchStatus::Failed,
                title: None,
                code: Some("offer.bad_id".to_owned()),
                message: Some(format!(
                    "line {number} names no 1688 offer (an ID such as 624516873409 or a detail.1688.com/offer/….html link): {trimmed:?}"
                )),
                paused_until: None,
            });
        }
        input
            .offer_ids
            .extend(found.into_iter().filter(|id| seen.insert(id.clone())));
    }
    input
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum BatchStatus {
    /// Fetched, cleaned and stored.
    Stored,
    /// Not stored; `code` and `message` say why.
    Failed,
    /// Not fetched: the batch was cancelled first.
    Cancelled,
}

/// What became of one offer (or one unreadable line) of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchItem {
    /// `null` for a line that names no offer.
    pub offer_id: Option<String>,
    /// The input line, for a line that names no offer.
    pub line: Option<u32>,
    pub status: BatchStatus,
    pub title: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
    /// Set when this failure paused the offer, or it was paused already.
    #[ts(type = "string | null")]
    pub paused_until: Option<DateTime<Utc>>,
}

impl BatchItem {
    fn of(offer_id: &OfferId, status: BatchStatus) -> BatchItem {
        BatchItem {
            offer_id: Some(offer_id.to_string()),
            line: None,
            status,
            title: None,
            code: None,
            message: None,
            paused_until: None,
        }
    }

    fn failed(offer_id: &OfferId, code: &str, message: String) -> BatchItem {
        BatchItem {
            code: Some(code.to_owned()),
            message: Some(message),
            ..BatchItem::of(offer_id, BatchStatus::Failed)
        }
    }
}

/// How far a batch has got, sent with every item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchCounts {
    /// Offers (and unreadable lines) in the batch.
    pub total: u32,
    pub stored: u32,
    pub failed: u32,
    pub cancelled: u32,
}

impl BatchCounts {
    pub fn done(&self) -> u32 {
        self.stored + self.failed + self.cancelled
    }

    fn add(&mut self, status: BatchStatus) {
        match status {
            BatchStatus::Stored => self.stored += 1,
            BatchStatus::Failed => self.failed += 1,
            BatchStatus::Cancelled => self.cancelled += 1,
        }
    }
}

/// One settled item and the counts so far: what the app's batch page receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BatchProgress {
    pub item: BatchItem,
    pub counts: BatchCounts,
}

/// Where a batch keeps what it fetches. The app shares these with its other commands, hence
/// the locks; each is held only while one answer is stored.
pub struct BatchStorage<'a> {
    pub store: &'a Mutex<Store>,
    pub cache: &'a Mutex<Cache>,
    pub ttls: CacheTtls,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves SQLite consistent: it rolls back.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs a batch: every item goes to `on_item` as it is settled, with the counts so far, in
/// completion order. Setting `cancel` lets the calls in flight finish and reports the rest as
/// cancelled. A storage failure (a full disk) fails the offers it hits and is reported on each.
pub async fn run_batch(
    client: Arc<GatewayClient>,
    storage: BatchStorage<'_>,
    input: BatchInput,
    concurrency: usize,
    cancel: tokio::sync::watch::Receiver<bool>,
    mut on_item: impl FnMut(&BatchItem, &BatchCounts),
) -> BatchCounts {
    let mut counts = BatchCounts {
        total: (input.offer_ids.len() + input.unreadable.len()) as u32,
        ..BatchCounts::default()
    };
    let mut settle = |item: BatchItem, counts: &mut BatchCounts| {
        counts.add(item.status);
        on_item(&item, counts);
    };
    for item in input.unreadable {
        settle(item, &mut counts);
    }

    let now = Utc::now();
    let mut to_fetch = Vec::with_capacity(input.offer_ids.len());
    for offer_id in input.offer_ids {
        let paused = lock(storage.store).paused_until(&offer_id, now);
        match paused {
            Ok(Some(until)) => {
                let item = BatchItem {
                    paused_until: Some(until),
                    ..BatchItem::failed(
                        &offer_id,
                        "offer.paused",
                        "paused after repeated failures; resume it to fetch it again".into(),
                    )
                };
                settle(item, &mut counts);
            }
            Ok(None) => to_fetch.push(offer_id),
            Err(e) => settle(
                BatchItem::failed(&offer_id, e.code(), e.to_string()),
                &mut counts,
            ),
        }
    }

    sourcing::fetch_many(
        client,
        to_fetch,
        concurrency,
        cancel,
        |offer_id, fetched| {
            let item = match fetched {
                Fetched::Cancelled => BatchItem::of(&offer_id, BatchStatus::Cancelled),
                Fetched::Answer(answer) => keep(&storage, &offer_id, answer),
            };
            settle(item, &mut counts);
        },
    )
    .await;
    counts
}

/// Stores one answer, or books its failure towards the pause rule.
fn keep(
    storage: &BatchStorage<'_>,
    offer_id: &OfferId,
    answer: Result<serde_json::Value, crate::protocol::ApiError>,
) -> BatchItem {
    let now = Utc::now();
    let mut store = lock(storage.store);
    let (code, mut message, serious) = match answer {
        Ok(raw) => {
            let stored = sourcing::store_detail(
                &mut store,
                &lock(storage.cache),
                offer_id,
                &raw,
                now,
                storage.ttls,
            );
            match stored {
                Ok(offer) => {
                    // The success is kept; not forgetting old failures only delays a pause.
                    let _ = store.clear_fetch_failures(offer_id);
                    return BatchItem {
                        title: offer.title.or(offer.title_en),
                        ..BatchItem::of(offer_id, BatchStatus::Stored)
                    };
                }
                Err(e) => {
                    let serious = matches!(e, Error::Unreadable { .. });
                    (e.code(), e.to_string(), serious)
                }
            }
        }
        Err(e) => (e.code(), e.to_string(), e.is_serious()),
    };
    let mut paused_until = None;
    if serious {
        if let Ok(Some(until)) = store.record_fetch_failure(offer_id, code, &message, now) {
            message.push_str("; paused for an hour after repeated failures");
            paused_until = Some(until);
        }
    }
    BatchItem {
        paused_until,
        ..BatchItem::failed(offer_id, code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_text_gives_each_offer_once_and_names_unreadable_lines() {
        let input = read_batch(
            "# 春季采购\n\
             https://detail.1688.com/offer/624516873409.html?spm=a26\n\
             \n\
             m.1688.com/offer/624516873410.html 和 624516873409\n\
             找不到的供应商\n\
             624516873411, 624516873412\n",
        );
        let ids: Vec<&str> = input.offer_ids.iter().map(OfferId::as_str).collect();
        assert_eq!(
            ids,
            [
                "624516873409",
                "624516873410",
                "624516873411",
                "624516873412"
            ]
        );
        assert_eq!(input.unreadable.len(), 1);
        let line = &input.unreadable[0];
        assert_eq!(line.line, Some(5));
        assert_eq!(line.code.as_deref(), Some("offer.bad_id"));
        assert!(line
            .message
            .as_deref()
            .unwrap()
            .contains("line 5 names no 1688 offer"));
        assert!(line.message.as_deref().unwrap().contains("找不到的供应商"));
    }

    #[test]
    fn an_item_serializes_with_camel_case_and_a_status() {
        let item = BatchItem {
            title: Some("纯棉T恤".into()),
            ..BatchItem::of(
                &OfferId::parse("624516873409").unwrap(),
                BatchStatus::Stored,
            )
        };
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            serde_json::json!({"offerId": "624516873409", "line": null, "status": "stored",
                "title": "纯棉T恤", "code": null, "message": null, "pausedUntil": null})
        );
    }
}
