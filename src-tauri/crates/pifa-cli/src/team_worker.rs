//! `pifa-cli team worker`: the team's watch checks with no desktop open. Every round claims
//! the team's due watches (each checked once per team per round, whoever else is checking),
//! fetches, weighs and finishes them; what it did goes to standard error, a line a round, for
//! the journal. Suitable for a systemd service: SIGTERM or Ctrl-C lets the round in progress
//! finish and exits cleanly (a second one exits at once; the claims held then run out).

use std::time::Duration;

use pifa_workbench::{Workbench, TEAM_WATCH_LEASE};
use tokio::sync::watch;

use crate::output::json;
use crate::{CliError, Outcome};

#[derive(clap::Args)]
pub struct WorkerArgs {
    /// Run one round and exit (for a timer or cron instead of a service).
    #[arg(long)]
    once: bool,
    /// Seconds between rounds: how soon a due watch is noticed. A watch is due again after
    /// the check interval (Settings) of the desktop or worker that checked it.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    every: u64,
    /// Seconds a claimed check is held: if this worker dies, another takes the check up after
    /// that long.
    #[arg(long, value_name = "SECONDS", default_value_t = TEAM_WATCH_LEASE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=86_400))]
    lease: u64,
}

/// A receiver that changes on each SIGTERM or Ctrl-C.
fn stop_signals() -> watch::Receiver<u32> {
    let (send, receive) = watch::channel(0u32);
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let terminated = async {
                match term.as_mut() {
                    Some(term) => {
                        term.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let terminated = std::future::pending::<()>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminated => {}
            }
            send.send_modify(|n| *n += 1);
        }
    });
    receive
}

fn say(message: impl std::fmt::Display) {
    eprintln!("pifa-cli team worker: {message}");
}

pub async fn run(wb: &Workbench, args: &WorkerArgs, as_json: bool) -> Result<Outcome, CliError> {
    let lease = Duration::from_secs(args.lease);
    let mut stop = stop_signals();
    say(format_args!(
        "started: a round every {}s, claims held {}s{}",
        args.every,
        args.lease,
        if args.once { ", once" } else { "" }
    ));
    loop {
        let round = wb.check_team_watches(false, lease);
        tokio::pin!(round);
        let result = tokio::select! {
            result = &mut round => result,
            _ = stop.changed() => {
                say("stopping after the checks in progress (again to stop at once)");
                tokio::select! {
                    result = &mut round => {
                        report(&result, as_json);
                        say("stopped");
                        return result.map(|_| Outcome::Ok).map_err(CliError::from);
                    }
                    _ = stop.changed() => {
                        say("stopped at once; the checks held are taken up when their claims run out");
                        return Ok(Outcome::Ok);
                    }
                }
            }
        };
        report(&result, as_json);
        if args.once {
            let report = result?;
            return Ok(if report.failed > 0 || report.stopped.is_some() {
                Outcome::SomeFailed
            } else {
                Outcome::Ok
            });
        }
        // A service outlives a server restart or a lost network: the next round tries again.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(args.every)) => {}
            _ = stop.changed() => {
                say("stopped");
                return Ok(Outcome::Ok);
            }
        }
    }
}

fn report(
    result: &Result<pifa_core::watch::WatchCheck, pifa_workbench::CommandError>,
    as_json: bool,
) {
    match result {
        Ok(report) => {
            if as_json {
                json(report);
            }
            say(format_args!(
                "round: {} checked, {} failed, {} alerts",
                report.checked,
                report.failed,
                report.alerts.len()
            ));
            for alert in &report.alerts {
                say(format_args!("alert #{}: {}", alert.alert_id, alert.message));
            }
            if let Some(stop) = &report.stopped {
                say(format_args!(
                    "the round stopped early: {} [{}]",
                    stop.message, stop.code
                ));
            }
        }
        Err(e) => say(format_args!("the round failed: {} [{}]", e.message, e.code)),
    }
}
