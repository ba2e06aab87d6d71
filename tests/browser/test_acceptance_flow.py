"""An inspector's acceptance of a 融水 station in a real browser, signed in first on the
登录 page (融水's inspector account; steps are recorded under its name): the checklist with 信息墙
missing shows the failing item and its clause, a pass is refused with the clause, the
item is fixed, the case passes and is accepted by the city. 花垣's inspector is offered
neither 融水's programme nor its cases. Screenshots under
tests/artifacts/screenshots/acceptance-*.png."""
from __future__ import annotations

import datetime as dt

import pytest

from ruralcore.app import cases
from ruralcore.store import db
from tests.acceptance.helpers import add_station
from tests.login_support import browser_login, ensure_account, go
from ruralcore.kernel.principal import system

pytestmark = pytest.mark.browser


def _pick(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.get_by_role("combobox").click()  # this Streamlit draws a react-aria combobox
    page.get_by_role("option", name=option, exact=True).click()


def _set_date(page, label: str, value: str) -> None:
    """Type into the segmented (react-aria) date field: year, month, day, then leave it."""
    box = page.locator('[data-testid="stDateInput"]').filter(has_text=label).first
    y, m, d = value.split("-")
    box.locator('[data-type="year"]').click()
    page.keyboard.type(y)
    box.locator('[data-type="month"]').click()
    page.keyboard.type(m)
    box.locator('[data-type="day"]').click()
    page.keyboard.type(d)
    page.keyboard.press("Enter")  # commits the value
    page.keyboard.press("Escape")  # closes the calendar pop-up
    page.locator('[data-testid="stMain"] h1').click()  # leave the field


def _set_number(page, label: str, value: int) -> None:
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text=label).first.locator("input")
    box.fill(str(value))
    box.press("Enter")


def test_station_acceptance_with_refusal_and_fix(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    engine = db.get_engine(browser_db_url)
    number = add_station(engine, village="验收演示村")
    case = cases.open_case(engine, "rongshui-2019", "station", number, dt.date(2019, 9, 27), system("录入员"),
                           inspectors="张三、李四")
    cases.record_application(engine, case["id"], dt.date(2019, 10, 10), system("录入员"), case["version"])

    inspector = ensure_account(engine, "rongshui_inspector", "inspector", "450225")
    browser_login(page, app_url, inspector)
    go(page, "验收案件")
    wait_idle(page)
    _pick(page, "方案", "融水县信息进村入户整县推进")
    wait_idle(page)
    _set_date(page, "计算期限的日期", "2019-10-15")
    page.get_by_text("截至 2019年10月15日").wait_for()
    wait_idle(page)
    assert page.locator("h1", has_text="验收案件").is_visible()
    assert page.locator('[data-testid="stMetric"]').filter(has_text="逾期").count() == 1
    no_errors(page)
    shoot(page, "acceptance-cases", readme=True)

    # the new case is due for inspection on 2019-10-30: 11 working days left on 2019-10-15
    row = page.locator('[data-testid="stDataFrame"]')
    assert row.count() == 1
    _pick(page, "打开案件进行检查", f"案件{case['id']}：验收演示村（标准站）")
    wait_idle(page)
    page.get_by_role("button", name="打开验收检查").click()
    page.locator("h1", has_text="验收检查").wait_for()
    wait_idle(page)
    shoot(page, "acceptance-check-open")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="验收案件").first
    assert box.get_by_role("combobox").input_value().startswith(f"案件{case['id']}：")
    # the initial inspection is due 15 working days after 2019-10-10
    assert page.locator('[data-testid="stMetric"]').filter(has_text="期限").first.inner_text().find("2019年10月30日") >= 0
    _set_date(page, "检查日期", "2019-10-15")
    wait_idle(page)
    no_errors(page)

    _set_number(page, "益农信息社信息墙", 0)
    wait_idle(page)
    failing = page.get_by_text("益农信息社信息墙（附件2 序号4）：现有0，应至少1")
    assert failing.is_visible()
    shoot(page, "acceptance-check-failing", readme=True)

    page.get_by_role("button", name="检查合格").click()
    wait_idle(page)
    refusal = page.get_by_text("必备项“益农信息社信息墙”（附件2 序号4）不合格，不能记为验收合格")
    assert refusal.is_visible()
    refusal.scroll_into_view_if_needed()
    shoot(page, "acceptance-refused")
    assert cases.get_case(engine, case["id"])["state"] == "applied"

    _set_number(page, "益农信息社信息墙", 1)
    wait_idle(page)
    assert page.get_by_text("检查表各必备项均合格").is_visible()
    page.get_by_role("button", name="检查合格").click()
    wait_idle(page)
    passed = page.get_by_text("已记录初检合格（2019年10月15日）")
    assert passed.is_visible()
    passed.scroll_into_view_if_needed()
    no_errors(page)
    shoot(page, "acceptance-passed")

    _set_date(page, "市级验收认定日期", "2019-11-01")
    wait_idle(page)
    page.get_by_role("button", name="记录市级验收认定").click()
    wait_idle(page)
    assert page.get_by_text("已记录市级验收认定（2019年11月1日）").is_visible()
    no_errors(page)
    shoot(page, "acceptance-accepted", full_page=True)
    done = cases.get_case(engine, case["id"])
    assert done["state"] == "accepted" and done["inspected_on"] == dt.date(2019, 10, 15)
    log = cases.case_audit(engine, case["id"])
    steps = log[log["field"] == "state"]
    # the application was set up as 录入员; the page's pass and city acceptance are the signed-in account's
    assert list(zip(steps["new"], steps["user"]))[-2:] == [("passed", inspector), ("accepted", inspector)]


def test_other_county_inspector_sees_only_its_county(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    """花垣's inspector is not offered 融水's programme, so no 融水 case (not even to look
    at); its case list and the subjects it may open a case for are 花垣's only. The store
    refusing a 融水 write is tested in tests/acceptance/test_pages_login.py."""
    engine = db.get_engine(browser_db_url)
    number = add_station(engine, village="越权演示村")
    case = cases.open_case(engine, "rongshui-2019", "station", number, dt.date(2019, 9, 27), system("录入员"))
    who = ensure_account(engine, "huayuan_inspector", "inspector", "433124")
    browser_login(page, app_url, who)
    go(page, "验收案件")
    wait_idle(page)
    assert page.locator("h1", has_text="验收案件").is_visible()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="方案").first
    assert box.get_by_role("combobox").input_value() == "花垣县移动信息化示范村"
    box.get_by_role("combobox").click()
    names = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    assert names == ["花垣县移动信息化示范村"]  # 融水 and 忻州 are not offered
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("越权演示村").count() == 0 and main.get_by_text(f"案件{case['id']}：").count() == 0
    page.get_by_text("新建验收案件").click()
    wait_idle(page)
    subj = page.locator('[data-testid="stSelectbox"]').filter(has_text="验收对象").first
    subj.get_by_role("combobox").click()
    offered = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    assert offered and all("（433124" in o for o in offered)  # 花垣's villages only
    assert number not in " ".join(offered)
    page.locator('[data-testid="stMain"] h1').click()  # leave the list: no focus ring in the shot
    wait_idle(page)
    no_errors(page)
    shoot(page, "acceptance-scope-other-county")
