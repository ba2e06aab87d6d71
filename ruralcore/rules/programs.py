"""Programme files: one YAML per policy document, validated with pydantic.

Every entry carries ``ref`` (the clause it implements). A value the document does
not give carries ``assumed`` (a one-line reason) and is shown to users as
“文件未规定，系统默认”. Code holds formulas; the numbers live in these files.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ruralcore.kernel.errors import ProgramFileError, UnknownProgramError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PROGRAMS_DIR = DATA_DIR / "programs"

ASSUMED_LABEL = "文件未规定，系统默认"

Level = Literal[
    "province", "city", "county", "township", "village", "natural_village",
    "station", "pilot", "household", "facility",
]
Op = Literal[">=", ">", "<=", "<", "=="]
# How a target is judged (its status rule): a percentage with an optional amber band, a
# number (a count, an amount, a 村均 average), a yes/no of one unit, or a requirement on
# every unit (every village, every pilot…), met only when each of them meets it.
TargetKind = Literal["rate", "count", "yes_no", "every_unit"]
TARGET_KIND_NAMES = {"rate": "比率目标", "count": "数量目标", "yes_no": "是否目标", "every_unit": "每个单位都须达到的目标"}


class Entry(BaseModel):
    """Common to every entry: the clause it implements, and whether it is assumed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: str = Field(min_length=1, description="条款，如 三(二)")
    assumed: str | None = Field(None, description="文件未给出时的理由；非空即为系统默认值")
    note: str | None = None

    @property
    def is_assumed(self) -> bool:
        return bool(self.assumed)


class Meta(Entry):
    title: str
    short_title: str
    issuer: str
    doc_number: str | None = Field(None, description="文号")
    issued: dt.date
    scope: str
    seed_file: str
    lead: str | None = None


class Field_(Entry):
    """A value reported monthly for one region: a count, flag, amount or percentage."""

    code: str
    name: str
    unit: str
    kind: Literal["count", "flag", "percent", "amount", "hours"]
    level: Level
    min: float | None = 0
    max: float | None = None
    required: bool = True


class Indicator(Entry):
    code: str
    name: str
    unit: str
    kind: Literal["rate", "count", "flag", "amount"]
    level: Level
    numerator: str | None = None
    denominator: str | None = None
    fields: list[str] = Field([], description="非比率指标的字段：flag 取其均值×100，count/amount 取其和")
    scale: float = Field(100, description="比率乘数：百分率为100")

    @model_validator(mode="after")
    def _formula(self):
        if self.kind == "rate" and not (self.numerator and self.denominator):
            raise ValueError("比率指标必须给出 numerator 和 denominator")
        if self.kind != "rate" and not self.fields:
            raise ValueError("非比率指标必须给出 fields")
        return self


class Target(Entry):
    code: str
    name: str
    indicator: str | None = Field(None, description="指标代码；无量化指标的目标为空")
    op: Op | None = None
    threshold: float | None = None
    kind: TargetKind | None = Field(None, description="判定规则的类别：rate / count / yes_no / every_unit")
    applies_to: Level = Field(description="在哪一级区域上考核（every_unit：逐个考核的单位）")
    scope: str = Field("all", description="适用区域：all 或区域代码")
    due: dt.date | None = None

    @model_validator(mode="after")
    def _measurable(self):
        if self.indicator and (self.op is None or self.threshold is None):
            raise ValueError("有指标的目标必须给出 op 和 threshold")
        if self.indicator and self.kind is None:
            raise ValueError("有指标的目标必须给出 kind（rate、count、yes_no 或 every_unit）")
        return self


class StatusRule(Entry):
    """How the targets of one kind are coloured. Only a rate may have an amber band
    (接近: short of the threshold by at most ``amber_within`` percentage points); a count,
    a yes/no and an every-unit target are met (green) or not (red)."""

    kind: TargetKind
    amber_within: float | None = Field(None, ge=0, description="比率目标：差距在几个百分点以内为黄灯（接近）")

    @model_validator(mode="after")
    def _band_on_rates_only(self):
        if self.amber_within is not None and self.kind != "rate":
            raise ValueError(f"{TARGET_KIND_NAMES[self.kind]}不设黄灯区间（amber_within 只用于比率目标）")
        return self

    def text(self) -> str:
        """The rule in one Chinese sentence (pages, CLI, documents)."""
        if self.kind == "rate":
            band = (f"未达到但差距在{self.amber_within:g}个百分点以内为黄（接近）；差距更大为红"
                    if self.amber_within else "未达到为红")
            return f"比率目标：达到目标值为绿（达标）；{band}"
        if self.kind == "count":
            return "数量目标：达到目标数为绿（达标），未达到为红；数量不按百分点设黄灯"
        if self.kind == "yes_no":
            return "是否目标：已完成为绿（达标），未完成为红"
        return ("每个单位都须达到的目标：逐个单位判断，全部达到才为绿（N个中M个达标），"
                "有一个未达到即为红并列出未达标的单位；都达到但有单位未报送的为“未报齐”，不判为达标；不设黄灯")


