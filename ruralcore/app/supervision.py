"""Municipal supervision (市级督导) composed from the engines: the pilot board, the county
scorecard, laggards with what is behind (and by how long, with its clause), one pilot's
detail, and 银川's resettlement targets. DataFrames only; no Streamlit.

Rules used, each from its engine:
- a schedule step is overdue when it is not done and its milestone's due date has passed
  (ruralcore.rules.milestones.status, once for the programme); a step done after its due date
  is “done late” (the only comparison made here);
- monthly reports: expected / on time / late / missing (ruralcore.app.reporting);
- money: the per-pilot amount (ruralcore.app.funding.per_pilot_allocations), integer yuan;
- traffic lights: ruralcore.rules.targets.compare/status against 100 % by the programme's
  status rule for rates (its amber band, an assumed setting).

A step is done “as of” a date only when its done date is on or before that date, so a
board as of an earlier date shows the state of that day.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.app import funding
from ruralcore.rules import milestones as ms_mod
from ruralcore.rules import ranking
from ruralcore.app import reporting
from ruralcore.rules import targets as tg_mod
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import ASSUMED_LABEL, Program
from ruralcore.rules.regions import PILOT_TYPES
from ruralcore.store import pilots as stored_pilots

# Schedule steps of a pilot: milestone code → the pilots table's done-date columns (a step
# with two columns is done when both are: 落实资金 and 纳入项目库 share one milestone).
STEPS: dict[str, tuple[str, ...]] = {
    "plans": ("plans_on",), "filing": ("filing_on",), "funds": ("funds_on", "project_library_on"),
    "procedures": ("procedures_on",), "construction_start": ("construction_start_on",),
    "completion": ("completion_on",), "acceptance": ("acceptance_on",), "summary": ("summary_on",),
}
STEP_SHORT = {"plans": "编制方案", "filing": "方案备案", "funds": "资金与项目库", "procedures": "前期手续",
              "construction_start": "开工建设", "completion": "全面完工", "acceptance": "评估验收",
              "summary": "典型案例"}
STATE_LABELS = {"on_time": "按时完成", "late": "逾期完成", "overdue": "逾期未完成", "not_due": "未到期"}
PILOT_STATE_LABELS = {"overdue": "滞后", "late": "曾逾期", "on_schedule": "按期"}
REPORT_LABELS = {"on_time": "按时", "late": "迟报", "missing": "未报"}
DATE_COLUMNS = [c for cols in STEPS.values() for c in cols]
REPORT_MILESTONE = "monthly_report"


def _d(x) -> dt.date:
    return x if isinstance(x, dt.date) else dt.date.fromisoformat(str(x)[:10])


# --------------------------------------------------------------------------------------
# loading (the only part that touches the store)

def load_pilots(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    """The programme's pilots from the store (index = pilot code), done dates as datetime64,
    plus county_name from the store's regions."""
    df = stored_pilots.pilots(engine, program_id)
    names = stored_pilots.region_names(engine, program_id)
    for c in DATE_COLUMNS:
        df[c] = pd.to_datetime(df[c]).astype("datetime64[s]")
    df["notes"] = df["notes"].fillna("").astype(str)
    df["county_name"] = df["county"].map(names.set_index("code")["name"]).fillna(df["county"])
    df.index = pd.Index(df["code"].astype(str).to_numpy(dtype=object), name="pilot")
    return df


