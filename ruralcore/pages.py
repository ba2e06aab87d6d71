"""Which programmes each dashboard page applies to, by the page's URL path (the page file's
stem in dashboards/page_list.py). A page applies to every programme unless listed here;
the app lists a page in the sidebar only when one of its programmes is one the account
reads (a copied link still opens the page, which then says it has nothing for the
account). Who may open a page by role: ruralcore.scope.PAGE_ROLES."""
from __future__ import annotations

from typing import Callable, Iterable

RESETTLEMENT = ("yinchuan-2017",)
CONSULTATION = ("tanjiachang-2023",)
TRAINEES = ("yinchuan-2017",)  # 四(三) 学员档案 (ruralcore.trainees.TARGET)  # 三(四)9 每月会商 (ruralcore.meetings.CONSULTATION_MILESTONES)  # the programme whose area is 银川's resettlement villages


def pilot_programs() -> list[str]:
    """Programmes with a pilot list (忻州): the municipal supervision pages."""
    from .programs import all_programs
    from .regions import PILOTS_DIR
    return [p.id for p in all_programs() if (PILOTS_DIR / f"{p.id}.csv").exists()]


def scoring_programs() -> list[str]:
    """Programmes with scoring rules (a rubric, 花垣): 假设评分."""
    from .programs import all_programs
    return [p.id for p in all_programs() if p.rubric is not None]


def acceptance_programs() -> list[str]:
    """Programmes whose checklists name an acceptance subject: the 试点验收 pages."""
    from .cases import acceptance_programs as with_cases
    return with_cases()


def station_programs() -> list[str]:
    """Programmes that number their stations and give quotas (融水 附件1, 附件2): 站点编号."""
    from .programs import all_programs
    return [p.id for p in all_programs() if any(q.code == "stations" for q in p.quotas)
            and any(s.code == "station_number_sequence" for s in p.settings)]


def fund_programs() -> list[str]:
    """Programmes whose file gives fund categories (忻州, 融水, 银川): 资金记录."""
    from .funding import fund_programs as with_categories
    return with_categories()


def assessment_programs() -> list[str]:
    """Programmes assessing their information officers (融水 五(三)1): 信息员考核."""
    from .programs import all_programs
    return [p.id for p in all_programs() if any(s.code.startswith("officer_assessment_item_") for s in p.settings)]


PAGE_PROGRAMS: dict[str, Callable[[], Iterable[str]]] = {
    "funds": fund_programs,
    "whatif": scoring_programs,
    "awards": scoring_programs,
    "stations": station_programs,
    "meetings": lambda: list(CONSULTATION),
    "trainees": lambda: list(TRAINEES),
    "officers": assessment_programs,
    "events": pilot_programs,
    "cases": acceptance_programs,
    "check": acceptance_programs,
    "board": pilot_programs,
    "scorecard": pilot_programs,
    "laggards": pilot_programs,
    "circular": pilot_programs,
    "resettlement": lambda: list(RESETTLEMENT),
}


def applicable_programs(page: str) -> list[str] | None:
    """The programmes ``page`` (its URL path) applies to; None: every programme."""
    rule = PAGE_PROGRAMS.get(page)
    return None if rule is None else list(rule())


def applies(page: str, readable: Iterable[str] | None) -> bool:
    """Does ``page`` apply to one of the programmes in ``readable`` (the account's
    programmes; None: every programme, e.g. nobody signed in on a public page)?"""
    wanted = applicable_programs(page)
    if wanted is None or readable is None:
        return True
    return bool(set(wanted) & set(readable))
