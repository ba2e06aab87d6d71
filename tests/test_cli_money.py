"""`ruralcore funds` and `ruralcore station-code`, through main() and once as a process."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ruralcore.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_funds_xinzhou_json_total(capsys):
    code, out, _ = run(capsys, "funds", "xinzhou-2023", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["program"] == "xinzhou-2023"
    assert data["total_yuan"] == 30150000 and isinstance(data["total_yuan"], int)
    for a in data["allocations"]:
        assert {"name", "amount_yuan", "count", "total_yuan", "ref", "assumed"} <= set(a)
        assert a["amount_yuan"] == 450000 and a["total_yuan"] == a["amount_yuan"] * a["count"]
    assert sorted(a["count"] for a in data["allocations"]) == [22, 45]


def test_funds_xinzhou_table(capsys):
    code, out, _ = run(capsys, "funds", "xinzhou-2023")
    assert code == 0 and "合计：30,150,000 元" in out and "隐形债务" in out


def test_funds_rongshui_subsidies_marked_assumed(capsys):
    code, out, _ = run(capsys, "funds", "rongshui-2019", "--json")
    data = json.loads(out)
    by = {a["code"]: a for a in data["allocations"]}
    assert by["subsidy_standard"]["count"] == 206 and by["subsidy_simple"]["count"] == 206
    assert all(a["assumed"] for a in data["allocations"])
    code, out, _ = run(capsys, "funds", "rongshui-2019")
    assert "文件未规定，系统默认" in out


def test_funds_yinchuan_budget_and_uses(capsys):
    code, out, _ = run(capsys, "funds", "yinchuan-2017", "--json")
    data = json.loads(out)
    assert data["total_yuan"] == 2000000
    assert sum(u["budget_yuan"] for u in data["uses"]) == 2000000


def test_funds_without_rules_empty_with_note(capsys):
    code, out, _ = run(capsys, "funds", "huayuan-2019", "--json")
    data = json.loads(out)
    assert code == 0 and data["allocations"] == [] and data["total_yuan"] == 0 and "资金规则" in data["note"]


def test_funds_unknown_programme(capsys):
    code, _, err = run(capsys, "funds", "nowhere-2020")
    assert code == 2 and err.startswith("错误：") and "未知的方案" in err


def test_station_code(capsys):
    code, out, _ = run(capsys, "station-code", "--county", "融水苗族自治县", "--type", "standard", "--seq", "1")
    assert code == 0 and out.strip() == "桂BRS0001B"
    code, out, _ = run(capsys, "station-code", "--county", "融水", "--type", "simple", "--seq", "23")
    assert out.strip() == "桂BRS0023J"


@pytest.mark.parametrize("args,word", [
    (["--county", "花垣县", "--type", "standard", "--seq", "1"], "未知的县"),
    (["--county", "融水", "--type", "big", "--seq", "1"], "站点类型"),
    (["--county", "融水", "--type", "standard", "--seq", "10000"], "序号"),
    (["--county", "融水", "--type", "standard", "--seq", "一"], "序号"),
])
def test_station_code_bad_input(capsys, args, word):
    code, out, err = run(capsys, "station-code", *args)
    assert code == 2 and out == "" and err.startswith("错误：") and word in err and "Traceback" not in err


def test_station_code_process_exit_status_2():
    exe = ROOT / ".venv" / "bin" / "ruralcore"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ruralcore"]
    bad = subprocess.run([*cmd, "station-code", "--county", "融水", "--type", "standard", "--seq", "0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "错误：" in bad.stderr and "序号" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stdout == ""
