"""HTML injection: every free-text input of every page gets an <img onerror> payload, each
save button the page offers is pressed, and then no HTML the app renders itself
(st.markdown with unsafe_allow_html, st.html) carries the payload as markup — it is shown
escaped, as typed. Pages that show what was saved are opened again afterwards.

AppTest on a county demo database, on SQLite and on PostgreSQL; the browser test of the 月度通报 文号 is in
tests/browser/test_supervision_flow.py."""
from __future__ import annotations

import pytest

from tests.support import fresh_database, open_app

PAYLOAD = '<img src=x onerror="document.title=\'pwned\'">'
# buttons that save what was typed (never 停用/清除/退出)
SAVE = ("登录", "修改密码", "创建", "保存", "保存监测记录", "记录完成", "保存方案", "新建案件",
        "记录申请验收", "检查不合格，下发整改通知书")
COUNTY = ("county_admin", "433124", "html_admin")
AUDITOR = ("auditor", "", "html_auditor")
# (page file, programme, account): every page with a text input, as a role that may write there
PAGES = [
    ("admin/login.py", None, None),
    ("admin/login.py", None, COUNTY),
    ("admin/accounts.py", None, COUNTY),
    ("admin/households.py", None, "HOUSEHOLDS"),
    ("admin/report_fix.py", "huayuan-2019", COUNTY),
    ("admin/audit.py", None, COUNTY),
    ("county/whatif.py", "huayuan-2019", COUNTY),
    ("county/milestones.py", "huayuan-2019", COUNTY),
    ("acceptance/cases.py", "huayuan-2019", COUNTY),
    ("acceptance/check.py", "huayuan-2019", COUNTY),
    ("supervision/circular.py", "xinzhou-2023", AUDITOR),
]
# pages that show what the others saved
SHOWN = [("admin/audit.py", None, COUNTY), ("admin/accounts.py", None, COUNTY),
         ("county/whatif.py", "huayuan-2019", COUNTY), ("county/milestones.py", "huayuan-2019", COUNTY),
         ("admin/households.py", None, "HOUSEHOLDS"), ("acceptance/cases.py", "huayuan-2019", COUNTY),
         ("county/overview.py", "huayuan-2019", COUNTY)]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request, tmp_path_factory):
    """The county demo on SQLite and on PostgreSQL: the payloads are stored, then read back."""
    from ruralcore.demo import build_demo
    from ruralcore.store import db

    with fresh_database(request.param, tmp_path_factory.mktemp("html-injection"), "html") as url:
        build_demo(db.get_engine(url), "county")
        yield db.get_engine(url)


def _households_admin(engine) -> tuple:
    """A county admin of the county that holds the demo households (they are not in 花垣)."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        county = conn.execute(sa.text(
            "SELECT t.parent FROM households h JOIN regions v ON v.code = h.village "
            "JOIN regions t ON t.code = v.parent ORDER BY h.id LIMIT 1")).scalar()
    return ("county_admin", county, "html_hh_admin")


def _html(at) -> list[str]:
    """Everything the page handed to the browser as raw HTML."""
    return ([m.value for m in at.markdown if m.proto.allow_html]
            + [h.proto.body for h in at.get("html")])


def _type_everywhere(at, where: str) -> int:
    """Type the payload into every text input on the page (some already hold it, saved on
    another page); how many there were."""
    n = len(at.text_input)
    if n:
        for ti in at.text_input:
            ti.set_value(PAYLOAD)
        at.run()
        _check(at, f"{where} typed")
    return n


def _check(at, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    for body in _html(at):
        assert "<img" not in body.lower(), (where, body[:300])  # escaped text (&lt;img …) is fine


def test_every_text_input_is_rendered_escaped(demo, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo.url.render_as_string(hide_password=False))
    filled, households = {}, _households_admin(demo)
    for path, program, login in PAGES:
        login = households if login == "HOUSEHOLDS" else login
        at = open_app(demo, page=path, program=program, login=login)
        _check(at, path)
        filled[path] = filled.get(path, 0) + _type_everywhere(at, path)
        clicked: set[str] = set()
        while True:  # each save button once; a save may bring new inputs (a case applied for)
            todo = [b for b in at.button if b.label in SAVE and b.label not in clicked and not b.disabled]
            if not todo:
                break
            clicked.add(todo[0].label)
            todo[0].click()
            at.run()
            _check(at, f"{path} after {todo[0].label}")
            filled[path] += _type_everywhere(at, path)
    # every page listed has free text, and all of it was filled
    assert not [p for p, _, _ in PAGES if not filled[p]], filled
    escaped = PAYLOAD.replace("<", "&lt;").replace(">", "&gt;")
    circular = open_app(demo, page="supervision/circular.py", program="xinzhou-2023", login=AUDITOR)
    [ti.set_value(PAYLOAD) for ti in circular.text_input if ti.label == "文号"]
    circular.run()
    assert any("&lt;img" in body for body in _html(circular)), "the 文号 is shown, escaped"
    assert escaped[:20] in " ".join(_html(circular))
    for path, program, login in SHOWN:
        login = households if login == "HOUSEHOLDS" else login
        _check(open_app(demo, page=path, program=program, login=login), f"{path} showing saved text")
