"""How an audit entry reads in Chinese: what was done, to which record, which field, from
which value to which. The log stores codes (table and column names, role and state codes,
ISO dates, a whole row as JSON); the page and the export show words."""
from __future__ import annotations

import json
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ruralcore.rules.acceptance import STATE_NAMES
from ruralcore.app.cases import RESULT_NAMES as CASE_RESULTS, SUBJECT_TYPES
from ruralcore.app.checklists import PILOT_STATE_NAMES, RESULT_NAMES as ITEM_RESULTS
from ruralcore.kernel.fmt import date_zh, datetime_zh, period_zh
from ruralcore.app.households import MONITOR_STATES, MONITOR_TYPES
from ruralcore.rules.regions import LEVEL_NAMES
from ruralcore.auth.scope import ROLES
from ruralcore.app.notices import STATE_LABELS as NOTICE_STATES
from ruralcore.app.responsibility import KINDS as RESPONSIBLE_KINDS
from ruralcore.rules.scoring import AWARD_LABELS
from ruralcore.rules.stations import REGISTER_STATES, TYPE_NAMES
from ruralcore.store.audit import SESSION_ACTIONS
from ruralcore.rules.tasks import STATE_NAMES as TASK_STATES

ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除", "bulk": "批量写入", "reason": "更正事由",
           "login": "登录", "login_fail": "登录失败", "logout": "退出登录", "timeout": "会话结束"}
# ruralcore.auth.accounts writes why a session began, was refused or ended
SESSION_REASONS = {"ok": "登录成功", "bad_password": "用户名或密码错误", "locked": "账户已锁定，未核对密码",
                   "throttled": "尝试过于频繁，未核对密码", "signed_out": "用户退出登录",
                   "idle": "长时间未操作，自动退出", "expired": "登录时间超过上限，须重新登录",
                   "disabled": "账户已停用"}

# Column names, per table where the same name means different things; COMMON otherwise.
COMMON = {"id": "编号", "version": "版本", "program": "方案", "region": "区域", "name": "名称", "note": "备注",
          "notes": "备注", "state": "状态", "period": "月份", "village": "村", "township": "乡镇",
          "county": "县（区）", "household": "农户档案", "station": "益农信息社", "pilot": "试点", "item": "项目",
          "kind": "类别", "type": "类型", "phone": "电话", "id_number": "身份证号", "on_date": "日期",
          "username": "用户名", "rows": "行数", "value": "数值", "created_at": "创建时间", "created_by": "创建人"}
