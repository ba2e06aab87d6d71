"""Signing a test in: create an account on the test's database and start a session whose
token the pages read from st.session_state (dashboards.ui.auth.TOKEN_KEY)."""
from __future__ import annotations

import uuid

from ruralcore import accounts

PASSWORD = "Xiang-2019-cun"
TOKEN_KEY = "auth_token"  # dashboards/ui/auth.py


def sign_in_token(eng, role: str = "county_admin", region: str = "433124", name: str | None = None) -> str:
    """A session token of a fresh account (role, region) on ``eng``."""
    name = name or f"t{uuid.uuid4().hex[:8]}"
    acc = accounts.get_account(eng, name)
    if acc is None:
        accounts.create_account(eng, name, role, region, PASSWORD, by="测试")
    elif (acc["role"], acc["region"]) != (role, region):
        raise AssertionError(f"test account {name} exists as {acc['role']} {acc['region']}")
    return accounts.start_session(eng, accounts.authenticate(eng, name, PASSWORD))


def sign_in(at, eng, role: str = "county_admin", region: str = "433124", name: str | None = None):
    """Put a signed-in session into an AppTest (before its run); returns the AppTest."""
    at.session_state[TOKEN_KEY] = sign_in_token(eng, role, region, name)
    return at
