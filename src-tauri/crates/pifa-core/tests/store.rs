//! The store on real database files.

mod common;

use common::{filled, fixture, id, t0};

use std::path::Path;

use chrono::Duration;
use pifa_core::offer::{clean_answer, tiers::quote_in_lots, Percent};
use pifa_core::store::{
    create_at_version, Cache, OfferQuery, OfferSort, Store, PRICE_POINT_INTERVAL, USER_MIGRATIONS,
};
use pifa_core::{DataDir, Error, Money};
use serde_json::json;

fn m(text: &str) -> Money {
    text.parse().unwrap()
}

#[test]
fn migrates_from_empty_and_from_every_earlier_version() {
    for version in 0..=USER_MIGRATIONS.len() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.db");
        create_at_version(&path, version).unwrap();
        let with_data = (1..USER_MIGRATIONS.len()).contains(&version);
        if with_data {
            // What a user of that version has, written in the first schema's columns so it
            // fits every version since.
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(
                    "INSERT INTO offers (offer_id, title, source, fetched_at, cleaner_version)
                         VALUES ('624516873409', '保温杯', 'queryProductDetail', '2026-11-28T08:00:00.000Z', 1);
                     INSERT INTO shortlists (shortlist_id, name, created_at)
                         VALUES (1, '春季', '2026-11-28T08:00:00.000Z');
                     INSERT INTO shortlist_items (shortlist_id, offer_id, note, added_at)
                         VALUES (1, '624516873409', '样品', '2026-11-28T08:00:00.000Z');
                     INSERT INTO watches (offer_id, target_qty, created_at)
                         VALUES ('624516873409', 50, '2026-11-28T08:00:00.000Z');
                     INSERT INTO alerts (offer_id, kind, message, old_price, new_price, created_at)
                         VALUES ('624516873409', 'price_drop', 'fell', 100000, 90000, '2026-11-28T09:00:00.000Z');",
                )
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            USER_MIGRATIONS.len() as i64,
            "from {version}"
        );
        store.check_integrity().unwrap();
        if with_data {
            let offer = store.offer(&id("624516873409")).unwrap();
            assert_eq!(offer.title.as_deref(), Some("保温杯"), "from {version}");
            let [shortlist] = store.shortlists().unwrap().try_into().unwrap();
            assert_eq!((shortlist.name.as_str(), shortlist.offers), ("春季", 1));
            let [row] = store.shortlist_rows(1, None).unwrap().try_into().unwrap();
            assert_eq!(row.note, "样品", "from {version}");
            let [watch] = store.watches(t0()).unwrap().try_into().unwrap();
            assert_eq!(watch.target_qty, 50, "from {version}");
            let [alert] = store.alerts(false).unwrap().try_into().unwrap();
            // Version 5 added the alert's quantity; this fixture's alert, written in the first
            // schema's columns, has none from then on.
            let qty = (version < 5).then_some(50);
            assert_eq!(
                (alert.target_qty, alert.old_price, alert.new_price),
                (qty, Some(m("10")), Some(m("9"))),
                "from {version}: an older alert takes its watch's quantity"
            );
        }
        drop(store);
        // What version 5 dropped is gone however old the file was.
        let conn = rusqlite::Connection::open(&path).unwrap();
        let columns = |table: &str| -> Vec<String> {
            let mut statement = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap();
            let names = statement.query_map([], |r| r.get(0)).unwrap();
            names.collect::<rusqlite::Result<_>>().unwrap()
        };
        assert!(columns("events").is_empty(), "from {version}");
        for (table, column) in [
            ("watches", "consecutive_failures"),
            ("watches", "paused_until"),
            ("suppliers", "manufacturer"),
            ("suppliers", "order_count"),
            ("suppliers", "response_bp"),
        ] {
            assert!(
                !columns(table).contains(&column.to_owned()),
                "{table}.{column}"
            );
        }
        assert!(columns("alerts").contains(&"qty".to_owned()));
        assert!(columns("watches").contains(&"last_error_code".to_owned()));
        drop(conn);
        // Opening again is a no-op.
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            USER_MIGRATIONS.len() as i64
        );
    }
}

