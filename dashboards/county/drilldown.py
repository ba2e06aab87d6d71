"""逐级查看: (province → city →) county → township → village. A click on a table's row, the
selectors or the name search go one level down (the row click and the search set the
selectors' state in a callback, before the selectors are drawn). Above the county the
tree is walked one level at a time (ruralcore.app.areas) and each step reads only the rows
below the region chosen; a level with one region (a county deployment's city and county)
is passed through. The selection lives in the URL (?area=…&town=…&unit=…), so a copied
link reopens the same place. The tree starts at the account's region: a township officer
starts at its township, a village reporter at its village (the ranks shown stay
programme-wide). Each value is coloured against its target by the tiles' rule
(ruralcore.app.overview.value_status)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboards.ui import charts, data, tables
from dashboards.ui.htmltable import click_table
from dashboards.ui.context import current_program, page_setup, period_picker
from dashboards.ui.search import find_box
from dashboards.ui.theme import rag_css
from dashboards.ui.tiles import OP_TEXT
from ruralcore.app import areas
from ruralcore.app import overview as ov
from ruralcore.rules import scoring
from ruralcore.kernel.fmt import date_zh, period_zh, value_with_unit
from ruralcore.rules.programs import ASSUMED_LABEL

STATUS_ZH = {"green": "达标", "amber": "接近", "red": "未达标", "no_data": "无数据", "no_target": "—"}
STATUS_NOTE = ("单元格颜色按各指标的目标判断（与总览指标卡同一规则）：绿 达标，黄 接近目标，红 未达标，灰 无数据或未报齐；"
               "“每个村”类目标按其中最差的村着色；不着色的指标没有本级可比的目标。")

actor = page_setup("drilldown")
program = current_program()
d = data.Data(program.id, actor)  # with an account: only the regions it reads
period = period_picker(d.periods)
if period is None:
    st.stop()
info = ov.indicator_info(program)
here = ov.report_level(program)
group_level = areas.compared_level(program, d.regions)
two_levels = group_level != here  # county → township → village (or county → pilot)

# The URL is the source of truth on first load; afterwards the widgets are.
for key, param in (("dd_town", "town"), ("dd_unit", "unit")):
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, "")
chain = areas.chain(d.regions, group_level)  # the levels above the compared one (city, county…)
linked = st.query_params.get("area", "")
for lv in chain:
    if f"dd_area_{lv}" not in st.session_state:
        st.session_state[f"dd_area_{lv}"] = (ov.parents_at(program, d.regions, [linked], lv)[0] or ""
                                             if linked in d.regions.index else "")


def _column(code: str) -> str:
    return f"{info.at[code, 'name']}（{info.at[code, 'unit']}）"


def _fmt_values(frame: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Indicator columns renamed to “name（unit）”, rounded for display."""
    out = frame[codes].astype("float64").round(1)
    out.columns = [_column(c) for c in codes]
    return out


def _styled(table: pd.DataFrame, status: pd.DataFrame, codes: list[str]):
    """A Styler function colouring each indicator value of ``table`` by its status."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for code in codes:
        css[_column(code)] = status[code].reindex(table.index).fillna("").map(rag_css).to_numpy()
    return lambda sty: sty.apply(lambda _: css, axis=None)


def _clear_unit() -> None:
    st.session_state["dd_unit"] = ""


def _pick_town(code: str) -> None:
    """A township's row clicked (or found by name): into it."""
    st.session_state["dd_town"] = code
    st.session_state["dd_unit"] = ""


def _pick_unit(code: str) -> None:
    st.session_state["dd_unit"] = code


def _found(code: str) -> None:
    """A name found: a township opens its list, a village (pilot) opens itself."""
    if code in town_of:
        if two_levels and town_of[code] and not top_town:
            st.session_state["dd_town"] = town_of[code]
        st.session_state["dd_unit"] = code
    else:
        _pick_town(code)


def _up() -> None:
    """One level up: village → its township, township → the region chosen above (or the
    whole area), that region → the level above it (never above the account's own region:
    those options are not offered)."""
    if st.session_state.get("dd_unit") and not top_unit:
        st.session_state["dd_unit"] = ""
    elif st.session_state.get("dd_town") and not top_town:
        st.session_state["dd_town"] = ""
    elif asked:
        _clear_below(asked[-1][0], itself=True)()


def _clear_below(level: str, itself: bool = False):
    """A region chosen at ``level``: what was chosen below it no longer applies (``itself``:
    nor the choice at ``level``, one level up)."""
    def clear() -> None:
        for lv in chain[chain.index(level) + (0 if itself else 1):]:
            st.session_state[f"dd_area_{lv}"] = ""
        st.session_state["dd_town"] = st.session_state["dd_unit"] = ""
    return clear


