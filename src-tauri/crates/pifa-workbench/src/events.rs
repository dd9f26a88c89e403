//! What background work reports when it ends: a stale search page or offer refreshed (or not),
//! a batch finished, a round of watch checks done. The app emits each under its name; the UI
//! gets their types from these definitions (ts-rs), so names and payloads cannot drift.

use pifa_core::batch::BatchCounts;
use pifa_core::offer::Offer;
use pifa_core::protocol::KeywordSearch;
use pifa_core::sourcing::SearchResults;
use pifa_core::watch::WatchCheck;
use serde::Serialize;
use ts_rs::TS;

use crate::CommandError;

/// A stale search page was fetched again in the background: the fresh page, or why not.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchRefreshed {
    /// The search as answered (its canonical form): pages compare it with theirs.
    pub search: KeywordSearch,
    pub results: Option<Box<SearchResults>>,
    pub error: Option<CommandError>,
}

/// A stale offer was fetched again in the background: the fresh copy, or why not.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OfferRefreshed {
    pub offer_id: String,
    pub offer: Option<Box<Offer>>,
    pub error: Option<CommandError>,
}

/// This desktop's copy of the team's data was refreshed, or could not be: pages showing team
/// data reload; while `error` holds, they show the last copy, read-only.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamSynced {
    /// The copy changed (a member edited something).
    pub changed: bool,
    pub error: Option<CommandError>,
}

/// Every event, tagged with its name; `payload` is what the window receives.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", content = "payload", rename_all = "kebab-case")]
#[ts(export)]
pub enum Event {
    SearchRefreshed(SearchRefreshed),
    OfferRefreshed(OfferRefreshed),
    /// A batch ended (finished, cancelled or stopped), with its final counts.
    BatchFinished(BatchCounts),
    /// A round of watch checks that checked something ended.
    WatchesChecked(WatchCheck),
    TeamSynced(TeamSynced),
}

impl Event {
    /// The name the window listens for.
    pub fn name(&self) -> &'static str {
        match self {
            Event::SearchRefreshed(_) => "search-refreshed",
            Event::OfferRefreshed(_) => "offer-refreshed",
            Event::BatchFinished(_) => "batch-finished",
            Event::WatchesChecked(_) => "watches-checked",
            Event::TeamSynced(_) => "team-synced",
        }
    }

    /// What the window receives under [`Event::name`].
    pub fn payload(&self) -> serde_json::Value {
        let tagged = serde_json::to_value(self).unwrap_or_default();
        tagged.get("payload").cloned().unwrap_or_default()
    }

    /// The event for a finished background search refresh.
    pub fn search_refreshed(
        search: KeywordSearch,
        outcome: Result<SearchResults, CommandError>,
    ) -> Event {
        let (results, error) = split(outcome);
        Event::SearchRefreshed(SearchRefreshed {
            search,
            results: results.map(Box::new),
            error,
        })
    }

    /// The event for a finished background offer refresh.
    pub fn offer_refreshed(offer_id: String, outcome: Result<Offer, CommandError>) -> Event {
        let (offer, error) = split(outcome);
        Event::OfferRefreshed(OfferRefreshed {
            offer_id,
            offer: offer.map(Box::new),
            error,
        })
    }
}

fn split<T>(outcome: Result<T, CommandError>) -> (Option<T>, Option<CommandError>) {
    match outcome {
        Ok(value) => (Some(value), None),
        Err(error) => (None, Some(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_serialized_tags() {
        let events = [
            Event::search_refreshed(
                KeywordSearch::new("杯"),
                Err(CommandError::new("gateway.transient", "x")),
            ),
            Event::offer_refreshed("1".into(), Err(CommandError::new("a", "b"))),
            Event::BatchFinished(BatchCounts::default()),
            Event::WatchesChecked(WatchCheck::default()),
            Event::TeamSynced(TeamSynced {
                changed: true,
                error: None,
            }),
        ];
        for event in events {
            let tagged = serde_json::to_value(&event).unwrap();
            assert_eq!(tagged["event"], event.name());
            assert_eq!(tagged["payload"], event.payload());
        }
    }

    #[test]
    fn a_failed_refresh_says_why_with_its_code() {
        let event = Event::offer_refreshed(
            "624516873409".into(),
            Err(CommandError::new("gateway.transient", "try again")),
        );
        assert_eq!(
            event.payload(),
            serde_json::json!({
                "offerId": "624516873409",
                "offer": null,
                "error": { "code": "gateway.transient", "message": "try again", "params": {} }
            })
        );
    }
}
