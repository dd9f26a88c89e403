//! A watch's alert rules, decided from what the buyer was last told and what one fresh, complete
//! observation of the offer shows. Pure: the store runs it inside the transaction that records
//! the observation (`store/alerts.rs`), which decides what is held back (snooze, daily cap).
//!
//! Every rule compares with what the buyer last heard, not with the previous observation: a
//! price creeping +4% then +4% alerts once at +8.2% against 5%, and an event held back by a
//! snooze or the daily cap is still news afterwards if it still holds.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::offer::tiers::{minimum_order, OrderPricing};
use crate::offer::{Offer, Percent};
use crate::Money;

/// A move of 5% or more alerts unless the buyer chose otherwise (the product brief's threshold).
pub const DEFAULT_ALERT_BP: u32 = 500;

/// At most this many alerts per watch in 24 hours unless the buyer chose otherwise.
pub const DEFAULT_DAILY_CAP: u32 = 5;

/// After a "at or below target" alert the rule re-arms only once the price is this much above
/// the target (hundredths of a percent), so a price hovering at the target alerts once.
pub const TARGET_HYSTERESIS_BP: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MoveDirection {
    Either,
    Up,
    Down,
}

impl MoveDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveDirection::Either => "both",
            MoveDirection::Up => "up",
            MoveDirection::Down => "down",
        }
    }

    pub fn parse(text: &str) -> Option<MoveDirection> {
        match text {
            "both" => Some(MoveDirection::Either),
            "up" => Some(MoveDirection::Up),
            "down" => Some(MoveDirection::Down),
            _ => None,
        }
    }
}

/// Alert on a move of at least `threshold` from the last price the buyer was alerted about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MoveRule {
    pub threshold: Percent,
    pub direction: MoveDirection,
}

/// Alert when the watched SKU (or, without one, any SKU) runs out of stock for the watched
/// quantity or comes back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StockRule {
    pub sku: Option<String>,
}

/// What a watch alerts about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WatchRules {
    /// `null`: no alerts for moves.
    pub moves: Option<MoveRule>,
    /// Alert when the unit price at the quantity is at or below this.
    pub target_price: Option<Money>,
    pub stock: Option<StockRule>,
    /// Alert when the minimum order or the tier breaks change.
    pub tiers: bool,
    /// Alert when the offer is delisted or back.
    pub delisting: bool,
    /// At most this many alerts in 24 hours; more wait until the day has room.
    pub daily_cap: u32,
}

impl Default for WatchRules {
    fn default() -> Self {
        WatchRules {
            moves: Some(MoveRule {
                threshold: Percent {
                    basis_points: DEFAULT_ALERT_BP,
                },
                direction: MoveDirection::Either,
            }),
            target_price: None,
            stock: None,
            tiers: false,
            delisting: false,
            daily_cap: DEFAULT_DAILY_CAP,
        }
    }
}

/// How an offer is ordered: its minimum order and the quantities where its tiers break.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TierShape {
    pub minimum_order: u32,
    pub breaks: Vec<u32>,
}

/// How a watch reckons prices now. Prices told under an earlier reckoning are no baseline to
/// measure a move from: the next observation starts them afresh, alerting nothing. 1: whole
/// lots and per-SKU offers priced as the offer page quotes them ([`OrderPricing`]).
pub const PRICING: u32 = 1;

/// What the buyer was last told (or what held when the watch began). Kept as JSON on the watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Told {
    /// The price moves are measured from: the last one alerted about, or the start.
    pub price: Option<Money>,
    pub below_target: bool,
    /// SKUs out of stock for the quantity (only the watched one with a SKU rule on one).
    pub out_of_stock: Option<BTreeSet<String>>,
    pub tiers: Option<TierShape>,
    pub delisted: Option<bool>,
    /// The newest price observed, told or not: the "before" of a target alert.
    pub last_price: Option<Money>,
    /// The [`PRICING`] that `price` and `last_price` were reckoned under; 0 in what watches
    /// stored before it was kept.
    #[serde(default)]
    pub pricing: u32,
}

impl Default for Told {
    fn default() -> Told {
        Told {
            price: None,
            below_target: false,
            out_of_stock: None,
            tiers: None,
            delisted: None,
            last_price: None,
            pricing: PRICING,
        }
    }
}

