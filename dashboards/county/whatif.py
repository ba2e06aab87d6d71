"""假设评分: change a village's values or the rubric's points and see score, rank and
award at once; save a scenario by name, reopen it, compare two. The scoring runs on the
whole county (the rubric ranks the county), but the village picker and the village
tables offer only the villages the account reads. Saving and deleting a scenario write as
the signed-in account (planning roles only). All numbers come from ruralcore.app.whatif /
ruralcore.rules.scoring; this page only lays them out."""
from __future__ import annotations

import os

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards.ui import data, tables
from dashboards.ui.context import current_program, engine, page_setup, period_picker
from dashboards.ui.search import find_box
from dashboards.ui.theme import AWARD_COLORS, style_figure
from ruralcore.app import entry, whatif
from ruralcore.rules import ranking, scoring
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import period_zh, rank_move
from ruralcore.rules.programs import ASSUMED_LABEL, all_programs, load_program
from ruralcore.auth.scope import can_write_table, keep_visible

actor = page_setup("whatif", programs_allowed=None)  # every programme: the page says which have rules
program = current_program()
seen = data.visible(actor)  # the region codes this account reads (None: all)
may_save = can_write_table(actor, "what_if_scenarios")
if program.rubric is None:
    with_rubric = "、".join(f"“{p.meta.short_title}”" for p in all_programs() if p.rubric is not None)
    st.info(f"《{program.meta.title}》没有计分办法（评分、排名、评优的规则），不能做假设评分。"
            f"有计分办法的方案：{with_rubric}，请在侧栏选择。")
    st.stop()

rubric = program.rubric
eng = engine()
URL = os.environ.get("DATABASE_URL") or ""


@st.cache_data(show_spinner=False, max_entries=24)
def _values(url: str, program_id: str, period: str, token: str) -> pd.DataFrame:
    return whatif.village_values(engine(), program_id, period)


@st.cache_data(show_spinner=False, max_entries=24)
def _scored(url: str, program_id: str, period: str, token: str) -> pd.DataFrame:
    return scoring.score(load_program(program_id), _values(url, program_id, period, token))