def load_pilot_indicators(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    return stored_pilots.pilot_indicators(engine, program_id)


def load_funds(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    """Fund entries of the programme; amount_yuan int64."""
    df = stored_pilots.funds(engine, program_id)
    df["amount_yuan"] = df["amount_yuan"].astype("int64")
    return df


class PilotData:
    """Everything the supervision pages and the circular need for one programme."""

    def __init__(self, program: Program, pilots: pd.DataFrame, indicators: pd.DataFrame, funds: pd.DataFrame,
                 regions: pd.DataFrame, reports: pd.DataFrame, as_of: dt.date | None = None):
        self.program, self.pilots, self.indicators, self.funds = program, pilots, indicators, funds
        self.regions, self.reports, self.as_of = regions, reports, as_of

    @property
    def periods(self) -> list[str]:
        return sorted(self.reports["period"].astype(str).unique().tolist()) if len(self.reports) else []


def load_pilot_data(engine: sa.Engine, program: Program) -> PilotData:
    from ruralcore.app.overview import as_of_date, region_frame
    from ruralcore.store import reports as store_reports

    pilots = load_pilots(engine, program.id)
    if pilots.empty:
        raise RuralcoreError(f"数据库中没有方案“{program.meta.short_title}”的试点数据")
    reports = store_reports.load_reports(engine, program.id)
    periods = sorted(reports["period"].unique().tolist()) if len(reports) else []
    return PilotData(program, pilots, load_pilot_indicators(engine, program.id), load_funds(engine, program.id),
                     region_frame(engine, program.id), reports, as_of_date(engine, program.id, periods))


def period_end(period: str) -> dt.date:
    reporting._check_period(period)
    return pd.Period(period, "M").end_time.date()


def default_as_of(data: PilotData, period: str) -> dt.date:
    """The date the schedule is judged on by default: the data's as-of date for the newest
    month (the date the acceptance pages use too, so a pilot completed and accepted in
    January is not shown overdue on 全面完工 as of 31 December), else the month's end."""
    end = period_end(period)
    newest = data.periods[-1] if data.periods else None
    if data.as_of and period == newest and data.as_of > end:
        return data.as_of
    return end


# --------------------------------------------------------------------------------------
# schedule steps

def step_info(program: Program, as_of: dt.date) -> pd.DataFrame:
    """The schedule steps (milestones engine as of ``as_of``, nothing done): code, name,
    short, due, status (overdue or not of a step nobody has done), days_overdue, ref."""
    st = ms_mod.status(program, as_of).set_index("code", drop=False)
    missing = [c for c in STEPS if c not in st.index]
    if missing:
        raise RuralcoreError(f"方案“{program.id}”缺少试点进度里程碑：{'、'.join(missing)}")
    out = st.loc[list(STEPS), ["code", "name", "due", "status", "days_overdue", "ref", "assumed"]].copy()
    out["short"] = out["code"].map(STEP_SHORT)
    return out


def step_status(program: Program, pilots: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per (pilot, step): due, done_on (None when not done as of ``as_of``), state
    (on_time | late | overdue | not_due), days (late: done − due; overdue: as_of − due), ref."""
    info = step_info(program, as_of)
    cut = np.datetime64(as_of, "s")
    parts = []
    accepted = pilots["acceptance_on"].to_numpy(dtype="datetime64[s]")
    for code, cols in STEPS.items():  # eight steps, each vectorised over pilots
        dates = pilots[list(cols)].to_numpy(dtype="datetime64[s]")
        if code == "completion":  # 三(六) accepts a pilot once built: accepted means completed
            dates = np.where(np.isnat(dates), accepted[:, None], dates)
        done_on = dates.max(axis=1)  # NaT wins over dates: a two-date step needs both
        done_on = np.where(np.isnat(dates).any(axis=1) | (done_on > cut), np.datetime64("NaT"), done_on)
        done = ~np.isnat(done_on)
        due = np.datetime64(info.at[code, "due"], "s")
        overdue_now = info.at[code, "status"] == "overdue"  # the engine's rule for an undone step
        late_days = ((done_on - due) / np.timedelta64(1, "D"))
        state = np.where(done, np.where(done_on <= due, "on_time", "late"), "overdue" if overdue_now else "not_due")
        days = np.where(state == "late", np.nan_to_num(late_days, nan=0),
                        np.where(state == "overdue", int(info.at[code, "days_overdue"]), 0)).astype("int64")
        parts.append(pd.DataFrame({
            "pilot": pilots.index.to_numpy(dtype=object), "step": code, "step_name": info.at[code, "short"],
            "milestone": info.at[code, "name"], "due": info.at[code, "due"],
            "done_on": pd.to_datetime(done_on).date if done.any() else np.full(len(done), None),
            "state": state.astype(object), "days": days, "ref": info.at[code, "ref"],
        }))
    out = pd.concat(parts, ignore_index=True)
    out["done_on"] = out["done_on"].where(out["state"].isin(["on_time", "late"]), None)
    out["state_label"] = out["state"].map(STATE_LABELS)
    return out


# --------------------------------------------------------------------------------------
# indicators, money, reports per pilot

def indicator_counts(program: Program, pilots: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Per pilot: built (state = the programme's build_state_counts_as_built) and the
    number of reference indicators of its checklist (附件1: 17, 附件2: 18)."""
    built_state = str(program.setting("build_state_counts_as_built"))
    totals = {("township" if "township" in cl.subject else "village"): len(cl.items) for cl in program.checklists
              if cl.subject in ("township_pilot", "village_pilot")}  # not the 二(二) compliance list
    built = (items["state"] == built_state).groupby(items["pilot"]).sum()
    return pd.DataFrame({
        "indicators_built": pilots.index.map(built).fillna(0).astype("int64"),
        "indicators_total": pilots["pilot_type"].map(totals).fillna(0).astype("int64").to_numpy(),
    }, index=pilots.index)


def money(program: Program, pilots: pd.DataFrame, funds: pd.DataFrame) -> pd.DataFrame:
    """Per pilot (integer yuan): the city's amount for it (funding engine), city funds
    received, county matching received, spent."""
    alloc = funding.per_pilot_allocations(program, pd.DataFrame({
        "name": pilots.index.to_numpy(dtype=object), "county": pilots["county"].to_numpy(dtype=object),
        "level": pilots["pilot_type"].to_numpy(dtype=object)}))
    per = alloc.groupby("name")["amount_yuan"].sum()
    f = funds[funds["pilot"].notna()]
    by = f.pivot_table(index="pilot", columns="kind", values="amount_yuan", aggfunc="sum", fill_value=0)
    col = lambda k: pilots.index.map(by[k] if k in by.columns else pd.Series(dtype="int64")).fillna(0)  # noqa: E731
    return pd.DataFrame({
        "city_allocated_yuan": pilots.index.map(per).fillna(0).astype("int64"),
        "city_received_yuan": col("allocation").astype("int64"),
        "county_matching_yuan": col("county_matching").astype("int64"),
        "spent_yuan": col("spending").astype("int64"),
    }, index=pilots.index)


def report_history(program: Program, periods: list[str], regions: pd.DataFrame,
                   reports: pd.DataFrame) -> pd.DataFrame:
    """Report status of every expected pilot for every period (reporting engine):
    region, period, submitted_at, on_time, late, missing, due, days_late, status."""
    parts = []
    for p in periods:  # a dozen months
        s = reporting.report_status(program, p, regions, reports)
        due = pd.Timestamp(reporting.due_date(program, p))
        s["due"] = due.date()
        late = (s["submitted_at"].dt.normalize() - due).dt.days
        s["days_late"] = np.where(s["late"], late.fillna(0), 0).astype("int64")
        parts.append(s)
    if not parts:
        return pd.DataFrame(columns=[*reporting.STATUS_COLUMNS, "due", "days_late", "status"])
    out = pd.concat(parts, ignore_index=True)
    out["status"] = np.select([out["on_time"], out["late"]], ["on_time", "late"], "missing").astype(object)
    return out


def _report_ref(program: Program) -> str:
    try:
        return next(m.ref for m in program.milestones if m.code == REPORT_MILESTONE)
    except StopIteration:
        return ""


# --------------------------------------------------------------------------------------
# pilot board

BOARD_BASE = ["pilot", "name", "county", "county_name", "pilot_type", "type_label"]


def pilot_board(data: PilotData, as_of: dt.date, period: str | None = None,
                steps: pd.DataFrame | None = None, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per pilot: each step's state (columns = step codes, values = state codes),
    overdue/late step counts, days behind (the longest overdue step), pilot state,
    indicators built of 17/18, money, and the report of ``period`` (default: the newest
    month with data) with the last month received. Sorted by how far behind, worst first:
    days behind, overdue steps, the month's report (missing, late), steps done late."""
    prog, pilots = data.program, data.pilots
    steps = step_status(prog, pilots, as_of) if steps is None else steps
    period = period or (data.periods[-1] if data.periods else None)
    out = pd.DataFrame({
        "pilot": pilots.index.to_numpy(dtype=object), "name": pilots["name"].to_numpy(dtype=object),
        "county": pilots["county"].to_numpy(dtype=object), "county_name": pilots["county_name"].to_numpy(dtype=object),
        "pilot_type": pilots["pilot_type"].to_numpy(dtype=object),
    }, index=pilots.index)
    out["type_label"] = out["pilot_type"].map(PILOT_TYPES)
    wide = steps.pivot(index="pilot", columns="step", values="state").reindex(index=pilots.index, columns=list(STEPS))
    out[list(STEPS)] = wide.to_numpy()
    overdue = steps["state"] == "overdue"
    out["overdue_steps"] = pilots.index.map(overdue.groupby(steps["pilot"]).sum()).astype("int64")
    out["late_steps"] = pilots.index.map((steps["state"] == "late").groupby(steps["pilot"]).sum()).astype("int64")
    out["days_behind"] = pilots.index.map(steps["days"].where(overdue, 0).groupby(steps["pilot"]).max()).astype("int64")
    out["state"] = np.select([out["overdue_steps"] > 0, out["late_steps"] > 0], ["overdue", "late"], "on_schedule")
    out["state_label"] = out["state"].map(PILOT_STATE_LABELS)
    out = out.join(indicator_counts(prog, pilots, data.indicators)).join(money(prog, pilots, data.funds))
    # reports
    hist = history
    if hist is None:
        hist = report_history(prog, data.periods, data.regions, data.reports) if data.periods else None
    out["period"] = period
    out["report"] = "missing" if period else None
    out["submitted_at"] = pd.NaT
    out["last_period"] = None
    if hist is not None and len(hist) and period:
        now = hist[hist["period"] == period].set_index("region")
        out["report"] = out.index.map(now["status"]).fillna("missing")
        out["submitted_at"] = out.index.map(now["submitted_at"])
        got = hist[hist["received"] & (hist["period"] <= period)]
        out["last_period"] = out.index.map(got.groupby("region")["period"].max())
    out["report_label"] = out["report"].map(REPORT_LABELS)
    out = out.reset_index(drop=True)
    # how far behind: longest overdue step, then overdue steps, then this month's report
    # (missing before late), then steps done late
    out["_r"] = out["report"].map({"missing": 0, "late": 1}).fillna(2)
    order = out.sort_values(["days_behind", "overdue_steps", "_r", "late_steps", "pilot"],
                            ascending=[False, False, True, False, True], kind="stable")
    return order.drop(columns="_r").reset_index(drop=True)


def filter_board(board: pd.DataFrame, counties: list[str] | None = None, types: list[str] | None = None,
                 states: list[str] | None = None) -> pd.DataFrame:
    m = np.ones(len(board), dtype=bool)
    if counties:
        m &= board["county"].isin(counties).to_numpy()
    if types:
        m &= board["pilot_type"].isin(types).to_numpy()
    if states:
        m &= board["state"].isin(states).to_numpy()
    return board[m]


# --------------------------------------------------------------------------------------
# county scorecard

SCORE_COLUMNS = ["county", "county_name", "pilots", "on_schedule", "on_schedule_rate", "expected", "received",
                 "on_time", "late", "missing", "reporting_rate", "on_time_rate", "available_yuan", "spent_yuan",
                 "spent_rate", "indicators_built", "indicators_total", "built_rate", "rank"]
LIGHT_COLUMNS = ["on_schedule_rate", "reporting_rate", "on_time_rate"]
RANK_CRITERIA = ["on_schedule_rate", "on_time_rate", "reporting_rate"]  # see ranking_rule()
CITY = "__city__"


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        for rate, num, den in (("on_schedule_rate", "on_schedule", "pilots"), ("reporting_rate", "received", "expected"),
                               ("on_time_rate", "on_time", "expected"), ("spent_rate", "spent_yuan", "available_yuan"),
                               ("built_rate", "indicators_built", "indicators_total")):
            n, d = df[num].to_numpy(dtype="float64"), df[den].to_numpy(dtype="float64")
            df[rate] = np.where(d > 0, n / d * 100, np.nan)
    return df


def scorecard(board: pd.DataFrame) -> pd.DataFrame:
    """Per county: pilots on schedule (no overdue step), the board period's reports
    (expected / received / on time / late / missing and rates), funds spent against funds
    in place (city funds received + county matching), indicators built of the checklist
    items; rates from summed counts, never averaged. Ranked by on-schedule rate, then
    on-time rate, then reporting rate (rank 1 = best; counties equal on all three share
    a rank, ``rank_label`` says 并列); the city row (county = "__city__") is last and
    unranked."""
    b = pd.DataFrame({
        "county": board["county"], "county_name": board["county_name"], "pilots": 1,
        "on_schedule": (board["overdue_steps"] == 0).astype("int64"),
        "expected": board["report"].notna().astype("int64"),
        "received": board["report"].isin(["on_time", "late"]).astype("int64"),
        "on_time": (board["report"] == "on_time").astype("int64"),
        "late": (board["report"] == "late").astype("int64"),
        "missing": (board["report"] == "missing").astype("int64"),
        "available_yuan": (board["city_received_yuan"] + board["county_matching_yuan"]).astype("int64"),
        "spent_yuan": board["spent_yuan"].astype("int64"),
        "indicators_built": board["indicators_built"], "indicators_total": board["indicators_total"],
    })
    nums = [c for c in b.columns if c not in ("county", "county_name")]
    per = b.groupby(["county", "county_name"], sort=True)[nums].sum().reset_index()
    per = _rates(per)
    # competition ranking (1, 2, 2, 4): counties equal on all three rates are 并列, never
    # told apart by their code (the programme's ranking_tie_rule, an assumed setting)
    per["rank"] = ranking.competition_rank([per[c].to_numpy() for c in RANK_CRITERIA])
    per = per.sort_values(["rank", "county"], kind="stable").reset_index(drop=True)
    city = _rates(pd.DataFrame([{"county": CITY, "county_name": "全市", **b[nums].sum().to_dict()}]))
    city["rank"] = pd.NA
    out = pd.concat([per, city], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    out["rank_label"] = ranking.rank_labels(out["rank"])
    return out[SCORE_COLUMNS + ["rank_label"]]


def ranking_rule(program: Program) -> dict:
    """How counties are ranked and how a published cut treats ties: the programme's
    settings (忻州 has no ranking in the document: both are assumed), as
    {criteria, tie_rule, text, ref, assumed}."""
    order = next((x for x in program.settings if x.code == "county_ranking"), None)
    tie = next((x for x in program.settings if x.code == "ranking_tie_rule"), None)
    rule = str(tie.value) if tie else "include_ties"
    if rule not in ranking.TIE_RULES:
        raise RuralcoreError(f"方案“{program.id}”的设置 ranking_tie_rule 应为 {'、'.join(ranking.TIE_RULES)}，实为“{rule}”")
    text = (str(order.value) if order else "按试点按期推进率、月报按时报送率、月报报送率依次排序，三项都相同的并列")
    refs = "；".join(dict.fromkeys(x.ref for x in (order, tie) if x))
    why = "；".join(x.assumed for x in (order, tie) if x and x.assumed)
    return {"criteria": RANK_CRITERIA, "tie_rule": rule, "text": text, "ref": refs, "assumed": why or None}


def lights(program: Program, card: pd.DataFrame) -> pd.DataFrame:
    """green / amber / red per rate column that has a target: every pilot on schedule
    (三(二)–(七)) and every pilot reporting, on time (四(五)) — 100 %, amber band from
    the amber band of the programme's rate status rule (targets engine)."""
    margin = tg_mod.amber_margin(program)
    out = pd.DataFrame(index=card.index)
    for c in LIGHT_COLUMNS:
        met, gap = tg_mod.compare(card[c].to_numpy(dtype="float64"), ">=", 100.0)
        out[c] = tg_mod.status(met, gap, margin)
    return out


def light_rule(program: Program) -> str:
    """The lights' rule in words: every pilot on schedule / reporting on time is 100 %,
    judged by the programme's rate rule (its band is an assumed setting)."""
    r = program.status_rule("rate")
    note = f"（{ASSUMED_LABEL}：{r.assumed}）" if r.assumed else f"（{r.ref}）"
    return f"按期推进率、月报报送率、按时报送率以100%为目标，{r.text()}{note}。资金支出率、指标建成率文件未规定目标，不着色。"


METRIC_LABELS = {"on_schedule_rate": "按期推进率", "reporting_rate": "月报报送率", "on_time_rate": "按时报送率"}


def off_metric(board: pd.DataFrame, metric: str) -> pd.Series:
    """The pilots that pull a county's ``metric`` below 100 % (the scorecard's own
    counts): an overdue step (按期推进率), no report this month (报送率), or no on-time
    report (按时报送率)."""
    if metric == "on_schedule_rate":
        return board["overdue_steps"] > 0
    if metric == "reporting_rate":
        return board["report"] == "missing"
    if metric == "on_time_rate":
        return board["report"] != "on_time"
    raise RuralcoreError(f"没有指标“{metric}”，应为 {'、'.join(METRIC_LABELS)}")


def light_refs(program: Program) -> dict[str, str]:
    ms = {m.code: m.ref for m in program.milestones}
    sched = "、".join(dict.fromkeys(ms[c] for c in STEPS if c in ms))
    return {"on_schedule_rate": sched, "reporting_rate": _report_ref(program), "on_time_rate": _report_ref(program)}


# --------------------------------------------------------------------------------------
# laggards

BEHIND_COLUMNS = ["pilot", "name", "county", "county_name", "pilot_type", "kind", "item", "what", "due", "days",
                  "ref"]


def behind(data: PilotData, steps: pd.DataFrame, history: pd.DataFrame | None, period: str | None) -> pd.DataFrame:
    """Everything behind, one row each: overdue steps (逾期未完成 N天) and the period's late
    (迟报 N天) and missing (未报) reports, with the clause that sets the date; sorted by
    pilot's county, then days, longest first."""
    pil = data.pilots
    o = steps[steps["state"] == "overdue"]
    a = pd.DataFrame({
        "pilot": o["pilot"].to_numpy(dtype=object), "kind": "overdue_step", "item": o["step_name"].to_numpy(dtype=object),
        "due": o["due"].to_numpy(dtype=object), "days": o["days"].to_numpy(dtype="int64"), "ref": o["ref"].to_numpy(dtype=object),
    })
    a["what"] = "逾期未完成：" + o["milestone"].to_numpy(dtype=object)
    parts = [a]
    if history is not None and len(history) and period:
        h = history[(history["period"] == period) & ~history["on_time"]]
        from ruralcore.kernel.fmt import period_zh
        b = pd.DataFrame({
            "pilot": h["region"].to_numpy(dtype=object), "kind": np.where(h["missing"], "missing_report", "late_report"),
            "item": np.where(h["missing"], "月报未报", "月报迟报"),
            "due": pd.Series(h["due"]).map(lambda d: d.isoformat()).to_numpy(dtype=object),
            "days": h["days_late"].to_numpy(dtype="int64"), "ref": _report_ref(data.program),
        })
        b["what"] = np.where(h["missing"], f"{period_zh(period)}月报未报", f"{period_zh(period)}月报迟报")
        parts.append(b)
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
        pd.DataFrame(columns=["pilot", "kind", "item", "due", "days", "ref", "what"])
    out["name"] = out["pilot"].map(pil["name"])
    out["county"] = out["pilot"].map(pil["county"])
    out["county_name"] = out["pilot"].map(pil["county_name"])
    out["pilot_type"] = out["pilot"].map(pil["pilot_type"])
    out = out[out["name"].notna()]
    out = out.sort_values(["county", "pilot", "days"], ascending=[True, True, False], kind="stable")
    return out[BEHIND_COLUMNS].reset_index(drop=True)


def laggards(board: pd.DataFrame, behind_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per pilot with anything behind: county, pilot, what is behind (joined),
    the longest overdue days, the clauses; worst first."""
    if behind_rows.empty:
        return pd.DataFrame(columns=["pilot", "name", "county_name", "type_label", "behind", "days_behind", "refs"])
    g = behind_rows.groupby("pilot", sort=False)
    what = g["item"].agg(lambda s: "、".join(s))  # a few rows per laggard
    refs = g["ref"].agg(lambda s: "；".join(dict.fromkeys(s)))
    b = board.set_index("pilot")
    out = pd.DataFrame({"pilot": what.index.to_numpy(dtype=object)})
    out["name"] = out["pilot"].map(b["name"])
    out["county_name"] = out["pilot"].map(b["county_name"])
    out["type_label"] = out["pilot"].map(b["type_label"])
    out["behind"] = out["pilot"].map(what)
    out["days_behind"] = out["pilot"].map(b["days_behind"]).astype("int64")
    out["overdue_steps"] = out["pilot"].map(b["overdue_steps"]).astype("int64")
    out["refs"] = out["pilot"].map(refs)
    return out.sort_values(["days_behind", "overdue_steps", "pilot"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def pilot_detail(data: PilotData, pilot: str, as_of: dt.date, steps: pd.DataFrame, history: pd.DataFrame,
                 behind_rows: pd.DataFrame) -> dict:
    """One pilot: its facts, schedule (every step with due, done, state, days, clause),
    monthly reports over time (status and its main values), notes, and what is behind."""
    if pilot not in data.pilots.index:
        raise RuralcoreError(f"没有试点“{pilot}”")
    p = data.pilots.loc[pilot]
    sched = steps[steps["pilot"] == pilot].reset_index(drop=True)
    hist = history[history["region"] == pilot] if history is not None and len(history) else pd.DataFrame()
    rep = data.reports[data.reports["region"] == pilot]
    if len(rep):
        vals = rep.pivot_table(index="period", columns="field", values="value", aggfunc="first")
        hist = hist.set_index("period").join(vals, how="left").reset_index()
    return {
        "pilot": pilot, "name": p["name"], "county": p["county"], "county_name": p["county_name"],
        "pilot_type": p["pilot_type"], "type_label": PILOT_TYPES.get(p["pilot_type"], p["pilot_type"]),
        "notes": p["notes"], "as_of": as_of, "schedule": sched, "reports": hist,
        "behind": behind_rows[behind_rows["pilot"] == pilot].reset_index(drop=True),
    }


# --------------------------------------------------------------------------------------
# everything at once (pages and circular)

def supervise(data: PilotData, period: str, as_of: dt.date | None = None) -> dict:
    """Board, scorecard, lights, behind rows and laggards for ``period`` (reports) and
    ``as_of`` (schedule; default the period's last day)."""
    as_of = as_of or period_end(period)
    periods = [p for p in data.periods if p <= period]
    steps = step_status(data.program, data.pilots, as_of)
    history = report_history(data.program, periods, data.regions, data.reports) if periods else None
    if period not in periods:  # no data for the month at all: every pilot missing
        history = pd.concat([h for h in (history, report_history(data.program, [period], data.regions,
                                                                  data.reports.iloc[:0])) if h is not None],
                            ignore_index=True)
    board = pilot_board(data, as_of, period, steps, history)
    card = scorecard(board)
    rows = behind(data, steps, history, period)
    return {"program": data.program, "period": period, "as_of": as_of, "steps": steps, "history": history,
            "board": board, "scorecard": card, "lights": lights(data.program, card), "behind": rows,
            "laggards": laggards(board, rows)}


CITY_REFERENCE = "全市（参考）"


def within(sup: dict, visible) -> dict:
    """supervise()'s result limited to the pilots whose codes are in ``visible`` (the
    region codes an account reads; None: everything, returned unchanged). The board,
    steps, reports, behind rows and laggards keep only those pilots; the scorecard keeps
    the counties holding them with their city-wide rank, and the city row (named
    全市（参考）) as a reference line. ``limited`` says whether anything was left out."""
    if visible is None:
        return {**sup, "limited": False}
    seen = pd.Index(list(visible))
    board = sup["board"]
    mine = board["pilot"].isin(seen).to_numpy()
    if mine.all():
        return {**sup, "limited": False}
    board = board[mine].reset_index(drop=True)
    card = sup["scorecard"]
    keep = (card["county"].isin(board["county"]) | (card["county"] == CITY)).to_numpy()
    card = card[keep].reset_index(drop=True)
    card.loc[card["county"] == CITY, "county_name"] = CITY_REFERENCE
    hist = sup["history"]

    def pilots(frame, col="pilot"):
        return frame[frame[col].isin(seen).to_numpy()].reset_index(drop=True)

    return {**sup, "board": board, "scorecard": card, "lights": sup["lights"][keep].reset_index(drop=True),
            "steps": pilots(sup["steps"]), "history": None if hist is None else pilots(hist, "region"),
            "behind": pilots(sup["behind"]), "laggards": pilots(sup["laggards"]), "limited": True}


def circular_refusal(sup: dict, actor) -> str | None:
    """Why ``actor`` may not issue the month's circular from ``sup`` (within()'s result),
    or None. The circular is the city's document ranking every county and naming every
    laggard: an account that reads only part of the city (a county admin) is refused
    rather than handed a city circular with most of it cut out."""
    if not sup.get("limited"):
        return None
    return (f"月度通报由市级印发，列出全市各县（市、区）的排名和滞后试点；{actor.name}（{actor.role_label}）"
            "只能查看本辖区的试点，不能生成全市通报。本辖区的情况请在“试点进度”“县区评分”“落后督办”页面查看。")


def step_totals(steps: pd.DataFrame) -> pd.DataFrame:
    """Per step: pilots on time, late, overdue, not due (for the circular's overview)."""
    ct = pd.crosstab(steps["step"], steps["state"]).reindex(index=list(STEPS), columns=list(STATE_LABELS),
                                                            fill_value=0)
    ct.insert(0, "step_name", [STEP_SHORT[s] for s in ct.index])
    return ct.reset_index()


# --------------------------------------------------------------------------------------
# 银川: resettlement-area targets by district and village, and the budget's use

def _due_state(due: str | None, as_of: dt.date) -> tuple[str, int | None]:
    if not due:
        return "", None
    left = (_d(due) - as_of).days
    return ("已到期" if left < 0 else "未到期"), left


def resettlement_targets(program: Program, fields: pd.DataFrame, regions: pd.DataFrame,
                         as_of: dt.date, visible=None) -> dict:
    """The targets over one month's village reports (targets engine); with ``visible``
    (region codes an account reads; None: all) over those regions only (the regions
    above them are kept so names resolve: a district admin's villages keep their
    district), ``area`` naming what was summed ("全市" or the district), and a city-wide
    total (a count or amount over the city, e.g. 10 hospitals) not judged for one
    district (status ``city_total``). As:
    - ``targets``: one row per target over the whole area (an every-village target: the
      share of villages meeting it, “N个行政村中M个达标” and the failing villages), with
      threshold, status by the programme's rule for its kind, the rule, due, whether due
      as of ``as_of``, clause and assumption;
    - ``districts``: per district × target, the district's value (indicators engine
      roll-up: summed numerators and denominators) and status; for a target every
      village must meet, the share of the district's villages meeting it (green = all);
    - ``villages``: per village × village-level target, value and status."""
    from ruralcore.app.overview import compare_table, names, village_values
    from ruralcore.auth.scope import ancestors as up, keep_visible

    area = "全市"
    if visible is not None:
        mine = regions.index.isin(list(visible))
        tops = regions.index[mine & ~regions["parent"].isin(regions.index[mine])]  # the account's own region(s)
        above = {a for t in tops for a in up(regions, t)}
        fields = keep_visible(fields, visible)
        regions = regions[mine | regions.index.isin(list(above))]
        if not mine.all():
            area = "、".join(regions.loc[tops, "name"].astype(str)) or "本账户区域"
    from ruralcore.app.overview import every_unit_result
    ev = tg_mod.evaluate(program, fields, region_frame=regions)
    rows = []
    for t in program.targets:  # ~14 entries
        if not t.indicator:
            continue
        e = ev[ev["target"] == t.code]
        ind = program.indicator(t.indicator)
        if t.kind == "every_unit":  # met only when every village meets it (四(一), 四(三), 三(四), 三(五))
            res = every_unit_result(program, t, ev, regions)
            met_n, n, status = res["met"], res["units"], res["status"]
            value = met_n / n * 100 if n else np.nan
            shown, failing = res["text"], res["failing_names"] + [f"{x}（未报送）" for x in res["unreported_names"]]
        else:
            value = float(e["value"].iloc[0]) if len(e) else np.nan
            status = e["status"].iloc[0] if len(e) else "no_data"
            met_n = n = None
            shown, failing = None, []
        due_state, left = _due_state(t.due.isoformat() if t.due else None, as_of)
        rows.append({"target": t.code, "name": t.name, "indicator": t.indicator, "unit": ind.unit, "kind": t.kind,
                     "level": t.applies_to, "value": value, "op": t.op, "threshold": float(t.threshold),
                     "status": status, "villages_met": met_n, "villages": n, "shown": shown, "failing": failing,
                     "rule": tg_mod.rule_text(program, t),
                     "due": t.due.isoformat() if t.due else None, "due_state": due_state, "days_left": left,
                     "ref": t.ref, "assumed": t.assumed})
    targets = pd.DataFrame(rows)
    district = compare_table(program, fields, regions, level="county")
    dparts = []
    for t in program.targets:
        if not t.indicator or t.indicator not in district.columns or t.kind == "every_unit":
            continue
        v = district[t.indicator].to_numpy(dtype="float64")
        met, gap = tg_mod.compare(v, t.op, t.threshold)
        dparts.append(pd.DataFrame({"district": district.index.to_numpy(dtype=object),
                                    "district_name": district["name"].to_numpy(dtype=object), "target": t.code,
                                    "value": v, "threshold": float(t.threshold),
                                    "status": tg_mod.target_status(program, t, met, gap)}))
    vil = ev[ev["kind"] == "every_unit"].copy()
    if len(vil):
        town = ancestors(regions, vil["region"], "township")
        county = ancestors(regions, vil["region"], "county")
        vil["township_name"] = names(regions, town)
        vil["district"] = county
        vil["district_name"] = names(regions, county)
        dparts.append(_every_unit_by_district(vil, regions))
    districts = pd.concat(dparts, ignore_index=True) if dparts else pd.DataFrame()
    if area != "全市" and len(targets):
        # a city-wide total (10 hospitals, 56 clinics) is not a district's own target
        total = targets["indicator"].map(lambda i: program.indicator(i).kind in ("count", "amount")) & \
            (targets["level"] != "village")
        targets.loc[total, "status"] = "city_total"
        if len(districts):
            districts.loc[districts["target"].isin(targets.loc[total, "target"]), "status"] = "city_total"
    vals = village_values(program, fields)
    return {"targets": targets, "districts": districts, "villages": vil.reset_index(drop=True),
            "village_values": vals, "area": area, "limited": area != "全市"}


def _every_unit_by_district(vil: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Per district × every-unit target: the share (%) of the district's villages meeting
    it, over the villages of the region tree (an unreported village does not meet it);
    green when all do, red when one misses it, 未报齐 (incomplete) when the others did
    not report (targets.unit_summary's rule, for every district at once)."""
    vv = regions[regions["level"] == "village"]
    expected = pd.Series(ancestors(regions, pd.Series(vv.index), "county")).value_counts()
    known = vil[vil["value"].notna()]
    g = known.assign(met=known["met"].astype(bool), miss=~known["met"].astype(bool)).groupby(
        ["district", "district_name", "target"])[["met", "miss"]].sum().reset_index()
    n = g["district"].map(expected).fillna(0).to_numpy(dtype="float64")
    n = np.maximum(n, g["met"] + g["miss"])  # villages the tree does not list still count
    met = g["met"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, met / n * 100, np.nan)
    status = np.select([g["miss"] > 0, met < n], ["red", "incomplete"], "green")
    return pd.DataFrame({"district": g["district"], "district_name": g["district_name"], "target": g["target"],
                         "value": share, "threshold": 100.0, "status": status.astype(object)})


def ancestors(regions: pd.DataFrame, codes: pd.Series, level: str) -> np.ndarray:
    from ruralcore.rules.regions import ancestors_at
    return ancestors_at(regions, pd.Series(np.asarray(codes, dtype=object)), level).to_numpy(dtype=object)


def resettlement_budget(program: Program, funds: pd.DataFrame, years: int = 1) -> pd.DataFrame:
    """The annual budget per use against spending recorded (funding engine), integer yuan."""
    sp = funds[funds["kind"] == "spending"]
    return funding.spending_vs_budget(program, sp[["use", "amount_yuan"]].reset_index(drop=True), years)
