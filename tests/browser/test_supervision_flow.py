"""The municipal supervision flow in a real browser, signed in first on the 登录 page: 忻州's
city supervisor goes from a red cell on the 县区评分 scorecard to the county's pilots that
pull it down, then to the pilot on 落后督办, in normal and projector mode; 忻府区's county
admin sees only its pilots and its scorecard row and is refused the city's circular; a
银川 district admin sees its district on 银川移民区. Screenshots under
tests/artifacts/screenshots/."""
from __future__ import annotations

import pytest

from ruralcore.app import supervision as sv
from ruralcore.rules.programs import load_program
from ruralcore.store import db
from tests.browser.textscan import problems, visible_text
from tests.login_support import PASSWORD, browser_login, ensure_account, go

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sup(browser_db_url):
    """The whole city's supervision result (what 忻州's city supervisor reads), as of the date
    the pages open on (the data's date for the newest month)."""
    data = sv.load_pilot_data(db.get_engine(browser_db_url), load_program("xinzhou-2023"))
    return sv.supervise(data, "2023-12", sv.default_as_of(data, "2023-12"))


def _table(page, index: int):
    """The ``index``-th row-click table of the page (dashboards.ui.htmltable)."""
    table = page.locator('[data-testid="stMain"] div.rc-box').nth(index)
    table.scroll_into_view_if_needed()
    return table


def _sign_in(page, app_url, browser_db_url, name: str, role: str, region: str, first_page: str, wait_idle) -> None:
    """Sign in on the 登录 page and open ``first_page`` by its sidebar link, as a user would."""
    browser_login(page, app_url, ensure_account(db.get_engine(browser_db_url), name, role, region))
    go(page, first_page)
    page.locator("h1", has_text=first_page).wait_for()
    wait_idle(page)


def _projector(page, wait_idle, on: bool) -> None:
    if on:
        page.locator('[data-testid="stSidebar"]').get_by_text("投影模式", exact=True).click()
        page.get_by_role("button", name="退出投影模式").wait_for(timeout=60_000)
    else:
        page.get_by_role("button", name="退出投影模式").click()
        page.locator('[data-testid="stSidebar"]').wait_for(timeout=60_000)
    wait_idle(page)


def test_red_cell_down_to_pilot(page, app_url, browser_db_url, sup, wait_idle, shoot, no_errors):
    card, lights = sup["scorecard"], sup["lights"]
    red = lights.index[(lights["on_time_rate"] == "red") & (card["county"] != sv.CITY)]
    assert len(red), "the demo has a county with a red on-time rate"
    row = int(red[0])
    county = card.loc[row]

    _sign_in(page, app_url, browser_db_url, "xinzhou_supervisor", "city_supervisor", "140900", "县区评分", wait_idle)
    assert page.locator("h1", has_text="县区评分").is_visible()
    no_errors(page)
    shoot(page, "supervision-scorecard")

    # click the county's red 按时报送率 cell
    heads = _table(page, 0).locator("thead th").all_inner_texts()
    cells = _table(page, 0).locator("tbody tr").nth(row).locator("td")
    assert cells.nth(heads.index("县（市、区）")).inner_text() == county["county_name"]
    cells.nth(heads.index("按时报送率（%）")).click()
    page.get_by_text(f"{county['county_name']}：试点明细").wait_for(timeout=60_000)
    wait_idle(page)
    assert f"county={county['county']}" in page.url and "metric=on_time_rate" in page.url
    assert page.get_by_text(f"{county['county_name']}：试点明细").is_visible()
    n_off = int(county["late"] + county["missing"])
    assert page.get_by_text(f"按时报送率：拉低该项的试点 {n_off} 个").is_visible()
    no_errors(page)
    shoot(page, "supervision-scorecard-county", full_page=True)

    board = sup["board"]
    pilots = board[(board["county"] == county["county"]) & (board["report"] != "on_time")]
    target = pilots.iloc[0]  # worst first, as the board sorts
    _table(page, 1).locator("tr.rc-pick").first.click()
    page.locator("h1", has_text="落后督办").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("h1", has_text="落后督办").is_visible()
    assert f"pilot={target['pilot']}" in page.url
    assert page.locator("h2", has_text=target["name"]).is_visible()
    assert page.locator("h3", has_text="滞后事项").is_visible()
    # it has a late or missing report this month: the page lists it, no all-clear
    assert (sup["behind"]["pilot"] == target["pilot"]).any()
    assert page.get_by_text("该试点没有逾期节点").count() == 0
    assert not problems(visible_text(page), {"xinzhou_supervisor"}), problems(visible_text(page), {"xinzhou_supervisor"})
    no_errors(page)
    shoot(page, "supervision-pilot", full_page=True)

    # the copied link opened in a new browser session goes to 登录 first, which names the
    # page that opens afterwards; signing in opens the linked pilot
    link = page.url
    other = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN").new_page()
    other.goto(link)
    main = other.locator('[data-testid="stMain"]')
    main.get_by_text("登录后将打开“落后督办”").wait_for(timeout=60_000)
    wait_idle(other)
    assert other.locator('[role="dialog"]').count() == 0
    assert main.get_by_text(target["name"]).count() == 0
    shoot(other, "supervision-link-signed-out")
    main.get_by_label("用户名").fill("xinzhou_supervisor")
    main.get_by_label("密码").fill(PASSWORD)
    main.get_by_role("button", name="登录").click()
    other.locator("h2", has_text=target["name"]).wait_for(timeout=60_000)
    wait_idle(other)
    no_errors(other)
    assert f"pilot={target['pilot']}" in other.url
    other.context.close()


