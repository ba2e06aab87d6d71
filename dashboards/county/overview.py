"""总览 (县领导小组总览, 市级总览… by the account's level): targets, milestones, townships, ranking, laggards, trend, timeline
(+ 融水 stations and officers, 谭家场 tasks). Numbers come from ruralcore.app.overview."""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from dashboards.ui import charts, data, tables, tiles
from dashboards.ui.text import nowrap
from dashboards.ui.context import (controls, current_program, engine, page_note, page_setup, page_tools,
                                   period_picker)
from dashboards.ui.theme import SLIDE_CHART_PX, projector_on
from ruralcore.app import overview as ov
from ruralcore.rules import scoring, stations
from ruralcore.auth.scope import keep_visible
from ruralcore.kernel.fmt import REF_SEP, date_zh, due_ref, period_zh, rank_move
from ruralcore.app.milestone_records import done_dates

SLIDE_SECONDS = 15
WARN_LISTED = 200  # the warning's region choice lists at most this many

LEVEL_TITLES = {"province": "省级总览", "city": "市级总览", "county": "县领导小组总览", "township": "乡镇总览",
                "village": "村级总览"}


def page_title() -> str:
    """The title fits the signed-in account's level (its region's level): a city
    supervisor reads 市级总览, a county 县领导小组总览; an account without a region
    (auditor) 总览. Read from the session without signing anyone in or out (the gate in
    page_setup does that); before a session exists, the county title."""
    from dashboards.ui.auth import TOKEN_KEY
    from ruralcore.auth.accounts import SessionExpired, resume_session
    token = st.session_state.get(TOKEN_KEY)
    try:
        who = resume_session(engine(), token) if token else None
    except SessionExpired:
        who = None
    if who is None:
        return LEVEL_TITLES["county"]
    if not who.region:
        return "总览"
    level = data.region_level(data.url(), data.token(), who.region)
    return LEVEL_TITLES.get(level, LEVEL_TITLES["county"])


actor = page_setup("overview", page_title())
program = current_program()
d = data.Data(program.id, actor)  # with an account: only the regions it reads
period = period_picker(d.periods)
if period is None:
    st.stop()

prev_period = d.previous(period)  # the tiles read its totals only (Data.previous_totals)
latest = period == max(d.periods)
# “Today” of the page: the data's as-of date for the newest month, else that month's end.
as_of = d.as_of if latest and d.as_of else pd.Period(period, "M").end_time.date()
# milestones recorded as done (里程碑 page): one small query, fresh on every rerun
done = done_dates(engine(), program.id) if program.milestones else {}
info = ov.indicator_info(program)
big = projector_on()
# an account that reads part of the area (a township, a village) is told what it sees
partial = d.partial()
coverage = d.coverage(period)  # who reported this month, of the units the account reads
area = ov.names(d.regions, [actor.region])[0] if partial else ""

# on a projector the header line already names the programme
page_note(("" if big else f"{program.meta.short_title} · ") + f"{period_zh(period)}月报 · 数据截至 {date_zh(as_of)}"
          + ((f" · ↑↓较{period_zh(prev_period)}" if big else f" · 与{period_zh(prev_period)}比较") if prev_period else ""))
if partial:
    st.caption(f":material/visibility: 本账户只看本辖区（{area}）：各项数值为辖区内的汇总与对比；"
               "村排名的名次为全县排名。")


def _ind_label(code: str) -> str:
    return f"{info.at[code, 'name']}（{info.at[code, 'unit']}）"


def _chosen_indicator(key: str, codes: list[str]) -> str:
    if big:  # no widgets on a projector slide: the first indicator with a target
        return st.session_state.get(key, codes[0]) if st.session_state.get(key) in codes else codes[0]
    return st.selectbox("指标", codes, format_func=_ind_label, key=key)


# ---- panels -------------------------------------------------------------------------------

