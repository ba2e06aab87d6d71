"""Accounts: argon2id password hashes, a password strength minimum, login with
throttling (repeated failures slowed, then the account locked for a while) and sessions
that end after inactivity, after an absolute lifetime, and when the account's password,
role, region or state changes. Every limit is in :data:`SECURITY` (system defaults: the
five documents set none). Pass ``now`` to inject the clock (tests).

A login attempt is counted before its password is checked, in one transaction that
holds the account's lock (a row lock on PostgreSQL, the write lock on SQLite), so
simultaneous guesses cannot all pass the throttle: at most ``lock_after_failures``
passwords are ever checked before the lock.

Account rows are written through ruralcore.store.write, so creating an account or
changing a role is audited (the hash is shown as ***) and, when the writer is an Actor,
checked by ruralcore.auth.scope: a county admin manages only its county's accounts.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ruralcore.kernel.errors import InputError, PermissionDenied, Problem, RuralcoreError
from ruralcore.auth.scope import COUNTY_GRANTABLE, ROLES, SYSTEM, Actor, is_actor, region_tree, system
from ruralcore.store import pilots as stored_pilots
from ruralcore.store import queries, sessions, write
from ruralcore.store.db import now_cst
from ruralcore.store.models import Account, LoginAttempt, UserSession


@dataclass(frozen=True)
class SecuritySettings:
    """System defaults (not from any programme document); change them here only."""
    min_password_length: int = 10
    min_character_classes: int = 3  # of: lower case, upper case, digits, other
    slow_after_failures: int = 3  # from the 3rd consecutive failure, wait before the next try
    slow_base_seconds: int = 2  # 2, 4, 8 ... seconds between attempts
    lock_after_failures: int = 5  # the 5th consecutive failure locks the account
    lock_minutes: int = 15
    session_idle_minutes: int = 30  # a session ends after this long without activity
    session_max_hours: int = 12  # and this long after sign-in, however active (one working day)


SECURITY = SecuritySettings()
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
COMMON = {"password", "12345678", "123456789", "1234567890", "qwertyuiop", "admin12345", "11111111",
          "password123", "iloveyou", "abc123456", "woaini1314", "88888888", "a123456789"}
# @ too: an organisation sign-in (ruralcore.auth.oidc) may name people by e-mail address
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,60}$")


class LoginRefused(RuralcoreError):
    """Wrong credentials, throttled or locked; the message says which (and how long)."""


class SessionExpired(RuralcoreError):
    pass


# ---- passwords ----------------------------------------------------------------------------

def password_problems(password: str, username: str = "") -> list[str]:
    """Why ``password`` is too weak (empty list: acceptable)."""
    p = password or ""
    out = []
    if len(p) < SECURITY.min_password_length:
        out.append(f"密码至少 {SECURITY.min_password_length} 位（现为 {len(p)} 位）")
    classes = sum(bool(re.search(rx, p)) for rx in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < SECURITY.min_character_classes:
        out.append(f"密码须包含小写字母、大写字母、数字、符号中的至少 {SECURITY.min_character_classes} 类")
    if p.lower() in COMMON:
        out.append("密码过于常见")
    if username and username.lower() in p.lower():
        out.append("密码不能包含用户名")
    return out


def check_password_strength(password: str, username: str = "") -> None:
    probs = password_problems(password, username)
    if probs:
        raise InputError([Problem(m, column="密码") for m in probs], source="账户")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def random_password(username: str = "") -> str:
    """A strong random password for ``username`` (drawn again until it meets every rule,
    including not containing the user name, which random letters sometimes do)."""
    while True:
        p = secrets.token_urlsafe(12) + "-" + secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + str(secrets.randbelow(10))
        if not password_problems(p, username):
            return p


# ---- accounts -----------------------------------------------------------------------------

def _table():
    return Account.__table__


def get_account(engine: sa.Engine, username: str) -> dict | None:
    return queries.first(engine, Account, username=username)


def actor_of(account: dict) -> Actor:
    return Actor(account["username"], account["role"], account["region"])


def _check_grant(by, role: str, region: str) -> None:
    if role not in ROLES:
        raise InputError(Problem(f"未知角色“{role}”，应为：{'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}",
                                 column="角色"), source="账户")
    if is_actor(by):
        if by.role != "county_admin":
            raise PermissionDenied(f"无权限：{by.name}（{by.role_label}）不能管理账户，本次未写入任何数据。")
        if role not in COUNTY_GRANTABLE:
            raise PermissionDenied(f"无权限：县级管理员不能授予“{ROLES[role]}”角色，本次未写入任何数据。")


def _check_region(engine: sa.Engine, role: str, region: str) -> None:
    """An account's region is a known region code (the store's or the region files');
    only the auditor, who reads every region, has none."""
    region = region or ""
    if role == "auditor" and region == "":
        return
    if region == "":
        raise InputError(Problem(f"{ROLES[role]}必须指定区域代码", column="区域"), source="账户")
    with engine.connect() as conn:
        known = region in region_tree(conn).index
    if not known:
        raise InputError(Problem(f"区域代码“{region}”不存在（应为区域文件或数据库中已有的区域，如花垣县 433124）",
                                 column="区域"), source="账户")


def check_username(username: str) -> str:
    """The user name stripped, or InputError in Chinese when it is not a valid one."""
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise InputError(Problem(f"用户名“{username}”应为 2–60 个字母、数字、汉字或 _ . - @", column="用户名"), source="账户")
    return username


def create_account(engine: sa.Engine, username: str, role: str, region: str, password: str,
                   by: Actor, display_name: str = "", must_change_password: bool = False,
                   now: datetime | None = None) -> dict:
    """Create an account (strength checked, argon2id hash). ``by`` is the acting user:
    an Actor must be a county admin creating an account inside its county."""
    username = check_username(username)
    region = (region or "").strip()
    _check_grant(by, role, region)
    _check_region(engine, role, region)
    check_password_strength(password, username)
    if get_account(engine, username) is not None:
        raise InputError(Problem(f"用户名“{username}”已存在", column="用户名"), source="账户")
    write.insert(engine, Account, {
        "username": username, "display_name": display_name or username, "role": role, "region": region or "",
        "password_hash": hash_password(password), "active": True, "must_change_password": must_change_password,
        "created_at": now or now_cst()}, by)
    return get_account(engine, username)


def list_accounts(engine: sa.Engine, viewer: Actor = SYSTEM) -> pd.DataFrame:
    """Accounts (without hashes) the viewer may see: a county admin its county's."""
    cols = [c.name for c in _table().columns if c.name != "password_hash"]
    with engine.connect() as conn:
        frame = queries.frame(conn, Account, columns=cols, order_by=["region", "username"])
        tree = region_tree(conn)
    if is_actor(viewer) and viewer.role != "auditor" and len(frame):
        from ruralcore.auth.scope import inside
        frame = frame[inside(tree, frame["region"], viewer.region)].reset_index(drop=True)
    return frame.assign(region_name=region_names(tree, frame["region"]))


