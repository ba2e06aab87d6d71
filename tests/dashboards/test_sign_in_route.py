"""Signing in through the app (dashboards/app.py route): every page keeps its URL path
(总览 the root, 登录 /login), so a signed-out visitor who opens a page that needs sign-in
(a copied link, or the root) is taken to 登录, which says which page opens afterwards; once
signed in, that page opens with the link's query. Public pages stay open signed out.
(Review defect 1: /login used to be unknown signed out, with Streamlit's English dialog.)"""
from __future__ import annotations

import re

from tests.login_support import PASSWORD, ensure_account
from ruralcore.kernel.principal import system

DRILL = "county/drilldown.py"


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _titles(at) -> list[str]:
    return [t.value for t in at.title]


def _sign_in(at, name: str):
    at.text_input(key="login_username").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def test_the_root_signed_out_opens_the_login_form_with_no_page_to_return_to(app_test):
    at = app_test(login=None)
    _clean(at)
    assert _titles(at) == ["登录"] and at.text_input(key="login_username")
    assert not any("登录后将打开" in i.value for i in at.info)
    assert not at.metric and not at.dataframe  # nothing of the overview


def test_a_link_signed_out_goes_to_login_then_to_the_linked_page(app_test, demo_engine):
    who = ensure_account(demo_engine, "route_admin", "county_admin", "433124")
    at = app_test(login=None).switch_page(DRILL)
    at.query_params["program"], at.query_params["town"] = "huayuan-2019", "433124T01"
    _clean(at.run())
    assert _titles(at) == ["登录"]
    assert any("登录后将打开“逐级查看”" in i.value for i in at.info)
    assert not at.dataframe
    at.query_params.clear()  # the browser is now on /login, no query (AppTest does not follow)
    at.switch_page("admin/login.py").run()
    assert any("登录后将打开“逐级查看”" in i.value for i in at.info)
    _sign_in(at, who)
    _clean(at)
    assert _titles(at)[0].startswith("逐级查看")
    assert at.query_params["town"] == "433124T01"  # the link's query, restored
    assert any("花垣镇" in s.value for s in at.subheader)


def test_public_pages_stay_open_signed_out(app_test):
    at = app_test(login=None, page="policy/programs.py")
    _clean(at)
    assert _titles(at) == ["政策文件与规则"]
    at = app_test(login=None, page="admin/login.py")
    _clean(at)
    assert _titles(at) == ["登录"] and not any("登录后将打开" in i.value for i in at.info)


def test_signing_out_goes_to_login_with_no_page_to_return_to(app_test):
    at = app_test(program="huayuan-2019", page=DRILL, login=("county_admin", "433124"))
    _clean(at)
    assert _titles(at)[0].startswith("逐级查看")
    at.sidebar.button(key="auth_logout").click().run()
    _clean(at)
    assert _titles(at) == ["登录"]
    assert not any("登录后将打开" in i.value for i in at.info)


def test_signing_in_from_the_bare_root_opens_the_overview(app_test, demo_engine):
    """No page asked for (the bare root, or 登录 opened by itself): 总览 opens after signing
    in, not the login form again; an initial password is recalled in the sidebar."""
    from ruralcore.auth import accounts

    who = ensure_account(demo_engine, "root_admin", "county_admin", "433124")
    accounts.set_password(demo_engine, who, PASSWORD, by=system("测试"), must_change_password=True)
    at = app_test(login=None)
    assert _titles(at) == ["登录"]
    assert "数字乡村建设看板" in [m.value for m in at.markdown if "####" in m.value][0]  # the product, named
    _sign_in(at, who)
    _clean(at)
    assert _titles(at)[0].endswith("总览"), _titles(at)
    assert any("仍在使用初始密码" in c.value for c in at.sidebar.caption)


def test_an_unexpected_error_shows_one_chinese_sentence_with_an_incident_number(app_test, monkeypatch, caplog):
    """The router's error boundary: a page that breaks shows a Chinese sentence and an
    incident number; the traceback is in the server log under that number, not on the page."""
    import ruralcore.app.overview

    def broken(*_a, **_k):
        raise ZeroDivisionError("division by zero in a page")

    at = app_test(program="huayuan-2019", page=DRILL, login=("county_admin", "433124"))
    monkeypatch.setattr(ruralcore.app.overview, "compare_table", broken)
    with caplog.at_level("ERROR", logger="ruralcore.dashboards"):
        at.run()
    assert not at.exception
    [err] = [e.value for e in at.error]
    number = re.search(r"事件编号 (\d{8}-[0-9A-F]{6})", err).group(1)
    assert "页面出现意外错误" in err and "Traceback" not in err and "division" not in err
    logged = [r for r in caplog.records if number in r.getMessage()]
    assert logged and logged[0].exc_info[0] is ZeroDivisionError
