"""The acceptance record (验收记录) as a Word document (python-docx).

Laid out as an official record: title (标题), record number (编号), a table of the case
(subject, dates, inspectors), the checklist table with each item's result and clause,
the conclusion, the rectification items with their time limit (整改通知), and the
signature block (签字栏). East Asian fonts are set explicitly (w:eastAsia) so Word shows
宋体 / 仿宋 / 黑体 instead of falling back to a Western font.
"""
from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ruralcore.rules import acceptance
from ruralcore.app import checklists
from ruralcore.kernel.fmt import date_zh
from ruralcore.rules.programs import Program

BODY_FONT, TITLE_FONT, TABLE_FONT = "仿宋", "黑体", "宋体"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(doc_or_cell, text: str, font: str = BODY_FONT, size: float = 14, bold: bool = False,
          align=None, space_after: float = 4):
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    _font(p.add_run(text), font, size, bold)
    return p


def _cell(cell, text: str, bold: bool = False, size: float = 10.5) -> None:
    p = cell.paragraphs[0]  # a new cell holds one empty paragraph
    _font(p.add_run(str(text)), TABLE_FONT, size, bold)


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float] | None = None):
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, h in zip(t.rows[0].cells, header):
        _cell(c, h, bold=True)
    for r in rows:
        cells = t.add_row().cells
        for c, v in zip(cells, r):
            _cell(c, v)
    if widths:
        for row in t.rows:
            for c, w in zip(row.cells, widths):
                c.width = Cm(w)
    return t


def record_number(case: dict) -> str:
    """编号: programme, year of the latest inspection, case id — stable for a case."""
    when = case.get("reinspected_on") or case.get("inspected_on") or case.get("completed_on")
    year = pd.Timestamp(when).year if when else ""
    return f"验收〔{year}〕{int(case['id']):04d}号"


def acceptance_record(program: Program, case: dict, checklist: pd.DataFrame, subject_name: str = "") -> bytes:
    """The record of a case's latest inspection as .docx bytes.

    ``case``: a row of acceptance_cases (cases.get_case); ``checklist``: the checklist the
    inspection used (ruralcore.app.checklists)."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    wf = acceptance.workflow(program)  # the document's own path: who inspects, whether a city step follows
    re_inspect = bool(case.get("reinspected_on"))
    kind = wf.reinspection.name if re_inspect else wf.inspection.name
    inspected = case.get("reinspected_on") or case.get("inspected_on")
    title = f"项目{kind}记录" if "验收" in kind else f"项目验收{kind}记录"  # 评估验收 / 验收初检
    _para(doc, f"{program.meta.short_title}{title}", TITLE_FONT, 20, True, WD_ALIGN_PARAGRAPH.CENTER, 6)
    _para(doc, f"编号：{record_number(case)}", BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.RIGHT)

    subject = f"{subject_name}（{case['subject']}）" if subject_name else str(case["subject"])
    info = [
        ["验收对象", subject],
        ["所属方案", f"{program.meta.title}（{program.meta.doc_number or program.meta.issuer}）"],
        ["建成日期", date_zh(case.get("completed_on"))],
        *([[wf.application.name + "日期", date_zh(case.get("applied_on"))]] if wf.application else []),
        [f"{kind}日期", date_zh(inspected)],
        ["验收组织", f"{(wf.reinspection if re_inspect else wf.inspection).by}（{wf.inspection.ref}）"],
        ["检查人员", case.get("inspectors") or "未填写"],
        ["当前状态", acceptance.state_names(program).get(case.get("state"), case.get("state") or "未填写")],
        ["验收结果去向", (f"合格后{wf.final.name}（{wf.final.by}）" if wf.final else "检查合格即验收通过")
         + (f"；{wf.report_to}" if wf.report_to else "") + f"（{wf.ref}）"],
    ]
    _table(doc, ["项目", "内容"], info, [4, 12.6])

    _para(doc, "一、检查情况", TITLE_FONT, 14, True, space_after=2).paragraph_format.space_before = Pt(10)
    shown = checklists.display(checklist)
    rows = [[str(i + 1), r["检查项目"], r["要求"], r["检查情况"], r["结果"], r["依据条款"]]
            for i, r in enumerate(shown.to_dict("records"))]
    _table(doc, ["序号", "检查项目", "要求", "检查情况", "结果", "依据"], rows, [1.1, 3.0, 4.2, 4.6, 1.4, 2.3])

    fails = checklists.failures(checklist)
    _para(doc, "二、验收结论", TITLE_FONT, 14, True, space_after=2).paragraph_format.space_before = Pt(10)
    verdict = {"passed": "合格", "failed": "不合格"}.get(case.get("result"), "未检查")
    _para(doc, f"{kind}结论：{verdict}。{case.get('conclusion') or ''}")

    _para(doc, "三、整改事项", TITLE_FONT, 14, True, space_after=2).paragraph_format.space_before = Pt(10)
    if case.get("result") == "failed" and len(fails):
        due = case.get("rectify_due")
        _para(doc, f"整改通知书日期：{date_zh(case.get('rectify_notice_on'))}；整改期限：{date_zh(due)}前完成整改"
                   f"（依据{_rectify_ref(program)}）。")
        _table(doc, ["序号", "整改事项", "存在问题", "依据", "整改期限"],
               [[str(i + 1), r["name"], r["reason"], r["ref"], date_zh(due)] for i, r in enumerate(fails.to_dict("records"))],
               [1.1, 4.0, 6.0, 2.5, 3.0])
    else:
        _para(doc, "无。")

    _para(doc, "四、签字", TITLE_FONT, 14, True, space_after=2).paragraph_format.space_before = Pt(10)
    _table(doc, ["检查组成员（签字）", "验收对象负责人（签字）", f"{wf.signatory}（盖章）"],
           [["\n\n\n", "\n\n\n", "\n\n\n"], ["日期：    年  月  日", "日期：    年  月  日", "日期：    年  月  日"]],
           [5.5, 5.5, 5.6])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rectify_ref(program: Program) -> str:
    s = next((s for s in program.settings if s.code == "rectify_within_workdays"), None)
    return s.ref if s else program.meta.short_title


def record_filename(case: dict) -> str:
    return f"验收记录_{case['subject']}_{int(case['id'])}.docx"
