"""The newer pages in Chinese: nav, shortlist and watch words, and a failure explained in
Chinese beside Rust's detailed message."""


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
