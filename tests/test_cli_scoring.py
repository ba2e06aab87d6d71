"""`ruralcore score / targets / milestones` and the values file they read."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ruralcore.cli import main
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program
from ruralcore.io import values as vmod
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parent.parent
HEADER = "region,coverage_4g,fiber_reach,phone_penetration,internet_4g_penetration,home_broadband,xiangqing_net,group_ringtone,cloud_mas,study_room"
AT_TARGET = "100,100,70,70,40,100,100,100,100"  # the document's targets: a village scoring 100


def write(tmp_path, text: str, name: str = "v.csv", encoding: str = "utf-8") -> str:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return str(p)


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_score_json(tmp_path, capsys):
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n乙村,100,100,70,70,40,0,0,100,100\n丙村,80,80,56,56,32,0,100,80,100\n")
    code, out, err = run(capsys, "score", "huayuan-2019", "--values", f, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [set(r) for r in rows] == [{"region", "score", "rank", "award"}] * 3
    by = {r["region"]: r for r in rows}
    assert by["甲村"] == {"region": "甲村", "score": 100.0, "rank": 1, "award": "excellent"}
    assert by["乙村"]["score"] == 85.0 and by["乙村"]["award"] == "excellent"  # 15 points lost
    # 80 % of every rate target (16+12+12+12), 乡情网 否 (0 of 10), 彩铃 and 学习室 是 (5+10), MAS 80 % (8)
    assert by["丙村"]["score"] == 75.0 and by["丙村"]["award"] == "not_qualified"
    assert by["丙村"]["rank"] == 3


def test_yes_no_columns_read_1_as_yes_and_refuse_other_numbers(tmp_path, capsys):
    """花垣 三(一) 移动乡情网、集团特色彩铃、互联网学习室 are yes/no per village: 1, 是, 100 mean
    built (full points), 0 and 否 not built — a 1 is never read as 1 %."""
    f = write(tmp_path, f"{HEADER}\n甲村,100,100,70,70,40,1,是,100,1\n乙村,100,100,70,70,40,0,否,100,100\n")
    code, out, err = run(capsys, "score", "huayuan-2019", "--values", f, "--json")
    assert code == 0, err
    by = {r["region"]: r["score"] for r in json.loads(out)}
    assert by == {"甲村": 100.0, "乙村": 85.0}  # 乙村 lacks 乡情网 (10) and 彩铃 (5)
    f = write(tmp_path, f"{HEADER}\n甲村,100,100,70,70,40,80,1,100,1\n")
    code, out, err = run(capsys, "score", "huayuan-2019", "--values", f)
    assert code == 2 and "第2行" in err and "xiangqing_net" in err and "是否项只能填" in err


def test_score_table_is_chinese_and_states_the_tie_rule(tmp_path, capsys):
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n")
    code, out, _ = run(capsys, "score", "huayuan-2019", "--values", f)
    assert code == 0
    assert "名次" in out and "优秀" in out and "并列" in out and "文件未规定，系统默认" in out


def test_score_xlsx(tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["甲村", *[float(x) for x in AT_TARGET.split(",")]])
    ws.append(["乙村", 100, 100, 70, 70, 40, 100, 100, 100, 0])
    path = tmp_path / "v.xlsx"
    wb.save(path)
    code, out, err = run(capsys, "score", "huayuan-2019", "--values", str(path), "--json")
    assert code == 0, err
    assert [r["score"] for r in json.loads(out)] == [100.0, 90.0]


def test_program_without_rubric_exits_2(tmp_path, capsys):
    other = next(p for p in ("rongshui-2019", "xinzhou-2023", "yinchuan-2017", "tanjiachang-2023")
                 if (ROOT / "data/programs" / f"{p}.yaml").exists() and load_program(p).rubric is None)
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n")
    code, out, err = run(capsys, "score", other, "--values", f)
    assert code == 2 and "没有规定计分办法" in err and "Traceback" not in err


def test_unknown_program_exits_2(tmp_path, capsys):
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n")
    code, _, err = run(capsys, "score", "nowhere-2000", "--values", f)
    assert code == 2 and "未知的方案" in err


def test_every_problem_is_reported_with_row_and_column(tmp_path, capsys):
    f = write(tmp_path, "\n".join([
        HEADER,
        f"甲村,{AT_TARGET}",
        "乙村,100,abc,70,70,40,100,100,100,100",    # row 3: non-numeric
        "甲村,100,100,170,70,40,100,100,100,100",   # row 4: duplicate, out of range
        ",100,100,70,70,40,100,100,100,100",        # row 5: empty region
        "丁村,100,100,70,70,,100,100,100,-1",       # row 6: missing value, negative
    ]) + "\n")
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", f)
    assert code == 2
    for part in ["第3行，“fiber_reach”列：“abc”不是数字",
                 "第2行，“region”列：区域“甲村”重复出现", "第4行，“region”列：区域“甲村”重复出现",
                 "第4行，“phone_penetration”列：数值170超出范围（应为0–100）",
                 "第5行，“region”列：区域为空", "第6行，“home_broadband”列：缺少数值",
                 "第6行，“study_room”列：“-1”不是是否值"]:
        assert part in err, part
    assert "发现 7 处问题" in err


def test_missing_column(tmp_path, capsys):
    f = write(tmp_path, HEADER.replace(",study_room", "") + "\n甲村,100,100,70,70,40,100,100,100\n")
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", f)
    assert code == 2 and "第1行，“study_room”列：缺少该指标列" in err
    f = write(tmp_path, HEADER.replace("region", "村名") + f"\n甲村,{AT_TARGET}\n")
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", f)
    assert code == 2 and "“region”列" in err


def test_empty_and_wrong_type_files(tmp_path, capsys):
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", write(tmp_path, ""))
    assert code == 2 and "文件是空的" in err
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", write(tmp_path, HEADER + "\n"))
    assert code == 2 and "没有数据行" in err
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", write(tmp_path, "x", "v.txt"))
    assert code == 2 and ".csv 或 .xlsx" in err
    code, _, err = run(capsys, "score", "huayuan-2019", "--values", write(tmp_path, "not excel", "v.xlsx"))
    assert code == 2 and "不是 Excel 工作簿" in err


def test_gbk_csv_from_excel(tmp_path, capsys):
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n", encoding="gbk")
    code, out, _ = run(capsys, "score", "huayuan-2019", "--values", f, "--json")
    assert code == 0 and json.loads(out)[0]["region"] == "甲村"


def test_unknown_region_when_the_level_is_listed(tmp_path, monkeypatch):
    p = load_program("huayuan-2019")
    monkeypatch.setattr(vmod, "_REGION_SOURCES", [lambda pid, level: {"甲村", "433124100200"}])
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n433124100200,{AT_TARGET}\n戊村,{AT_TARGET}\n")
    with pytest.raises(InputError) as exc:
        vmod.read_values(f, p, ["coverage_4g"])
    assert [(x.row, x.column) for x in exc.value.problems] == [(4, "region")]
    assert "未知的区域“戊村”" in str(exc.value)


def test_names_accepted_when_no_region_is_listed_at_the_level(tmp_path):
    p = load_program("huayuan-2019")
    assert vmod.known_regions(p.id, "village") is None  # the document names no village
    f = write(tmp_path, f"{HEADER}\n任意村,{AT_TARGET}\n")
    assert list(vmod.read_values(f, p, ["coverage_4g"]).index) == ["任意村"]


def test_targets_json(tmp_path, capsys):
    f = write(tmp_path, "region,coverage_4g,households,broadband_households,study_room\n"
                        "甲村,100,100,50,100\n乙村,90,900,270,0\n")
    code, out, err = run(capsys, "targets", "huayuan-2019", "--values", f, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert set(rows[0]) == {"region", "target", "indicator", "value", "threshold", "met", "gap",
                            "status", "ref", "due"}
    got = {(r["target"], r["region"]): r for r in rows}
    b = got[("coverage_4g_all", "乙村")]
    # 一(一) every village 100 %: a village at 90 % is short (red), never 接近
    assert (b["value"], b["threshold"], b["met"], b["gap"], b["status"]) == (90.0, 100.0, False, 10.0, "red")
    county = [r for r in rows if r["target"] == "home_broadband_county"]
    assert len(county) == 1 and county[0]["value"] == pytest.approx(32.0)  # (50+270)/1000
    assert county[0]["met"] is False and county[0]["gap"] == pytest.approx(8.0)
    assert got[("fiber_reach_all", "甲村")]["status"] == "no_data"


def test_targets_table(tmp_path, capsys):
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n")
    code, out, _ = run(capsys, "targets", "huayuan-2019", "--values", f)
    assert code == 0 and "目标值" in out and "达标" in out and "无数据" in out
    # the colours' rules are defaults, said so with their clauses
    assert "判定规则（文件未规定，系统默认）" in out and "比率目标：达到目标值为绿" in out and "（五(四)）" in out


def test_milestones_json_and_bad_date(capsys):
    code, out, _ = run(capsys, "milestones", "huayuan-2019", "--as-of", "2019-04-02", "--json")
    assert code == 0
    rows = {r["code"]: r for r in json.loads(out)}
    assert set(rows["stage1"]) == {"code", "name", "due", "status", "days_overdue", "ref"}
    # no --db: nobody's completion records, so a milestone past its date is not known to be overdue
    assert rows["stage1"]["status"] == "unknown" and rows["stage1"]["days_overdue"] == 0
    assert rows["monthly_scoring"]["due"] == "2019-04-05"
    code, out, _ = run(capsys, "milestones", "huayuan-2019", "--as-of", "2019-04-02")
    assert "未知（无完成记录）" in out and "已逾期" not in out
    # 五(三) “2019年6月前” read as 2019-05-31 is labelled a system default
    assert "文件未规定，系统默认——文件原文为“2019年6月前”" in out
    code, _, err = run(capsys, "milestones", "huayuan-2019", "--as-of", "2019-13-01")
    assert code == 2 and "YYYY-MM-DD" in err


def test_subprocess_exit_status(tmp_path):
    exe = ROOT / ".venv/bin/ruralcore"
    f = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n乙村,100,100,70,70,40,100,100,100,x\n")
    r = subprocess.run([str(exe), "score", "huayuan-2019", "--values", f], capture_output=True, text=True)
    assert r.returncode == 2
    assert "第3行，“study_room”列" in r.stderr and "Traceback" not in r.stderr
    ok = write(tmp_path, f"{HEADER}\n甲村,{AT_TARGET}\n", name="ok.csv")
    r = subprocess.run([str(exe), "score", "huayuan-2019", "--values", ok, "--json"], capture_output=True, text=True)
    assert r.returncode == 0 and json.loads(r.stdout)[0]["award"] == "excellent"


def test_rate_not_in_percent_has_no_upper_bound(tmp_path):
    # 银川 四(三): 村均培训电商人才 5 人以上 — a per-village rate (scale 1), not a percentage.
    p = load_program("yinchuan-2017")
    assert vmod.value_ranges(p, ["ecommerce_trained_per_village", "coverage_4g"]) == {
        "ecommerce_trained_per_village": (0.0, None), "coverage_4g": (0.0, 100.0)}


def test_targets_on_xinzhou_pilot_list(tmp_path, capsys):
    f = write(tmp_path, "region,case_submitted,accepted\nXZ2023-T01,100,0\nXZ2023-T02,0,100\n未知试点,0,0\n")
    code, _, err = run(capsys, "targets", "xinzhou-2023", "--values", f, "--json")
    assert code == 2 and "第4行，“region”列：未知的区域“未知试点”" in err
    f = write(tmp_path, "region,case_submitted,accepted\nXZ2023-T01,100,0\nXZ2023-T02,0,100\n", name="ok.csv")
    code, out, err = run(capsys, "targets", "xinzhou-2023", "--values", f, "--json")
    assert code == 0, err
    rows = {(r["target"], r["region"]): r for r in json.loads(out)}
    assert rows[("acceptance_all", "XZ2023-T02")]["met"] is True
    assert rows[("cases_all", "140902")]["value"] == 100.0  # 合索镇 is in 忻府区


def test_xlsx_rows_count_blank_rows_and_numeric_codes_stay_whole(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["region", "coverage_4g"])
    ws.append([433124100200, 100])
    ws.append([None, None])  # a blank row still counts as row 3
    ws.append(["乙村", "x"])
    path = tmp_path / "v.xlsx"
    wb.save(path)
    p = load_program("huayuan-2019")
    with pytest.raises(InputError) as exc:
        vmod.read_values(path, p, ["coverage_4g"])
    assert [(x.row, x.column) for x in exc.value.problems] == [(4, "coverage_4g")]
    ws.delete_rows(4)
    wb.save(path)
    assert list(vmod.read_values(path, p, ["coverage_4g"]).index) == ["433124100200"]


def test_a_malformed_database_address_is_a_chinese_error_not_a_traceback(capsys):
    from ruralcore.cli import main

    assert main(["reporting", "huayuan-2019", "--period", "2019-05", "--db", "nonsense://x"]) == 2
    err = capsys.readouterr().err
    assert "数据库地址“nonsense://x”无法识别" in err and "Traceback" not in err


def test_milestones_with_db_use_the_recorded_done_dates(tmp_path, capsys):
    import datetime as dt
    import json

    from ruralcore.cli import main
    from ruralcore.app.milestone_records import record_done
    from ruralcore.store import db

    url = f"sqlite:///{tmp_path / 'm.db'}"
    record_done(db.get_engine(url), "huayuan-2019", "kickoff", dt.date(2018, 12, 28), "启动会已开", user=system("测试"),
                today=dt.date(2019, 1, 5))
    assert main(["milestones", "huayuan-2019", "--as-of", "2019-01-05", "--json"]) == 0
    without = {m["code"]: m["status"] for m in json.loads(capsys.readouterr().out)}
    assert main(["milestones", "huayuan-2019", "--as-of", "2019-01-05", "--json", "--db", url]) == 0
    with_db = {m["code"]: m["status"] for m in json.loads(capsys.readouterr().out)}
    assert without["kickoff"] == "unknown" and with_db["kickoff"] == "done"   # 四(一): by 2018-12-31