def panel_targets() -> None:
    st.subheader("目标完成情况")
    t = d.target_tiles(period, prev_period)
    if t.empty:
        st.info("本月没有可计算的目标。")
        return
    if big:
        tiles.projector_tiles(t, slide=bool(st.session_state.get("slideshow")))
    else:
        tiles.target_tiles(t)


def panel_warning() -> None:
    """预警: each dated target projected to its deadline (ruralcore.app.forecast), a line per
    target, and one region's months with the projection to the deadline."""
    from ruralcore.app import forecast as fc

    st.subheader("到期预警")
    role, region = (actor.role, actor.region) if actor else ("", "")
    summ = data.warnings(d.url, d.token, program.id, period, role, region)["summary"]
    if summ.empty:
        st.info("本月没有带期限、可按月预测的目标。")
        return
    for r in summ.itertuples():
        st.markdown(f"**{r.target_name}**（期限 {date_zh(r.deadline)} · 条款 {r.ref}）："
                    + "，".join(f"{v}{int(getattr(r, v)):,}个" for v in fc.VERDICTS if int(getattr(r, v))))
    st.caption(fc.method_text(program))
    if big:
        return
    names = dict(zip(summ["target"], summ["target_name"]))
    c1, c2 = st.columns(2)
    code = c1.selectbox("目标", list(names), format_func=names.get, key="ov_warn_target")
    total = int(summ.set_index("target").loc[code, fc.VERDICTS].sum())
    listed = data.warning_regions(d.url, d.token, program.id, period, code, WARN_LISTED, role, region)
    if listed.empty:
        return
    labels = dict(zip(listed["region"], listed["region_name"] + "（" + listed["verdict"] + "）"))
    where = c2.selectbox("区域", list(labels), format_func=labels.get, key=f"ov_warn_region_{code}",
                         help=None if total <= WARN_LISTED else
                         f"共 {total:,} 个，按预计逾期、已逾期未完成、预计按期完成、已达标的顺序列出前 {WARN_LISTED} 个；"
                         "其余的见“逐级查看”。")
    series = data.forecast_series(d.url, d.token, program.id, period, code, where)
    one = fc.projected_row(program, period, series, code)
    if one is not None:
        st.plotly_chart(charts.projection(series, one, info_unit(code)), width="stretch", theme=None, key="fig_warn")


def info_unit(target: str) -> str:
    t = program.target(target)
    return info.at[t.indicator, "unit"] if t.indicator in info.index else ""


def panel_countdown() -> None:
    st.subheader("里程碑倒计时")
    nx = ov.next_milestones(program, as_of, n=4, done=done)
    if nx.empty:
        st.info("没有待完成的里程碑。")
        return
    if big:
        tiles.projector_countdown(nx)
        return
    cols = st.columns(len(nx))
    for col, r in zip(cols, nx.itertuples(index=False)):
        box = col.container(border=True)
        if r.status == "overdue":
            box.metric(r.name, f"已逾期 {int(r.days_overdue)} 天", delta=f"截止 {date_zh(r.due)}",
                       delta_color="inverse", delta_arrow="off")
        else:
            box.metric(r.name, f"还剩 {int(r.days_left)} 天", delta=f"截止 {date_zh(r.due)}",
                       delta_color="off", delta_arrow="off")
        box.caption(f"{r.status_label}{REF_SEP}{due_ref(None, r.ref)}")


def _compare_codes() -> list[str]:
    with_target = [c for c in info.index if pd.notna(info.at[c, "threshold"])]
    return with_target or list(info.index)


