"""登录: user name and password (throttled, locked after repeated failures), or the
organisation's OpenID Connect sign-in when [auth] is configured in secrets."""
from __future__ import annotations

import streamlit as st

from dashboards.ui.auth import MESSAGE_KEY, TOKEN_KEY, current_actor, logout, oidc_configured
from dashboards.ui.context import engine, page_setup
from ruralcore.accounts import (SECURITY, LoginRefused, authenticate, get_account, password_problems, set_password,
                                start_session)
from ruralcore.errors import RuralcoreError

page_setup("登录", "login", needs_program=False)
actor = current_actor()
note = st.session_state.pop(MESSAGE_KEY, None)
if note:
    st.warning(note)

if actor is None:
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
            st.rerun()
    if oidc_configured():
        st.divider()
        st.button("使用统一身份认证登录", on_click=st.login)
    st.caption(f"连续 {SECURITY.lock_after_failures} 次密码错误将锁定 {SECURITY.lock_minutes} 分钟；"
               f"{SECURITY.session_idle_minutes} 分钟未操作自动退出。")
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
                set_password(engine(), actor.name, new, by=actor)
                st.success("密码已修改。")
            except RuralcoreError as e:
                st.error(str(e))
    st.button("退出登录", on_click=logout, key="logout_main")