COLUMNS = {
    "regions": {"code": "区域代码", "level": "层级", "parent": "上级区域", "kind": "区划类别",
                "code_source": "代码来源", "ref": "依据"},
    "reports": {"field": "数据项", "submitted_by": "填报人", "submitted_at": "提交时间"},
    "app_meta": {"key": "项", "value": "值"},
    "pilots": {"code": "试点代码", "pilot_type": "试点类型", "plans_on": "编制方案", "filing_on": "方案备案",
               "funds_on": "资金到位", "project_library_on": "入项目库", "procedures_on": "前期手续",
               "construction_start_on": "开工建设", "completion_on": "全面完工", "acceptance_on": "评估验收",
               "summary_on": "典型案例"},
    "pilot_indicators": {"item": "建设指标", "state": "建设情况", "evidence": "佐证", "attachments": "附件"},
    "stations": {"number": "编号", "is_demo": "示范社", "service_public": "公益服务", "service_convenience": "便民服务",
                 "service_ecommerce": "电子商务", "service_training": "培训体验", "broadband_mbps": "宽带（兆）",
                 "has_site": "有场所", "has_staff": "有人员", "has_equipment": "有设备", "has_broadband": "有宽带",
                 "has_webpage": "有网页", "has_sustainable_ops": "可持续运营", "built_on": "建成日期",
                 "status": "登记状态"},
    "station_equipment": {"item": "设备", "quantity": "数量"},
    "officers": {"name": "姓名", "registered": "已登记"},
    "officer_training": {"officer": "信息员", "year": "年度", "hours": "学时"},
    "acceptance_cases": {"subject_type": "验收对象类型", "subject": "验收对象", "completed_on": "完工日期",
                         "applied_on": "申请日期", "inspected_on": "初检日期", "result": "检查结论",
                         "rectify_notice_on": "整改通知日期", "rectify_due": "整改期限", "rectified_on": "整改完成日期",
                         "reinspected_on": "复检日期", "city_accepted_on": "验收通过日期", "inspectors": "检查人员",
                         "conclusion": "结论"},
    "acceptance_items": {"case_id": "验收案件", "item": "检查项目", "result": "结果", "note": "检查情况"},
    "fund_entries": {"amount_yuan": "金额（元）", "use": "用途", "source": "来源", "source_category": "来源类别",
                     "use_category": "用途类别"},
    "task_progress": {"task_no": "任务序号"},
    "what_if_scenarios": {"payload": "假设内容"},
    "accounts": {"display_name": "显示名称", "role": "角色", "password_hash": "密码", "active": "启用",
                 "must_change_password": "须修改密码"},
    "households": {"head_name": "户主", "address": "住址", "poverty_cause": "致贫原因", "living_conditions": "生活条件",
                   "monitor_type": "监测类型", "monitor_state": "监测状态", "identified_on": "识别日期",
                   "exited_on": "退出日期", "is_demo": "演示数据"},
    "household_members": {"name": "姓名", "relation": "与户主关系", "age": "年龄", "health": "健康状况",
                          "work_ability": "劳动能力"},
    "household_income": {"year": "年度", "per_capita_yuan": "人均纯收入（元）"},
    "household_measures": {"measure": "帮扶措施", "started_on": "开始日期"},
    "household_history": {"monitor_type": "监测类型", "monitor_state": "监测状态"},
    "milestone_records": {"milestone": "里程碑", "done_on": "完成日期", "recorded_by": "记录人"},
    "award_approvals": {"batch": "批次", "meeting": "会议", "approved_by": "审定人", "approved_on": "审定日期"},
    "award_register": {"approval": "审定批次", "batch": "批次", "score": "得分", "rank": "名次", "proposed": "拟授等次",
                       "award": "授牌等次", "reason": "理由", "plaque": "牌匾", "plaque_on": "授牌日期"},
    "event_reports": {"title": "情况", "happened_on": "发生日期", "impact": "影响", "measures": "已采取措施",
                      "reported_by": "报告人", "reported_at": "报告时间", "read_by": "阅知人", "read_at": "阅知时间"},
    "meeting_records": {"held_on": "会商日期", "chair": "牵头单位", "attendees": "参加单位", "households": "研判农户",
                        "measures": "帮扶措施", "follow_up": "跟进事项", "recorded_by": "记录人"},
    "notices": {"number": "督办单编号", "year": "年度", "seq": "序号", "subject": "督办对象", "subject_name": "督办对象名称",
                "from_region": "发出单位区域", "to_region": "承办单位区域", "unit": "责任单位", "leader": "责任领导",
                "items_json": "督办事项", "reason": "督办事由", "issued_on": "下发日期", "due_days": "办理时限（工作日）",
                "reply_due": "答复期限", "reply_text": "答复内容", "expected_on": "预计完成日期", "attachments": "附件",
                "replied_on": "答复日期", "closed_on": "办结日期", "returned_on": "退回日期", "return_note": "退回意见",
                "issued_by": "下发人", "replied_by": "答复人", "closed_by": "办结人"},
    "report_drafts": {"values_json": "暂存数值", "saved_by": "暂存人", "saved_at": "暂存时间"},
    "responsibles": {"subject_kind": "责任对象类别", "subject": "责任对象", "subject_name": "责任对象名称",
                     "unit": "责任单位", "leader": "责任领导", "post": "职务", "ref": "依据条款", "demo": "演示数据",
                     "updated_by": "修改人"},
    "trainee_files": {"course": "培训课程", "hours": "学时", "trained_on": "培训日期", "employment": "就业创业情况",
                      "followed_up_on": "回访日期", "follow_up": "回访情况", "recorded_by": "记录人"},
    "officer_assessments": {"officer": "信息员", "year": "年度", "score": "考核得分", "assessed_by": "考核人"},
}
# tables that log rather than hold data: never shown as audited changes
NOT_AUDITED = frozenset({"audit_log", "login_attempts", "user_sessions", "pii_access_log"})
# Coded values, per (table, column).
VALUES = {
    ("accounts", "role"): ROLES,
    ("regions", "level"): LEVEL_NAMES,
    ("acceptance_cases", "state"): STATE_NAMES,
    ("acceptance_cases", "result"): CASE_RESULTS,
    ("acceptance_cases", "subject_type"): SUBJECT_TYPES,
    ("acceptance_items", "result"): {**ITEM_RESULTS, "na": "不适用"},
    ("pilot_indicators", "state"): {"built": "已建成", **PILOT_STATE_NAMES},
    ("pilots", "pilot_type"): {"township": "数字乡镇", "village": "数字村庄"},
    ("stations", "type"): TYPE_NAMES,
    ("stations", "status"): REGISTER_STATES,
    ("task_progress", "state"): TASK_STATES,
    **{(table, column): words for table in ("households", "household_history")
       for column, words in (("monitor_type", MONITOR_TYPES), ("monitor_state", MONITOR_STATES))},
    ("award_register", "award"): {**AWARD_LABELS, "none": "不授牌"},
    ("award_register", "proposed"): AWARD_LABELS,
    ("notices", "state"): NOTICE_STATES,
    ("responsibles", "subject_kind"): RESPONSIBLE_KINDS,
    ("fund_entries", "kind"): {"allocation": "资金下达", "advance": "预拨资金", "settlement": "补助结算",
                               "county_matching": "县级配套", "spending": "支出"},
}
# Coded values whose words come from the programme files (looked up once, on first use).
LOOKED_UP = {("acceptance_items", "item"): "items", ("pilot_indicators", "item"): "items",
             ("milestone_records", "milestone"): "milestones", ("station_equipment", "item"): "equipment",
             ("fund_entries", "source_category"): "fund_categories", ("fund_entries", "use_category"): "fund_categories"}
