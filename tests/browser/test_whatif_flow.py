"""假设评分 and 数据填报 in a real browser: sign in on the 登录 page (every county page needs
an account), change the village's values, see the new score and award, in normal and
projector mode; type into the entry table and upload files; an officer of another
township is offered only its own township. Screenshots under tests/artifacts/screenshots/
(look at them).

Chromium comes from the shared harness in conftest.py; the app runs on a demo database of
this module's own (``demo_url``, ``server``): these tests write a scenario and a few monthly
values of 花垣镇 and count what is stored, so nothing another module wrote may reach them."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from ruralcore.rules import scoring
from ruralcore.app import whatif
from ruralcore.rules.programs import load_program
from tests.browser.conftest import _wait_idle, serve
from tests.support import build_demo_database
from tests.login_support import browser_login, ensure_account, go

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
ADMIN = "huayuan_admin"  # 花垣县 county administrator
OTHER_OFFICER = "other_town_officer"  # officer of another 花垣 township


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    """A demo database of this module's own, with its two accounts: these tests edit and
    count what is stored, so the months, drafts and corrections other modules write on the
    shared one must not reach them (in one order of the files, they did)."""
    from ruralcore.app import entry
    from ruralcore.store import db

    url = build_demo_database(tmp_path_factory, "whatif-db")
    eng = db.get_engine(url)
    ensure_account(eng, ADMIN, "county_admin", "433124")
    other = entry.groups(eng, "huayuan-2019")["code"].iat[1]  # not the township the page opens on
    ensure_account(eng, OTHER_OFFICER, "township_officer", other)
    return url


@pytest.fixture(scope="module")
def server(demo_url, tmp_path_factory):
    """The app on this module's database."""
    yield from serve(demo_url, tmp_path_factory)


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")))
    return box.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


def wait_metric(page, label: str, want: str, timeout: float = 30) -> None:
    end = time.time() + timeout
    got = None
    while time.time() < end:
        try:
            got = metric_value(page, label)
        except Exception:  # the fragment is being redrawn
            got = None
        if got == want:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{label}: shown {got!r}, expected {want!r}")


def no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def fix_everything(page, program) -> None:
    """Type 100 into every scored indicator of the selected village."""
    labels = whatif.indicator_labels(program)
    for name in labels["name"]:
        box = page.get_by_label(f"{name}（%）", exact=True)
        box.fill("100")
        box.press("Enter")
        page.wait_for_timeout(300)


def expected_for_shown_village(page, demo_url, program):
    from ruralcore.store import db

    eng = db.get_engine(demo_url)
    # after the switch to projector mode the run redraws the selectors: wait until the old ones are gone
    page.wait_for_function("document.querySelectorAll('input[aria-label=\"乡镇\"]').length === 1", timeout=60_000)
    town = page.get_by_label("乡镇", exact=True).input_value()
    shown = page.get_by_label("选择村", exact=True).input_value()
    v = whatif.villages(eng, program)
    hits = v.loc[(v["name"] == shown) & (v["township_name"] == town), "code"].tolist()
    assert len(hits) == 1, shown
    return hits[0]


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_change_values_and_see_score_and_award(server, browser, demo_url, projector):
    from ruralcore.app import entry
    from ruralcore.store import db

    program = load_program("huayuan-2019")
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    browser_login(page, server, ADMIN)  # the county admin reads the whole county
    go(page, "假设评分")
    page.get_by_text("假设得分").first.wait_for(timeout=60_000)
    if projector:  # the sidebar's switch (a link's ?projector=1 would open a new, signed-out session)
        page.locator('[data-testid="stSidebar"]').get_by_text("投影模式", exact=True).click()
        page.get_by_role("button", name="退出投影模式").wait_for(timeout=60_000)
        page.get_by_text("假设得分").first.wait_for(timeout=60_000)
    no_errors(page)

    eng = db.get_engine(demo_url)
    period = max(entry.periods(eng, program.id))
    values = whatif.village_values(eng, program, period)
    region = expected_for_shown_village(page, demo_url, program)
    now = scoring.score(program, values).set_index("region").loc[region]
    assert metric_value(page, "当前得分") == f"{now['score']:.2f}分"
    assert metric_value(page, "当前评定") == scoring.AWARD_LABELS[now["award"]]

    fix_everything(page, program)
    want = scoring.what_if(program, values, region, {c: 100.0 for c in scoring.indicator_codes(program.rubric)})
    wait_metric(page, "假设得分", f"{want['score']:.2f}分")
    wait_metric(page, "假设名次", f"第{want['rank']}名")
    wait_metric(page, "假设评定", want["award_label"])
    assert want["award_label"] == "优秀"
    no_errors(page)
    if projector:
        assert not page.locator('[data-testid="stSidebar"]').is_visible()

    SHOTS.mkdir(parents=True, exist_ok=True)
    name = "whatif_projector" if projector else "whatif"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    page.get_by_text("全县评定：当前与假设").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / f"{name}_ranking.png"), full_page=False)
    page.close()


