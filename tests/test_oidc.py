"""OpenID Connect sign-in (ruralcore.auth.oidc): a provider identity maps to the active
account of the same user name and becomes an ordinary, expiring session."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ruralcore.auth import accounts, oidc
from ruralcore.auth.accounts import SECURITY, SessionExpired
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.store import db
from ruralcore.kernel.principal import system

PW = "Xiang-2019-cun"


@pytest.fixture
def eng(tmp_path):
    e = db.get_engine(f"sqlite:///{tmp_path / 'o.db'}")
    accounts.create_account(e, "wang.li", "township_officer", "433124T01", PW, by=system("测试"))
    accounts.create_account(e, "zhao", "inspector", "450225", PW, by=system("测试"))
    return e


def test_preferred_username_first_then_email():
    assert oidc.username_of({"preferred_username": "zhao", "email": "z@x"}) == "zhao"
    assert oidc.username_of({"preferred_username": " ", "email": "z@x"}) == "z@x"
    assert oidc.username_of({"sub": "123"}) is None


def test_identity_maps_to_the_account_with_its_role_and_region(eng):
    actor = oidc.actor_for(eng, {"preferred_username": "wang.li", "email": "wl@example.gov.cn", "sub": "abc"})
    assert (actor.name, actor.role, actor.region) == ("wang.li", "township_officer", "433124T01")


@pytest.mark.parametrize("claims, words", [
    ({"sub": "only-a-subject"}, "没有提供用户名"),
    ({"preferred_username": "stranger"}, "没有账户"),
])
def test_unknown_identity_is_refused_in_chinese(eng, claims, words):
    with pytest.raises(PermissionDenied, match=words):
        oidc.actor_for(eng, claims)


def test_email_names_the_account_when_the_provider_gives_no_user_name(eng):
    accounts.create_account(eng, "li.na@example.gov.cn", "village_reporter", "433124T01", PW, by=system("测试"))
    assert oidc.actor_for(eng, {"email": "li.na@example.gov.cn"}).role == "village_reporter"


def test_disabled_account_is_refused(eng):
    acc = accounts.get_account(eng, "zhao")
    accounts.update_account(eng, "zhao", {"active": False}, expected_version=acc["version"], by=system("测试"))
    with pytest.raises(PermissionDenied, match="已停用"):
        oidc.actor_for(eng, {"preferred_username": "zhao"})


def test_provider_sign_in_is_a_session_that_ends_when_idle(eng):
    actor, token = oidc.start_oidc_session(eng, {"preferred_username": "zhao"})
    assert accounts.resume_session(eng, token) == actor
    later = accounts.now_cst() + timedelta(minutes=SECURITY.session_idle_minutes + 1)
    with pytest.raises(SessionExpired):
        accounts.resume_session(eng, token, now=later)


APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
PROVIDER = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
            "client_id": "ruralcore", "client_secret": "s",
            "server_metadata_url": "https://idp.example.gov.cn/.well-known/openid-configuration"}


def _app(eng, monkeypatch, user: dict | None = None, provider: bool = True):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", str(eng.url))
    at = AppTest.from_file(APP, default_timeout=60)
    if provider:
        at.secrets["auth"] = PROVIDER
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception
    return at


def _sidebar_text(at) -> str:
    return " ".join(str(c.value) for c in at.sidebar.caption)


def test_provider_sign_in_opens_the_pages_of_the_mapped_account(eng, monkeypatch):
    at = _app(eng, monkeypatch, {"is_logged_in": True, "preferred_username": "zhao", "email": "z@x"})
    assert "当前用户：zhao（验收人员" in _sidebar_text(at)
    assert at.session_state["auth_token"]  # an ordinary ruralcore session from here on
    assert [t.value for t in at.title] == ["县领导小组总览"]


def test_provider_identity_without_an_account_stays_signed_out(eng, monkeypatch):
    at = _app(eng, monkeypatch, {"is_logged_in": True, "preferred_username": "stranger"})
    assert "当前用户" not in _sidebar_text(at)
    assert any("没有账户" in w.value for w in at.warning)
    assert [t.value for t in at.title] == ["登录"]


def test_login_page_offers_the_provider_only_when_configured(eng, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", str(eng.url))
    app = APP
    plain = AppTest.from_file(app, default_timeout=60)
    plain.run()
    assert not plain.exception
    assert "使用统一身份认证登录" not in [b.label for b in plain.button]
    with_provider = AppTest.from_file(app, default_timeout=60)
    with_provider.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                                     "cookie_secret": "x" * 32, "client_id": "ruralcore",
                                     "client_secret": "s", "server_metadata_url":
                                     "https://idp.example.gov.cn/.well-known/openid-configuration"}
    with_provider.run()
    assert not with_provider.exception
    assert "使用统一身份认证登录" in [b.label for b in with_provider.button]
