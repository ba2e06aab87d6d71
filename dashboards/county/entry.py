"""数据填报: a township's villages (the regions at the programme's report level, by parent) for one month as an editable table, checked with the
programme's ranges; saved through the store with the versions read (a concurrent edit
is refused, never overwritten); Excel template download and upload. The sheet offers only
the regions the account may write (ruralcore.auth.scope.can_write on 'reports'); saving and
importing write as the account, so scope is checked again on every row. A role that
writes no reports (the auditor) sees the sheet read-only. The rules live in
ruralcore.app.entry / ruralcore.io.excel / ruralcore.auth.scope; this page only lays them out."""
from __future__ import annotations

import dataclasses
import os

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import controls, current_program, engine, page_setup
from dashboards.ui.htmltable import fit_table
from dashboards.ui.theme import projector_on
from ruralcore.app import entry
from ruralcore.io import excel
from ruralcore.auth import scope
from ruralcore.kernel.cellsafe import problems_csv
from ruralcore.kernel.errors import InputError, RuralcoreError, StaleWriteError
from ruralcore.kernel.limits import MAX_ROWS, MAX_UPLOAD_MB, PROBLEMS_SHOWN
from ruralcore.kernel.fmt import period_zh

URL = os.environ.get("DATABASE_URL") or ""

actor = page_setup("entry")  # signed out or a role without entry: the page stops
program = current_program()
eng = engine()
writes = scope.can_write_table(actor, "reports")  # the auditor reads every sheet, writes none
if not entry.fields(program):
    st.info(f"《{program.meta.title}》没有按月填报的数据项。")
    st.stop()
if writes:  # the wide sheet wants a computer: on a phone, one village's month one field a row
    st.caption("在手机上填报请打开侧栏的“手机填报”：一个村一个月，每项一行，边填边检查。")
unit = entry.unit_label(program)
TOKEN = entry.data_token(eng)  # changes whenever stored data changes