def region_names(tree: pd.DataFrame, codes: pd.Series | list) -> pd.Series:
    """The name of each region code on ``tree`` (scope.region_tree); "" for an empty code
    (an auditor's), the code itself when the tree does not know it."""
    from ruralcore.rules.regions import names

    out = pd.Series(names(tree, codes), dtype=object)
    return out.where(pd.Series(list(codes), dtype=object).astype(str) != "", "")


def region_labels(tree: pd.DataFrame, codes) -> pd.Series:
    """code -> "名称（代码）" for the codes (sorted), for region selectors."""
    codes = pd.Series(sorted(codes), dtype=object)
    return pd.Series((region_names(tree, codes) + "（" + codes + "）").to_numpy(), index=codes.to_numpy())


def region_choices(engine: sa.Engine, actor: Actor) -> pd.Series:
    """The regions an admin may give an account (its own and those below it), code ->
    "名称（代码）", sorted by code."""
    from ruralcore.auth.scope import visible_regions

    with engine.connect() as conn:
        return region_labels(region_tree(conn), visible_regions(actor, conn))


def set_password(engine: sa.Engine, username: str, password: str, by: Actor,
                 must_change_password: bool = False) -> None:
    """Change a password (strength checked); ``by`` checked like any account write."""
    acc = get_account(engine, username)
    if acc is None:
        raise InputError(Problem(f"找不到用户“{username}”", column="用户名"), source="账户")
    own = is_actor(by) and by.name == username
    if not own:  # one's own password needs no admin
        _check_grant(by, acc["role"], acc["region"])
    check_password_strength(password, username)
    with engine.begin() as conn:  # the new password and the end of every old session together
        write.update(conn, Account, username, {"password_hash": hash_password(password),
                                               "must_change_password": must_change_password},
                     acc["version"], system(by.name) if own else by)  # own: decided here, not by scope
        end_sessions(conn, username)


