"""数据填报 page and ruralcore.app.entry (the functions the page's save calls).

AppTest cannot type into st.data_editor, so the save path is tested through
ruralcore.app.entry on the demo data — on SQLite and on PostgreSQL — and the page's
selectors and buttons through AppTest. A refused value must leave the database exactly
as it was: the month's reports and the audit log are compared before and after.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ruralcore.app import entry
from ruralcore.io import excel
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, db, reports
from ruralcore.store import regions as store_regions
from tests.login_support import sign_in
from tests.support import fresh_database, sqlite_copy
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "dashboards" / "county" / "entry.py")
HUAYUAN = "huayuan-2019"
PERIOD = "2019-11"  # the demo's newest month for 花垣
TOWN = "433124T01"  # 花垣镇


@pytest.fixture
def url(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo database (demo_file, tests/dashboards/conftest.py) per test,
    DATABASE_URL pointed at it."""
    u = f"sqlite:///{sqlite_copy(demo_file, tmp_path / 'demo.db')}"
    monkeypatch.setenv("DATABASE_URL", u)
    return u


@pytest.fixture(params=["sqlite", "postgresql"])
def eng(request, demo_file, tmp_path):
    """A store with 花垣镇's villages and their reports of 2019-11, on SQLite and PostgreSQL."""
    src = db.get_engine(f"sqlite:///{demo_file}")
    with fresh_database(request.param, tmp_path, "entry") as url:
        target = db.get_engine(url)
        reg = store_regions.load_regions(src, HUAYUAN).reset_index(drop=True)
        keep = reg[(reg["code"] == TOWN) | (reg["parent"] == TOWN) | (reg["level"] == "county")]
        store_regions.sync_regions(target, keep, system("测试准备"))
        rep = reports.load_reports(src, HUAYUAN, [PERIOD])
        rep = rep[rep["region"].isin(keep["code"])]
        reports.upsert_reports(target, HUAYUAN, PERIOD, rep[["region", "field", "value"]], system("测试准备"))
        yield target


def snapshot(eng):
    rep = reports.load_reports(eng, HUAYUAN).sort_values(["period", "region", "field"]).reset_index(drop=True)
    return rep, audit.load_audit(eng)


def assert_unchanged(eng, before):
    rep, log = snapshot(eng)
    pd.testing.assert_frame_equal(rep, before[0])
    pd.testing.assert_frame_equal(log, before[1])


# ---- the save path (ruralcore.app.entry, as the page calls it) ------------------------------------

