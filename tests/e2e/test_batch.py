"""Fetching many offers from pasted text in demo mode: one result per offer, failures named,
progress while it runs, cancellation, the pause after repeated failures and its lifting."""

import re

# Demo catalog IDs (seed 1688) and one the catalog does not hold.
MISSING = "999999999999"
PASTED = f"""# 春季采购
https://detail.1688.com/offer/668800000001.html?spm=a2615
m.1688.com/offer/668800000002.html 和 668800000003
找不到的供应商
{MISSING}
"""


def rows(window) -> list[dict]:
    """Every result row as the user sees it, read in one go."""
    return window.driver.execute_script(
        """return Array.from(document.querySelectorAll('[data-testid="batch-row"]')).map(r => ({
            offerId: r.dataset.offerId, status: r.dataset.status, text: r.innerText.trim()}));"""
    )


def run_batch(window, text: str, finished: str) -> list[dict]:
    window.fill("batch-input", text)
    window.by_testid("batch-start").click()
    window.wait_for_text("batch-summary", finished)
    window.wait_until(
        "the start button usable again",
        lambda w: w.by_testid("batch-start").get_attribute("disabled") is None,
    )
    return rows(window)


def test_a_pasted_batch_stores_each_offer_and_names_each_failure(launch):
    window = launch()
    window.open_page("batch")
    results = run_batch(window, PASTED, "Finished: 3 stored, 2 failed, 0 cancelled.")

    stored = {r["offerId"]: r["text"] for r in results if r["status"] == "stored"}
    assert sorted(stored) == ["668800000001", "668800000002", "668800000003"], results
    for text in stored.values():
        assert re.search(r"[\u4e00-\u9fff]", text), f"a Chinese title survives the trip: {text!r}"

    failed = [r for r in results if r["status"] == "failed"]
    assert [r["offerId"] for r in failed if r["offerId"]] == [MISSING], failed
    line = next(r["text"] for r in failed if not r["offerId"])
    assert line.startswith("line 4") and "找不到的供应商" in line, line
    assert "1688 has no such offer" in next(r["text"] for r in failed if r["offerId"])
    window.screenshot("batch-en")

    window.open_page("offers")
    window.wait_until(
        "the three fetched offers among stored offers",
        lambda w: w.text_of("results-summary") == "1–3 of 3 offers",
    )


def test_a_running_batch_shows_progress_keeps_going_elsewhere_and_can_be_cancelled(launch):
    window = launch()
    window.open_page("batch")
    # 200 offers at the client's 10 calls a second: time enough to look away and to cancel.
    ids = "\n".join(f"6688000{n:05d}" for n in range(200))
    window.fill("batch-input", ids)
    window.by_testid("batch-start").click()
    window.wait_until(
        "some offers done",
        lambda w: int(w.by_testid("batch-progress").get_attribute("value") or 0) >= 5,
    )
    window.open_page("health")
    window.by_testid("health-offers")
    window.open_page("batch")
    window.wait_until(
        "progress kept while another page was shown",
        lambda w: int(w.by_testid("batch-progress").get_attribute("value") or 0) >= 15,
    )
    window.by_testid("batch-cancel").click()
    window.wait_until(
        "the batch ends cancelled",
        lambda w: w.text_of("batch-summary").startswith("Finished:"),
    )
    summary = window.text_of("batch-summary")
    stored, failed, cancelled = map(int, re.findall(r"\d+", summary))
    assert failed == 0 and stored >= 15 and cancelled > 0, summary
    assert stored + cancelled == 200, summary
    assert len(rows(window)) == 200


def test_five_failures_pause_an_offer_until_resumed_on_the_status_page(launch):
    window = launch()
    window.open_page("batch")
    one_failed = "Finished: 0 stored, 1 failed, 0 cancelled."
    for attempt in range(1, 5):
        [result] = run_batch(window, MISSING, one_failed)
        assert "paused" not in result["text"], f"attempt {attempt}: {result}"
    [fifth] = run_batch(window, MISSING, one_failed)
    assert "paused for an hour" in fifth["text"], fifth
    [sixth] = run_batch(window, MISSING, one_failed)
    assert "paused after repeated failures" in sixth["text"], sixth

    window.open_page("health")
    window.wait_until(
        "the paused offer listed",
        lambda w: [r.get_attribute("data-offer-id") for r in w.driver.find_elements("css selector", '[data-testid="paused-row"]')] == [MISSING],
    )
    window.screenshot("status-paused-en")
    window.by_testid("paused-resume").click()
    window.by_testid("health-no-paused")

    window.open_page("batch")
    [again] = run_batch(window, MISSING, one_failed)
    assert "1688 has no such offer" in again["text"], "resumed: fetched again"
