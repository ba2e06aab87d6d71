"""The county leading group's flow in a real browser: sign in, overview → township →
village; a township officer sees only its township (projector mode: test_projector.py). With
screenshots (tests/artifacts/screenshots/, README copies in docs/screenshots/)."""
from __future__ import annotations

import re

import pytest

from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor, visible_regions
from ruralcore.store import db
from ruralcore.store import regions as store_regions
from tests.browser.textscan import problems, visible_text
from tests.login_support import browser_login, ensure_account, go

pytestmark = pytest.mark.browser

ADMIN = "huayuan_admin"  # 花垣县 county administrator (also used by test_whatif_flow.py)
OFFICER = "huayuan_town01"  # 花垣镇 township officer


@pytest.fixture(scope="module")
def accounts(browser_db_url) -> None:
    eng = db.get_engine(browser_db_url)
    ensure_account(eng, ADMIN, "county_admin", "433124")
    ensure_account(eng, OFFICER, "township_officer", "433124T01")


def _signed_in(page, app_url, wait_idle, user: str = ADMIN, title: str = "县领导小组总览") -> None:
    """Sign in on 登录 and open the overview by its sidebar link (titled by the account's level)."""
    browser_login(page, app_url, user)
    go(page, "总览")
    page.locator("h1", has_text=title).wait_for(timeout=60_000)
    wait_idle(page)


def test_overview_to_village(page, app_url, browser_db_url, accounts, wait_idle, shoot, no_errors):
    regions = store_regions.load_regions(db.get_engine(browser_db_url), "huayuan-2019")
    town = regions[(regions["level"] == "township")].iloc[0]
    village = regions[(regions["parent"] == town["code"]) & (regions["level"] == "village")].iloc[0]

    _signed_in(page, app_url, wait_idle)
    assert page.locator("h1", has_text="县领导小组总览").is_visible()
    assert page.get_by_text("演示数据").first.is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 8  # 花垣: eight targets
    no_errors(page)
    shoot(page, "overview", readme=True)
    shoot(page, "overview-full", full_page=True)

    go(page, "逐级查看")
    wait_idle(page)
    assert page.locator("h1", has_text="逐级查看").is_visible()
    # "点击表格中的一行": the township's row, then the village's row (issue 13: this crashed)
    main = page.locator('[data-testid="stMain"]')
    _fits(page, main.locator("div.rc-box").first)
    main.locator("tr.rc-pick", has_text=town["name"]).first.click()
    page.get_by_text(f"{town['name']}：各村").wait_for(timeout=60_000)
    wait_idle(page)
    assert f"town={town['code']}" in page.url
    no_errors(page)
    _fits(page, main.locator("div.rc-box").first)
    shoot(page, "drilldown-township")

    main.locator("tr.rc-pick", has_text=village["name"]).first.click()
    page.locator("h3", has_text=village["name"]).wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("h3", has_text=village["name"]).is_visible()
    assert f"unit={village['code']}" in page.url  # the link reopens this village
    assert not problems(visible_text(page)), problems(visible_text(page))  # the village's page in Chinese
    assert page.locator('[data-testid="stMetric"]').filter(has_text="得分").count() == 1
    no_errors(page)
    shoot(page, "drilldown-village", readme=True)

    # the copied link reopens the village in this browser (the sign-in rides in a cookie)
    link = page.url
    page.goto(link)
    wait_idle(page)
    assert page.locator("h3", has_text=village["name"]).is_visible()
    no_errors(page)
    # ... and shows nothing of the county in a browser that has not signed in
    other = page.context.browser.new_context(viewport=page.viewport_size, locale="zh-CN")
    try:
        stranger = other.new_page()
        stranger.goto(link)
        stranger.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=60_000)
        wait_idle(stranger)
        assert stranger.locator("h3", has_text=village["name"]).count() == 0
        assert stranger.locator('[data-testid="stMetric"]').count() == 0
        assert stranger.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="逐级查看").count() == 0
    finally:
        other.close()


def test_drilldown_finds_a_village_by_name_and_climbs_back(page, app_url, browser_db_url, accounts, wait_idle,
                                                           no_errors):
    """按名称查找: typing part of a village's name lists it; picking it opens the village;
    ↑ 返回上一级 climbs to its township, whose row click opens another village."""
    regions = store_regions.load_regions(db.get_engine(browser_db_url), "huayuan-2019")
    villages = regions[regions["level"] == "village"].sort_index()
    target = villages.iloc[-1]
    town = regions.loc[target["parent"]]
    _signed_in(page, app_url, wait_idle)
    go(page, "逐级查看")
    wait_idle(page)
    box = page.get_by_role("combobox", name="按名称查找乡镇或村", exact=True)
    box.click()
    page.keyboard.type(target["name"][-6:])  # part of the name
    page.get_by_role("option", name=f"{target['name']}（{town['name']}）", exact=True).click()
    page.locator("h3", has_text=target["name"]).wait_for(timeout=60_000)
    wait_idle(page)
    assert f"unit={target['code']}" in page.url
    page.get_by_role("button", name="↑ 返回上一级").click()
    page.get_by_text(f"{town['name']}：各村").wait_for(timeout=60_000)
    wait_idle(page)
    other = villages[(villages["parent"] == town["code"]) & (villages.index != target["code"])].iloc[0]
    page.locator('[data-testid="stMain"] tr.rc-pick', has_text=other["name"]).first.click()
    page.locator("h3", has_text=other["name"]).wait_for(timeout=60_000)
    no_errors(page)


