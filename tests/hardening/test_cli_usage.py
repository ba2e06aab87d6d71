"""The command line: usage errors and impossible values are the user's (Chinese usage
message, exit status 2, nothing written); --help is Chinese throughout; a write names an
existing account allowed to make it, or is recorded as the system and the OS user."""
from __future__ import annotations

import io
import re
import contextlib

import pytest

from ruralcore.auth import accounts
from ruralcore.cli import main
from ruralcore.store import audit

from .conftest import PROGRAM, PERIOD, VILLAGES, assert_chinese, fingerprint, good_rows, report_csv


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ---- usage errors: no database involved ----------------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["frobnicate"], "没有命令“frobnicate”"),
    (["score"], "缺少参数“方案”"),
    (["import", PROGRAM], "缺少参数“文件”"),
    (["export", PROGRAM, "--out", "x.xlsx"], "缺少选项“--period 月份”"),
    (["--db", "x.db", "import", PROGRAM, "f.xlsx", "--period", PERIOD], "选项“--db”应写在子命令之后"),
    (["--db", "x.db", "programs"], "programs 没有选项“--db”"),
    (["--json"], "选项“--json”应写在子命令之后"),
    (["workdays", "add", "2019-09-27", "-5"], "工作日数 N“-5”无效"),
    (["workdays", "add", "2019-09-27", "five"], "工作日数 N“five”无效"),
    (["workdays", "count", "2019-09-27"], "缺少参数“结束日期”"),
    (["milestones", PROGRAM, "--as-of", "9999-12-31"], "年份不在 2000–2099 年之间"),
    (["milestones", PROGRAM, "--as-of", "2019-02-30"], "格式不对"),
    (["programs", "--bogus"], "没有选项“--bogus”"),
    (["programs", "--json=1"], "选项“--json”不带取值"),
    (["station-code", "--county"], "选项“--county”后面缺少取值"),
    (["show", PROGRAM, "extra"], "多余的参数"),
    (["acceptance", "checklist", "abc"], "案件编号“abc”无效"),
    (["acceptance", "frobnicate"], "没有命令“frobnicate”"),
    (["accounts", "create", "x", "--role"], "选项“--role”后面缺少取值"),
    (["reporting", PROGRAM, "--period", "0000-12"], "年份不在 2000–2099 年之间"),
    (["reporting", PROGRAM, "--period", "2019-13"], "月份“2019-13”格式不对"),
])
def test_usage_errors_are_the_users_in_chinese_exit_2(argv, words):
    code, out, err = run(*argv)
    assert code == 2, (code, out, err)
    assert words in err, err
    assert_chinese(err)


def test_a_group_without_its_subcommand_shows_its_help_and_exit_2():
    code, out, _ = run("accounts")
    assert code == 2 and "子命令" in out and "reset-password" in out
    code, out, _ = run()
    assert code == 0 and "用法：ruralcore 子命令" in out


def _all_commands() -> list[list[str]]:
    from ruralcore.cli import app
    from ruralcore.cli.usage import _walk, root_command

    return [[]] + [["accounts"], ["workdays"], ["acceptance"]] + [n.split() for n, _ in _walk(root_command(app))]


# literal values a user types (each explained in Chinese beside it), formats and names
LITERALS = {"DATABASE_URL", "JSON", "Excel", "Word", "Parquet", "PostgreSQL", "YYYY", "MM", "DD", "N", "zip", "admin", "auditor"}