/// The app and pifa-cli may open a new data directory at the same moment: each migration step
/// is checked again under the write lock, so neither applies one the other already did.
#[test]
fn two_openers_of_a_new_database_both_succeed() {
    for _ in 0..30 {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pifa.db");
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(path).map(|_| ())
                })
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap();
        }
    }
}

#[test]
fn a_database_from_a_newer_pifa_is_refused_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pifa.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), "store.too_new");
    assert!(err.to_string().contains("schema 99"), "{err}");
}

#[test]
fn a_negative_schema_version_is_not_a_pifa_database() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pifa.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = -1")
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), "store.corrupt", "{err}");
    assert!(err.to_string().contains("not a Pifa database"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("pifa.db");
    std::fs::write(
        &path,
        "这不是数据库 — definitely not SQLite, just some text that is long enough",
    )
    .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), "store.corrupt", "{err}");
    assert!(err.to_string().contains("pifa.db"));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("这不是数据库"),
        "left as it was"
    );
}

#[test]
fn offers_read_back_exactly_as_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let store = filled(tmp.path());
    for (name, offer_id) in [
        ("query_product_detail.json", "624516873409"),
        ("simple_get.json", "655443322110"),
    ] {
        let cleaned = clean_answer(&fixture(name), t0()).unwrap();
        let stored = store.offer(&id(offer_id)).unwrap();
        assert_eq!(stored, cleaned, "{name}");
    }
    let err = store.offer(&id("123456789")).unwrap_err();
    assert_eq!(err.code(), "offer.not_found");
    store.check_integrity().unwrap();
}

#[test]
fn reimporting_the_same_answers_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let tables = [
        "offers",
        "suppliers",
        "raw_answers",
        "price_points",
        "offer_keys",
    ];
    let before: Vec<u64> = tables.iter().map(|t| store.row_count(t).unwrap()).collect();
    let offer_before = store.offer(&id("624516873409")).unwrap();
    let (_, outcome) = store
        .import_answer(
            &fixture("query_product_detail.json"),
            t0() + Duration::minutes(5),
        )
        .unwrap();
    assert!(!outcome.created && !outcome.price_point);
    let after: Vec<u64> = tables.iter().map(|t| store.row_count(t).unwrap()).collect();
    assert_eq!(before, after);
    let offer_after = store.offer(&id("624516873409")).unwrap();
    assert_eq!(offer_after.tiers, offer_before.tiers);
    assert_eq!(offer_after.skus, offer_before.skus);
}

#[test]
fn a_search_result_never_replaces_what_a_detail_answer_brought() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let item = json!({"offerId": "624516873409", "subject": "短标题", "priceInfo": {"price": "10.00"}, "monthSold": 9999});
    store
        .import_answer(&item, t0() + Duration::minutes(1))
        .unwrap();
    let offer = store.offer(&id("624516873409")).unwrap();
    assert_eq!(
        offer.title.as_deref(),
        Some("纯棉短袖T恤男士夏季宽松圆领打底衫 批发")
    );
    assert_eq!(offer.tiers.len(), 3);
    assert_eq!(offer.listed_price, Some(m("10")));
    assert_eq!(offer.month_sold, Some(9999));
}

#[test]
fn a_search_items_supplier_signals_survive_its_detail() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    // The search item: 诚信通 years and 实力商家 by code, no supplier name.
    let item = json!({"offerId": 624516873409_i64, "subject": "纯棉短袖T恤", "priceInfo": {"price": "12.5"},
        "sellerIdentities": ["powerful_merchants"], "sellerDataInfo": {"tpYear": 7},
        "monthSold": 300, "repurchaseRate": "49%"});
    store.import_answer(&item, t0()).unwrap();
    let power = OfferQuery {
        power_merchant: true,
        ..text("")
    };
    assert_eq!(
        ids(&store, power.clone()),
        ["624516873409"],
        "filters before any detail"
    );
    // The detail names the supplier and says nothing of years.
    let mut answer = fixture("query_product_detail.json");
    answer["result"]["result"]
        .as_object_mut()
        .unwrap()
        .remove("offerIdentities");
    let offer = store
        .import_detail(&id("624516873409"), &answer, t0())
        .unwrap();
    assert_eq!(
        offer,
        store.offer(&id("624516873409")).unwrap(),
        "as stored"
    );
    assert_eq!(offer.month_sold, Some(300), "details carry no 30-day sales");
    assert_eq!(offer.repurchase_rate.unwrap().basis_points, 4900);
    let supplier = offer.supplier.unwrap();
    assert_eq!(supplier.name.as_deref(), Some("义乌市某某服饰有限公司"));
    assert_eq!(supplier.tp_years, Some(7), "kept from the search item");
    assert!(supplier.power_merchant(), "kept: the detail did not say");
    assert_eq!(ids(&store, power), ["624516873409"]);
    let years = OfferQuery {
        min_tp_years: Some(5),
        ..text("")
    };
    assert_eq!(ids(&store, years), ["624516873409"]);
}