def test_save_scenario_signed_in(server, browser, demo_url, wait_idle):
    """Sign in on 登录 as the county admin: the scenario is saved under the account."""
    from ruralcore.store import audit, db

    eng = db.get_engine(demo_url)
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    browser_login(page, server, ADMIN)
    go(page, "假设评分")
    page.get_by_text("假设得分").first.wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_label("方案名称").fill("浏览器保存的方案")
    page.get_by_label("方案名称").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="保存方案").click()
    page.get_by_text("已保存模拟方案“浏览器保存的方案”").first.wait_for(timeout=60_000)
    no_errors(page)
    page.screenshot(path=str(SHOTS / "whatif_saved.png"))
    assert "浏览器保存的方案" in set(whatif.list_scenarios(eng, "huayuan-2019")["name"])
    log = audit.load_audit(eng, table="what_if_scenarios")
    assert log["user"].iat[-1] == ADMIN
    page.close()


# ---- 数据填报: typing into the table (what AppTest cannot do) ---------------------------------

def find_column(page, label: str) -> tuple[int, int]:
    """(editor, column) of the data item headed ``label``: the sheet is split into editors
    that fit the page, each with 区域代码 and 村 first."""
    grids = page.locator('[data-testid="stDataFrame"]')
    for i in range(grids.count()):
        heads = [h.strip() for h in grids.nth(i).locator('[role="columnheader"]').all_inner_texts()]
        if label in heads:
            return i, heads.index(label)
    raise AssertionError(f"no editor has the column {label}")


def edit_cell(page, row: int, where: tuple[int, int], text: str) -> None:
    """Select a cell of an editor by keyboard from its top-left cell, type, commit; check
    the table's accessible mirror shows the value (retry when a rerun redrew the table)."""
    index, col = where
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    for _ in range(3):
        _wait_idle(page, settle=0.5)  # a rerun redrawing the table mid-keystrokes sends them to another cell
        grid.wait_for(state="visible", timeout=60_000)
        box = None
        for _ in range(100):  # the table may be redrawn by a rerun
            box = grid.bounding_box()
            if box:
                break
            page.wait_for_timeout(200)
        page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # row 0, column 0 (区域代码)
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        for _ in range(col):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        cell = page.locator("input.gdg-input")
        cell.wait_for(timeout=10_000)
        cell.fill(text)
        cell.press("Enter")
        page.wait_for_timeout(1000)
        shown = grid.locator(f'[data-testid="glide-cell-{col}-{row}"]').first
        if shown.count() and shown.inner_text().strip() == text:
            return
        page.keyboard.press("Escape")
    raise AssertionError(f"could not type {text} into row {row}, column {col}")


def upload(page, path: Path, wait_idle) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.locator('[data-testid="stFileUploader"]', has_text=path.name).first.wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="导入", exact=True).click()