@pytest.mark.parametrize("path", _all_commands(), ids=lambda p: " ".join(p) or "ruralcore")
def test_help_is_chinese_throughout(path):
    code, out, err = run(*path, "--help")
    assert code == 0 and not err
    assert out.startswith("用法：") and ("选项：" in out or "子命令：" in out)
    for english in ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "default:"):
        assert english not in out
    prose = re.sub(r"--[a-z][a-z-]*|ruralcore( [a-z-]+)*|[a-z]+-\d{4}|\.[a-z]{3,4}\b|“[^”]*”|\S+/\S+|默认：\w+", " ", out)
    prose = re.sub(r"\b[a-z_]+（", "（", prose)  # a value followed by its Chinese meaning: county（约300个行政村）
    words = set(re.findall(r"[A-Za-z_]{2,}", prose)) - LITERALS
    names = {w for p in _all_commands() for w in p} | {"init", "admin", "reset", "password", "station", "code"}
    assert not words - names, words - names
    code2, _, _ = run(*path, "-h")
    assert code2 == 0


# ---- impossible values and authorship: both databases ---------------------------------------

def _db(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("argv, words", [
    (["accounts", "create", "x1", "--role", "township_officer", "--region", "999999"], "区域代码“999999”不存在"),
    (["accounts", "create", "x1", "--role", "township_officer", "--region", ""], "必须指定区域代码"),
    (["accounts", "create", "x1", "--role", "mayor", "--region", "433124"], "未知角色“mayor”"),
    (["accounts", "create", "x 1", "--role", "auditor", "--region", ""], "用户名“x 1”"),
    (["accounts", "reset-password", "nobody"], "找不到用户“nobody”"),
    (["accounts", "create", "x1", "--role", "township_officer", "--region", "433124101", "--user", "ghost"],
     "找不到账户“ghost”"),
    (["accounts", "create", "x1", "--role", "township_officer", "--region", "433124101", "--user", "reporter"],
     "不能管理账户"),
    (["accounts", "create", "x1", "--role", "city_supervisor", "--region", "433100", "--user", "county"],
     "不能授予“市级督导”"),
    (["accounts", "reset-password", "county", "--user", "auditor1"], "不能管理账户"),
])
def test_impossible_account_values_and_unentitled_authors_change_nothing(engine, argv, words):
    before = fingerprint(engine)
    code, out, err = run(*argv, "--db", _db(engine))
    assert code == 2, (out, err)
    assert words in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


@pytest.mark.parametrize("period, words", [("0000-12", "年份不在"), ("2019-13", "格式不对"), ("9999-01", "年份不在"),
                                           ("2099-12", "晚于当前月份")])
def test_impossible_periods_import_nothing(engine, tmp_path, period, words):
    f = tmp_path / "月报.csv"
    f.write_bytes(report_csv(good_rows(period=period if period[:4] != "0000" else "")))
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", period, "--db", _db(engine))
    assert code == 2 and words in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


@pytest.mark.parametrize("user, words", [
    ("ghost", "找不到账户“ghost”"),           # no such account: never a free-text author
    ("", "找不到账户“”"),
    ("auditor1", "审计员"),                   # a role that writes no reports
    ("reporter", VILLAGES[1]),               # a village reporter writing other villages
])
def test_import_as_an_account_that_may_not_write_changes_nothing(engine, tmp_path, user, words):
    f = tmp_path / "月报.csv"
    f.write_bytes(report_csv(good_rows()))
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--user", user, "--db", _db(engine))
    assert code == 2 and words in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


def test_import_is_recorded_as_the_named_account_or_as_the_system(engine, tmp_path):
    f = tmp_path / "月报.csv"
    f.write_bytes(report_csv(good_rows(VILLAGES[:1])))
    assert run("import", PROGRAM, str(f), "--period", PERIOD, "--user", "reporter", "--db", _db(engine))[0] == 0
    f.write_bytes(report_csv(good_rows(VILLAGES[1:])))
    assert run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine))[0] == 0
    log = audit.load_audit(engine, table="reports")
    log = log[log["key"].astype(str).str.contains(PERIOD)] if "key" in log else log
    authors = set(log["user"])
    system = accounts.system_author().name
    assert re.fullmatch(r"系统（命令行，操作系统用户 .+）", system)
    assert {"reporter", system} <= authors, authors
    assert not authors - {"reporter", system, "测试"}, authors
