"""政策文件与规则 publishes each target's status rule (how its colour is decided), with the
clause and “文件未规定，系统默认”: 银川 四(三) 每个移民村至少有1名电商扶贫高级人才 is an
every-village target, 三(六) 10个乡镇卫生院 a count."""
from __future__ import annotations

from ruralcore.programs import ASSUMED_LABEL


def test_policy_page_lists_the_status_rules(app_test):
    at = app_test(login=None, page="policy/programs.py")
    at.selectbox[0].set_value("yinchuan-2017").run()
    assert not at.exception
    assert "判定规则（红黄绿灯）" in [s.value for s in at.subheader]
    frames = [df.value for df in at.dataframe]
    rules = next(f for f in frames if "目标类别" in f.columns)
    assert set(rules["目标类别"]) == {"比率目标", "数量目标", "每个单位都须达到的目标"}
    assert rules["说明"].str.startswith(ASSUMED_LABEL).all()
    targets = next(f for f in frames if "判定规则" in f.columns).set_index("目标")
    assert targets.at["每个移民村至少有1名电商扶贫高级人才", "判定规则"] == "每个单位都须达到的目标"
    assert targets.at["医疗信息公共服务平台覆盖移民地区10个乡镇卫生院", "判定规则"] == "数量目标"