def panel_compare() -> None:
    level = compare_level
    comp = d.compare_table(period, level)
    st.subheader(f"各{ov.level_name(level)}对比")
    codes = [c for c in _compare_codes() if c in comp.columns]
    code = _chosen_indicator("ov_compare_ind", codes)
    shown = ov.laggards(comp, code, info.at[code, "op"])
    which = f"各{ov.level_name(level)}" if len(shown) == len(comp) else f"最落后的 {len(shown)} 个{ov.level_name(level)}"
    threshold, op = ov.compare_target(info, code, level)  # a count set for another level is not drawn
    line = "红虚线为目标" if threshold is not None else f"目标不按{ov.level_name(level)}考核"
    fig = charts.compare_bars(shown["name"], shown[code], threshold, op,
                              f"{info.at[code, 'name']}：{which}（{line} · 条款 {info.at[code, 'ref']}）",
                              info.at[code, "unit"])
    st.plotly_chart(fig, width="stretch", theme=None, key="fig_compare")
    if len(shown) < len(comp):
        st.caption(f"共 {len(comp)} 个{ov.level_name(level)}，只画出离目标最远的 {len(shown)} 个；完整名单见“逐级查看”。")


RANK_ROWS = 10  # the ranking shows the first and the last ten (with whoever is tied at the cut)
NAMES_READ_OUT = 20  # villages not reported this month are named up to this many, else counted
TIE_LISTED_MOST = 50  # a rank shared by more villages than this is counted, not listed row by row


def _rank_list(rows: pd.DataFrame, decimals: int, style, key: str) -> None:
    """A top or bottom list; a rank shared by very many villages is one line with its count
    (every one of them is in the Excel file), not a table of thousands of rows."""
    listed, counted = ov.counted_ties(rows, TIE_LISTED_MOST)
    if len(listed):
        tables.show(_rank_rows(listed, decimals), key, max_rows=len(listed), style=style)
    for g in counted.itertuples(index=False):
        st.markdown(f"**并列第{int(g.rank)}名：{int(g.count):,}个村**，均为 {float(g.score):.{decimals}f} 分"
                    f"（{g.award_label}），不逐一列出，名单见“导出并列名单”。")
    if len(counted) and not big:  # no widgets on a projector
        tables.excel_button(_rank_rows(rows, decimals), f"村排名-{key}-{period_zh(period)}", f"{key}_xlsx",
                            label="导出并列名单")


def _rank_rows(rows: pd.DataFrame, decimals: int) -> pd.DataFrame:
    return pd.DataFrame({
        "名次": rows["rank_label"].to_numpy(), "较上月": rows["rank_up"].map(rank_move).to_numpy(),
        "村": rows["name"].to_numpy(), "乡镇": rows["township_name"].to_numpy(),
        "得分": scoring.truncate(rows["score"], decimals), "等次": rows["award_label"].astype(str).to_numpy(),
    })


def panel_ranking() -> None:
    ranked = d.ranked(period)  # the whole county's ranking (kept scores), the rows this account reads
    counts = ov.award_counts(ranked)
    r = program.rubric
    st.subheader("村排名（计分办法）")
    c1, c2, c3, c4 = st.columns(4)
    missing = coverage["missing"]  # not reported this month: not ranked
    # a few names are read out; a long list (a province) is counted, with the names in Excel
    named = missing if len(missing) <= NAMES_READ_OUT else []
    c1.metric("参评村", f"{len(ranked):,} 个", help=f"本月未报送、不参评：{'、'.join(named) or f'{len(missing):,}个村'}"
              if missing else None)
    c2.metric(f"达标（≥{r.pass_score:g}分）", f"{counts['excellent'] + counts['qualified']:,} 个")
    c3.metric(f"优秀（前{r.excellent_top_n}名）", f"{counts['excellent']:,} 个")
    c4.metric("未达标", f"{counts['not_qualified']:,} 个")
    best = ov.top_with_ties(ranked, RANK_ROWS)  # a tie at the cut is shown whole
    worst = ov.bottom_with_ties(ranked, RANK_ROWS, exclude=best.index)
    # names only for the rows shown (the ranking is shared and read only: named copies)
    best, worst = ov.named(program, best.copy(), d.regions), ov.named(program, worst.copy(), d.regions)
    dec = scoring.shown_decimals(ranked["score"], ranked["award"])  # two awards never read alike
    colour = tables.award_colours()

    def style(sty):
        return colour(sty).format(f"{{:.{dec}f}} 分", subset=["得分"])

    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**前{RANK_ROWS}名**" + (f"（含并列，共{len(best):,}个）" if len(best) > RANK_ROWS else ""))
        _rank_list(best, dec, style, "ranking_table")
    with right:
        if len(worst):
            st.markdown(f"**得分最低的{RANK_ROWS}个村**" + (f"（含并列，共{len(worst):,}个）" if len(worst) > RANK_ROWS else ""))
            _rank_list(worst, dec, style, "ranking_bottom")
    where = "名次为全县排名，仅显示本账户辖区的村；" if partial else ""
    since = f"“较上月”与{period_zh(prev_period)}的名次比较；" if prev_period else ""
    absent = (f"本月未报送、不参评的村{len(missing):,}个" + (f"：{'、'.join(named)}；" if named else "（名单见下方“导出未报送名单”）；")
              if missing else "")
    st.caption(f"{where}共 {len(ranked):,} 个村参评；{absent}{since}完整名单见“逐级查看”。{scoring.tie_rule_text(r)}"
               f"各方面分值为{'系统默认（附件1未公布）' if r.is_assumed else '文件规定'}，条款 {r.ref}。")
    if missing and not named and not big:
        tables.excel_button(pd.DataFrame({"本月未报送、不参评的村": missing}), f"未报送名单-{period_zh(period)}", "unreported_xlsx",
                            label="导出未报送名单")


