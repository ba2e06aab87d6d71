"""The monthly circular (月度通报) of a pilot programme, as a Word document laid out as a
Chinese government document (GB/T 9704-style: A4, 公文 margins, 方正小标宋 title,
仿宋 body, 黑体/楷体 headings, East Asian fonts set through w:eastAsia) and as an Excel
workbook with the same tables.

``circular(sup, ...)`` turns ruralcore.app.supervision.supervise's result into a
``Circular`` (title, 文号 with a blank for the number, 主送, paragraphs, numbered tables
表1–表4, 落款 and date); ``to_docx`` / ``to_xlsx`` render it. Every number comes from
ruralcore.app.supervision (which calls the engines); nothing is recomputed here.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ruralcore.app import reporting
from ruralcore.kernel.cellsafe import neutralise_text
from ruralcore.kernel.fmt import date_zh, doc_prefix, period_zh, yuan  # doc_prefix: re-exported
from ruralcore.rules.programs import Program
from ruralcore.app.supervision import STATE_LABELS, STEPS, STEP_SHORT, step_totals

TITLE_FONT, BODY_FONT, HEAD_FONT, KAI_FONT, LATIN_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "Times New Roman"
CN_NUM = "一二三四五六七八九十"


@dataclass
class Table:
    number: int
    caption: str
    frame: pd.DataFrame  # Chinese headers; display strings for the document
    data: pd.DataFrame  # same rows, typed values (numbers, dates) for the workbook

    @property
    def title(self) -> str:
        return f"表{self.number}  {self.caption}"


@dataclass
class Circular:
    title: str
    doc_number: str
    recipients: str
    blocks: list = field(default_factory=list)  # ("h1"|"p", text) or ("table", Table)
    issuer: str = ""
    issued: dt.date | None = None
    period: str = ""
    program: str = ""

    @property
    def tables(self) -> list[Table]:
        return [b for k, b in self.blocks if k == "table"]


def wan(v) -> str:
    """Integer yuan → 万元 with two decimals, exact (Decimal)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{(Decimal(int(v)) / 10000).quantize(Decimal('0.01')):,}"


def wan_decimal(v) -> Decimal:
    return (Decimal(int(v)) / 10000).quantize(Decimal("0.01"))


def pct(v) -> str:
    return "—" if v is None or pd.isna(v) else f"{float(v):.1f}%"


# --------------------------------------------------------------------------------------
# tables

