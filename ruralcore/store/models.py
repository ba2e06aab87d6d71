"""Tables of the store (SQLModel). English names; counts, never percentages.

Every editable table has ``version`` (optimistic locking: an update carries the version
it read and is refused when it moved). Money is ``amount_yuan`` BIGINT, whole yuan.
Dates a user enters are ``date``; instants (submitted, audited) are naive China Standard
Time ``datetime`` so SQLite and PostgreSQL return the same values.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata


def _version() -> Any:
    return Field(default=1, sa_column_kwargs={"nullable": False, "server_default": "1"})


class Region(SQLModel, table=True):
    __tablename__ = "regions"
    code: str = Field(primary_key=True, max_length=40)
    name: str
    level: str = Field(max_length=20)
    parent: str = Field(default="", max_length=40, index=True)
    program: str = Field(default="", max_length=40, index=True)
    kind: str = ""
    code_source: str = ""
    ref: str = ""
    version: int = _version()


class Report(SQLModel, table=True):
    """One monthly value: (programme, period YYYY-MM, region, field) -> value."""
    __tablename__ = "reports"
    __table_args__ = (
        # Leading (program, period) also serves loading one programme's months.
        sa.UniqueConstraint("program", "period", "region", "field", name="uq_reports_key"),
        sa.Index("ix_reports_program_region", "program", "region"),
    )
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    period: str = Field(max_length=7)
    region: str = Field(max_length=40)
    field: str = Field(max_length=60)
    value: float | None = Field(default=None, sa_type=sa.Float(precision=53))
    submitted_by: str = ""
    submitted_at: datetime = Field(sa_type=sa.DateTime)
    version: int = _version()


class AppMeta(SQLModel, table=True):
    """Small key/value facts: demo flag, per-programme data as-of date, ..."""
    __tablename__ = "app_meta"
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class AuditEntry(SQLModel, table=True):
    """Append-only log of every change: one row per changed value (or per inserted/deleted row)."""
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_table_key", "table_name", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    # no indexes on at/username: ids already run in time order, and every extra index
    # slows the 100,000-entry appends of a monthly import
    at: datetime = Field(sa_type=sa.DateTime)
    username: str
    action: str = Field(max_length=10)  # insert | update | delete
    table_name: str = Field(max_length=40)
    key: str
    field: str | None = None
    old: str | None = Field(default=None, sa_type=sa.Text)
    new: str | None = Field(default=None, sa_type=sa.Text)


# ---- 忻州 pilots -------------------------------------------------------------------------

class Pilot(SQLModel, table=True):
    __tablename__ = "pilots"
    code: str = Field(primary_key=True, max_length=40)
    program: str = Field(max_length=40, index=True)
    pilot_type: str = Field(max_length=10)  # township | village
    county: str = ""  # region code of the county
    region: str = ""  # region code of the township/village (or pilot region)
    name: str = ""
    plans_on: date | None = None
    filing_on: date | None = None
    funds_on: date | None = None
    project_library_on: date | None = None
    procedures_on: date | None = None
    construction_start_on: date | None = None
    completion_on: date | None = None
    acceptance_on: date | None = None
    summary_on: date | None = None
    notes: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class PilotIndicator(SQLModel, table=True):
    __tablename__ = "pilot_indicators"
    __table_args__ = (sa.UniqueConstraint("pilot", "item", name="uq_pilot_indicators"),)
    id: int | None = Field(default=None, primary_key=True)
    pilot: str = Field(foreign_key="pilots.code", max_length=40)
    item: str = Field(max_length=40)  # checklist item code from the programme file
    state: str = Field(default="not_built", max_length=12)  # built | partly | not_built
    evidence: str = Field(default="", sa_type=sa.Text)
    attachments: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


# ---- 融水 益农信息社 stations -----------------------------------------------------------

class Station(SQLModel, table=True):
    __tablename__ = "stations"
    number: str = Field(primary_key=True, max_length=20)  # e.g. 桂BRS0001B
    program: str = Field(max_length=40, index=True)
    township: str = Field(default="", max_length=40)  # region code
    village: str = ""  # village name (code when known goes in region)
    region: str = Field(default="", max_length=40)
    type: str = Field(max_length=12)  # standard | professional | simple
    is_demo: bool = False
    # the four services
    service_public: bool = False     # 农业公益服务
    service_convenience: bool = False  # 便民服务
    service_ecommerce: bool = False  # 电子商务
    service_training: bool = False   # 培训体验
    broadband_mbps: int | None = None
    # 六有
    has_site: bool = False
    has_staff: bool = False
    has_equipment: bool = False
    has_broadband: bool = False
    has_webpage: bool = False
    has_sustainable_ops: bool = False
    status: str = ""
    built_on: date | None = None
    version: int = _version()


class StationEquipment(SQLModel, table=True):
    __tablename__ = "station_equipment"
    __table_args__ = (sa.UniqueConstraint("station", "item", name="uq_station_equipment"),)
    id: int | None = Field(default=None, primary_key=True)
    station: str = Field(foreign_key="stations.number", max_length=20)
    item: str = Field(max_length=40)
    quantity: int = 0
    version: int = _version()


class Officer(SQLModel, table=True):
    """信息员 of a station."""
    __tablename__ = "officers"
    id: int | None = Field(default=None, primary_key=True)
    station: str = Field(foreign_key="stations.number", max_length=20, index=True)
    name: str
    registered: bool = False
    version: int = _version()


class OfficerTraining(SQLModel, table=True):
    __tablename__ = "officer_training"
    __table_args__ = (sa.UniqueConstraint("officer", "year", name="uq_officer_training"),)
    id: int | None = Field(default=None, primary_key=True)
    officer: int = Field(foreign_key="officers.id")
    year: int
    hours: float = 0
    version: int = _version()


# ---- acceptance (pilots, stations, villages) ---------------------------------------------

class AcceptanceCase(SQLModel, table=True):
    __tablename__ = "acceptance_cases"
    __table_args__ = (sa.Index("ix_acceptance_subject", "program", "subject_type", "subject"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    subject_type: str = Field(max_length=10)  # pilot | station | village
    subject: str = Field(max_length=40)  # pilot code, station number or region code
    state: str = Field(default="", max_length=20)
    completed_on: date | None = None
    applied_on: date | None = None
    inspected_on: date | None = None
    result: str = ""
    rectify_notice_on: date | None = None
    rectify_due: date | None = None
    rectified_on: date | None = None  # rectification reported (after the latest failed inspection)
    reinspected_on: date | None = None
    city_accepted_on: date | None = None
    inspectors: str = ""
    conclusion: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class AcceptanceItem(SQLModel, table=True):
    __tablename__ = "acceptance_items"
    __table_args__ = (sa.UniqueConstraint("case_id", "item", name="uq_acceptance_items"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="acceptance_cases.id")
    item: str = Field(max_length=40)
    result: str = Field(default="na", max_length=6)  # pass | fail | na
    note: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


# ---- money --------------------------------------------------------------------------------

class FundEntry(SQLModel, table=True):
    __tablename__ = "fund_entries"
    __table_args__ = (sa.Index("ix_fund_entries_program_kind", "program", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    region: str | None = Field(default=None, max_length=40)
    pilot: str | None = Field(default=None, max_length=40)
    station: str | None = Field(default=None, max_length=20)
    kind: str = Field(max_length=20)  # allocation | advance | settlement | county_matching | spending
    amount_yuan: int = Field(sa_type=sa.BigInteger)  # whole yuan, never float
    use: str = ""  # the use category's name (shown); use_category decides
    on_date: date | None = None
    source: str = ""  # the source category's name (shown); source_category decides
    # codes of the programme's closed list (fund_categories): what is allowed is decided by these
    source_category: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    use_category: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    note: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


# ---- 谭家场 task progress ----------------------------------------------------------------

class TaskProgress(SQLModel, table=True):
    __tablename__ = "task_progress"
    __table_args__ = (
        sa.UniqueConstraint("program", "task_no", "region", "period", name="uq_task_progress"),
    )
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    task_no: int
    region: str = Field(default="", max_length=40)
    period: str = Field(default="", max_length=7)
    state: str = Field(default="", max_length=20)
    note: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class WhatIfScenario(SQLModel, table=True):
    __tablename__ = "what_if_scenarios"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    program: str = Field(max_length=40, index=True)
    payload: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_by: str = ""
    created_at: datetime = Field(sa_type=sa.DateTime)
    version: int = _version()


# ---- accounts and sessions --------------------------------------------------------------

class Account(SQLModel, table=True):
    """A user of the pages: role and region decide what they read and write (ruralcore.auth.scope)."""
    __tablename__ = "accounts"
    username: str = Field(primary_key=True, max_length=60)
    display_name: str = ""
    role: str = Field(max_length=20)
    region: str = Field(default="", max_length=40, index=True)
    password_hash: str = Field(default="", sa_type=sa.Text)  # argon2id; never shown or audited
    active: bool = True
    must_change_password: bool = False
    created_at: datetime | None = Field(default=None, sa_type=sa.DateTime)
    version: int = _version()


class LoginAttempt(SQLModel, table=True):
    """Every login attempt: throttling and lockout are decided from the latest failures."""
    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_user_at", "username", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60)
    at: datetime = Field(sa_type=sa.DateTime)
    ok: bool = False
    reason: str = Field(default="", max_length=40)


class UserSession(SQLModel, table=True):
    """A signed-in browser: ends after inactivity or on logout. Only the token's hash is kept."""
    __tablename__ = "user_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    username: str = Field(max_length=60, index=True)
    started_at: datetime = Field(sa_type=sa.DateTime)
    last_seen: datetime = Field(sa_type=sa.DateTime)
    ended_at: datetime | None = Field(default=None, sa_type=sa.DateTime)