class Milestone(Entry):
    code: str
    name: str
    start: dt.date | None = None
    due: dt.date | None = None
    recurring: Literal["monthly"] | None = None
    responsible: list[str] = []
    content: str | None = None

    @model_validator(mode="after")
    def _dated(self):
        if self.due is None and self.recurring is None:
            raise ValueError("里程碑必须给出 due 或 recurring")
        return self


class Quota(Entry):
    region: str = Field(description="区域名称，如 融水镇")
    counts: dict[str, int]


class QuotaTable(Entry):
    code: str
    name: str
    kinds: dict[str, str] = Field(description="配额类别代码 → 中文名")
    totals: dict[str, int] = Field(description="文件给出的合计，用于核对")
    rows: list[Quota]


class FundingRule(Entry):
    code: str
    name: str
    kind: Literal[
        "per_unit", "annual_budget", "build_then_subsidise", "advance", "matching",
        "prohibition", "subsidy_amount",
    ]
    amount_yuan: int | None = Field(None, ge=0)
    unit: str | None = Field(None, description="按什么计：pilot_township, pilot_village, station_standard…")
    uses: list[str] = []
    payable_after: str | None = None
    source: str | None = None


class FundCategory(Entry):
    """One entry of the closed list a fund entry's source or use is chosen from. A category
    with ``allowed: false`` is one the document forbids (its clause in ``ref``): an entry
    in it is refused. Text typed beside an entry never decides."""
    code: str
    name: str
    kind: Literal["source", "use"]
    allowed: bool


class ChecklistItem(Entry):
    code: str
    name: str
    area: str | None = None
    quantity: int | None = Field(None, description="至少数量")
    spec: str | None = None
    optional_if: str | None = Field(None, description="何种情况下可不配")
    required: bool = True


class Checklist(Entry):
    code: str
    name: str
    subject: str = Field(description="适用对象，如 township_pilot, village_pilot, station_standard")
    min_items: int | None = Field(None, description="至少满足几项；空则全部必备")
    items: list[ChecklistItem]


class WorkflowStep(Entry):
    """One step of a document's acceptance path: what it is called and who does it."""
    name: str
    by: str = Field(description="谁办理，如 县农业农村局、县级政府组织相关部门或聘请第三方")


class AcceptanceWorkflow(Entry):
    """Each document's own acceptance path (验收流程), declared in its programme file.

    completion → [application] → inspection (pass / fail) → fail: rectification →
    re-inspection → pass: [final step] → accepted. A step left out (``application``,
    ``final``) does not exist in that document's path: without ``final`` the passing
    inspection is the acceptance and its result goes to ``report_to``."""
    application: WorkflowStep | None = None
    inspection: WorkflowStep
    rectification: WorkflowStep
    reinspection: WorkflowStep
    final: WorkflowStep | None = Field(None, description="检查合格后的下一级验收（如 融水 市级验收认定）；空则检查合格即验收")
    report_to: str | None = Field(None, description="验收结果报送何处")
    signatory: str = Field(description="验收记录盖章单位")


class RubricIndicator(Entry):
    code: str
    name: str
    target: float = Field(gt=0, description="满分所需的值（百分数）")


class RubricAspect(Entry):
    code: str
    name: str
    points: float = Field(ge=0)
    indicators: list[RubricIndicator]


class RubricFormula(Entry):
    """How an aspect scores short of its full-score values: ``proportional`` — points ×
    the mean over its indicators of min(value / full-score value, 1)."""
    method: Literal["proportional"]


class Rubric(Entry):
    total: float = 100
    pass_score: float
    excellent_top_n: int
    tie_rule: Literal["include_ties", "code_order"]
    formula: RubricFormula = Field(description="未达满分值时如何给分（文件未规定时标明 assumed）")
    aspects: list[RubricAspect]

    @model_validator(mode="after")
    def _adds_up(self):
        s = sum(a.points for a in self.aspects)
        if abs(s - self.total) > 1e-9:
            raise ValueError(f"各方面分值之和为 {s:g}，应为 {self.total:g}")
        return self


class Task(Entry):
    no: int
    area: str
    area_name: str
    name: str
    responsible: list[str]
    content: str | None = None
    due: dt.date | None = None


