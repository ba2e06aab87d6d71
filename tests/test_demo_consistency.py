"""The demo database agrees with itself: 忻州's programme milestones with its pilots' dates,
acceptance cases with the dates their state implies, households with their members."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import overview as ov
from ruralcore.app import supervision as sv
from ruralcore.demo import build_demo
from ruralcore.app.milestone_records import done_dates
from ruralcore.rules.programs import load_program
from ruralcore.store.db import get_engine

XZ = "xinzhou-2023"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = get_engine(f"sqlite:///{tmp_path_factory.mktemp('consistent') / 'demo.db'}")
    build_demo(eng, "county")
    return eng


def _read(engine, sql) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(sql), conn)


def test_xinzhou_milestones_are_done_exactly_when_every_pilot_did_the_step(engine):
    prog = load_program(XZ)
    as_of = ov.as_of_date(engine, XZ)
    pilots = _read(engine, f"SELECT * FROM pilots WHERE program = '{XZ}'")
    table = ov.milestone_table(prog, as_of, done_dates(engine, XZ)).set_index("code")
    for code, cols in sv.STEPS.items():
        days = pd.concat([pd.to_datetime(pilots[c]) for c in cols], axis=1)
        all_done = bool(days.notna().all().all() and (days <= pd.Timestamp(as_of)).all().all())
        assert (table.at[code, "status"] == "done") == all_done, code
        if all_done:  # done on the day the last pilot did it
            assert table.at[code, "done_on"] == days.max().max().date().isoformat(), code
    # the planning steps every pilot met on time are done on time (the target cards say 100 %)
    assert (table.loc[["select_pilots", "plans", "filing"], "status"] == "done").all()
    assert (table.loc[["select_pilots", "plans", "filing"], "days_late"] == 0).all()
    # and the demo stays honest: some milestone done late, some overdue as of the data's date
    assert (table["days_late"] > 0).any()
    assert (table["status"] == "overdue").any()
    assert not (table["status"] == "overdue").all()


# the dates each state of an acceptance case implies (cases.py: each step records its date)
NEEDS = {"built": {"completed_on"},
         "applied": {"completed_on", "applied_on"},
         "rectifying": {"completed_on", "applied_on", "inspected_on", "rectify_notice_on"},
         "reinspecting": {"completed_on", "applied_on", "inspected_on", "rectify_notice_on", "rectified_on"},
         "passed": {"completed_on", "applied_on", "inspected_on"},
         "accepted": {"completed_on", "applied_on", "inspected_on", "city_accepted_on"}}
NOT_YET = {"built": {"applied_on", "inspected_on", "city_accepted_on"},
           "applied": {"inspected_on", "city_accepted_on"},
           "rectifying": {"rectified_on", "reinspected_on", "city_accepted_on"},
           "reinspecting": {"reinspected_on", "city_accepted_on"},
           "passed": {"city_accepted_on"}, "accepted": set()}
RESULT = {"rectifying": "failed", "reinspecting": "failed", "passed": "passed", "accepted": "passed"}


def test_every_demo_case_has_the_dates_its_state_implies_in_order(engine):
    cases = _read(engine, "SELECT * FROM acceptance_cases")
    assert set(cases["state"]) == set(NEEDS)  # every state is shown somewhere
    cases = cases.astype(object).where(cases.notna(), None)  # an all-empty column reads as NaN
    for c in cases.to_dict("records"):
        label = f"案件 {c['id']}（{c['program']}，{c['state']}）"
        # a path without an application (忻州 三(六)) never records one
        no_apply = load_program(c["program"]).acceptance.application is None
        needs = NEEDS[c["state"]] - ({"applied_on"} if no_apply else set())
        assert all(c[k] is not None for k in needs), label
        assert all(c[k] is None for k in NOT_YET[c["state"]] | ({"applied_on"} if no_apply else set())), label
        assert (c["result"] or "") == RESULT.get(c["state"], ""), label
        chain = [c[k] for k in ("completed_on", "applied_on", "inspected_on", "rectified_on", "reinspected_on",
                                "city_accepted_on") if c[k] is not None]
        assert chain == sorted(chain), label
        as_of = ov.as_of_date(engine, c["program"])
        assert dt.date.fromisoformat(str(chain[-1])[:10]) <= as_of, label


def test_xinzhou_pilots_with_a_case_are_accepted_on_its_city_acceptance_day(engine):
    both = _read(engine, "SELECT c.state, c.city_accepted_on, p.acceptance_on FROM acceptance_cases c "
                         f"JOIN pilots p ON p.code = c.subject WHERE c.program = '{XZ}'")
    assert (both["state"] == "accepted").sum() == 3
    assert (both["acceptance_on"].fillna("") == both["city_accepted_on"].fillna("")).all()


def _check_digit(body: str) -> str:
    """GB 11643-1999 check digit, computed here independently of the generator."""
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def test_demo_households_head_member_is_the_head_and_members_have_their_own_ids(engine):
    hh = _read(engine, "SELECT id, head_name, id_number, phone FROM households").set_index("id")
    mem = _read(engine, "SELECT household, name, relation, id_number, phone, age FROM household_members")
    assert len(hh) > 50 and len(mem) > len(hh)
    heads = mem[mem["relation"] == "户主"]
    assert heads["household"].is_unique and set(heads["household"]) == set(hh.index)  # one 户主 each
    h = heads.set_index("household").loc[hh.index]
    assert (h["name"] == hh["head_name"]).all()  # the header's 户主 is the member called 户主
    assert (h["id_number"] == hh["id_number"]).all() and (h["phone"] == hh["phone"]).all()
    assert mem["id_number"].is_unique  # nobody carries the head's (or anyone else's) number
    others = mem[mem["relation"] != "户主"]
    phones = others.loc[others["phone"] != "", "phone"]
    assert len(phones) and not phones.isin(hh["phone"]).any() and (others["phone"] == "").any()
    assert (others.loc[others["age"] < 18, "phone"] == "").all()
    for n, age in zip(mem["id_number"], mem["age"]):  # valid format, clearly synthetic, fits the age
        assert len(n) == 18 and n[:6] == "000000" and n[:17].isdigit() and n[17] == _check_digit(n[:17]), n
        born = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        assert (dt.date(2024, 1, 1) - born).days // 366 <= age <= (dt.date(2024, 1, 1) - born).days // 365, n
    assert mem["name"].str.startswith("演示").all() and mem["phone"].map(lambda p: p == "" or p.startswith("100")).all()


def test_demo_analytics_rows_are_the_reports_and_their_sums_up_the_tree(engine):
    """The demo's bulk load builds the analytics tables in its transaction: every month of
    every programme holds the reported values, and each region above them the sum and count
    of the values reported below it (pandas over the raw reports and the region tree)."""
    from ruralcore.store import analytics, reports

    with engine.connect() as conn:  # built by the demo itself, not by the readers' first use
        assert analytics.missing_months(conn) == {}
    tree = _read(engine, "SELECT code, parent FROM regions").set_index("code")["parent"].replace("", None)
    months = _read(engine, "SELECT DISTINCT program, period FROM reports ORDER BY program, period")
    assert len(months) >= 5 * 6
    for prog, period in months.groupby("program")["period"].max().items():  # each programme's newest month
        vals = reports.load_month_values(engine, prog, period)
        own = vals.pivot(index="region", columns="field", values="value")
        pd.testing.assert_frame_equal(analytics.month_rows(engine, prog, period), own, check_names=False,
                                      check_index_type=False, check_column_type=False)
        pairs, cur = [], vals["region"].drop_duplicates().reset_index(drop=True)
        base = cur.copy()
        for _ in range(8):  # every (reported region, region strictly above it)
            cur = cur.map(tree)
            keep = cur.notna()
            pairs.append(pd.DataFrame({"region": base[keep].to_numpy(), "anc": cur[keep].to_numpy()}))
            base, cur = base[keep], cur[keep]
        g = vals.merge(pd.concat(pairs), on="region").groupby(["anc", "field"])["value"]
        got = analytics.level_totals(engine, prog, period)
        fields = list(own.columns)
        pd.testing.assert_frame_equal(analytics.sums(got), g.sum(min_count=1).unstack().reindex(columns=fields),
                                      check_names=False, check_index_type=False, check_column_type=False)
        n = g.count().unstack().reindex(columns=fields).fillna(0).astype("int64")
        pd.testing.assert_frame_equal(analytics.counts(got), n, check_names=False, check_index_type=False,
                                      check_column_type=False)
