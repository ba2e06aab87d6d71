"""Signing a test in: create an account on the test's database and start a session whose
token the pages read from st.session_state (dashboards.ui.auth.TOKEN_KEY)."""
from __future__ import annotations

import uuid

from dashboards.ui.auth import COOKIE
from ruralcore.auth import accounts
from ruralcore.kernel.principal import system

PASSWORD = "Xiang-2019-cun"
TOKEN_KEY = "auth_token"  # dashboards/ui/auth.py


def sign_in_token(eng, role: str = "county_admin", region: str = "433124", name: str | None = None) -> str:
    """A session token of a fresh account (role, region) on ``eng``."""
    name = name or f"t{uuid.uuid4().hex[:8]}"
    acc = accounts.get_account(eng, name)
    if acc is None:
        accounts.create_account(eng, name, role, region, PASSWORD, by=system("测试"))
    elif (acc["role"], acc["region"]) != (role, region):
        raise AssertionError(f"test account {name} exists as {acc['role']} {acc['region']}")
    return accounts.start_session(eng, accounts.authenticate(eng, name, PASSWORD))


def sign_in(at, eng, role: str = "county_admin", region: str = "433124", name: str | None = None):
    """Put a signed-in session into an AppTest (before its run); returns the AppTest."""
    at.session_state[TOKEN_KEY] = sign_in_token(eng, role, region, name)
    return at


def ensure_account(eng, name: str, role: str, region: str) -> str:
    """An account (name, role, region) with PASSWORD on ``eng``; returns the name."""
    acc = accounts.get_account(eng, name)
    if acc is None:
        accounts.create_account(eng, name, role, region, PASSWORD, by=system("测试"))
    return name


def browser_login(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the app's 登录 page (系统 section), as a user would (the app then
    opens 总览); the session stays signed in while the user moves on with the sidebar
    links (not page.goto)."""
    page.goto(base)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.first.wait_for(timeout=60_000)
    nav.get_by_role("link", name="登录", exact=True).click()
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").wait_for(timeout=60_000)
    main.get_by_label("用户名").fill(username)
    main.get_by_label("密码").fill(password)
    main.get_by_role("button", name="登录").click()
    # signed in, the app opens 总览 (or the page a link asked for): who is signed in shows in the sidebar
    page.locator('[data-testid="stSidebar"]').get_by_text(f"当前用户：{username}").first.wait_for(timeout=60_000)
    # the browser keeps the sign-in once the run has written the session cookie (a reload or a
    # copied link reads it): wait for it, so that a test may go on with page.goto
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=60_000)


def pick(page, combobox, option: str, tries: int = 3) -> None:
    """Open ``combobox`` (a Playwright locator of a Streamlit selectbox) and click
    ``option``. A rerun that redraws the box while it opens closes its list again: then
    close it and open it once more."""
    for attempt in range(tries):
        combobox.click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=15_000)
        except Exception:  # noqa: BLE001 — Playwright's TimeoutError: the list closed under us
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
            continue
        choice.click()
        return


def go(page, title: str) -> None:
    """Open a page by its sidebar link (keeps the signed-in session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()


def phone_go(page, title: str) -> None:
    """On a phone the sidebar is folded away: tap its » button, then the page's link."""
    page.locator('[data-testid="stExpandSidebarButton"]').tap()
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).tap()


def phone_login(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on a phone: signed out, the app opens its 登录 page; type, tap 登录."""
    page.goto(base)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").wait_for(timeout=60_000)
    main.get_by_label("用户名").tap()
    main.get_by_label("用户名").fill(username)
    main.get_by_label("密码").tap()
    main.get_by_label("密码").fill(password)
    main.get_by_role("button", name="登录").tap()
    main.get_by_label("用户名").wait_for(state="detached", timeout=60_000)