class Requirement(Entry):
    """A duty the document states that no number measures (a service to provide, a record
    to keep, a report to make, a rule on money or procedure): shown with its clause on
    政策文件与规则 and by ``ruralcore show``."""
    code: str
    name: str
    kind: Literal["service", "record", "report", "funds", "procedure"]
    responsible: list[str] = []


REQUIREMENT_KIND_NAMES = {"service": "服务事项", "record": "档案记录", "report": "报告制度", "funds": "资金管理",
                          "procedure": "建设程序"}


class Setting(Entry):
    code: str
    name: str
    value: float | int | str | bool


class Bound(Entry):
    """The largest plausible value of a reported field (a count, amount or hours); a larger
    one is refused on import with its row and column. ``ref`` is the field's clause;
    documents set no such ceilings, so nearly every bound is ``assumed``."""
    field: str
    max: float = Field(gt=0)


BOUNDED_KINDS = ("count", "amount", "hours")  # a flag is 0/1 and a percentage 0–100 by kind


class Program(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    meta: Meta
    settings: list[Setting] = []
    status_rules: list[StatusRule] = []
    fields: list[Field_] = []
    indicators: list[Indicator] = []
    targets: list[Target] = []
    milestones: list[Milestone] = []
    quotas: list[QuotaTable] = []
    funding: list[FundingRule] = []
    fund_categories: list[FundCategory] = []
    checklists: list[Checklist] = []
    rubric: Rubric | None = None
    acceptance: AcceptanceWorkflow | None = None
    tasks: list[Task] = []
    requirements: list[Requirement] = []
    bounds: list[Bound] = []

    @model_validator(mode="after")
    def _references(self):
        fields = {f.code for f in self.fields}
        inds = {i.code for i in self.indicators}
        for i in self.indicators:
            for f in (i.numerator, i.denominator, *i.fields):
                if f and f not in fields:
                    raise ValueError(f"指标 {i.code} 引用了未定义的字段 {f}")
        for t in self.targets:
            if t.indicator and t.indicator not in inds:
                raise ValueError(f"目标 {t.code} 引用了未定义的指标 {t.indicator}")
        self._check_kinds()
        for kind in ("settings", "fields", "indicators", "targets", "milestones", "funding", "checklists",
                     "fund_categories", "requirements"):
            codes = [e.code for e in getattr(self, kind)]
            dup = {c for c in codes if codes.count(c) > 1}
            if dup:
                raise ValueError(f"{kind} 中代码重复：{', '.join(sorted(dup))}")
        return self

    @model_validator(mode="after")
    def _bounded(self):
        """Every count, amount and hours field gets an upper bound (its own ``max`` or a
        ``bounds`` entry, never both); the bound becomes the field's ``max``, which the
        import, the template's validation and the correction form all check."""
        codes = {f.code for f in self.fields}
        unknown = [b.field for b in self.bounds if b.field not in codes]
        if unknown:
            raise ValueError(f"bounds 引用了未定义的字段：{', '.join(unknown)}")
        by_field = {b.field: b for b in self.bounds}
        if len(by_field) < len(self.bounds):
            raise ValueError("bounds 中同一字段出现多次")
        twice = [f.code for f in self.fields if f.code in by_field and f.max is not None]
        if twice:
            raise ValueError(f"字段 {', '.join(twice)} 已有 max，不能再在 bounds 中给出上限")
        fields = [f.model_copy(update={"max": by_field[f.code].max}) if f.code in by_field else f
                  for f in self.fields]
        open_ended = [f.code for f in fields if f.kind in BOUNDED_KINDS and f.max is None]
        if open_ended:
            raise ValueError(f"字段 {', '.join(open_ended)} 没有上限：请在 bounds 中给出 "
                             "{field: 代码, max: 上限, ref: 条款, assumed: 理由}")
        object.__setattr__(self, "fields", fields)  # frozen model: set once, while validating
        return self

    def bound(self, code: str) -> Bound | None:
        """The bounds entry of field ``code`` (None when the field carries its own max)."""
        return next((b for b in self.bounds if b.field == code), None)

    def _check_kinds(self) -> None:
        """Every judged target has a status rule of its kind, and the kind fits its
        indicator: a rate is a percentage, a count is not, a yes/no is one unit's flag."""
        rules = [r.kind for r in self.status_rules]
        dup = {k for k in rules if rules.count(k) > 1}
        if dup:
            raise ValueError(f"status_rules 中类别重复：{', '.join(sorted(dup))}")
        by_code = {i.code: i for i in self.indicators}
        for t in self.targets:
            if not t.indicator:
                continue
            if t.kind not in rules:
                raise ValueError(f"目标 {t.code} 的类别 {t.kind} 没有判定规则（status_rules）")
            ind = by_code[t.indicator]
            if t.kind == "rate" and ind.unit != "%":
                raise ValueError(f"目标 {t.code} 的指标单位为“{ind.unit}”，不是百分比，不能按比率目标判定")
            if t.kind == "count" and ind.unit == "%":
                raise ValueError(f"目标 {t.code} 的指标为百分比，不能按数量目标判定")
            if t.kind == "yes_no" and ind.kind != "flag":
                raise ValueError(f"目标 {t.code} 的指标不是是否项，不能按是否目标判定")

    # lookups -------------------------------------------------------------
    def status_rule(self, kind: str) -> StatusRule:
        for r in self.status_rules:
            if r.kind == kind:
                return r
        raise KeyError(f"{self.id} 没有{TARGET_KIND_NAMES.get(kind, kind)}的判定规则")

    def target(self, code: str) -> Target:
        return _by_code(self.targets, code, self.id, "目标")

    def setting(self, code: str):
        for s in self.settings:
            if s.code == code:
                return s.value
        raise KeyError(f"{self.id} 没有设置项 {code}")

    def indicator(self, code: str) -> Indicator:
        return _by_code(self.indicators, code, self.id, "指标")

    def field(self, code: str) -> Field_:
        return _by_code(self.fields, code, self.id, "字段")

    def checklist(self, code: str) -> Checklist:
        return _by_code(self.checklists, code, self.id, "检查表")

    def funding_rule(self, code: str) -> FundingRule:
        return _by_code(self.funding, code, self.id, "资金规则")

    def quota_table(self, code: str) -> QuotaTable:
        return _by_code(self.quotas, code, self.id, "配额表")


def _by_code(entries, code, program_id, what):
    for e in entries:
        if e.code == code:
            return e
    raise KeyError(f"{program_id} 没有{what} {code}")


# loading ------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 would read the task key ``no`` (and
    yes/on/off) as a boolean, which turns ``no: 1`` into ``False: 1``."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _describe(err: ValidationError, data: dict, path: Path) -> str:
    lines = [f"方案文件 {path.name} 格式有误："]
    for e in err.errors():
        loc = e["loc"]
        parts, node = [], data
        for p in loc:
            if isinstance(p, int) and isinstance(node, list) and p < len(node):
                node = node[p]
                label = node.get("code") or node.get("region") or node.get("no") if isinstance(node, dict) else None
                parts.append(f"第{p + 1}项" + (f"（{label}）" if label is not None else ""))
            else:
                node = node.get(p, {}) if isinstance(node, dict) else {}
                parts.append(str(p))
        lines.append(f"  条目 {'/'.join(parts) or '(顶层)'}：{_zh(e)}")
    return "\n".join(lines)