#[test]
fn price_points_on_change_or_after_the_interval_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    assert_eq!(
        store.row_count("price_points").unwrap(),
        2,
        "one per detail offer; none from search items"
    );
    let mut answer = fixture("query_product_detail.json");
    *answer
        .pointer_mut("/result/result/productSaleInfo/priceRangeList/0/price")
        .unwrap() = json!("10.50");
    let (_, changed) = store
        .import_answer(&answer, t0() + Duration::minutes(10))
        .unwrap();
    assert!(changed.price_point);
    let (_, same) = store
        .import_answer(&answer, t0() + Duration::minutes(20))
        .unwrap();
    assert!(!same.price_point);
    let later = t0() + Duration::minutes(10) + PRICE_POINT_INTERVAL + Duration::seconds(1);
    let (_, held) = store.import_answer(&answer, later).unwrap();
    assert!(
        held.price_point,
        "a price that held still gets a point after the interval"
    );
    assert_eq!(store.row_count("price_points").unwrap(), 4);
}

fn ids(store: &Store, query: OfferQuery) -> Vec<String> {
    store
        .search_offers(&query)
        .unwrap()
        .offers
        .into_iter()
        .map(|o| o.offer_id.to_string())
        .collect()
}

fn text(q: &str) -> OfferQuery {
    OfferQuery {
        text: Some(q.into()),
        page_size: 50,
        ..OfferQuery::default()
    }
}

#[test]
fn chinese_search_matches_short_and_long_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let store = filled(tmp.path());
    // Two characters: below the trigram index, found by the LIKE fallback.
    let mut found = ids(&store, text("男士"));
    found.sort();
    assert_eq!(found, ["624516873409", "700000000001"]);
    let mut found = ids(&store, text("T恤"));
    found.sort();
    assert_eq!(found, ["624516873409", "700000000002"]);
    // Three or more: the trigram index, case-insensitive for Latin letters.
    assert_eq!(ids(&store, text("纯棉短袖")), ["624516873409"]);
    assert_eq!(
        ids(&store, text("棉t恤")),
        Vec::<String>::new(),
        "not a substring"
    );
    assert_eq!(ids(&store, text("COTTON")), ["624516873409"]);
    assert_eq!(
        ids(&store, text("保温杯 不锈钢")),
        ["655443322110"],
        "every term must match"
    );
    // The supplier's name is searched too; FTS syntax in user text is just text.
    assert_eq!(ids(&store, text("某某服饰")), ["624516873409"]);
    assert_eq!(ids(&store, text("\"OR\" * NEAR(")), Vec::<String>::new());
    assert_eq!(ids(&store, text("100%")), Vec::<String>::new());
    assert_eq!(store.search_offers(&text("")).unwrap().total, 4);
}