/// What one complete observation (a detail answer) shows at the watched quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `None` when the answer has no price for the quantity, or the offer is delisted: no
    /// price is not a price of zero.
    pub price: Option<Money>,
    /// `None` when the offer lists no SKUs, or is delisted.
    pub out_of_stock: Option<BTreeSet<String>>,
    pub tiers: Option<TierShape>,
    pub delisted: bool,
    pub status: Option<String>,
}

/// How far `new` is from `old`, in hundredths of a percent of `old`.
pub fn change_bp(old: Money, new: Money) -> Option<i64> {
    let old = i128::from(old.units());
    (old > 0).then(|| ((i128::from(new.units()) - old) * 10_000 / old) as i64)
}

impl Seen {
    /// The offer as one observation at `qty` pieces, following `sku` (or every SKU) for stock.
    pub fn of(offer: &Offer, qty: u32, sku: Option<&str>) -> Seen {
        if offer.is_delisted() {
            return Seen {
                price: None,
                out_of_stock: None,
                tiers: None,
                delisted: true,
                status: offer.status.clone(),
            };
        }
        let minimum = minimum_order(offer);
        let sku_low = offer.skus.iter().filter_map(|s| s.price).min();
        let order = OrderPricing::of(offer, qty);
        let price = order.unit_price(&offer.tiers, sku_low, offer.lowest_price());
        // Stock must cover the order as placed, in whole lots (as compare checks it).
        let qty = order.order_qty().unwrap_or_else(|| qty.max(minimum));
        let short = |s: &crate::offer::Sku| !s.available || s.stock.is_some_and(|n| n < qty);
        let out_of_stock = (!offer.skus.is_empty()).then(|| match sku {
            // A SKU the offer no longer lists cannot be ordered.
            Some(id) => match offer.skus.iter().find(|s| s.sku_id == id) {
                Some(s) if !short(s) => BTreeSet::new(),
                _ => BTreeSet::from([id.to_owned()]),
            },
            None => offer
                .skus
                .iter()
                .filter(|s| short(s))
                .map(|s| s.sku_id.clone())
                .collect(),
        });
        Seen {
            price,
            out_of_stock,
            tiers: Some(TierShape {
                minimum_order: minimum,
                breaks: offer.tiers.iter().map(|t| t.min_qty).collect(),
            }),
            delisted: false,
            status: offer.status.clone(),
        }
    }
}

impl Told {
    /// What holds at the start of a watch: nothing to alert about yet.
    pub fn start(seen: &Seen) -> Told {
        Told {
            price: seen.price,
            below_target: false,
            out_of_stock: seen.out_of_stock.clone(),
            tiers: seen.tiers.clone(),
            delisted: Some(seen.delisted),
            last_price: seen.price,
            pricing: PRICING,
        }
    }
}

/// One thing the buyer should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Move {
        old: Money,
        new: Money,
        change_bp: i64,
    },
    AtOrBelowTarget {
        old: Option<Money>,
        new: Money,
        target: Money,
    },
    OutOfStock {
        sku: String,
    },
    BackInStock {
        sku: String,
    },
    TiersChanged {
        old: TierShape,
        new: TierShape,
    },
    Delisted {
        status: Option<String>,
    },
    Relisted,
}

impl Event {
    /// Records that the buyer heard of this event.
    pub fn tell(&self, told: &mut Told) {
        match self {
            Event::Move { new, .. } => told.price = Some(*new),
            Event::AtOrBelowTarget { .. } => told.below_target = true,
            Event::OutOfStock { sku } => {
                told.out_of_stock
                    .get_or_insert_default()
                    .insert(sku.clone());
            }
            Event::BackInStock { sku } => {
                told.out_of_stock.get_or_insert_default().remove(sku);
            }
            Event::TiersChanged { new, .. } => told.tiers = Some(new.clone()),
            Event::Delisted { .. } => told.delisted = Some(true),
            Event::Relisted => told.delisted = Some(false),
        }
    }
}

