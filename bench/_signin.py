"""Signing a bench's AppTest in, as the tests do (tests/login_support.py): an account on
the bench's database and a session whose token the pages read from st.session_state
(dashboards.ui.auth's TOKEN_KEY)."""
from __future__ import annotations

from ruralcore.auth import accounts
from ruralcore.kernel.principal import system

PASSWORD = "Bench-2019-cun"
TOKEN_KEY = "auth_token"  # dashboards/ui/auth.py


def token(eng, role: str = "auditor", region: str = "") -> str:
    """A session token of the bench account of ``role`` (made on first use); the auditor
    reads everything."""
    name = f"bench-{role}-{region}".rstrip("-")
    if accounts.get_account(eng, name) is None:
        accounts.create_account(eng, name, role, region, PASSWORD, by=system("bench"))
    return accounts.start_session(eng, accounts.authenticate(eng, name, PASSWORD))


def sign_in(at, eng, role: str = "auditor", region: str = ""):
    """Put a signed-in session into AppTest ``at`` (before its first run); returns ``at``."""
    at.session_state[TOKEN_KEY] = token(eng, role, region)
    return at