@st.cache_data(show_spinner=False, max_entries=8)
def _groups(url: str, program_id: str, token: str) -> pd.DataFrame:
    return entry.groups(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _units(url: str, program_id: str, token: str) -> pd.DataFrame:
    return entry.units(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _allowed(url: str, program_id: str, token: str, role: str, region: str, write: bool) -> frozenset:
    """The reporting units an account may write (or, read-only, read)."""
    units = _units(url, program_id, token)
    who = scope.Actor("_", role, region)
    with engine().connect() as conn:
        tree = scope.region_tree(conn)
    decide = scope.can_write if write else scope.can_read
    return frozenset(units["code"][decide(who, "reports", units["code"], tree)])


def _only_allowed(sheet: entry.Sheet) -> entry.Sheet:
    """The sheet's rows of the units this account may write; the versions read go with them."""
    keep = sheet.frame[entry.CODE].astype(str).isin(allowed).to_numpy()
    if keep.all():
        return sheet
    codes = set(sheet.frame.loc[keep, entry.CODE].astype(str))
    return dataclasses.replace(sheet, frame=sheet.frame[keep].reset_index(drop=True),
                               versions={k: v for k, v in sheet.versions.items() if k[0] in codes})


groups = _groups(URL, program.id, TOKEN)
if groups.empty:
    st.info(f"数据库中还没有本方案的填报单位（{unit}），无法填报。请先导入区域或生成演示数据（ruralcore demo）。")
    st.stop()
allowed = _allowed(URL, program.id, TOKEN, actor.role, actor.region, writes)
mine = _units(URL, program.id, TOKEN)
groups = groups[groups["code"].isin(mine.loc[mine["code"].isin(allowed), "group"])].reset_index(drop=True)
if groups.empty:
    st.info(f"本账户（{actor.role_label}，区域 {actor.region}）没有可以填报的{unit}。")
    st.stop()

group_names = dict(zip(groups["code"], groups["name"]))


@st.cache_data(show_spinner=False, max_entries=8)
def _periods(url: str, program_id: str, token: str) -> list[str]:
    return entry.periods(engine(), program_id)


stored = _periods(URL, program.id, TOKEN)
months = entry.entry_periods(eng, program, stored=stored)
with controls():
    group = st.selectbox(entry.group_label(program, groups), list(groups["code"]),
                         format_func=lambda c: group_names.get(c, c), key="en_group")
    period = st.selectbox("月份", months, format_func=period_zh, key="en_period",
                          index=months.index(stored[-1]) if stored else 0)


def show_problems(err: InputError, then: str = "请改正后再保存", key: str = "en_problems") -> None:
    """The first problems as a table; the rest counted, all of them downloadable."""
    n = len(err.problems)
    if err.source and n == 1 and err.problems[0].row is None:  # the whole file: one sentence
        st.error(str(err))
        return
    shown = err.problems[:PROBLEMS_SHOWN]
    st.error(f"发现 {n:,} 处问题，未写入任何数据。{then}：")
    fit_table(pd.DataFrame({  # long messages wrap: nothing is cut at the page's edge
        "行": [str(p.row) if p.row is not None else "—" for p in shown],
        "列": [p.column or "—" for p in shown],
        "问题": [p.message for p in shown],
    }))
    if n > len(shown):
        st.warning(f"以上为前 {len(shown)} 处，另有{n - len(shown):,}处问题；完整清单可下载。")
    # Built only when clicked (a refusal can hold 600,000 problems), and the click does not
    # rerun the page: a callable's download is fetched by an id that lives only until the next
    # run ends, so a rerun started by the click itself could end first and drop it (no file).
    st.download_button(f"下载全部 {n:,} 处问题（CSV）", data=lambda: problems_csv(err.problems),
                       file_name="导入问题清单.csv", mime="text/csv", key=f"{key}_csv", icon=":material/download:",
                       on_click="ignore")


for kind in ("success", "error"):
    msg = st.session_state.pop(f"en_flash_{kind}", None)
    if msg:
        getattr(st, kind)(msg)

# The sheet (values and versions) is read once and kept until saved or re-read, so that a
# save carries the versions the user actually saw.
sheet_key = ("en_sheet", program.id, period, group, actor.name)
if st.session_state.get("en_sheet_key") != sheet_key or "en_sheet" not in st.session_state:
    try:
        st.session_state["en_sheet"] = _only_allowed(entry.load_sheet(eng, program, period, group))
    except RuralcoreError as err:
        st.error(str(err))
        st.stop()
    st.session_state["en_sheet_key"] = sheet_key
    st.session_state["en_editor_n"] = st.session_state.get("en_editor_n", 0) + 1
sheet: entry.Sheet = st.session_state["en_sheet"]

st.subheader(f"{group_names.get(group, group)} · {period_zh(period)}月报")
reported = int(sheet.frame[list(sheet.fields)].notna().any(axis=1).sum())
st.caption(f"共{len(sheet.frame)}个{unit}，已有数据{reported}个。直接在表中修改，输入时即按范围检查；"
           "保存时逐格校验（含分子不能大于分母），有任何问题都不会写入。")

rules = entry.column_rules(program)
config = {
    entry.CODE: st.column_config.TextColumn("区域代码", disabled=True, pinned=True,
                                            width=tables.text_width(["区域代码", *sheet.frame[entry.CODE].astype(str)])),
    entry.NAME: st.column_config.TextColumn(unit, disabled=True, pinned=True,
                                            width=tables.text_width([unit, *sheet.frame[entry.NAME].astype(str)])),
}
for r in rules:
    config[r.code] = st.column_config.NumberColumn(
        r.label, min_value=r.min, max_value=r.max, step=r.step, width=tables.text_width([r.label], pad=40, most=tables.MAIN_WIDTH // 2),
        format="%d" if r.kind in ("count", "flag") else "%.2f", help=r.help)
if projector_on():  # large type that fits the screen, to be read; typing is for normal mode
    fit_table(sheet.frame.rename(columns={entry.CODE: "区域代码", entry.NAME: unit, **{r.code: r.label for r in rules}}),
              lead=2)
    st.caption("投影模式只显示月报，不能在表中修改；填报请点右上角的“退出投影模式”。")
    edited = sheet.frame
else:
    # A grid cannot wrap its headers: the data items are split into parts that each fit the page
    # (every header whole), one editor per part, all saved together.
    parts = tables.fit_columns([r.code for r in rules], {r.code: config[r.code]["width"] for r in rules},
                               tables.MAIN_WIDTH - config[entry.NAME]["width"] - config[entry.CODE]["width"])
    edited = sheet.frame.copy()
    for i, part in enumerate(parts, start=1):
        if len(parts) > 1:
            st.markdown(f"**第{i}部分（共{len(parts)}部分）**")
        shown = st.data_editor(sheet.frame[[entry.CODE, entry.NAME, *part]], column_config=config, hide_index=True,
                               num_rows="fixed", width="stretch", disabled=not writes,
                               key=f"en_editor_{st.session_state['en_editor_n']}_{i}")
        edited[part] = shown[part].to_numpy()

if not writes:
    st.caption(f":material/lock: {actor.role_label}账户只读：可以查看各{unit}的月报，不能保存或导入。")
c = st.columns([1, 1, 4])
save = c[0].button("保存", type="primary", key="en_save") if writes and not projector_on() else False
if c[1].button("重新读取", key="en_reload", help="放弃未保存的修改，读取数据库中的最新数据"):
    st.session_state.pop("en_sheet", None)
    st.rerun()

if save:
    user = actor  # the store checks the account's region on every row: a refusal writes nothing
    try:
        result = entry.save(eng, sheet, edited, user)
    except InputError as err:
        show_problems(err)
    except StaleWriteError as err:
        st.error(str(err))
    except RuralcoreError as err:
        st.error(str(err))
    else:
        if result["changed"].empty:
            st.info("没有修改，未写入任何数据。")
        else:
            st.session_state["en_flash_success"] = (
                f"已保存：新增{result['inserted']}个、修改{result['updated']}个数值，已记入审计日志（填报人：{user.name}）。")
            st.session_state.pop("en_sheet", None)
            st.rerun()

# ---- Excel ------------------------------------------------------------------------------

st.divider()
st.subheader("用Excel填报")


@st.cache_data(show_spinner="正在生成模板…", max_entries=8, ttl=600)
def _template(url: str, program_id: str, units: tuple[str, ...]) -> bytes:
    # keyed on the units, not the data token: the template lists regions, which saves do not change
    return excel.template(program_id, engine(), only=units)


c = st.columns(2)
with c[0]:
    whose = "本账户可以填报的" if writes else "本账户可以查看的"
    st.markdown(f"**1. 下载模板**：已列出{whose}{len(allowed)}个{unit}，每个数据项一列，表内有取值范围提示。")
    st.download_button("下载Excel模板", data=_template(URL, program.id, tuple(sorted(allowed))),
                       file_name=f"{program.id}-月报模板.xlsx", key="en_template",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
with c[1]:
    st.markdown(f"**2. 上传填好的文件**：导入到{period_zh(period)}。逐行校验，任何一处有误则整份不导入。")
    upload = st.file_uploader("选择Excel或CSV文件", type=["xlsx", "csv"], key="en_upload",
                              max_upload_size=MAX_UPLOAD_MB,
                              help=f"Excel 工作簿（.xlsx）或 CSV；不超过 {MAX_UPLOAD_MB} MB、{MAX_ROWS:,} 行。"
                                   "旧版 .xls 请先另存为 .xlsx") if writes else None
    if not writes:
        st.caption(f"{actor.role_label}账户不能导入。")
    if upload is None or (st.session_state.get("en_import_failed") or (None,))[0] != upload.file_id:
        st.session_state.pop("en_import_failed", None)  # a new file (or none): the old refusal goes
    if upload is not None and st.button("导入", key="en_import"):
        user = actor
        bar = st.progress(0.0, text="开始导入")
        try:
            result = excel.import_file(eng, program.id, upload.getvalue(), period, user,
                                       progress=lambda f, m: bar.progress(min(max(float(f), 0.0), 1.0), text=m),
                                       name=upload.name)
        except InputError as err:
            bar.empty()  # kept for the reruns its download button causes
            st.session_state["en_import_failed"] = (upload.file_id, err)
        except RuralcoreError as err:
            bar.empty()
            st.error(str(err))
        else:
            st.session_state["en_flash_success"] = (
                f"已导入“{upload.name}”：{result['rows']}个区域，新增{result['inserted']}个、修改{result['updated']}个、"
                f"未变{result['unchanged']}个数值。")
            st.session_state.pop("en_sheet", None)
            st.rerun()
    failed = st.session_state.get("en_import_failed")
    if failed:
        show_problems(failed[1], "请在文件中改正后重新上传（行号即 Excel 中的行号）", key="en_import_problems")
