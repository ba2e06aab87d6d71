"""登录: user name and password (throttled, locked after repeated failures), or the
organisation's OpenID Connect sign-in when [auth] is configured in secrets."""
from __future__ import annotations

import streamlit as st

from dashboards.page_list import HOME, PAGES, ROLE_HOME, PRODUCT, PRODUCT_LINE
from dashboards.ui.auth import AFTER_LOGIN_KEY, MESSAGE_KEY, MUST_CHANGE_KEY, TOKEN_KEY, after_login_page, oidc_configured
from dashboards.ui.context import engine, page_setup
from ruralcore.auth.accounts import (DEMO_ACCOUNTS, SECURITY, LoginRefused, authenticate, get_account,
                                password_problems, set_password, start_session)
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.app.overview import is_demo
from ruralcore.auth.scope import ROLES

CHANGED_KEY = "password_changed"  # shown after the rerun that writes the new session's cookie
actor = page_setup("login", needs_program=False)  # public: None when nobody is signed in
note = st.session_state.pop(MESSAGE_KEY, None)
if note:
    st.warning(note)

if actor is None:
    st.markdown(f"#### {PRODUCT}")
    st.caption(PRODUCT_LINE)
    then = {path.rsplit("/", 1)[-1][:-3]: title for _s, path, title, _i, _k in PAGES}.get(after_login_page())
    if then:  # a link opened signed out (app.py route): that page opens after signing in
        st.info(f"“{then}”页面按账户的角色和区域显示数据，请先登录；登录后将打开“{then}”。")
    with st.form("login"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            who = authenticate(engine(), username, password)
        except LoginRefused as e:
            st.error(str(e))
        else:
            st.session_state[TOKEN_KEY] = start_session(engine(), who)
            if (get_account(engine(), who.name) or {}).get("must_change_password"):
                st.session_state[MUST_CHANGE_KEY] = True  # the sidebar reminds until it is changed
            # the page the visitor asked for (a link opened signed out), else the role's own
            # page (a village reporter: 手机填报) or 总览 (app.py route)
            st.session_state.setdefault(AFTER_LOGIN_KEY, (ROLE_HOME.get(who.role, HOME), {}))
            st.rerun()
    if oidc_configured():
        st.divider()
        st.button("使用统一身份认证登录", on_click=st.login)
    st.caption(f"连续 {SECURITY.lock_after_failures} 次密码错误将锁定 {SECURITY.lock_minutes} 分钟；"
               f"{SECURITY.session_idle_minutes} 分钟未操作自动退出，登录 {SECURITY.session_max_hours} 小时后须重新登录。")
    if is_demo(engine()):  # a demo visitor needs to know which accounts exist
        who = "、".join(f"{name}（{ROLES[role]}）" for name, role, _d, _s in DEMO_ACCOUNTS)
        st.caption(f"演示库：可用首次启动时终端显示的演示账户登录——{who}；各账户看到哪些页面见说明文件。"
                   "密码只在终端显示过一次，忘记时运行 .venv/bin/ruralcore accounts reset-password 用户名。")
else:
    st.success(f"已登录：{actor.name}（{actor.role_label}，区域 {actor.region or '全部'}）")
    acc = get_account(engine(), actor.name) or {}
    if acc.get("must_change_password"):
        st.info("这是管理员给的初始密码，请先修改密码。")
    with st.form("change_password"):
        new = st.text_input("新密码", type="password", key="new_password",
                            help=f"至少 {SECURITY.min_password_length} 位，含大小写字母、数字、符号中的至少 "
                                 f"{SECURITY.min_character_classes} 类")
        again = st.text_input("再输入一次", type="password", key="new_password_again")
        change = st.form_submit_button("修改密码")
    if change:
        if new != again:
            st.error("两次输入的新密码不一致。")
        elif password_problems(new, actor.name):
            st.error("；".join(password_problems(new, actor.name)))
        else:
            try:
                set_password(engine(), actor.name, new, by=actor)  # ends every session of the account
                st.session_state.pop(MUST_CHANGE_KEY, None)
            except RuralcoreError as e:
                st.error(str(e))
            else:  # this browser goes on with a new session; the others must sign in again
                st.session_state[TOKEN_KEY] = start_session(engine(), actor)
                st.session_state[CHANGED_KEY] = True
                st.rerun()
    if st.session_state.pop(CHANGED_KEY, False):
        st.success("密码已修改；其他浏览器和设备上的登录已退出，需用新密码重新登录。")
    # signing out: the sidebar's 退出登录 (drawn by page_setup on every page)
