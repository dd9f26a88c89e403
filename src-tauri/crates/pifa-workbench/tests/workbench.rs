//! The application layer as both front ends use it, with no window and no terminal: settings,
//! the data directory, the gateway rule, stale-while-revalidate and due watches.

mod common;
use common::demo;

use std::path::Path;

use chrono::{Duration, Utc};
use pifa_core::protocol::KeywordSearch;
use pifa_core::Language;
use pifa_workbench::{ConnectOptions, Workbench};

/// The app's workbench: live when the keyring holds an authorized app, else demo.
fn app(dir: &Path) -> Workbench {
    Workbench::open(Some(dir), ConnectOptions::app())
}

#[test]
fn language_choice_is_remembered_across_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("批发数据");
    let workbench = app(&dir);
    let info = workbench.app_info();
    assert_eq!(info.problem, None);
    assert_eq!(info.language_choice, None);
    assert_eq!(info.language, info.os_language);
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert!(info.data_dir.unwrap().ends_with("批发数据"));

    workbench
        .set_language(Some(Language::SimplifiedChinese))
        .unwrap();
    let again = app(&dir).app_info();
    assert_eq!(again.language, Language::SimplifiedChinese);
    assert_eq!(again.language_choice, Some(Language::SimplifiedChinese));
    assert_eq!(app(&dir).language(), Language::SimplifiedChinese);

    let followed = app(&dir).set_language(None).unwrap();
    assert_eq!(followed.language, followed.os_language);
}

#[test]
fn a_reset_settings_file_and_a_rebuilt_cache_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("数据");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("settings.json"), r#"{"language":"ja"}"#).unwrap();
    std::fs::write(
        dir.join("cache.db"),
        "not a database, not even close to one",
    )
    .unwrap();
    let workbench = app(&dir);
    let info = workbench.app_info();
    assert_eq!(info.problem, None);
    let codes: Vec<_> = info.notices.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["cache.rebuilt", "settings.reset"]);
    assert!(info.notices[1].path.ends_with("settings.json.unreadable"));
    // The cache works again, so online features do.
    assert!(workbench.cache().is_ok());
    assert!(app(&dir).app_info().notices.is_empty());
}

#[test]
fn out_of_range_intervals_are_refused_by_the_core_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = app(tmp.path());
    let err = workbench
        .set_refresh_settings(Some(0), None, None)
        .unwrap_err();
    assert_eq!(err.code, "settings.bad_ttl");
    let info = workbench
        .set_refresh_settings(Some(30), None, Some(10_080))
        .unwrap();
    assert_eq!(
        (info.detail_ttl_minutes, info.watch_interval_minutes),
        (30, 10_080)
    );
}

#[tokio::test]
async fn an_unusable_data_dir_is_reported_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "").unwrap();
    let workbench = app(&file.join("sub"));
    let info = workbench.app_info();
    assert_eq!(info.data_dir, None);
    assert_eq!(info.language, info.os_language);
    let err = info.problem.unwrap();
    assert_eq!(err.code, "data_dir.unusable");
    assert!(err.message.contains("file/sub"), "{}", err.message);
    assert_eq!(workbench.set_language(None).unwrap_err(), err);
    assert_eq!(workbench.problem(), Some(err.clone()));
    assert_eq!(workbench.watches().await.unwrap_err(), err);
}

#[tokio::test]
async fn connecting_to_a_look_alike_loopback_address_is_refused_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = app(tmp.path());
    let error = workbench
        .connect_live(
            "k",
            "TOPSECRET",
            Some("http://127.0.0.1:80@evil.example"),
            |_| panic!("no browser may open for a refused gateway"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, "settings.bad_gateway");
    assert!(!error.message.contains("TOPSECRET"));
    // Nothing was kept in Settings either.
    assert_eq!(workbench.settings().gateway, None);
}

#[tokio::test]
async fn input_errors_carry_their_stable_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let empty = workbench
        .search_1688(&KeywordSearch::new("   "), false)
        .await
        .err()
        .unwrap();
    assert_eq!(empty.code, "search.empty_keyword");
    let none = workbench
        .run_batch(" \n\n", 1, None, |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(none.code, "batch.empty");
    let missing = workbench.connect_live(" ", "s", None, |_| Ok(())).await;
    assert_eq!(missing.unwrap_err().code, "auth.no_credentials");
    assert!(!workbench.cancel_batch(), "no batch runs");
}