def _pick_area(code: str) -> None:
    """A region above the compared level clicked or found: into it (its ancestors chosen too)."""
    level = d.regions.at[code, "level"]
    for lv in chain[:chain.index(level) + 1]:
        st.session_state[f"dd_area_{lv}"] = code if lv == level else ov.parents_at(program, d.regions, [code], lv)[0]
    _clear_below(level)()


# Walk the levels above the compared one: a single region is passed through, several ask.
area, above, asked, open_level, open_codes = "", None, [], None, []
for lv in chain:
    named = areas.below(d.regions, above, lv)
    opts = list(named.index)
    if len(opts) <= 1:
        above = opts[0] if opts else above
        continue
    asked.append((lv, named))
    if st.session_state[f"dd_area_{lv}"] not in named.index:
        st.session_state[f"dd_area_{lv}"] = ""
    if not st.session_state[f"dd_area_{lv}"]:
        open_level, open_codes = lv, opts
        break
    area = above = st.session_state[f"dd_area_{lv}"]

if asked:
    cols = st.columns(max(len(asked), 3))
    for col, (lv, named) in zip(cols, asked):
        col.selectbox(ov.level_name(lv), ["", *named.index], key=f"dd_area_{lv}", on_change=_clear_below(lv),
                      format_func=lambda c, n=named: "（全部）" if c == "" else n[c])
    st.query_params["area"] = area
elif "area" in st.query_params:
    del st.query_params["area"]
cur = d.area_month(period, area)  # only the rows below the region chosen above


def area_view() -> None:
    """The regions of the first level not chosen yet, below the one chosen (or all)."""
    where = str(d.regions.at[area, "name"]) if area else "全域"
    st.subheader(f"{where}：各{ov.level_name(open_level)}（{period_zh(period)}）")
    shown = ov.compare_table(program, cur, d.regions, open_level)
    shown = shown.loc[[c for c in open_codes if c in shown.index]]
    cols = [c for c in shown.columns if c != "name"]
    table = pd.concat([shown[["name"]].rename(columns={"name": ov.level_name(open_level)}),
                       _fmt_values(shown, cols)], axis=1)
    status = ov.value_status(program, cur, d.regions, open_level)
    st.caption(f"点击表格中的一行，或在上方选择{ov.level_name(open_level)}，查看其下各级。")
    click_table(table, "dd_areas", list(shown.index), _pick_area, style=_styled(table, status, cols),
                hint="查看其下各级")
    st.caption(STATUS_NOTE)
    tables.excel_button(table, f"逐级查看-{where}-各{ov.level_name(open_level)}-{period_zh(period)}", "dd_areas_xlsx")


if open_level is not None:
    searched = [lv for lv in chain[chain.index(open_level):]]  # the levels still to choose, below the choice
    found_here = {c: f"{n}（{ov.level_name(lv)}）" for lv in searched
                  for c, n in areas.below(d.regions, area or None, lv).items()}
    find_box(f"按名称查找{'或'.join(ov.level_name(lv) for lv in searched)}", found_here, "dd_find_area", _pick_area)
    if area:
        st.button("↑ 返回上一级", key="dd_up_area", on_click=_clear_below(asked[-2][0], itself=True))
    area_view()
    st.stop()

groups = ov.compare_table(program, cur, d.regions, group_level)
codes = [c for c in groups.columns if c != "name"]
# an account that reads one group only (a township officer) starts inside it: no “（全部）”
top_town = d.scoped and two_levels and len(groups) == 1
group_codes = (list(groups.index) if top_town else [""] + list(groups.index)) if two_levels else [""]

units = ov.unit_rows(program, cur)  # not the county's own row (融水's operation centre)
all_units = list(units.index)
town_of = dict(zip(all_units, ov.parents_at(program, d.regions, all_units, group_level) if two_levels
                   else [""] * len(all_units)))
names_of = dict(zip(all_units, ov.names(d.regions, all_units)))
top_unit = d.scoped and len(units) == 1

c1, c2, c3 = st.columns([2, 2, 3])
found = {} if top_unit else {c: f"{names_of[c]}（{groups.at[town_of[c], 'name']}）" if town_of[c] in groups.index
                             else names_of[c] for c in sorted(all_units, key=lambda c: names_of[c])}
if two_levels and not top_town:
    found = {**{g: f"{groups.at[g, 'name']}（{ov.level_name(group_level)}）" for g in groups.index}, **found}