def _heat_target(code: str, unjudged: bool, what: str) -> str:
    """The target printed under a heatmap column: “（≥70%）”, or why no cell is coloured."""
    if unjudged:
        return "（无目标）" if pd.isna(info.at[code, "target"]) else f"（目标不按{what}考核）"
    return f"（{tiles.OP_TEXT[info.at[code, 'op']]}{info.at[code, 'threshold']:g}{info.at[code, 'unit']}）"


def panel_heatmap() -> None:
    ranked = bool(program.rubric)
    # on a projector fewer, taller rows: their names must be read from the back of the room
    rows = (10 if st.session_state.get("slideshow") else 20) if big else ov.HEATMAP_ROWS
    hm = d.heatmap(period, rows, ranked)
    what = ov.level_name(ov.report_level(program))
    st.subheader(f"落后{what}热力图")
    if not hm["shown"]:
        st.info("没有可着色的指标。")
        return
    cols = [info.at[c, "name"] for c in hm["status"].columns]
    need = [_heat_target(c, (hm["status"][c] == "").all(), what) for c in hm["status"].columns]
    worst = "得分最低" if ranked else "平均达成度最低"
    which = f"全部{hm['total']}个{what}" if hm["shown"] >= hm["total"] else f"{worst}的 {hm['shown']} 个{what}"
    fig = charts.heatmap(hm["labels"], hm["status"], hm["values"], cols,
                         f"{which} × 指标（格中为数值，颜色为对照括号中的目标判定）",
                         height=SLIDE_CHART_PX - 60 if st.session_state.get("slideshow") else None, targets=need)
    st.plotly_chart(fig, width="stretch", theme=None, key="fig_heatmap")
    if hm["total"] > hm["shown"]:
        tie = (f"第 {hm['shown']} 个与未画出的 {hm['left_tied']:,} 个{what}{'得分' if ranked else '平均达成度'}相同（并列），"
               "并列者按区域代码取舍；" if hm.get("left_tied") else "")
        st.caption(f"只显示最落后的 {hm['shown']} 个，共 {hm['total']:,} 个{what}；{tie}完整名单见“逐级查看”。")


def panel_trend() -> None:
    st.subheader("月度趋势")
    with st.spinner("正在汇总各月数据（首次较慢，之后取缓存）…"):
        tr = d.trend(period)  # over the regions this account reads
    codes = [c for c in _compare_codes() if c in tr.columns]
    code = _chosen_indicator("ov_trend_ind", codes)
    fig = charts.trend(tr, {code: info.at[code, "name"]}, {code: info.at[code, "threshold"]},
                       f"{info.at[code, 'name']}：{area or '全域'}逐月（条款 {info.at[code, 'ref']}）", info.at[code, "unit"])
    st.plotly_chart(fig, width="stretch", theme=None, key="fig_trend")


