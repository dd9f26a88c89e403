"""Team mode: two desktops (each its own D-Bus session and keyring, as two computers) on one
team database. One creates the team in Settings, the other joins with its code; a shortlist made
on one shows on the other with who added what, and so does an alert of a team watch; with the
database gone, the last copy stays readable under a read-only label and edits are refused by
name."""

import subprocess

from selenium.webdriver.support.ui import WebDriverWait


def join_team(window, address: str, password: str, member: str, code: str | None, team: str | None) -> None:
    window.open_page("settings")
    window.fill("team-address-input", address)
    window.fill("team-password", password)
    window.fill("team-member-name", member)
    if code is None:
        window.fill("team-name-input", team)
        window.by_testid("team-create").click()
    else:
        window.fill("team-code-input", code)
        window.by_testid("team-join").click()
    window.wait_until("the team joined", lambda w: w.driver.find_elements("css selector", '[data-testid="team-joined"]'))


def test_two_desktops_share_a_shortlist(launch, launch_elsewhere, team_database, tmp_path):
    address, password = team_database
    lin = launch(tmp_path / "林的电脑")
    wang = launch_elsewhere(tmp_path / "王的电脑")

    join_team(lin, address, password, "林采购", code=None, team="义乌采购组")
    code = lin.by_testid("team-code").get_attribute("value")
    assert code.startswith("PIFA1-")
    lin.wait_until("the member listed", lambda w: w.texts_of_all("team-member")[0].startswith("林采购"))

    join_team(wang, address, password, "王经理", code=code, team=None)
    wang.wait_until(
        "both members listed",
        lambda w: {t.split()[0] for t in w.texts_of_all("team-member")} == {"林采购", "王经理"},
    )
    wang.screenshot("team-settings-en")

    # 林 makes a list and adds an offer from its page; 王 never fetched that offer.
    lin.open_page("shortlists")
    lin.fill("shortlist-new-name", "春季保温杯")
    lin.by_testid("shortlist-create").click()
    lin.wait_for_text("shortlist-name", "春季保温杯")
    lin.search_1688("保温杯")
    lin.open_result(0)
    lin.wait_until("the list to add to", lambda w: w.by_testid("offer-add").get_attribute("disabled") is None)
    title = lin.text_of("page-title")
    lin.by_testid("offer-add").click()
    lin.wait_for_text("offer-on-lists", "On: 春季保温杯")

    # A team watch 林 sets and checks: every demo cup costs less than ¥999 at 100 pieces.
    lin.fill("offer-watch-qty", "100")
    lin.fill("offer-watch-target", "999")
    lin.by_testid("offer-watch-start").click()
    lin.wait_until("the watch confirmed", lambda w: w.text_of("offer-watching").startswith("Watching at 100 pieces"))
    lin.open_page("watches")
    # The button works once the list is shown (it is off while no watch is listed).
    lin.wait_for_text("watch-set-by", "set by 林采购")
    lin.by_testid("watches-check").click()

    # Either desktop's scheduler may have checked it first (once per team): the alert is
    # there, once, whoever raised it.
    def alert_listed(window) -> bool:
        if window.driver.find_elements("css selector", '[data-testid="alert"]'):
            return True
        window.open_page("home")
        window.open_page("watches")
        return False

    WebDriverWait(lin.driver, 60).until(lambda d: alert_listed(lin))
    assert len(lin.texts_of_all("alert")) == 1

    # 王 sees the team's watch and its alert.
    WebDriverWait(wang.driver, 60).until(lambda d: alert_listed(wang))
    assert wang.by_testid("alert").get_attribute("data-kind") == "atOrBelowTarget"
    assert "¥999.00" in wang.text_of("alert")
    assert wang.text_of("alert-who").startswith("checked by ")
    assert wang.text_of("watch-set-by") == "set by 林采购"
    # 王 has seen it: 林's list says so.
    wang.by_testid("alert-seen").click()
    wang.wait_until("the alert seen", lambda w: not w.driver.find_elements("css selector", '[data-testid="alert-seen"]'))
    lin.open_page("home")
    lin.open_page("watches")
    lin.wait_until("seen by 王经理", lambda w: w.text_of("alert-who").endswith(" · seen by 王经理"))

    # 王's Shortlists page shows it by itself within a few seconds, with who did what.
    wang.open_page("shortlists")
    wang.wait_until("the team's list arrived", lambda w: w.texts_of_all("shortlist-name") == ["春季保温杯"])
    wang.wait_until("its offer arrived", lambda w: w.texts_of_all("shortlist-title") == [title])
    assert wang.text_of("shortlist-created-by") == "made by 林采购"
    assert "added by 林采购" in wang.text_of("shortlist-added-by")
    wang.screenshot("team-shortlist-en")

    # The team database goes away for both: the copy stays readable, labelled read-only, and
    # an edit is refused by name rather than kept where it would be lost.
    subprocess.run(
        ["psql", address.rsplit("/", 1)[0] + "/postgres", "-qc",
         f"ALTER DATABASE {address.rsplit('/', 1)[1]} WITH ALLOW_CONNECTIONS false;"
         f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{address.rsplit('/', 1)[1]}'"],
        env={"PGPASSWORD": password, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True,
    )
    wang.wait_until("the read-only label", lambda w: w.driver.find_elements("css selector", '[data-testid="team-offline"]'))
    assert wang.texts_of_all("shortlist-title") == [title]
    wang.fill("shortlist-new-name", "新清单")
    wang.by_testid("shortlist-create").click()
    wang.wait_until(
        "the edit refused by name",
        lambda w: "team database cannot be reached" in w.text_of("command-failure"),
    )
    subprocess.run(
        ["psql", address.rsplit("/", 1)[0] + "/postgres", "-qc",
         f"ALTER DATABASE {address.rsplit('/', 1)[1]} WITH ALLOW_CONNECTIONS true"],
        env={"PGPASSWORD": password, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True,
    )
    wang.wait_until(
        "the label gone once the database is back",
        lambda w: not w.driver.find_elements("css selector", '[data-testid="team-offline"]'),
    )
