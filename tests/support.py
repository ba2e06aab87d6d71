"""Helpers shared by test folders (import as ``from tests.support import …``).

RURALCORE_REQUIRE_ALL=1 (set by CI) turns a missing PostgreSQL server or browser into a
failure instead of a skip, so CI cannot pass by skipping."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

REQUIRE_ALL = os.environ.get("RURALCORE_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@contextmanager
def fresh_database(kind: str, directory, tag: str = "test") -> Iterator[str]:
    """URL of a new, empty database: a SQLite file in ``directory``, or a uniquely named
    database on the TEST_POSTGRES_URL server (dropped afterwards; skip_or_fail without it)."""
    from ruralcore.store import db

    if kind == "sqlite":
        url, drop = f"sqlite:///{Path(directory) / f'{tag}.db'}", None
    else:
        url, drop = _new_postgres_database(tag)
    try:
        yield url
    finally:
        db.dispose(url)  # close the cached engine's connections before dropping its database
        if drop:
            drop()


def _new_postgres_database(tag: str):
    """A new database on the TEST_POSTGRES_URL server: its URL and the function that drops it."""
    import sqlalchemy as sa

    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("TEST_POSTGRES_URL 未设置：PostgreSQL 测试需要 scripts/test.sh 启动的服务器")
    name = f"rc_{tag}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False), drop


@contextmanager
def migrated_to(url: str, revision: str) -> Iterator:
    """A connection, in one transaction, on the database of ``url`` brought by the migrations
    up to ``revision`` only (the schema an older release left); the next get_engine(url)
    upgrades it to the head."""
    from alembic import command
    from ruralcore.store import db

    db.dispose(url)
    raw = db._make_engine(url)
    cfg = db.alembic_config(raw)
    try:
        with raw.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            yield conn
    finally:
        raw.dispose()


# ---- the county demo database and the app under AppTest (tests/dashboards, tests/acceptance,
# tests/supervision through the dashboards' conftest, tests/browser) ----------------------------

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"


def build_demo_database(tmp_path_factory, tag: str, scale: str = "county") -> str:
    """URL of a new SQLite file, in a fresh temporary folder named ``tag``, holding ruralcore's
    demo data at ``scale`` (built by ruralcore.demo). Each test folder that writes to its demo
    database builds its own, so one folder's writes never reach another's expectations."""
    from ruralcore.demo import build_demo
    from ruralcore.store import db

    url = f"sqlite:///{tmp_path_factory.mktemp(tag) / f'{scale}.db'}"
    build_demo(db.get_engine(url), scale)
    return url


def sqlite_copy(src, dst) -> Path:
    """Copy the SQLite database ``src`` (a path or a sqlite URL) to the file ``dst`` through
    SQLite's backup API: a consistent snapshot even while the source is in WAL mode."""
    import sqlite3

    import sqlalchemy as sa

    if str(src).startswith("sqlite:"):
        src = sa.make_url(str(src)).database
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return Path(dst)


def open_app(eng, page: str | None = None, program: str | None = None, login: tuple | None = None,
             state: dict | None = None, query: dict | None = None, timeout: float = 120):
    """An AppTest of dashboards/app.py that has run once, then once more on ``page`` when given:
    signed in on ``eng`` as ``login`` = (role, region[, user name]) (None: signed out), with
    ``program`` and ``state`` in the session and ``query`` in the URL. The pages read the
    database named by DATABASE_URL, which the caller sets to ``eng``'s (demo_env, acc_env)."""
    from streamlit.testing.v1 import AppTest

    from tests.login_support import sign_in

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if login is not None:
        sign_in(at, eng, *login)
    if program:
        at.session_state["program"] = program
    for k, v in (state or {}).items():
        at.session_state[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Streamlit's caches live in the process: clear them so tests do not see each other.
    Autouse where a conftest imports it (tests/dashboards, tests/acceptance, tests/supervision)."""
    import streamlit as st
    st.cache_data.clear()
    yield


def _html_frames(html: str):
    """(numbers parsed, every cell as printed) of the first table in ``html``."""
    import io

    import lxml.html
    import pandas as pd

    frame = pd.read_html(io.StringIO(html), flavor="lxml", keep_default_na=False)[0]
    doc = lxml.html.fromstring(html)
    text = pd.DataFrame([[td.text_content() for td in tr.findall("td")] for tr in doc.iter("tr") if tr.findall("td")],
                        columns=[th.text_content() for th in doc.iter("th")])
    return frame, text


def click_tables(at) -> dict:
    """The row-click tables (dashboards.ui.htmltable) an AppTest drew, by key: {'frame':
    the table (numbers parsed), 'text': every cell as printed, 'keys': the row keys,
    'html': its HTML, 'long': whether it scrolls inside its box}. AppTest cannot click them (a browser component): it reads what they
    show; tests/browser clicks."""
    import json

    from dashboards.ui.htmltable import NAME

    out = {}
    for el in at.get("bidi_component"):
        if getattr(el.proto, "component_name", "") != NAME:
            continue
        data = json.loads(el.proto.json)
        frame, text = _html_frames(data["html"])
        out[el.key] = {"frame": frame, "text": text, "keys": data["keys"], "html": data["html"], "long": data["long"]}
    return out


def shown_tables(at) -> list:
    """Every table of the page in order, as DataFrames: grids (st.dataframe, their data),
    st.table, and the HTML tables of dashboards.ui.htmltable (numbers parsed)."""
    import json

    from dashboards.ui.htmltable import NAME

    out = []
    for node in at.main:
        kind = getattr(node, "type", "")
        if kind in ("dataframe", "table"):
            out.append(node.value)
        elif kind == "html" and "rc-box" in node.value:
            out.append(_html_frames(node.value)[0])
        elif kind == "bidi_component" and getattr(node.proto, "component_name", "") == NAME:
            out.append(_html_frames(json.loads(node.proto.json)["html"])[0])
    return out


def first_township_reader(engine, program_id: str = "huayuan-2019"):
    """(township code, the codes its township officer reads) of the programme's first township."""
    from ruralcore.app import overview as ov
    from ruralcore.auth.scope import Actor, visible_regions

    regions = ov.region_frame(engine, program_id)
    town = regions.index[regions["level"] == "township"][0]
    with engine.connect() as c:
        return town, visible_regions(Actor("t", "township_officer", town), c)