BOOLS = {"true": "是", "false": "否"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
DEMO_KEY = re.compile(r"^demo/(\w+)$")
SCALES = {"county": "县级", "city": "市级", "province": "省级"}


def column_label(table: str, column) -> str:
    if column is None or (isinstance(column, float) and np.isnan(column)) or column == "":
        return ""
    return COLUMNS.get(table, {}).get(column) or COMMON.get(column) or str(column)


def value_text(table: str, column, value) -> str:
    """One stored value as words: a code by its label, true/false as 是/否, an ISO date or
    time in Chinese; anything else as written."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if (table, column) == ("what_if_scenarios", "payload"):
        return _scenario_text(value)
    if (table, column) == ("notices", "items_json"):
        return _notice_items(value)
    if (table, column) == ("report_drafts", "values_json"):
        return _draft_values(value)
    v = str(value)
    if column == "program":
        return _program_title(v)
    labels = VALUES.get((table, column)) or _names(LOOKED_UP.get((table, column)))
    if labels and v in labels:
        return labels[v]
    if v in BOOLS:
        return BOOLS[v]
    if _ISO_DATE.match(v):
        return date_zh(v)
    if _ISO_TIME.match(v):
        return datetime_zh(v)
    return v


def _scenario_text(payload) -> str:
    """A what-if scenario's content (ruralcore.app.whatif.Scenario.payload) in words."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return payload
    if not isinstance(payload, dict):
        return str(payload)
    parts = []
    if payload.get("period"):
        parts.append(f"月份{period_zh(str(payload['period']))}")
    if payload.get("region"):
        parts.append(f"区域{payload['region']}")
    parts.append(f"改动指标{len(payload.get('changes') or {})}项")
    parts.append("权重按计分办法" if payload.get("weights") is None else f"调整权重{len(payload['weights'])}项")
    if payload.get("note"):
        parts.append(f"说明“{payload['note']}”")
    return "，".join(parts)


def _json(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _notice_items(value) -> str:
    """A 督办 notice's items ([{what, due, ref}]) as “1. 事项（期限…，条款…）”."""
    items = _json(value)
    if not isinstance(items, list):
        return str(items)
    def one(i: int, it) -> str:
        if not isinstance(it, dict):
            return f"{i}. {it}"
        extra = "，".join(x for x in (f"期限{date_zh(it['due'])}" if it.get("due") else "",
                                        f"条款{it['ref']}" if it.get("ref") else "") if x)
        return f"{i}. {it.get('what', '')}" + (f"（{extra}）" if extra else "")
    return "；".join(one(i, it) for i, it in enumerate(items, 1))


def _draft_values(value) -> str:
    """A monthly form's saved draft: how many values it holds (the values are in 月报)."""
    values = _json(value)
    if not isinstance(values, dict):
        return str(values)
    return f"已填{sum(v not in (None, '') for v in values.values())}项"


def _row_text(table: str, body: str) -> str:
    """A whole row written as JSON (an insert or delete): “名称：值；…”, empty values left out."""
    try:
        row = json.loads(body)
    except ValueError:
        return body
    if not isinstance(row, dict):
        return body
    return "；".join(f"{column_label(table, k)}：{value_text(table, k, v)}"
                    for k, v in row.items() if k != "version" and v not in (None, ""))


@lru_cache(maxsize=None)
def _program_title(program_id: str) -> str:
    from ruralcore.rules.programs import load_program
    try:
        return load_program(program_id).meta.short_title
    except Exception:  # noqa: BLE001 — a programme file removed since: show its id
        return program_id


@lru_cache(maxsize=None)
def _names(kind: str | None) -> dict[str, str]:
    from ruralcore.app.checklists import item_names
    from ruralcore.rules.programs import all_programs
    if kind == "items":
        return item_names()
    if kind == "milestones":
        return {m.code: m.name for p in all_programs() for m in p.milestones}
    if kind == "equipment":  # station_equipment stores the equipment checklists' item codes
        from ruralcore.rules.stations import EQUIP_BY_TYPE
        return {it.code: it.name for p in all_programs() for cl in p.checklists
                if cl.code in EQUIP_BY_TYPE.values() for it in cl.items}
    if kind == "fund_categories":  # fund_entries store the code of a declared category
        return {c.code: c.name for p in all_programs() for c in p.fund_categories}
    return {}


@lru_cache(maxsize=None)
def _field_name(program_id: str, code: str) -> str:
    from ruralcore.rules.programs import load_program
    try:
        f = load_program(program_id).field(code)
    except Exception:  # noqa: BLE001 — a field dropped from the programme file since
        return code
    return f"{f.name}（{f.unit}）" if f.unit else f.name


def _record(table: str, action: str, key: str) -> str:
    """The record an entry is about, in words: a monthly report by programme and month
    (its region has its own column), the demo's bulk load by scale, any other by its key."""
    m = DEMO_KEY.match(key)
    if m:
        return f"演示数据（{SCALES.get(m.group(1), m.group(1))}规模）"
    if table == "reports" and key.count("/") == 2:
        program, period, _region = key.split("/")
        return f"{_program_title(program)} · {period_zh(period)}"
    if table == "app_meta":
        return _meta_key(key)
    return key


def _meta_key(key: str) -> str:
    name, _, program = key.partition(":")
    what = {"as_of": "数据截至日期", "periods": "月报月份", "demo": "演示数据标记", "demo_scale": "演示数据规模",
            "demo_generated_from": "演示数据来源"}.get(name, name)
    return f"{what}（{_program_title(program)}）" if program else what


def _field(table: str, action: str, key: str, field) -> str:
    if action in SESSION_ACTIONS:
        return ""
    if table == "reports" and isinstance(field, str) and key.count("/") == 2:
        return _field_name(key.split("/")[0], field)
    return column_label(table, field)


def _value(table: str, action: str, field, value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    v = str(value)
    if action in SESSION_ACTIONS:
        return SESSION_REASONS.get(v, v)
    if action in ("insert", "delete") and v.startswith("{"):
        return _row_text(table, v)
    return value_text(table, field, v)


def readable(log: pd.DataFrame) -> pd.DataFrame:
    """The log's columns in words (same columns, same order): at, action, table, key,
    field, old, new. ~2,000 rows on a page: one pass per row is fine here."""
    tables = log["table"].astype(str).tolist()
    actions = log["action"].astype(str).tolist()
    keys = log["key"].astype(str).tolist()
    out = log.copy()
    out["at"] = [datetime_zh(t) for t in log["at"]]
    out["action"] = [ACTIONS.get(a, a) for a in actions]
    out["key"] = [_record(t, a, k) for t, a, k in zip(tables, actions, keys)]
    out["field"] = [_field(t, a, k, f) for t, a, k, f in zip(tables, actions, keys, log["field"])]
    for col in ("old", "new"):
        out[col] = [_value(t, a, f, v) for t, a, f, v in zip(tables, actions, log["field"], log[col])]
    return out