@st.cache_data(show_spinner=False, max_entries=8)
def _villages(url: str, program_id: str, token: str) -> pd.DataFrame:
    return whatif.villages(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _periods(url: str, program_id: str, token: str) -> list[str]:
    return entry.periods(engine(), program_id)


def values_of(period: str) -> pd.DataFrame:
    return _values(URL, program.id, period, TOKEN)


def vkey(period: str, region: str, code: str) -> str:
    return f"wi_v_{period}_{region}_{code}"


def wkey(aspect: str) -> str:
    return f"wi_w_{aspect}"


TOKEN = entry.data_token(eng)  # changes whenever stored data changes
periods = _periods(URL, program.id, TOKEN)
period = period_picker(periods)
if period is None:
    st.stop()

values = _values(URL, program.id, period, TOKEN)
if values.empty:
    st.info(f"{period_zh(period)}没有村的月报数据，无法计分。")
    st.stop()
scored = _scored(URL, program.id, period, TOKEN)
earlier = [p for p in periods if p < period]
# each village's current rank against last month's ranking (None: no month before)
moved_since = (ranking.change(scored.set_index("region")["rank"],
                              _scored(URL, program.id, earlier[-1], TOKEN).set_index("region")["rank"]).to_dict()
               if earlier else None)
# the villages this account may pick: the ones it reads (the scoring still ranks them all)
pickable = values.index.astype(str) if seen is None else values.index[values.index.isin(list(seen))].astype(str)
if len(pickable) == 0:
    st.info(f"{period_zh(period)}本账户辖区内没有参加计分的村。")
    st.stop()
partial = len(pickable) < len(values)
# every pickable village with its township (a province has tens of thousands: pick the township first)
vill = pd.DataFrame({"code": pickable}).merge(_villages(URL, program.id, TOKEN), on="code", how="left")
vill["township"] = vill["township"].fillna("")
vill["township_name"] = vill["township_name"].fillna("（未分乡镇）")
vill = vill.sort_values(["township", "code"], kind="stable")
names = dict(zip(vill["code"], vill["label"].fillna(vill["code"])))
town_of = dict(zip(vill["code"], vill["township"]))
town_names = dict(zip(vill["township"], vill["township_name"]))
short = dict(zip(vill["code"], vill["name"].fillna(vill["code"])))
labels = whatif.indicator_labels(program)
aspects = whatif.aspect_points(program)


def vname(code: str) -> str:
    return names.get(code, code)


st.caption(f"{period_zh(period)}，共{len(values):,}个村参加计分。规则（{rubric.ref}）：{scoring.tie_rule_text(rubric)}")
if partial:
    st.caption(f":material/visibility: 得分和名次按全县{len(values):,}个村计算；本账户只能选择和查看本辖区的"
               f"{len(pickable):,}个村，名次为全县排名。")
if rubric.assumed:
    st.caption(f":material/info: {ASSUMED_LABEL}：{rubric.assumed}")
st.caption(f":material/info: 给分办法：{scoring.formula_text(rubric)}")
if scoring.assumed_targets_text(rubric):
    st.caption(f":material/info: {scoring.assumed_targets_text(rubric)}")

if "wi_flash" in st.session_state:
    st.success(st.session_state.pop("wi_flash"))


def _reset(period: str, region: str) -> None:
    for c in labels["code"]:
        st.session_state.pop(vkey(period, region, c), None)
    for a in aspects["code"]:
        st.session_state.pop(wkey(a), None)


def _default_region() -> str:
    # the village closest to 达标 among those below it: the obvious “what if it fixed X?”
    mine = scored[scored["region"].isin(town_of)]
    below = mine[mine["award"] == "not_qualified"].sort_values(["rank", "region"])
    return str(below["region"].iat[0]) if len(below) else str(mine.sort_values("rank")["region"].iat[-1])


def _found(code: str) -> None:
    """A village found by name: its township and itself in the selectors."""
    st.session_state["wi_town"] = town_of[code]
    st.session_state["wi_region"] = code


@st.fragment
def scenario_panel() -> None:
    if st.session_state.get("wi_region") not in town_of:
        st.session_state["wi_region"] = _default_region()
    if st.session_state.get("wi_town") not in town_names:
        st.session_state["wi_town"] = town_of[st.session_state["wi_region"]]
    st.subheader("一、单村假设：如果这个村补上短板")
    c = st.columns([1, 2, 2])
    find_box("按名称查找村", {v: f"{short[v]}（{town_names[town_of[v]]}）" for v in vill["code"]}, "wi_find",
             _found, where=c[2])
    town = c[0].selectbox("乡镇", list(town_names), format_func=lambda t: town_names[t], key="wi_town")
    regions = vill.loc[vill["township"] == town, "code"].tolist()
    if st.session_state.get("wi_region") not in regions:
        st.session_state["wi_region"] = regions[0]
    region = c[1].selectbox("选择村", regions, format_func=lambda r: short.get(r, r), key="wi_region")

    current = values.loc[region]
    changes: dict[str, float] = {}
    left, right = st.columns([3, 2], gap="large")
    cols = left.columns(2)
    for i, row in enumerate(labels.itertuples()):  # ~9 scored indicators
        key = vkey(period, region, row.code)
        now = float(current[row.code]) if pd.notna(current[row.code]) else 0.0
        if key not in st.session_state:
            st.session_state[key] = round(now, 2)
        note = f"满分标准 {row.target:g}%；条款 {row.ref}" + (f"；{ASSUMED_LABEL}：{row.assumed}" if row.assumed else "")
        v = cols[i % 2].number_input(f"{row.name}（%）", min_value=0.0, max_value=100.0, step=1.0, format="%.1f",
                                     key=key, help=f"当前 {now:.1f}%。{note}")
        if abs(v - round(now, 2)) > 1e-9:
            changes[row.code] = float(v)
    with left:
        st.button("恢复当前值", on_click=_reset, args=(period, region), key="wi_reset")

    st.subheader("二、调整各方面分值")
    st.caption(f"附件1《创建计分办法》未随文公布，以下各方面默认分值均为“{ASSUMED_LABEL}”，可以修改，合计须为{rubric.total:g}分。")
    wcols = st.columns(4)
    points: dict[str, float] = {}
    for i, a in enumerate(aspects.itertuples()):  # 8 aspects
        key = wkey(a.code)
        if key not in st.session_state:
            st.session_state[key] = float(a.points)
        with wcols[i % 4]:
            points[a.code] = st.number_input(f"{a.name}（分）", min_value=0.0, max_value=float(rubric.total),
                                             step=1.0, format="%.0f", key=key,
                                             help=f"条款 {a.ref}。{a.reason}" if a.reason else f"条款 {a.ref}")
            st.caption(f"默认{a.points:g}分" + (f" · {ASSUMED_LABEL}" if a.assumed else ""))
    total = sum(points.values())
    weights = None
    if any(abs(points[a.code] - a.points) > 1e-9 for a in aspects.itertuples()):
        try:
            scoring.weight_vector(rubric, points)
            weights = points
        except RuralcoreError as err:
            st.error(f"{err}。改正之前，按默认分值计算。")
    st.caption(f"合计：{total:g}分" + ("（默认分值）" if weights is None else "（已调整）"))

    scenario = whatif.Scenario(name="", program=program.id, period=period, region=region,
                               changes=changes, weights=weights)
    try:
        ev = whatif.evaluate(program, values, scenario, before=scored)
    except RuralcoreError as err:
        st.error(str(err))
        return
    with right:
        show_village(ev, region, changes, weights)
    show_ranking(ev, weights, changes)
    save_form(scenario)


def show_village(ev: dict, region: str, changes: dict, weights) -> None:
    v = ev["village"]
    row = ev["table"].set_index("region").loc[region]
    st.markdown(f"**{vname(region)}：当前与假设**")
    what = []
    if changes:
        what.append("修改了" + "、".join(labels.set_index("code").loc[list(changes), "name"]))
    if weights is not None:
        what.append("按调整后的分值")
    st.caption("假设：" + ("；".join(what) if what else "尚未修改任何数值（与当前相同）"))
    ds = v["score"] - row["score_before"]
    up = int(row["rank_before"]) - int(v["rank"])
    order = {a: i for i, a in enumerate(scoring.AWARDS)}
    better = order[v["award"]] < order[row["award_before"]]
    worse = order[v["award"]] > order[row["award_before"]]
    c = st.columns(2)
    c[0].metric("当前得分", f"{row['score_before']:.2f}分")
    c[1].metric("假设得分", f"{v['score']:.2f}分", delta=f"{ds:+.2f}分" if abs(ds) > 1e-9 else None)
    c = st.columns(2)
    c[0].metric("当前名次", f"第{int(row['rank_before'])}名")
    c[1].metric("假设名次", f"第{v['rank']}名", delta=(f"上升{up}位" if up > 0 else f"-下降{-up}位") if up else None)
    c = st.columns(2)
    c[0].metric("当前评定", scoring.AWARD_LABELS[row["award_before"]])
    c[1].metric("假设评定", v["award_label"], delta="评定提高" if better else "-评定降低" if worse else None)


def show_ranking(ev: dict, weights, changes: dict) -> None:
    table = ev["table"]
    counts = ev["counts"]
    st.subheader("三、全县评定：当前与假设")
    passed_label = whatif.COUNT_LABELS["passed"]  # 达标 including 优秀: every village at or above the pass score
    ex, passed = counts.loc["优秀"], counts.loc[passed_label]
    c = st.columns(3)
    c[0].metric("优秀村（当前→假设）", f"{ex['当前']:,} → {ex['假设']:,}个")
    c[1].metric(f"{passed_label}村", f"{passed['当前']:,} → {passed['假设']:,}个")
    c[2].metric("未达标村", f"{counts.loc['未达标', '当前']:,} → {counts.loc['未达标', '假设']:,}个")

    table = keep_visible(table, seen, "region")  # other villages' scores are not this account's to see
    moved = table[table["change"] != "none"]
    view = pd.DataFrame({
        "村": moved["region"].map(vname), "区域代码": moved["region"],
        "当前得分": moved["score_before"].round(2), "假设得分": moved["score_after"].round(2),
        "当前名次": moved["rank_before"], "假设名次": moved["rank_after"],
        "当前评定": moved["award_before_label"], "假设评定": moved["award_after_label"], "变化": moved["change_label"],
    }).sort_values(["假设名次", "区域代码"], kind="stable")
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**获得或失去达标、优秀的村**" + ("（本辖区）" if partial else ""))
        if view.empty:
            st.success("没有村获得或失去达标、优秀。")
        else:
            tables.grid(view, hide_index=True, width="stretch", key="wi_changes")
    with right:
        st.markdown("**各评定的村数：当前与假设**")
        # the bars are the three awards, which add up to every village (达标 here without 优秀)
        st.plotly_chart(award_chart(counts.iloc[:3]), key="wi_chart", theme=None, config={"displayModeBar": False})
        st.caption("每组左侧浅色柱为当前，右侧深色柱为假设。")

    with st.expander("排名对比（按假设名次，前30名" + ("，仅本辖区的村，名次为全县排名）" if partial else "）"),
                     expanded=weights is not None):
        top = table.sort_values(["rank_after", "region"], kind="stable").head(30)
        tables.grid(pd.DataFrame({
            "假设名次": top["rank_after"], "当前名次": top["rank_before"], "名次变化": top["rank_change"],
            "当前名次较上月": top["region"].map(since_last_month),
            "村": top["region"].map(vname), "当前得分": top["score_before"].round(2),
            "假设得分": top["score_after"].round(2), "当前评定": top["award_before_label"],
            "假设评定": top["award_after_label"],
        }), hide_index=True, width="stretch", key="wi_rank")


def since_last_month(region: str) -> str:
    """The village's current rank against last month's (“↑2”, “持平”…)."""
    return rank_move(moved_since.get(region)) if moved_since is not None else "—"


def award_chart(counts: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for col, opacity in (("当前", 0.45), ("假设", 1.0)):
        fig.add_bar(x=list(counts.index), y=counts[col].tolist(), name=col, opacity=opacity,
                    text=counts[col].tolist(), textposition="outside",
                    marker_color=[AWARD_COLORS[a] for a in scoring.AWARDS])
    fig.update_layout(barmode="group", yaxis_title="村数（个）", showlegend=False)
    fig.update_yaxes(range=[0, float(counts.to_numpy().max()) * 1.2 + 1])
    return style_figure(fig, height=360)


def save_form(scenario: whatif.Scenario) -> None:
    st.subheader("四、保存为模拟方案")
    st.caption("不保存就不会写入任何数据。保存后可在下方重新打开或与其他方案比较。")
    c = st.columns([2, 3, 1])
    name = c[0].text_input("方案名称", key="wi_name", placeholder="例如：补齐宽带后的排名")
    note = c[1].text_input("说明（可选）", key="wi_note")
    overwrite = c[2].checkbox("同名覆盖", key="wi_overwrite")
    if not may_save:
        st.caption(f"{actor.role_label}账户可以试算，保存模拟方案需要县级管理员或市级督导账户。")
    if st.button("保存方案", key="wi_save", type="primary"):
        user = actor  # the store checks the role: a refusal writes nothing
        sc = whatif.Scenario(name=name, program=scenario.program, period=scenario.period, region=scenario.region,
                             changes=scenario.changes, weights=scenario.weights, note=note)
        try:
            saved = whatif.save_scenario(eng, sc, user, overwrite=overwrite)
        except RuralcoreError as err:
            st.error(str(err))
            return
        st.session_state["wi_flash"] = f"已保存模拟方案“{saved.name}”。"
        st.rerun()


scenario_panel()


# ---- saved scenarios ---------------------------------------------------------------------

def _open(name: str) -> None:
    """Put a saved scenario back into the inputs (runs before the page is drawn)."""
    try:
        sc = whatif.load_scenario(eng, program, name)
    except RuralcoreError as err:
        st.session_state["wi_flash_error"] = str(err)
        return
    if sc.period not in periods:
        st.session_state["wi_flash_error"] = f"方案“{name}”的月份 {sc.period} 已没有月报数据，无法打开。"
        return
    vals = values_of(sc.period)
    st.session_state["period"] = sc.period
    if sc.region is not None and sc.region in vals.index:
        st.session_state["wi_region"] = sc.region
        every = _villages(URL, program.id, TOKEN)
        st.session_state["wi_town"] = dict(zip(every["code"], every["township"])).get(sc.region, "")
        for c in labels["code"]:
            now = vals.loc[sc.region, c]
            st.session_state[vkey(sc.period, sc.region, c)] = float(
                sc.changes.get(c, round(float(now), 2) if pd.notna(now) else 0.0))
    for a in aspects.itertuples():
        st.session_state[wkey(a.code)] = float((sc.weights or {}).get(a.code, a.points))
    st.session_state["wi_name"] = sc.name
    st.session_state["wi_note"] = sc.note
    st.session_state["wi_flash"] = f"已打开模拟方案“{sc.name}”（{period_zh(sc.period)}）。"


def _delete(name: str) -> None:
    try:  # the store checks the role: a refusal deletes nothing
        whatif.delete_scenario(eng, program, name, actor)
    except RuralcoreError as err:
        st.session_state["wi_flash_error"] = str(err)
        return
    st.session_state["wi_flash"] = f"已删除模拟方案“{name}”（已记入审计日志）。"


st.divider()
st.subheader("五、已保存的模拟方案")
if "wi_flash_error" in st.session_state:
    st.error(st.session_state.pop("wi_flash_error"))
saved = whatif.list_scenarios(eng, program)
# scenarios about a village this account does not read are not listed (whole-county ones are)
if seen is not None:
    saved = saved[saved["region"].isna() | saved["region"].isin(list(seen))].reset_index(drop=True)
if saved.empty:
    st.info("还没有保存的模拟方案。")
else:
    tables.grid(pd.DataFrame({
        "名称": saved["name"], "月份": saved["period"].map(period_zh),
        "村": saved["region"].map(lambda r: vname(r) if isinstance(r, str) else "—"),
        "修改指标数": saved["changed"], "调整分值": saved["reweighted"].map({True: "是", False: "否"}),
        "说明": saved["note"], "保存人": saved["created_by"],
        "保存时间": pd.to_datetime(saved["created_at"]).dt.strftime("%Y年%m月%d日 %H:%M"),
    }), hide_index=True, width="stretch", key="wi_saved")
    names_saved = saved["name"].tolist()
    c = st.columns([4, 1, 1], vertical_alignment="bottom")
    pick = c[0].selectbox("选择方案", names_saved, key="wi_open")
    c[1].button("打开", key="wi_open_btn", on_click=_open, args=(pick,), width="stretch")
    c[2].button("删除", key="wi_delete_btn", on_click=_delete, args=(pick,), width="stretch")

    if len(names_saved) >= 2:
        st.subheader("两个方案对比")
        c = st.columns(2)
        a_name = c[0].selectbox("方案甲", names_saved, index=0, key="wi_cmp_a")
        b_name = c[1].selectbox("方案乙", names_saved, index=1, key="wi_cmp_b")
        if a_name == b_name:
            st.info("请选择两个不同的方案进行对比。")
            st.stop()
        try:
            a, b = whatif.load_scenario(eng, program, a_name), whatif.load_scenario(eng, program, b_name)
            cmp = whatif.compare_scenarios(program, a, b, values_of(a.period), values_of(b.period))
        except RuralcoreError as err:
            st.error(str(err))
        else:
            s = cmp["summary"]
            cols = st.columns(2)
            for col, (_, r) in zip(cols, s.iterrows()):
                with col:
                    st.markdown(f"**{r['scenario']}**（{period_zh(r['period'])}）")
                    if isinstance(r["region"], str):
                        st.metric(f"{vname(r['region'])} 得分", f"{r['score']:.2f}分")
                        st.caption(f"名次 第{int(r['rank'])}名 · 评定 {r['award_label']}")
                    st.caption(f"优秀 {r['excellent']}个 · 达标（含优秀）{r['excellent'] + r['qualified']}个 · "
                               f"未达标 {r['not_qualified']}个 · 分值：{r['weights']}")
            t = keep_visible(cmp["table"], seen, "region")
            diff = t[(t["award_a"] != t["award_b"]) | (t["rank_a"] != t["rank_b"])]
            st.markdown("**两方案评定或名次不同的村**" + ("（本辖区）" if partial else ""))
            if diff.empty:
                st.success("两个方案下各村的名次和评定相同。")
            else:
                tables.grid(pd.DataFrame({
                    "村": diff["region"].map(vname), f"{a_name}·得分": diff["score_a"].round(2),
                    f"{a_name}·名次": diff["rank_a"], f"{a_name}·评定": diff["award_label_a"],
                    f"{b_name}·得分": diff["score_b"].round(2), f"{b_name}·名次": diff["rank_b"],
                    f"{b_name}·评定": diff["award_label_b"],
                }), hide_index=True, width="stretch", key="wi_cmp_table")