def test_sheet_holds_the_townships_villages_values_and_versions(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    stored = reports.load_reports(eng, HUAYUAN, [PERIOD])
    villages = sorted(stored["region"].unique())
    assert list(sheet.frame["code"]) == villages
    assert all("演示" in n for n in sheet.frame["name"])
    one = stored.iloc[0]
    assert sheet.frame.set_index("code").loc[one["region"], one["field"]] == one["value"]
    assert sheet.versions[(one["region"], one["field"])] == 1
    # 13 fields of the 花垣 programme file: 9 counts, 5 flags (0/1)
    rules = {r.code: r for r in entry.column_rules(HUAYUAN)}
    assert rules["households"].min == 0 and rules["households"].step == 1
    assert (rules["study_room"].min, rules["study_room"].max) == (0, 1)
    assert rules["households"].label == "农村家庭户数（户）"


def test_valid_edit_is_saved_and_audited(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    edited = sheet.frame.copy()
    village = edited["code"].iat[0]
    old = edited.at[0, "broadband_households"]
    edited.at[0, "broadband_households"] = old + 5
    before_log = len(audit.load_audit(eng))
    result = entry.save(eng, sheet, edited, system("花垣镇填报员"))
    assert (result["updated"], result["inserted"]) == (1, 0)
    stored = reports.load_reports(eng, HUAYUAN, [PERIOD]).set_index(["region", "field"])
    assert stored.loc[(village, "broadband_households"), "value"] == old + 5
    assert stored.loc[(village, "broadband_households"), "version"] == 2
    assert stored.loc[(village, "broadband_households"), "submitted_by"] == "花垣镇填报员"
    log = audit.load_audit(eng)
    assert len(log) == before_log + 1
    last = log.iloc[-1]
    assert (last["user"], last["action"], last["field"]) == ("花垣镇填报员", "update", "broadband_households")
    assert (last["old"], last["new"]) == (audit.text(old), audit.text(old + 5))
    assert last["key"] == f"{HUAYUAN}/{PERIOD}/{village}"


def test_signed_in_officer_saves_inside_and_is_refused_outside_the_township(eng):
    """The page passes the signed-in Actor: 花垣镇's officer writes its villages; another
    township's officer is refused in Chinese and nothing (reports, audit) is written."""
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    edited = sheet.frame.copy()
    edited.at[0, "broadband_households"] = edited.at[0, "broadband_households"] + 1
    before = snapshot(eng)
    with pytest.raises(PermissionDenied) as err:
        entry.save(eng, sheet, edited, Actor("双龙镇干部", "township_officer", "433124T02"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))
    assert_unchanged(eng, before)
    result = entry.save(eng, sheet, edited, Actor("花垣镇干部", "township_officer", TOWN))
    assert result["updated"] == 1
    log = audit.load_audit(eng)
    assert len(log) == len(before[1]) + 1 and log.iloc[-1]["user"] == "花垣镇干部"


def test_negative_count_is_refused_and_nothing_written(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    before = snapshot(eng)
    edited = sheet.frame.copy()
    edited.at[2, "households"] = -3
    edited.at[0, "broadband_households"] = edited.at[0, "broadband_households"] + 1  # a valid edit too
    with pytest.raises(InputError) as err:
        entry.save(eng, sheet, edited, system("花垣镇填报员"))
    msg = str(err.value)
    name = sheet.frame["name"].iat[2]
    assert f"第3行，“农村家庭户数（户）”列：村“{name}”" in msg and "-3 不能为负数" in msg
    assert "未写入任何数据" in msg or len(err.value.problems) == 1
    assert_unchanged(eng, before)


def test_numerator_above_denominator_is_refused(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    before = snapshot(eng)
    edited = sheet.frame.copy()
    total = edited.at[1, "natural_villages"]
    edited.at[1, "natural_villages_4g"] = total + 2
    with pytest.raises(InputError) as err:
        entry.save(eng, sheet, edited, system("花垣镇填报员"))
    p = err.value.problems[0]
    assert p.row == 2 and p.column == "4G网络覆盖的自然村（组）数（个）"
    assert sheet.frame["name"].iat[1] in p.message
    assert f"{int(total + 2)} 大于“自然村（组）数（个）”的 {int(total)}" in p.message
    assert "分子不能大于分母" in p.message
    assert_unchanged(eng, before)


def test_every_bad_cell_is_reported_at_once(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    before = snapshot(eng)
    edited = sheet.frame.copy().astype({"residents": object})
    edited.at[0, "study_room"] = 2          # a flag is 0 or 1
    edited.at[1, "residents"] = "很多"       # text where a number belongs
    edited.at[2, "households"] = edited.at[2, "households"] + 0.5  # a count is whole
    edited.at[3, "mobile_phone_users"] = None  # required
    with pytest.raises(InputError) as err:
        entry.save(eng, sheet, edited, system("花垣镇填报员"))
    where = {(p.row, p.column) for p in err.value.problems}
    assert where == {(1, "互联网学习室已建成（是/否）"), (2, "农村常住人口（人）"), (3, "农村家庭户数（户）"),
                     (4, "移动手机用户数（人）")}
    msg = str(err.value)
    assert "应填 1（是）或 0（否）" in msg and "“很多”不是数字" in msg and "应为整数" in msg and "不能为空" in msg
    assert_unchanged(eng, before)


def test_concurrent_edit_of_the_same_cell_is_refused(eng):
    first = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    second = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)  # both read version 1
    a = first.frame.copy()
    a.at[0, "households"] = a.at[0, "households"] + 1
    entry.save(eng, first, a, system("甲"))
    before = snapshot(eng)
    b = second.frame.copy()
    b.at[0, "households"] = b.at[0, "households"] + 7
    with pytest.raises(StaleWriteError) as err:
        entry.save(eng, second, b, system("乙"))
    msg = str(err.value)
    assert f"村“{first.frame['name'].iat[0]}”的“农村家庭户数（户）”" in msg
    assert "已被他人修改" in msg and "未写入任何数据" in msg
    assert_unchanged(eng, before)  # 甲's value stands


def test_concurrent_edit_of_another_cell_is_kept(eng):
    first = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    second = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    a = first.frame.copy()
    a.at[0, "households"] = a.at[0, "households"] + 1
    entry.save(eng, first, a, system("甲"))
    b = second.frame.copy()
    b.at[1, "households"] = b.at[1, "households"] + 1
    entry.save(eng, second, b, system("乙"))  # a different cell: both edits stand
    stored = reports.load_reports(eng, HUAYUAN, [PERIOD]).set_index(["region", "field"])["value"]
    assert stored[(a["code"].iat[0], "households")] == a.at[0, "households"]
    assert stored[(b["code"].iat[1], "households")] == b.at[1, "households"]


def test_new_month_one_village_reported(eng):
    period = "2019-12"
    sheet = entry.load_sheet(eng, HUAYUAN, period, TOWN)
    assert sheet.frame[list(sheet.fields)].isna().all().all()
    assert set(sheet.versions.values()) == {0}
    edited = sheet.frame.copy()
    row = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN).frame.iloc[0]
    for f in sheet.fields:
        edited.at[0, f] = row[f]
    result = entry.save(eng, sheet, edited, system("花垣镇填报员"))  # the other villages stay blank: not reported yet
    assert result["inserted"] == len(sheet.fields) and result["updated"] == 0
    log = audit.load_audit(eng, key_prefix=f"{HUAYUAN}/{period}/")
    assert len(log) == len(sheet.fields) and set(log["action"]) == {"insert"}


def test_no_change_writes_nothing(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    before = snapshot(eng)
    result = entry.save(eng, sheet, sheet.frame.copy(), system("花垣镇填报员"))
    assert result["changed"].empty
    assert_unchanged(eng, before)


def test_villages_cannot_be_swapped_under_the_sheet(eng):
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    edited = sheet.frame.iloc[::-1].reset_index(drop=True)
    with pytest.raises(InputError, match="与读取时不一致"):
        entry.save(eng, sheet, edited, system("花垣镇填报员"))


def test_upload_with_problems_writes_nothing(eng):
    """The page's upload calls excel.import_file with a progress callback."""
    data = excel.export(eng, HUAYUAN, PERIOD)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[excel.SHEET]
    headers = [c.value for c in ws[1]]
    col = headers.index("农村家庭户数（户）") + 1
    ws.cell(row=3, column=col, value=-8)
    buf = io.BytesIO()
    wb.save(buf)
    before = snapshot(eng)
    steps = []
    with pytest.raises(InputError) as err:
        excel.import_file(eng, HUAYUAN, buf.getvalue(), PERIOD, system("花垣镇填报员"),
                          progress=lambda f, m: steps.append(f), name="花垣镇.xlsx")
    p = err.value.problems[0]
    assert (p.row, p.column) == (3, "农村家庭户数（户）")
    assert steps and steps[0] == 0.0
    assert_unchanged(eng, before)


# ---- the page (AppTest) -------------------------------------------------------------------------

def run_page(eng=None, role: str = "county_admin", region: str = "433124", login: bool = True) -> AppTest:
    """The page signed in as (role, region) — by default 花垣's county admin, who writes
    every township of the county; ``login=False`` stays signed out."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    if login:
        sign_in(at, eng or db.get_engine(os.environ["DATABASE_URL"]), role, region)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def editor(at: AppTest) -> pd.DataFrame:
    """The sheet as the page shows it: its editors (the data items split into parts that
    fit the page) joined on the region code."""
    hits = [d.value for d in at.dataframe if str(getattr(d, "key", "") or "").startswith("en_editor")]
    out = hits[0]
    for part in hits[1:]:
        out = out.merge(part.drop(columns=[c for c in part.columns if c in out.columns and c != "code"]), on="code")
    return out


def test_the_sheet_is_split_into_editors_that_fit_the_page(url):
    """数据填报 at 1920 px: a grid cannot wrap its headers, so the data items are split into
    editors whose columns (each as wide as its whole header) fit the page; together they
    hold every item once."""
    from dashboards.ui.tables import MAIN_WIDTH, text_width

    at = run_page()
    parts = [d for d in at.dataframe if str(getattr(d, "key", "") or "").startswith("en_editor")]
    rules = entry.column_rules(HUAYUAN)
    assert len(parts) > 1
    items = [c for d in parts for c in d.value.columns if c not in ("code", "name")]
    assert items == [r.code for r in rules]
    label = {r.code: r.label for r in rules}
    for d in parts:
        names = d.value["name"].astype(str).tolist()
        need = text_width(["区域代码", *d.value["code"].astype(str)]) + text_width(["村", *names]) + sum(
            text_width([label[c]], pad=40) for c in d.value.columns if c in label)
        assert need <= MAIN_WIDTH, (need, list(d.value.columns))
    assert any(m.value.startswith(f"**第1部分（共{len(parts)}部分）**") for m in at.markdown)


def test_page_shows_the_townships_month(url):
    eng = db.get_engine(url)
    at = run_page()
    assert at.selectbox(key="en_group").value == entry.groups(eng, HUAYUAN)["code"].iat[0]
    assert at.selectbox(key="en_period").value == PERIOD  # the newest month with reports
    assert "2019-12" in at.selectbox(key="en_period").options or "2019年12月" in at.selectbox(key="en_period").options
    shown = editor(at)
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, at.selectbox(key="en_group").value)
    assert list(shown["code"]) == list(sheet.frame["code"])
    assert shown["households"].tolist() == sheet.frame["households"].tolist()
    assert [b.label for b in at.get("download_button")] == ["下载Excel模板"]


def test_page_switches_township_and_saves_nothing_unchanged(url):
    eng = db.get_engine(url)
    towns = entry.groups(eng, HUAYUAN)
    at = run_page(eng)
    at.selectbox(key="en_group").set_value(towns["code"].iat[2]).run()
    assert not at.exception
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, towns["code"].iat[2])
    assert list(editor(at)["code"]) == list(sheet.frame["code"])
    assert any(towns["name"].iat[2] in h.value for h in at.subheader)
    before = snapshot(eng)
    at.button(key="en_save").click().run()
    assert any("没有修改" in i.value for i in at.info)
    assert_unchanged(eng, before)


def test_page_signed_in_shows_who_saves(url):
    eng = db.get_engine(url)
    at = AppTest.from_file(PAGE, default_timeout=120)
    sign_in(at, eng, "township_officer", TOWN, name="花垣镇干部")
    at.run()
    assert not at.exception
    assert any("当前用户：花垣镇干部（乡镇干部，区域 433124T01）" in c.value for c in at.sidebar.caption)
    assert not any("未登录" in i.value for i in at.info)
    assert not [t for t in at.text_input if t.label == "填报人"]  # no free-text name any more


def test_page_signed_out_shows_the_login_hint_and_writes_nothing(url):
    """Signed out: the login hint, no sheet, no save or import."""
    eng = db.get_engine(url)
    before = snapshot(eng)
    at = run_page(login=False)
    assert any("请先在“登录”页面登录" in w.value for w in at.warning)
    assert not at.dataframe and not [b for b in at.button if b.key in ("en_save", "en_import")]
    assert not at.get("file_uploader")
    assert_unchanged(eng, before)


def test_township_officer_is_offered_only_its_township(url):
    eng = db.get_engine(url)
    at = run_page(eng, "township_officer", TOWN)
    assert at.selectbox(key="en_group").options == ["花垣镇"]
    sheet = entry.load_sheet(eng, HUAYUAN, PERIOD, TOWN)
    assert list(editor(at)["code"]) == list(sheet.frame["code"])  # all its villages
    assert [b.key for b in at.button if b.key == "en_save"] == ["en_save"]
    n = len(entry.members(eng, HUAYUAN, TOWN))  # the Excel template lists them only
    assert any(f"已列出本账户可以填报的{n}个村" in m.value for m in at.markdown)


def test_village_reporter_gets_only_its_village_and_saves_it(url):
    """The sheet holds only the rows the account may write, so a save writes its village
    only (and carries the versions of those rows)."""
    eng = db.get_engine(url)
    village = entry.members(eng, HUAYUAN, TOWN)["code"].iat[1]
    at = run_page(eng, "village_reporter", village)
    assert at.selectbox(key="en_group").options == ["花垣镇"]
    shown = editor(at)
    assert list(shown["code"]) == [village]
    # the save path with the page's sheet: a changed value of its own village is written
    sheet = at.session_state["en_sheet"]
    assert list(sheet.frame["code"]) == [village] and {r for r, _ in sheet.versions} == {village}
    edited = sheet.frame.copy()
    edited.at[0, "households"] = float(edited.at[0, "households"]) + 1
    result = entry.save(eng, sheet, edited, Actor("村填报员", "village_reporter", village))
    assert result["updated"] == 1
    stored = reports.load_reports(eng, HUAYUAN, [PERIOD])
    row = stored[(stored["region"] == village) & (stored["field"] == "households")]
    assert row["value"].iat[0] == edited.at[0, "households"]


def test_auditor_sees_the_sheet_read_only(url):
    """The auditor reads every township's sheet but writes none: no save, no import, a
    caption saying why."""
    eng = db.get_engine(url)
    at = run_page(eng, "auditor", "")
    before = snapshot(eng)  # after signing in (creating the account is audited)
    at.selectbox(key="program").set_value(HUAYUAN).run()
    assert not at.exception
    assert at.selectbox(key="en_group").options == entry.groups(eng, HUAYUAN)["name"].tolist()
    assert len(editor(at)) > 0
    assert not [b for b in at.button if b.key in ("en_save", "en_import")]
    assert not at.get("file_uploader")
    assert any("审计员账户只读" in c.value for c in at.caption)
    assert_unchanged(eng, before)


def test_page_for_a_programme_without_villages_says_so(url):
    at = run_page(role="auditor", region="")  # reads every programme
    at.selectbox(key="program").set_value("xinzhou-2023").run()
    assert not at.exception
    assert at.info or at.dataframe  # either a Chinese note or its own table, never a traceback
    for i in at.info:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in i.value)


def test_township_level_programme_enters_the_20_townships_of_rongshui(url):
    """融水 reports per township (setting report_level): the sheet is the county's 20
    townships of 附件1, and a refused value names the township."""
    eng = db.get_engine(url)
    prog = "rongshui-2019"
    assert entry.unit_label(prog) == "乡镇"
    groups = entry.groups(eng, prog)
    assert list(groups["name"]) == ["融水苗族自治县"]
    assert entry.group_label(prog, groups) == "县（区、市）"
    period = entry.periods(eng, prog)[-1]
    sheet = entry.load_sheet(eng, prog, period, groups["code"].iat[0])
    assert len(sheet.frame) == 20 and {"融水镇", "白云乡"} <= set(sheet.frame["name"])
    before = snapshot_of(eng, prog)
    edited = sheet.frame.copy()
    edited.at[0, "officers"] = -1
    with pytest.raises(InputError) as err:
        entry.save(eng, sheet, edited, system("县农业农村局"))
    assert f"乡镇“{sheet.frame['name'].iat[0]}”" in str(err.value) and "不能为负数" in str(err.value)
    after = snapshot_of(eng, prog)
    pd.testing.assert_frame_equal(after[0], before[0])
    assert len(after[1]) == len(before[1])


def snapshot_of(eng, program: str):
    rep = reports.load_reports(eng, program).sort_values(["period", "region", "field"]).reset_index(drop=True)
    return rep, audit.load_audit(eng)
