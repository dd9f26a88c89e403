//! `pifa-cli pick` end to end against the in-process demo gateway (`--demo`).

mod common;
use common::{cli, ok_json};

#[test]
fn a_pick_prints_its_ranking_and_fills_a_shortlist() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "--json",
        "pick",
        "保温杯",
        "--qty",
        "300",
        "--max-price",
        "20",
        "--power-merchant",
        "--pages",
        "2",
        "--top",
        "3",
        "--weight",
        "price=4",
        "--shortlist",
        "春季 保温杯",
    ];
    let report = ok_json(&cli(tmp.path(), &args));
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["candidates", "excluded", "picks"]);
    let candidates = report["candidates"].as_u64().unwrap();
    assert!(candidates > 50, "{candidates}");
    let excluded: u64 = report["excluded"]
        .as_object()
        .unwrap()
        .values()
        .map(|count| count.as_u64().unwrap())
        .sum();
    assert!(excluded > 0);
    assert!(report["excluded"]["not_power_merchant"].as_u64().unwrap() > 0);
    let picks = report["picks"].as_array().unwrap();
    assert_eq!(picks.len(), 3);
    for (index, pick) in picks.iter().enumerate() {
        assert_eq!(pick["rank"], index as u64 + 1);
        assert!(pick["offerId"].is_string());
        assert!(pick["title"].as_str().unwrap().contains("保温杯"));
        let unit: f64 = pick["unitPrice"].as_str().unwrap().parse().unwrap();
        assert!(unit <= 20.0);
        assert!(pick["total"].as_str().unwrap().contains('.'));
        assert!(pick["orderQty"].as_u64().unwrap() >= 300);
        // What the app's rows show besides: picture, supplier with badges, minimum order.
        assert!(pick["image"].is_string() || pick["image"].is_null());
        assert_eq!(pick["supplier"]["powerMerchant"], true);
        assert!(pick["minimumOrder"].as_u64().unwrap() >= 1);
        assert_eq!(
            pick["belowMoq"],
            pick["minimumOrder"].as_u64().unwrap() > 300,
            "{pick}"
        );
        let score = pick["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        let parts = pick["parts"].as_object().unwrap();
        assert_eq!(parts.len(), 7);
        assert!(parts
            .values()
            .all(|p| (0.0..=1.0).contains(&p.as_f64().unwrap())));
    }

    // The shortlist was made and holds the picks.
    let list = ok_json(&cli(
        tmp.path(),
        &["--json", "shortlist", "show", "春季 保温杯"],
    ));
    let mut listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["offerId"].as_str().unwrap())
        .collect();
    let mut picked: Vec<&str> = picks
        .iter()
        .map(|p| p["offerId"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    picked.sort_unstable();
    assert_eq!(listed, picked);

    // The same need from the cache gives the same ranking; the table names the reasons.
    let again = ok_json(&cli(tmp.path(), &args));
    assert_eq!(again["picks"], report["picks"]);
    let text = cli(tmp.path(), &args[1..]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("not_power_merchant"), "{text}");
    assert!(text.contains("Shortlist 春季 保温杯: 3 offers."), "{text}");
}

#[test]
fn bad_weights_and_quantities_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["pick", "杯", "--qty", "5", "--weight", "speed=1"][..],
        &["pick", "杯", "--qty", "5", "--weight", "price=-1"],
        &["pick", "杯", "--qty", "0"],
        &["pick", "杯"],
    ] {
        let output = cli(tmp.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}