/// Puts a cached answer back as if fetched two hours ago, so it is stale.
fn age_cache_entry(workbench: &Workbench, key: &str, kind: &str) {
    let cache = workbench.cache().unwrap();
    let body = cache.get(key, Utc::now()).unwrap().unwrap().body;
    let then = Utc::now() - Duration::hours(2);
    cache
        .put(key, kind, &body, then, Duration::hours(1))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_page_is_answered_at_once_and_its_refresh_lands_in_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let search = KeywordSearch {
        page_size: 3,
        ..KeywordSearch::new(" 保温杯 ")
    };
    let first = workbench.search_1688(&search, false).await.unwrap();
    assert!(first.refresh.is_none(), "fetched, not cached");
    assert!(!first.value.stale);
    let again = workbench.search_1688(&search, false).await.unwrap();
    assert!(again.refresh.is_none(), "a fresh cached page is the answer");

    age_cache_entry(&workbench, &search.normalized().cache_key(), "search");
    let stale = workbench.search_1688(&search, false).await.unwrap();
    assert!(stale.value.stale);
    let refresh = stale.refresh.expect("a stale page comes with its refresh");
    let fresh = refresh.await.unwrap();
    assert!(!fresh.stale);
    assert!(fresh.fetched_at > stale.value.fetched_at);
    let after = workbench.search_1688(&search, false).await.unwrap();
    assert!(
        after.refresh.is_none(),
        "the refreshed page is cached fresh"
    );

    // The same for an offer's detail.
    let offer_id = fresh.offers[0].offer_id.to_string();
    let offer = workbench.fetch_offer(&offer_id, false).await.unwrap();
    assert!(offer.refresh.is_none());
    age_cache_entry(&workbench, &format!("detail:{offer_id}"), "detail");
    let stale = workbench.fetch_offer(&offer_id, false).await.unwrap();
    let latest = stale.latest().await.unwrap();
    assert_eq!(latest.offer_id.to_string(), offer_id);
    assert!(workbench
        .fetch_offer(&offer_id, false)
        .await
        .unwrap()
        .refresh
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_watches_follow_the_interval_and_all_takes_every_watch() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let results = workbench
        .search_1688(
            &KeywordSearch {
                page_size: 2,
                ..KeywordSearch::new("充电器")
            },
            false,
        )
        .await
        .unwrap()
        .value;
    for offer in &results.offers {
        let id = offer.offer_id.to_string();
        workbench.fetch_offer(&id, false).await.unwrap();
        workbench.watch_offer(&id, 100, None).await.unwrap();
    }
    // A new watch is due at once; checked, it waits for the interval, unless `all`.
    assert_eq!(workbench.due_watches(false).unwrap().len(), 2);
    let report = workbench.check_watches(false).await.unwrap();
    assert_eq!((report.checked, report.failed), (2, 0));
    assert!(workbench.due_watches(false).unwrap().is_empty());
    assert_eq!(workbench.due_watches(true).unwrap().len(), 2);
    let nothing = workbench.check_watches(false).await.unwrap();
    assert_eq!(nothing.checked + nothing.failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetching_several_offers_reports_each_bad_input_and_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let some = workbench
        .search_1688(&KeywordSearch::new("杯"), false)
        .await
        .unwrap()
        .value;
    let good = some.offers[0].offer_id.to_string();
    let fetched = workbench
        .fetch_offers(&["no id here".into(), good.clone(), good.clone()], false)
        .await
        .unwrap();
    assert_eq!(fetched.offers.len(), 1, "once each");
    let codes: Vec<_> = fetched.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["offer.bad_id"]);
}

#[test]
fn an_export_is_named_after_its_shortlist_and_the_day_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let list = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(workbench.create_shortlist("春季/T恤"))
        .unwrap();
    let first = workbench.export_shortlist(list.shortlist_id, None).unwrap();
    let second = workbench
        .export_shortlist(list.shortlist_id, Some(500))
        .unwrap();
    let names: Vec<String> = [&first, &second]
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // The exports may land in the user's Downloads folder: leave nothing behind.
    let bytes = std::fs::read(&first).unwrap();
    std::fs::remove_file(&first).unwrap();
    std::fs::remove_file(&second).unwrap();
    let day = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert!(names[0].ends_with(&format!("{day}.csv")), "{names:?}");
    assert!(!names[0].contains('/'), "{names:?}");
    assert_ne!(names[0], names[1], "never over an existing file");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 with BOM for Excel"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pick_searches_fetches_explains_ranks_and_is_saved() {
    use pifa_core::money::Money;
    use pifa_core::pick::{PickRequest, Reason, Weights};
    use pifa_workbench::PickProgress;

    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let request = PickRequest {
        keywords: "保温杯".into(),
        quantity: 200,
        max_unit_price: Some("30".parse::<Money>().unwrap()),
        max_moq: Some(100),
        power_merchant: true,
        pages: 2,
        top: 5,
        ..PickRequest::default()
    };
    let mut seen = Vec::new();
    let run = workbench
        .pick(
            &request,
            &Weights::default(),
            |p| seen.push(p.clone()),
            None,
        )
        .await
        .unwrap();
    let outcome = &run.outcome;
    assert!(outcome.candidates > 5, "{}", outcome.candidates);
    assert_eq!(run.candidates.len() as u32, outcome.candidates);
    assert_eq!(
        outcome.qualified + outcome.excluded.len() as u32,
        outcome.candidates
    );
    assert!(!outcome.picks.is_empty() && outcome.picks.len() <= 5);
    assert!(outcome.counts.contains_key(&Reason::NotPowerMerchant));
    for (index, pick) in outcome.picks.iter().enumerate() {
        assert_eq!(pick.rank, index as u32 + 1);
        assert!(pick.unit_price <= "30".parse().unwrap());
        assert!(pick.order_qty >= 200);
        let stored = workbench.stored_offer(pick.offer_id.as_str()).unwrap();
        assert!(stored.supplier.unwrap().power_merchant());
    }
    assert!(outcome.picks.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(matches!(
        seen.first(),
        Some(PickProgress::Searching { page: 1, .. })
    ));
    assert!(matches!(
        seen.last(),
        Some(PickProgress::Fetching { done, total }) if done == total
    ));

    // Saved, and re-ranked with other weights from what is stored.
    assert_eq!(workbench.pick_run(run.run_id).unwrap(), run);
    assert_eq!(workbench.pick_runs(10).unwrap()[0].run_id, run.run_id);
    let cheapest_first = Weights {
        price: 1.0,
        sales: 0.0,
        service: 0.0,
        repurchase: 0.0,
        pickup: 0.0,
        quality_refund: 0.0,
        tp_years: 0.0,
    };
    let reranked = workbench
        .rerank_pick(run.run_id, &cheapest_first)
        .await
        .unwrap();
    assert_eq!(reranked.candidates, outcome.candidates);
    assert_eq!(reranked.counts, outcome.counts);
    assert!(reranked
        .picks
        .windows(2)
        .all(|w| w[0].unit_price <= w[1].unit_price));

    // Again: the details are fresh in the cache, so the same ranking comes without a fetch.
    let again = workbench
        .pick(&request, &Weights::default(), |_| {}, None)
        .await
        .unwrap();
    assert_eq!(again.outcome.picks, outcome.picks);

    // 超级工厂 goes to 1688 as its own filter: every candidate is one.
    let factories = workbench
        .pick(
            &PickRequest {
                super_factory: true,
                power_merchant: false,
                ..request.clone()
            },
            &Weights::default(),
            |_| {},
            None,
        )
        .await
        .unwrap();
    assert!(!factories
        .outcome
        .counts
        .contains_key(&Reason::NotSuperFactory));

    // "Certified factory" has no mark in any answer: it narrows 1688's search instead, so the
    // double lists only its factories and nothing is excluded for it.
    let manufacturers = workbench
        .pick(
            &PickRequest {
                manufacturer: true,
                power_merchant: false,
                ..request.clone()
            },
            &Weights::default(),
            |_| {},
            None,
        )
        .await
        .unwrap();
    assert!(!manufacturers.outcome.picks.is_empty());
    assert!(manufacturers
        .outcome
        .picks
        .iter()
        .all(|p| p.supplier.as_ref().is_some_and(|s| s.super_factory)));

    let refused = workbench
        .pick(
            &PickRequest {
                quantity: 0,
                ..request
            },
            &Weights::default(),
            |_| {},
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code, "pick.bad_request");
}
