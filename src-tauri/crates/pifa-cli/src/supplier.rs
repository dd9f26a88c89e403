//! `pifa-cli supplier`: the supplier book on the command line. SUPPLIER is a supplier ID (from
//! `supplier list`) or any stored offer ID or link of that supplier. Contacts are sealed in
//! `pifa.db` under a key in the OS keyring; `export` writes them in plaintext, only when asked.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use pifa_core::store::SupplierSignals;
use pifa_core::suppliers::Contacts;
use pifa_workbench::{
    SignalChange, SignalsHistory, SupplierBadge, SupplierQuery, SupplierView, Workbench,
    MAX_SUPPLIER_PAGE,
};

use crate::output::{fit, json};
use crate::{CliError, Outcome};

#[derive(Subcommand)]
pub enum SupplierAction {
    /// Stored suppliers, most recently seen first.
    List {
        /// Only those whose name, ID, province or city holds this text.
        #[arg(long, short = 's', value_name = "TEXT")]
        search: Option<String>,
        /// Only suppliers you keep contacts for.
        #[arg(long)]
        with_contacts: bool,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SUPPLIER_PAGE)))]
        page_size: u32,
    },
    /// A supplier's public data and its signals over time, stored offers and your contacts
    /// and notes.
    Show { supplier: String },
    /// Keep contacts and notes for a supplier; fields not given stay as they were, an empty
    /// value ("") removes one.
    Contact {
        supplier: String,
        #[arg(long, value_name = "NAME")]
        person: Option<String>,
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        /// 旺旺 ID.
        #[arg(long, value_name = "ID")]
        wangwang: Option<String>,
        /// WeChat (微信) ID.
        #[arg(long, value_name = "ID")]
        wechat: Option<String>,
        #[arg(long, value_name = "E")]
        email: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Write every supplier's contacts as a PLAINTEXT CSV for Excel (anyone with the file can
    /// read them).
    Export {
        /// The file to write (default: a new dated file in Downloads).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(wb: &Workbench, action: &SupplierAction, as_json: bool) -> Result<Outcome, CliError> {
    match action {
        SupplierAction::List {
            search,
            with_contacts,
            page,
            page_size,
        } => {
            let page = wb.suppliers(&SupplierQuery {
                text: search.clone(),
                with_contacts: *with_contacts,
                page: *page,
                page_size: *page_size,
            })?;
            if as_json {
                json(&page);
                return Ok(Outcome::Ok);
            }
            if page.total == 0 {
                outln!("No suppliers stored yet: they come with the offers you search or fetch.");
            }
            for entry in &page.suppliers {
                let s = &entry.supplier;
                let place = [s.province.as_deref(), s.city.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                outln!(
                    "{}  {}  {}  {} offers{}",
                    fit(&entry.supplier_id, 28),
                    fit(s.name.as_deref().unwrap_or("—"), 30),
                    fit(&place, 12),
                    entry.offer_count,
                    if entry.has_contacts {
                        "  (contacts)"
                    } else {
                        ""
                    }
                );
            }
            if page.total > page.suppliers.len() as u32 {
                outln!(
                    "page {} of {} suppliers",
                    page.page,
                    page.total.div_ceil(page.page_size)
                );
            }
        }
        SupplierAction::Show { supplier } => {
            let view = wb.supplier(supplier)?;
            if as_json {
                json(&view);
            } else {
                print_view(&view);
            }
        }
        SupplierAction::Contact {
            supplier,
            person,
            phone,
            wangwang,
            wechat,
            email,
            note,
        } => {
            let changes = Contacts {
                person: person.clone(),
                phone: phone.clone(),
                wangwang: wangwang.clone(),
                wechat: wechat.clone(),
                email: email.clone(),
                note: note.clone(),
            };
            if changes == Contacts::default() {
                return Err(CliError::config(
                    "usage",
                    "give at least one of --person, --phone, --wangwang, --wechat, --email, --note",
                ));
            }
            let contacts =
                crate::runtime()?.block_on(wb.update_supplier_contacts(supplier, changes))?;
            if as_json {
                json(&contacts);
            } else {
                outln!("Kept (sealed in pifa.db, key in the OS keyring):");
                print_contacts(&contacts);
            }
        }
        SupplierAction::Export { output } => {
            let path = wb.export_supplier_contacts(output.as_deref())?;
            if as_json {
                json(&serde_json::json!({ "path": path }));
            } else {
                eprintln!(
                    "Wrote the contacts IN PLAINTEXT to {} — anyone with this file can read them.",
                    path.display()
                );
            }
        }
    }
    Ok(Outcome::Ok)
}

fn print_view(view: &SupplierView) {
    let entry = &view.entry;
    let s = &entry.supplier;
    outln!(
        "{}  ({})",
        s.name.as_deref().unwrap_or("—"),
        entry.supplier_id
    );
    let place = [s.province.as_deref(), s.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        outln!("  {place}");
    }
    let signals = SupplierSignals::of(s);
    let mut facts = Vec::new();
    if s.power_merchant() {
        facts.push("实力商家".to_owned());
    }
    if s.super_factory() {
        facts.push("超级工厂".to_owned());
    }
    if let Some(years) = s.tp_years {
        facts.push(format!("诚信通 {years} years"));
    }
    facts.extend(scores(&signals));
    if !facts.is_empty() {
        outln!("  {}", facts.join(" · "));
    }
    print_history(&view.history);
    outln!("Contacts:");
    match (&view.contacts, &view.contacts_problem) {
        (Some(c), _) if *c == Contacts::default() => outln!("  none yet"),
        (Some(c), _) => print_contacts(c),
        (None, Some(problem)) => outln!("  locked: {} [{}]", problem.message, problem.code),
        (None, None) => outln!("  —"),
    }
    outln!("Stored offers ({}):", view.offers.len());
    for offer in &view.offers {
        outln!(
            "  {}  {}  {}",
            fit(offer.offer_id.as_str(), 13),
            fit(
                &offer
                    .lowest_price
                    .map(|p| format!("¥{p}"))
                    .unwrap_or_else(|| "—".into()),
                10
            ),
            offer.title.as_deref().unwrap_or("")
        );
    }
}

/// Observations shown at most; `--json` has them all.
const HISTORY_LINES: usize = 5;

/// The service score and rates, as far as they are known.
fn scores(s: &SupplierSignals) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(score) = s.scores.composite {
        facts.push(format!("service {}.{}", score / 10, score % 10));
    }
    if let Some(rate) = s.repurchase_rate {
        facts.push(format!("repurchase {rate}"));
    }
    if let Some(rate) = s.pickup_48h_rate {
        facts.push(format!("48h pickup {rate}"));
    }
    if let Some(rate) = s.quality_refund_rate {
        facts.push(format!("quality refunds {rate}"));
    }
    facts
}

/// The newest observations, each with what changed then.
fn print_history(history: &SignalsHistory) {
    let Some(first) = history.observations.first() else {
        return;
    };
    let local = |at: DateTime<Utc>| at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
    let count = history.observations.len();
    outln!(
        "Signals over time (since {}, {count} observation{}, newest first):",
        local(first.observed_at),
        if count == 1 { "" } else { "s" }
    );
    for observation in history.observations.iter().rev().take(HISTORY_LINES) {
        let at = observation.observed_at;
        let changed: Vec<String> = history
            .changes
            .iter()
            .filter(|c| change_at(c) == at)
            .map(describe)
            .collect();
        let mut line = scores(&observation.signals).join(" · ");
        if !changed.is_empty() {
            line = format!("{line}  — {}", changed.join("; "));
        }
        outln!("  {}  {}", local(at), line);
    }
}

fn change_at(change: &SignalChange) -> DateTime<Utc> {
    match *change {
        SignalChange::Gained { at, .. }
        | SignalChange::Lost { at, .. }
        | SignalChange::TpYears { at, .. }
        | SignalChange::Medal { at, .. }
        | SignalChange::Composite { at, .. } => at,
    }
}

fn describe(change: &SignalChange) -> String {
    let badge = |b: SupplierBadge| match b {
        SupplierBadge::PowerMerchant => "实力商家",
        SupplierBadge::SuperFactory => "超级工厂",
        SupplierBadge::TpMember => "诚信通",
    };
    let tenths = |t: u32| format!("{}.{}", t / 10, t % 10);
    match *change {
        SignalChange::Gained { badge: b, .. } => format!("became {}", badge(b)),
        SignalChange::Lost { badge: b, .. } => format!("no longer {}", badge(b)),
        SignalChange::TpYears { from, to, .. } => format!("诚信通 {from} → {to} years"),
        SignalChange::Medal { from, to, .. } => format!("trade medal {from} → {to}"),
        SignalChange::Composite { from, to, .. } => {
            format!("service {} → {}", tenths(from), tenths(to))
        }
    }
}

fn print_contacts(c: &Contacts) {
    for (label, value) in [
        ("person", &c.person),
        ("phone", &c.phone),
        ("旺旺", &c.wangwang),
        ("WeChat", &c.wechat),
        ("email", &c.email),
        ("note", &c.note),
    ] {
        if let Some(value) = value {
            outln!("  {label}: {value}");
        }
    }
}
