"""银川移民区: the resettlement-area targets (4G ≥ 90 %, fibre 100 %, e-commerce stations
60 % / 100 %, training, senior talents, hospitals and clinics) over the city, by district
and by village, with due dates and clauses; the annual budget and its use."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboards.supervision.common import wan
from dashboards.ui.theme import LIGHT_BG, rag_css
from dashboards.ui import data as ui_data
from dashboards.ui.context import current_program, engine, page_setup, period_picker
from dashboards.ui.htmltable import fit_table
from dashboards.ui.tiles import OP_TEXT
from ruralcore.app import funding
from ruralcore.app import supervision as sv
from ruralcore.kernel.fmt import date_zh, period_zh
from ruralcore.rules.programs import ASSUMED_LABEL

STATUS_ZH = {"green": "达标", "amber": "接近", "red": "未达标", "incomplete": "未报齐", "no_data": "无数据",
             "city_total": "全市合计目标"}

def district_unit(target: str, name: str, unit: str, per_village: bool) -> str:
    """The unit of a district's value: a target every village must meet is the share of
    the district's villages meeting it (%); a “村均” target is people per village."""
    if per_village:
        return "达标村占比%"
    if unit == "人" and "村均" in name:
        return "人/村"
    return unit


actor = page_setup("resettlement")
program = current_program()
d = ui_data.Data(program.id)
period = period_picker(d.periods, key="rs_period")
if period is None:
    st.stop()
as_of = d.as_of or sv.period_end(period)


@st.cache_data(show_spinner=False, max_entries=16)
def _targets(url: str, token: str, program_id: str, period: str, as_of, role: str, region: str) -> dict:
    dd = ui_data.Data(program_id)
    seen = ui_data.visible_codes(url, token, role, region)  # a district admin: its district only
    return sv.resettlement_targets(dd.program, dd.month(period), dd.regions, as_of, visible=seen)


@st.cache_data(show_spinner=False, max_entries=8)
def _budget(url: str, token: str, program_id: str) -> pd.DataFrame:
    from ruralcore.rules.programs import load_program
    return sv.resettlement_budget(load_program(program_id), sv.load_funds(engine(), program_id))


res = _targets(d.url, d.token, program.id, period, as_of, actor.role, actor.region)
area = res["area"]
st.caption(f"数据月份：{period_zh(period)}；到期情况截至{date_zh(as_of)}。{ASSUMED_LABEL}的期限或比例已标出。")

t = res["targets"]
names = dict(zip(t["target"], t["name"]))
unit_of = dict(zip(t["target"], t["unit"]))
tv = pd.DataFrame({
    "目标": t["name"], "要求": [f"{OP_TEXT.get(o, o)}{v:g}{u if u != '%' else '%'}" for o, v, u in
                               zip(t["op"], t["threshold"], t["unit"])],
    f"{area}现状": [s if isinstance(s, str) else ("—" if pd.isna(v) else f"{v:.1f}{u}") for s, v, u in
                 zip(t["shown"], t["value"], t["unit"])],
    "情况": t["status"].map(STATUS_ZH), "期限": t["due"].map(date_zh), "到期": t["due_state"],
    "依据条款": t["ref"], "说明": t["assumed"].map(lambda a: f"{ASSUMED_LABEL}：{a}" if isinstance(a, str) and a else ""),
})
zh_status = {v: k for k, v in STATUS_ZH.items()}
st.subheader(f"目标完成情况（{area}）")
if res["limited"]:
    st.caption(f"只显示{actor.name}（{actor.role_label}）管辖的{area}。“全市合计目标”（如卫生院、卫生服务中心个数）"
               f"按全市合计考核，此处只列{area}的数量，不单独评判。")
fit_table(tv.style.map(lambda v: rag_css(zh_status[v]) if v in zh_status else "", subset=["情况"]))
no_data = t[t["status"] == "no_data"]
if len(no_data):
    st.caption("无数据：" + "、".join(no_data["name"]) + "：本月没有可计算该项的填报值。")
failing = t[t["failing"].map(len) > 0]
if len(failing):  # an every-village target names the villages that keep it from being met
    with st.expander(f"每村须达到的目标：未达标或未报送的村（{len(failing)}项目标）"):
        for r in failing.itertuples():
            st.markdown(f"**{r.name}**（{r.shown}）：" + "、".join(r.failing))
st.caption("判定规则：" + "；".join(dict.fromkeys(t["rule"])) + f"（{ASSUMED_LABEL}，见“政策文件与规则”）。")

