//! Chart data through the workbench, as the app's commands ask for it: one offer over a range,
//! several overlaid, and a page of sparklines in one call.

mod common;

use pifa_core::history::{HistoryRange, SeriesOf, SparkRequest};

#[tokio::test]
async fn a_fetched_offer_has_a_chart_an_overlay_line_and_a_sparkline() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = common::demo(tmp.path());
    let ids = ["668800000011", "668800000031"];
    for id in ids {
        workbench.fetch_offer(id, false).await.unwrap();
    }

    let history = workbench
        .price_history(ids[0], HistoryRange::Month, Some(200))
        .unwrap();
    assert_eq!((history.qty, history.range), (200, HistoryRange::Month));
    let line = &history.series[0];
    assert_eq!(line.of, SeriesOf::Quantity { qty: 200 });
    assert_eq!(line.points.len(), 1, "one fetch, one observation");
    assert_eq!(line.current, line.points.last().copied());
    assert_eq!((line.low, line.high), (line.current, line.current));

    let overlay = workbench
        .price_histories(&ids.map(String::from), HistoryRange::All, Some(100))
        .unwrap();
    assert_eq!(overlay.len(), 2);
    assert!(overlay.iter().all(|h| h.series.len() == 1 && h.qty >= 100));

    let requests: Vec<SparkRequest> = ids
        .iter()
        .chain(&["123456789012"])
        .map(|id| SparkRequest {
            offer_id: id.to_string(),
            qty: None,
        })
        .collect();
    let sparks = workbench.price_sparklines(&requests).unwrap();
    assert_eq!(sparks.len(), 2, "an offer never stored has no line");
    assert!(sparks
        .iter()
        .all(|s| s.points.len() == 1 && s.current.is_some()));

    let bad = workbench.price_history("not an id", HistoryRange::Week, None);
    assert!(bad.is_err());
}
