"""Entry point of the ruralcore dashboards: one app, a section per audience (st.navigation)."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path; the pages import `dashboards.ui…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Material icons, not emoji: the servers' and projectors' browsers often lack an emoji font.
st.set_page_config(page_title="数字乡村建设看板", page_icon=":material/agriculture:", layout="wide")

from dashboards.page_list import PAGES  # noqa: E402  (after the sys.path line)
from dashboards.ui.auth import current_actor, sync_cookie  # noqa: E402
from ruralcore.scope import PUBLIC_PAGES, may_open  # noqa: E402


def after_login(actor, current_stem: str, reachable: dict) -> None:
    """A copied link opened signed out (e.g. a supervisor's link to a lagging pilot) asks to
    sign in; once signed in, the user is taken to the page it named, with its query
    (programme, month, region)."""
    if actor is None:
        if current_stem in LINKABLE:
            st.session_state[AFTER_LOGIN_KEY] = (current_stem, st.query_params.to_dict())
        return
    target = st.session_state.pop(AFTER_LOGIN_KEY, None)
    if target and target[0] != current_stem and may_open(actor, PAGE_KEY[target[0]]):
        st.switch_page(reachable[target[0]], query_params=target[1])  # a role that may not open it stays put


AFTER_LOGIN_KEY = "after_login"
PAGE_KEY = {Path(path).stem: key for _s, path, _t, _i, key in PAGES}  # URL path → page key
LINKABLE = {stem for stem, key in PAGE_KEY.items() if key not in PUBLIC_PAGES}

# Every page is registered, so a copied link always finds its page (which itself refuses a
# visitor who may not open it) instead of Streamlit's English “Page not found”; the sidebar
# lists only the pages the signed-in role may open (signed out: 登录 and the policy documents).
actor = current_actor()
default = "overview" if actor is not None else "login"
pages: dict[str, list] = {}
by_path: dict[str, st.Page] = {}  # the file's stem (its URL path) → page
for section, path, title, icon, key in PAGES:
    shown = may_open(actor, key)
    by_path[Path(path).stem] = st.Page(path, title=title, icon=f":material/{icon}:", default=key == default,
                                       visibility="visible" if shown else "hidden")
    pages.setdefault(section, []).append(by_path[Path(path).stem])
# expanded: list every page; a collapsed list shows Streamlit's English “View N more”
page = st.navigation(pages, expanded=True)
sync_cookie()  # a sign-in (the login page reruns) or sign-out (a callback) of the last run
after_login(actor, next((stem for stem, pg in by_path.items() if pg is page), ""), by_path)
page.run()
