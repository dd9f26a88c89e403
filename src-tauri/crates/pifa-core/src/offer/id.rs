//! Offer IDs, and reading them out of what buyers paste: bare IDs, `detail.1688.com` and
//! `m.1688.com` offer URLs, or text holding several. IDs stay strings end to end, since they
//! pass 2^53 where JavaScript numbers lose digits.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(try_from = "String", into = "String")]
#[ts(export, type = "string")]
pub struct OfferId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a 1688 offer ID or offer URL (expected digits such as 624516873409 or https://detail.1688.com/offer/624516873409.html)")]
pub struct OfferIdError {
    pub input: String,
}

/// 1688 offer IDs seen in the wild have 9 to 13 digits; allow some room either side.
const MIN_DIGITS: usize = 5;
const MAX_DIGITS: usize = 20;

fn is_id(text: &str) -> bool {
    (MIN_DIGITS..=MAX_DIGITS).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

impl OfferId {
    /// Reads one offer ID from a bare ID or an offer URL.
    pub fn parse(input: &str) -> Result<OfferId, OfferIdError> {
        let text = input.trim();
        if is_id(text) {
            return Ok(OfferId(text.to_owned()));
        }
        match find_offer_ids(text).as_slice() {
            [one] if looks_like_offer_url(text) => Ok(one.clone()),
            _ => Err(OfferIdError {
                input: input.to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The offer's page on 1688 (`1688-protocol.md`: `https://detail.1688.com/offer/{offerId}.html`).
    pub fn url(&self) -> String {
        format!("https://detail.1688.com/offer/{}.html", self.0)
    }
}

fn looks_like_offer_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !lower.contains(char::is_whitespace) && lower.contains("1688.com/offer/")
}

/// Every offer ID in a pasted text, in order of first appearance, without repeats: offer URLs
/// (`…1688.com/offer/ID.html`) and bare runs of digits standing on their own.
pub fn find_offer_ids(text: &str) -> Vec<OfferId> {
    let mut found: Vec<OfferId> = Vec::new();
    let mut push = |id: &str| {
        if is_id(id) && !found.iter().any(|f| f.0 == id) {
            found.push(OfferId(id.to_owned()));
        }
    };
    for token in text.split(|c: char| c.is_whitespace() || ",;，；、|\"'<>()（）".contains(c))
    {
        if token.is_empty() {
            continue;
        }
        let lower = token.to_ascii_lowercase();
        if let Some(at) = lower.find("/offer/") {
            let rest = &token[at + "/offer/".len()..];
            let digits: &str = &rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())];
            if rest[digits.len()..]
                .to_ascii_lowercase()
                .starts_with(".htm")
            {
                push(digits);
            }
        } else if token.contains("offerId=") || token.contains("offerid=") {
            let at = lower.find("offerid=").unwrap_or(0) + "offerid=".len();
            let rest = &token[at..];
            push(
                &rest[..rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len())],
            );
        } else {
            push(token);
        }
    }
    found
}

impl TryFrom<String> for OfferId {
    type Error = OfferIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        OfferId::parse(&value)
    }
}

impl From<OfferId> for String {
    fn from(id: OfferId) -> String {
        id.0
    }
}

impl fmt::Display for OfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        find_offer_ids(text).into_iter().map(String::from).collect()
    }

    #[test]
    fn parses_bare_ids_and_offer_urls() {
        for input in [
            "624516873409",
            " 624516873409\n",
            "https://detail.1688.com/offer/624516873409.html",
            "detail.1688.com/offer/624516873409.html?spm=a2615.7691456&sk=consign",
            "https://m.1688.com/offer/624516873409.html",
            "HTTPS://DETAIL.1688.COM/offer/624516873409.htm",
        ] {
            assert_eq!(
                OfferId::parse(input).unwrap().as_str(),
                "624516873409",
                "{input}"
            );
        }
    }

    #[test]
    fn ids_past_two_to_the_53_keep_every_digit() {
        let id = OfferId::parse("9007199254740993").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"9007199254740993\"");
    }

    #[test]
    fn rejects_what_is_not_an_offer_with_a_message_naming_it() {
        for bad in [
            "",
            "abc",
            "12",
            "62451687340a",
            "https://detail.1688.com/offer/abc.html",
            "https://www.taobao.com/item/624516873409.html",
            "624516873409 624516873410",
            "https://s.1688.com/selloffer/offer_search.htm?keywords=T恤",
        ] {
            let err = OfferId::parse(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn finds_every_offer_in_pasted_text_once() {
        let pasted = "看看这几个：https://detail.1688.com/offer/624516873409.html?spm=x，\n\
                      m.1688.com/offer/700000000001.html 还有 655443322110、624516873409\n\
                      https://detail.1688.com/offer/abc.html 电话 138";
        assert_eq!(
            ids(pasted),
            ["624516873409", "700000000001", "655443322110"]
        );
    }

    #[test]
    fn the_offer_page_address_is_built_from_the_id_alone() {
        for input in [
            "624516873409",
            "https://m.1688.com/offer/624516873409.html?spm=evil",
        ] {
            assert_eq!(
                OfferId::parse(input).unwrap().url(),
                "https://detail.1688.com/offer/624516873409.html"
            );
        }
    }
}
