"""The data token (store.meta.data_token) keys every page's cached frames: it changes with
every data write, and not with sign-ins, refused sign-ins or sign-outs (audited, but they
change no data; otherwise each new session would empty the caches for everyone)."""
from __future__ import annotations

import pytest

from ruralcore.auth import accounts
from ruralcore.auth.accounts import LoginRefused
from ruralcore.kernel.principal import system
from ruralcore.store import meta

PASSWORD = "token-测试-密码-1"


def test_sessions_leave_the_token_and_writes_change_it(engine):
    accounts.create_account(engine, "token_user", "auditor", "", PASSWORD, by=system("测试"))
    before = meta.data_token(engine)
    token = accounts.start_session(engine, accounts.authenticate(engine, "token_user", PASSWORD))
    with pytest.raises(LoginRefused):
        accounts.authenticate(engine, "token_user", "wrong-password")
    accounts.end_session(engine, token)
    assert meta.data_token(engine) == before
    meta.set_meta(engine, "demo", "1", system("测试"))
    assert meta.data_token(engine) != before
