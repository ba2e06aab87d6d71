"""Browser, on a phone (390×844, touch: tests/browser/conftest.PHONE): the demo village
reporter signs in and lands on 手机填报, fills the month's form with one value out of
range, sees the message under that field, fixes it, submits and sees when and that it
was on time; the demo township officer then signs in, opens 手机填报 and sees the village
as submitted and one tap opens its form; a wide table (政策文件与规则) shows as cards. No page
opened may scroll sideways or cut anything at the screen's edge; inputs and buttons are
at least 44 px tall (help icons 44 px wide) and text at least 16 px. Screenshots in
tests/artifacts/screenshots/phone-*.png.

Runs on the shared browser app and demo database; the month it submits is removed again
afterwards, so the other browser tests see the demo's months only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ruralcore.app import monthly_form as mf
from ruralcore.kernel.fmt import date_zh, period_zh
from ruralcore.store import db, reports
from tests.login_support import phone_go, phone_login

HY = "huayuan-2019"  # the demo reporter's and township officer's programme

# What a phone must not have, read from the page: sideways scrolling of the document or of
# Streamlit's main block, inputs / buttons / select boxes under 44 px tall, help icons and
# number steppers under 44 px wide, visible text under 16 px.
_LAYOUT = """() => {
  const shown = e => e.offsetParent !== null && e.getBoundingClientRect().height > 0;
  const main = document.querySelector('[data-testid="stMain"]');
  const box = e => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const name = e => (e.getAttribute('aria-label') || e.innerText || e.tagName).trim().slice(0, 30);
  const targets = Array.from(main.querySelectorAll(
      'input:not([type=checkbox]):not([type=radio]), textarea, button, [data-baseweb="select"] > div'))
    .filter(shown);
  return {
    scroll: [document.scrollingElement.scrollWidth, innerWidth, main.scrollWidth, main.clientWidth],
    low: targets.filter(e => box(e)[1] < 44).map(e => [name(e), ...box(e)]),
    narrow: Array.from(main.querySelectorAll('[data-testid="stTooltipHoverTarget"] button, [data-testid="stNumberInputContainer"] button'))
      .filter(shown).filter(e => box(e)[0] < 44).map(e => [name(e), ...box(e)]),
    small: Array.from(main.querySelectorAll('p, li, label, input, button'))
      .filter(e => shown(e) && (e.innerText || e.value || '').trim() && parseFloat(getComputedStyle(e).fontSize) < 16
                   && parseFloat(getComputedStyle(e).fontSize) > 0)
      .map(e => [name(e), getComputedStyle(e).fontSize]),
    // cut at the screen's edge (a grid scrolls inside its own box; a chart is drawn to fit)
    clipped: Array.from(main.querySelectorAll('*')).filter(shown)
      .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('[data-testid="stDataFrame"], .js-plotly-plot'))
      .slice(0, 5).map(e => [e.tagName, name(e), Math.round(e.getBoundingClientRect().right)]),
    inputs: targets.filter(e => e.tagName === 'INPUT').length,
  };
}"""


def _fits_phone(page, where: str, inputs: bool = True) -> None:
    got = page.evaluate(_LAYOUT)
    doc, width, main_scroll, main_width = got["scroll"]
    assert doc <= width and main_scroll <= main_width, f"{where}: scrolls sideways {got['scroll']}"
    assert got["inputs"] > 0 or not inputs, f"{where}: no input to measure"
    assert not got["low"], f"{where}: lower than 44 px {got['low']}"
    assert not got["narrow"], f"{where}: narrower than 44 px {got['narrow']}"
    assert not got["clipped"], f"{where}: beyond the screen's edge {got['clipped']}"
    assert not got["small"], f"{where}: text under 16 px {got['small']}"


def _heading(page, text: str):
    return page.locator('[data-testid="stMain"] h1').filter(has_text=text).first


@pytest.fixture
def month(browser_db_url, demo_accounts):
    """The month the form opens on (the one due next) and the demo reporter's village; the
    reports written for it are deleted afterwards (the demo ends years before it)."""
    from ruralcore.auth.accounts import get_account

    eng = db.get_engine(browser_db_url)
    period = mf.due_month(HY, mf.now_china().date())
    village = get_account(eng, "reporter")["region"]
    with eng.connect() as conn:
        assert not conn.execute(sa.text("SELECT COUNT(*) FROM reports WHERE program = :p AND period = :m"),
                                {"p": HY, "m": period}).scalar(), "the demo already has the month"
    yield eng, period, village
    with eng.begin() as conn:
        for table in ("reports", "report_drafts"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE program = :p AND period = :m"), {"p": HY, "m": period})


def test_village_reporter_fills_the_month_on_a_phone_and_the_township_sees_it(
        phone_context, app_url, month, wait_idle, shoot, no_errors):
    eng, period, village = month
    form = mf.load_form(eng, HY, period, village)
    rows = form.rows.to_dict("records")
    good = {r["code"]: int(r["last"]) for r in rows}  # the village's last month passes every check
    slip = next(r for r in rows if r["code"] == "residents")  # two zeros too many
    wrong = good["residents"] * 100
    assert wrong > slip["max"]

    # ---- the village reporter ---------------------------------------------------------------
    page = phone_context()
    page.goto(app_url)
    wait_idle(page)
    _fits_phone(page, "登录")
    shoot(page, "phone-login")
    phone_login(page, app_url, "reporter")
    _heading(page, "手机填报").wait_for()  # a village reporter's own page
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    _fits_phone(page, "手机填报")
    assert main.locator('input[type="number"]').count() == len(rows)  # the numeric keypad
    text = main.inner_text()
    assert f"{form.name} · {period_zh(period)}" in text  # the month due next
    before = "上月" if form.last_period == mf.shift(period, -1) else f"上次（{period_zh(form.last_period)}）"
    assert f"允许 0 至 50,000；{before} {good['residents']:,}人" in text  # range and last value
    shoot(page, "phone-form")

    for r in rows:
        box = main.get_by_label(r["label"] + f"（{r['unit']}）", exact=True)
        box.tap()
        box.fill(str(wrong if r["code"] == "residents" else good[r["code"]]))
    _heading(page, "手机填报").tap()  # leaving the last field enters it
    wait_idle(page)
    alert = main.locator('[data-testid="stAlertContentError"]')
    assert alert.count() == 1 and "超过上限" in alert.inner_text(), alert.all_inner_texts()
    # the message stands under the field it is about
    field = main.get_by_label(slip["label"] + f"（{slip['unit']}）", exact=True).bounding_box()
    assert alert.bounding_box()["y"] > field["y"]
    assert alert.bounding_box()["y"] - field["y"] < 200
    alert.scroll_into_view_if_needed()
    shoot(page, "phone-form-problem")
    draft = mf.load_draft(eng, HY, period, village)  # kept on the server as typed
    assert draft is not None and draft["values"]["residents"] == str(float(wrong))
    assert reports.load_reports(eng, HY, [period]).empty  # a draft is not a report

    box = main.get_by_label(slip["label"] + f"（{slip['unit']}）", exact=True)
    box.tap()
    box.fill(str(good["residents"]))
    _heading(page, "手机填报").tap()
    wait_idle(page)
    no_errors(page)
    assert "草稿已自动保存" in main.inner_text()
    main.get_by_role("button", name="提交", exact=True).tap()
    wait_idle(page)
    done = main.locator('[data-testid="stAlertContentSuccess"]').first
    due = mf.submission(eng, HY, period, village)["due"]
    assert "已于" in done.inner_text() and f"提交，按时（截止 {date_zh(due)}）" in done.inner_text(), done.inner_text()
    _fits_phone(page, "手机填报（已提交）")
    done.scroll_into_view_if_needed()
    shoot(page, "phone-submitted")
    stored = reports.load_reports(eng, HY, [period])
    assert len(stored) == len(rows) and set(stored["version"]) == {1} and set(stored["region"]) == {village}
    assert stored.set_index("field")["value"].to_dict() == {k: float(v) for k, v in good.items()}
    assert mf.load_draft(eng, HY, period, village) is None

    # ---- the township officer ---------------------------------------------------------------
    page = phone_context()
    phone_login(page, app_url, "township")
    wait_idle(page)
    _fits_phone(page, "总览", inputs=False)
    shoot(page, "phone-township-overview")
    phone_go(page, "手机填报")
    _heading(page, "手机填报").wait_for()
    wait_idle(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible() or \
        page.locator('[data-testid="stSidebar"]').get_attribute("aria-expanded") == "false"
    _fits_phone(page, "手机填报（乡镇）")
    main = page.locator('[data-testid="stMain"]')
    assert "按时提交 1 个村" in main.inner_text()
    entry = main.get_by_role("button", name=form.name, exact=False)
    assert entry.count() == 1 and "✓ 已提交" in entry.inner_text(), entry.all_inner_texts()
    chase = main.locator('[data-testid="stCode"]').inner_text()
    assert "催报" in chase and form.name not in chase
    shoot(page, "phone-township")
    entry.tap()  # one tap opens the village's form
    wait_idle(page)
    assert "提交，按时" in main.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
    _fits_phone(page, "手机填报（乡镇打开一个村）")
    shoot(page, "phone-township-village")
    # a wide table (the programmes' documents): each row a card of "header  value" lines
    phone_go(page, "政策文件与规则")
    _heading(page, "政策文件与规则").wait_for()
    wait_idle(page)
    _fits_phone(page, "政策文件与规则", inputs=False)
    card = main.locator("div.rc-box tbody tr").first
    assert card.bounding_box()["width"] <= 390 and card.locator("td").count() > 2
    labels = card.locator("td").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert all(x not in ('none', '""', 'normal') for x in labels), labels  # each value beside its header
    card.scroll_into_view_if_needed()
    shoot(page, "phone-table-cards")
