"""Administration: backup/restore, accounts, the first administrator."""
from __future__ import annotations

from pathlib import Path

import typer

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.auth.scope import ROLES
from ruralcore.cli.common import app
from ruralcore.cli.common import Db, User, author, command_group, echo_table, open_engine

accounts_app = command_group("accounts", "账户：创建、列出、重置密码。")


@app.command("backup")
def backup_cmd(file: Path = typer.Argument(..., help="备份文件（.zip）"),
               db: Db = None) -> None:
    """把整个数据库备份为一个 zip 文件（每表一个 JSON 行文件，另附结构版本）。"""
    from ruralcore.store.backup import backup

    m = backup(open_engine(db), file)
    total = sum(t["rows"] for t in m["tables"].values())
    typer.echo(f"已备份 {len(m['tables'])} 张表、{total:,} 行到 {file}（结构版本 {m['schema_revision']}）")


@app.command("restore")
def restore_cmd(file: Path = typer.Argument(..., help="备份文件（.zip）"),
                db: Db = None) -> None:
    """从备份恢复：在一个事务中替换数据库中所有表的内容；结构版本不同则拒绝。"""
    from ruralcore.store.backup import restore

    if not file.exists():
        raise InputError(Problem(f"找不到备份文件 {file}"))
    counts = restore(open_engine(db), file)
    typer.echo(f"已恢复 {sum(counts.values()):,} 行（{len(counts)} 张表）")


@app.command("init-admin")
def init_admin_cmd(region: str = typer.Option(None, "--region", help="管理员所辖县的区域代码（默认：花垣县 433124，否则数据库中第一个县）"),
                   username: str = typer.Option("admin", "--username", help="管理员的用户名"),
                   demo_accounts: bool = typer.Option(False, "--demo-accounts",
                                                      help="另为每个角色建一个演示账户（市级督导、乡镇干部、村级填报员、验收人员、审计员）"),
                   auditor: str = typer.Option("auditor", "--auditor-username", help="演示审计员的用户名"),
                   db: Db = None) -> None:
    """创建演示管理员（县级管理员），随机密码只显示这一次；已存在则什么也不做。
    加 --demo-accounts 另为每个角色建一个演示账户（区域随管理员所在的县），密码同样只显示这一次。"""
    from ruralcore.auth.accounts import DEMO_ACCOUNTS, check_username, init_admin, init_demo_accounts, region_labels
    from ruralcore.auth.scope import ROLES, region_tree

    engine = open_engine(db)
    if not region:
        from ruralcore.store.regions import first_county

        region = first_county(engine, prefer="433124") or "433124"  # 花垣县 from the region files
    # every name checked before anything is written: no admin without its demo accounts
    names = {"county_admin": check_username(username)}
    if demo_accounts:
        names["auditor"] = check_username(auditor)
        taken = [names.get(role, name) for name, role, _d, _s in DEMO_ACCOUNTS]
        if len(set(taken)) < len(taken):
            raise InputError(Problem(f"演示账户不能同名（{'、'.join(sorted({n for n in taken if taken.count(n) > 1}))}），"
                                     "请用 --username 或 --auditor-username 另取一个"))
    pw = init_admin(engine, region, names["county_admin"])
    once = "初始密码（只显示这一次，首次登录后请修改）"
    if pw is None:
        typer.echo(f"账户 {username} 已存在，未修改。")
    else:
        typer.echo(f"已创建管理员 {username}（县级管理员，区域 {region}）。{once}：{pw}")
    if not demo_accounts:
        return
    made = init_demo_accounts(engine, region, names)
    with engine.connect() as conn:
        labels = region_labels(region_tree(conn), {a["region"] for a in made if a["region"]})
    for acc in made:
        if acc["role"] == "county_admin":
            continue  # said above
        if acc["missing"]:
            typer.echo(f"未建{acc['display_name']} {acc['username']}（{ROLES[acc['role']]}）：数据库中没有适合的区域"
                       "（先运行 ruralcore demo 生成演示数据）。")
            continue
        where = f"区域 {labels[acc['region']]}" if acc["region"] else "全部区域"
        who = f"{acc['display_name']} {acc['username']}（{ROLES[acc['role']]}，{where}；{acc['shows']}）"
        if acc["password"] is None:
            typer.echo(f"账户 {acc['username']} 已存在，未修改。")
        else:
            typer.echo(f"已创建{who}。{once}：{acc['password']}")


@accounts_app.command("create")
def create_cmd(username: str = typer.Argument(..., help="新账户的用户名（2–60 个字母、数字、汉字或 _ . - @）"),
               role: str = typer.Option(..., "--role", help="角色：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items())),
               region: str = typer.Option(..., "--region", help="区域代码（审计员可留空，表示全部区域）"),
               name: str = typer.Option("", "--name", help="显示名称"),
               user: User = None,
               db: Db = None) -> None:
    """创建账户；随机初始密码只显示这一次。"""
    from ruralcore.auth.accounts import create_account, random_password

    engine = open_engine(db)
    by = author(engine, user)
    pw = random_password(username)
    create_account(engine, username, role, region, pw, by=by, display_name=name, must_change_password=True)
    typer.echo(f"已创建 {username}。初始密码（只显示这一次）：{pw}")


@accounts_app.command("list")
def list_cmd(db: Db = None) -> None:
    """列出账户（不含密码）。"""
    from ruralcore.auth.accounts import list_accounts
    from ruralcore.auth.scope import ROLES

    df = list_accounts(open_engine(db))
    df = df.assign(role=df["role"].map(ROLES).fillna(df["role"]), active=df["active"].map({True: "是", False: "否"}))
    echo_table(df[["username", "display_name", "role", "region", "active"]],
               {"username": "用户名", "display_name": "名称", "role": "角色", "region": "区域", "active": "启用"})


@accounts_app.command("reset-password")
def reset_cmd(username: str = typer.Argument(..., help="要重置密码的账户的用户名"),
              user: User = None,
              db: Db = None) -> None:
    """重置密码为随机密码（只显示这一次），清除锁定，并结束该账户所有已登录的会话。"""
    from ruralcore.auth.accounts import random_password, set_password, unlock

    engine = open_engine(db)
    by = author(engine, user)
    pw = random_password(username)
    set_password(engine, username, pw, by=by, must_change_password=True)
    unlock(engine, username)
    typer.echo(f"已重置 {username} 的密码（只显示这一次）：{pw}")