if found:
    find_box(f"按名称查找{ov.level_name(group_level) + '或' if two_levels and not top_town else ''}{ov.level_name(here)}",
             found, "dd_find", _found, where=c3)
if two_levels:
    if st.session_state["dd_town"] not in group_codes:
        st.session_state["dd_town"] = group_codes[0]
    town = c1.selectbox(ov.level_name(group_level), group_codes, key="dd_town", on_change=_clear_unit,
                        format_func=lambda c: "（全部）" if c == "" else groups.at[c, "name"])
else:
    town = ""

unit_codes = [c for c in all_units if town_of[c] == town] if two_levels and town else all_units
unit_names = {c: names_of[c] for c in unit_codes}
# …and an account that reads one unit only (a village reporter) starts at that unit (top_unit)
unit_options = ([] if top_unit else [""]) + sorted(unit_codes, key=lambda c: unit_names[c])
if st.session_state["dd_unit"] not in unit_options:
    st.session_state["dd_unit"] = unit_options[0] if unit_options else ""
# one level (银川: villages right under the districts): the choice stands first, no empty column
unit = (c2 if two_levels else c1).selectbox(ov.level_name(here), unit_options, key="dd_unit",
                    format_func=lambda c: "（请选择）" if c == "" else unit_names.get(c, c))

st.query_params["town"] = town
st.query_params["unit"] = unit
st.query_params["program"] = program.id
st.query_params["period"] = period

# the programme-wide ranking, read only where a unit's score is shown
ranked = (data.ranking(d.url, d.token, program.id, period)
          if program.rubric is not None and (unit or (two_levels and town)) else None)
# enough decimals that villages with different awards never show the same score
score_decimals = scoring.shown_decimals(ranked["score"], ranked["award"]) if ranked is not None else 1



def county_view() -> None:
    where = str(d.regions.at[area, "name"]) if area else "全域"
    st.subheader(f"{where}：各{ov.level_name(group_level)}（{period_zh(period)}）")
    table = pd.concat([groups[["name"]].rename(columns={"name": ov.level_name(group_level)}),
                       _fmt_values(groups, codes)], axis=1)
    style = _styled(table, data.value_status(d.url, d.token, program.id, period, group_level, *d.scope_key, area),
                    codes)
    if two_levels:
        st.caption(f"点击表格中的一行，或在上方选择{ov.level_name(group_level)}，查看其下各{ov.level_name(here)}。")
        click_table(table, "dd_groups", list(groups.index), _pick_town, style=style,
                    hint=f"查看其下各{ov.level_name(here)}")
    else:  # the groups are the reporting units themselves (融水's townships)
        st.caption(f"点击表格中的一行，或在上方选择{ov.level_name(here)}，查看详情。")
        click_table(table, "dd_groups", list(groups.index), _pick_unit, style=style, hint="查看详情")
    st.caption(STATUS_NOTE)
    tables.excel_button(table, f"逐级查看-{where + '-' if area else ''}各{ov.level_name(group_level)}-{period_zh(period)}",
                        "dd_groups_xlsx")


def township_view() -> None:
    name = groups.at[town, "name"]
    st.subheader(f"{name}：各{ov.level_name(here)}（{period_zh(period)}）")
    vals = ov.village_values(program, cur.loc[unit_codes])
    shown = [c for c in codes if c in vals.columns]
    table = pd.concat([pd.DataFrame({ov.level_name(here): [unit_names[c] for c in vals.index]}, index=vals.index),
                       _fmt_values(vals, shown)], axis=1)
    if ranked is not None:
        r = ranked.set_index("region").reindex(vals.index)
        table.insert(1, "得分", scoring.truncate(r["score"], score_decimals))
        table.insert(2, "名次", r["rank_label"].to_numpy())
        table.insert(3, "等次", r["award_label"].astype(object).to_numpy())
        table = table.iloc[np.argsort(r["rank"].to_numpy(), kind="stable")]
    colours = _styled(table, data.value_status(d.url, d.token, program.id, period, here, *d.scope_key, area), shown)
    award = tables.award_colours()
    style = ((lambda sty: award(colours(sty)).format(f"{{:.{score_decimals}f}}", subset=["得分"]))
             if ranked is not None else colours)
    st.caption(f"点击一行，或在上方选择{ov.level_name(here)}，查看详情。")
    click_table(table, "dd_units", list(table.index), _pick_unit, style=style, hint="查看详情")
    st.caption(STATUS_NOTE)
    tables.excel_button(table, f"逐级查看-{name}-{period_zh(period)}", "dd_units_xlsx")