#[test]
fn filters_sorts_and_pages_at_the_buyers_quantity() {
    let tmp = tempfile::tempdir().unwrap();
    let store = filled(tmp.path());
    let at = |quantity: u32| OfferQuery {
        quantity: Some(quantity),
        sort: OfferSort::PriceAsc,
        page_size: 10,
        ..OfferQuery::default()
    };

    let page = store.search_offers(&at(1000)).unwrap();
    let prices: Vec<(String, Option<Money>)> = page
        .offers
        .iter()
        .map(|o| (o.offer_id.to_string(), o.unit_price))
        .collect();
    assert_eq!(
        prices,
        [
            ("700000000002".into(), Some(m("6"))),
            ("624516873409".into(), Some(m("9.8"))),
            ("700000000001".into(), Some(m("15.8"))),
            ("655443322110".into(), Some(m("17.8")))
        ]
    );
    // Search agrees with the tier math in whole lots, below and above the MOQ.
    for quantity in [1, 2, 99, 100, 999, 1000, 5000] {
        for summary in store.search_offers(&at(quantity)).unwrap().offers {
            let offer = store.offer(&summary.offer_id).unwrap();
            let q = quote_in_lots(&offer, quantity, None).unwrap();
            assert_eq!(
                summary.unit_price,
                Some(q.unit_price),
                "{} at {quantity}",
                summary.offer_id
            );
            assert_eq!(summary.total, Some(q.total));
            assert_eq!(summary.billed_qty, q.billed_qty);
            assert_eq!(summary.below_moq, q.below_moq);
        }
    }
    let cheap = OfferQuery {
        max_price: Some(m("10")),
        ..at(1000)
    };
    assert_eq!(ids(&store, cheap), ["700000000002", "624516873409"]);
    let pricier = OfferQuery {
        min_price: Some(m("12")),
        quantity: Some(10),
        ..at(10)
    };
    assert_eq!(
        ids(&store, pricier),
        ["624516873409", "700000000001", "655443322110"]
    );

    // Badges from a detail's words and from search items' codes alike.
    let power = OfferQuery {
        power_merchant: true,
        ..text("")
    };
    assert_eq!(
        ids(&store, power),
        ["624516873409", "700000000001", "700000000002"]
    );
    let factory = OfferQuery {
        super_factory: true,
        ..text("")
    };
    assert_eq!(ids(&store, factory), ["624516873409", "700000000002"]);
    let years = OfferQuery {
        min_tp_years: Some(5),
        ..text("")
    };
    assert_eq!(
        ids(&store, years),
        ["700000000001"],
        "years come from search items"
    );
    let province = OfferQuery {
        provinces: vec!["广东".into(), "福建".into()],
        ..text("")
    };
    assert_eq!(ids(&store, province), ["655443322110"]);
    let loyal = OfferQuery {
        min_repurchase: Some(Percent { basis_points: 4000 }),
        min_sold: Some(100),
        ..text("")
    };
    assert_eq!(
        ids(&store, loyal),
        ["700000000002"],
        "the detail's 46.66 % has no 30-day sales to back it"
    );
    let service = OfferQuery {
        min_pickup_48h: Some(Percent { basis_points: 9000 }),
        max_quality_refund: Some(Percent { basis_points: 300 }),
        min_service_score: Some(45),
        ..text("")
    };
    assert_eq!(ids(&store, service), ["624516873409"]);
    let by_score = OfferQuery {
        sort: OfferSort::ServiceScoreDesc,
        ..text("")
    };
    assert_eq!(ids(&store, by_score)[..2], ["624516873409", "700000000001"]);
    let small_moq = OfferQuery {
        max_moq: Some(5),
        sort: OfferSort::MoqAsc,
        ..text("")
    };
    assert_eq!(ids(&store, small_moq), ["624516873409", "700000000001"]);

    let first = store
        .search_offers(&OfferQuery {
            page: 1,
            page_size: 3,
            ..at(1)
        })
        .unwrap();
    let second = store
        .search_offers(&OfferQuery {
            page: 2,
            page_size: 3,
            ..at(1)
        })
        .unwrap();
    assert_eq!(
        (first.total, first.offers.len(), second.offers.len()),
        (4, 3, 1)
    );
    assert!(!first
        .offers
        .iter()
        .any(|a| second.offers.iter().any(|b| a.offer_id == b.offer_id)));
}

#[test]
fn deleting_the_cache_loses_nothing_the_user_made() {
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::open(tmp.path().join("数据")).unwrap();
    let mut store = Store::open_in(&data).unwrap();
    store
        .import_answer(&fixture("simple_get.json"), t0())
        .unwrap();
    let cache = Cache::open_in(&data).unwrap();
    cache
        .put(
            "detail:655443322110",
            "detail",
            "{}",
            t0(),
            Duration::hours(1),
        )
        .unwrap();
    let cache_path = cache.path().to_owned();
    drop(cache);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", cache_path.display()));
    }
    assert_eq!(store.offer_count().unwrap(), 1);
    let cache = Cache::open_in(&data).unwrap();
    assert_eq!(cache.get("detail:655443322110", t0()).unwrap(), None);
}

