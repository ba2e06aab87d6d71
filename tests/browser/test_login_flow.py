"""Browser: signed out, the sidebar offers only 登录 and 政策文件与规则; a township officer
signs in (a wrong password refused first), sees exactly its role's pages (no 市级督导, no
审计日志), corrects its own township's monthly value (saved and audited under its name), is not
offered another township's village (nothing written), and signs out again.

Runs on the shared browser app and demo database (tests/browser/conftest.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboards.page_list import PAGES
from ruralcore.auth import pages
from ruralcore.auth.scope import PAGE_ROLES, PUBLIC_PAGES
from ruralcore.store import audit, db, reports
from ruralcore.store import regions as store_regions
from tests.login_support import PASSWORD, ensure_account, go

USER = "xiang_officer"
OWN, OTHER = "433124T01001", "433124T02001"  # villages of 花垣镇 and 边城镇
PERIOD = "2019-11"
HY = "huayuan-2019"


def _titles(role: str | None, programs: list[str] | None = None) -> set[str]:
    """Sidebar titles the role may open, from the app's page list, less the pages that
    apply to none of the account's ``programs`` (ruralcore.auth.pages; None: every programme)."""
    return {title for _s, path, title, _i, key in PAGES
            if key in PUBLIC_PAGES or (role is not None and role in PAGE_ROLES[key]
                                       and pages.applies(Path(path).stem, programs))}


def _sidebar(page) -> set[str]:
    # a link's text is its material icon name (e.g. "login") and its title: keep the title
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    return {re.sub(r"^[a-z_]+\s*", "", t.strip()) for t in links.all_inner_texts()}


@pytest.fixture(scope="module")
def officer(browser_db_url) -> str:
    return ensure_account(db.get_engine(browser_db_url), USER, "township_officer", "433124T01")


def _value(url: str, region: str, field: str) -> float:
    r = reports.load_reports(db.get_engine(url), "huayuan-2019", [PERIOD])
    return float(r[(r["region"] == region) & (r["field"] == field)]["value"].iat[0])


def _name(url: str, code: str) -> str:
    return str(store_regions.load_regions(db.get_engine(url), "huayuan-2019").at[code, "name"])


