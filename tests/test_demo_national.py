"""ruralcore demo --scale national: refused on SQLite before anything is written; on
PostgreSQL the same path as the national build, scaled down to one demo county."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ruralcore.app import overview as ov
from ruralcore.cli import main
from ruralcore.demo import national
from ruralcore.store.db import get_engine

from tests.support import fresh_database


def test_refused_on_sqlite_before_a_file_is_made(tmp_path, capsys):
    path = tmp_path / "national.db"
    assert main(["demo", "--scale", "national", "--db", f"sqlite:///{path}"]) == 2
    err = capsys.readouterr().err
    assert "只能生成在 PostgreSQL 上" in err and "Traceback" not in err
    assert not path.exists()


def test_one_county_of_the_national_build_on_postgresql(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(national, "COUNTIES", 1)  # 240 villages instead of 499,200
    with fresh_database("postgresql", tmp_path, "national") as url:
        assert main(["demo", "--scale", "national", "--db", url]) == 0
        out = capsys.readouterr()
        assert "全国规模演示数据库已生成" in out.out and "演示行政村 240 个" in out.out
        assert "数据库占用磁盘" in out.out and "用时" in out.out
        assert "100%" in out.err  # the progress bar ran to its end
        eng = get_engine(url)
        periods = ov.periods(eng, national.PROGRAM)
        assert len(periods) == 12
        tree = ov.region_frame(eng, national.PROGRAM)
        demo = tree[tree["code"].str.contains("D0001")]
        assert (demo["level"].value_counts().to_dict() == {"village": 240, "township": 12, "county": 1})
        month = ov.load_month(eng, national.PROGRAM, periods[-1])
        got = month.index.intersection(demo.index[demo["level"] == "village"])
        assert 200 < len(got) <= 240  # a few reports are missing, as at every scale
        with eng.connect() as conn:  # the kept sums (report_totals) saw the COPY
            sums = pd.read_sql(sa.text("SELECT field, SUM(value) AS s FROM reports WHERE program = :p "
                                       "AND period = :m GROUP BY field ORDER BY field"), conn,
                               params={"p": national.PROGRAM, "m": periods[-1]}).set_index("field")["s"]
            kept = pd.read_sql(sa.text("SELECT field, total AS s FROM report_totals WHERE program = :p "
                                       "AND period = :m ORDER BY field"), conn,
                               params={"p": national.PROGRAM, "m": periods[-1]}).set_index("field")["s"]
        pd.testing.assert_series_equal(sums, kept.loc[sums.index], check_names=False)
