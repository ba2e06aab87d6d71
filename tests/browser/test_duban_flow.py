"""督办 in a real browser (issue 16): 忻州's city supervisor opens a 忻府区 laggard on 落后督办,
sees its 包点领导, issues a notice on Friday 27 September 2024 with 5 working days to reply
(due Thursday 10 October: Sunday 29 September is a make-up working day, 1–7 October are
国庆); 忻府区's county admin signs in, sees 1 working day left on 9 October and replies;
the supervisor sees it answered on time and closes it. The days left are read on the
page on the days the test sets (办理日期), across the holiday. Screenshots under
tests/artifacts/screenshots/."""
from __future__ import annotations

import pytest

from ruralcore.app import supervision as sv
from ruralcore.rules.programs import load_program
from ruralcore.store import db
from tests.browser.test_acceptance_flow import _pick, _set_date
from tests.browser.textscan import problems, visible_text
from tests.login_support import browser_login, ensure_account, go

pytestmark = pytest.mark.browser
DAY = "办理日期（年/月/日）"


@pytest.fixture(scope="module")
def pilot(browser_db_url):
    """忻府区's laggard the test supervises (the worst one)."""
    data = sv.load_pilot_data(db.get_engine(browser_db_url), load_program("xinzhou-2023"))
    res = sv.supervise(data, "2023-12", sv.default_as_of(data, "2023-12"))
    lag = res["laggards"]
    mine = lag[lag["pilot"].map(res["board"].set_index("pilot")["county"]) == "140902"]
    assert len(mine), "the demo has a laggard in 忻府区"
    return mine.iloc[0]


def _open(page, app_url, browser_db_url, name, role, region, pilot, day, wait_idle):
    browser_login(page, app_url, ensure_account(db.get_engine(browser_db_url), name, role, region))
    go(page, "落后督办")
    page.locator("h1", has_text="落后督办").wait_for()
    wait_idle(page)
    _set_date(page, DAY, day)
    wait_idle(page)
    _pick(page, "试点", f"{pilot['county_name']} · {pilot['name']}")
    page.locator("h2", has_text=pilot["name"]).wait_for()
    wait_idle(page)


def _day(page, value: str, wait_idle) -> None:
    _set_date(page, DAY, value)
    wait_idle(page)


def _notice_head(page, number: str):
    return page.locator('[data-testid="stExpander"] summary').filter(has_text=number).first


def _shot(page, shoot, name: str, number: str) -> None:
    _notice_head(page, number).evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    shoot(page, name)


def test_issue_reply_close_across_the_national_day(browser, page, app_url, browser_db_url, pilot, wait_idle, shoot,
                                                   no_errors):
    main = page.locator('[data-testid="stMain"]')
    _open(page, app_url, browser_db_url, "duban_city", "city_supervisor", "140900", pilot, "2024-09-27", wait_idle)
    # the laggard list and the pilot name the responsible leader (三(二) 包点领导责任清单)
    assert main.get_by_text("包点领导：忻府区人民政府 · 演示·").first.is_visible()
    assert main.locator("th", has_text="包点领导").count() >= 1
    form = main.locator('[data-testid="stForm"]').filter(has_text="下发督办通知").first
    assert "逾期" in form.get_by_label("督办事由").input_value() or "报" in form.get_by_label("督办事由").input_value()
    assert form.get_by_label("答复期限（工作日）", exact=True).input_value() == "5"
    assert main.get_by_text("默认答复期限5个工作日：文件未规定，系统默认。").is_visible()
    form.get_by_role("button", name="下发督办通知").click()
    main.get_by_text("已下发 忻乡振督〔2024〕").wait_for()
    wait_idle(page)
    number = main.get_by_text("已下发 忻乡振督〔2024〕").inner_text().split(" ")[1].split("，")[0]
    assert "2024年10月10日前答复" in main.get_by_text("已下发 忻乡振督〔2024〕").inner_text()
    head = _notice_head(page, number)
    assert "已下发待答复" in head.inner_text() and "剩余5个工作日" in head.inner_text()
    no_errors(page)
    _shot(page, shoot, "duban-issued", number)
    # 3 October, inside the holiday: still 3 working days (8, 9, 10 October)
    _day(page, "2024-10-03", wait_idle)
    assert "剩余3个工作日" in _notice_head(page, number).inner_text()
    assert problems(visible_text(page), {"duban_city"}) == []
    _shot(page, shoot, "duban-holiday", number)

    # the county addressed signs in on 9 October, sees one working day left and replies
    ctx = browser.new_context(viewport=page.viewport_size, locale="zh-CN", timezone_id="Asia/Shanghai")
    county = ctx.new_page()
    county.set_default_timeout(60_000)
    _open(county, app_url, browser_db_url, "duban_xinfu", "county_admin", "140902", pilot, "2024-10-09", wait_idle)
    cmain = county.locator('[data-testid="stMain"]')
    assert cmain.get_by_role("button", name="下发督办通知").count() == 1  # it may notify its townships
    chead = _notice_head(county, number)
    assert "剩余1个工作日" in chead.inner_text()
    reply = cmain.locator('[data-testid="stForm"]').filter(has_text="整改措施").first
    reply.get_by_label("整改措施").fill("已召开专题调度会，10月底前完成方案备案并补报月报。")
    reply.get_by_label("附件名称（多个用顿号分隔）").fill("整改方案.pdf")
    reply.get_by_role("button", name="提交答复").click()
    cmain.get_by_text(f"已提交答复：{number}").wait_for()
    wait_idle(county)
    assert "已答复待办结" in _notice_head(county, number).inner_text()
    assert "按期答复" in _notice_head(county, number).inner_text()
    assert cmain.get_by_role("button", name="办结").count() == 0  # only the issuer closes
    no_errors(county)
    _shot(county, shoot, "duban-replied-county", number)
    ctx.close()

    # the supervisor, on 11 October, reads the reply and closes the notice
    _day(page, "2024-10-11", wait_idle)  # the page reads the notices again
    h = _notice_head(page, number)
    assert "已答复待办结" in h.inner_text() and "按期答复" in h.inner_text()
    assert main.get_by_text("已召开专题调度会").first.is_visible()
    main.locator('[data-testid="stForm"]').filter(has_text="退回意见").first.get_by_role("button", name="办结").click()
    main.get_by_text(f"已办结：{number}").wait_for()
    wait_idle(page)
    assert "已办结" in _notice_head(page, number).inner_text()
    table = main.locator("table").filter(has_text=number).first
    assert "已办结" in table.inner_text()
    no_errors(page)
    _shot(page, shoot, "duban-closed", number)

    # 总览's 到期预警: a line per dated target and the chosen region's projection chart
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link").filter(has_text="总览").first.click()
    page.locator("h3", has_text="到期预警").wait_for()
    wait_idle(page)
    page.locator("h3", has_text="到期预警").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    assert main.get_by_text("文件未规定，系统默认").first.is_visible()
    no_errors(page)
    chart = main.locator('.st-key-fig_warn')  # the projection chart (st.plotly_chart key)
    chart.wait_for(timeout=120_000)
    wait_idle(page)
    chart.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    no_errors(page)
    shoot(page, "duban-overview-warning")
