"""评选审定 in a real browser: the 花垣 county admin picks 总结表彰, adjusts one village of
the proposed list with a reason, approves it at a meeting, and sees the plaque register
(and, in projector mode, the change with its reason and the register's plaque dates).
Screenshots: tests/artifacts/screenshots/awards_*.png (look at them).

Writes one approval into the shared browser demo database (the other browser tests do not
read the award register)."""
from __future__ import annotations

import pytest

from ruralcore.app import awards as aw
from ruralcore.app import overview as ov
from tests.login_support import browser_login, ensure_account, go

pytestmark = pytest.mark.browser

ADMIN = "huayuan_admin"  # 花垣县 county administrator (also used by test_whatif_flow)
HY = "huayuan-2019"
REASON = "补报宽带数据经核实达标"


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` (type to filter, Enter)."""
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).first.click()


def test_approve_an_award_list_with_one_change_and_see_the_register(app_url, browser_db_url, browser, shoot,
                                                                     wait_idle, no_errors):
    from ruralcore.store import db

    eng = db.get_engine(browser_db_url)
    ensure_account(eng, ADMIN, "county_admin", "433124")
    period = max(ov.periods(eng, HY))
    prop = aw.propose(eng, HY, period, "总结表彰")
    below = prop[prop["proposed"] == ""].iloc[0]  # a village the scores leave out
    option = f"{below['name']}（{below['township_name']}，第{below['rank_label']}名）"

    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    browser_login(page, app_url, ADMIN)
    go(page, "评选审定")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("提议名单与审定").first.wait_for(timeout=60_000)
    main.get_by_text("总结表彰（总结表彰大会）", exact=True).click()
    main.get_by_text("总结表彰：提议名单与审定").first.wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    _pick(page, "调整的村（社区）", option)
    _pick(page, "审定等次", "达标")
    main.get_by_label("调整理由（必填）").fill(REASON)
    main.get_by_role("button", name="加入调整").click()
    main.get_by_text(f"本次调整：{option} → 达标（理由：{REASON}）").first.wait_for(timeout=30_000)
    shoot(page, "awards_change")
    main.get_by_label("审定会议").fill("总结表彰大会（县领导小组）")
    main.get_by_role("button", name="审定通过").click()
    main.get_by_text("已审定总结表彰名单").first.wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    n = int((prop["proposed"] != "").sum()) + 1
    main.get_by_text("审定时的调整（1处）").first.scroll_into_view_if_needed()
    row = main.locator("tr", has_text=REASON).first
    assert below["name"] in row.inner_text() and "达标" in row.inner_text()
    shoot(page, "awards_changes")
    main.get_by_text(f"授牌登记（{n}个村）").first.scroll_into_view_if_needed()
    shoot(page, "awards_register")

    reg = aw.register(eng, HY).set_index("region")
    assert reg.at[below["region"], "reason"] == REASON and reg.at[below["region"], "award"] == "qualified"
    assert reg.at[below["region"], "approved_by"] == ADMIN and len(reg) == n

    # projector: the adjusted village, its reason, and the register's plaque dates
    page.locator('[data-testid="stSidebar"]').get_by_text("投影模式", exact=True).click()
    page.get_by_role("button", name="退出投影模式").wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    row = main.locator("tr", has_text=REASON).first
    row.scroll_into_view_if_needed()
    text = row.inner_text()
    assert below["name"] in text and "达标" in text
    assert main.locator("tr", has_text="2019年7月31日").count() >= 10
    assert main.get_by_text("已审定：huayuan_admin").count() >= 1
    shoot(page, "awards_register_projector")
    page.close()
