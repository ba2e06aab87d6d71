"""Login throttling under simultaneous guesses, and the end of sessions: a password
change, a reset, a disabled account or a changed role ends every session of the account,
and no session outlives SECURITY.session_max_hours however active it is. Both databases."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from ruralcore.auth import accounts
from ruralcore.auth.accounts import SECURITY, LoginRefused, SessionExpired
from ruralcore.auth.scope import Actor
from ruralcore.store.models import LoginAttempt

from .conftest import PASSWORD, assert_chinese

T0 = datetime(2026, 3, 2, 9, 0, 0)
GUESSES = 40


def _simultaneous(n: int, fn) -> list:
    """Run ``fn(i)`` in n threads released at the same moment; their results or exceptions."""
    start, out = threading.Barrier(n), [None] * n

    def run(i):
        start.wait()
        try:
            out[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - the refusal is the result
            out[i] = e
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_simultaneous_wrong_passwords_check_at_most_the_allowed_number(engine, monkeypatch):
    checked = []
    real = accounts.verify_password

    def counting(stored, password):
        checked.append(password)
        return real(stored, password)
    monkeypatch.setattr(accounts, "verify_password", counting)

    results = _simultaneous(GUESSES, lambda i: accounts.authenticate(engine, "county", f"wrong-{i}", now=T0))
    assert all(isinstance(r, LoginRefused) for r in results), results
    for r in results:
        assert_chinese(str(r))
    # every attempt was counted before any password was checked: never more than the lock allows
    assert 1 <= len(checked) <= SECURITY.lock_after_failures, len(checked)
    with engine.connect() as conn:
        t = LoginAttempt.__table__
        n = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.username == "county")).scalar()
    assert n == GUESSES  # each one recorded (checked, throttled or locked)
    # and the right password is refused too while the account is slowed down or locked
    with pytest.raises(LoginRefused):
        accounts.authenticate(engine, "county", PASSWORD, now=T0 + timedelta(seconds=1))


def test_a_correct_login_among_simultaneous_ones_still_signs_in(engine):
    results = _simultaneous(3, lambda i: accounts.authenticate(engine, "county", PASSWORD, now=T0))
    assert all(isinstance(r, Actor) and r.role == "county_admin" for r in results), results
    assert accounts.login_state(engine, "county", now=T0)["failures"] == 0


def _session(engine, name="county", at=T0):
    actor = accounts.authenticate(engine, name, PASSWORD, now=at)
    return accounts.start_session(engine, actor, now=at)


@pytest.mark.parametrize("change", ["own password", "reset by the county admin", "reset on the command line",
                                    "disabled", "role changed"])
def test_changing_resetting_or_disabling_an_account_ends_its_sessions(engine, change):
    a, b = _session(engine, "reporter"), _session(engine, "reporter")
    other = _session(engine, "county")
    admin = Actor("county", "county_admin", "433124")
    acc = accounts.get_account(engine, "reporter")
    if change == "own password":
        accounts.set_password(engine, "reporter", "Cun-2020-new!", by=Actor("reporter", "village_reporter", acc["region"]))
    elif change == "reset by the county admin":
        accounts.set_password(engine, "reporter", "Cun-2020-new!", by=admin, must_change_password=True)
    elif change == "reset on the command line":
        from ruralcore.cli import main
        assert main(["accounts", "reset-password", "reporter", "--db", str(engine.url.render_as_string(False))]) == 0
    elif change == "disabled":
        accounts.update_account(engine, "reporter", {"active": False}, acc["version"], by=admin)
    else:
        accounts.update_account(engine, "reporter", {"role": "township_officer", "region": "433124101"},
                                acc["version"], by=admin)
    for token in (a, b):
        with pytest.raises(SessionExpired) as info:
            accounts.resume_session(engine, token, now=T0 + timedelta(minutes=1))
        assert_chinese(str(info.value))
    assert accounts.resume_session(engine, other, now=T0 + timedelta(minutes=1)).name == "county"  # others untouched


def test_a_session_ends_after_its_absolute_lifetime_however_active(engine):
    token = _session(engine)
    t = T0
    while t + timedelta(minutes=20) <= T0 + timedelta(hours=SECURITY.session_max_hours):
        t += timedelta(minutes=20)  # activity every 20 minutes: never idle
        assert accounts.resume_session(engine, token, now=t).name == "county"
    with pytest.raises(SessionExpired, match=f"{SECURITY.session_max_hours} 小时"):
        accounts.resume_session(engine, token, now=t + timedelta(minutes=20))
    with pytest.raises(SessionExpired):  # and it stays ended
        accounts.resume_session(engine, token, now=t + timedelta(minutes=21))


def test_the_lifetime_is_at_most_twelve_hours():
    assert 0 < SECURITY.session_max_hours <= 12
    assert SECURITY.session_idle_minutes < SECURITY.session_max_hours * 60