def ranking_table(card: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    c = card
    data = pd.DataFrame({
        "排名": c["rank_label"].where(c["rank"].notna(), ""),
        "县（市、区）": c["county_name"], "试点数": c["pilots"].astype(int),
        "按期推进": c["on_schedule"].astype(int), "按期推进率（%）": c["on_schedule_rate"].round(1),
        "月报报送率（%）": c["reporting_rate"].round(1), "按时报送率（%）": c["on_time_rate"].round(1),
        "迟报": c["late"].astype(int), "未报": c["missing"].astype(int),
        "资金到位（万元）": c["available_yuan"].map(wan_decimal), "累计支出（万元）": c["spent_yuan"].map(wan_decimal),
        "支出率（%）": c["spent_rate"].round(1), "指标建成率（%）": c["built_rate"].round(1),
    })
    shown = data.copy()
    for col in [k for k in data.columns if k.endswith("（%）")]:
        shown[col] = c[{"按期推进率（%）": "on_schedule_rate", "月报报送率（%）": "reporting_rate",
                        "按时报送率（%）": "on_time_rate", "支出率（%）": "spent_rate",
                        "指标建成率（%）": "built_rate"}[col]].map(lambda v: "—" if pd.isna(v) else f"{v:.1f}")
    for col in ("资金到位（万元）", "累计支出（万元）"):
        shown[col] = data[col].map(lambda d: f"{d:,}")
    shown = shown.astype(str)
    return shown, data


def laggard_table(lag: pd.DataFrame, leaders: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The laggards with the responsible leader of each (``leaders``: pilot → 单位 · 姓名（职务）,
    ruralcore.app.responsibility.leaders; 未登记 where the register has none)."""
    named = lag["pilot"].map(leaders if leaders is not None else {}).astype(object).fillna("未登记")
    data = pd.DataFrame({
        "序号": np.arange(1, len(lag) + 1), "县（市、区）": lag["county_name"].to_numpy(dtype=object),
        "试点名称": lag["name"].to_numpy(dtype=object), "类型": lag["type_label"].to_numpy(dtype=object),
        "滞后事项": lag["behind"].to_numpy(dtype=object),
        "最长逾期（天）": lag["days_behind"].to_numpy(dtype="int64"), "依据条款": lag["refs"].to_numpy(dtype=object),
        "包点领导": named.to_numpy(dtype=object),
    })
    shown = data.astype(str)
    shown["最长逾期（天）"] = np.where(data["最长逾期（天）"] > 0, shown["最长逾期（天）"], "—")
    return shown, data


def overdue_table(behind: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    o = behind[behind["kind"] == "overdue_step"].sort_values(["days", "county", "pilot"], ascending=[False, True, True],
                                                              kind="stable")
    data = pd.DataFrame({
        "序号": np.arange(1, len(o) + 1), "县（市、区）": o["county_name"].to_numpy(dtype=object),
        "试点名称": o["name"].to_numpy(dtype=object), "节点": o["item"].to_numpy(dtype=object),
        "应完成时间": pd.to_datetime(o["due"]).dt.date.to_numpy(dtype=object),
        "已逾期（天）": o["days"].to_numpy(dtype="int64"), "依据条款": o["ref"].to_numpy(dtype=object),
    })
    shown = data.astype(str)
    shown["应完成时间"] = data["应完成时间"].map(date_zh)
    return shown, data


def report_table(history: pd.DataFrame | None, period: str, pilots: pd.DataFrame, ref: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    h = history[(history["period"] == period) & ~history["on_time"]] if history is not None and len(history) else \
        pd.DataFrame(columns=["region", "missing", "submitted_at", "days_late"])
    h = h.assign(_c=h["region"].map(pilots["county_name"]), _m=~h["missing"].astype(bool))
    h = h.sort_values(["_m", "_c", "region"], kind="stable")  # missing first, then late
    data = pd.DataFrame({
        "序号": np.arange(1, len(h) + 1), "县（市、区）": h["_c"].to_numpy(dtype=object),
        "试点名称": h["region"].map(pilots["name"]).to_numpy(dtype=object), "月份": period_zh(period),
        "情况": np.where(h["missing"].astype(bool), "未报", "迟报"),
        "报送时间": h["submitted_at"].to_numpy(),
        "迟报（天）": pd.array(np.where(h["missing"].astype(bool), pd.NA, h["days_late"]), dtype="Int64"),
        "依据条款": ref,
    })
    shown = data.astype(str)
    shown["报送时间"] = [date_zh(t.date()) if pd.notna(t) else "—" for t in pd.to_datetime(data["报送时间"])]
    shown["迟报（天）"] = data["迟报（天）"].astype("string").fillna("—").astype(str)
    return shown, data


# --------------------------------------------------------------------------------------
# the circular's content

def ranking_paragraph(program: Program, ranked: pd.DataFrame, n: int = 3) -> str:
    """Who is named first and last: the ``n`` places at each end with every county tied at
    the cut (or the programme's stated tie-break), tied counties said to be 并列, and the
    ranking and tie rules with “文件未规定，系统默认” when they are defaults."""
    from ruralcore.rules import ranking
    from ruralcore.rules.programs import ASSUMED_LABEL
    from ruralcore.app.supervision import ranking_rule

    rule = ranking_rule(program)
    names, ranks, codes = ranked["county_name"].to_numpy(), ranked["rank"].to_numpy(), ranked["county"].to_numpy()
    top = ranking.cut(ranks, n, "top", rule["tie_rule"], codes)
    bottom = ranking.cut(ranks, n, "bottom", rule["tie_rule"], codes)
    how = f"{rule['text']}；列名时{ranking.rule_text(rule['tie_rule'], n)}"
    how += f"（{ASSUMED_LABEL}，{rule['ref']}）" if rule["assumed"] else f"（{rule['ref']}）"
    if (top & bottom).any():  # so many ties that the two ends meet: one statement for all
        return f"排名办法：{how}。本期各县（市、区）排名：{ranking.cut_text(names, ranks, top | bottom)}。"
    k = CN_NUM[n - 1]
    return (f"排名办法：{how}。排名前{k}位的是——{ranking.cut_text(names, ranks, top)}；"
            f"排名后{k}位的是——{ranking.cut_text(names, ranks, bottom)}。")


def default_issued(program: Program, period: str) -> dt.date:
    """The first working day after the month's reports were due (the circular can count
    them all then); today when the calendar does not know that year."""
    from ruralcore.rules import workdays
    from ruralcore.kernel.errors import CalendarRangeError

    due = reporting.due_date(program, period)
    try:
        d = workdays.add_workdays(due, 1)
    except CalendarRangeError:
        return dt.date.today()
    return d if isinstance(d, dt.date) else pd.Timestamp(d).date()


def circular(sup: dict, issued: dt.date | None = None, doc_number: str | None = None,
             recipients: str | None = None, leaders: pd.Series | None = None,
             notices: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
             warnings: pd.DataFrame | None = None) -> Circular:
    """The month's circular from ``ruralcore.app.supervision.supervise`` output; ``leaders``
    (pilot → the responsible leader) names each laggard's 包点领导, ``notices``
    (ruralcore.app.notices.list_notices as of the month's end) gives the 督办 paragraph,
    ``events`` (ruralcore.app.events.reports of the month) the 重要情况报告 listed under 四,
    ``warnings`` (ruralcore.app.forecast.summary) the 预警 paragraph."""
    prog: Program = sup["program"]
    period, as_of = sup["period"], sup["as_of"]
    board, card, steps = sup["board"], sup["scorecard"], sup["steps"]
    pilots = board.set_index("pilot")
    issued = issued or default_issued(prog, period)
    year = issued.year
    number = doc_number or f"{doc_prefix(prog)}〔{year}〕  号"
    to = recipients or "各县（市、区）、五台山风景名胜区数字乡村建设试点工作专班："
    report_ref = next((m.ref for m in prog.milestones if m.code == "monthly_report"), "")
    c = Circular(title=f"关于{period_zh(period)}{prog.meta.short_title}工作进展情况的通报", doc_number=number,
                 recipients=to, issuer=prog.meta.issuer, issued=issued, period=period, program=prog.id)
    b = c.blocks
    b.append(("p", f"根据《{prog.meta.title}》（{prog.meta.doc_number}）“按月调度”要求（{report_ref}），"
                   f"现将{period_zh(period)}全市试点建设进展情况通报如下。"))

    # 一、总体进展
    types = board["pilot_type"].value_counts()
    tot = step_totals(steps).set_index("step")
    done = {s: int(tot.at[s, "on_time"] + tot.at[s, "late"]) for s in STEPS}
    due_steps = [s for s in STEPS if int(tot.loc[s, ["on_time", "late", "overdue"]].sum()) > 0]
    n_overdue = int(tot["overdue"].sum())
    n_late = int(tot["late"].sum())
    overdue_pilots = int((board["overdue_steps"] > 0).sum())
    city = card[card["county"] == "__city__"].iloc[0]
    b.append(("h1", "一、总体进展"))
    progress = "，".join(f"{STEP_SHORT[s]}{done[s]}个" for s in due_steps) or "尚无到期节点"
    b.append(("p", f"截至{date_zh(as_of)}，全市共有试点{len(board)}个（数字乡镇{int(types.get('township', 0))}个、"
                   f"数字村庄{int(types.get('village', 0))}个）。已到期节点完成情况：{progress}。"
                   f"逾期完成的节点{n_late}个，逾期未完成的节点{n_overdue}个，涉及试点{overdue_pilots}个；"
                   f"按期推进的试点{int(city['on_schedule'])}个，按期推进率{pct(city['on_schedule_rate'])}。"))
    b.append(("p", f"市级衔接资金应安排{yuan(board['city_allocated_yuan'].sum())}，已到位{yuan(board['city_received_yuan'].sum())}；"
                   f"县级配套资金已到位{yuan(board['county_matching_yuan'].sum())}；累计支出{yuan(city['spent_yuan'])}，"
                   f"支出率{pct(city['spent_rate'])}。参考指标已建成并投入使用{int(city['indicators_built'])}项，"
                   f"占试点参考指标总数{int(city['indicators_total'])}项的{pct(city['built_rate'])}。"))

    # 二、月报报送
    due = reporting.due_date(prog, period)
    b.append(("h1", "二、月报报送情况"))
    b.append(("p", f"{period_zh(period)}月报应于{date_zh(due)}前报送，应报{int(city['expected'])}份，"
                   f"按时报送{int(city['on_time'])}份，迟报{int(city['late'])}份，未报{int(city['missing'])}份；"
                   f"报送率{pct(city['reporting_rate'])}，按时报送率{pct(city['on_time_rate'])}。"))

    # 三、排名
    ranked = card[card["county"] != "__city__"]
    b.append(("h1", "三、各县（市、区）排名"))
    b.append(("p", ranking_paragraph(prog, ranked) + "详见表1。"))
    shown, data = ranking_table(card)
    b.append(("table", Table(1, "各县（市、区）试点推进情况排名", shown, data)))

    # 四、滞后
    lag = sup["laggards"]
    b.append(("h1", "四、滞后试点及逾期、迟报情况"))
    b.append(("p", f"本期有{len(lag)}个试点存在滞后事项（建设节点逾期未完成或月报迟报、未报，见表2），"
                   f"其中逾期未完成节点{n_overdue}个（见表3），"
                   f"迟报、未报月报{int(city['late'] + city['missing'])}份（见表4）。"))
    shown, data = laggard_table(lag, leaders)
    b.append(("table", Table(2, "滞后试点名单（含包点领导）", shown, data)))
    shown, data = overdue_table(sup["behind"])
    b.append(("table", Table(3, "逾期未完成节点", shown, data)))
    shown, data = report_table(sup["history"], period, pilots, report_ref)
    b.append(("table", Table(4, f"{period_zh(period)}月报迟报、未报情况", shown, data)))
    if events is not None:  # 四(五) 重要情况随时报告
        listed = "；".join(events["county_name"] + "：" + events["title"] + "（" + events["happened_on"].map(date_zh) + "）")
        b.append(("p", f"本月各县（市、区）随时报告重要情况{len(events)}项（四(五)）" + (f"：{listed}。" if len(events) else "。")))

    if notices is not None:
        from ruralcore.app.notices import summary as notice_summary
        n = notice_summary(notices)
        b.append(("p", f"截至{date_zh(as_of)}，共下发督办通知{n['issued']}份，已答复{n['answered']}份（其中已办结"
                       f"{n['closed']}份），逾期未答复{n['overdue']}份。"
                       + ("逾期未答复的：" + "；".join(notices.loc[notices["state"] == "overdue", "number"] + "（"
                                                 + notices.loc[notices["state"] == "overdue", "unit"] + "）") + "。"
                          if n["overdue"] else "")))

    if warnings is not None and len(warnings):
        from ruralcore.app.forecast import method_text
        late = warnings[warnings["预计逾期"] > 0]
        b.append(("p", "预警：" + ("；".join(f"“{r.target_name}”（期限{date_zh(r.deadline)}，{r.ref}）预计逾期{int(r.预计逾期)}个单位"
                                             for r in late.itertuples()) + "。" if len(late) else
                                  "按最近几个月的趋势，各有期限的目标预计均能按期完成。")
                       + method_text(prog, short=True).replace("预警方法：", "预测方法：")))

    # 五、要求
    b.append(("h1", "五、下一步工作要求"))
    bans = [r for r in prog.funding if r.kind == "prohibition"]  # the document's own words and clauses
    ban_text = ("；" + "，".join(f"{r.name}（{r.ref}）" for r in bans)) if bans else ""
    b.append(("p", "请各县（市、区）对照表2至表4逐项核实、限期整改：逾期未完成的节点要倒排工期、压实包点领导责任，"
                   "尽快补齐；迟报、未报月报的试点要说明原因，今后按时报送；资金要加快支付进度"
                   f"{ban_text}。将按月调度，持续通报。"))
    return c


# --------------------------------------------------------------------------------------
# Word

def _run_font(run, east: str, size: float, bold: bool = False, latin: str = LATIN_FONT) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = latin
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)


def _para(doc, text: str, east: str = BODY_FONT, size: float = 16, bold: bool = False, align=None,
          indent: bool = True, exact: float | None = 28.0, latin: str = LATIN_FONT):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters
    if align is not None:
        p.alignment = align
    _run_font(p.add_run(text), east, size, bold, latin)
    return p


def _page_number_footer(section) -> None:
    """“— 1 —” centred (宋体 四号), the 公文 page number."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(p.add_run("— "), "宋体", 14, latin="宋体")
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        run = p.add_run()  # one field part per run, as Word writes them
        _run_font(run, "宋体", 14, latin="宋体")
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = "1"
        run._element.append(el)
    _run_font(p.add_run(" —"), "宋体", 14, latin="宋体")


def _table(doc, t: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _para(doc, t.title, east=HEAD_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    frame = t.frame
    size = 9 if len(frame.columns) > 8 else 10.5
    tbl = doc.add_table(rows=1, cols=len(frame.columns))
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    def fill(cell, text, bold=False):
        cell.text = ""
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run_font(p.add_run(str(text)), HEAD_FONT if bold else BODY_FONT, size, False)
    for cell, name in zip(tbl.rows[0].cells, frame.columns):
        fill(cell, name, bold=True)
    # the header row repeats on every page
    tr_pr = tbl.rows[0]._tr.get_or_add_trPr()
    h = OxmlElement("w:tblHeader")
    h.set(qn("w:val"), "true")
    tr_pr.append(h)
    values = frame.to_numpy(dtype=object)
    for row in values:  # document rows: a few dozen at most
        cells = tbl.add_row().cells
        for cell, v in zip(cells, row):
            fill(cell, v)
    if not len(values):
        cells = tbl.add_row().cells
        merged = cells[0].merge(cells[-1])
        fill(merged, "无")
    _para(doc, "", indent=False, exact=14)


def _red_rule(paragraph) -> None:
    """A red line under the 文号 (the 版头's separator)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    p_pr.append(bdr)


def to_docx(c: Circular) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)  # A4
    # GB/T 9704: 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(25)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number_footer(sec)

    # 发文机关标志 in red, 文号, then the red separator line (版头)
    head = _para(doc, c.issuer, east=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                 exact=40, latin=TITLE_FONT)
    head.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    _para(doc, "", indent=False)
    num = _para(doc, c.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(num)
    _para(doc, "", indent=False)
    _para(doc, c.title, east=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, exact=36,
          latin=TITLE_FONT)
    _para(doc, "", indent=False)
    _para(doc, c.recipients, indent=False)
    for kind, item in c.blocks:
        if kind == "h1":
            _para(doc, item, east=HEAD_FONT)
        elif kind == "h2":
            _para(doc, item, east=KAI_FONT)
        elif kind == "p":
            _para(doc, item)
        else:
            _table(doc, item)
    _para(doc, "", indent=False)
    sign = _para(doc, c.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    sign.paragraph_format.right_indent = Pt(32)
    when = _para(doc, date_zh(c.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    when.paragraph_format.right_indent = Pt(48)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# Excel

def _cell_value(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return neutralise_text(v)


def to_xlsx(c: Circular) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    bold = Font(name="黑体", bold=True)
    rows = [[c.doc_number], [c.title], [c.recipients]]
    rows += [[item if kind != "table" else f"（{item.title}，见工作表“表{item.number}”）"] for kind, item in c.blocks]
    rows += [[c.issuer], [date_zh(c.issued)]]
    for r in rows:
        ws.append([neutralise_text(r[0])])
    ws["A2"].font = Font(name="方正小标宋简体", size=16, bold=True)
    ws.column_dimensions["A"].width = 120
    for row in ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for t in c.tables:
        sh = wb.create_sheet(f"表{t.number}")
        sh.append([t.title])
        sh["A1"].font = bold
        sh.append(list(t.data.columns))
        for cell in sh[2]:
            cell.font = bold
        for row in t.data.itertuples(index=False):  # a few dozen rows
            sh.append([_cell_value(v) for v in row])
        for i, col in enumerate(t.data.columns, start=1):
            letter = sh.cell(row=2, column=i).column_letter
            sh.column_dimensions[letter].width = max(10, min(40, len(str(col)) * 2 + 2))
            if "万元" in col:
                for cell in sh[letter][2:]:
                    cell.number_format = "#,##0.00"
            elif "时间" in col:
                for cell in sh[letter][2:]:
                    cell.number_format = "yyyy-mm-dd hh:mm" if "报送" in col else "yyyy-mm-dd"
        sh.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# from the store, in one call (CLI and page)

def build(engine, program: Program, period: str, issued: dt.date | None = None,
          as_of: dt.date | None = None, doc_number: str | None = None) -> Circular:
    from ruralcore.app import supervision as sv

    sv.period_end(period)  # validates the month before touching the database
    data = sv.load_pilot_data(engine, program)
    sup = sv.supervise(data, period, as_of)
    return circular(sup, issued=issued, doc_number=doc_number, **duban(engine, program.id, sup["as_of"], period))


def duban(engine, program_id: str, as_of: dt.date, period: str | None = None) -> dict:
    """The circular's responsibility and 督办 inputs: ``leaders`` and ``notices`` as of ``as_of``,
    the 重要情况报告 (``events``) of ``period`` (default: the month of ``as_of``) and the 预警
    (``warnings``: ruralcore.app.forecast.summary of that month)."""
    from ruralcore.app import forecast as fc
    from ruralcore.app.events import reports
    from ruralcore.app.notices import list_notices
    from ruralcore.rules.programs import load_program
    from ruralcore.app.responsibility import leaders
    lead = leaders(engine, program_id)
    notes = list_notices(engine, program_id, as_of)
    notes = notes[pd.Series(notes["issued_on"]).map(lambda d: d <= as_of).to_numpy(dtype=bool)] if len(notes) else notes
    month = period or f"{as_of.year}-{as_of.month:02d}"
    return {"leaders": lead["text"], "notices": notes, "events": reports(engine, program_id, month=month),
            "warnings": fc.summary(fc.from_store(engine, load_program(program_id), month))}


def write(c: Circular, out: Path) -> list[Path]:
    """Write ``out`` (.docx or .xlsx) and its sibling of the other kind; returns both paths."""
    out = Path(out)
    docx_path, xlsx_path = out.with_suffix(".docx"), out.with_suffix(".xlsx")
    docx_path.write_bytes(to_docx(c))
    xlsx_path.write_bytes(to_xlsx(c))
    return [docx_path, xlsx_path]


__all__ = ["Circular", "Table", "circular", "to_docx", "to_xlsx", "build", "write", "doc_prefix", "wan",
           "STATE_LABELS"]