def test_projector_mode_scorecard_and_pilot(page, app_url, browser_db_url, sup, wait_idle, shoot, no_errors):
    _sign_in(page, app_url, browser_db_url, "xinzhou_supervisor", "city_supervisor", "140900", "县区评分", wait_idle)
    _projector(page, wait_idle, on=True)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    title = page.locator("h1", has_text="县区评分")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    no_errors(page)
    shoot(page, "supervision-scorecard-projector")
    _projector(page, wait_idle, on=False)

    worst = sup["laggards"].iloc[0]
    go(page, "落后督办")
    page.locator("h1", has_text="落后督办").wait_for()
    wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="试点").last
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=f"{worst['county_name']} · {worst['name']}", exact=True).click()
    wait_idle(page)
    _projector(page, wait_idle, on=True)
    head = page.locator("h2", has_text=worst["name"])
    head.evaluate("e => e.scrollIntoView({block: 'start'})")  # the pilot's detail, not the list above
    page.wait_for_timeout(500)
    assert head.is_visible()
    no_errors(page)
    shoot(page, "supervision-pilot-projector")


def test_board_and_circular_pages(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    _sign_in(page, app_url, browser_db_url, "xinzhou_supervisor", "city_supervisor", "140900", "试点进度", wait_idle)
    no_errors(page)
    shoot(page, "supervision-board")
    go(page, "月度通报")
    page.get_by_role("button", name="下载通报（Word）").wait_for()
    wait_idle(page)
    no_errors(page)
    shoot(page, "supervision-circular")
    # a typed 文号 is shown as typed, never run as HTML (issue 15)
    payload = "<img src=x onerror=\"document.title='pwned'\">忻乡振办〔2023〕9号"
    box = page.get_by_label("文号", exact=True).and_(page.locator("input"))
    box.fill(payload)
    box.press("Enter")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(payload, exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("img[src='x']").count() == 0
    assert page.title() != "pwned"
    shoot(page, "supervision-circular-typed-html")


def test_county_admin_sees_its_county_only(page, app_url, browser_db_url, sup, wait_idle, shoot, no_errors):
    """忻府区's county admin: the board lists its pilots only, the scorecard its row (with the
    city-wide rank) and the city reference row, and the city's circular is refused."""
    mine = sup["board"][sup["board"]["county"] == "140902"]
    _sign_in(page, app_url, browser_db_url, "xinfu_admin", "county_admin", "140902", "试点进度", wait_idle)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("只显示xinfu_admin（县级管理员）管辖区域内的试点").is_visible()
    assert page.locator('[data-testid="stMetric"]').filter(has_text="试点").first.inner_text().endswith(f"{len(mine)}个")
    no_errors(page)
    shoot(page, "supervision-board-county-admin")

    go(page, "县区评分")
    page.locator("h1", has_text="县区评分").wait_for()
    wait_idle(page)
    rows = _table(page, 0).locator("tbody tr")
    assert rows.count() == 2  # 忻府区, 全市（参考）
    assert main.get_by_text(f"末行“{sv.CITY_REFERENCE}”为全市合计").is_visible()
    no_errors(page)
    shoot(page, "supervision-scorecard-county-admin")

    go(page, "月度通报")
    page.locator("h1", has_text="月度通报").wait_for()
    wait_idle(page)
    assert main.get_by_text("月度通报由市级印发").is_visible()
    assert page.get_by_role("button", name="下载通报（Word）").count() == 0
    shoot(page, "supervision-circular-county-admin")


def test_resettlement_district_admin(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    _sign_in(page, app_url, browser_db_url, "xingqing_admin", "county_admin", "640104", "银川移民区", wait_idle)
    main = page.locator('[data-testid="stMain"]')
    assert page.locator("h3", has_text="目标完成情况（兴庆区）").is_visible()
    assert main.get_by_text("项目资金由全市统筹安排").is_visible()
    no_errors(page)
    shoot(page, "supervision-resettlement", full_page=True)
