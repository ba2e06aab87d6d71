"""Engine and transactions. One code path for SQLite (default file under data/) and
PostgreSQL (postgresql+psycopg://...). The schema is created and upgraded by Alembic."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone, timedelta
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session  # SQLAlchemy's Session plus .exec()

from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import DATA_DIR

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
CST = timezone(timedelta(hours=8))

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def default_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(DATA_DIR) / 'ruralcore.db'}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")  # concurrent writers wait instead of failing
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this crash-safe
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: bulk imports touch large indexes
    cur.close()


def get_engine(url: str | None = None) -> sa.Engine:
    """The engine for ``url`` (or DATABASE_URL, or the default SQLite file), with the
    schema at the newest migration. Cached per URL."""
    url = url or default_url()
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            eng = _make_engine(url)
            ensure_schema(eng)
            _engines[url] = eng
    return eng


def _make_engine(url: str) -> sa.Engine:
    try:
        u = sa.make_url(url)
        u.get_dialect()  # an unknown scheme fails here, not at the first query
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError):
        raise RuralcoreError(
            f"数据库地址“{url}”无法识别；应为 sqlite:///文件路径 或 "
            "postgresql+psycopg://用户@主机:端口/库名") from None
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        eng = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    # no JIT: it compiles each query for a quarter of a second, which a page's reads of one
    # month (well under a second each) never win back
    if u.get_backend_name() == "postgresql" and u.get_driver_name() == "psycopg":
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})
    return sa.create_engine(url, pool_pre_ping=True)


@contextmanager
def snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only connection whose statements all see the database as of its first read,
    for a result put together from several reads (a write committed in between would
    otherwise be half in it). Nothing is written through it; it is rolled back on close."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite sends no BEGIN before a SELECT, so each read would see its own moment;
            # in WAL mode a deferred transaction keeps the first read's snapshot
            conn.exec_driver_sql("BEGIN")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        try:
            yield conn
        finally:
            conn.rollback()


def alembic_config(engine: sa.Engine | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def ensure_schema(engine: sa.Engine) -> None:
    """alembic upgrade head on ``engine`` (no alembic.ini needed)."""
    from alembic import command

    cfg = alembic_config(engine)
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as probe:
            tables = set(sa.inspect(probe).get_table_names())
    except sa.exc.OperationalError as e:
        raise RuralcoreError(f"无法连接数据库 {where}：{str(e.orig).strip().splitlines()[0]}") from None
    if "alembic_version" not in tables and tables & {"reports", "regions", "audit_log"}:
        raise RuralcoreError(f"数据库 {where} 已有数据表但没有迁移记录（alembic_version），"
                             "不是由本系统创建的；请换一个空数据库或联系管理员。")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # two processes opening a fresh database must not both create the tables
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def dispose(url: str) -> None:
    """Close and forget the cached engine of ``url`` (before dropping its database)."""
    with _lock:
        eng = _engines.pop(url, None)
    if eng is not None:
        eng.dispose()


def dispose_all() -> None:
    """Forget cached engines (tests drop their databases afterwards)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


@contextmanager
def session(engine: sa.Engine) -> Iterator[Session]:
    """One transaction: commits on success, rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as s:
        with s.begin():
            yield s


def now_cst() -> datetime:
    """Current China Standard Time, naive (how the store keeps instants)."""
    return datetime.now(CST).replace(tzinfo=None, microsecond=0)


def to_cst_naive(ts: datetime | None) -> datetime:
    if ts is None:
        return now_cst()
    if ts.tzinfo is not None:
        ts = ts.astimezone(CST).replace(tzinfo=None)
    return ts