def panel_timeline() -> None:
    st.subheader("里程碑时间轴")
    ms = ov.milestone_table(program, as_of, done)
    dated = ms[ms["recurring"].isna()] if "recurring" in ms else ms
    # on a slide it shares the screen with the countdown above it
    height = SLIDE_CHART_PX - 260 if st.session_state.get("slideshow") else None
    st.plotly_chart(charts.timeline(dated, as_of, f"里程碑（黑线为数据截至日 {date_zh(as_of)}）", height=height),
                    width="stretch", theme=None, key="fig_timeline")
    monthly = ms[ms["recurring"].notna()] if "recurring" in ms else ms.iloc[0:0]
    if not monthly.empty:
        st.caption("；".join(f"{r.name}：{nowrap(f'下次 {date_zh(r.due)}{REF_SEP}条款 {r.ref}')}"
                            for r in monthly.itertuples()), unsafe_allow_html=True)


def panel_stations() -> None:
    st.subheader("益农信息社建设：按乡镇与类型对照附件1任务")
    sp = data.stations(d.url, d.token, program.id)
    q = ov.quota_within(ov.quota_table(program, ov.stations_within(sp["stations"], d.visible), d.regions),
                        d.regions, d.visible)
    if q.empty:
        st.info("本账户辖区内没有附件1分配的益农信息社任务。")
        return
    kind = "standard" if big else st.radio("类型", list(q["kind"].unique()), horizontal=True,
                                           format_func=lambda k: q.loc[q["kind"] == k, "kind_name"].iloc[0],
                                           key="ov_station_kind")
    part = q[q["kind"] == kind]
    height = SLIDE_CHART_PX - 150 if st.session_state.get("slideshow") else None  # the totals stand below
    st.plotly_chart(charts.quota_bars(part, f"{part['kind_name'].iloc[0]}：已建成 / 任务数（附件1，个）", height),
                    width="stretch", theme=None, key="fig_quota")
    tot = q.groupby("kind_name", sort=False)[["built", "quota"]].sum()
    cols = st.columns(len(tot))
    for col, (name, r) in zip(cols, tot.iterrows()):
        col.metric(name, f"{int(r['built'])} / {int(r['quota'])} 个")


def panel_officers() -> None:
    hours, ref = stations.training_requirement(program)
    st.subheader(f"信息员培训不足{hours:g}学时")
    sp = data.stations(d.url, d.token, program.id)
    mine = ov.stations_within(sp["stations"], d.visible)
    officers = sp["officers"][sp["officers"]["station"].isin(mine["station"])]
    short = ov.officers_short(program, mine, officers, d.regions)
    st.metric("不足学时的信息员", f"{len(short)} 人", help=f"{ref}：每名信息员每年培训不少于{hours:g}学时")
    if len(short):
        tables.show(short.head(50), "officers_table", max_rows=10)


def panel_tasks() -> None:
    st.subheader("重点任务（按领域、责任部门和状态）")
    tp = keep_visible(data.task_progress(d.url, d.token, program.id), d.visible, "region")
    st_ = ov.task_table(program, tp, period, as_of)
    by_area = ov.task_counts(st_, "area_name")
    by_unit = ov.task_counts(st_, "responsible")
    slide = bool(st.session_state.get("slideshow"))  # a slide holds the two charts, the screen's height
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.stacked_states(by_area, "area_name", ov.TASK_STATES, ov.TASK_COLORS,
                                          "各领域任务状态", height=SLIDE_CHART_PX if slide else None),
                    width="stretch", theme=None, key="fig_tasks")
    c2.plotly_chart(charts.stacked_states(by_unit, "responsible", ov.TASK_STATES, ov.TASK_COLORS,
                                          "各责任部门牵头或参与的任务",
                                          height=SLIDE_CHART_PX if slide else max(420, (46 if big else 34) * len(by_unit) + 140)),
                    width="stretch", theme=None, key="fig_tasks_units")
    if slide:
        st.caption("任务清单（期限、条款、已完成村）在关闭幻灯片放映后的本页。")
        return
    show = st_[["no", "area_name", "name", "responsible_text", "state_name", "villages_done", "due", "ref"]]
    show = show.assign(due=show["due"].map(date_zh))  # the grid would print a date object as 2025-12-31
    tables.show(show.rename(columns={"no": "序号", "area_name": "领域", "name": "任务", "responsible_text": "责任部门",
                                     "state_name": "状态", "villages_done": "已完成村", "due": "期限", "ref": "条款"}),
                "tasks_table", max_rows=20)


