"""The monthly circular on the demo database: the .docx (opened with python-docx) and the
.xlsx carry ruralcore's numbers — ranking, laggards, overdue steps, late and missing
reports — laid out as a government document; the `circular` command and its errors."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from ruralcore.app import circulars, responsibility as rs, supervision as sv
from ruralcore.cli import main
from ruralcore.kernel.fmt import date_zh
from ruralcore.rules.programs import load_program

XZ = load_program("xinzhou-2023")
PERIOD = "2023-12"
ISSUED = dt.date(2024, 1, 8)


@pytest.fixture(scope="module")
def sup(demo_engine):
    return sv.supervise(sv.load_pilot_data(demo_engine, XZ), PERIOD)


@pytest.fixture(scope="module")
def doc(sup, demo_engine, tmp_path_factory):
    c = circulars.circular(sup, issued=ISSUED, **circulars.duban(demo_engine, XZ.id, sup["as_of"]))
    path = tmp_path_factory.mktemp("circ") / "c.docx"
    path.write_bytes(circulars.to_docx(c))
    return docx.Document(str(path))


def rows(table) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in table.rows]


def test_heading_number_blank_recipients_and_signature(doc):
    texts = [p.text for p in doc.paragraphs]
    assert "忻州市乡村振兴局办公室" in texts[0]  # 发文机关标志 (the programme's issuer)
    assert "忻乡振办〔2024〕  号" in texts  # 文号 with the number left blank
    assert any(t.startswith("关于2023年12月") and t.endswith("工作进展情况的通报") for t in texts)
    assert any(t.startswith("各县（市、区）") and t.endswith("：") for t in texts)
    assert texts[-2:] == ["忻州市乡村振兴局办公室", "2024年1月8日"]
    body = "\n".join(texts)
    assert "全市共有试点67个（数字乡镇22个、数字村庄45个）" in body  # 二(一): 22 + 45 = 67
    assert "忻乡振发〔2023〕3号" in body


def test_government_layout_a4_margins_and_east_asian_fonts(doc):
    s = doc.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    assert (round(s.top_margin.mm), round(s.left_margin.mm)) == (37, 28)  # GB/T 9704 天头, 订口
    fonts = {}
    for p in doc.paragraphs:
        for r in p.runs:
            rf = r._element.rPr.find(qn("w:rFonts"))
            fonts[p.text] = rf.get(qn("w:eastAsia"))
    title = next(t for t in fonts if t.endswith("通报"))
    assert fonts[title] == "方正小标宋简体"
    assert fonts["一、总体进展"] == "黑体"
    assert next(v for t, v in fonts.items() if t.startswith("根据《")) == "仿宋_GB2312"
    assert "PAGE" in s.footer._element.xml  # page number field


def test_table1_ranking_is_ruralcore_scorecard(doc, sup):
    card = sup["scorecard"]
    t = rows(doc.tables[0])
    assert t[0][:2] == ["排名", "县（市、区）"]
    counties = card[card["county"] != sv.CITY]
    assert [r[1] for r in t[1:-1]] == counties["county_name"].tolist()
    # competition ranking: counties equal on the three rates share a rank, said 并列
    assert [r[0] for r in t[1:-1]] == counties["rank_label"].tolist()
    assert t[1][0] == "1（并列）" and [r[0] for r in t[1:-1]].count("1（并列）") == 6
    assert t[-1][1] == "全市" and t[-1][2] == "67"
    for r, (_, c) in zip(t[1:], card.iterrows()):
        assert r[4] == f"{c['on_schedule_rate']:.1f}" and r[6] == f"{c['on_time_rate']:.1f}"
        assert (r[7], r[8]) == (str(c["late"]), str(c["missing"]))


def test_table2_laggards_by_name_with_what_is_behind(doc, sup, demo_engine):
    lag = sup["laggards"]
    t = rows(doc.tables[1])
    assert len(t) - 1 == len(lag) > 0
    assert [r[2] for r in t[1:]] == lag["name"].tolist()
    assert [r[4] for r in t[1:]] == lag["behind"].tolist()
    worst = lag.iloc[0]
    assert t[1][5] == str(worst["days_behind"]) and "三(四)" in t[1][6]
    # the responsible leader of each laggard (三(二) 包点领导责任清单; demo leaders say 演示)
    lead = rs.leaders(demo_engine, XZ.id)["text"]
    assert t[0][7] == "包点领导" and [r[7] for r in t[1:]] == lag["pilot"].map(lead).tolist()
    assert all("演示" in r[7] and "人民政府" in r[7] for r in t[1:])


def test_table3_overdue_steps(doc, sup):
    over = sup["steps"][sup["steps"]["state"] == "overdue"]
    t = rows(doc.tables[2])
    assert len(t) - 1 == len(over) > 0
    assert sorted((r[2], r[3]) for r in t[1:]) == sorted(
        zip(over["pilot"].map(sup["board"].set_index("pilot")["name"]), over["step_name"]))
    first = t[1]
    # 开工建设 due 2023-06-30 (三(四)): on 2023-12-31, 184 days overdue
    assert first[3:] == ["开工建设", date_zh("2023-06-30"), "184", "三(四)"]


def test_table4_late_and_missing_reports(doc, sup):
    card = sup["scorecard"].set_index("county")
    t = rows(doc.tables[3])
    kinds = [r[4] for r in t[1:]]
    assert kinds.count("未报") == card.loc[sv.CITY, "missing"] and kinds.count("迟报") == card.loc[sv.CITY, "late"]
    h = sup["history"]
    late = h[(h["period"] == PERIOD) & h["late"]].set_index("region")
    names = sup["board"].set_index("pilot")["name"]
    for r in t[1:]:
        if r[4] == "迟报":
            code = names[names == r[2]].index[0]
            assert r[6] == str(late.at[code, "days_late"]) and int(r[6]) > 0
    assert all(r[-1] == "四(五)" for r in t[1:])


def test_workbook_has_the_same_tables(sup):
    c = circulars.circular(sup, issued=ISSUED)
    import io
    wb = openpyxl.load_workbook(io.BytesIO(circulars.to_xlsx(c)))
    assert wb.sheetnames == ["通报", "表1", "表2", "表3", "表4"]
    ws = wb["表1"]
    assert ws["A1"].value.startswith("表1")
    card = sup["scorecard"]
    assert [ws.cell(row=i, column=2).value for i in range(3, 3 + len(card))] == card["county_name"].tolist()
    # money in 万元, exact: the city's spending
    assert ws.cell(row=2 + len(card), column=11).value == pytest.approx(int(card["spent_yuan"].iloc[-1]) / 10000)
    assert wb["表3"].max_row - 2 == int((sup["steps"]["state"] == "overdue").sum())


def test_cli_writes_docx_and_xlsx(demo_db_url, tmp_path, capsys):
    out = tmp_path / "通报.docx"
    assert main(["circular", "xinzhou-2023", "--period", PERIOD, "--out", str(out), "--db", demo_db_url,
                 "--issued", "2024-01-08"]) == 0
    assert out.exists() and out.with_suffix(".xlsx").exists()
    d = docx.Document(str(out))
    assert len(d.tables) == 4 and d.paragraphs[-1].text == "2024年1月8日"


@pytest.mark.parametrize("args, message", [
    (["--period", "2023-13"], "月份“2023-13”格式不对"),
    (["--period", "2030-01"], "数据库中没有 2030-01 的月报数据"),
    (["--period", PERIOD, "--issued", "2024/01/08"], "成文日期“2024/01/08”格式不对"),
])
def test_cli_bad_input_exit_2_in_chinese(demo_db_url, tmp_path, capsys, args, message):
    assert main(["circular", "xinzhou-2023", "--out", str(tmp_path / "c.docx"), "--db", demo_db_url, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err


def test_cli_refuses_other_suffix_and_programme_without_pilots(demo_db_url, tmp_path, capsys):
    assert main(["circular", "xinzhou-2023", "--period", PERIOD, "--out", str(tmp_path / "c.pdf"),
                 "--db", demo_db_url]) == 2
    assert ".docx 或 .xlsx" in capsys.readouterr().err
    assert main(["circular", "huayuan-2019", "--period", "2019-06", "--out", str(tmp_path / "c.docx"),
                 "--db", demo_db_url]) == 2
    assert "试点数据" in capsys.readouterr().err


def test_cli_process_exit_status_no_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ruralcore", "circular", "xinzhou-2023", "--period", "bad",
                        "--out", str(tmp_path / "c.docx")], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "错误：" in r.stderr


def test_default_date_is_the_first_working_day_after_reports_are_due(sup):
    # 2023年12月 reports due 2024-01-05 (Friday, 四(五) setting: 次月5日) → Monday 2024-01-08
    assert circulars.default_issued(XZ, "2023-12") == dt.date(2024, 1, 8)
    # 2023年9月 reports due 2023-10-05 inside the National Day holiday; 10-07 is a 调休 working Saturday
    assert circulars.default_issued(XZ, "2023-09") == dt.date(2023, 10, 7)
    assert circulars.circular(sup).issued == dt.date(2024, 1, 8)
    body = "\n".join(t for k, t in circulars.circular(sup).blocks if k == "p")
    assert "市级衔接资金应安排3,015万元" in body  # 67 pilots × 45万元 (三(三))


def test_tied_counties_are_named_together_never_a_subset(doc, sup):
    """Six 忻州 counties are equal on all three ranking rates in 2023-12 (the demo at county
    and city scale alike): “排名前三位” names all six as 并列第1名 — on today's main it named
    three of them, picked by their code. The ranking and tie rules are defaults, said so."""
    card = sup["scorecard"]
    ranked = card[card["county"] != sv.CITY]
    first = ranked[ranked["rank"] == 1]["county_name"].tolist()
    assert len(first) == 6
    text = next(p.text for p in doc.paragraphs if "排名前三位" in p.text)
    assert f"第1名：{'、'.join(first)}（6个并列）" in text
    assert "文件未规定，系统默认" in text and "四(四)" in text
    last = ranked.sort_values("rank").tail(3)
    tail = text.split("排名后三位")[1]
    assert all(n in tail for n in last["county_name"])
    # no county outside the cuts is named, none tied at a cut is left out
    named = [n for n in ranked["county_name"] if n in text]
    cut_top = ranked[ranked["rank"] <= ranked["rank"].nsmallest(3).max()]
    cut_bottom = ranked[ranked["rank"] >= ranked["rank"].nlargest(3).min()]
    assert set(named) == set(cut_top["county_name"]) | set(cut_bottom["county_name"])


def test_the_city_demo_has_the_same_pilots_as_the_county_demo():
    """The circular test above runs on the county demo; `ruralcore demo --scale city` builds
    the same 忻州 pilots and reports (only other programmes' villages grow with the scale)."""
    from ruralcore.demo.generate import xinzhou
    city, county = xinzhou("city"), xinzhou("county")
    for table in ("pilots", "reports", "fund_entries"):
        assert city[table].equals(county[table]), table
