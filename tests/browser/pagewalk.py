"""The page-text walk of one demo account, shared by test_page_text.py (the auditor, who
also reads every page under every programme) and test_page_text_roles.py (the other roles):
each page opened by its sidebar link and read, then shown on a projector by the sidebar's
switch, read again and left by 退出投影模式. What is read and allowed: tests/browser/textscan.py.
Screenshots in tests/artifacts/screenshots/text-<account>-<page>.png and …-投影.png. Two files,
so that the two pytest-xdist workers share the walk."""
from __future__ import annotations

from ruralcore.auth import accounts
from tests.browser.conftest import SHOTS
from tests.browser.textscan import NAMES, problems, projector_problems, table_text_px, visible_text
from tests.login_support import browser_login, pick

PUBLIC = {"登录", "政策文件与规则"}  # the same for everyone: read once, by the auditor
# pages whose tables each role that opens them sees on a projector (the size check is not vacuous)
TABLE_PAGES = {"逐级查看", "试点进度", "县区评分", "审计日志"}


def _titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]


def _read(page, wait_idle, where: str) -> list[str]:
    wait_idle(page, settle=0)
    errors = page.locator('[data-testid="stException"]')
    found = [f"{where}: exception box {errors.first.inner_text()[:200]}"] if errors.count() else []
    return found + [f"{where}: {p}" for p in problems(visible_text(page), NAMES)]


def _on_projector(page, wait_idle, where: str, shot: str, measured: dict) -> list[str]:
    """The page on a projector (the sidebar's switch), read, then back (退出投影模式)."""
    page.locator('[data-testid="stSidebar"]').get_by_text("投影模式", exact=True).click()
    page.get_by_role("button", name="退出投影模式").wait_for(timeout=60_000)
    found = _read(page, wait_idle, f"{where} · 投影") + [f"{where} · 投影: {p}" for p in projector_problems(page)]
    measured[where] = sum(kind == "table" for kind, _px in table_text_px(page))
    page.screenshot(path=shot)
    page.get_by_role("button", name="退出投影模式").click()
    page.locator('[data-testid="stSidebarNav"]').first.wait_for(timeout=60_000)
    return found


def _programmes(page) -> list[str]:
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="方案", exact=True)
    if not box.count():
        return []
    box.click()
    names = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def walk(browser, app_url, name: str, wait_idle) -> list[str]:
    """Every page ``name`` sees, in both modes: the problems found (empty when clean). A page
    with tables (TABLE_PAGES) must have had its table text measured on the projector."""
    found: list[str] = []
    measured: dict[str, int] = {}  # page → table cells measured on the projector
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    try:
        browser_login(page, app_url, name)
        titles = _titles(page)
        assert "总览" in titles and "登录" in titles, (name, titles)
        for title in titles:
            if title in PUBLIC and name != accounts.DEMO_AUDITOR:
                continue
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
            page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60_000)
            found += _read(page, wait_idle, f"{name} · {title}")
            page.screenshot(path=str(SHOTS / f"text-{name}-{title}.png"))
            found += _on_projector(page, wait_idle, f"{name} · {title}", str(SHOTS / f"text-{name}-{title}-投影.png"),
                                   measured)
            if name != accounts.DEMO_AUDITOR:
                continue
            programmes = _programmes(page)  # the auditor reads them all: each one's view of the page
            box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="方案", exact=True)
            for programme in programmes[1:]:
                pick(page, box, programme)
                found += _read(page, wait_idle, f"{name} · {title} · {programme}")
            if programmes:  # back to the first, for the next page
                pick(page, box, programmes[0])
                wait_idle(page, settle=0)
    finally:
        ctx.close()
    unmeasured = [w for w, n in measured.items() if w.split(" · ")[1] in TABLE_PAGES and not n]
    return found + [f"{w}: 投影模式下没有量到表格文字" for w in unmeasured]