st.subheader("分县（市）区")
st.caption("每村须达到的目标（宽带、信息服务站、高级人才、带头人、一户一档）显示该县（市）区达标村的比例（%）；"
           "每行的单位见目标名称后的括号。")
dist = res["districts"]
if dist.empty:
    st.info("本月没有可分县（市）区计算的指标。")
else:
    # targets as rows (their full names), districts as columns
    vals = dist.pivot(index="target", columns="district_name", values="value")
    stat = dist.pivot(index="target", columns="district_name", values="status")
    order = [c for c in t["target"] if c in vals.index]
    vals, stat = vals.loc[order], stat.loc[order]
    village_level = set(res["villages"]["target"]) if not res["villages"].empty else set()
    row_unit = [district_unit(c, names[c], unit_of.get(c, ""), c in village_level) for c in order]
    vals.index = pd.Index([f"{names[c]}（{u}）" for c, u in zip(order, row_unit)], name="目标")
    stat.index = vals.index
    vals.columns.name = stat.columns.name = None
    counts = [i for i, u in zip(vals.index, row_unit) if u == "个"]  # clinics, hospitals: whole numbers
    shown = vals.round(1).reset_index()  # the targets' names as the first column
    css = pd.concat([pd.Series("", index=stat.index, name="目标"), stat.map(rag_css)], axis=1).reset_index(drop=True)
    whole = [i for i, name in enumerate(shown["目标"]) if name in counts]
    fit_table(shown.style.apply(lambda _: css, axis=None)
              .format("{:.1f}", na_rep="—", subset=list(vals.columns))
              .format("{:.0f}", na_rep="—", subset=pd.IndexSlice[whole, list(vals.columns)]))

st.subheader("分村（每村须达到的目标）")
vil = res["villages"]
if vil.empty:
    st.info("本月没有村级数据。")
else:
    districts = ["（全部）"] + sorted(vil["district_name"].dropna().unique().tolist())
    pick = st.selectbox("县（市）区", districts, key="rs_district")
    v = vil if pick == "（全部）" else vil[vil["district_name"] == pick]
    only_red = st.toggle("只看未达标的村", key="rs_red")
    wide = v.pivot_table(index=["district_name", "region_name"], columns="target", values="value", aggfunc="first")
    ws = v.pivot_table(index=["district_name", "region_name"], columns="target", values="status", aggfunc="first")
    if only_red:
        keep = (ws != "green").any(axis=1)
        wide, ws = wide[keep], ws[keep]
    wide.columns = [f"{names[c]}（{unit_of.get(c, '') or '—'}）" for c in wide.columns]  # headers wrap
    ws.columns = wide.columns
    wide.index.names = ["县（市）区", "村"]
    names_cols = wide.index.to_frame(index=False)
    css = pd.concat([names_cols.map(lambda _: ""), ws.map(rag_css).reset_index(drop=True)], axis=1)
    fit_table(pd.concat([names_cols, wide.reset_index(drop=True)], axis=1).style.apply(lambda _: css, axis=None)
              .format("{:.1f}", na_rep="—", subset=list(wide.columns)))

annual = funding.annual_budget(program)
st.subheader(f"项目资金（每年{wan(annual):,.0f}万元）使用" if annual else "项目资金使用")
if res["limited"]:  # the budget is the city's, spent across districts: not one district's to read
    st.info("项目资金由全市统筹安排，本账户只能查看本辖区，不显示全市资金使用情况。")
    st.stop()
try:
    b = _budget(d.url, d.token, program.id)
except Exception as exc:  # noqa: BLE001 - an InputError names the row
    st.warning(str(exc))
else:
    bv = pd.DataFrame({
        "用途": b["use"], "比例（%）": b["share_percent"], "预算（万元）": b["budget_yuan"].map(wan),
        "已支出（万元）": b["spent_yuan"].map(wan), "结余（万元）": b["remaining_yuan"].map(wan),
        "超支": np.where(b["over_budget"], "超支", ""), "依据条款": b["ref"],
        "说明": b["assumed"].map(lambda a: f"{ASSUMED_LABEL}：{a}" if isinstance(a, str) and a else ""),
    })
    fit_table(bv.style.map(lambda x: f"background-color: {LIGHT_BG['red']}; color:#000" if x == "超支" else "",
                           subset=["超支"]).format({c: "{:,.2f}" for c in ["预算（万元）", "已支出（万元）", "结余（万元）"]}))
    st.caption(f"合计：预算{wan(b['budget_yuan'].sum()):,.2f}万元，已支出{wan(b['spent_yuan'].sum()):,.2f}万元。")
