//! `#[tauri::command]` shims: unpack Tauri's arguments, call the workbench, return its result
//! and emit what background work reports.

use std::collections::BTreeMap;

use pifa_core::batch::{BatchCounts, BatchProgress};
use pifa_core::compare::Comparison;
use pifa_core::health::{Health, HealthReport, HealthWindow, Target, ThresholdOverrides};
use pifa_core::history::{HistoryRange, PriceHistory, SparkRequest, Sparkline};
use pifa_core::offer::tiers::OrderQuote;
use pifa_core::offer::Offer;
use pifa_core::pick::{PickOutcome, PickRequest, Weights};
use pifa_core::protocol::KeywordSearch;
use pifa_core::sourcing::SearchResults;
use pifa_core::store::{
    Alert, OfferPage, OfferQuery, PausedOffer, PickRun, PickRunSummary, Shortlist, ShortlistPage,
    ShortlistQuery, Watch,
};
use pifa_core::suppliers::Contacts;
use pifa_core::watch::rules::WatchRules;
use pifa_core::watch::WatchCheck;
use pifa_core::Language;
use pifa_workbench::events::Event;
use pifa_workbench::logs::LogStatus;
use pifa_workbench::{
    HealthSettings, Home, OfferLinkPart, PickProgress, SupplierPage, SupplierQuery, SupplierView,
    TeamJoined, TeamStatus, BATCH_CONCURRENCY,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::{emit, save, AppInfo, CommandError, Workbench};

#[tauri::command]
pub fn app_info(workbench: State<'_, Workbench>) -> AppInfo {
    workbench.app_info()
}

/// `language: null` goes back to following the OS.
#[tauri::command]
pub fn set_language(
    workbench: State<'_, Workbench>,
    language: Option<Language>,
) -> Result<AppInfo, CommandError> {
    workbench.set_language(language)
}

/// Local search over stored offers: one page at a time, off the UI thread.
#[tauri::command]
pub async fn search_offers(app: AppHandle, query: OfferQuery) -> Result<OfferPage, CommandError> {
    blocking(app, move |workbench| workbench.search_offers(&query)).await
}

/// One page of a 1688 keyword search (the demo gateway until live credentials are set). A
/// stale cached page is answered at once and refreshed in the background.
#[tauri::command]
pub async fn search_1688(
    app: AppHandle,
    search: KeywordSearch,
    refresh: bool,
) -> Result<SearchResults, CommandError> {
    let answer = app
        .state::<Workbench>()
        .search_1688(&search, refresh)
        .await?;
    if let Some(refresh) = answer.refresh {
        let search = answer.value.search.clone();
        tauri::async_runtime::spawn(async move {
            emit(&app, Event::search_refreshed(search, refresh.await));
        });
    }
    Ok(answer.value)
}

/// An offer's full detail, stored; `refresh` fetches even when a fresh copy is stored. A stale
/// copy is answered at once and refreshed in the background.
#[tauri::command]
pub async fn fetch_offer(
    app: AppHandle,
    offer_id: String,
    refresh: bool,
) -> Result<Offer, CommandError> {
    let answer = app
        .state::<Workbench>()
        .fetch_offer(&offer_id, refresh)
        .await?;
    if let Some(refresh) = answer.refresh {
        let offer_id = answer.value.offer_id.to_string();
        tauri::async_runtime::spawn(async move {
            emit(&app, Event::offer_refreshed(offer_id, refresh.await));
        });
    }
    Ok(answer.value)
}

/// Keeps the 1688 app in the keyring, authorizes it in the browser and switches to live mode.
#[tauri::command]
pub async fn connect_live(
    workbench: State<'_, Workbench>,
    app_key: String,
    app_secret: String,
    gateway: Option<String>,
) -> Result<AppInfo, CommandError> {
    let open = pifa_core::protocol::loopback::open_browser;
    workbench
        .connect_live(&app_key, &app_secret, gateway.as_deref(), open)
        .await
}

/// Logs out of 1688 and returns to demo data.
#[tauri::command]
pub async fn use_demo(workbench: State<'_, Workbench>) -> Result<AppInfo, CommandError> {
    workbench.logout(false).await
}

/// Sets how long fetched answers count as fresh and how often watches are checked, in
/// minutes; `null` is the default.
#[tauri::command]
pub async fn set_refresh_settings(
    app: AppHandle,
    detail_minutes: Option<u32>,
    search_minutes: Option<u32>,
    watch_minutes: Option<u32>,
) -> Result<AppInfo, CommandError> {
    blocking(app, move |workbench| {
        workbench.set_refresh_settings(detail_minutes, search_minutes, watch_minutes)
    })
    .await
}

/// Fetches and stores every offer named in `text`; each result goes through `progress` as it
/// settles, and the counts come back (and go out as `batch-finished`) when the batch ends.
#[tauri::command]
pub async fn run_batch(
    app: AppHandle,
    text: String,
    progress: Channel<BatchProgress>,
) -> Result<BatchCounts, CommandError> {
    let counts = app
        .state::<Workbench>()
        .run_batch(&text, BATCH_CONCURRENCY, None, |item, counts| {
            // A closed window just stops listening; the batch still finishes and stores.
            let _ = progress.send(BatchProgress {
                item: item.clone(),
                counts: counts.clone(),
            });
        })
        .await?;
    emit(&app, Event::BatchFinished(counts.clone()));
    Ok(counts)
}

/// Stops the running batch; `false` when none was running.
#[tauri::command]
pub fn cancel_batch(workbench: State<'_, Workbench>) -> bool {
    workbench.cancel_batch()
}

/// 选品: searches, fetches the candidates' details (progress through `progress`), filters and
/// ranks them, and saves the run. One pick at a time: another is refused with `pick.running`.
/// `weights: null` is the default weights.
#[tauri::command]
pub async fn run_pick(
    app: AppHandle,
    request: PickRequest,
    weights: Option<Weights>,
    progress: Channel<PickProgress>,
) -> Result<PickRun, CommandError> {
    app.state::<Workbench>()
        .pick(
            &request,
            &weights.unwrap_or_default(),
            |step| {
                // A closed window just stops listening; the pick still finishes and is saved.
                let _ = progress.send(step.clone());
            },
            None,
        )
        .await
}

/// Stops the running pick, unsaved; `false` when none was running.
#[tauri::command]
pub fn cancel_pick(workbench: State<'_, Workbench>) -> bool {
    workbench.cancel_pick()
}

/// Ranks a saved run's candidates with other weights, from what is stored: no fetch.
#[tauri::command]
pub async fn rerank_pick(
    workbench: State<'_, Workbench>,
    run_id: i64,
    weights: Weights,
) -> Result<PickOutcome, CommandError> {
    workbench.rerank_pick(run_id, &weights).await
}

/// Saved pick runs, newest first.
#[tauri::command]
pub async fn pick_runs(app: AppHandle, limit: u32) -> Result<Vec<PickRunSummary>, CommandError> {
    blocking(app, move |workbench| workbench.pick_runs(limit)).await
}

#[tauri::command]
pub async fn pick_run(app: AppHandle, run_id: i64) -> Result<PickRun, CommandError> {
    blocking(app, move |workbench| workbench.pick_run(run_id)).await
}

/// The stored copy of an offer, however old; no call to 1688.
#[tauri::command]
pub async fn stored_offer(app: AppHandle, offer_id: String) -> Result<Offer, CommandError> {
    blocking(app, move |workbench| workbench.stored_offer(&offer_id)).await
}

/// What `quantity` pieces of a stored offer (optionally of one SKU) cost.
#[tauri::command]
pub async fn quote_offer(
    app: AppHandle,
    offer_id: String,
    quantity: u32,
    sku_id: Option<String>,
) -> Result<OrderQuote, CommandError> {
    blocking(app, move |workbench| {
        workbench.quote_offer(&offer_id, quantity, sku_id.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn paused_offers(app: AppHandle) -> Result<Vec<PausedOffer>, CommandError> {
    blocking(app, |workbench| workbench.paused_offers()).await
}

/// Lifts the pauses of these offers, or of all when the list is empty.
#[tauri::command]
pub async fn resume_offers(app: AppHandle, offer_ids: Vec<String>) -> Result<u64, CommandError> {
    blocking(app, move |workbench| workbench.resume_offers(&offer_ids)).await
}

#[tauri::command]
pub async fn health(app: AppHandle) -> Result<Health, CommandError> {
    blocking(app, |workbench| workbench.health()).await
}

/// The brief's targets over a window (`24h` or `7d`), with the error log by class.
#[tauri::command]
pub async fn health_report(
    app: AppHandle,
    window: HealthWindow,
) -> Result<HealthReport, CommandError> {
    blocking(app, move |workbench| workbench.health_report(window)).await
}

/// The targets breached over the last 24 hours: the navigation badge.
#[tauri::command]
pub async fn health_breaches(app: AppHandle) -> Result<Vec<Target>, CommandError> {
    blocking(app, |workbench| workbench.health_breaches()).await
}

#[tauri::command]
pub fn health_settings(workbench: State<'_, Workbench>) -> HealthSettings {
    workbench.health_settings()
}

/// Saves the thresholds (`null` for the brief's) and the notification choice.
#[tauri::command]
pub async fn set_health_settings(
    app: AppHandle,
    thresholds: ThresholdOverrides,
    notify: bool,
) -> Result<HealthSettings, CommandError> {
    blocking(app, move |workbench| {
        workbench.set_health_settings(thresholds, notify)
    })
    .await
}

/// Saves the faults the demo gateway simulates; in demo mode they apply from the next call.
#[tauri::command]
pub async fn set_demo_faults(
    workbench: State<'_, Workbench>,
    faults: pifa_core::DemoFaults,
) -> Result<HealthSettings, CommandError> {
    workbench.set_demo_faults(faults).await
}

#[tauri::command]
pub async fn shortlists(app: AppHandle) -> Result<Vec<Shortlist>, CommandError> {
    blocking(app, |workbench| workbench.shortlists()).await
}

#[tauri::command]
pub async fn create_shortlist(
    workbench: State<'_, Workbench>,
    name: String,
) -> Result<Shortlist, CommandError> {
    workbench.create_shortlist(&name).await
}

#[tauri::command]
pub async fn rename_shortlist(
    workbench: State<'_, Workbench>,
    shortlist_id: i64,
    name: String,
) -> Result<Shortlist, CommandError> {
    workbench.rename_shortlist(shortlist_id, &name).await
}

/// Deletes a shortlist; its offers stay stored.
#[tauri::command]
pub async fn delete_shortlist(
    workbench: State<'_, Workbench>,
    shortlist_id: i64,
) -> Result<(), CommandError> {
    workbench.delete_shortlist(shortlist_id).await
}

#[tauri::command]
pub async fn add_to_shortlist(
    workbench: State<'_, Workbench>,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    workbench.add_to_shortlist(shortlist_id, &offer_id).await
}

#[tauri::command]
pub async fn remove_from_shortlist(
    workbench: State<'_, Workbench>,
    shortlist_id: i64,
    offer_id: String,
) -> Result<Shortlist, CommandError> {
    workbench
        .remove_from_shortlist(shortlist_id, &offer_id)
        .await
}

/// Sets the note and target quantity of one offer on a shortlist.
#[tauri::command]
pub async fn set_shortlist_entry(
    workbench: State<'_, Workbench>,
    shortlist_id: i64,
    offer_id: String,
    note: String,
    target_qty: Option<u32>,
) -> Result<(), CommandError> {
    workbench
        .set_shortlist_entry(shortlist_id, &offer_id, &note, target_qty)
        .await
}

/// One page of a shortlist, compared at a quantity: cheapest total first.
#[tauri::command]
pub async fn shortlist_page(
    app: AppHandle,
    query: ShortlistQuery,
) -> Result<ShortlistPage, CommandError> {
    blocking(app, move |workbench| workbench.shortlist_page(&query)).await
}

#[tauri::command]
pub async fn shortlists_of(app: AppHandle, offer_id: String) -> Result<Vec<i64>, CommandError> {
    blocking(app, move |workbench| workbench.shortlists_of(&offer_id)).await
}

/// Saves a shortlist as CSV for Excel where the user chooses; answers the file's path, or
/// `null` when the dialog was cancelled.
#[tauri::command]
pub async fn export_shortlist(
    app: AppHandle,
    shortlist_id: i64,
    quantity: Option<u32>,
) -> Result<Option<String>, CommandError> {
    let (dir, name) = blocking(app.clone(), move |workbench| {
        workbench.shortlist_export_default(shortlist_id)
    })
    .await?;
    let Some(path) = save::choose(&app, dir, name).await? else {
        return Ok(None);
    };
    let written = blocking(app.clone(), move |workbench| {
        workbench.export_shortlist_to(shortlist_id, quantity, &path)
    })
    .await?;
    save::saved(&app, &written);
    Ok(Some(written.display().to_string()))
}

/// Compares 2–8 stored offers side by side at a quantity; `skus` maps an offer ID to the SKU
/// chosen for it (else the cheapest in stock for the order).
#[tauri::command]
pub async fn compare_offers(
    app: AppHandle,
    offer_ids: Vec<String>,
    quantity: u32,
    skus: BTreeMap<String, String>,
) -> Result<Comparison, CommandError> {
    blocking(app, move |workbench| {
        workbench.compare_offers(&offer_ids, quantity, &skus)
    })
    .await
}

/// Fetches every compared offer from 1688 again; each result goes through `progress` as it
/// settles.
#[tauri::command]
pub async fn refresh_compared(
    app: AppHandle,
    offer_ids: Vec<String>,
    progress: Channel<BatchProgress>,
) -> Result<BatchCounts, CommandError> {
    app.state::<Workbench>()
        .refresh_compared(&offer_ids, |item, counts| {
            // A closed window just stops listening; the refresh still finishes and stores.
            let _ = progress.send(BatchProgress {
                item: item.clone(),
                counts: counts.clone(),
            });
        })
        .await
}

/// Saves the comparison as CSV for Excel where the user chooses; answers the file's path, or
/// `null` when the dialog was cancelled.
#[tauri::command]
pub async fn export_comparison(
    app: AppHandle,
    offer_ids: Vec<String>,
    quantity: u32,
    skus: BTreeMap<String, String>,
) -> Result<Option<String>, CommandError> {
    let (dir, name) = blocking(app.clone(), |workbench| {
        workbench.comparison_export_default()
    })
    .await?;
    let Some(path) = save::choose(&app, dir, name).await? else {
        return Ok(None);
    };
    let written = blocking(app.clone(), move |workbench| {
        workbench.export_comparison(&offer_ids, quantity, &skus, Some(&path))
    })
    .await?;
    save::saved(&app, &written);
    Ok(Some(written.display().to_string()))
}

/// Opens the folder of the last export in the file manager.
#[tauri::command]
pub async fn show_export_folder(app: AppHandle) -> Result<(), CommandError> {
    let Some(folder) = save::last_folder(&app) else {
        return Ok(());
    };
    tauri::async_runtime::spawn_blocking(move || pifa_core::paths::show_folder(&folder))
        .await
        .map_err(|e| CommandError::internal(format!("the work stopped unexpectedly: {e}")))?
        .map_err(CommandError::from)
}

/// A page of the supplier book.
#[tauri::command]
pub async fn suppliers(app: AppHandle, query: SupplierQuery) -> Result<SupplierPage, CommandError> {
    blocking(app, move |workbench| workbench.suppliers(&query)).await
}

/// A supplier's page: public data, stored offers and the buyer's contacts (opened with the
/// keyring's key, which blocks: off the UI thread).
#[tauri::command]
pub async fn supplier(app: AppHandle, supplier: String) -> Result<SupplierView, CommandError> {
    blocking(app, move |workbench| workbench.supplier(&supplier)).await
}

#[tauri::command]
pub async fn set_supplier_contacts(
    workbench: State<'_, Workbench>,
    supplier: String,
    contacts: Contacts,
) -> Result<Contacts, CommandError> {
    workbench.set_supplier_contacts(&supplier, &contacts).await
}

/// Writes every supplier's contacts as a plaintext CSV where the user chooses; `null` when
/// cancelled.
#[tauri::command]
pub async fn export_supplier_contacts(app: AppHandle) -> Result<Option<String>, CommandError> {
    let (dir, name) =
        blocking(app.clone(), |workbench| workbench.contacts_export_default()).await?;
    let Some(path) = save::choose(&app, dir, name).await? else {
        return Ok(None);
    };
    let written = blocking(app.clone(), move |workbench| {
        workbench.export_supplier_contacts(Some(&path))
    })
    .await?;
    save::saved(&app, &written);
    Ok(Some(written.display().to_string()))
}

/// Watches a stored offer's unit price at a quantity; alerts on moves of at least
/// `alert_basis_points` hundredths of a percent (default 5%).
#[tauri::command]
pub async fn watch_offer(
    workbench: State<'_, Workbench>,
    offer_id: String,
    target_qty: u32,
    alert_basis_points: Option<u32>,
) -> Result<Vec<Watch>, CommandError> {
    workbench
        .watch_offer(&offer_id, target_qty, alert_basis_points)
        .await
}

/// Watches a stored offer at a quantity with these alert rules, or changes its watch.
#[tauri::command]
pub async fn set_watch(
    workbench: State<'_, Workbench>,
    offer_id: String,
    target_qty: u32,
    rules: WatchRules,
) -> Result<Vec<Watch>, CommandError> {
    workbench.set_watch(&offer_id, target_qty, &rules).await
}

/// Holds a watch's alerts for `minutes` or until its price crosses its target; neither ends it.
#[tauri::command]
pub async fn snooze_watch(
    workbench: State<'_, Workbench>,
    offer_id: String,
    minutes: Option<u32>,
    until_target: bool,
) -> Result<Vec<Watch>, CommandError> {
    workbench
        .snooze_watch(&offer_id, minutes, until_target)
        .await
}

#[tauri::command]
pub async fn unwatch_offer(
    workbench: State<'_, Workbench>,
    offer_id: String,
) -> Result<Vec<Watch>, CommandError> {
    workbench.unwatch_offer(&offer_id).await
}

/// The watch on one offer, or `null`.
#[tauri::command]
pub async fn watch_of(
    workbench: State<'_, Workbench>,
    offer_id: String,
) -> Result<Option<Watch>, CommandError> {
    workbench.watch_of(&offer_id).await
}

#[tauri::command]
pub async fn watches(workbench: State<'_, Workbench>) -> Result<Vec<Watch>, CommandError> {
    workbench.watches().await
}

/// An offer's price history over a range, downsampled for a chart.
#[tauri::command]
pub async fn price_history(
    app: AppHandle,
    offer_id: String,
    range: HistoryRange,
    qty: Option<u32>,
) -> Result<PriceHistory, CommandError> {
    blocking(app, move |workbench| {
        workbench.price_history(&offer_id, range, qty)
    })
    .await
}

/// Several offers' lines at one quantity, to overlay on one chart.
#[tauri::command]
pub async fn price_histories(
    app: AppHandle,
    offer_ids: Vec<String>,
    range: HistoryRange,
    qty: Option<u32>,
) -> Result<Vec<PriceHistory>, CommandError> {
    blocking(app, move |workbench| {
        workbench.price_histories(&offer_ids, range, qty)
    })
    .await
}

/// 30-day sparklines for a page of list rows, in one call.
#[tauri::command]
pub async fn price_sparklines(
    app: AppHandle,
    requests: Vec<SparkRequest>,
) -> Result<Vec<Sparkline>, CommandError> {
    blocking(app, move |workbench| workbench.price_sparklines(&requests)).await
}

#[tauri::command]
pub async fn alerts(
    workbench: State<'_, Workbench>,
    unseen_only: bool,
) -> Result<Vec<Alert>, CommandError> {
    workbench.alerts(unseen_only).await
}

#[tauri::command]
pub async fn mark_alerts_seen(workbench: State<'_, Workbench>) -> Result<u64, CommandError> {
    workbench.mark_alerts_seen().await
}

#[tauri::command]
pub async fn mark_alert_seen(
    workbench: State<'_, Workbench>,
    alert_id: i64,
) -> Result<bool, CommandError> {
    workbench.mark_alert_seen(alert_id).await
}

/// Checks watched offers now: the due ones, or all with `all`.
#[tauri::command]
pub async fn check_watches(app: AppHandle, all: bool) -> Result<WatchCheck, CommandError> {
    let report = app.state::<Workbench>().check_watches(all).await?;
    if report.checked_any() {
        emit(&app, Event::WatchesChecked(report.clone()));
    }
    Ok(report)
}

/// Where the log is and its newest warnings and errors, for the Status page.
#[tauri::command]
pub async fn log_status(app: AppHandle) -> Result<LogStatus, CommandError> {
    blocking(app, |workbench| workbench.log_status()).await
}

/// Shows the log folder in the file manager: only that folder, never a path from the window.
#[tauri::command]
pub async fn open_log_folder(app: AppHandle) -> Result<(), CommandError> {
    blocking(app, |workbench| workbench.open_log_folder()).await
}

/// What the first screen shows.
#[tauri::command]
pub async fn home(workbench: State<'_, Workbench>) -> Result<Home, CommandError> {
    workbench.home().await
}

/// Opens the offer's 1688 page in the browser: the address is built from the ID in Rust, so the
/// window cannot have any other address opened. Answers the address.
#[tauri::command]
pub fn open_on_1688(
    app: AppHandle,
    workbench: State<'_, Workbench>,
    offer_id: String,
) -> Result<String, CommandError> {
    use tauri_plugin_opener::OpenerExt;
    workbench.open_on_1688(&offer_id, |url| {
        app.opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string())
    })
}

/// Copies the offer's ID or 1688 address to the clipboard; answers what was copied.
#[tauri::command]
pub fn copy_offer_link(
    app: AppHandle,
    workbench: State<'_, Workbench>,
    offer_id: String,
    part: OfferLinkPart,
) -> Result<String, CommandError> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let text = workbench.offer_link_text(&offer_id, part)?;
    app.clipboard().write_text(text.as_str()).map_err(|e| {
        tracing::warn!("the clipboard could not be written: {e}");
        CommandError::from(pifa_core::Error::ClipboardUnavailable(e.to_string()))
    })?;
    Ok(text)
}

/// Runs store work off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&Workbench) -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<Workbench>()))
        .await
        .map_err(|e| CommandError::internal(format!("the work stopped unexpectedly: {e}")))?
}

/// Team mode (Settings → Team): the team joined, its database and members, or why it cannot
/// be reached.
#[tauri::command]
pub async fn team_status(workbench: State<'_, Workbench>) -> Result<TeamStatus, CommandError> {
    workbench.team_status().await
}

#[tauri::command]
pub async fn team_init(
    workbench: State<'_, Workbench>,
    address: String,
    password: Option<String>,
    team_name: String,
    member_name: Option<String>,
) -> Result<TeamJoined, CommandError> {
    workbench
        .team_init(
            Some(&address),
            password.as_deref(),
            &team_name,
            member_name.as_deref(),
        )
        .await
}

#[tauri::command]
pub async fn team_join(
    workbench: State<'_, Workbench>,
    address: String,
    password: Option<String>,
    code: String,
    member_name: Option<String>,
) -> Result<TeamJoined, CommandError> {
    workbench
        .team_join(
            Some(&address),
            password.as_deref(),
            &code,
            member_name.as_deref(),
        )
        .await
}

#[tauri::command]
pub async fn team_code(workbench: State<'_, Workbench>) -> Result<String, CommandError> {
    workbench.team_code().await
}

#[tauri::command]
pub async fn team_leave(workbench: State<'_, Workbench>) -> Result<bool, CommandError> {
    workbench.team_leave().await
}
