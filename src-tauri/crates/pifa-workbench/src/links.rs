//! An offer's way back to 1688: its page opened in the browser, its ID or address copied. The
//! address is always built here from a valid offer ID, so the window can never have Pifa open
//! an address of its own.

use pifa_core::OfferId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connection::env;
use crate::{CommandError, Workbench};

/// What of an offer to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum OfferLinkPart {
    Id,
    /// Its 1688 page's address.
    Link,
}

impl Workbench {
    /// The text to copy for an offer: its ID or its 1688 address.
    pub fn offer_link_text(
        &self,
        offer_id: &str,
        part: OfferLinkPart,
    ) -> Result<String, CommandError> {
        let offer_id = OfferId::parse(offer_id)?;
        Ok(match part {
            OfferLinkPart::Id => offer_id.to_string(),
            OfferLinkPart::Link => offer_id.url(),
        })
    }

    /// Opens an offer's 1688 page in the browser and answers its address: with `PIFA_BROWSER`
    /// when set (as logging in does, so tests can see what was opened), else with
    /// `system_open`, the front end's way to the default browser.
    pub fn open_on_1688(
        &self,
        offer_id: &str,
        system_open: impl FnOnce(&str) -> Result<(), String>,
    ) -> Result<String, CommandError> {
        let url = OfferId::parse(offer_id)?.url();
        let opened = match env("PIFA_BROWSER") {
            Some(_) => pifa_core::protocol::loopback::open_browser(url.clone()),
            None => system_open(&url),
        };
        opened.map_err(|reason| {
            tracing::warn!(%url, "an offer page could not be opened: {reason}");
            pifa_core::Error::OfferPageUnopenable {
                url: url.clone(),
                reason,
            }
        })?;
        Ok(url)
    }
}