def _fits(page, box) -> None:
    """A table box lies inside the 1920-pixel window (no column cut off at the edge)."""
    box.wait_for(timeout=60_000)
    right = box.evaluate("e => e.getBoundingClientRect().right")
    inner = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert right <= page.viewport_size["width"] and inner[0] <= inner[1] + 1, (right, inner)


def test_township_officer_sees_only_its_township(page, app_url, browser_db_url, accounts, wait_idle, shoot,
                                                 no_errors):
    """Read scoping (issue 7): 花垣镇's officer signs in; the overview's tiles are its
    villages' roll-up, it compares its villages, and the ranking lists only them."""
    eng = db.get_engine(browser_db_url)
    prog = load_program("huayuan-2019")
    regions = store_regions.load_regions(eng, prog.id)
    _signed_in(page, app_url, wait_idle, OFFICER, title="乡镇总览")
    no_errors(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("本账户只看本辖区（花垣镇）").first.is_visible()
    assert main.locator("h3", has_text="各村对比").count() == 1
    assert main.locator("h3", has_text="各乡镇对比").count() == 0

    # the broadband tile: 花垣镇's Σ broadband households / Σ households, as stored now
    period = max(ov.periods(eng, prog.id))
    with eng.connect() as conn:
        seen = set(visible_regions(Actor("_", "township_officer", "433124T01"), conn))
    month = ov.load_month(eng, prog.id, period)
    want = ov.total_values(prog, month[month.index.isin(seen)])["home_broadband"]
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="家庭宽带接入率")
    assert tile.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == f"{want:.1f}%"

    # the ranking table: 花垣镇's villages only (its accessible mirror holds the cells)
    ours = regions[(regions["parent"] == "433124T01") & (regions["level"] == "village")]["name"]
    others = regions[(regions["parent"] == "433124T02") & (regions["level"] == "village")]["name"]
    # the grid renders only the rows in view, and other browser tests may have moved a village's
    # rank: some of ours are shown, none of another township's
    cells = page.locator('td[role="gridcell"]')
    assert any(cells.filter(has_text=n).count() for n in ours)
    assert not any(cells.filter(has_text=n).count() for n in others)
    assert main.get_by_text("名次为全县排名，仅显示本账户辖区的村").first.is_visible()
    shoot(page, "overview-township-officer")
    main.locator("h3", has_text="村排名").first.scroll_into_view_if_needed()
    wait_idle(page, settle=0.5)
    shoot(page, "overview-township-officer-ranking")


def test_city_walks_its_districts_one_level_at_a_time(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    """银川 (city → districts → villages): a city-wide account opens the districts, clicks one
    into its villages, one village into its detail, and climbs back up to the districts."""
    from tests.login_support import pick

    eng = db.get_engine(browser_db_url)
    who = ensure_account(eng, "yinchuan_city", "city_supervisor", "640100")
    regions = store_regions.load_regions(eng, "yinchuan-2017")
    district = regions[regions["level"] == "county"].sort_index().iloc[1]
    village = regions[(regions["parent"] == district.name) & (regions["level"] == "village")].sort_index().iloc[0]
    browser_login(page, app_url, who)
    pick(page, page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="方案", exact=True),
         load_program("yinchuan-2017").meta.short_title)
    wait_idle(page)
    go(page, "逐级查看")
    main = page.locator('[data-testid="stMain"]')
    page.locator("h3", has_text="全域：各县（区）").wait_for(timeout=60_000)
    wait_idle(page)
    _fits(page, main.locator("div.rc-box").first)
    shoot(page, "drilldown-city-districts")
    main.locator("tr.rc-pick", has_text=district["name"]).first.click()
    page.locator("h3", has_text=f"{district['name']}：各村").wait_for(timeout=60_000)
    wait_idle(page)
    assert f"area={district.name}" in page.url
    main.locator("tr.rc-pick", has_text=village["name"]).first.click()
    page.locator("h3", has_text=village["name"]).wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    shoot(page, "drilldown-city-village")
    main.get_by_role("button", name="↑ 返回上一级").click()
    page.locator("h3", has_text=f"{district['name']}：各村").wait_for(timeout=60_000)
    wait_idle(page)
    main.get_by_role("button", name="↑ 返回上一级").click()
    page.locator("h3", has_text="全域：各县（区）").wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
