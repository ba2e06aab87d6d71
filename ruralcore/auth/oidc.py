"""Signing in through the organisation's OpenID Connect provider (Streamlit's st.login):
the provider says who the person is; ruralcore decides what they may do. A provider
identity maps to the active account of the same user name (the ``preferred_username``
claim, else ``email``); there is no account created on the fly, so a county administrator
still decides each person's role and region. The sign-in then runs as an ordinary
ruralcore session, so idle expiry applies to it too."""
from __future__ import annotations

from typing import Mapping

import sqlalchemy as sa

from ruralcore.auth.accounts import actor_of, get_account, start_session
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.auth.scope import Actor

CLAIMS = ("preferred_username", "email")


def username_of(claims: Mapping) -> str | None:
    for key in CLAIMS:
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def actor_for(engine: sa.Engine, claims: Mapping) -> Actor:
    """The account for a provider identity; PermissionDenied (Chinese) when there is none
    or it is disabled."""
    name = username_of(claims)
    if name is None:
        raise PermissionDenied("统一身份认证没有提供用户名（preferred_username）或邮箱，无法对应到本系统账户。")
    acc = get_account(engine, name)
    if acc is None:
        raise PermissionDenied(f"统一身份认证用户“{name}”在本系统中没有账户，请联系县级管理员开通。")
    if not acc["active"]:
        raise PermissionDenied(f"账户“{name}”已停用，请联系县级管理员。")
    return actor_of(acc)


def start_oidc_session(engine: sa.Engine, claims: Mapping) -> tuple[Actor, str]:
    """(actor, session token) for a provider identity."""
    actor = actor_for(engine, claims)
    return actor, start_session(engine, actor)