/// What an observation means under the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The events, before any is held back.
    pub events: Vec<Event>,
    /// `told` with what changes silently: starting values, prices of disabled rules, a target
    /// re-armed. Each event raised is then told into it.
    pub told: Told,
    /// The price crossed the target (either way): a snooze "until the target" ends.
    pub crossed_target: bool,
}

/// The events `seen` raises against what the buyer was `told`.
pub fn evaluate(rules: &WatchRules, told: &Told, seen: &Seen) -> Evaluation {
    let mut next = told.clone();
    let mut events = Vec::new();
    let mut crossed_target = false;

    // Delisted or back first: it explains whatever else changed.
    match (rules.delisting, told.delisted) {
        (true, Some(before)) if before != seen.delisted => events.push(if seen.delisted {
            Event::Delisted {
                status: seen.status.clone(),
            }
        } else {
            Event::Relisted
        }),
        (true, Some(_)) => {}
        _ => next.delisted = Some(seen.delisted),
    }

    // Prices told under an earlier reckoning would raise moves that are only the new reckoning.
    let reckoned = told.pricing == PRICING;
    if let Some(new) = seen.price {
        match (rules.moves, told.price) {
            (Some(rule), Some(old)) if reckoned => {
                let change = change_bp(old, new).unwrap_or(0);
                let wanted = match rule.direction {
                    MoveDirection::Either => true,
                    MoveDirection::Up => change > 0,
                    MoveDirection::Down => change < 0,
                };
                if wanted && change.unsigned_abs() >= u64::from(rule.threshold.basis_points) {
                    events.push(Event::Move {
                        old,
                        new,
                        change_bp: change,
                    });
                }
            }
            // Without a move rule the starting price follows the price, so turning the rule
            // on measures from then; a first price (or one reckoned anew) starts it.
            _ => next.price = Some(new),
        }
        match rules.target_price {
            Some(target) if new <= target => {
                if !told.below_target {
                    crossed_target = true;
                    events.push(Event::AtOrBelowTarget {
                        old: told.last_price.filter(|_| reckoned),
                        new,
                        target,
                    });
                }
            }
            Some(target) => {
                let rearm = change_bp(target, new).is_some_and(|c| c >= TARGET_HYSTERESIS_BP);
                if told.below_target && rearm {
                    next.below_target = false;
                    crossed_target = true;
                }
            }
            None => next.below_target = false,
        }
        next.last_price = Some(new);
        next.pricing = PRICING;
    }

    if let Some(now) = &seen.out_of_stock {
        match (&rules.stock, &told.out_of_stock) {
            (Some(_), Some(before)) => {
                events.extend(
                    now.difference(before)
                        .map(|sku| Event::OutOfStock { sku: sku.clone() }),
                );
                events.extend(
                    before
                        .difference(now)
                        .map(|sku| Event::BackInStock { sku: sku.clone() }),
                );
            }
            _ => next.out_of_stock = Some(now.clone()),
        }
    }

    if let Some(now) = &seen.tiers {
        match (rules.tiers, &told.tiers) {
            (true, Some(before)) if before != now => events.push(Event::TiersChanged {
                old: before.clone(),
                new: now.clone(),
            }),
            (true, Some(_)) => {}
            _ => next.tiers = Some(now.clone()),
        }
    }

    Evaluation {
        events,
        told: next,
        crossed_target,
    }
}

/// A watch's snooze: no alerts until a time, or until the price crosses the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snooze {
    pub until: Option<DateTime<Utc>>,
    pub until_target: bool,
}

/// What one observation does to a watch once its snooze and daily cap have had their say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighed {
    /// The events to raise as alerts, already told into `told`.
    pub raised: Vec<Event>,
    pub told: Told,
    /// Whether the snooze "until the target" still holds.
    pub snooze_until_target: bool,
}

/// The alerts an observation fetched at `at` raises, `alerts_today` having been raised in the
/// 24 hours before it. Held back (snoozed, past the cap), an event stays untold: still news
/// when the snooze ends or the day has room, if it still holds then. Both the local store and
/// the team's checks weigh with this.
pub fn weigh(
    rules: &WatchRules,
    told: &Told,
    seen: &Seen,
    snooze: Snooze,
    at: DateTime<Utc>,
    alerts_today: u32,
) -> Weighed {
    let evaluation = evaluate(rules, told, seen);
    let mut told = evaluation.told;
    let snooze_until_target = snooze.until_target && !evaluation.crossed_target;
    let snoozed = snooze_until_target || snooze.until.is_some_and(|until| until > at);
    let mut today = alerts_today;
    let mut raised = Vec::new();
    for event in evaluation.events {
        if snoozed || today >= rules.daily_cap {
            continue;
        }
        event.tell(&mut told);
        raised.push(event);
        today += 1;
    }
    Weighed {
        raised,
        told,
        snooze_until_target,
    }
}