# ---- 一户一档: household archive ---------------------------------------------------------

class Household(SQLModel, table=True):
    __tablename__ = "households"
    id: int | None = Field(default=None, primary_key=True)
    village: str = Field(max_length=40, index=True)  # region code of the village
    head_name: str = ""
    id_number: str = Field(default="", max_length=18)  # head's ID card; masked for most roles
    phone: str = Field(default="", max_length=20)
    address: str = ""
    poverty_cause: str = ""  # 致贫原因
    living_conditions: str = Field(default="", sa_type=sa.Text)  # 生产生活条件
    monitor_type: str = Field(default="", max_length=20)  # unstable | marginal | hardship | ""
    monitor_state: str = Field(default="", max_length=20)  # monitoring | risk_removed | ""
    identified_on: date | None = None
    exited_on: date | None = None
    is_demo: bool = False
    version: int = _version()


class HouseholdMember(SQLModel, table=True):
    __tablename__ = "household_members"
    id: int | None = Field(default=None, primary_key=True)
    household: int = Field(foreign_key="households.id", index=True)
    name: str = ""
    relation: str = ""  # 户主 / 配偶 / 子女 / 父母 / ...
    id_number: str = Field(default="", max_length=18)
    phone: str = Field(default="", max_length=20)
    age: int | None = None
    health: str = ""  # 健康 / 长期慢性病 / 大病 / 残疾
    work_ability: str = ""  # 有劳动力 / 弱劳动力 / 无劳动力
    version: int = _version()


