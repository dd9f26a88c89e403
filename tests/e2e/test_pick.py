"""智能选品 in demo mode: a need in Chinese, ranked picks with their score parts, a weight that
re-ranks without fetching, the exclusions explained, and two picks into a new shortlist."""

from selenium.webdriver.support.ui import WebDriverWait

# A pick fetches every candidate's detail at the demo's rate: longer than one page's wait.
PICK_WAIT_S = 90
LIST = "选品 保温杯"


def ranking(window) -> list[dict]:
    """Every ranked row as shown, read in one go."""
    return window.driver.execute_script(
        """return Array.from(document.querySelectorAll('[data-testid="pick-row"]')).map(r => ({
            offerId: r.dataset.offerId,
            rank: Number(r.dataset.rank),
            title: r.querySelector('[data-testid="pick-title"]').innerText.trim(),
            score: Number(r.querySelector('[data-testid="pick-score"]').dataset.score),
            parts: Array.from(r.querySelectorAll('[data-testid="pick-part"]')).map(p => ({
                criterion: p.dataset.criterion, value: Number(p.dataset.value), label: p.innerText.trim()})),
            unit: r.querySelector('[data-testid="pick-unit"]').innerText.trim(),
            total: r.querySelector('[data-testid="pick-total"]').innerText.trim(),
            image: !!r.querySelector('img'),
        }));"""
    )


def sales_part(row: dict) -> float:
    return next(p["value"] for p in row["parts"] if p["criterion"] == "sales")


def set_weight(window, criterion: str, value: str) -> None:
    field = window.driver.find_element(
        "css selector", f'[data-testid="pick-weight"][data-criterion="{criterion}"]'
    )
    window.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
        field,
        value,
    )


def test_a_need_becomes_a_ranked_explained_shortlist(launch):
    window = launch()
    window.open_page("pick")
    window.wait_for_text("page-title", "Pick offers for a need")
    window.fill("pick-keywords", "保温杯")
    window.fill("pick-qty", "300")
    window.fill("pick-max-price", "30")
    window.by_testid("pick-power-merchant").click()
    window.fill("pick-pages", "1")
    window.by_testid("pick-start").click()
    window.by_testid("pick-progress")
    WebDriverWait(window.driver, PICK_WAIT_S).until(
        lambda d: d.find_elements("css selector", '[data-testid="pick-row"]')
    )

    before = ranking(window)
    assert len(before) >= 3, before
    assert [r["rank"] for r in before] == list(range(1, len(before) + 1))
    assert all("保温杯" in r["title"] for r in before), before
    assert all(r["unit"].startswith("¥") and r["total"].startswith("¥") for r in before)
    scores = [r["score"] for r in before]
    assert scores == sorted(scores, reverse=True), scores
    for row in before:
        assert [p["criterion"] for p in row["parts"]] == [
            "price", "sales", "service", "repurchase", "pickup", "qualityRefund", "tpYears"
        ]
        assert row["parts"][0]["label"] == "Price"
        assert all(0 <= p["value"] <= 1 for p in row["parts"]), row
    assert any(r["image"] for r in before), "pictures in the results"
    summary = window.text_of("pick-summary")
    assert "for 300 pieces of “保温杯”" in summary, summary

    # Every excluded candidate is counted under its reasons and named with them.
    counts = window.texts_of_all("pick-reason-count")
    assert any(c.startswith("Not 实力商家: ") for c in counts), counts
    window.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'start'});", window.by_testid("pick-summary")
    )
    # The README shows this page: the first rows' pictures loaded (lazy, so once in view).
    window.wait_until(
        "the first rows' pictures shown",
        lambda w: w.driver.execute_script(
            "const imgs = Array.from(document.querySelectorAll('[data-testid=\"pick-row\"] img')).slice(0, 4);"
            "return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"
        ),
    )
    window.screenshot("pick-en")
    toggle = window.by_testid("pick-why-toggle")
    window.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", toggle)
    toggle.click()
    reasons = window.texts_of_all("pick-excluded-why")
    assert reasons and all(reasons), reasons
    assert any("Not 实力商家" in r for r in reasons), reasons

    # Sales only: re-ranked from what is stored, so the scores (and the order) change.
    for criterion in ["price", "service", "repurchase", "pickup", "qualityRefund", "tpYears"]:
        set_weight(window, criterion, "0")
    set_weight(window, "sales", "5")

    def reranked(w) -> bool:
        now = ranking(w)
        return bool(now) and [(r["offerId"], r["score"]) for r in now] != [
            (r["offerId"], r["score"]) for r in before
        ] and all(abs(r["score"] - sales_part(r)) < 1e-9 for r in now)

    window.wait_until("the picks re-ranked by sales alone", reranked)
    after = ranking(window)
    sales = [r["score"] for r in after]
    assert sales == sorted(sales, reverse=True), sales

    # Two picks into a new shortlist in one step.
    boxes = window.driver.find_elements("css selector", '[data-testid="pick-select"]')
    boxes[0].click()
    boxes[1].click()
    chosen = sorted(r["offerId"] for r in after[:2])
    window.wait_for_text("pick-selected-count", "2 selected")
    window.fill("pick-list-name", LIST)
    window.by_testid("pick-add").click()
    window.wait_for_text("pick-added", f"Added 2 offers to “{LIST}”.")

    window.open_page("shortlists")
    window.wait_until(
        "the new shortlist listed with two offers",
        lambda w: f"{LIST}\n2" in w.texts_of_all("shortlist-item"),
    )
    index = window.texts_of_all("shortlist-item").index(f"{LIST}\n2")
    window.driver.find_elements("css selector", '[data-testid="shortlist-item"]')[index].click()
    window.wait_until(
        "both picks on the new shortlist",
        lambda w: sorted(
            w.driver.execute_script(
                """return Array.from(document.querySelectorAll('[data-testid="shortlist-row"]'))
                   .map(r => r.dataset.offerId);"""
            )
        )
        == chosen,
    )

    # The run was saved: it is listed to reopen.
    window.open_page("pick")
    window.wait_until("the run listed", lambda w: len(w.texts_of_all("pick-run")) == 1)
    assert "保温杯" in window.texts_of_all("pick-run")[0]
