"""A 1688 search narrowed with 1688's own filters, read in Chinese: a price range and a filter
code travel to the (demo) gateway, rows show the supplier's badges and the item's fulfilment
metrics, and the offer page's supplier card shows 48小时揽收率 and the service scores."""

import re

BADGE = re.compile(r"实力商家|超级工厂|诚信通 \d+ 年|诚信通会员")
METRIC = re.compile(r"小时内发货|揽收率 \d+(\.\d+)?%|退货率 \d+(\.\d+)?%|综合服务分 \d\.\d / 5")


def listed_yuan(text: str) -> float:
    """Only to check a range in the test; the app never does sums in floats."""
    return float(re.search(r"¥([\d.]+)", text).group(1))


def test_search_with_1688_filters_in_chinese_then_the_supplier_card(launch):
    window = launch()
    window.open_page("settings")
    window.choose("language-select", "zh-CN")
    window.wait_for_text("nav-search", "搜索 1688")

    window.open_page("search")
    window.fill("remote-search-input", "杯")
    window.fill("remote-price-min", "5")
    window.fill("remote-price-max", "60")
    window.by_testid("remote-filter-shipIn48Hours").click()
    window.choose("remote-sort", "priceAsc")
    assert window.text_of("remote-sort-note") == "1688 只在当前页内排序"
    assert "48小时发货" in window.text_of("remote-filters")
    window.by_testid("remote-search-go").click()

    window.wait_until(
        "a page of results, summarized in Chinese",
        lambda w: len(w.texts_of_all("remote-title")) > 0
        and re.fullmatch(r"找到 \d+ 个商品 · 第 1/\d+ 页", w.text_of("remote-summary")),
    )
    prices = [listed_yuan(p) for p in window.texts_of_all("remote-price") if "¥" in p]
    assert prices and all(5 <= p <= 60 for p in prices), f"listed prices within ¥5–60: {prices}"
    window.wait_until(
        "supplier badges in Chinese on the rows",
        lambda w: any(BADGE.search(b) for b in w.texts_of_all("remote-badges")),
    )
    window.wait_until(
        "fulfilment metrics in Chinese on the rows",
        lambda w: any(METRIC.search(m) for m in w.texts_of_all("remote-metrics")),
    )
    assert all(re.fullmatch(r"\d+(\.\d+)?%|—", r) for r in window.texts_of_all("remote-repurchase"))
    window.screenshot("search-filters-zh-CN")

    window.open_result(0)
    window.wait_until(
        "the detail fetched, its supplier card in Chinese",
        lambda w: "48小时揽收率" in w.text_of("offer-supplier") and "仅有搜索列表数据" not in w.text_of("offer-meta"),
    )
    window.wait_until(
        "a 48-hour pickup rate and a service score on the supplier card",
        lambda w: re.fullmatch(r"\d+(\.\d+)?%", w.text_of("offer-supplier-pickup"))
        and re.fullmatch(r"\d\.\d / 5", w.text_of("offer-supplier-score-composite")),
    )
    assert "综合服务分" in window.text_of("offer-supplier")
    assert "商品信息" in window.text_of("offer-facts")
    window.wait_until(
        "the supplier card scrolled into view for the screenshot",
        lambda w: w.driver.execute_script(
            "const card = arguments[0]; card.scrollIntoView(); return card.getBoundingClientRect().top < 100;",
            w.by_testid("offer-supplier"),
        ),
    )
    window.screenshot("offer-supplier-zh-CN")
