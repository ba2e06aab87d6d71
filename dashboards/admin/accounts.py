"""账户管理: a county admin lists, creates, resets and disables its county's accounts
(roles below the city; the initial password is shown once)."""
from __future__ import annotations

import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import engine, page_setup
from ruralcore.auth import accounts
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.auth.scope import COUNTY_GRANTABLE, ROLES

actor = page_setup("accounts", needs_program=False)  # county admins only (ruralcore.auth.pages)

frame = accounts.list_accounts(engine(), actor)
cols = {"username": "用户名", "display_name": "名称", "role": "角色", "region_name": "区域", "region": "区域代码",
        "active": "启用"}
shown = frame.assign(role=frame["role"].map(ROLES), active=frame["active"].map({True: "是", False: "否"}))
tables.grid(shown[list(cols)].rename(columns=cols), hide_index=True,
             column_config={"区域代码": st.column_config.TextColumn(width="small")})

choices = accounts.region_choices(engine(), actor)
regions = choices.index.tolist()
st.subheader("新建账户")
with st.form("create_account"):
    username = st.text_input("用户名", key="acc_username")
    name = st.text_input("名称", key="acc_name")
    role = st.selectbox("角色", sorted(COUNTY_GRANTABLE), format_func=ROLES.get, key="acc_role")
    region = st.selectbox("区域", regions, index=regions.index(actor.region) if actor.region in regions else 0,
                          format_func=choices.get, key="acc_region")
    create = st.form_submit_button("创建", type="primary")
if create:
    pw = accounts.random_password()
    try:
        accounts.create_account(engine(), username, role, region, pw, by=actor, display_name=name,
                                must_change_password=True)
        st.success(f"已创建 {username}。初始密码（只显示这一次，请当面告知本人）：{pw}")
    except RuralcoreError as e:
        st.error(str(e))

st.subheader("重置密码 / 停用")
if len(frame):
    # nothing preselected: the admin's own account first in the list was one click from 停用
    who = st.selectbox("账户", frame["username"].tolist(), index=None, placeholder="选择账户",
                       format_func=dict(zip(frame["username"], frame["username"] + " " + frame["display_name"].fillna("")
                                            + "（" + frame["region_name"].where(frame["region_name"] != "", "全部区域")
                                            + "）")).get,
                       key="acc_target")
    if who is None:
        st.stop()
    c1, c2 = st.columns(2)
    if c1.button("重置为随机密码", key="acc_reset"):
        pw = accounts.random_password()
        try:
            accounts.set_password(engine(), who, pw, by=actor, must_change_password=True)
            accounts.unlock(engine(), who)
            st.success(f"{who} 的新密码（只显示这一次）：{pw}")
        except RuralcoreError as e:
            st.error(str(e))
    row = frame.set_index("username").loc[who]
    label = "停用账户" if row["active"] else "重新启用"
    if c2.button(label, key="acc_toggle"):
        try:
            accounts.update_account(engine(), who, {"active": not bool(row["active"])}, int(row["version"]), by=actor)
            st.rerun()
        except RuralcoreError as e:
            st.error(str(e))
