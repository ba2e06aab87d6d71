"""The dashboard's pages, each declared once: its key (the URL path, which is the page
file's stem), title, sidebar section, file under dashboards/, icon, the roles that open it
and the programmes it applies to. The app's navigation (dashboards/app.py), each page's
gate (dashboards/ui/context.page_setup), ``scope.may_open`` and the README's table of
roles (tests/accounts/test_readme_roles.py) all read this registry.

A page applies to every programme unless it names a kind of programme (``programs``); the
app lists a page in the sidebar only when one of its programmes is one the account reads
(a copied link still opens the page, which then says it has nothing for the account).
Pure data over the programme files: no database."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ruralcore.rules.acceptance import acceptance_programs as _with_acceptance
from ruralcore.kernel.principal import ROLES, is_person
from ruralcore.rules.rights import LOG_READERS

ALL_ROLES = frozenset(ROLES)
DATA_WRITERS = frozenset({"county_admin", "township_officer", "village_reporter"})
RESETTLEMENT = ("yinchuan-2017",)  # the programme whose area is 银川's resettlement villages
CONSULTATION = ("tanjiachang-2023",)  # 三(四)9 每月会商 (ruralcore.app.meetings.CONSULTATION_MILESTONES)
TRAINEES = ("yinchuan-2017",)  # 四(三) 学员档案 (ruralcore.app.trainees.TARGET)


def pilot_programs() -> list[str]:
    """Programmes with a pilot list (忻州): the municipal supervision pages."""
    from ruralcore.rules.programs import all_programs
    from ruralcore.rules.regions import PILOTS_DIR
    return [p.id for p in all_programs() if (PILOTS_DIR / f"{p.id}.csv").exists()]


def scoring_programs() -> list[str]:
    """Programmes with scoring rules (a rubric, 花垣): 假设评分."""
    from ruralcore.rules.programs import all_programs
    return [p.id for p in all_programs() if p.rubric is not None]


def acceptance_programs() -> list[str]:
    """Programmes whose checklists name an acceptance subject: the 试点验收 pages."""
    return _with_acceptance()


def fund_programs() -> list[str]:
    """Programmes whose file gives fund categories (忻州, 融水, 银川): 资金记录."""
    from ruralcore.rules.programs import all_programs
    return [p.id for p in all_programs() if p.fund_categories]


def assessment_programs() -> list[str]:
    """Programmes assessing their information officers (融水 五(三)1): 信息员考核."""
    from ruralcore.rules.programs import all_programs
    return [p.id for p in all_programs() if any(s.code.startswith("officer_assessment_item_") for s in p.settings)]


def station_programs() -> list[str]:
    """Programmes that number their stations and give quotas (融水 附件1, 附件2): 站点编号."""
    from ruralcore.rules.programs import all_programs
    return [p.id for p in all_programs() if any(q.code == "stations" for q in p.quotas)
            and any(s.code == "station_number_sequence" for s in p.settings)]


# kind of programme a page applies to → the programmes of that kind
PROGRAM_KINDS: dict[str, Callable[[], Iterable[str]]] = {
    "scoring": scoring_programs,
    "acceptance": acceptance_programs,
    "stations": station_programs,
    "assessment": assessment_programs,
    "funds": fund_programs,
    "pilots": pilot_programs,
    "resettlement": lambda: list(RESETTLEMENT),
    "consultation": lambda: list(CONSULTATION),
    "trainees": lambda: list(TRAINEES),
}

ACCEPTANCE_ROLES = frozenset({"inspector", "county_admin", "city_supervisor", "auditor"})
SUPERVISION_ROLES = frozenset({"city_supervisor", "county_admin", "auditor"})


@dataclass(frozen=True)
class Page:
    key: str  # URL path: the page file's stem
    title: str
    section: str  # the sidebar's heading
    path: str  # the page file under dashboards/
    icon: str  # a Material icon's name (no emoji: projectors' browsers often lack the font)
    roles: frozenset[str] | None  # who may open it; None: everyone, signed in or not
    programs: str | None = None  # kind of programme it applies to (PROGRAM_KINDS); None: every programme


PAGES: tuple[Page, ...] = (
    Page("overview", "总览", "县领导小组", "county/overview.py", "dashboard", ALL_ROLES),
    Page("drilldown", "逐级查看", "县领导小组", "county/drilldown.py", "account_tree", ALL_ROLES),
    Page("milestones", "里程碑", "县领导小组", "county/milestones.py", "flag", ALL_ROLES),
    Page("whatif", "假设评分", "县领导小组", "county/whatif.py", "calculate", ALL_ROLES, "scoring"),
    Page("entry", "数据填报", "县领导小组", "county/entry.py", "edit_note", DATA_WRITERS | {"auditor"}),
    Page("phone_entry", "手机填报", "县领导小组", "county/phone_entry.py", "smartphone", DATA_WRITERS | {"auditor"}),
    # the documents' own records (issue 17): registers read by all but village reporters
    Page("awards", "评选审定", "县领导小组", "county/awards.py", "workspace_premium", ALL_ROLES - {"village_reporter"},
         "scoring"),
    Page("stations", "站点编号", "县领导小组", "county/stations.py", "pin", ALL_ROLES - {"village_reporter"},
         "stations"),
    Page("meetings", "会商记录", "县领导小组", "county/meetings.py", "groups", ALL_ROLES - {"village_reporter"},
         "consultation"),
    Page("trainees", "学员档案", "县领导小组", "county/trainees.py", "school", ALL_ROLES - {"village_reporter"},
         "trainees"),
    Page("funds", "资金记录", "县领导小组", "county/funds.py", "payments",
         frozenset({"county_admin", "city_supervisor", "auditor"}), "funds"),
    Page("officers", "信息员考核", "县领导小组", "county/officers.py", "assignment_ind", ALL_ROLES - {"village_reporter"},
         "assessment"),
    Page("cases", "验收案件", "试点验收", "acceptance/cases.py", "assignment", ACCEPTANCE_ROLES, "acceptance"),
    Page("check", "验收检查", "试点验收", "acceptance/check.py", "fact_check", ACCEPTANCE_ROLES, "acceptance"),
    Page("board", "试点进度", "市级督导", "supervision/board.py", "view_timeline", SUPERVISION_ROLES, "pilots"),
    Page("scorecard", "县区评分", "市级督导", "supervision/scorecard.py", "leaderboard", SUPERVISION_ROLES, "pilots"),
    Page("laggards", "落后督办", "市级督导", "supervision/laggards.py", "priority_high", SUPERVISION_ROLES, "pilots"),
    Page("resettlement", "银川移民区", "市级督导", "supervision/resettlement.py", "cell_tower", SUPERVISION_ROLES,
         "resettlement"),
    Page("circular", "月度通报", "市级督导", "supervision/circular.py", "campaign", SUPERVISION_ROLES, "pilots"),
    Page("events", "重要情况报告", "市级督导", "supervision/events.py", "report", SUPERVISION_ROLES, "pilots"),
    Page("programs", "政策文件与规则", "方案", "policy/programs.py", "description", None),
    Page("login", "登录", "系统", "admin/login.py", "login", None),
    Page("report_fix", "月报更正", "系统", "admin/report_fix.py", "edit", DATA_WRITERS | {"auditor"}),
    Page("households", "一户一档", "系统", "admin/households.py", "family_restroom",
         DATA_WRITERS | {"city_supervisor", "auditor"}),
    Page("audit", "审计日志", "系统", "admin/audit.py", "history", LOG_READERS),
    Page("accounts", "账户管理", "系统", "admin/accounts.py", "manage_accounts", frozenset({"county_admin"})),
)
BY_KEY: dict[str, Page] = {p.key: p for p in PAGES}

# Derived views of the registry (what scope.may_open and the README's table read).
PAGE_ROLES: dict[str, frozenset[str]] = {p.key: p.roles for p in PAGES if p.roles is not None}
PUBLIC_PAGES = frozenset(p.key for p in PAGES if p.roles is None)
PAGE_PROGRAMS: dict[str, Callable[[], Iterable[str]]] = {p.key: PROGRAM_KINDS[p.programs]
                                                         for p in PAGES if p.programs}


def page(key: str) -> Page:
    return BY_KEY[key]


def may_open(actor, page: str) -> bool:
    """May ``actor`` (a Principal, or None when nobody is signed in) open dashboard ``page``
    (its key)?"""
    if page in PUBLIC_PAGES:
        return True
    return is_person(actor) and actor.role in PAGE_ROLES.get(page, frozenset())


def page_refusal(actor, page_title: str) -> str:
    if not is_person(actor):
        return f"请先在“登录”页面登录：{page_title}按账户的角色和区域显示数据。"
    return f"无权限：{actor.name}（{actor.role_label}）不能打开“{page_title}”页面。"


def applicable_programs(page: str) -> list[str] | None:
    """The programmes ``page`` (its key) applies to; None: every programme."""
    rule = PAGE_PROGRAMS.get(page)
    return None if rule is None else list(rule())


def applies(page: str, readable: Iterable[str] | None) -> bool:
    """Does ``page`` apply to one of the programmes in ``readable`` (the account's
    programmes; None: every programme, e.g. nobody signed in on a public page)?"""
    wanted = applicable_programs(page)
    if wanted is None or readable is None:
        return True
    return bool(set(wanted) & set(readable))
