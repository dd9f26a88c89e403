//! Shortlists on a real database file: naming rules, entries, the comparison at a quantity,
//! paging, and the CSV export Excel opens.

mod common;

use common::{filled, id, t0};

use pifa_core::export::write_shortlist_csv;
use pifa_core::store::{ShortlistQuery, Store};
use pifa_core::Language;

const ALL: [&str; 4] = [
    "624516873409",
    "655443322110",
    "700000000001",
    "700000000002",
];

#[test]
fn names_are_checked_unique_and_errors_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let list = store.create_shortlist("  春季T恤  ", t0()).unwrap();
    assert_eq!(list.name, "春季T恤");
    assert_eq!(list.offers, 0);

    let taken = store.create_shortlist("春季T恤", t0()).unwrap_err();
    assert_eq!(taken.code(), "shortlist.name_taken");
    assert!(taken.to_string().contains("春季T恤"), "{taken}");
    for bad in ["", "   ", &"长".repeat(61), "a\nb"] {
        assert_eq!(
            store.create_shortlist(bad, t0()).unwrap_err().code(),
            "shortlist.bad_name"
        );
    }

    let other = store.create_shortlist("保温杯", t0()).unwrap();
    assert_eq!(
        store
            .rename_shortlist(other.shortlist_id, "春季T恤")
            .unwrap_err()
            .code(),
        "shortlist.name_taken"
    );
    assert_eq!(
        store
            .rename_shortlist(other.shortlist_id, "水杯")
            .unwrap()
            .name,
        "水杯"
    );
    let names: Vec<String> = store
        .shortlists()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names.len(), 2);
    assert_eq!(
        store.rename_shortlist(999, "x").unwrap_err().code(),
        "shortlist.not_found"
    );
}

#[test]
fn a_shortlist_compares_its_offers_at_one_quantity_cheapest_total_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let list = store.create_shortlist("比价", t0()).unwrap().shortlist_id;
    for offer in ALL {
        store.add_to_shortlist(list, &id(offer), t0()).unwrap();
    }
    // Adding again changes nothing; an offer that is not stored is refused by name.
    assert_eq!(
        store
            .add_to_shortlist(list, &id(ALL[0]), t0())
            .unwrap()
            .offers,
        4
    );
    let missing = store
        .add_to_shortlist(list, &id("123456789"), t0())
        .unwrap_err();
    assert_eq!(missing.code(), "offer.not_found");

    let page = |store: &Store, quantity, page, page_size| {
        store
            .shortlist_page(&ShortlistQuery {
                shortlist_id: list,
                quantity,
                page,
                page_size,
            })
            .unwrap()
    };
    let at_100 = page(&store, Some(100), 1, 20);
    assert_eq!(at_100.total, 4);
    let ranked: Vec<(&str, String)> = at_100
        .rows
        .iter()
        .map(|r| {
            (
                r.offer_id.as_str(),
                r.quote.quote.as_ref().unwrap().total.to_string(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            ("700000000002", "600.00".to_owned()),
            ("624516873409", "1100.00".to_owned()),
            ("700000000001", "1580.00".to_owned()),
            ("655443322110", "1780.00".to_owned()),
        ]
    );
    assert_eq!(
        at_100.rows[1].quote.next_break.as_ref().unwrap().at_qty,
        1000
    );

    let second = page(&store, Some(100), 2, 3);
    assert_eq!(second.rows.len(), 1);
    assert_eq!(second.rows[0].offer_id.as_str(), "655443322110");

    // Without a comparison quantity each row uses its own target, else its minimum order.
    store
        .set_shortlist_entry(list, &id("624516873409"), " 样品先行 ", Some(1000))
        .unwrap();
    let own = page(&store, None, 1, 20);
    let tee = own
        .rows
        .iter()
        .find(|r| r.offer_id.as_str() == "624516873409")
        .unwrap();
    assert_eq!((tee.quantity, tee.note.as_str()), (1000, "样品先行"));
    assert_eq!(
        tee.quote.quote.as_ref().unwrap().unit_price.to_string(),
        "9.80"
    );
    let cup = own
        .rows
        .iter()
        .find(|r| r.offer_id.as_str() == "655443322110")
        .unwrap();
    assert_eq!(cup.quantity, 10, "the MOQ when no target is set");

    store
        .remove_from_shortlist(list, &id("700000000002"))
        .unwrap();
    assert_eq!(store.shortlist(list).unwrap().offers, 3);
    assert_eq!(store.shortlists_of(&id("624516873409")).unwrap(), [list]);
    store.delete_shortlist(list).unwrap();
    assert_eq!(
        store.offer_count().unwrap(),
        4,
        "deleting a list keeps the offers"
    );
    assert!(store.shortlists_of(&id("624516873409")).unwrap().is_empty());
    assert_eq!(
        store.delete_shortlist(list).unwrap_err().code(),
        "shortlist.not_found"
    );
}

#[test]
fn the_csv_opens_in_excel_with_chinese_intact_and_no_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let list = store.create_shortlist("导出", t0()).unwrap().shortlist_id;
    for offer in ALL {
        store.add_to_shortlist(list, &id(offer), t0()).unwrap();
    }
    store
        .set_shortlist_entry(
            list,
            &id("624516873409"),
            "=HYPERLINK(\"http://evil\",\"点我\")",
            None,
        )
        .unwrap();
    let rows = store.shortlist_rows(list, Some(100)).unwrap();
    let mut bytes = Vec::new();
    write_shortlist_csv(&rows, Language::SimplifiedChinese, &mut bytes).unwrap();

    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a BOM so Excel reads UTF-8"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[1], "商品ID");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    let tee = records.iter().find(|r| &r[1] == "624516873409").unwrap();
    assert_eq!(&tee[0], "2", "ranked as compared");
    assert_eq!(&tee[2], "纯棉短袖T恤男士夏季宽松圆领打底衫 批发");
    // The supplier's badges and service metrics, as documented answers carry them.
    assert_eq!((&tee[8], &tee[9], &tee[10]), ("是", "是", "46.66%"));
    assert_eq!((&tee[11], &tee[12], &tee[13]), ("4.5", "97%", "2%"));
    assert_eq!((&tee[16], &tee[17], &tee[18]), ("100", "11.00", "1100.00"));
    assert_eq!(&tee[19], "≥2 12.50; ≥100 11.00; ≥1000 9.80");
    assert_eq!(
        &tee[20], "'=HYPERLINK(\"http://evil\",\"点我\")",
        "the formula is neutralized"
    );
    assert_eq!(&tee[21], "https://detail.1688.com/offer/624516873409.html");
    let cup = records.iter().find(|r| &r[1] == "655443322110").unwrap();
    assert_eq!(
        &cup[17], "17.80 起",
        "per-SKU offers say the price is a lowest"
    );
    assert_eq!(
        (&cup[8], &cup[11]),
        ("", ""),
        "unknown stays empty, never \"no\""
    );
    for record in &records {
        for cell in record.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
}