class HouseholdIncome(SQLModel, table=True):
    __tablename__ = "household_income"
    __table_args__ = (sa.UniqueConstraint("household", "year", name="uq_household_income"),)
    id: int | None = Field(default=None, primary_key=True)
    household: int = Field(foreign_key="households.id")
    year: int
    per_capita_yuan: int = Field(sa_type=sa.BigInteger)  # whole yuan per person per year
    version: int = _version()


class HouseholdMeasure(SQLModel, table=True):
    __tablename__ = "household_measures"
    id: int | None = Field(default=None, primary_key=True)
    household: int = Field(foreign_key="households.id", index=True)
    measure: str = ""  # 帮扶措施
    started_on: date | None = None
    note: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class HouseholdHistory(SQLModel, table=True):
    """Monitoring type/state changes of a household, oldest first."""
    __tablename__ = "household_history"
    id: int | None = Field(default=None, primary_key=True)
    household: int = Field(foreign_key="households.id", index=True)
    on_date: date
    monitor_type: str = Field(default="", max_length=20)
    monitor_state: str = Field(default="", max_length=20)
    note: str = Field(default="", sa_type=sa.Text)
    version: int = _version()


class PiiAccessLog(SQLModel, table=True):
    """Every view of an unmasked household record: who, when, which household."""
    __tablename__ = "pii_access_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=sa.DateTime)
    username: str = Field(max_length=60)
    role: str = Field(default="", max_length=20)
    household: int
    village: str = Field(default="", max_length=40)
    purpose: str = ""


