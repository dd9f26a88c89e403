//! The double's picture CDN over HTTP: the paths its answers name are served as PNG images on
//! its own address; anything else is not found.

use pifa_gateway::catalog::Catalog;
use pifa_gateway::{spawn, GatewayConfig};

#[test]
fn the_pictures_answers_name_are_served_on_the_doubles_address() {
    let config = GatewayConfig {
        offers: 200,
        ..GatewayConfig::default()
    };
    let catalog = Catalog::new(config.seed, config.offers);
    let gw = spawn(config, "127.0.0.1:0").unwrap();
    pifa_core::protocol::client::install_tls_provider();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let offer = catalog.offer(7);
    let url = &offer.images[0];
    let path = url.strip_prefix("https://cbu01.alicdn.com").unwrap();
    let answer = http.get(format!("{}{path}", gw.base_url)).send().unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "image/png");
    assert!(answer.headers().contains_key("cache-control"));
    let bytes = answer.bytes().unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{:?}", &bytes[..8]);
    // A size-suffixed name, as list thumbnails ask for.
    let small = http
        .get(format!("{}{path}_220x220.jpg", gw.base_url))
        .send()
        .unwrap();
    assert_eq!(small.status(), 200);
    assert!(small.bytes().unwrap().len() < bytes.len());
    for missing in [
        "/img/ibank/O1CN01999999999999_0.jpg".to_owned(),
        format!("{path}_5000x5000.jpg"),
        "/img/ibank/".to_owned(),
        "/img/ibank/%2e%2e/%2e%2e/etc/passwd".to_owned(),
    ] {
        let answer = http
            .get(format!("{}{missing}", gw.base_url))
            .send()
            .unwrap();
        assert_eq!(answer.status(), 404, "{missing}");
    }
}