#[test]
fn recheck_recleans_stored_answers_without_new_price_points() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let points = store.row_count("price_points").unwrap();
    let before = store.offer(&id("624516873409")).unwrap();
    let mut seen = 0;
    let report = store.recheck(|n| seen = n).unwrap();
    assert_eq!((report.checked, report.failed, seen), (4, 0, 4));
    assert_eq!(store.row_count("price_points").unwrap(), points);
    assert_eq!(store.offer(&id("624516873409")).unwrap(), before);
}

#[test]
fn recheck_reads_every_answer_when_a_batch_ends_inside_an_offer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("pifa.db")).unwrap();
    let detail = fixture("query_product_detail.json");
    let item = fixture("keyword_query.json")
        .pointer("/result/result/data/0")
        .unwrap()
        .clone();
    let with_id = |answer: &serde_json::Value, pointer: &str, offer_id: u64| {
        let mut answer = answer.clone();
        *answer.pointer_mut(pointer).unwrap() = json!(offer_id);
        answer
    };
    // One offer with a single answer first, so the batches of 500 rows end between the search
    // answer and the detail of one offer.
    store
        .import_answer(
            &with_id(&detail, "/result/result/offerId", 100_000_000),
            t0(),
        )
        .unwrap();
    for n in 0..600 {
        let offer_id = 100_000_001 + n;
        store
            .import_answer(&with_id(&item, "/offerId", offer_id), t0())
            .unwrap();
        store
            .import_answer(&with_id(&detail, "/result/result/offerId", offer_id), t0())
            .unwrap();
    }
    assert_eq!(store.row_count("raw_answers").unwrap(), 1_201);
    let mut seen = 0;
    let report = store.recheck(|n| seen = n).unwrap();
    assert_eq!((report.checked, report.failed, seen), (1_201, 0, 1_201));
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .unwrap()
        .stdout
        == b"0\n"
}

/// A tmpfs mounted for one test (root only), unmounted when dropped even if the test fails.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(path: &Path, options: &str) -> Tmpfs {
        std::fs::create_dir_all(path).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(path)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "could not mount a tmpfs ({options}) to test with"
        );
        Tmpfs(path.to_owned())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A directory this process cannot write to: a read-only tmpfs as root (root ignores file
/// modes), a 0555 directory otherwise.
fn read_only_dir(base: &Path) -> (std::path::PathBuf, Option<Tmpfs>) {
    let path = base.join("只读");
    if is_root() {
        let mount = Tmpfs::mount(&path, "ro,size=1m");
        (path, Some(mount))
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).unwrap();
        (path, None)
    }
}

#[test]
fn a_read_only_data_directory_gives_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _mount) = read_only_dir(tmp.path());
    let data_err = DataDir::open(&dir).unwrap_err();
    assert_eq!(data_err.code(), "data_dir.unusable");
    assert!(data_err.to_string().contains("只读"), "{data_err}");
    let store_err = Store::open(dir.join("pifa.db")).err().unwrap();
    assert!(
        matches!(store_err, Error::StoreReadOnly { .. }),
        "{store_err:?}"
    );
    assert!(
        store_err.to_string().contains("只读/pifa.db"),
        "{store_err}"
    );
}

#[test]
fn a_full_disk_is_named_and_what_was_stored_survives() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("small");
    let _mount = Tmpfs::mount(&dir, "size=512k");

    let mut store = Store::open(dir.join("pifa.db")).unwrap();
    store
        .import_answer(&fixture("simple_get.json"), t0())
        .unwrap();
    let kept = store.offer(&id("655443322110")).unwrap();
    let mut answer = fixture("query_product_detail.json");
    let mut failure = None;
    for n in 0..10_000u64 {
        *answer.pointer_mut("/result/result/offerId").unwrap() = json!(800_000_000_000u64 + n);
        *answer.pointer_mut("/result/result/subject").unwrap() =
            json!(format!("填满磁盘的商品 {n} {}", "长".repeat(300)));
        if let Err(e) = store.import_answer(&answer, t0()) {
            failure = Some(e);
            break;
        }
    }
    let failure = failure.expect("400 KiB should fill up");
    assert_eq!(failure.code(), "store.disk_full", "{failure:?}");
    assert!(failure.to_string().contains("small/pifa.db"), "{failure}");
    assert_eq!(store.offer(&id("655443322110")).unwrap(), kept);
    store.check_integrity().unwrap();
}

