//! A supplier's signals over time as its page shows them: the observations for the rates chart,
//! and what changed among the signals a chart of rates does not show (badges, 诚信通 years,
//! trade medal, the composite service score), newest first.

use chrono::{DateTime, Utc};
use pifa_core::offer::Badges;
use pifa_core::store::SupplierObservation;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignalsHistory {
    /// Oldest first; the newest `pifa_core::store::SUPPLIER_HISTORY_ROWS` at most.
    pub observations: Vec<SupplierObservation>,
    /// Newest first.
    pub changes: Vec<SignalChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SupplierBadge {
    /// 实力商家.
    PowerMerchant,
    /// 超级工厂.
    SuperFactory,
    /// 诚信通.
    TpMember,
}

/// One change between two observations. Only known values are compared: a badge or a number
/// that an answer did not say is no change, and a value is compared with the last one known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum SignalChange {
    Gained {
        #[ts(type = "string")]
        at: DateTime<Utc>,
        badge: SupplierBadge,
    },
    Lost {
        #[ts(type = "string")]
        at: DateTime<Utc>,
        badge: SupplierBadge,
    },
    /// 诚信通 years.
    TpYears {
        #[ts(type = "string")]
        at: DateTime<Utc>,
        from: u32,
        to: u32,
    },
    /// 卖家交易勋章等级.
    Medal {
        #[ts(type = "string")]
        at: DateTime<Utc>,
        from: u32,
        to: u32,
    },
    /// 综合服务分, in tenths.
    Composite {
        #[ts(type = "string")]
        at: DateTime<Utc>,
        from: u32,
        to: u32,
    },
}

impl SignalsHistory {
    /// `observations` oldest first, as the store answers them.
    pub fn of(observations: Vec<SupplierObservation>) -> SignalsHistory {
        let changes = changes(&observations);
        SignalsHistory {
            observations,
            changes,
        }
    }
}

type Change = fn(DateTime<Utc>, u32, u32) -> SignalChange;

/// The changes among `observations` (oldest first), newest first.
pub fn changes(observations: &[SupplierObservation]) -> Vec<SignalChange> {
    #[derive(Default)]
    struct Known {
        badges: Option<Badges>,
        tp_years: Option<u32>,
        medal: Option<u32>,
        composite: Option<u32>,
    }
    let mut known = Known::default();
    // Per observation, so the newest come first while one moment's keep their order.
    let mut moments = Vec::new();
    for observation in observations {
        let mut changes = Vec::new();
        let (at, s) = (observation.observed_at, &observation.signals);
        if let Some(badges) = s.badges {
            if let Some(before) = known.badges {
                for (badge, had, has) in [
                    (
                        SupplierBadge::PowerMerchant,
                        before.power_merchant,
                        badges.power_merchant,
                    ),
                    (
                        SupplierBadge::SuperFactory,
                        before.super_factory,
                        badges.super_factory,
                    ),
                    (SupplierBadge::TpMember, before.tp_member, badges.tp_member),
                ] {
                    match (had, has) {
                        (false, true) => changes.push(SignalChange::Gained { at, badge }),
                        (true, false) => changes.push(SignalChange::Lost { at, badge }),
                        _ => {}
                    }
                }
            }
            known.badges = Some(badges);
        }
        let mut number = |last: &mut Option<u32>, now: Option<u32>, change: Change| {
            if let Some(now) = now {
                if let Some(from) = last.filter(|from| *from != now) {
                    changes.push(change(at, from, now));
                }
                *last = Some(now);
            }
        };
        number(&mut known.tp_years, s.tp_years, |at, from, to| {
            SignalChange::TpYears { at, from, to }
        });
        number(&mut known.medal, s.trade_medal_level, |at, from, to| {
            SignalChange::Medal { at, from, to }
        });
        number(&mut known.composite, s.scores.composite, |at, from, to| {
            SignalChange::Composite { at, from, to }
        });
        moments.push(changes);
    }
    moments.into_iter().rev().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use pifa_core::offer::ServiceScores;
    use pifa_core::store::SupplierSignals;

    fn at(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap() + Duration::days(day)
    }

    fn seen(day: i64, signals: SupplierSignals) -> SupplierObservation {
        SupplierObservation {
            observed_at: at(day),
            signals,
        }
    }

    fn badges(power_merchant: bool, super_factory: bool, tp_member: bool) -> Option<Badges> {
        Some(Badges {
            power_merchant,
            super_factory,
            tp_member,
        })
    }

    #[test]
    fn badges_years_medal_and_score_changes_newest_first() {
        let start = SupplierSignals {
            tp_years: Some(6),
            badges: badges(false, true, true),
            trade_medal_level: Some(3),
            scores: ServiceScores {
                composite: Some(45),
                ..ServiceScores::default()
            },
            ..SupplierSignals::default()
        };
        let observations = [
            seen(0, start),
            // Held: nothing changed.
            seen(1, start),
            seen(
                2,
                SupplierSignals {
                    badges: badges(true, true, false),
                    ..start
                },
            ),
            seen(
                3,
                SupplierSignals {
                    badges: badges(true, true, false),
                    tp_years: Some(7),
                    trade_medal_level: Some(4),
                    scores: ServiceScores {
                        composite: Some(47),
                        ..ServiceScores::default()
                    },
                    ..start
                },
            ),
        ];
        assert_eq!(
            changes(&observations),
            [
                SignalChange::TpYears {
                    at: at(3),
                    from: 6,
                    to: 7
                },
                SignalChange::Medal {
                    at: at(3),
                    from: 3,
                    to: 4
                },
                SignalChange::Composite {
                    at: at(3),
                    from: 45,
                    to: 47
                },
                SignalChange::Gained {
                    at: at(2),
                    badge: SupplierBadge::PowerMerchant
                },
                SignalChange::Lost {
                    at: at(2),
                    badge: SupplierBadge::TpMember
                },
            ]
        );
    }

    #[test]
    fn unknown_values_are_no_change_and_the_last_known_one_counts() {
        let known = SupplierSignals {
            tp_years: Some(6),
            badges: badges(false, false, false),
            ..SupplierSignals::default()
        };
        let observations = [
            // Nothing known yet, then known: no "became".
            seen(0, SupplierSignals::default()),
            seen(1, known),
            // Unknown again, then known again with other values: compared with day 1.
            seen(2, SupplierSignals::default()),
            seen(
                3,
                SupplierSignals {
                    tp_years: Some(7),
                    badges: badges(true, false, false),
                    ..known
                },
            ),
        ];
        assert_eq!(
            changes(&observations),
            [
                SignalChange::Gained {
                    at: at(3),
                    badge: SupplierBadge::PowerMerchant
                },
                SignalChange::TpYears {
                    at: at(3),
                    from: 6,
                    to: 7
                },
            ]
        );
        assert!(changes(&observations[..2]).is_empty());
        assert!(changes(&[]).is_empty());
    }
}
