"""The app's page list against the files and a Streamlit trap."""
from pathlib import Path

import re

from dashboards.page_list import PAGES
from ruralcore.auth import pages as registry
from ruralcore.auth.scope import PAGE_ROLES, PUBLIC_PAGES

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"


def test_no_pages_folder_beside_the_entry_script():
    """With a ``pages/`` folder beside app.py Streamlit first runs the app as an old-style
    multipage app and shows “Page not found” over the first page opened by link."""
    assert (DASHBOARDS / "app.py").is_file()
    assert not (DASHBOARDS / "pages").exists()


def test_every_listed_page_has_its_file_and_a_known_page_key():
    missing = [path for _s, path, _t, _i, _k in PAGES if not (DASHBOARDS / path).is_file()]
    assert missing == []
    unknown = [key for *_rest, key in PAGES if key not in PAGE_ROLES and key not in PUBLIC_PAGES]
    assert unknown == []
    stems = [Path(path).stem for _s, path, *_rest in PAGES]
    assert len(stems) == len(set(stems)), "two pages would share a URL path"


def test_each_page_is_declared_once_in_the_registry():
    """A page's title, roles and programmes are written in ruralcore.auth.pages only: its file
    names its own key (its URL path) when it sets itself up, and no page file names a role
    or a programme to decide who opens it."""
    for p in registry.PAGES:
        text = (DASHBOARDS / p.path).read_text(encoding="utf-8")
        keys = re.findall(r'\b(?:page_setup|setup)\(\s*"([a-z_]+)"', text)
        assert keys == [p.key], (p.path, keys)
        assert p.key == Path(p.path).stem
    assert [(s, path, t, i, k) for s, path, t, i, k in PAGES] == [
        (p.section, p.path, p.title, p.icon, p.key) for p in registry.PAGES]
    pages_dir_text = "".join(f.read_text(encoding="utf-8") for f in DASHBOARDS.rglob("*.py"))
    assert "PAGE_ROLES[" not in pages_dir_text and "programs_allowed=[" not in pages_dir_text
