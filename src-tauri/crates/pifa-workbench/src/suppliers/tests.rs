use pifa_core::protocol::KeywordSearch;
use pifa_core::store::SupplierSignals;
use pifa_core::Result;

use super::*;
use crate::{ConnectOptions, ModeChoice};

/// A key kept in memory, standing in for the keyring.
#[derive(Default)]
struct Memory(RefCell<Option<ContactsKey>>);

impl KeySource for Memory {
    fn load(&self) -> Result<Option<ContactsKey>> {
        Ok(self.0.borrow().clone())
    }

    fn save(&self, key: &ContactsKey) -> Result<()> {
        *self.0.borrow_mut() = Some(key.clone());
        Ok(())
    }
}

/// A demo workbench with two offers fetched in detail, so their suppliers are named.
async fn with_offers(dir: &Path) -> (Workbench, Vec<String>) {
    let workbench = Workbench::open(
        Some(dir),
        ConnectOptions {
            mode: ModeChoice::Demo,
            gateway: None,
            rate: Some(200),
            environment_credentials: true,
        },
    );
    let page = workbench
        .search_1688(&KeywordSearch::new("杯"), false)
        .await
        .unwrap()
        .value;
    let ids: Vec<String> = page.offers[..2]
        .iter()
        .map(|o| o.offer_id.to_string())
        .collect();
    let fetched = workbench.fetch_offers(&ids, false).await.unwrap();
    assert!(fetched.errors.is_empty(), "{:?}", fetched.errors);
    (workbench, ids)
}

fn sample() -> Contacts {
    Contacts {
        person: Some("李经理".into()),
        phone: Some("+86 138 0013 8000".into()),
        wechat: Some("wx_li_cups".into()),
        note: Some("=样品很好".into()),
        ..Contacts::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_is_found_by_its_id_or_any_of_its_offers_and_keeps_contacts() {
    let tmp = tempfile::tempdir().unwrap();
    let (workbench, ids) = with_offers(tmp.path()).await;
    let keys = Memory::default();

    let by_offer = workbench.supplier_with(&ids[0], &keys).unwrap();
    let id = by_offer.entry.supplier_id.clone();
    assert!(!id.starts_with("offer:"), "{id}");
    assert!(by_offer
        .offers
        .iter()
        .any(|o| o.offer_id.as_str() == ids[0]));
    assert_eq!(by_offer.contacts, Some(Contacts::default()));
    assert_eq!(workbench.supplier_with(&id, &keys).unwrap(), by_offer);

    let stored = workbench
        .set_supplier_contacts_with(&ids[0], &sample(), &keys)
        .unwrap();
    assert_eq!(stored, sample());
    let view = workbench.supplier_with(&id, &keys).unwrap();
    assert_eq!(view.contacts, Some(sample()));
    assert!(view.entry.has_contacts);

    let with_contacts = workbench
        .suppliers(&SupplierQuery {
            with_contacts: true,
            ..SupplierQuery::default()
        })
        .unwrap();
    assert_eq!(with_contacts.total, 1);
    assert_eq!(with_contacts.suppliers[0].supplier_id, id);

    // Another key: the page still shows the supplier, with its contacts locked.
    let wrong = Memory(RefCell::new(Some(ContactsKey::generate().unwrap())));
    let locked = workbench.supplier_with(&id, &wrong).unwrap();
    assert_eq!(locked.contacts, None);
    assert_eq!(locked.contacts_problem.unwrap().code, "contacts.locked");
    assert_eq!(locked.offers, view.offers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_book_is_searched_and_paged_and_unknown_suppliers_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (workbench, _) = with_offers(tmp.path()).await;
    let all = workbench.suppliers(&SupplierQuery::default()).unwrap();
    assert!(all.total >= 1);
    assert!(all
        .suppliers
        .iter()
        .all(|s| !s.supplier_id.starts_with("offer:")));
    let first = &all.suppliers[0];
    let name = first.supplier.name.clone().unwrap();
    let found = workbench
        .suppliers(&SupplierQuery {
            text: Some(name.to_uppercase()),
            ..SupplierQuery::default()
        })
        .unwrap();
    assert!(found
        .suppliers
        .iter()
        .any(|s| s.supplier_id == first.supplier_id));
    let none = workbench
        .suppliers(&SupplierQuery {
            text: Some("no such supplier at all".into()),
            ..SupplierQuery::default()
        })
        .unwrap();
    assert_eq!(none.total, 0);
    let one = workbench
        .suppliers(&SupplierQuery {
            page_size: 1,
            page: 1,
            ..SupplierQuery::default()
        })
        .unwrap();
    assert_eq!((one.suppliers.len(), one.total), (1, all.total));

    let keys = Memory::default();
    assert_eq!(
        workbench
            .supplier_with("login:nobody", &keys)
            .unwrap_err()
            .code,
        "supplier.not_found"
    );
    assert_eq!(
        workbench
            .supplier_with("999999999999", &keys)
            .unwrap_err()
            .code,
        "offer.not_found"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contacts_export_is_excel_safe_plaintext_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let (workbench, ids) = with_offers(tmp.path()).await;
    let keys = Memory::default();
    workbench
        .set_supplier_contacts_with(&ids[0], &sample(), &keys)
        .unwrap();
    let rows = workbench.contact_rows(&keys).unwrap();
    assert_eq!(rows.len(), 1);
    let mut out = Vec::new();
    write_contacts_csv(&rows, pifa_core::Language::English, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("'=样品很好"), "{text}");
    assert!(text.contains("'+86 138 0013 8000"), "{text}");
    assert!(text.contains("wx_li_cups"));
    assert!(text.contains("\r\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_signals_over_time_held_and_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let (workbench, ids) = with_offers(tmp.path()).await;
    let keys = Memory::default();
    let view = workbench.supplier_with(&ids[0], &keys).unwrap();
    let [first] = view.history.observations.clone().try_into().unwrap();
    assert_eq!(first.signals, SupplierSignals::of(&view.entry.supplier));
    assert!(view.history.changes.is_empty());

    // Fetched again from 1688 the same day with the same signals: no new row.
    workbench.fetch_offer(&ids[0], true).await.unwrap();
    let again = workbench.supplier_with(&ids[0], &keys).unwrap();
    assert_eq!(again.history, view.history);

    // A later answer with 实力商家 gained or lost: a second observation and the change.
    let catalog = pifa_gateway::catalog::Catalog::new(1688, 5_000);
    let mut answer = catalog.query_product_detail(catalog.index_of(&ids[0]).unwrap());
    let detail = answer.pointer_mut("/result/result").unwrap();
    let was = first.signals.badges.is_some_and(|b| b.power_merchant);
    detail["offerIdentities"] = serde_json::json!([if was {
        "诚信通"
    } else {
        "实力商家,诚信通"
    }]);
    workbench
        .store()
        .unwrap()
        .import_answer(&answer, chrono::Utc::now())
        .unwrap();
    let changed = workbench.supplier_with(&ids[0], &keys).unwrap();
    assert_eq!(changed.history.observations.len(), 2);
    let at = changed.history.observations[1].observed_at;
    let expected = if was {
        SignalChange::Lost {
            at,
            badge: SupplierBadge::PowerMerchant,
        }
    } else {
        SignalChange::Gained {
            at,
            badge: SupplierBadge::PowerMerchant,
        }
    };
    assert!(
        changed.history.changes.contains(&expected),
        "{:?}",
        changed.history.changes
    );
}