/// A watch as it was before an edit.
#[derive(Debug, Clone, Copy)]
pub struct Earlier<'a> {
    pub qty: u32,
    pub rules: &'a WatchRules,
    pub told: &'a Told,
}

impl Told {
    /// What counts as told once a watch is set (or changed) to `rules` at `qty`, `seen` being
    /// the stored offer as a complete observation (`None` for a search item: everything starts
    /// at the first detail). A new quantity measures moves from today's price there, a new
    /// target or stock rule starts unalerted; the rest is kept.
    pub fn after_edit(
        earlier: Option<Earlier<'_>>,
        rules: &WatchRules,
        qty: u32,
        seen: Option<&Seen>,
    ) -> Told {
        let start = seen.map_or_else(Told::default, Told::start);
        let Some(old) = earlier else {
            return start;
        };
        let mut told = old.told.clone();
        if old.qty != qty {
            told.price = start.price;
            told.last_price = start.last_price;
            told.pricing = start.pricing;
            told.below_target = false;
        }
        if old.rules.target_price != rules.target_price {
            told.below_target = false;
        }
        if old.rules.stock != rules.stock {
            told.out_of_stock = start.out_of_stock;
        }
        if !old.rules.tiers {
            told.tiers = start.tiers;
        }
        if !old.rules.delisting {
            told.delisted = start.delisted;
        }
        told
    }
}

