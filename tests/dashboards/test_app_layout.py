"""The app's page list against the files and a Streamlit trap."""
from pathlib import Path

from dashboards.page_list import PAGES
from ruralcore.scope import PAGE_ROLES, PUBLIC_PAGES

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