compare_level = coverage["compare_level"]
has_compare = len(d.compare_table(period, compare_level)) > 1
# (slide title, panels): the page shows every panel in turn; a slideshow one slide at a time
slides: list[tuple[str, list]] = [("目标", [panel_targets]), ("预警", [panel_warning])]
if program.milestones:
    slides.append(("里程碑", [panel_countdown, panel_timeline]))
if has_compare:
    slides.append(("对比", [panel_compare]))
if program.rubric is not None:
    slides.append(("排名", [panel_ranking]))
if ov.report_level(program) in ("village", "township", "pilot") and coverage["reported"] > 1:
    slides.append(("热力图", [panel_heatmap]))
if len(d.periods) > 1:
    slides.append(("趋势", [panel_trend]))
if program.quotas and data.stations(d.url, d.token, program.id)["stations"] is not None:
    slides.append(("站点", [panel_stations]))
    slides.append(("信息员", [panel_officers]))
if program.tasks:
    slides.append(("任务", [panel_tasks]))


def _turn(step: int) -> None:
    st.session_state["slide"] = (st.session_state.get("slide", 0) + step) % len(slides)
    st.session_state["slide_at"] = time.monotonic()


def slideshow(tools) -> None:
    """Projector slideshow: one slide a screen, turned by the buttons or the keyboard
    (← →); with 自动翻页 (off unless chosen) the next one every SLIDE_SECONDS (a fragment
    on a timer turns the page). The page counter sits between the buttons."""
    n = len(slides)
    j = st.session_state.get("slide", 0) % n
    tools.button("◀ 上一页", key="slide_prev", on_click=_turn, args=(-1,), shortcut="Left")
    tools.markdown(f"**{j + 1} / {n}** {slides[j][0]}", width="content")
    tools.button("下一页 ▶", key="slide_next", on_click=_turn, args=(1,), shortcut="Right")
    with controls():  # a choice made once, beside the programme and month
        auto = st.toggle("自动翻页", key="slide_auto", value=False, help=f"每 {SLIDE_SECONDS} 秒翻到下一页")
    st.session_state.setdefault("slide_at", time.monotonic())
    # the switch just clicked keeps the keyboard, and a switch takes ← → for itself
    st.html("<script>document.activeElement && document.activeElement.blur()</script>",
            unsafe_allow_javascript=True, width="content")

    @st.fragment(run_every=SLIDE_SECONDS if auto else None)
    def _timer() -> None:
        if auto and time.monotonic() - st.session_state["slide_at"] >= SLIDE_SECONDS - 0.5:
            _turn(1)  # only a timer tick gets here this late; clicks reset the clock
            st.rerun(scope="app")

    _timer()
    for panel in slides[j][1]:
        panel()


if big:  # the slideshow's controls sit in the header line: a slide keeps the screen
    tools = page_tools()
    show_slides = tools.toggle("幻灯片放映", key="slideshow", value=st.query_params.get("slideshow") == "1",
                               help="逐页放映各面板，用按钮或键盘的 ← → 键翻页")
else:
    show_slides = False
if show_slides:
    slideshow(tools)
else:
    for _, slide in slides:
        for panel in slide:
            panel()
            st.divider()
