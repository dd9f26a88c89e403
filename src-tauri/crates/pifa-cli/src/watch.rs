//! `pifa-cli watch`: follow offers' prices at a quantity, check them, read their history and
//! the alerts raised by moves. Run `watch check` from cron for unattended watching.

use clap::Subcommand;
use pifa_core::Money;
use pifa_workbench::Workbench;

use crate::output::{fit, json};
use crate::{CliError, Outcome};

#[derive(Subcommand)]
pub enum WatchAction {
    /// Watch a stored offer's unit price at a quantity.
    Add {
        offer: String,
        /// The order size to price (raised to the offer's minimum).
        #[arg(long, short = 'q', value_name = "N")]
        qty: u32,
        /// Alert when the price moves by at least this many percent between checks (default 5).
        #[arg(long, value_name = "PERCENT")]
        alert: Option<Money>,
    },
    /// Stop watching an offer (its history stays).
    Remove { offer: String },
    /// Every watch with its price now and when it began.
    List,
    /// Fetch watched offers due for a check (all with --all), record prices, raise alerts.
    Check {
        #[arg(long)]
        all: bool,
    },
    /// An offer's unit price at its watched quantity at every recorded point.
    History { offer: String },
    /// Alerts raised by price moves, newest first; --seen marks them all seen.
    Alerts {
        #[arg(long)]
        seen: bool,
    },
}

fn yuan(price: Option<Money>) -> String {
    price.map_or_else(|| "—".to_owned(), |p| format!("¥{p}"))
}

pub fn run(wb: &Workbench, action: &WatchAction, as_json: bool) -> Result<Outcome, CliError> {
    match action {
        WatchAction::Add { offer, qty, alert } => {
            let offer_id = pifa_core::OfferId::parse(offer).map_err(pifa_core::Error::from)?;
            // A percentage typed as 5 or 2.5: Money parses it exactly; hundredths of a percent.
            let basis_points = alert.map(|p| (p.units() / 100).clamp(1, 1_000_000) as u32);
            wb.watch_offer(offer_id.as_str(), *qty, basis_points)?;
            if as_json {
                json(&serde_json::json!({ "watching": offer_id, "targetQty": qty }));
            } else {
                outln!("Watching {offer_id} at {qty} pieces.");
            }
        }
        WatchAction::Remove { offer } => {
            let offer_id = pifa_core::OfferId::parse(offer).map_err(pifa_core::Error::from)?;
            wb.unwatch_offer(offer_id.as_str())?;
            if as_json {
                json(&serde_json::json!({ "unwatched": offer_id }));
            }
        }
        WatchAction::List => {
            let watches = wb.watches()?;
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
            }
        }
        WatchAction::History { offer } => {
            let history = wb.full_price_history(offer)?;
            if as_json {
                json(&history);
            }
            for point in history.iter().filter(|_| !as_json) {
                outln!(
                    "{}  {}",
                    point
                        .at
                        .with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M"),
                    yuan(point.unit_price)
                );
            }
        }
        WatchAction::Alerts { seen } => {
            if *seen {
                let marked = wb.mark_alerts_seen()?;
                if !as_json {
                    outln!("{marked} alerts marked seen.");
                }
                return Ok(Outcome::Ok);
            }
            let alerts = wb.alerts(false)?;
            if as_json {
                json(&alerts);
            }
            for alert in alerts.iter().filter(|_| !as_json) {
                outln!(
                    "{} {}{}",
                    alert
                        .at
                        .with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M"),
                    if alert.seen { "" } else { "[new] " },
                    alert.message
                );
            }
        }
        WatchAction::Check { all } => {
            let report = crate::runtime()?.block_on(wb.check_watches(*all))?;
            if as_json {
                json(&report);
            } else {
                outln!(
                    "{} watches checked, {} failed.",
                    report.checked,
                    report.failed
                );
                for alert in &report.alerts {
                    outln!("  alert: {}", alert.message);
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
