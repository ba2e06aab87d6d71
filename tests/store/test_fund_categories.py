"""Fund prohibitions by declared category (issue 12 item 6), on SQLite and PostgreSQL.

忻州 三(三)：“县级根据实际建设需要自行确定,合理配套数字试点建设资金,配套资金不得造成地方政府隐形债务,
不得偿还以往工程欠款。”  融水 八(二)：“切实加强项目资金管理,规范资金支出范围,严禁挤占、挪用,确保专款专用。”
Each fund entry declares a source and a use from the programme's closed list; a category
the document forbids is refused with its clause (exit 2, nothing written), and the text
beside an entry never decides: “偿还2022年道路项目欠款” declared as 偿还以往工程欠款 is
refused, “监理费（避免工程欠款）” declared as 工程监理 is recorded."""
from __future__ import annotations

import json

import alembic.config  # noqa: F401 — imported here, not under capsys: Config() keeps the sys.stdout of its import
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import funding
from ruralcore.cli import main
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program
from ruralcore.store import db

XZ, RS = load_program("xinzhou-2023"), load_program("rongshui-2019")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_closed_lists_come_from_the_clauses(capsys):
    code, out, _ = run(capsys, "funds", "categories", "xinzhou-2023", "--json")
    assert code == 0
    rows = json.loads(out)
    assert all(set(r) == {"code", "name", "kind", "allowed", "ref"} for r in rows)
    refused = {r["code"]: r for r in rows if not r["allowed"]}
    assert set(refused) == {"hidden_debt", "old_arrears"}
    assert refused["hidden_debt"]["kind"] == "source" and refused["hidden_debt"]["ref"] == "三(三)"
    assert refused["old_arrears"]["kind"] == "use" and refused["old_arrears"]["name"] == "偿还以往工程欠款"
    assert {r["kind"] for r in rows} == {"source", "use"} and all(r["ref"] for r in rows)
    rs = json.loads(run(capsys, "funds", "categories", "rongshui-2019", "--json")[1])
    assert {r["code"] for r in rs if not r["allowed"]} == {"diverted"}  # 八(二) 严禁挤占、挪用
    assert {r["ref"] for r in rs if r["kind"] == "use" and r["allowed"]} == {"七(一)"}  # 使用范围
    assert RS.funding_rule("special_purpose").ref.startswith("八(二)")  # 专款专用 is a rule of its own
    code, out, _ = run(capsys, "funds", "categories", "xinzhou-2023")
    assert code == 0 and "禁止" in out and "偿还以往工程欠款" in out
    # `funds PROGRAM` still gives the allocation (30,150,000 元 for 忻州's 67 pilots)
    assert "30,150,000" in run(capsys, "funds", "xinzhou-2023")[1]


def test_the_category_decides_never_the_text():
    entries = pd.DataFrame({
        "source_category": ["county_budget", "county_budget", "hidden_debt", "county_budget"],
        "use_category": ["old_arrears", "supervision", "construction", "construction"],
        "note": ["偿还2022年道路项目欠款", "监理费（避免工程欠款）", "通过城投平台公司借款配套", "偿还以往工程欠款"],
        "amount_yuan": [300000, 20000, 500000, 1]})
    checked = funding.check_fund_entries(XZ, entries)
    assert checked["refused"].tolist() == [True, False, True, False]
    assert checked["refused_by"].tolist()[0] == "old_arrears" and checked["refused_by"].tolist()[2] == "hidden_debt"
    assert "三(三)" in checked["reason"].iloc[0] and "隐形债务" in checked["reason"].iloc[2]
    with pytest.raises(InputError) as e:
        funding.validate_fund_entries(XZ, entries)
    msg = str(e.value)
    assert "第1行" in msg and "“用途类别”列" in msg and "第3行" in msg and "“来源类别”列" in msg
    assert "第2行" not in msg and "第4行" not in msg
    with pytest.raises(InputError, match="第1行.*用途类别.*不在文件规定的清单中"):
        funding.check_fund_entries(XZ, pd.DataFrame({"source_category": ["county_budget"], "use_category": ["道路"]}))
    with pytest.raises(InputError, match="缺少用途类别列"):
        funding.check_fund_entries(XZ, pd.DataFrame({"source_category": ["county_budget"], "use": ["宽带建设"]}))
    rs = funding.check_fund_entries(RS, pd.DataFrame({"source_category": ["region_finance"] * 2,
                                                      "use_category": ["diverted", "equipment"]}))
    assert rs["refused"].tolist() == [True, False] and "八(二)" in rs["reason"].iloc[0]


def _count(url) -> pd.DataFrame:
    with db.get_engine(url).connect() as c:
        return pd.read_sql(sa.text("SELECT source_category, use_category, source, use, note, amount_yuan "
                                   "FROM fund_entries ORDER BY id"), c)


def test_recording_a_refused_category_fails_with_exit_2(capsys, db_url):
    common = ["--kind", "county_matching", "--date", "2023-06-01", "--region", "140902", "--db", db_url]
    code, _, err = run(capsys, "funds", "record", "xinzhou-2023", "--source", "county_budget", "--use", "old_arrears",
                       "--amount", "300000", "--note", "偿还2022年道路项目欠款", *common)
    assert code == 2 and "三(三)" in err and "偿还以往工程欠款" in err and "Traceback" not in err
    code, _, err = run(capsys, "funds", "record", "xinzhou-2023", "--source", "hidden_debt", "--use", "construction",
                       "--amount", "500000", "--note", "城投公司借款", *common)
    assert code == 2 and "隐形债务" in err and "三(三)" in err
    code, _, err = run(capsys, "funds", "record", "xinzhou-2023", "--source", "county_budget", "--use", "道路",
                       "--amount", "1", *common)
    assert code == 2 and "不在文件规定的清单中" in err
    assert _count(db_url).empty  # nothing half-written
    code, out, err = run(capsys, "funds", "record", "xinzhou-2023", "--source", "county_budget", "--use", "supervision",
                         "--amount", "20000", "--note", "监理费（避免工程欠款）", *common)
    assert code == 0, err
    code, _, err = run(capsys, "funds", "record", "rongshui-2019", "--kind", "spending", "--source", "region_finance",
                       "--use", "diverted", "--amount", "8000", "--date", "2019-10-08", "--region", "450225",
                       "--db", db_url)
    assert code == 2 and "八(二)" in err and "挪用" in err
    rows = _count(db_url)
    assert rows.to_dict("records") == [{"source_category": "county_budget", "use_category": "supervision",
                                        "source": "县级财政预算安排的配套资金", "use": "工程监理",
                                        "note": "监理费（避免工程欠款）", "amount_yuan": 20000}]
