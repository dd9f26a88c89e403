"""Local search over stored offers, in the window: Chinese text through the IPC both ways,
prices at the buyer's quantity, filters and paging computed on the Rust side."""

import json
import subprocess

from conftest import CLI, ROOT

FIXTURES = ROOT / "src-tauri" / "crates" / "pifa-core" / "tests" / "fixtures"


def import_fixtures(data_dir, tmp_path):
    lines = []
    for name in ["query_product_detail.json", "simple_get.json", "keyword_query.json"]:
        with open(FIXTURES / name, encoding="utf-8") as f:
            lines.append(json.dumps(json.load(f), ensure_ascii=False))
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run([str(CLI), "--data-dir", str(data_dir), "import", str(answers)], check=True, capture_output=True)


def test_an_empty_store_says_where_offers_come_from(launch):
    window = launch()
    window.open_page("offers")
    assert "pifa-cli import" in window.text_of("results-summary")


def test_search_filter_and_price_at_quantity(launch, tmp_path):
    data_dir = tmp_path / "数据"
    import_fixtures(data_dir, tmp_path)
    window = launch(data_dir)
    window.open_page("offers")
    window.wait_for_text("results-summary", "1–4 of 4 offers")

    window.fill("search-input", "男士")
    window.wait_for_text("results-summary", "1–2 of 2 offers")
    titles = window.texts_of_all("offer-title")
    assert "纯棉短袖T恤男士夏季宽松圆领打底衫 批发" in titles, titles
    assert "男士休闲短裤" in titles, titles

    window.fill("qty-input", "100")
    window.choose("sort-select", "priceAsc")
    window.wait_until(
        "the cheapest at 100 pieces first: ¥11.00, then ¥15.80",
        lambda w: [p.split()[0] for p in w.texts_of_all("offer-price")] == ["¥11.00/件", "¥15.80"],
    )

    window.fill("search-input", "")
    window.fill("filter-province", "浙江")
    window.wait_for_text("results-summary", "1–1 of 1 offers")
    supplier = window.texts_of_all("offer-supplier")[0]
    assert "义乌市某某服饰有限公司" in supplier
    assert "service 4.5 / 5" in supplier and "48 h pickup 97%" in supplier, supplier
    window.screenshot("offers-en")

    # Percent filters are typed as percentages: 1 means at most 1 % quality refunds.
    window.fill("filter-max-refund", "1")
    window.wait_until("the 2 % refunder filtered out", lambda w: "No stored offers match" in w.text_of("results-summary"))
    window.fill("filter-max-refund", "2")
    window.wait_for_text("results-summary", "1–1 of 1 offers")
    window.fill("filter-min-pickup", "abc")
    assert window.by_testid("filter-min-pickup").get_attribute("aria-invalid") == "true"


def test_a_quantity_below_the_moq_is_raised_and_said(launch, tmp_path):
    data_dir = tmp_path / "data"
    import_fixtures(data_dir, tmp_path)
    window = launch(data_dir)
    window.open_page("offers")
    window.fill("search-input", "保温杯")
    window.fill("qty-input", "3")
    window.wait_until(
        "one offer at ¥17.80, raised to its MOQ of 10",
        lambda w: len(prices := w.texts_of_all("offer-price")) == 1
        and "¥17.80" in prices[0]
        and "raised to 10" in prices[0],
    )


def test_picked_offers_go_to_a_shortlist(launch, tmp_path):
    data_dir = tmp_path / "数据"
    import_fixtures(data_dir, tmp_path)
    subprocess.run([str(CLI), "--data-dir", str(data_dir), "shortlist", "create", "男装"], check=True, capture_output=True)
    window = launch(data_dir)
    window.open_page("offers")
    window.fill("search-input", "男士")
    window.wait_for_text("results-summary", "1–2 of 2 offers")
    for box in window.driver.find_elements("css selector", '[data-testid="offer-pick"]'):
        box.click()
    window.by_testid("pick-add").click()
    window.wait_for_text("pick-added", "2 offers added to 男装.")

    window.open_page("shortlists")
    window.wait_until("both offers on the list", lambda w: len(w.texts_of_all("shortlist-row")) == 2)
    assert set(window.texts_of_all("shortlist-title")) == {"纯棉短袖T恤男士夏季宽松圆领打底衫 批发", "男士休闲短裤"}
