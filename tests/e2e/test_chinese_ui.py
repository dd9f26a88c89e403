"""The newer pages in Chinese: nav, shortlist and watch words, a failure explained in Chinese
beside Rust's detailed message, and what the cleaner left out worded from the shared catalog."""

import json
import subprocess

from conftest import CLI, ROOT

FIXTURES = ROOT / "src-tauri" / "crates" / "pifa-core" / "tests" / "fixtures"


def test_the_workbench_reads_in_chinese(launch):
    window = launch()
    window.open_page("settings")
    window.choose("language-select", "zh-CN")
    window.wait_for_text("nav-shortlists", "采购清单")
    assert window.text_of("nav-watches") == "价格监控"
    assert window.text_of("nav-batch") == "批量获取"
    assert window.text_of("nav-health") == "运行状态"

    window.open_page("shortlists")
    window.wait_for_text("page-title", "采购清单")
    window.fill("shortlist-new-name", "春季 T恤")
    window.by_testid("shortlist-create").click()
    window.wait_for_text("shortlist-name", "春季 T恤")
    window.fill("shortlist-new-name", "春季 T恤")
    window.by_testid("shortlist-create").click()
    window.wait_until(
        "the duplicate explained in Chinese, with the detail",
        lambda w: "已有同名的采购清单。" in w.text_of("command-failure")
        and "春季 T恤" in w.text_of("command-failure"),
    )
    # What the failure names, not the Rust side's English sentence.
    assert "already" not in window.text_of("command-failure")
    window.screenshot("shortlist-zh-CN")

    window.open_page("watches")
    window.wait_for_text("page-title", "价格监控")
    window.by_testid("watches-none")

    window.open_page("batch")
    window.fill("batch-input", "不是链接")
    window.by_testid("batch-start").click()
    window.wait_until(
        "the unreadable line explained in Chinese",
        lambda w: "这不是 1688 商品 ID 或商品链接。" in " ".join(w.texts_of_all("batch-error")),
    )
    assert window.text_of("batch-summary") == "已完成：成功 0，失败 1，已取消 0。"


def test_a_cleaner_warning_reads_in_chinese(launch, tmp_path):
    data_dir = tmp_path / "数据"
    with open(FIXTURES / "query_product_detail.json", encoding="utf-8") as f:
        answer = json.dumps(json.load(f), ensure_ascii=False, separators=(",", ":"))
    # A price range where one tier price belongs: the cleaner leaves it out with a warning.
    answers = tmp_path / "answers.jsonl"
    answers.write_text(answer.replace('"price":"9.80"', '"price":"9.80-10.50"'), encoding="utf-8")
    subprocess.run([str(CLI), "--data-dir", str(data_dir), "import", str(answers)], check=True, capture_output=True)

    window = launch(data_dir)
    window.open_page("settings")
    window.choose("language-select", "zh-CN")
    window.wait_for_text("nav-shortlists", "采购清单")
    window.open_page("offers")
    window.wait_until("the stored offer listed", lambda w: len(w.texts_of_all("offer-title")) == 1)
    window.by_testid("offer-title").click()
    window.wait_until(
        "the warning worded in Chinese",
        lambda w: '"9.80-10.50" 是价格区间而不是单一价格，已留空' in w.text_of("offer-warnings"),
    )
    assert "price range" not in window.text_of("offer-warnings")