def update_account(engine: sa.Engine, username: str, changes: dict, expected_version: int,
                   by: Actor) -> None:
    """Change role, region, display name or active flag of an account."""
    allowed = {"role", "region", "display_name", "active"}
    bad = [k for k in changes if k not in allowed]
    if bad:
        raise InputError([Problem(f"不能修改字段 {k}", column=k) for k in bad], source="账户")
    acc = get_account(engine, username)
    if acc is None:
        raise InputError(Problem(f"找不到用户“{username}”", column="用户名"), source="账户")
    _check_grant(by, changes.get("role", acc["role"]), changes.get("region", acc["region"]))
    if {"role", "region"} & set(changes):
        _check_region(engine, changes.get("role", acc["role"]), changes.get("region", acc["region"]))
    if is_actor(by) and by.name == username and "active" in changes and not changes["active"]:
        raise PermissionDenied("不能停用自己正在使用的账户，本次未写入任何数据；如确需停用，请由另一位县级管理员操作。")
    with engine.begin() as conn:
        write.update(conn, Account, username, changes, expected_version, by)
        if {"role", "region", "active"} & set(changes):  # what it may do changed: sign in again
            end_sessions(conn, username)


# ---- login and throttling -----------------------------------------------------------------

def _recent_failures(conn: sa.Connection, username: str) -> list[datetime]:
    """Failure times since the last success, newest first."""
    return sessions.recent_failures(conn, username)


def login_state(engine: sa.Engine, username: str, now: datetime | None = None) -> dict:
    """{'failures', 'locked_until', 'wait_until'}: why a login would be refused right now."""
    now = now or now_cst()
    with engine.connect() as conn:
        fails = _recent_failures(conn, username)
    return _state(fails, now)


def _state(fails: list[datetime], now: datetime) -> dict:
    n = len(fails)
    locked_until = wait_until = None
    if n >= SECURITY.lock_after_failures:
        until = fails[0] + timedelta(minutes=SECURITY.lock_minutes)
        if now < until:
            locked_until = until
    elif n >= SECURITY.slow_after_failures:
        until = fails[0] + timedelta(seconds=SECURITY.slow_base_seconds * 2 ** (n - SECURITY.slow_after_failures))
        if now < until:
            wait_until = until
    return {"failures": n, "locked_until": locked_until, "wait_until": wait_until}


# Sign-ins, refused sign-ins and the ends of sessions are audited too (action → audit_log):
# who came in and who tried is part of "who changed what".
def _audit_session(conn: sa.Connection, username: str, action: str, reason: str, now: datetime) -> None:
    """One audit entry about an account's session: login, login_fail, logout or timeout
    (``reason`` in ``new``: ok, bad_password, locked, throttled, signed_out, idle, expired,
    disabled)."""
    from ruralcore.store import audit
    audit.append(conn, [{"action": action, "table": "accounts", "key": username, "field": None, "old": None,
                         "new": reason}], username or "（空）", at=now)


def _record(conn: sa.Connection, username: str, now: datetime, ok: bool, reason: str) -> int:
    return sessions.record_attempt(conn, username, now, ok, reason)


def _lock_account(conn: sa.Connection, username: str) -> None:
    """Serialise the attempts on one account until the transaction ends (store.sessions.lock_account)."""
    sessions.lock_account(conn, username)


