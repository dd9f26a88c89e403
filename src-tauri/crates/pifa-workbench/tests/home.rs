//! The first screen's summary, and an offer's way back to 1688. One test binary of its own:
//! the opener test sets `PIFA_BROWSER`, which no other test here may see.

mod common;
use common::demo;

use pifa_core::protocol::KeywordSearch;
use pifa_core::Mode;
use pifa_workbench::{sample_need, OfferLinkPart};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_demo_install_gets_the_guided_start_until_something_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let fresh = workbench.home().await.unwrap();
    assert_eq!(fresh.mode, Mode::Demo);
    assert_eq!(fresh.guided_start, Some(sample_need()));
    assert_eq!((fresh.offers, fresh.shortlists, fresh.watches), (0, 0, 0));
    assert!(fresh.last_pick.is_none() && fresh.recent_searches.is_empty());

    let found = workbench
        .search_1688(&KeywordSearch::new(" 保温杯 "), false)
        .await
        .unwrap()
        .value;
    workbench
        .search_1688(&KeywordSearch::new("充电器"), false)
        .await
        .unwrap();
    let id = found.offers[0].offer_id.to_string();
    workbench.fetch_offer(&id, false).await.unwrap();
    workbench.watch_offer(&id, 100, None).await.unwrap();

    let after = workbench.home().await.unwrap();
    assert_eq!(after.guided_start, None, "offers are kept now");
    let keywords: Vec<&str> = after
        .recent_searches
        .iter()
        .map(|s| s.keyword.as_str())
        .collect();
    assert_eq!(keywords, ["充电器", "保温杯"], "newest first, as searched");
    assert_eq!(after.offers, workbench.health().unwrap().offers);
    assert!(after.offers >= found.offers.len() as u64);
    assert_eq!(after.watches, 1);
    // One price point so far: nothing has moved and nothing is new.
    assert!(after.moved_watches.is_empty());
    assert!(after.new_alerts.is_empty() && after.unseen_alerts == 0);

    // The sample need is one the demo catalog can answer.
    assert!(found
        .offers
        .iter()
        .any(|o| o.title.as_deref().is_some_and(|t| t.contains("保温杯"))));
}

#[test]
fn offer_links_are_built_from_valid_ids_only() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    assert_eq!(
        workbench
            .offer_link_text("624516873409", OfferLinkPart::Link)
            .unwrap(),
        "https://detail.1688.com/offer/624516873409.html"
    );
    assert_eq!(
        workbench
            .offer_link_text("624516873409", OfferLinkPart::Id)
            .unwrap(),
        "624516873409"
    );

    // A malformed ID is refused before anything is opened.
    std::env::remove_var("PIFA_BROWSER");
    for bad in ["javascript:alert(1)", "https://evil.example/", "12", ""] {
        let refused = workbench
            .open_on_1688(bad, |url| panic!("{url} must not be opened"))
            .unwrap_err();
        assert_eq!(refused.code, "offer.bad_id", "{bad}");
        assert_eq!(
            workbench
                .offer_link_text(bad, OfferLinkPart::Link)
                .unwrap_err()
                .code,
            "offer.bad_id"
        );
    }

    // Without `PIFA_BROWSER`, the front end's opener gets the offer's address…
    let mut asked = None;
    let opened = workbench
        .open_on_1688("624516873409", |url| {
            asked = Some(url.to_owned());
            Ok(())
        })
        .unwrap();
    assert_eq!(opened, "https://detail.1688.com/offer/624516873409.html");
    assert_eq!(asked.as_deref(), Some(opened.as_str()));
    // …and its failure is the user's to read.
    let failed = workbench
        .open_on_1688("624516873409", |_| Err("no browser".into()))
        .unwrap_err();
    assert_eq!(failed.code, "offer.unopenable");

    // With it, that command gets the address instead (as when logging in).
    let log = tmp.path().join("opened.txt");
    let script = tmp.path().join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::env::set_var("PIFA_BROWSER", format!("sh {}", script.display()));
    workbench
        .open_on_1688("624516873409", |url| panic!("{url}: the override is set"))
        .unwrap();
    std::env::remove_var("PIFA_BROWSER");
    // The shell creates the file before `echo` writes to it: wait for the line itself.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let written = || {
        std::fs::read_to_string(&log)
            .map(|text| text.ends_with('\n'))
            .unwrap_or(false)
    };
    while !written() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().trim(),
        "https://detail.1688.com/offer/624516873409.html"
    );
}