def _zh(e: dict) -> str:
    t, msg = e.get("type", ""), e.get("msg", "")
    table = {
        "missing": "缺少必填字段",
        "extra_forbidden": "未知字段（拼写错误？）",
        "string_too_short": "不能为空",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD",
        "date_type": "日期格式应为 YYYY-MM-DD",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "literal_error": "取值不在允许范围内",
        "greater_than_equal": "不能为负数",
        "greater_than": "必须大于 0",
    }
    if t in table:
        return f"{table[t]}（{msg}）" if t == "literal_error" else table[t]
    return msg.removeprefix("Value error, ")


def load_program_file(path: Path) -> Program:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramFileError(f"找不到方案文件 {path}") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise ProgramFileError(f"方案文件 {path.name} {where}不是合法的 YAML：{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ProgramFileError(f"方案文件 {path.name} 内容为空或不是键值结构")
    if data.get("id") != path.stem:
        raise ProgramFileError(f"方案文件 {path.name}：id 应为 {path.stem}，实为 {data.get('id')!r}")
    try:
        return Program.model_validate(data)
    except ValidationError as err:
        raise ProgramFileError(_describe(err, data, path)) from None


def program_ids(directory: Path = PROGRAMS_DIR) -> list[str]:
    return sorted(p.stem for p in Path(directory).glob("*.yaml"))


def load_program(program_id: str, directory: Path = PROGRAMS_DIR) -> Program:
    return _load_program(program_id, Path(directory))


@lru_cache(maxsize=None)  # one key per file however the caller names it (all_programs passes the folder)
def _load_program(program_id: str, directory: Path) -> Program:
    path = directory / f"{program_id}.yaml"
    if not path.exists():
        known = "、".join(program_ids(directory)) or "（无）"
        raise UnknownProgramError(f"未知的方案“{program_id}”。可用的方案：{known}")
    return load_program_file(path)


def all_programs(directory: Path = PROGRAMS_DIR) -> list[Program]:
    return [load_program(i, directory) for i in program_ids(directory)]