def unit_view() -> None:
    name = unit_names.get(unit, unit)
    parent = f"{groups.at[town, 'name']} · " if two_levels and town else ""
    st.subheader(f"{parent}{name}（{period_zh(period)}）")
    if ranked is not None:
        r = ranked[ranked["region"] == unit].iloc[0]
        c1, c2, c3 = st.columns(3)
        c1.metric("得分", f"{scoring.truncate([r['score']], score_decimals)[0]:.{score_decimals}f} 分")
        tie = "（并列）" if r["rank_label"].endswith("（并列）") else ""
        c2.metric("名次", f"第 {int(r['rank']):,} 名{tie} / {len(ranked):,}")
        c3.metric("等次", r["award_label"])
    det = ov.region_detail(program, cur, unit, d.regions)
    here_targets = det["target_level"].isin([here]) | det["target_level"].isna()
    table = pd.DataFrame({
        "指标": det["name"],
        "本月值": [value_with_unit(v, u) for v, u in zip(det["value"], det["unit"])],
        "目标": [(f"{OP_TEXT.get(o, o)} {value_with_unit(t, u)}" if isinstance(o, str) else "—")
                 for o, t, u in zip(det["op"], det["threshold"], det["unit"])],
        "目标适用": [("本级" if h else ov.level_name(lv)) if isinstance(lv, str) else "—"
                 for h, lv in zip(here_targets, det["target_level"])],
        "状态": [STATUS_ZH.get(s, s) if h else "—" for s, h in zip(det["status"], here_targets)],
        "期限": [date_zh(x) if x else "—" for x in det["due"]],
        "条款": [f"{a}；目标 {b}" if isinstance(b, str) and b != a else a for a, b in zip(det["ref"], det["target_ref"])],
        "说明": det["assumed_label"],
    })
    # the value and its state coloured by the tiles' rule (only where this level's target judges it)
    css = [rag_css(s) if h else "" for s, h in zip(det["status"], here_targets)]
    colour = lambda sty: sty.apply(lambda _: css, subset=["本月值", "状态"], axis=0)  # noqa: E731
    tables.dataframe(table, key="dd_detail", style=colour)
    st.caption(f"本月值与状态按本级目标着色（与总览指标卡同一规则）；“目标适用”为“乡镇”“县”等的目标在全域或上级考核，此处仅供对照；"
               f"标“{ASSUMED_LABEL}”的值为文件未规定、系统给出的默认值。")

    if ranked is not None:
        asp = ov.rubric_detail(program, ranked, unit)
        st.markdown("**分方面得分（计分办法）**")
        tables.dataframe(pd.DataFrame({
            "方面": asp["name"], "得分": asp["score"].round(2), "满分": asp["points"],
            "条款": asp["ref"], "说明": asp["assumed_label"],
        }), key="dd_aspects")
        st.caption(f"给分办法：{scoring.formula_text(program.rubric)}"
                   + (f"；{scoring.assumed_targets_text(program.rubric)}" if scoring.assumed_targets_text(program.rubric) else ""))

    hist = data.history(d.url, d.token, program.id, unit)
    if len(hist) > 1:
        pct = [c for c in codes if info.at[c, "unit"] == "%" and c in hist.columns]
        shown = pct[:6] if pct else [c for c in codes if c in hist.columns][:4]
        thr = {c: info.at[c, "threshold"] for c in shown
               if info.at[c, "target_level"] == here}
        st.plotly_chart(charts.trend(hist, {c: info.at[c, "name"] for c in shown}, thr,
                                     f"{name}：各指标逐月变化", info.at[shown[0], "unit"]),
                        width="stretch", theme=None, key="fig_unit_trend")
        st.markdown("**逐月数值**")
        monthly = _fmt_values(hist, [c for c in codes if c in hist.columns]).rename(index=period_zh)
        tables.dataframe(monthly.rename_axis("月份").reset_index(), key="dd_history")

    if program.quotas and here == "township":
        sp = data.stations(d.url, d.token, program.id)
        if sp["stations"] is not None:
            mine = sp["stations"][sp["stations"]["township"] == unit]
            st.markdown(f"**{name}的益农信息社（{len(mine)} 个）**")
            tables.dataframe(mine.rename(columns={"station": "编号", "type": "类型", "village": "村", "is_demo": "示范社",
                                                  "status": "状态"})[["编号", "类型", "村", "示范社", "状态"]],
                             key="dd_stations")


if (unit and not top_unit) or (two_levels and town and not top_town) or area:
    st.button("↑ 返回上一级", key="dd_up", on_click=_up)
if unit:
    unit_view()
elif two_levels and town:
    township_view()
else:
    county_view()
