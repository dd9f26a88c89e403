//! `pifa-cli watch`: follow offers at a quantity with alert rules, check them, snooze them, read
//! their history and their alerts. Run `watch check` from cron for unattended watching.

use clap::Subcommand;
use pifa_core::history::{HistoryRange, PriceHistory, PriceMark};
use pifa_core::offer::Percent;
use pifa_core::store::{Alert, Watch};
use pifa_core::watch::rules::{MoveDirection, MoveRule, StockRule, WatchRules, DEFAULT_DAILY_CAP};
use pifa_core::Money;
use pifa_workbench::Workbench;

use crate::output::{fit, json, order_words};
use crate::{CliError, Outcome};

#[derive(Subcommand)]
pub enum WatchAction {
    /// Watch a stored offer at a quantity with alert rules (again: replaces its rules). Without
    /// rule flags it alerts on moves of 5% either way.
    Add {
        offer: String,
        /// The order size to price (raised to the offer's minimum).
        #[arg(long, short = 'q', value_name = "N")]
        qty: u32,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Hold a watch's alerts for a while (--for 3h, 2d, 1w), until its price crosses its target
    /// (--until-target), or end the snooze (--off).
    Snooze {
        offer: String,
        #[arg(long = "for", value_name = "DURATION", value_parser = minutes, conflicts_with_all = ["until_target", "off"])]
        duration: Option<u32>,
        #[arg(long, conflicts_with = "off")]
        until_target: bool,
        #[arg(long)]
        off: bool,
    },
    /// Stop watching an offer (its history stays).
    Remove { offer: String },
    /// Every watch with its rules, its price now and where it stands.
    List,
    /// Fetch watched offers due for a check (all with --all), record prices, raise alerts.
    Check {
        #[arg(long)]
        all: bool,
    },
    /// An offer's unit price at its watched quantity (or --qty) over a range: its low, high
    /// and current price and the chart's points.
    History {
        offer: String,
        /// 7d, 30d, 90d, 1y or all.
        #[arg(long, default_value = "30d", value_parser = parse_range)]
        range: HistoryRange,
        #[arg(long)]
        qty: Option<u32>,
    },
    /// Alerts, newest first; --seen marks them all seen, --seen-id one.
    Alerts {
        #[arg(long, conflicts_with = "seen_id")]
        seen: bool,
        #[arg(long, value_name = "ALERT_ID")]
        seen_id: Option<i64>,
    },
}

/// The rules of `watch add`.
#[derive(clap::Args)]
pub struct RuleArgs {
    /// Alert when the price moves by at least this many percent from the last price alerted
    /// about (default 5).
    #[arg(long, value_name = "PERCENT")]
    alert: Option<Money>,
    /// Only rises alert.
    #[arg(long, conflicts_with = "down")]
    up: bool,
    /// Only drops alert.
    #[arg(long)]
    down: bool,
    /// No alerts for moves (with --below, --stock, --tiers or --delisting).
    #[arg(long, conflicts_with_all = ["alert", "up", "down"])]
    no_moves: bool,
    /// Alert when the unit price at the quantity is at or below this many yuan.
    #[arg(long, value_name = "YUAN")]
    below: Option<Money>,
    /// Alert when this SKU cannot supply the quantity, or can again.
    #[arg(long, value_name = "SKU_ID")]
    sku: Option<String>,
    /// Alert when any SKU cannot supply the quantity, or can again.
    #[arg(long)]
    stock: bool,
    /// Alert when the minimum order or the tier breaks change.
    #[arg(long)]
    tiers: bool,
    /// Alert when the offer is delisted or back.
    #[arg(long)]
    delisting: bool,
    /// At most this many alerts in 24 hours (default 5); more wait for room.
    #[arg(long, value_name = "N")]
    daily_cap: Option<u32>,
}

impl RuleArgs {
    fn rules(&self) -> WatchRules {
        let direction = match (self.up, self.down) {
            (true, _) => MoveDirection::Up,
            (_, true) => MoveDirection::Down,
            _ => MoveDirection::Either,
        };
        // A percentage typed as 5 or 2.5: Money parses it exactly; hundredths of a percent.
        let threshold = self.alert.map_or(pifa_core::store::DEFAULT_ALERT_BP, |p| {
            (p.units() / 100).clamp(0, 1_000_000) as u32
        });
        WatchRules {
            moves: (!self.no_moves).then_some(MoveRule {
                threshold: Percent {
                    basis_points: threshold,
                },
                direction,
            }),
            target_price: self.below,
            stock: (self.stock || self.sku.is_some()).then(|| StockRule {
                sku: self.sku.clone(),
            }),
            tiers: self.tiers,
            delisting: self.delisting,
            daily_cap: self.daily_cap.unwrap_or(DEFAULT_DAILY_CAP),
        }
    }
}

/// `90m`, `3h`, `2d` or `1w` as minutes.
fn minutes(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u32 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90m, 3h, 2d or 1w"))?;
    let per = match unit.trim() {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 24 * 60,
        "w" => 7 * 24 * 60,
        _ => return Err(format!("{text:?}: the unit must be m, h, d or w")),
    };
    number
        .checked_mul(per)
        .filter(|m| *m > 0)
        .ok_or_else(|| format!("{text:?} is not a usable duration"))
}

/// A watch's rules in a few words.
fn describe_rules(rules: &WatchRules) -> String {
    let mut parts = Vec::new();
    if let Some(m) = rules.moves {
        let sign = match m.direction {
            MoveDirection::Either => "±",
            MoveDirection::Up => "+",
            MoveDirection::Down => "-",
        };
        parts.push(format!("{sign}{}", m.threshold));
    }
    if let Some(target) = rules.target_price {
        parts.push(format!("≤¥{target}"));
    }
    if let Some(stock) = &rules.stock {
        parts.push(format!(
            "stock({})",
            stock.sku.as_deref().unwrap_or("any SKU")
        ));
    }
    if rules.tiers {
        parts.push("tiers".into());
    }
    if rules.delisting {
        parts.push("delisting".into());
    }
    parts.push(format!("max {}/day", rules.daily_cap));
    parts.join(" ")
}

/// Where a watch stands, in a few words.
fn describe_state(w: &Watch) -> String {
    let s = &w.state;
    let mut parts = vec![format!("from {}", yuan(s.baseline_price))];
    if s.at_or_below_target {
        parts.push("at/below target".into());
    }
    if !s.out_of_stock.is_empty() {
        parts.push(format!("out of stock: {}", s.out_of_stock.join(",")));
    }
    if s.delisted {
        parts.push("delisted".into());
    }
    if let Some(until) = s.snoozed_until {
        parts.push(format!(
            "snoozed until {}",
            until.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        ));
    }
    if s.snoozed_until_target {
        parts.push("snoozed until the target is crossed".into());
    }
    parts.join(", ")
}

fn print_alert(alert: &Alert) {
    outln!(
        "{} #{} {}{}",
        alert
            .at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M"),
        alert.alert_id,
        if alert.seen { "" } else { "[new] " },
        alert.message
    );
}

fn parse_range(text: &str) -> Result<HistoryRange, String> {
    HistoryRange::parse(text).ok_or_else(|| "one of 7d, 30d, 90d, 1y, all".to_owned())
}

/// The line at the quantity: its low, high and current price, then its points (at most a few
/// hundred, downsampled like the app's chart).
fn print_history(history: &PriceHistory) {
    let Some(line) = history.series.first() else {
        return;
    };
    let local = |at: chrono::DateTime<chrono::Utc>| {
        at.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mark = |m: &Option<PriceMark>| {
        m.map_or_else(
            || "—".to_owned(),
            |m| format!("¥{} ({})", m.price, local(m.at)),
        )
    };
    outln!(
        "{} at {} pcs, {}: low {}, high {}, now {}; {} observations",
        history.offer_id,
        history.qty,
        history.range.as_str(),
        mark(&line.low),
        mark(&line.high),
        mark(&line.current),
        line.observations
    );
    for point in &line.points {
        outln!("{}  ¥{}", local(point.at), point.price);
    }
}

fn yuan(price: Option<Money>) -> String {
    price.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"))
}

pub async fn run(wb: &Workbench, action: &WatchAction, as_json: bool) -> Result<Outcome, CliError> {
    match action {
        WatchAction::Add { offer, qty, rules } => {
            let offer_id = pifa_core::OfferId::parse(offer).map_err(pifa_core::Error::from)?;
            let rules = rules.rules();
            let watches = wb.set_watch(offer_id.as_str(), *qty, &rules).await?;
            if as_json {
                json(&watches.iter().find(|w| w.offer_id == offer_id));
            } else {
                outln!(
                    "Watching {offer_id} at {qty} pieces: {}.",
                    describe_rules(&rules)
                );
            }
        }
        WatchAction::Snooze {
            offer,
            duration,
            until_target,
            off,
        } => {
            if duration.is_none() && !until_target && !off {
                return Err(CliError::config(
                    "watch.bad_rule",
                    "say how long: --for DURATION, --until-target, or --off to end a snooze",
                ));
            }
            let offer_id = pifa_core::OfferId::parse(offer).map_err(pifa_core::Error::from)?;
            let watches = wb
                .snooze_watch(offer_id.as_str(), *duration, *until_target)
                .await?;
            let watch = watches.iter().find(|w| w.offer_id == offer_id);
            if as_json {
                json(&watch);
            } else if let Some(watch) = watch {
                outln!("{offer_id}: {}.", describe_state(watch));
            }
        }
        WatchAction::Remove { offer } => {
            let offer_id = pifa_core::OfferId::parse(offer).map_err(pifa_core::Error::from)?;
            wb.unwatch_offer(offer_id.as_str()).await?;
            if as_json {
                json(&serde_json::json!({ "unwatched": offer_id }));
            }
        }
        WatchAction::List => {
            let watches = wb.watches().await?;
            if as_json {
                json(&watches);
            } else if watches.is_empty() {
                outln!("No watches (`pifa-cli watch add OFFER --qty N` starts one).");
            }
            for w in watches.iter().filter(|_| !as_json) {
                outln!(
                    "{}  {:>7} pcs  now {}  first {}  {}",
                    fit(w.offer_id.as_str(), 13),
                    w.target_qty,
                    fit(&yuan(w.current_price), 10),
                    fit(&yuan(w.first_price), 10),
                    w.title.as_deref().unwrap_or("")
                );
                if let Some(order) = &w.order {
                    outln!("               priced as ordered: {}", order_words(order));
                }
                outln!(
                    "               alerts on {}; {}",
                    describe_rules(&w.rules),
                    describe_state(w)
                );
            }
        }
        WatchAction::History { offer, range, qty } => {
            let history = wb.price_history(offer, *range, *qty)?;
            if as_json {
                json(&history);
            } else {
                print_history(&history);
            }
        }
        WatchAction::Alerts { seen, seen_id } => {
            if *seen {
                let marked = wb.mark_alerts_seen().await?;
                if !as_json {
                    outln!("{marked} alerts marked seen.");
                }
                return Ok(Outcome::Ok);
            }
            if let Some(alert_id) = seen_id {
                let marked = wb.mark_alert_seen(*alert_id).await?;
                if as_json {
                    json(&serde_json::json!({ "alertId": alert_id, "marked": marked }));
                } else if marked {
                    outln!("Alert {alert_id} marked seen.");
                } else {
                    outln!("Alert {alert_id} was seen already (or does not exist).");
                }
                return Ok(Outcome::Ok);
            }
            let alerts = wb.alerts(false).await?;
            if as_json {
                json(&alerts);
            }
            for alert in alerts.iter().filter(|_| !as_json) {
                print_alert(alert);
            }
        }
        WatchAction::Check { all } => {
            let report = wb.check_watches(*all).await?;
            if as_json {
                json(&report);
            } else {
                outln!(
                    "{} watches checked, {} failed.",
                    report.checked,
                    report.failed
                );
                for alert in &report.alerts {
                    outln!("  alert #{}: {}", alert.alert_id, alert.message);
                }
            }
            if let Some(stop) = report.stopped {
                return Err(CliError::Stopped {
                    message: format!("the watch check stopped: {}", stop.message),
                    code: stop.code,
                });
            }
            return Ok(if report.failed > 0 {
                Outcome::SomeFailed
            } else {
                Outcome::Ok
            });
        }
    }
    Ok(Outcome::Ok)
}
