"""Offer pictures in demo mode: search results and the offer page show pictures that really
loaded, through the app's pifa-image protocol from the built-in gateway's picture CDN, and the
pictures are kept on disk in the data directory."""

LOADED = """return Array.from(document.querySelectorAll(arguments[0]))
    .filter(img => img.complete && img.naturalWidth > 0)
    .map(img => img.getAttribute('src'));"""


def loaded(window, testid: str) -> list[str]:
    return window.driver.execute_script(LOADED, f'[data-testid="{testid}"]')


def test_search_results_and_the_offer_page_show_real_pictures(launch, tmp_path):
    window = launch()
    window.search_1688("保温杯")
    window.wait_until(
        "the first five result thumbnails loaded",
        lambda w: len(loaded(w, "remote-thumb")) >= 5,
    )
    sources = loaded(window, "remote-thumb")
    # The picture URL 1688 gave travels whole, percent-encoded, to the app's own protocol.
    for src in sources:
        assert src.startswith("pifa-image://localhost/https%3A%2F%2Fcbu01.alicdn.com%2Fimg%2Fibank%2F"), src
    assert len(set(sources)) == len(sources), "each offer has its own picture"
    # Decoded and painted before the screenshot, which the README shows.
    window.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           Promise.all(Array.from(document.querySelectorAll('[data-testid="remote-thumb"]'))
             .filter(img => img.complete && img.naturalWidth > 0).map(img => img.decode().catch(() => null)))
             .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));"""
    )
    window.screenshot("pictures-search")

    window.open_result(0)
    window.by_testid("offer-image")
    window.wait_until(
        "every gallery picture of the offer loaded",
        lambda w: len(loaded(w, "offer-image"))
        == len(w.driver.find_elements("css selector", '[data-testid="offer-image"]'))
        > 0,
    )
    window.screenshot("pictures-offer")
    # Lazy pictures load when near the view: the SKU table is further down.
    window.driver.execute_script("arguments[0].scrollIntoView()", window.by_testid("offer-sku-image"))
    window.wait_until(
        "the SKU pictures loaded",
        lambda w: len(loaded(w, "offer-sku-image")) > 0,
    )

    # The fetched offer is stored: its row among stored offers has its picture too.
    window.open_page("offers")
    window.wait_until(
        "the stored offer's thumbnail loaded",
        lambda w: len(loaded(w, "offer-thumb")) >= 1,
    )
    kept = list((tmp_path / "数据" / "image-cache").iterdir())
    assert len(kept) >= len(sources), kept


def test_the_window_takes_pictures_only_through_the_pifa_image_protocol(launch):
    window = launch()
    # A picture from anywhere else is blocked by the window's content security policy...
    violated = window.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           document.addEventListener('securitypolicyviolation',
             e => done(e.violatedDirective), { once: true });
           const img = new Image();
           img.src = 'http://127.0.0.1:9/elsewhere.png';
           setTimeout(() => done('no violation'), 5000);"""
    )
    assert violated.startswith("img-src"), violated
    # ...and the protocol itself refuses what is not on 1688's image hosts: the picture fails.
    outcome = window.driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
           const load = url => new Promise(resolve => {
             const img = new Image();
             img.onload = () => resolve(img.naturalWidth > 0 ? 'loaded' : 'empty');
             img.onerror = () => resolve('failed');
             img.src = 'pifa-image://localhost/' + encodeURIComponent(url);
           });
           Promise.all([
             load('https://evil.example/img/ibank/O1CN01668800000011_0.jpg'),
             load('https://cbu01.alicdn.com/img/ibank/O1CN01668800000011_0.jpg'),
           ]).then(done);"""
    )
    assert outcome == ["failed", "loaded"], outcome
