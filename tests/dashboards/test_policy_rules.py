"""政策文件与规则 publishes each target's status rule (how its colour is decided), with the
clause and “文件未规定，系统默认”: 银川 四(三) 每个移民村至少有1名电商扶贫高级人才 is an
every-village target, 三(六) 10个乡镇卫生院 a count."""
from __future__ import annotations

from ruralcore.rules.programs import ASSUMED_LABEL
from tests.support import shown_tables


def test_policy_page_lists_the_status_rules(app_test):
    at = app_test(login=None, page="policy/programs.py")
    at.selectbox[0].set_value("yinchuan-2017").run()
    assert not at.exception
    assert "判定规则（红黄绿灯）" in [s.value for s in at.subheader]
    frames = shown_tables(at)
    rules = next(f for f in frames if "目标类别" in f.columns)
    assert set(rules["目标类别"]) == {"比率目标", "数量目标", "每个单位都须达到的目标"}
    assert rules["说明"].str.startswith(ASSUMED_LABEL).all()
    targets = next(f for f in frames if "判定规则" in f.columns).set_index("目标")
    assert targets.at["每个移民村至少有1名电商扶贫高级人才", "判定规则"] == "每个单位都须达到的目标"
    assert targets.at["医疗信息公共服务平台覆盖移民地区10个乡镇卫生院", "判定规则"] == "数量目标"


def test_policy_page_reads_in_words(app_test):
    """No programme id, code, ISO date or operator on 政策文件与规则: 花垣's report level reads
    行政村, its recurring report 每月, a target ≥ 70.0%, a deadline 2019年7月31日."""
    at = app_test(login=None, page="policy/programs.py")
    at.selectbox[0].set_value("huayuan-2019").run()
    assert not at.exception
    frames = shown_tables(at)
    assert list(frames[0]["方案"])[0] == "花垣县移动信息化示范村" and "huayuan-2019" not in frames[0].to_string()
    targets = next(f for f in frames if "判定规则" in f.columns).set_index("目标")
    assert targets.at["全县4G上网普及率70%以上", "目标值"] == "≥ 70.0%"
    assert targets.at["全县4G上网普及率70%以上", "期限"] == "2019年7月31日"
    settings = next(f for f in frames if "设置" in f.columns).set_index("设置")
    text = " ".join(f.to_string() for f in frames)
    assert "行政村" in set(settings["值"]) and "village" not in text and "monthly" not in text
    assert ">=" not in text and not __import__("re").search(r"\d{4}-\d{2}-\d{2}", text)


def test_policy_page_labels_what_the_document_does_not_say(app_test):
    """花垣: coverage definitions (一(一)), the per-village 70/70/40 full-score values and the
    partial-credit formula (三(一), 附件1 not published) read 文件未规定，系统默认; 二's
    建档立卡户专属优惠 is listed with its clause."""
    at = app_test(login=None, page="policy/programs.py")
    at.selectbox[0].set_value("huayuan-2019").run()
    assert not at.exception
    frames = shown_tables(at)
    inds = next(f for f in frames if "计算口径" in f.columns).set_index("指标")
    assert inds.at["4G网络覆盖率", "计算口径"] == "4G网络覆盖的自然村（组）数÷自然村（组）数×100%"
    assert inds.at["4G网络覆盖率", "说明"].startswith(f"{ASSUMED_LABEL}：文件未给出覆盖率的计算口径")
    full = next(f for f in frames if "满分值" in f.columns).set_index("指标")
    assert full.at["家庭宽带接入率", "满分值"] == "40.0%" and full.at["家庭宽带接入率", "说明"].startswith(ASSUMED_LABEL)
    text = " ".join(m.value for m in at.markdown)
    assert "给分办法" in text and f"（{ASSUMED_LABEL}：附件1《创建计分办法》未随文公布" in text
    req = next(f for f in frames if "要求" in f.columns).set_index("要求")
    assert req.at["向建档立卡户提供专属优惠", "条款"] == "二"