def _claim_attempt(engine: sa.Engine, username: str, now: datetime) -> tuple[str | None, int | None, dict | None, int]:
    """Count one attempt under the account's lock, before any password is checked:
    (refusal, attempt id, account, failures before it). A throttled or locked attempt is
    recorded as such and refused; any other is recorded as a failure now and turned into
    a success only once its password has been checked."""
    with engine.connect() as conn:
        _lock_account(conn, username)
        try:
            fails = _recent_failures(conn, username)
            st = _state(fails, now)
            refusal = acc = attempt = None
            if st["locked_until"] is not None:
                _record(conn, username, now, False, "locked")
                _audit_session(conn, username, "login_fail", "locked", now)
                mins = max(1, int((st["locked_until"] - now).total_seconds() // 60) + 1)
                refusal = (f"账户“{username}”因连续 {st['failures']} 次密码错误已锁定，请 {mins} 分钟后再试，"
                           "或请县级管理员重置密码。")
            elif st["wait_until"] is not None:
                _record(conn, username, now, False, "throttled")
                _audit_session(conn, username, "login_fail", "throttled", now)
                secs = max(1, int((st["wait_until"] - now).total_seconds() + 0.999))
                refusal = f"密码错误次数过多，请 {secs} 秒后再试。"
            else:
                if len(fails) >= SECURITY.lock_after_failures:
                    _record(conn, username, now, True, "lock_expired")  # the lock has passed: count again
                    fails = []
                acc = queries.first(conn, Account, username=username)
                attempt = _record(conn, username, now, False, "bad_password")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return refusal, attempt, acc, len(fails)


def authenticate(engine: sa.Engine, username: str, password: str, now: datetime | None = None) -> Actor:
    """The Actor of a correct login; LoginRefused (Chinese, says how long to wait) else.
    Throttled and locked attempts are refused without checking the password. After the
    lock has passed, the failure count starts again from zero."""
    now = now or now_cst()
    username = (username or "").strip()
    refusal, attempt, acc, failures = _claim_attempt(engine, username, now)
    if refusal:
        raise LoginRefused(refusal)
    if acc is not None and acc["active"] and verify_password(acc["password_hash"], password or ""):
        with engine.begin() as conn:
            sessions.mark_attempt_ok(conn, attempt)
            _audit_session(conn, username, "login", "ok", now)
        return actor_of(acc)
    with engine.begin() as conn:
        _audit_session(conn, username, "login_fail", "bad_password", now)
    left = SECURITY.lock_after_failures - failures - 1
    tail = ""
    if left <= 0:
        tail = f"账户已锁定 {SECURITY.lock_minutes} 分钟。"
    elif left < SECURITY.lock_after_failures - 1:
        tail = f"再错 {left} 次将锁定 {SECURITY.lock_minutes} 分钟。"
    raise LoginRefused("用户名或密码错误。" + tail)


def unlock(engine: sa.Engine, username: str, now: datetime | None = None) -> None:
    """Clear the failure count (an administrator reset the password)."""
    with engine.begin() as conn:
        _record(conn, username, now or now_cst(), True, "unlocked")


# ---- sessions -----------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: sa.Engine, actor: Actor, now: datetime | None = None) -> str:
    """A new session token for a signed-in actor (only its hash is stored)."""
    now = now or now_cst()
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        sessions.start(conn, _token_hash(token), actor.name, now)
    return token


def resume_session(engine: sa.Engine, token: str, now: datetime | None = None) -> Actor:
    """The Actor of a live session, marking it active now; SessionExpired when it ended
    (signed out, or the account's password, role, region or state changed), was idle
    longer than SECURITY.session_idle_minutes, began more than SECURITY.session_max_hours
    ago, or the account was disabled (the session is then ended and that is audited:
    raised after the commit)."""
    now = now or now_cst()
    ended = None
    with engine.begin() as conn:
        row = sessions.session(conn, _token_hash(token or ""))
        if row is None or row["ended_at"] is not None:
            raise SessionExpired("登录已失效，请重新登录。")
        acc = queries.first(conn, Account, username=row["username"])
        if now - row["last_seen"] > timedelta(minutes=SECURITY.session_idle_minutes):
            ended = ("idle", f"超过 {SECURITY.session_idle_minutes} 分钟未操作，登录已失效，请重新登录。")
        elif now - row["started_at"] > timedelta(hours=SECURITY.session_max_hours):
            ended = ("expired", f"登录已超过 {SECURITY.session_max_hours} 小时，请重新登录。")
        elif acc is None or not acc["active"]:
            ended = ("disabled", "账户已停用，请联系县级管理员。")
        if ended:
            sessions.touch(conn, row["token_hash"], ended_at=now)
            _audit_session(conn, row["username"], "timeout", ended[0], now)
        else:
            sessions.touch(conn, row["token_hash"], last_seen=now)
    if ended:
        raise SessionExpired(ended[1])
    return actor_of(dict(acc))


def end_sessions(conn: sa.Connection, username: str, now: datetime | None = None) -> int:
    """End every open session of ``username`` (inside the caller's transaction); how many."""
    return sessions.end_all(conn, username, now or now_cst())


def end_session(engine: sa.Engine, token: str, now: datetime | None = None) -> None:
    """Sign out: the session ends (audited as logout); an ended or unknown token does nothing."""
    now = now or now_cst()
    with engine.begin() as conn:
        user = sessions.end_live(conn, _token_hash(token or ""), now)
        if user is not None:
            _audit_session(conn, user, "logout", "signed_out", now)


# ---- who a command-line write is recorded as --------------------------------------------

def system_author() -> Actor:
    """The author of a command-line write that names no account: a system principal named
    after the operating-system user who ran it, never a name typed on the command line."""
    import getpass
    import os

    try:
        who = getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment (a container)
        who = f"uid {os.getuid()}"
    return system(f"系统（命令行，操作系统用户 {who}）")


def command_line_author(engine: sa.Engine, username: str | None) -> Actor:
    """``--user NAME``: the Actor of that existing, active account, whose role and region
    are then checked by the write like a page's; no name: :func:`system_author`."""
    if username is None:
        return system_author()
    name = username.strip()
    acc = get_account(engine, name) if name else None
    if acc is None:
        raise InputError(Problem(f"找不到账户“{username}”：--user 应为已有账户的用户名；"
                                 f"不写 --user 则记为“{system_author().name}”", column="--user"))
    if not acc["active"]:
        raise InputError(Problem(f"账户“{name}”已停用，不能以它的名义写入", column="--user"))
    return actor_of(acc)


# ---- the first administrator and the demo accounts ----------------------------------------

DEMO_ADMIN = "admin"
DEMO_AUDITOR = "auditor"


def init_account(engine: sa.Engine, username: str, role: str, region: str, display_name: str) -> str | None:
    """Create one starting account with a random password and return that password (to
    be shown ONCE, changed at first sign-in); None when the account already exists."""
    if get_account(engine, username) is not None:
        return None
    if region:
        with engine.connect() as conn:
            known = region in region_tree(conn).index
        if not known:
            raise InputError(Problem(f"区域代码“{region}”不存在（县级管理员应给县的区域代码，如花垣县 433124）",
                                     column="区域"), source="账户")
    password = random_password(username)
    create_account(engine, username, role, region, password, by=system_author(),
                   display_name=display_name, must_change_password=True)
    return password


def init_admin(engine: sa.Engine, region: str, username: str = DEMO_ADMIN) -> str | None:
    """The first county administrator (see init_account)."""
    return init_account(engine, username, "county_admin", region, "演示管理员")


# One demo account per role, each showing its part of the product on the demo database:
# (user name, role, display name, what it shows). Regions follow the demo county
# (demo_regions). The README's table of demo accounts says the same.
DEMO_ACCOUNTS = [
    ("supervisor", "city_supervisor", "演示市级督导", "全市试点进度、县区评分、落后督办、月度通报"),
    (DEMO_ADMIN, "county_admin", "演示管理员", "本县各页面：总览、逐级查看、填报与更正、验收、一户一档、审计日志、账户管理"),
    ("township", "township_officer", "演示乡镇干部", "本乡镇的村：填报、更正、一户一档"),
    ("reporter", "village_reporter", "演示村级填报员", "本村的月报填报与更正"),
    ("inspector", "inspector", "演示验收人员", "本县的验收案件与验收检查"),
    (DEMO_AUDITOR, "auditor", "演示审计员", "全部区域、除账户管理外的每一页和审计日志，只看不改"),
]


def demo_regions(engine: sa.Engine, county: str) -> dict[str, str | None]:
    """Role → region of the demo accounts around ``county`` (the admin's): its first
    township and that township's first village; the city whose pilots the supervision
    pages follow (else the county's city); None where the database has no such region."""
    with engine.connect() as conn:
        tree = region_tree(conn)
    pilot_city = stored_pilots.pilot_city(engine)
    children = tree.reset_index().sort_values("code").groupby("parent")["code"].first()
    township = children.get(county)
    village = children.get(township) if township is not None else None
    city = pilot_city or (tree.at[county, "parent"] if county in tree.index else None) or None
    return {"city_supervisor": city, "county_admin": county, "township_officer": township,
            "village_reporter": village, "inspector": county, "auditor": ""}


def init_demo_accounts(engine: sa.Engine, county: str, names: dict[str, str] | None = None) -> list[dict]:
    """The demo accounts (DEMO_ACCOUNTS; ``names`` may rename a role's account), each with
    a random password shown once. Per account: username, role, region, display_name,
    shows, password (None: it existed already, nothing changed) and missing (no region
    for it in this database: not created)."""
    regions = demo_regions(engine, county)
    out = []
    for username, role, display, shows in DEMO_ACCOUNTS:
        username = (names or {}).get(role, username)
        region = regions[role]
        row = {"username": username, "role": role, "region": region, "display_name": display, "shows": shows,
               "password": None, "missing": region is None}
        if region is not None:
            row["password"] = init_account(engine, username, role, region, display)
        out.append(row)
    return out
