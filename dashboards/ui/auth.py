"""Who is signed in, for every page: ``current_actor()`` (an Actor or None) and
``require_login()`` (stops the page with a login hint). The browser keeps only a session
token in st.session_state; ruralcore.auth.accounts ends it after inactivity. When ``[auth]``
is configured in secrets, an OpenID Connect sign-in (st.login) maps to the account with
the same user name (ruralcore.auth.oidc) and runs as an ordinary session from then on."""
from __future__ import annotations

import streamlit as st

from ruralcore.auth.accounts import SessionExpired, end_session, resume_session
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.auth.oidc import start_oidc_session
from ruralcore.auth import scope
from ruralcore.auth.scope import Actor

from .db import engine

TOKEN_KEY = "auth_token"
MESSAGE_KEY = "auth_message"
COOKIE = "ruralcore_session"
COOKIE_KEY = "auth_cookie_written"  # the token the cookie was last set to
DROPPED_KEY = "auth_dropped_token"  # ended here: ignore it in the cookie header
AFTER_LOGIN_KEY = "after_login"  # (URL path, query) of the page to open once signed in
SIGNED_OUT_KEY = "auth_signed_out"  # signed out by the button: remember no page to return to
ENDED_KEY = "auth_session_ended"  # this run's session ended (idle, disabled): the page says so
MUST_CHANGE_KEY = "auth_must_change"  # signed in with an initial password: remind to change it


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_signed_in() -> bool:
    return oidc_configured() and bool(getattr(st.user, "is_logged_in", False))


def _claims() -> dict:
    try:
        return st.user.to_dict()
    except AttributeError:  # older Streamlit: st.user is a mapping
        return dict(st.user)


def current_actor() -> Actor | None:
    """The signed-in Actor, marking the session active; None when nobody is. A provider
    sign-in (st.login) becomes an ordinary ruralcore session on first sight, so it ends
    after inactivity like any other."""
    token = st.session_state.get(TOKEN_KEY) or _token_from_cookie()
    if token:
        st.session_state[TOKEN_KEY] = token
        try:
            return resume_session(engine(), token)
        except SessionExpired as e:
            st.session_state.pop(TOKEN_KEY, None)
            st.session_state[DROPPED_KEY] = token  # never taken from the cookie again
            st.session_state[MESSAGE_KEY] = str(e)
            st.session_state[ENDED_KEY] = True
            if _oidc_signed_in():
                st.logout()  # drop the provider's cookie too, or it would sign straight back in
            return None
    if _oidc_signed_in():
        try:
            actor, st.session_state[TOKEN_KEY] = start_oidc_session(engine(), _claims())
        except PermissionDenied as e:
            st.session_state[MESSAGE_KEY] = str(e)
            return None
        return actor
    return None


# ---- the browser cookie: a reload or a new tab keeps the sign-in --------------------------
# Streamlit forgets st.session_state on a reload, so the token is also kept in a cookie that
# lives until the browser closes (no expiry date); the server still ends the session after
# inactivity. The cookie holds only the random token; the database keeps its hash.

def _token_from_cookie() -> str | None:
    token = st.context.cookies.get(COOKIE)  # as sent when this browser tab connected
    if isinstance(token, str) and token and token != st.session_state.get(DROPPED_KEY):
        st.session_state[COOKIE_KEY] = token  # already in the browser
        return token
    return None


def sync_cookie() -> None:
    """Write or clear the session cookie when the sign-in changed since the last run (call
    once per run, before the page: a page may stop the script)."""
    token = st.session_state.get(TOKEN_KEY)
    if st.session_state.get(COOKIE_KEY) == token:
        return
    if token:
        js = (f"document.cookie = '{COOKIE}=' + {token!r} + '; path=/; SameSite=Strict'"
              " + (location.protocol === 'https:' ? '; Secure' : '');")
    else:
        js = f"document.cookie = '{COOKIE}=; path=/; max-age=0; SameSite=Strict';"
    st.html(f"<script>{js}</script>", unsafe_allow_javascript=True, width="content")
    st.session_state[COOKIE_KEY] = token


def gate(page: str, title: str) -> Actor | None:
    """The signed-in Actor when it may open ``page`` (ruralcore.auth.scope.may_open); otherwise
    a Chinese message and the page stops. Draws who is signed in, with a logout button."""
    actor = current_actor()
    if not scope.may_open(actor, page):
        st.title(title)
        msg = st.session_state.pop(MESSAGE_KEY, None) if actor is None else None
        st.warning((msg + " " if msg else "") + scope.page_refusal(actor, title))
        st.stop()
    if actor is not None:
        _signed_in_sidebar(actor)
    return actor


def visible_program_ids(actor: Actor | None) -> list[str]:
    """The programmes whose regions ``actor`` reads (every programme for nobody signed in
    on a public page, and for the auditor)."""
    from ruralcore.rules.programs import all_programs

    from . import data
    ids = [p.id for p in all_programs()]
    if actor is None:
        return ids
    return data.visible_programs(data.url(), data.token(), actor.role, actor.region, tuple(ids))


def _signed_in_sidebar(actor: Actor) -> None:
    with st.sidebar:
        st.caption(f"当前用户：{actor.name}（{actor.role_label}，区域 {actor.region or '全部'}）")
        if st.session_state.get(MUST_CHANGE_KEY):
            st.caption(":material/key: 仍在使用初始密码：请在“登录”页修改密码。")
        st.button("退出登录", key="auth_logout", on_click=logout)


def require_login() -> Actor:
    """The signed-in Actor, or a Chinese hint to sign in and the page stops. (Who is signed
    in is drawn once, by gate() in page_setup.)"""
    actor = current_actor()
    if actor is None:
        msg = st.session_state.pop(MESSAGE_KEY, None)
        st.warning((msg + " " if msg else "") + "请先在“登录”页面登录，本页面按账户的角色和区域显示与修改数据。")
        st.stop()
    return actor


def after_login_page() -> str | None:
    """The URL path of the page that opens once signed in (a link opened signed out)."""
    target = st.session_state.get(AFTER_LOGIN_KEY)
    return target[0] if target else None


def logout() -> None:
    st.session_state[SIGNED_OUT_KEY] = True
    st.session_state.pop(MUST_CHANGE_KEY, None)
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state[DROPPED_KEY] = token  # the tab's cookie header still carries it
    if token:
        end_session(engine(), token)
    if _oidc_signed_in():
        st.logout()