def _village_options(page) -> list[str]:
    """The villages 月报更正 offers (its 村 selectbox), read by opening the list."""
    page.get_by_role("combobox", name="村", exact=True).click()
    names = [t.strip() for t in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def _save(page, wait_idle, village: str, value: int) -> None:
    main = page.locator('[data-testid="stMain"]')
    page.get_by_role("combobox", name="村", exact=True).click()
    page.get_by_role("option", name=village, exact=True).click()
    wait_idle(page)
    main.locator('input[aria-label^="新数值"]').fill(str(value))
    main.get_by_label("更正事由（必填，记入审计日志）").fill("按纸质台账更正（浏览器测试）")
    main.get_by_role("button", name="保存").click()
    wait_idle(page)


def test_township_officer_signs_in_sees_its_pages_and_edits_only_its_township(
        page, app_url, browser_db_url, officer, wait_idle, shoot):
    page.goto(app_url)
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    assert _sidebar(page) == {"登录", "政策文件与规则"} == _titles(None)
    assert "市级督导" not in page.locator('[data-testid="stSidebarNav"]').inner_text()
    shoot(page, "login-signed-out")

    main.get_by_label("用户名").fill(officer)
    main.get_by_label("密码").fill("wrong-password")
    main.get_by_role("button", name="登录").click()
    wait_idle(page)
    assert "用户名或密码错误" in main.inner_text()
    assert _sidebar(page) == {"登录", "政策文件与规则"}
    main.get_by_label("用户名").fill(officer)
    main.get_by_label("密码").fill(PASSWORD)
    main.get_by_role("button", name="登录").click()
    wait_idle(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    shown = _sidebar(page)
    assert shown == _titles("township_officer", [HY])
    assert {"总览", "数据填报", "月报更正", "一户一档"} <= shown
    assert not {"试点进度", "县区评分", "落后督办", "月度通报", "审计日志", "账户管理", "验收案件"} & shown
    assert "市级督导" not in nav.inner_text()
    assert f"当前用户：{officer}（乡镇干部，区域 433124T01）" in page.locator('[data-testid="stSidebar"]').inner_text()
    shoot(page, "login-signed-in")

    go(page, "月报更正")
    wait_idle(page)
    assert "月报更正" in main.inner_text()
    field = "natural_villages"  # the first field of the 花垣 programme (the form's default)
    other_before = _value(browser_db_url, OTHER, field)
    n_audit = len(audit.load_audit(db.get_engine(browser_db_url)))

    # one more natural village: the denominator grows, so the month stays consistent for the
    # other browser tests on this database (a smaller one would leave numerators above it)
    new = int(_value(browser_db_url, OWN, field)) + 1
    _save(page, wait_idle, _name(browser_db_url, OWN), new)
    assert "已保存" in main.inner_text(), main.inner_text()
    assert _value(browser_db_url, OWN, field) == new
    log = audit.load_audit(db.get_engine(browser_db_url))
    assert len(log) > n_audit and set(log["user"].iloc[n_audit:]) == {officer}
    shoot(page, "login-own-township-saved")

    # another township's village is not even offered (the store refuses it: tests/accounts)
    offered = _village_options(page)
    assert _name(browser_db_url, OWN) in offered and _name(browser_db_url, OTHER) not in offered
    assert _value(browser_db_url, OTHER, field) == other_before
    shoot(page, "login-other-township-not-offered")

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    wait_idle(page)
    assert _sidebar(page) == {"登录", "政策文件与规则"}
    shoot(page, "login-signed-out-again")


def test_auditor_sees_every_section_but_account_management(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    from tests.login_support import browser_login

    who = ensure_account(db.get_engine(browser_db_url), "demo_auditor", "auditor", "")
    browser_login(page, app_url, who)
    wait_idle(page)
    shown = _sidebar(page)
    assert shown == _titles("auditor")
    assert {"试点进度", "验收案件", "审计日志", "一户一档"} <= shown and "账户管理" not in shown
    go(page, "审计日志")
    wait_idle(page)
    no_errors(page)
    assert "共 " in page.locator('[data-testid="stMain"]').inner_text()
    shoot(page, "login-auditor-audit-log")


def test_reload_and_a_copied_link_keep_the_sign_in_until_signing_out(page, app_url, browser_db_url, wait_idle,
                                                                     shoot, no_errors):
    """The session token rides in a browser cookie: a reload (F5 in the meeting room) or a
    link opened in the same browser stays signed in; signing out clears it."""
    from tests.login_support import browser_login

    who = ensure_account(db.get_engine(browser_db_url), "reload_admin", "county_admin", "433124")
    browser_login(page, app_url, who)
    wait_idle(page)
    cookie = {c["name"]: c for c in page.context.cookies()}.get("ruralcore_session")
    assert cookie and cookie["sameSite"] == "Strict" and cookie["expires"] == -1  # ends with the browser
    side = page.locator('[data-testid="stSidebar"]')
    page.reload()
    wait_idle(page)
    no_errors(page)
    assert f"当前用户：{who}" in side.inner_text()
    assert _sidebar(page) == _titles("county_admin", [HY])
    assert not {"试点进度", "银川移民区", "月度通报"} & _sidebar(page)  # no pilots, no resettlement in 花垣

    page.goto(f"{app_url}/drilldown?program=huayuan-2019")  # a copied link, same browser
    wait_idle(page)
    no_errors(page)
    assert f"当前用户：{who}" in side.inner_text()
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("逐级查看")
    shoot(page, "login-copied-link-signed-in")

    side.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    page.reload()
    wait_idle(page)
    assert "当前用户" not in side.inner_text()
    assert _sidebar(page) == {"登录", "政策文件与规则"}
    assert "ruralcore_session" not in {c["name"] for c in page.context.cookies()}


def _fill_and_sign_in(main, who: str) -> None:
    """The login form on the page: name, password, 登录."""
    main.get_by_label("用户名").fill(who)
    main.get_by_label("密码").fill(PASSWORD)
    main.get_by_role("button", name="登录").click()


def test_a_link_opened_signed_out_leads_there_after_signing_in(page, app_url, browser_db_url, wait_idle, shoot,
                                                                no_errors):
    """A colleague's copied link, opened in a browser that has not signed in: the login page
    first, saying which page opens afterwards, then the linked page with the link's
    programme and township."""
    who = ensure_account(db.get_engine(browser_db_url), "link_admin", "county_admin", "433124")
    page.goto(f"{app_url}/drilldown?program=huayuan-2019&town=433124T01")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("登录后将打开“逐级查看”").wait_for(timeout=60_000)  # 登录, not “Page not found”
    wait_idle(page)
    assert page.locator('[role="dialog"]').count() == 0
    assert page.url.split("?")[0].endswith("/login")
    assert main.locator('[data-testid="stDataFrame"]').count() == 0  # nothing of the county yet
    assert _sidebar(page) == {"登录", "政策文件与规则"}
    shoot(page, "login-link-signed-out")
    _fill_and_sign_in(main, who)
    page.locator("h1", has_text="逐级查看").wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    assert "town=433124T01" in page.url
    assert page.get_by_text("花垣镇：各村").is_visible()
    shoot(page, "login-link-after-sign-in")


@pytest.mark.parametrize("path", ["/login", "/"])
def test_login_and_the_root_signed_out_show_the_login_form_without_a_dialog(page, app_url, wait_idle, shoot,
                                                                            no_errors, path):
    """/login is always the login page (it was unknown signed out, with Streamlit's English
    “Page not found” dialog over the form); the root (总览) goes to it."""
    page.goto(app_url + path)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    assert page.locator('[role="dialog"]').count() == 0
    assert page.url.split("?")[0].endswith("/login")
    assert main.get_by_label("密码").is_visible() and main.get_by_role("button", name="登录").is_visible()
    assert main.get_by_text("登录后将打开").count() == 0
    assert _sidebar(page) == {"登录", "政策文件与规则"}
    shoot(page, {"/login": "login-url-login-signed-out", "/": "login-url-root-signed-out"}[path])


def test_signing_in_from_the_root_opens_the_overview(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    """The address typed by hand (the bare root, signed out) goes to 登录; signing in there
    opens 总览 at the root, not 登录 again with “已登录”."""
    who = ensure_account(db.get_engine(browser_db_url), "root_admin", "county_admin", "433124")
    page.goto(app_url + "/")
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").wait_for(timeout=60_000)
    wait_idle(page)
    _fill_and_sign_in(main, who)
    page.locator("h1", has_text="总览").wait_for(timeout=60_000)
    wait_idle(page)
    no_errors(page)
    assert not page.url.split("?")[0].endswith("/login")
    assert main.get_by_text("已登录：").count() == 0
    shoot(page, "login-root-after-sign-in")
