//! Offer pictures through the application layer in demo mode: the URLs search answers carry
//! (1688's CDN) are fetched from the in-process double over HTTP, kept on disk, and anything
//! not on 1688's image hosts is refused.

mod common;
use common::demo;

use pifa_core::images::ImageError;
use pifa_core::protocol::KeywordSearch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pictures_come_from_the_double_and_are_kept_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let workbench = demo(tmp.path());
    let search = KeywordSearch {
        page_size: 3,
        ..KeywordSearch::new("保温杯")
    };
    let page = workbench.search_1688(&search, false).await.unwrap().value;
    let url = page.offers[0].images[0].clone();
    assert!(
        url.starts_with("https://cbu01.alicdn.com/img/ibank/"),
        "{url}"
    );

    let image = workbench.offer_image(&url).await.unwrap();
    assert_eq!(image.content_type, "image/png");
    assert!(image.bytes.len() > 1_000);
    let dir = tmp.path().join("image-cache");
    let kept: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(kept[0].path()).unwrap(), image.bytes);
    // Kept apart from the databases.
    assert!(tmp.path().join("cache.db").exists());
    assert_eq!(workbench.offer_image(&url).await.unwrap(), image);

    for refused in [
        url.replace("https://", "http://"),
        url.replace("cbu01.alicdn.com", "evil.example"),
        "pifa-image://localhost/x".to_owned(),
    ] {
        assert!(
            matches!(
                workbench.offer_image(&refused).await,
                Err(ImageError::Refused(_))
            ),
            "{refused}"
        );
    }
    // A picture the double does not have is not found, and nothing is kept for it.
    let missing = "https://cbu01.alicdn.com/img/ibank/O1CN01999999999999_0.jpg";
    assert!(matches!(
        workbench.offer_image(missing).await,
        Err(ImageError::Status(404))
    ));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}
