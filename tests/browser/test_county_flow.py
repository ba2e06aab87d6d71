"""The county leading group's flow in a real browser: overview → township → village,
in normal and projector mode, with screenshots (tests/artifacts/screenshots/, README
copies in docs/screenshots/)."""
from __future__ import annotations

import re

import pytest

from ruralcore.store import db
from ruralcore.store import regions as store_regions

pytestmark = pytest.mark.browser


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the Streamlit selectbox labelled ``label`` (a combobox)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_overview_to_village(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    regions = store_regions.load_regions(db.get_engine(browser_db_url), "huayuan-2019")
    town = regions[(regions["level"] == "township")].iloc[0]
    village = regions[(regions["parent"] == town["code"]) & (regions["level"] == "village")].iloc[0]

    page.goto(app_url)
    wait_idle(page)
    assert page.locator("h1", has_text="县领导小组总览").is_visible()
    assert page.get_by_text("演示数据").first.is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 8  # 花垣: eight targets
    no_errors(page)
    shoot(page, "overview", readme=True)
    shoot(page, "overview-full", full_page=True)

    page.get_by_role("link", name="逐级查看").click()
    wait_idle(page)
    assert page.locator("h1", has_text="逐级查看").is_visible()
    _pick(page, "乡镇", town["name"])
    wait_idle(page)
    assert page.get_by_text(f"{town['name']}：各村").is_visible()
    no_errors(page)
    shoot(page, "drilldown-township")

    _pick(page, "村", village["name"])
    wait_idle(page)
    assert page.locator("h3", has_text=village["name"]).is_visible()
    assert f"unit={village['code']}" in page.url  # the link reopens this village
    assert page.locator('[data-testid="stMetric"]').filter(has_text="得分").count() == 1
    no_errors(page)
    shoot(page, "drilldown-village", readme=True)

    # the copied link opens the same village in a new page
    page.goto(page.url)
    wait_idle(page)
    assert page.locator("h3", has_text=village["name"]).is_visible()


def test_projector_mode(page, app_url, wait_idle, shoot, no_errors):
    page.goto(f"{app_url}/?projector=1")
    wait_idle(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()  # sidebar hidden
    title = page.locator("h1", has_text="县领导小组总览")
    assert title.is_visible()
    size = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert size >= 48  # readable from the back of the room
    value = page.locator('[data-testid="stMetricValue"] p').first
    assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    no_errors(page)
    shoot(page, "projector", readme=True)

    page.get_by_text("幻灯片放映", exact=True).click()
    wait_idle(page)
    assert page.get_by_text(re.compile(r"第 1 / \d+ 页")).is_visible()
    page.get_by_role("button", name="下一页 ▶").click()
    wait_idle(page)
    assert page.get_by_text(re.compile(r"第 2 / \d+ 页")).is_visible()
    no_errors(page)
    shoot(page, "projector-slide")

    page.get_by_role("button", name="退出投影模式").click()
    wait_idle(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.get_by_role("button", name="退出投影模式").is_visible()
