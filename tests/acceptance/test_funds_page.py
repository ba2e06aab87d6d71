"""资金记录 (issue 12 item 6) under AppTest, on the acceptance tests' own writable demo
database: source and use are selects of the programme's closed list, each with its
clause. 忻州 三(三)“配套资金不得造成地方政府隐形债务,不得偿还以往工程欠款”: an entry declared
偿还以往工程欠款 is refused with the clause and nothing is written, whatever its note says;
“监理费（避免工程欠款）” declared 工程监理 is recorded. A read-only role gets no form."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ruralcore.app import funding
from ruralcore.rules.programs import load_program

PAGE = "county/funds.py"
X = load_program("xinzhou-2023")
XINFU = ("county_admin", "140902", "忻府区财政")


def _n(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT COUNT(*) FROM fund_entries WHERE program = 'xinzhou-2023'")).scalar_one()


def _fill(at, use: str, amount: int, note: str):
    at.selectbox(key="fd_source").set_value("county_budget")
    at.selectbox(key="fd_use").set_value(use)
    at.number_input(key="fd_amount").set_value(amount)
    at.date_input(key="fd_date").set_value(dt.date(2023, 6, 1))
    at.text_input(key="fd_note").input(note)
    next(b for b in at.button if b.label == "记录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_fund_entry_by_category_select(acc_app, acc_engine):
    at = acc_app(PAGE, program=X.id, login=XINFU)
    assert not at.exception, [e.value for e in at.exception]
    labels = at.selectbox(key="fd_use").options  # the closed list, each with its clause
    assert len(labels) == len(funding.category_options(X, "use"))
    assert "偿还以往工程欠款（三(三)）——文件禁止" in labels and "工程监理（二(二)）" in labels
    src = at.selectbox(key="fd_source").options
    assert any(s.startswith("形成地方政府隐形债务") and s.endswith("文件禁止") for s in src)
    subjects = funding.fund_subjects(acc_engine, X)
    mine = subjects[subjects["code"].isin(["XZ2023-T01", "XZ2023-V01", "XZ2023-V02", "XZ2023-V03"])]
    assert at.selectbox(key="fd_subject").options == [f"{n}（{c}）" for c, n in zip(mine["code"], mine["name"])]

    before = _n(acc_engine)
    _fill(at, "old_arrears", 300000, "偿还2022年道路项目欠款")
    assert any("三(三)" in e.value and "偿还以往工程欠款" in e.value for e in at.error)
    assert _n(acc_engine) == before  # refused: nothing written
    _fill(at, "supervision", 20000, "监理费（避免工程欠款）")
    assert not at.error and any("已记录" in s.value for s in at.success)
    assert _n(acc_engine) == before + 1
    with acc_engine.connect() as c:
        row = c.execute(sa.text("SELECT source_category, use_category, use, note FROM fund_entries "
                                "ORDER BY id DESC LIMIT 1")).one()
    assert tuple(row) == ("county_budget", "supervision", "工程监理", "监理费（避免工程欠款）")


def test_auditor_reads_without_a_form(acc_app):
    at = acc_app(PAGE, program=X.id, login=("auditor", "", "审计员甲"))
    assert not at.exception, [e.value for e in at.exception]
    assert not [s for s in at.selectbox if s.key == "fd_use"]
    assert any("只读" in i.value for i in at.info)
    assert len(at.dataframe) >= 1  # the closed list and the entries