def open_entry(browser, server, wait_idle, user: str = ADMIN):
    """A new browser session signed in as ``user`` on the 数据填报 page."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    browser_login(page, server, user)
    go(page, "数据填报")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    wait_idle(page)
    return page


def test_entry_typed_values_refused_and_saved(server, browser, demo_url, wait_idle):
    from ruralcore.app import entry
    from ruralcore.store import audit, db, reports

    eng = db.get_engine(demo_url)
    program = load_program("huayuan-2019")
    period = max(entry.periods(eng, program))
    town = entry.groups(eng, program)["code"].iat[0]
    sheet = entry.load_sheet(eng, program, period, town)
    label = {r.code: r.label for r in entry.column_rules(program)}
    col = lambda f: find_column(page, label[f])  # noqa: E731 - (editor, column) of a data item

    def state():
        rep = reports.load_reports(eng, program.id, [period]).sort_values(["region", "field"]).reset_index(drop=True)
        return rep, len(audit.load_audit(eng))

    page = open_entry(browser, server, wait_idle)
    before = state()
    # a numerator above its denominator: refused at save, in Chinese, naming village and field
    total = int(sheet.frame.at[0, "natural_villages"])
    edit_cell(page, 0, col("natural_villages_4g"), str(total + 5))
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("未写入任何数据").first.wait_for(timeout=60_000)
    body = page.locator('[data-testid="stMain"]').inner_text() if page.locator('[data-testid="stMain"]').count() \
        else page.inner_text("body")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entry_refused.png"))
    after = state()
    assert after[1] == before[1]
    assert after[0].equals(before[0])
    assert "分子不能大于分母" in page.content() or "分子不能大于分母" in body

    # re-read, then a valid change is saved and audited
    page.get_by_role("button", name="重新读取").click()
    wait_idle(page)
    old = int(sheet.frame.at[1, "broadband_households"])
    edit_cell(page, 1, col("broadband_households"), str(old - 1))
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("已保存").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "entry_saved.png"))
    stored = reports.load_reports(eng, program.id, [period]).set_index(["region", "field"])
    assert stored.loc[(sheet.frame.at[1, "code"], "broadband_households"), "value"] == old - 1
    log = audit.load_audit(eng)
    assert len(log) == before[1] + 1
    assert (log["field"].iat[-1], log["old"].iat[-1], log["new"].iat[-1]) == ("broadband_households", str(old), str(old - 1))
    assert log["user"].iat[-1] == ADMIN  # the signed-in account
    page.close()


def test_entry_signed_out_is_not_offered(server, browser, demo_url, wait_idle):
    """Signed out, 数据填报 is not in the sidebar and no sheet is shown."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, device_scale_factor=1)
    page.goto(server)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.first.wait_for(timeout=60_000)
    wait_idle(page)
    assert nav.get_by_role("link", name="登录", exact=True).count() == 1
    assert nav.get_by_role("link", name="数据填报", exact=True).count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.get_by_role("button", name="保存", exact=True).count() == 0
    page.close()


def test_entry_officer_of_another_township_gets_only_its_own(server, browser, demo_url, wait_idle):
    """An officer of 花垣's second township is offered its own township only: the sheet
    holds its villages, never 花垣镇's (the store refuses such rows anyway, see
    tests/browser/test_login_flow.py)."""
    from ruralcore.app import entry
    from ruralcore.store import db

    eng = db.get_engine(demo_url)
    program = load_program("huayuan-2019")
    groups = entry.groups(eng, program)
    own, first = groups.iloc[1], groups.iloc[0]
    page = open_entry(browser, server, wait_idle, OTHER_OFFICER)
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h3", has_text=f"{own['name']} · ").count() == 1
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="乡镇", exact=True)
    assert box.input_value() == own["name"]
    box.click()
    offered = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    assert offered == [own["name"]] and first["name"] not in offered
    own_villages = entry.members(eng, program, own["code"])["name"]
    cells = page.locator('td[role="gridcell"]')
    assert cells.filter(has_text=own_villages.iat[0]).count() >= 1
    assert cells.filter(has_text=entry.members(eng, program, first["code"])["name"].iat[0]).count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entry_own_township_only.png"))
    page.close()


def test_entry_excel_upload_lists_problems_then_imports(server, browser, demo_url, tmp_path, wait_idle):
    import io

    import openpyxl

    from ruralcore.app import entry
    from ruralcore.io import excel
    from ruralcore.store import audit, db, reports

    eng = db.get_engine(demo_url)
    program = load_program("huayuan-2019")
    period = max(entry.periods(eng, program))

    def book(row: int, header: str, value) -> Path:
        wb = openpyxl.load_workbook(io.BytesIO(excel.export(eng, program.id, period)))
        ws = wb[excel.SHEET]
        col = [c.value for c in ws[1]].index(header) + 1
        old = ws.cell(row=row, column=col).value
        ws.cell(row=row, column=col, value=value(old) if callable(value) else value)
        path = tmp_path / f"月报{row}{col}.xlsx"
        wb.save(path)
        return path

    page = open_entry(browser, server, wait_idle)
    before = (reports.load_reports(eng, program.id, [period]), len(audit.load_audit(eng)))
    upload(page, book(4, "农村家庭户数（户）", -8), wait_idle)
    page.get_by_text("未写入任何数据").first.wait_for(timeout=60_000)
    # the problem table: HTML whose long messages wrap (nothing cut at the page's edge)
    problems = page.locator('[data-testid="stMain"] div.rc-box td', has_text="-8 不能为负数").first
    problems.wait_for(timeout=10_000)
    assert page.locator('[data-testid="stMain"] div.rc-box td', has_text="农村家庭户数（户）").count() >= 1
    assert problems.evaluate("e => e.getBoundingClientRect().right") <= 1920
    page.screenshot(path=str(SHOTS / "entry_upload_refused.png"), full_page=True)
    assert reports.load_reports(eng, program.id, [period]).equals(before[0])
    assert len(audit.load_audit(eng)) == before[1]

    good = book(3, "农村家庭户数（户）", lambda v: int(v) + 10)
    upload(page, good, wait_idle)
    page.get_by_text("已导入").first.wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "entry_upload_done.png"), full_page=True)
    log = audit.load_audit(eng)
    assert len(log) == before[1] + 1 and log["field"].iat[-1] == "households"
    page.close()


