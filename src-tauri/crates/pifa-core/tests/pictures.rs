//! Lists that show an offer carry its main picture: shortlists and watches read it from the
//! stored offer.

mod common;

use common::{filled, id, t0};

#[test]
fn shortlist_rows_and_watches_carry_the_offers_main_picture() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = filled(tmp.path());
    let offer_id = id("624516873409");
    let main = store.offer(&offer_id).unwrap().images.first().cloned();
    assert!(
        main.as_deref().is_some_and(|u| u.starts_with("https://")),
        "{main:?}"
    );

    let list = store.create_shortlist("杯子", t0()).unwrap();
    store
        .add_to_shortlist(list.shortlist_id, &offer_id, t0())
        .unwrap();
    let rows = store.shortlist_rows(list.shortlist_id, None).unwrap();
    assert_eq!(rows[0].image, main);

    store.watch_offer(&offer_id, 10, None, t0()).unwrap();
    let watch = store.watch(&offer_id, t0()).unwrap().unwrap();
    assert_eq!(watch.image, main);
    let json = serde_json::to_value(&watch).unwrap();
    assert_eq!(json["image"].as_str(), main.as_deref());
}