#[test]
fn cached_details_are_fresh_then_stale_and_every_lookup_is_counted() {
    use pifa_core::sourcing::{cached_offer, store_detail, CacheTtls, CachedOffer, DETAIL_TTL};
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::open(tmp.path()).unwrap();
    let mut store = Store::open_in(&data).unwrap();
    let cache = Cache::open_in(&data).unwrap();
    let offer_id = id("624516873409");
    assert!(matches!(
        cached_offer(&store, &cache, &offer_id, t0()).unwrap(),
        CachedOffer::Missing
    ));
    store_detail(
        &mut store,
        &cache,
        &offer_id,
        &fixture("query_product_detail.json"),
        t0(),
        CacheTtls::default(),
    )
    .unwrap();
    assert!(matches!(
        cached_offer(&store, &cache, &offer_id, t0() + Duration::minutes(59)).unwrap(),
        CachedOffer::Fresh(_)
    ));
    let later = t0() + DETAIL_TTL + Duration::minutes(1);
    match cached_offer(&store, &cache, &offer_id, later).unwrap() {
        CachedOffer::Stale(offer) => assert_eq!(offer.offer_id, offer_id),
        other => panic!("expected a stale copy, got {other:?}"),
    }
    let counts = cache.counts().unwrap();
    assert_eq!(
        (counts[0].hits, counts[0].stale, counts[0].misses),
        (1, 1, 1)
    );
}

#[test]
fn search_pages_are_cached_for_their_ttl_and_settings_change_it() {
    use pifa_core::protocol::KeywordSearch;
    use pifa_core::sourcing::{
        cached_search, store_search, CacheTtls, CachedSearch, SearchResults,
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::open(tmp.path()).unwrap();
    let mut store = Store::open_in(&data).unwrap();
    let cache = Cache::open_in(&data).unwrap();
    let search = |keyword: &str, page: u32, page_size: u32| KeywordSearch {
        keyword: keyword.into(),
        page,
        page_size,
        ..KeywordSearch::default()
    };
    let page =
        SearchResults::from_answer(&search("短裤", 1, 20), fixture("keyword_query.json"), t0());
    assert_eq!(page.offers.len(), 2);
    let ttls = CacheTtls::from(&pifa_core::Settings {
        search_ttl_minutes: Some(30),
        ..Default::default()
    });
    store_search(&mut store, &cache, &page, ttls).unwrap();
    assert_eq!(store.offer_count().unwrap(), 2);

    let at = |minutes| t0() + Duration::minutes(minutes);
    match cached_search(&cache, &search("短裤", 1, 20), at(29)).unwrap() {
        CachedSearch::Fresh(cached) => {
            assert_eq!(cached.offers, page.offers);
            assert_eq!(cached.fetched_at, t0());
            assert!(!cached.stale);
        }
        other => panic!("expected a fresh page, got {other:?}"),
    }
    assert!(matches!(
        cached_search(&cache, &search("短裤", 1, 20), at(31)).unwrap(),
        CachedSearch::Stale(cached) if cached.stale && cached.total == 2
    ));
    // Another page, page size or keyword is another request.
    for (keyword, page, size) in [("短裤", 2, 20), ("短裤", 1, 50), ("短", 1, 20)] {
        assert!(matches!(
            cached_search(&cache, &search(keyword, page, size), at(1)).unwrap(),
            CachedSearch::Missing
        ));
    }
    let counts = cache.counts().unwrap();
    let search = counts.iter().find(|c| c.kind == "search").unwrap();
    assert_eq!((search.hits, search.stale, search.misses), (1, 1, 3));
}