impl WatchRules {
    /// Refuses rules that cannot work on this offer.
    pub fn check(&self, offer: &Offer) -> crate::Result<()> {
        let bad = |why: &str| Err(crate::Error::WatchBadRule(why.to_owned()));
        if self.daily_cap == 0 {
            return bad("the daily cap must be at least 1 alert");
        }
        if self.moves.is_some_and(|m| m.threshold.basis_points == 0) {
            return bad("a move threshold must be above 0%");
        }
        if self.target_price.is_some_and(|p| p.units() <= 0) {
            return bad("a target price must be above ¥0");
        }
        if let Some(sku) = self.stock.as_ref().and_then(|s| s.sku.as_deref()) {
            if !offer.skus.iter().any(|s| s.sku_id == sku) {
                return Err(crate::Error::WatchBadRule(format!(
                    "offer {} has no SKU {sku}",
                    offer.offer_id
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn priced(price: Option<&str>) -> Seen {
        Seen {
            price: price.map(m),
            out_of_stock: Some(BTreeSet::new()),
            tiers: Some(TierShape {
                minimum_order: 2,
                breaks: vec![2, 100],
            }),
            delisted: false,
            status: Some("published".into()),
        }
    }

    /// Runs observations through the rules, telling every event; the events raised per step.
    fn run(rules: &WatchRules, prices: &[Option<&str>]) -> Vec<Vec<Event>> {
        let mut told = Told::start(&priced(prices[0]));
        prices[1..]
            .iter()
            .map(|p| {
                let eval = evaluate(rules, &told, &priced(*p));
                told = eval.told;
                for event in &eval.events {
                    event.tell(&mut told);
                }
                eval.events
            })
            .collect()
    }

    #[test]
    fn creep_adds_up_from_the_last_price_alerted_about() {
        let steps = run(
            &WatchRules::default(),
            &[Some("10.00"), Some("10.40"), Some("10.82"), Some("11.00")],
        );
        assert!(steps[0].is_empty(), "+4% is below 5%");
        assert_eq!(
            steps[1],
            [Event::Move {
                old: m("10.00"),
                new: m("10.82"),
                change_bp: 820
            }]
        );
        assert!(steps[2].is_empty(), "+1.7% from the price alerted about");
    }

    #[test]
    fn prices_told_under_an_earlier_reckoning_start_afresh_without_a_move() {
        // A watch stored before whole lots were priced: its JSON has no `pricing`.
        let told: Told =
            serde_json::from_str(r#"{"price":"10.00","belowTarget":false,"lastPrice":"10.00"}"#)
                .unwrap();
        assert_eq!(told.pricing, 0);
        let eval = evaluate(&WatchRules::default(), &told, &priced(Some("8.00")));
        assert!(eval.events.is_empty(), "{:?}", eval.events);
        assert_eq!(
            (eval.told.price, eval.told.pricing),
            (Some(m("8.00")), PRICING)
        );
        // From then on moves are measured from the price reckoned anew.
        let eval = evaluate(&WatchRules::default(), &eval.told, &priced(Some("7.00")));
        assert!(matches!(
            eval.events[..],
            [Event::Move {
                change_bp: -1250,
                ..
            }]
        ));
        // A target still alerts on the first reckoned price, with no "before" from the old one.
        let target = WatchRules {
            target_price: Some(m("9.00")),
            ..WatchRules::default()
        };
        let eval = evaluate(&target, &told, &priced(Some("8.00")));
        assert_eq!(
            eval.events,
            [Event::AtOrBelowTarget {
                old: None,
                new: m("8.00"),
                target: m("9.00")
            }]
        );
    }

    #[test]
    fn a_missing_price_is_no_move_and_directions_filter() {
        let steps = run(
            &WatchRules::default(),
            &[Some("10.00"), None, Some("10.00")],
        );
        assert!(steps.iter().all(Vec::is_empty), "{steps:?}");
        let down_only = WatchRules {
            moves: Some(MoveRule {
                threshold: Percent { basis_points: 500 },
                direction: MoveDirection::Down,
            }),
            ..WatchRules::default()
        };
        let steps = run(&down_only, &[Some("10.00"), Some("11.00"), Some("9.00")]);
        assert!(steps[0].is_empty(), "a rise is not watched");
        assert!(matches!(
            steps[1][..],
            [Event::Move {
                change_bp: -1000,
                ..
            }]
        ));
    }

    #[test]
    fn a_target_alerts_once_until_the_price_rises_clear_of_it() {
        let rules = WatchRules {
            moves: None,
            target_price: Some(m("9.00")),
            ..WatchRules::default()
        };
        let steps = run(
            &rules,
            &[
                Some("10.00"),
                Some("9.00"),
                Some("9.05"),
                Some("8.90"),
                Some("9.20"),
                Some("8.99"),
            ],
        );
        assert_eq!(
            steps[0],
            [Event::AtOrBelowTarget {
                old: Some(m("10.00")),
                new: m("9.00"),
                target: m("9.00")
            }]
        );
        assert!(
            steps[1..3].iter().all(Vec::is_empty),
            "9.05 is within 1% of the target: not re-armed"
        );
        assert!(steps[3].is_empty(), "9.20 re-arms, no alert");
        assert_eq!(steps[4].len(), 1, "and the next drop alerts");
    }

    #[test]
    fn stock_tiers_and_delisting_alert_on_change_only_when_their_rule_is_on() {
        let rules = WatchRules {
            moves: None,
            stock: Some(StockRule { sku: None }),
            tiers: true,
            delisting: true,
            ..WatchRules::default()
        };
        let start = priced(Some("10.00"));
        let told = Told::start(&start);
        let mut out = start.clone();
        out.out_of_stock = Some(BTreeSet::from(["A".to_owned()]));
        out.tiers = Some(TierShape {
            minimum_order: 10,
            breaks: vec![10, 100],
        });
        let eval = evaluate(&rules, &told, &out);
        assert_eq!(eval.events.len(), 2, "{:?}", eval.events);
        assert!(evaluate(&WatchRules::default(), &told, &out)
            .events
            .is_empty());

        let gone = Seen {
            price: None,
            out_of_stock: None,
            tiers: None,
            delisted: true,
            status: Some("auditing".into()),
        };
        let eval = evaluate(&rules, &told, &gone);
        assert_eq!(
            eval.events,
            [Event::Delisted {
                status: Some("auditing".into())
            }]
        );
        assert_eq!(eval.told.price, told.price, "no price is not a move");
    }
}
