"""The acceptance record (.docx) opened with python-docx: subject, inspectors, every
checklist item with its result, the conclusion, the rectification items with their
time limit, the signature block, and East Asian fonts set (w:eastAsia)."""
from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from ruralcore.app import cases, checklists, records
from ruralcore.rules.programs import load_program
from ruralcore.kernel.principal import system

P = load_program("rongshui-2019")


def _failed_case(engine, number):
    c = cases.open_case(engine, P, "station", number, "2019-09-27", system("录入员"), inspectors="张三、李四")
    c = cases.record_application(engine, c["id"], "2019-10-10", system("录入员"), c["version"])
    obs = checklists.station_observed(engine, P, number)
    obs["eq_info_wall"] = 0
    cl = checklists.station_checklist(P, obs)
    c = cases.record_inspection(engine, c["id"], "2019-10-15", cl, "fail", system("检查员"), c["version"])
    return c, cl


def _texts(d) -> tuple[str, list[list[list[str]]]]:
    paras = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    return paras, tables


def test_record_of_a_failed_initial_inspection(acc_engine, new_station):
    number = new_station()
    case, cl = _failed_case(acc_engine, number)
    blob = records.acceptance_record(P, case, cases.recorded_checklist(acc_engine, case), "测试村（标准站）")
    d = docx.Document(io.BytesIO(blob))
    paras, tables = _texts(d)
    assert "项目验收初检记录" in d.paragraphs[0].text
    assert f"编号：验收〔2019〕{case['id']:04d}号" in paras
    info = dict((r[0], r[1]) for r in tables[0][1:])
    assert info["验收对象"] == f"测试村（标准站）（{number}）"
    assert info["检查人员"] == "张三、李四"
    assert info["初检日期"] == "2019年10月15日" and info["申请验收日期"] == "2019年10月10日"

    check = tables[1]
    assert check[0] == ["序号", "检查项目", "要求", "检查情况", "结果", "依据"]
    assert len(check) - 1 == len(cl)  # every checklist item is in the record
    by_name = {r[1]: r for r in check[1:]}
    assert by_name["益农信息社信息墙"][4] == "不合格" and by_name["益农信息社信息墙"][5] == "附件2 序号4"
    assert by_name["打印复印一体机"][4] == "合格"
    assert by_name["信息员年度培训学时"][4] == "合格"
    assert "初检结论：不合格" in paras and "信息墙" in paras

    # rectification: the notice's date and its time limit (20 working days → 2019-11-12)
    assert "整改期限：2019年11月12日前完成整改" in paras
    rect = tables[2]
    assert rect[0] == ["序号", "整改事项", "存在问题", "依据", "整改期限"]
    assert rect[1] == ["1", "益农信息社信息墙", "现有0，应至少1", "附件2 序号4", "2019年11月12日"]
    assert "检查组成员（签字）" in tables[3][0][0]

    # fonts for East Asian text are named so Word shows 宋体/仿宋/黑体
    title_fonts = d.paragraphs[0].runs[0]._element.rPr.rFonts
    assert title_fonts.get(qn("w:eastAsia")) == "黑体"
    cell_fonts = d.tables[1].rows[1].cells[1].paragraphs[0].runs[0]._element.rPr.rFonts
    assert cell_fonts.get(qn("w:eastAsia")) == "宋体"


def test_record_after_reinspection_has_no_rectification_items(acc_engine, new_station):
    number = new_station()
    case, _ = _failed_case(acc_engine, number)
    case = cases.record_rectified(acc_engine, case["id"], "2019-11-01", system("录入员"), case["version"])
    cl = checklists.station_checklist(P, checklists.station_observed(acc_engine, P, number))
    case = cases.record_inspection(acc_engine, case["id"], "2019-11-05", cl, "pass", system("检查员"), case["version"])
    d = docx.Document(io.BytesIO(records.acceptance_record(P, case, cases.recorded_checklist(acc_engine, case))))
    paras, tables = _texts(d)
    assert "项目验收复检记录" in paras and "复检结论：合格" in paras
    assert "三、整改事项\n无。" in paras
    assert {r[4] for r in tables[1][1:]} <= {"合格", "—"}
    assert records.record_filename(case) == f"验收记录_{number}_{case['id']}.docx"
