"""资金记录 in a real browser (issue 12 item 6): 忻府区's county administrator signs in,
picks 用途类别 偿还以往工程欠款 from the select (忻州 三(三)“配套资金……不得偿还以往工程欠款”)
with a harmless-looking note and is refused with the clause, then records 工程监理 with the
note “监理费（避免工程欠款）”, which the page lists. Kind 预拨资金, so the supervision pages'
money figures of the shared browser database stay as they were. Screenshots under
tests/artifacts/screenshots/funds-*.png."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ruralcore.store import db
from tests.login_support import browser_login, ensure_account, go

pytestmark = pytest.mark.browser


def _pick(page, label: str, option_start: str) -> list[str]:
    """Choose the option starting with ``option_start``; returns every option offered."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.get_by_role("combobox").click()
    offered = page.get_by_role("option").all_inner_texts()
    page.get_by_role("option").filter(has_text=option_start).first.click()
    return offered


def _fill(page, label: str, value: str) -> None:
    box = page.locator(f'[data-testid="{"stNumberInput" if label.startswith("金额") else "stTextInput"}"]') \
        .filter(has_text=label).first.locator("input")
    box.fill(value)
    box.press("Tab")


def test_fund_entry_refused_by_category_then_recorded(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    engine = db.get_engine(browser_db_url)
    admin = ensure_account(engine, "xinfu_finance", "county_admin", "140902")
    browser_login(page, app_url, admin)
    go(page, "资金记录")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')

    def count() -> int:
        with engine.connect() as c:
            return c.execute(sa.text("SELECT COUNT(*) FROM fund_entries WHERE note LIKE '%欠款%'")).scalar_one()

    before = count()
    _pick(page, "种类", "预拨资金")
    _pick(page, "来源类别", "县级财政预算安排的配套资金")
    uses = _pick(page, "用途类别", "偿还以往工程欠款")
    # the closed list of 三(二)–三(六), each with its clause; the forbidden one marked
    assert "偿还以往工程欠款（三(三)）——文件禁止" in uses and "工程监理（二(二)）" in uses and len(uses) == 7
    _fill(page, "金额（元）", "300000")
    _fill(page, "说明", "偿还2022年道路项目欠款")
    page.get_by_role("button", name="记录", exact=True).click()
    wait_idle(page)
    error = page.locator('[data-testid="stAlertContentError"]').first
    error.wait_for(timeout=60_000)
    assert "三(三)" in error.inner_text() and "偿还以往工程欠款" in error.inner_text()
    assert count() == before
    shoot(page, "funds-refused")

    _pick(page, "用途类别", "工程监理")
    _fill(page, "金额（元）", "20000")
    _fill(page, "说明", "监理费（避免工程欠款）")
    page.get_by_role("button", name="记录", exact=True).click()
    wait_idle(page)
    page.locator('[data-testid="stAlertContentSuccess"]').first.wait_for(timeout=60_000)
    assert count() == before + 1
    assert "已记录" in main.inner_text()
    no_errors(page)
    shoot(page, "funds-recorded")
