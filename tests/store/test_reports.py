"""Monthly report values: bulk upsert (idempotent, audited, optimistic) and bulk load.
Figures from 花垣 (huayuan-2019): 12 townships report monthly; broadband households etc."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.store import audit, reports
from ruralcore.kernel.principal import system

P = "huayuan-2019"


def frame(rows):
    return pd.DataFrame(rows, columns=["region", "field", "value"])


MAY = frame([
    ("433124100", "households", 1520), ("433124100", "broadband_households", 640),
    ("433124101", "households", 980), ("433124101", "broadband_households", 392.5),
    ("433124102", "households", 0), ("433124102", "broadband_households", None),
])


def test_upsert_inserts_then_second_import_changes_nothing(engine):
    assert reports.upsert_reports(engine, P, "2019-05", MAY, system("张三")) == {"inserted": 6, "updated": 0, "unchanged": 0}
    n_audit = len(audit.load_audit(engine))
    before = reports.load_reports(engine, P, "2019-05")
    assert reports.upsert_reports(engine, P, "2019-05", MAY, system("李四")) == {"inserted": 0, "updated": 0, "unchanged": 6}
    after = reports.load_reports(engine, P, "2019-05")
    assert len(audit.load_audit(engine)) == n_audit == 6
    key = ["region", "field"]
    pd.testing.assert_frame_equal(before.sort_values(key).reset_index(drop=True),
                                  after.sort_values(key).reset_index(drop=True))
    assert set(after["submitted_by"]) == {"张三"}  # untouched rows keep their submitter


def test_load_columns_types_and_values(engine):
    at = datetime(2019, 6, 5, 9, 30)
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"), submitted_at=at)
    reports.upsert_reports(engine, P, "2019-06", MAY.iloc[:2], system("张三"), submitted_at=at)
    df = reports.load_reports(engine, P)
    assert list(df.columns) == reports.COLUMNS
    assert len(df) == 8
    assert df["value"].dtype == np.float64 and df["version"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(df["submitted_at"])
    assert (df["submitted_at"] == pd.Timestamp(at)).all()
    may = df[df["period"] == "2019-05"].set_index(["region", "field"])["value"]
    assert may[("433124100", "households")] == 1520
    assert may[("433124101", "broadband_households")] == 392.5
    assert np.isnan(may[("433124102", "broadband_households")])
    assert len(reports.load_reports(engine, P, ["2019-06"])) == 2
    assert len(reports.load_reports(engine, P, [])) == 0
    assert reports.load_reports(engine, "other-program").empty
    assert list(reports.load_reports(engine, "other-program").columns) == reports.COLUMNS


def test_changed_value_writes_exactly_one_audit_entry(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    changed = MAY.copy()
    changed.loc[1, "value"] = 700  # broadband households of 433124100: 640 -> 700
    res = reports.upsert_reports(engine, P, "2019-05", changed, system("李四"))
    assert res == {"inserted": 0, "updated": 1, "unchanged": 5}
    log = audit.load_audit(engine, user="李四")
    assert len(log) == 1
    e = log.iloc[0]
    assert (e["action"], e["table"], e["key"], e["field"], e["old"], e["new"]) == \
        ("update", "reports", f"{P}/2019-05/433124100", "broadband_households", "640", "700")
    df = reports.load_reports(engine, P, "2019-05").set_index(["region", "field"])
    row = df.loc[("433124100", "broadband_households")]
    assert (row["value"], row["version"], row["submitted_by"]) == (700, 2, "李四")
    assert df.loc[("433124100", "households"), "version"] == 1


def test_a_correction_logs_its_reason_with_the_change_or_not_at_all(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    fix = frame([("433124100", "households", 1530)])
    reports.upsert_reports(engine, P, "2019-05", fix, system("李四"), reason="按纸质台账更正",
                           expected_versions={("433124100", "households"): 1})
    log = audit.load_audit(engine, user="李四").sort_values("action")
    assert log[["action", "key", "field", "new"]].values.tolist() == [
        ["reason", f"{P}/2019-05/433124100", "households", "按纸质台账更正"],
        ["update", f"{P}/2019-05/433124100", "households", "1530"]]
    with pytest.raises(StaleWriteError):  # version 1 is stale now: neither value nor reason
        reports.upsert_reports(engine, P, "2019-05", frame([("433124100", "households", 1540)]), system("王五"),
                               reason="再次更正", expected_versions={("433124100", "households"): 1})
    assert audit.load_audit(engine, user="王五").empty
    reports.upsert_reports(engine, P, "2019-05", fix, system("王五"), reason="无变化")  # the same value: nothing logged
    assert audit.load_audit(engine, user="王五").empty


def test_expected_versions_refuse_stale_import_and_write_nothing(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    # two clerks read version 1; the first saves a correction
    seen = {("433124100", "broadband_households"): 1}
    first = MAY.copy(); first.loc[1, "value"] = 650
    assert reports.upsert_reports(engine, P, "2019-05", first, system("甲"), expected_versions=seen)["updated"] == 1
    # the second, still holding version 1, is refused
    second = MAY.copy(); second.loc[1, "value"] = 660; second.loc[0, "value"] = 1600
    n_audit = len(audit.load_audit(engine))
    with pytest.raises(StaleWriteError) as err:
        reports.upsert_reports(engine, P, "2019-05", second, system("乙"), expected_versions=seen)
    assert "433124100" in str(err.value) and "broadband_households" in str(err.value) and "甲" in str(err.value)
    df = reports.load_reports(engine, P, "2019-05").set_index(["region", "field"])["value"]
    assert df[("433124100", "broadband_households")] == 650
    assert df[("433124100", "households")] == 1520  # the other value was not written either
    assert len(audit.load_audit(engine)) == n_audit


def test_expected_version_zero_means_new(engine):
    seen = {("433124100", "households"): 0}
    reports.upsert_reports(engine, P, "2019-05", MAY.iloc[:1], system("甲"), expected_versions=seen)
    with pytest.raises(StaleWriteError):
        reports.upsert_reports(engine, P, "2019-05", MAY.iloc[:1].assign(value=1), system("乙"), expected_versions=seen)


def test_failure_mid_transaction_leaves_nothing(engine, monkeypatch):
    reports.upsert_reports(engine, P, "2019-05", MAY.iloc[:2], system("张三"))

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append", boom)  # fails after the report rows were written
    with pytest.raises(RuntimeError):
        reports.upsert_reports(engine, P, "2019-05", MAY.assign(value=7), system("李四"))
    monkeypatch.undo()
    df = reports.load_reports(engine, P, "2019-05")
    assert len(df) == 2 and set(df["value"]) == {1520, 640} and set(df["version"]) == {1}
    assert len(audit.load_audit(engine)) == 2


def test_bad_input_names_row_and_column(engine):
    bad = frame([("433124100", "households", "一千"), ("433124100", "households", 5), ("", "households", 1)])
    with pytest.raises(InputError) as err:
        reports.upsert_reports(engine, P, "2019-05", bad, system("张三"))
    msg = str(err.value)
    assert "第1行" in msg and "“value”列" in msg and "一千" in msg
    assert "第2行" in msg and "重复" in msg
    assert "第3行" in msg and "“region”列" in msg
    with pytest.raises(InputError, match="YYYY-MM"):
        reports.upsert_reports(engine, P, "2019-13", MAY, system("张三"))
    assert reports.load_reports(engine, P).empty


def test_bulk_upsert_many_values(engine):
    # 2,000 villages x 12 fields in one call; a second call with 1,000 changed values
    regions = np.repeat([f"V{i:05d}" for i in range(2000)], 12)
    fields = np.tile([f"f{j:02d}" for j in range(12)], 2000)
    vals = pd.DataFrame({"region": regions, "field": fields, "value": np.arange(24000) % 97})
    assert reports.upsert_reports(engine, P, "2019-07", vals, system("演示"))["inserted"] == 24000
    vals2 = vals.copy()
    vals2.loc[vals2.index[:1000], "value"] += 1
    assert reports.upsert_reports(engine, P, "2019-07", vals2, system("演示")) == {"inserted": 0, "updated": 1000, "unchanged": 23000}
    df = reports.load_reports(engine, P, "2019-07")
    assert len(df) == 24000 and df["value"].sum() == vals2["value"].sum()
    assert (df["version"] == 2).sum() == 1000
    assert len(audit.load_audit(engine, key_prefix=f"{P}/2019-07/")) == 25000


def test_two_threads_importing_the_same_month_never_mix(engine):
    import threading

    regions = np.repeat([f"V{i:04d}" for i in range(100)], 5)
    fields = np.tile(["households", "broadband_households", "villages", "villages_4g", "stations"], 100)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(user, value):
        vals = pd.DataFrame({"region": regions, "field": fields, "value": value})
        barrier.wait()
        try:
            results[user] = reports.upsert_reports(engine, P, "2019-08", vals, system(user))
        except StaleWriteError as e:
            results[user] = e

    threads = [threading.Thread(target=run, args=(u, v)) for u, v in (("甲", 1.0), ("乙", 2.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(results) == {"甲", "乙"}
    ok = {u: r for u, r in results.items() if isinstance(r, dict)}
    assert ok, results
    df = reports.load_reports(engine, P, "2019-08")
    assert len(df) == 500 and df["value"].nunique() == 1  # one writer's month, never a mix
    assert len(df["submitted_by"].unique()) == 1
    written = sum(r["inserted"] + r["updated"] for r in ok.values())
    assert len(audit.load_audit(engine, key_prefix=f"{P}/2019-08/")) == written


def test_month_values_and_period_totals_agree_with_the_full_rows(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    reports.upsert_reports(engine, P, "2019-06", MAY.assign(value=MAY["value"] * 2), system("张三"))
    full = reports.load_reports(engine, P, "2019-06")
    lean = reports.load_month_values(engine, P, "2019-06")
    key = ["region", "field"]
    pd.testing.assert_frame_equal(lean.sort_values(key).reset_index(drop=True),
                                  full[["region", "field", "value"]].sort_values(key).reset_index(drop=True),
                                  check_dtype=False)
    totals = reports.period_totals(engine, P).set_index(["period", "field"])
    # 2019-05: households 1520 + 980 + 0; broadband 640 + 392.5 (a NULL is not counted)
    assert totals.loc[("2019-05", "households"), "total"] == 2500
    assert totals.loc[("2019-05", "broadband_households"), "n"] == 2
    assert totals.loc[("2019-06", "broadband_households"), "total"] == pytest.approx(2 * 1032.5)
    assert set(reports.period_totals(engine, P, upto="2019-05")["period"]) == {"2019-05"}
