"""Accounts: password strength, argon2 hashes, throttling then lockout, idle sessions
(the clock is injected), county admins managing only their county's accounts."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from ruralcore.auth import accounts
from ruralcore.auth.accounts import SECURITY, LoginRefused, SessionExpired
from ruralcore.kernel.errors import InputError, PermissionDenied
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, db
from ruralcore.kernel.principal import system

T0 = datetime(2026, 3, 2, 9, 0, 0)
GOOD = "Xiang-2019-cun"


@pytest.fixture
def eng(tmp_path):
    url = f"sqlite:///{tmp_path / 'acc.db'}"
    e = db.get_engine(url)
    accounts.create_account(e, "zhang", "township_officer", "433124T01", GOOD, by=system("测试"))
    yield e
    db.dispose(url)


@pytest.mark.parametrize("pw, why", [
    ("Ab1-xyz", "至少 10 位"),
    ("abcdefghijkl", "至少 3 类"),
    ("password123", "至少 3 类"),
    ("Zhang-2019-x", "不能包含用户名"),
])
def test_weak_passwords_are_refused(eng, pw, why):
    with pytest.raises(InputError) as info:
        accounts.create_account(eng, "zhang2" if why != "不能包含用户名" else "zhang3", "village_reporter",
                                "433124T01", pw.replace("Zhang", "zhang3"), by=system("测试"))
    assert why.replace("至少 3 类", f"至少 {SECURITY.min_character_classes} 类") in str(info.value)
    assert "“密码”列" in str(info.value)
    assert accounts.get_account(eng, "zhang2") is None


def test_password_is_an_argon2_hash_and_never_in_the_audit_log(eng):
    acc = accounts.get_account(eng, "zhang")
    assert acc["password_hash"].startswith("$argon2id$") and GOOD not in acc["password_hash"]
    accounts.set_password(eng, "zhang", "Another-2020-pw", by=system("测试"))
    log = audit.load_audit(eng, table="accounts")
    text = " ".join(log[["old", "new"]].fillna("").astype(str).agg(" ".join, axis=1))
    assert "$argon2" not in text and "***" in text
    assert accounts.authenticate(eng, "zhang", "Another-2020-pw", now=T0).role == "township_officer"


def test_login_returns_the_actor(eng):
    a = accounts.authenticate(eng, "zhang", GOOD, now=T0)
    assert (a.name, a.role, a.region) == ("zhang", "township_officer", "433124T01")


def test_failures_are_slowed_then_the_account_is_locked(eng):
    t = T0
    for i in range(SECURITY.slow_after_failures):  # 1st..3rd failure: answered at once
        with pytest.raises(LoginRefused, match="用户名或密码错误"):
            accounts.authenticate(eng, "zhang", "wrong", now=t)
        t += timedelta(seconds=1)
    # after the 3rd failure the next try must wait 2 s: even the right password is refused
    with pytest.raises(LoginRefused, match="秒后再试"):
        accounts.authenticate(eng, "zhang", GOOD, now=t)
    t += timedelta(seconds=SECURITY.slow_base_seconds)
    with pytest.raises(LoginRefused):  # 4th failure
        accounts.authenticate(eng, "zhang", "wrong", now=t)
    t += timedelta(seconds=SECURITY.slow_base_seconds * 2)
    with pytest.raises(LoginRefused, match="已锁定"):  # 5th failure locks
        accounts.authenticate(eng, "zhang", "wrong", now=t)
    with pytest.raises(LoginRefused, match=f"请 {SECURITY.lock_minutes} 分钟后再试"):
        accounts.authenticate(eng, "zhang", GOOD, now=t + timedelta(seconds=1))
    with pytest.raises(LoginRefused, match="已锁定"):
        accounts.authenticate(eng, "zhang", GOOD, now=t + timedelta(minutes=SECURITY.lock_minutes - 1))
    # after the lock the right password works and the count starts again
    a = accounts.authenticate(eng, "zhang", GOOD, now=t + timedelta(minutes=SECURITY.lock_minutes, seconds=1))
    assert a.name == "zhang"
    assert accounts.login_state(eng, "zhang", now=t + timedelta(minutes=20))["failures"] == 0


def test_success_resets_the_failure_count(eng):
    for i in range(2):
        with pytest.raises(LoginRefused):
            accounts.authenticate(eng, "zhang", "wrong", now=T0 + timedelta(seconds=i))
    accounts.authenticate(eng, "zhang", GOOD, now=T0 + timedelta(seconds=5))
    assert accounts.login_state(eng, "zhang", now=T0 + timedelta(seconds=6))["failures"] == 0


def test_unknown_user_and_disabled_account_are_refused_alike(eng):
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        accounts.authenticate(eng, "nobody", GOOD, now=T0)
    acc = accounts.get_account(eng, "zhang")
    accounts.update_account(eng, "zhang", {"active": False}, acc["version"], by=system("测试"))
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        accounts.authenticate(eng, "zhang", GOOD, now=T0)


def test_session_ends_after_idle_minutes(eng):
    a = accounts.authenticate(eng, "zhang", GOOD, now=T0)
    token = accounts.start_session(eng, a, now=T0)
    idle = timedelta(minutes=SECURITY.session_idle_minutes)
    # activity inside the limit keeps it alive, measured from the last activity
    assert accounts.resume_session(eng, token, now=T0 + idle - timedelta(seconds=1)).name == "zhang"
    assert accounts.resume_session(eng, token, now=T0 + 2 * idle - timedelta(seconds=2)).name == "zhang"
    with pytest.raises(SessionExpired, match=f"{SECURITY.session_idle_minutes} 分钟未操作"):
        accounts.resume_session(eng, token, now=T0 + 3 * idle)
    with pytest.raises(SessionExpired):  # once ended it stays ended
        accounts.resume_session(eng, token, now=T0 + 3 * idle + timedelta(seconds=1))


def test_logout_ends_the_session_and_only_a_hash_is_stored(eng):
    a = accounts.authenticate(eng, "zhang", GOOD, now=T0)
    token = accounts.start_session(eng, a, now=T0)
    with eng.connect() as c:
        stored = c.execute(sa.text("SELECT token_hash FROM user_sessions")).scalar()
    assert stored != token and len(stored) == 64
    accounts.end_session(eng, token, now=T0 + timedelta(minutes=1))
    with pytest.raises(SessionExpired):
        accounts.resume_session(eng, token, now=T0 + timedelta(minutes=2))


def test_county_admin_manages_only_its_county(eng):
    admin = Actor("县管理员", "county_admin", "433124")
    accounts.create_account(eng, "li", "township_officer", "433124T02", GOOD, by=admin)
    with pytest.raises(PermissionDenied, match="450225"):  # 融水: another county
        accounts.create_account(eng, "wang", "village_reporter", "450225", GOOD, by=admin)
    with pytest.raises(PermissionDenied, match="市级督导"):
        accounts.create_account(eng, "boss", "city_supervisor", "433124", GOOD, by=admin)
    with pytest.raises(PermissionDenied):
        accounts.create_account(eng, "x1", "village_reporter", "433124T01", GOOD,
                                by=Actor("乡干部", "township_officer", "433124T01"))
    accounts.create_account(eng, "far", "township_officer", "450225T01", GOOD, by=system("测试"))  # 融水
    assert set(accounts.list_accounts(eng, admin)["username"]) == {"li", "zhang"}
    assert set(accounts.list_accounts(eng, system("测试"))["username"]) == {"li", "zhang", "far"}
    assert "password_hash" not in accounts.list_accounts(eng, admin).columns
    assert accounts.get_account(eng, "wang") is None


def test_init_admin_prints_a_strong_password_once(eng):
    pw = accounts.init_admin(eng, "433124")
    assert pw and not accounts.password_problems(pw)
    assert accounts.authenticate(eng, "admin", pw, now=T0).role == "county_admin"
    assert accounts.init_admin(eng, "433124") is None  # second call: nothing, no password


def test_random_password_never_contains_the_user_name(monkeypatch):
    # a generated password that happens to contain the user name would be refused by
    # create_account; the generator must draw again instead
    from ruralcore.auth import accounts as acc

    draws = iter(["xxliyyzz-abc", "Strong-Pass"])
    monkeypatch.setattr(acc.secrets, "token_urlsafe", lambda n: next(draws))
    pw = acc.random_password("li")
    assert "li" not in pw.lower() and not acc.password_problems(pw, "li")


def test_sign_ins_refusals_and_sign_outs_are_audited_and_read_in_chinese(eng):
    from ruralcore.app import auditview

    with pytest.raises(LoginRefused):
        accounts.authenticate(eng, "zhang", "wrong", now=T0)
    with pytest.raises(LoginRefused):
        accounts.authenticate(eng, "nobody", "wrong", now=T0 + timedelta(seconds=1))
    a = accounts.authenticate(eng, "zhang", GOOD, now=T0 + timedelta(seconds=5))
    token = accounts.start_session(eng, a, now=T0 + timedelta(seconds=5))
    accounts.end_session(eng, token, now=T0 + timedelta(minutes=1))
    accounts.end_session(eng, token, now=T0 + timedelta(minutes=2))  # already ended: nothing more
    idle = accounts.start_session(eng, a, now=T0 + timedelta(minutes=3))
    with pytest.raises(SessionExpired):
        accounts.resume_session(eng, idle, now=T0 + timedelta(hours=2))
    log = audit.load_audit(eng, table="accounts")
    log = log[log["action"] != "insert"]  # the account's creation
    assert list(zip(log["user"], log["action"], log["new"])) == [
        ("zhang", "login_fail", "bad_password"), ("nobody", "login_fail", "bad_password"),
        ("zhang", "login", "ok"), ("zhang", "logout", "signed_out"), ("zhang", "timeout", "idle")]
    shown = auditview.labelled(auditview.newest_first(log))
    assert list(shown["操作"]) == ["会话结束", "退出登录", "登录", "登录失败", "登录失败"]  # newest first
    assert list(shown["新值"]) == ["长时间未操作，自动退出", "用户退出登录", "登录成功", "用户名或密码错误", "用户名或密码错误"]
    assert shown["时间"].iat[-1] == "2026年3月2日 09:00:00"