class MilestoneRecord(SQLModel, table=True):
    """A programme-level milestone recorded as done (one record per programme and milestone)."""
    __tablename__ = "milestone_records"
    __table_args__ = (sa.UniqueConstraint("program", "milestone", name="uq_milestone_records"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    milestone: str = Field(max_length=40)
    done_on: date
    note: str = Field(default="", sa_type=sa.Text)
    recorded_by: str = Field(default="", max_length=60)
    version: int = _version()


class ReportDraft(SQLModel, table=True):
    """A village's month as typed but not yet submitted (the phone form saves it as the
    reporter types). Never counted as a report: reporting reads only ``reports``."""
    __tablename__ = "report_drafts"
    __table_args__ = (sa.UniqueConstraint("program", "period", "region", name="uq_report_drafts"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    period: str = Field(max_length=7)
    region: str = Field(max_length=40)
    values_json: str = Field(default="{}", sa_type=sa.Text)  # field code -> text as typed
    saved_by: str = Field(default="", max_length=60)
    saved_at: datetime = Field(sa_type=sa.DateTime)
    version: int = _version()


class AwardApproval(SQLModel, table=True):
    """花垣 五(一): the leading group's check of the selection results (评选结果把关) for one
    award batch (第一批 / 总结表彰): who approved, when, at which meeting, from which
    month's scores. One approval per programme and batch."""
    __tablename__ = "award_approvals"
    __table_args__ = (sa.UniqueConstraint("program", "batch", name="uq_award_approvals"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    batch: str = Field(max_length=40)  # the batch's milestone code (promotion_meeting, summary_meeting)
    period: str = Field(max_length=7)  # the month whose scores were proposed
    meeting: str = Field(default="", sa_type=sa.Text)
    approved_by: str = Field(default="", max_length=60)
    approved_on: date
    version: int = _version()


class AwardEntry(SQLModel, table=True):
    """One village of an approved list: the award given (excellent/qualified, with plaque
    type and date) or ``none`` where the leading group struck a proposed village; a
    change from the proposal carries its reason."""
    __tablename__ = "award_register"
    __table_args__ = (sa.UniqueConstraint("program", "batch", "region", name="uq_award_register"),)
    id: int | None = Field(default=None, primary_key=True)
    approval: int = Field(foreign_key="award_approvals.id", index=True)
    program: str = Field(max_length=40)
    batch: str = Field(max_length=40)
    region: str = Field(max_length=40)  # village code
    score: float | None = Field(default=None, sa_type=sa.Float(precision=53))
    rank: int | None = None
    proposed: str = Field(default="", max_length=20)  # excellent | qualified | "" (not proposed)
    award: str = Field(max_length=20)  # excellent | qualified | none
    reason: str = Field(default="", sa_type=sa.Text)
    plaque: str = Field(default="", sa_type=sa.Text)
    plaque_on: date | None = None
    version: int = _version()


class Responsible(SQLModel, table=True):
    """Who answers for a subject (a pilot, a task, a township, a station, a target split
    to a unit): the responsible unit and its leader (忻州 三(二) 包点领导责任清单;
    谭家场 四6 责任部门). ``region`` is where the subject lies (scope)."""
    __tablename__ = "responsibles"
    __table_args__ = (sa.UniqueConstraint("program", "subject", name="uq_responsibles"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    subject_kind: str = Field(max_length=12)  # pilot | task | township | station | target
    subject: str = Field(max_length=80)
    subject_name: str = ""
    region: str = Field(default="", max_length=40)
    unit: str
    leader: str
    post: str = ""
    phone: str = Field(default="", max_length=20)
    ref: str = ""
    demo: bool = False
    updated_by: str = Field(default="", max_length=60)
    version: int = _version()


class Notice(SQLModel, table=True):
    """A 督办 notice: issued from a laggard to its responsible unit, replied to by that
    unit, closed or returned by the issuer. ``region`` is the subject's region,
    ``to_region`` the unit addressed (one level below ``from_region``, the issuer's)."""
    __tablename__ = "notices"
    __table_args__ = (sa.UniqueConstraint("program", "year", "seq", name="uq_notices_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=60, unique=True)
    program: str = Field(max_length=40, index=True)
    year: int
    seq: int
    subject: str = Field(max_length=80)
    subject_name: str = ""
    region: str = Field(default="", max_length=40)
    from_region: str = Field(default="", max_length=40)
    to_region: str = Field(default="", max_length=40)
    unit: str = ""
    leader: str = ""
    items_json: str = Field(default="[]", sa_type=sa.Text)  # [{what, due, ref}]
    reason: str = Field(default="", sa_type=sa.Text)
    issued_on: date
    due_days: int
    reply_due: date
    state: str = Field(default="issued", max_length=10)  # issued | replied | closed | returned
    reply_text: str = Field(default="", sa_type=sa.Text)
    expected_on: date | None = None
    attachments: str = Field(default="", sa_type=sa.Text)
    replied_on: date | None = None
    closed_on: date | None = None
    returned_on: date | None = None
    return_note: str = Field(default="", sa_type=sa.Text)
    issued_by: str = Field(default="", max_length=60)
    replied_by: str = Field(default="", max_length=60)
    closed_by: str = Field(default="", max_length=60)
    version: int = _version()


class MeetingRecord(SQLModel, table=True):
    """谭家场 三(四)9: one monthly data-sharing consultation (每月会商) on households at risk of
    returning to poverty: date, chair unit, attending units, households discussed (ids in
    the household archive), measures and follow-up."""
    __tablename__ = "meeting_records"
    __table_args__ = (sa.Index("ix_meeting_records_program_held", "program", "held_on"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    region: str = Field(max_length=40)  # the chair's area (the township)
    held_on: date
    chair: str = Field(default="", max_length=100)
    attendees: str = Field(default="", sa_type=sa.Text)  # units, joined with 、
    households: str = Field(default="", sa_type=sa.Text)  # household ids, joined with ,
    measures: str = Field(default="", sa_type=sa.Text)
    follow_up: str = Field(default="", sa_type=sa.Text)
    recorded_by: str = Field(default="", max_length=60)
    version: int = _version()


class EventReport(SQLModel, table=True):
    """忻州 四(五): an important matter a pilot county reports at once (重要情况随时报告):
    what, when, impact, measures; read by the city's supervisors (who, when)."""
    __tablename__ = "event_reports"
    __table_args__ = (sa.Index("ix_event_reports_program_region", "program", "region"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    region: str = Field(max_length=40)  # the reporting county
    title: str = Field(sa_type=sa.Text)  # what happened
    happened_on: date
    impact: str = Field(default="", sa_type=sa.Text)
    measures: str = Field(default="", sa_type=sa.Text)
    reported_by: str = Field(default="", max_length=60)
    reported_at: datetime = Field(sa_type=sa.DateTime)
    read_by: str = Field(default="", max_length=60)
    read_at: datetime | None = Field(default=None, sa_type=sa.DateTime)
    version: int = _version()


class TraineeFile(SQLModel, table=True):
    """银川 四(三): a trainee's file (学员档案) of the e-commerce training — the person (ID
    and phone shown masked, as in the household archive), the course, its hours, and the
    employment follow-up (跟踪就业创业进展)."""
    __tablename__ = "trainee_files"
    __table_args__ = (sa.Index("ix_trainee_files_program_region", "program", "region"),)
    id: int | None = Field(default=None, primary_key=True)
    program: str = Field(max_length=40)
    region: str = Field(max_length=40)  # the trainee's village
    name: str = Field(max_length=60)
    id_number: str = Field(default="", max_length=18)
    phone: str = Field(default="", max_length=20)
    course: str = Field(default="", max_length=200)
    hours: float = Field(default=0, sa_type=sa.Float(precision=53))
    trained_on: date | None = None
    employment: str = Field(default="", max_length=20)  # employed | self_employed | seeking | other | ""
    followed_up_on: date | None = None
    follow_up: str = Field(default="", sa_type=sa.Text)
    recorded_by: str = Field(default="", max_length=60)
    version: int = _version()


class OfficerAssessment(SQLModel, table=True):
    """融水 五(三)1: one item of an officer's quantitative assessment for a year (the items
    and their full marks are programme settings ``officer_assessment_item_*``)."""
    __tablename__ = "officer_assessments"
    __table_args__ = (sa.UniqueConstraint("officer", "year", "item", name="uq_officer_assessments"),)
    id: int | None = Field(default=None, primary_key=True)
    officer: int = Field(foreign_key="officers.id", index=True)
    year: int
    item: str = Field(max_length=40)
    score: float = Field(default=0, sa_type=sa.Float(precision=53))
    assessed_by: str = Field(default="", max_length=60)
    version: int = _version()


# table name -> model, and Chinese labels for messages
MODELS: dict[str, type[SQLModel]] = {
    m.__tablename__: m for m in (
        Region, Report, AppMeta, AuditEntry, Pilot, PilotIndicator, Station, StationEquipment,
        Officer, OfficerTraining, AcceptanceCase, AcceptanceItem, FundEntry, TaskProgress,
        WhatIfScenario, Account, LoginAttempt, UserSession, Household, HouseholdMember,
        HouseholdIncome, HouseholdMeasure, HouseholdHistory, PiiAccessLog, MilestoneRecord,
        ReportDraft, AwardApproval, AwardEntry, Responsible, Notice, MeetingRecord, EventReport,
        TraineeFile, OfficerAssessment,
    )
}
TABLE_LABELS = {
    "regions": "区域", "reports": "月报", "app_meta": "系统信息", "audit_log": "审计日志",
    "pilots": "试点", "pilot_indicators": "试点建设指标", "stations": "益农信息社",
    "station_equipment": "站点设备", "officers": "信息员", "officer_training": "信息员培训",
    "acceptance_cases": "验收案件", "acceptance_items": "验收项目", "fund_entries": "资金记录",
    "task_progress": "任务进度", "what_if_scenarios": "模拟方案",
    "accounts": "账户", "login_attempts": "登录记录", "user_sessions": "登录会话",
    "households": "农户档案", "household_members": "家庭成员", "household_income": "家庭收入",
    "household_measures": "帮扶措施", "household_history": "监测记录", "pii_access_log": "敏感信息查看记录",
    "milestone_records": "里程碑完成记录", "report_drafts": "月报草稿",
    "award_approvals": "评选审定", "award_register": "授牌登记",
    "responsibles": "责任清单", "notices": "督办通知",
    "meeting_records": "会商记录", "event_reports": "重要情况报告", "trainee_files": "学员档案",
    "officer_assessments": "信息员考核",
}
