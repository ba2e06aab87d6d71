"""Entry point of the ruralcore dashboards: one app, a section per audience (st.navigation)."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path; the pages import `dashboards.ui…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboards.page_list import HOME, PAGES, PRODUCT  # noqa: E402  (after the sys.path line)

# Material icons, not emoji: the servers' and projectors' browsers often lack an emoji font.
st.set_page_config(page_title=PRODUCT, page_icon=":material/agriculture:", layout="wide")

from dashboards.ui.boundary import guarded  # noqa: E402
from dashboards.ui.auth import (AFTER_LOGIN_KEY, ENDED_KEY, SIGNED_OUT_KEY, current_actor,  # noqa: E402
                                sync_cookie, visible_program_ids)
from ruralcore.auth import pages as page_programs  # noqa: E402
from ruralcore.auth.scope import PUBLIC_PAGES, may_open  # noqa: E402

DEFAULT, LOGIN = HOME, "login"  # URL paths: the app's root page (served at /) and 登录
PAGE_KEY = {Path(path).stem: key for _s, path, _t, _i, key in PAGES}  # URL path → page key


def route(actor, current_stem: str, reachable: dict) -> None:
    """Signed out on a page that needs sign-in (a copied link, or the app's root): to 登录,
    remembering the page and its query (programme, month, region) unless it is the bare
    root or the visitor just signed out; once signed in, to the remembered page. When the
    session has just ended (idle, disabled), the page itself says so and asks to sign in."""
    ended = st.session_state.pop(ENDED_KEY, False)  # set by this run's current_actor()
    signed_out = st.session_state.pop(SIGNED_OUT_KEY, False)  # set by the last run's 退出登录
    if actor is None:
        if PAGE_KEY.get(current_stem) in PUBLIC_PAGES:
            return
        query = st.query_params.to_dict()
        if not signed_out and (current_stem != DEFAULT or query):
            st.session_state[AFTER_LOGIN_KEY] = (current_stem, query)
        if not ended:
            st.switch_page(reachable[LOGIN])  # 登录 shows any message (e.g. a provider sign-in refused)
        return
    target = st.session_state.pop(AFTER_LOGIN_KEY, None)
    if target and target[0] != current_stem and may_open(actor, PAGE_KEY[target[0]]):
        st.switch_page(reachable[target[0]], query_params=target[1])  # a role that may not open it stays put


# Every page is registered and keeps its own URL path (总览 is always the root page, 登录 is
# always /login), so a copied link always finds its page instead of Streamlit's English
# “Page not found”. The sidebar lists only the pages the signed-in role may open
# (scope.may_open) that apply to one of the account's programmes (ruralcore.auth.pages);
# signed out: 登录 and the policy documents.
def main() -> None:
    actor = current_actor()
    readable = visible_program_ids(actor) if actor is not None else None
    pages: dict[str, list] = {}
    by_path: dict[str, st.Page] = {}  # the file's stem (its URL path) → page
    for section, path, title, icon, key in PAGES:
        stem = Path(path).stem
        shown = may_open(actor, key) and page_programs.applies(stem, readable)
        by_path[stem] = st.Page(path, title=title, icon=f":material/{icon}:", default=stem == DEFAULT,
                                visibility="visible" if shown else "hidden")
        pages.setdefault(section, []).append(by_path[stem])
    # expanded: list every page; a collapsed list shows Streamlit's English “View N more”
    page = st.navigation(pages, expanded=True)
    stem = next((s for s, pg in by_path.items() if pg is page), "")
    route(actor, stem, by_path)
    sync_cookie()  # a sign-in (the login page reruns) or sign-out (a callback) of the last run
    guarded(page.run, stem)  # every page behind one Chinese error boundary


guarded(main, "router")
