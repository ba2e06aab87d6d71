"""The README's table of which role opens which page says what ruralcore.auth.scope.PAGE_ROLES
does (page titles as in dashboards/app.py), so the two cannot drift apart."""
from __future__ import annotations

import re
from pathlib import Path

from dashboards.page_list import PAGES
from ruralcore.auth.scope import PAGE_ROLES, PUBLIC_PAGES, ROLES

ROOT = Path(__file__).resolve().parents[2]


def _app_pages() -> dict[str, str]:
    """page title -> page key, from the app's page list."""
    return {title: key for _section, _path, title, _icon, key in PAGES}


def _rows(first: str) -> list[list[str]]:
    """The rows of the table in README's 登录与角色 whose header starts with ``first``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 登录与角色", 1)[1].split("\n## ", 1)[0].split(f"| {first} |", 1)[1]
    lines = [f"| {first} |" + section.split("\n", 1)[0]]
    for line in section.split("\n", 1)[1].splitlines():
        if not line.startswith("|"):
            break
        lines.append(line)
    return [line.strip("|").split("|") for line in lines if line.startswith("| ")]


def _readme_table() -> tuple[list[str], dict[str, set[str]]]:
    rows = _rows("页面")
    head = [c.strip() for c in rows[0][1:]]
    opened: dict[str, set[str]] = {}
    for cells in rows[1:]:
        titles = re.sub(r"（.*?）", "", cells[0]).strip().split("、")
        who = {role for role, mark in zip(head, cells[1:]) if mark.strip() == "✓"}
        for title in titles:
            opened[title] = who
    return head, opened


def test_readme_role_table_matches_page_roles():
    head, opened = _readme_table()
    assert head == list(ROLES.values())
    titles = _app_pages()
    assert set(opened) == set(titles)  # every page of the app, once
    for title, key in titles.items():
        want = set(ROLES.values()) if key in PUBLIC_PAGES else {ROLES[r] for r in PAGE_ROLES[key]}
        assert opened[title] == want, title


def test_readme_says_pages_of_other_programmes_are_not_listed():
    """The table is by role; the section also says that a page applying only to programmes
    outside the account's area is not listed, and names where that rule lives."""
    from ruralcore.auth import pages

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 登录与角色", 1)[1].split("\n## ", 1)[0]
    assert "不在左侧列出" in section and "`ruralcore/auth/pages.py`" in section
    assert (ROOT / "ruralcore" / "auth" / "pages.py").is_file() and pages.PAGE_PROGRAMS
    titles = {Path(path).stem: title for _s, path, title, _i, _k in PAGES}
    for stem in pages.PAGE_PROGRAMS:
        assert titles[stem] in section, stem  # every programme-bound page is in the table


def test_readme_names_the_demo_accounts_init_admin_creates():
    """One demo account per role (ruralcore.auth.accounts.DEMO_ACCOUNTS), each in README's table
    with its role."""
    from ruralcore.auth.accounts import DEMO_ACCOUNTS

    rows = _rows("演示账户")[1:]
    readme = {c[0].strip().strip("`"): c[1].split("，")[0].strip() for c in rows}
    assert readme == {name: ROLES[role] for name, role, _d, _s in DEMO_ACCOUNTS}
    assert set(ROLES) == {role for _n, role, _d, _s in DEMO_ACCOUNTS}
