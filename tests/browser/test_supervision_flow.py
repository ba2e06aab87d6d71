"""The municipal supervision flow in a real browser: from a red cell on the 县区评分
scorecard to the county's pilots that pull it down, then to the pilot on 落后督办, in normal and projector mode, with
screenshots under tests/artifacts/screenshots/."""
from __future__ import annotations

import pytest

from ruralcore import supervision as sv
from ruralcore.programs import load_program
from ruralcore.store import db

pytestmark = pytest.mark.browser
ROW, HEADER = 35, 35  # st.dataframe's default row and header heights (px)


@pytest.fixture(scope="module")
def sup(browser_db_url):
    return sv.supervise(sv.load_pilot_data(db.get_engine(browser_db_url), load_program("xinzhou-2023")), "2023-12")


def _click_row(page, grid_index: int, row: int, row_height: int = ROW, header: int = HEADER) -> None:
    """Click the selection marker (left edge) of ``row`` in the ``grid_index``-th dataframe."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(grid_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + header + row * row_height + row_height / 2)


def _open(page, url: str, wait_idle) -> None:
    """Open ``url``; on a cold server Streamlit may answer the first deep link with
    “Page not found” before the pages are registered: then open it again."""
    for _ in range(3):
        page.goto(url)
        wait_idle(page)
        if page.get_by_text("Page not found").count() == 0:
            return
    raise AssertionError(f"page not found: {url}")


def test_red_cell_down_to_pilot(page, app_url, sup, wait_idle, shoot, no_errors):
    card, lights = sup["scorecard"], sup["lights"]
    red = lights.index[(lights["on_time_rate"] == "red") & (card["county"] != sv.CITY)]
    assert len(red), "the demo has a county with a red on-time rate"
    row = int(red[0])
    county = card.loc[row]

    _open(page, f"{app_url}/scorecard", wait_idle)
    assert page.locator("h1", has_text="县区评分").is_visible()
    no_errors(page)
    shoot(page, "supervision-scorecard")

    # click the county's first cell (排名), then move right to its red 按时报送率 cell
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + HEADER + row * ROW + ROW / 2)
    wait_idle(page)
    for _ in range(9):  # 排名 → 县 → 试点数 → 按期推进 → 按期推进率 → 应报 → 迟报 → 未报 → 报送率 → 按时报送率
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
    wait_idle(page)
    assert f"county={county['county']}" in page.url and "metric=on_time_rate" in page.url
    assert page.get_by_text(f"{county['county_name']}：试点明细").is_visible()
    n_off = int(county["late"] + county["missing"])
    assert page.get_by_text(f"按时报送率：拉低该项的试点 {n_off} 个").is_visible()
    no_errors(page)
    shoot(page, "supervision-scorecard-county", full_page=True)

    board = sup["board"]
    pilots = board[(board["county"] == county["county"]) & (board["report"] != "on_time")]
    target = pilots.iloc[0]  # worst first, as the board sorts
    _click_row(page, 1, 0)
    wait_idle(page)
    assert page.locator("h1", has_text="落后督办").is_visible()
    assert f"pilot={target['pilot']}" in page.url
    assert page.locator("h2", has_text=target["name"]).is_visible()
    assert page.locator("h3", has_text="滞后事项").is_visible()
    # it has a late or missing report this month: the page lists it, no all-clear
    assert (sup["behind"]["pilot"] == target["pilot"]).any()
    assert page.get_by_text("该试点没有逾期节点").count() == 0
    no_errors(page)
    shoot(page, "supervision-pilot", full_page=True)

    # the copied link reopens the pilot
    _open(page, page.url, wait_idle)
    assert page.locator("h2", has_text=target["name"]).is_visible()


def test_projector_mode_scorecard_and_pilot(page, app_url, sup, wait_idle, shoot, no_errors):
    _open(page, f"{app_url}/scorecard?projector=1", wait_idle)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    title = page.locator("h1", has_text="县区评分")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    no_errors(page)
    shoot(page, "supervision-scorecard-projector")

    worst = sup["laggards"].iloc[0]
    _open(page, f"{app_url}/laggards?projector=1&pilot={worst['pilot']}", wait_idle)
    assert page.locator("h2", has_text=worst["name"]).is_visible()
    no_errors(page)
    shoot(page, "supervision-pilot-projector")


def test_board_and_circular_pages(page, app_url, wait_idle, shoot, no_errors):
    _open(page, f"{app_url}/board", wait_idle)
    assert page.locator("h1", has_text="试点进度").is_visible()
    no_errors(page)
    shoot(page, "supervision-board")
    _open(page, f"{app_url}/circular", wait_idle)
    assert page.get_by_role("button", name="下载通报（Word）").is_visible()
    no_errors(page)
    shoot(page, "supervision-circular")
    _open(page, f"{app_url}/resettlement", wait_idle)
    assert page.locator("h1", has_text="银川移民区").is_visible()
    no_errors(page)
    shoot(page, "supervision-resettlement", full_page=True)