def test_entry_upload_with_many_problems_is_capped_and_downloadable(server, browser, demo_url, tmp_path, wait_idle):
    """A file with every value wrong: the page lists the first ones, says how many more,
    and the download holds them all (issue 15); nothing is written."""
    import csv
    import io

    import openpyxl

    from ruralcore.app import entry
    from ruralcore.io import excel
    from ruralcore.kernel.limits import PROBLEMS_SHOWN
    from ruralcore.store import audit, db, reports

    eng = db.get_engine(demo_url)
    program = load_program("huayuan-2019")
    period = max(entry.periods(eng, program))
    wb = openpyxl.load_workbook(io.BytesIO(excel.export(eng, program.id, period)))
    ws = wb[excel.SHEET]
    n = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value:
            for c in range(4, ws.max_column + 1):
                ws.cell(r, c, "坏")
                n += 1
    path = tmp_path / "全错的月报.xlsx"
    wb.save(path)
    assert n > PROBLEMS_SHOWN
    page = open_entry(browser, server, wait_idle)
    before = (reports.load_reports(eng, program.id, [period]), len(audit.load_audit(eng)))
    upload(page, path, wait_idle)
    page.get_by_text(f"发现 {n:,} 处问题").first.wait_for(timeout=60_000)
    page.get_by_text(f"另有{n - PROBLEMS_SHOWN:,}处问题").first.wait_for(timeout=10_000)
    wait_idle(page)
    page.get_by_role("button", name=f"下载全部 {n:,} 处问题（CSV）").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "entry_upload_many_problems.png"))
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name=f"下载全部 {n:,} 处问题（CSV）").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["行", "列", "问题"] and len(rows) == n + 1
    assert all(r[2].endswith("不是数字") for r in rows[1:])
    assert reports.load_reports(eng, program.id, [period]).equals(before[0])
    assert len(audit.load_audit(eng)) == before[1]
    page.close()


def test_entry_two_editors_same_cell_second_is_refused(server, browser, demo_url, wait_idle):
    """Two officials open the same month; the first saves a cell; the second's save of
    the same cell is refused with a clear message instead of silently overwriting."""
    from ruralcore.app import entry
    from ruralcore.store import audit, db, reports

    eng = db.get_engine(demo_url)
    program = load_program("huayuan-2019")
    period = max(entry.periods(eng, program))
    town = entry.groups(eng, program)["code"].iat[0]
    sheet = entry.load_sheet(eng, program, period, town)
    label = {r.code: r.label for r in entry.column_rules(program)}["residents"]
    code = sheet.frame.at[2, "code"]
    old = int(sheet.frame.at[2, "residents"])

    first, second = open_entry(browser, server, wait_idle), open_entry(browser, server, wait_idle)
    edit_cell(first, 2, find_column(first, label), str(old + 11))
    first.get_by_role("button", name="保存", exact=True).click()
    first.get_by_text("已保存").first.wait_for(timeout=60_000)
    n_log = len(audit.load_audit(eng))

    edit_cell(second, 2, find_column(second, label), str(old + 22))
    second.get_by_role("button", name="保存", exact=True).click()
    second.get_by_text("已被他人修改").first.wait_for(timeout=60_000)
    text = second.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert f"村“{sheet.frame.at[2, 'name']}”的“农村常住人口（人）”" in text and "未写入任何数据" in text
    second.screenshot(path=str(SHOTS / "entry_concurrent_refused.png"))
    stored = reports.load_reports(eng, program.id, [period]).set_index(["region", "field"])["value"]
    assert stored[(code, "residents")] == old + 11  # the first editor's value stands
    assert len(audit.load_audit(eng)) == n_log
    first.close()
    second.close()
