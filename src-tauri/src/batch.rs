//! The shell's batch of pasted offers, the offers paused after repeated failures, and the
//! health view.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use pifa_core::batch::{self, BatchCounts, BatchItem};
use pifa_core::health::{self, Health};
use pifa_core::offer::OfferId;
use pifa_core::store::PausedOffer;

use crate::{CommandError, Shell};

/// Offers fetched at once by a batch.
const BATCH_CONCURRENCY: usize = 8;

impl Shell {
    /// Fetches every offer named in a pasted text, handing each result to `on_item` as it
    /// settles. One batch runs at a time; [`Shell::cancel_batch`] stops it.
    pub async fn run_batch(
        &self,
        text: &str,
        on_item: impl FnMut(&BatchItem, &BatchCounts),
    ) -> Result<BatchCounts, CommandError> {
        let input = batch::read_batch(text);
        if input.offer_ids.is_empty() && input.unreadable.is_empty() {
            return Err(CommandError {
                code: "batch.empty".into(),
                message: "paste offer IDs or 1688 offer links, one or more per line".into(),
            });
        }
        let storage = self.batch_storage()?;
        let cancelled = {
            let mut running = self
                .batch_cancel
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if running.is_some() {
                return Err(CommandError {
                    code: "batch.running".into(),
                    message: "a batch is already running: wait for it or cancel it first".into(),
                });
            }
            let (cancel, cancelled) = tokio::sync::watch::channel(false);
            *running = Some(cancel);
            cancelled
        };
        // However the batch ends, the next one may start.
        struct Finished<'a>(&'a Mutex<Option<tokio::sync::watch::Sender<bool>>>);
        impl Drop for Finished<'_> {
            fn drop(&mut self) {
                *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
        }
        let _finished = Finished(&self.batch_cancel);
        // Held to the end: in demo mode it keeps the in-process gateway serving.
        let online = self.online().await?;
        let client = Arc::clone(&online.client);
        Ok(batch::run_batch(
            client,
            storage,
            input,
            BATCH_CONCURRENCY,
            cancelled,
            on_item,
        )
        .await)
    }

    /// Stops the running batch: calls in flight finish, the rest are reported cancelled.
    pub fn cancel_batch(&self) -> bool {
        let running = self
            .batch_cancel
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        running
            .as_ref()
            .is_some_and(|cancel| cancel.send(true).is_ok())
    }

    pub fn paused_offers(&self) -> Result<Vec<PausedOffer>, CommandError> {
        Ok(self.store()?.paused_offers(Utc::now())?)
    }

    /// Lifts the pauses of these offers, or of all when none are named.
    pub fn resume_offers(&self, offer_ids: &[String]) -> Result<u64, CommandError> {
        let ids = offer_ids
            .iter()
            .map(|id| OfferId::parse(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.store()?.resume_offers(&ids)?)
    }

    pub fn health(&self) -> Result<Health, CommandError> {
        let (store, cache) = (self.store()?, self.cache()?);
        Ok(health::health(&store, &cache, Utc::now())?)
    }
}
