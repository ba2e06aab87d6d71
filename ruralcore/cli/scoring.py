"""Commands: score, targets, milestones."""
from __future__ import annotations

from pathlib import Path

import typer

from ruralcore.rules import milestones as ms_mod
from ruralcore.rules import scoring as sc
from ruralcore.rules import targets as tg
from ruralcore.rules.indicators import needed_fields
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import ASSUMED_LABEL, load_program
from ruralcore.io.values import read_values
from ruralcore.cli.common import app
from ruralcore.cli.common import AsJson, echo_json, echo_table, open_engine, parse_date, program_arg

Program = program_arg("huayuan-2019")
VALUES_HELP = "数值文件（.csv 或 .xlsx）：“region”列（区域代码）加每个指标一列"


@app.command("score")
def score_cmd(program: Program,
              values: str = typer.Option(..., "--values", help=VALUES_HELP),
              json_: AsJson = False) -> None:
    """按计分办法给每个村计分、排名、评定优秀/达标。"""
    p = load_program(program)
    rubric = sc.rubric_of(p)
    level = tg.data_level(p)
    frame = read_values(values, p, sc.indicator_codes(rubric), level=level)
    out = sc.score(p, frame).sort_values(["rank", "region"], kind="stable")
    if json_:
        echo_json(out[["region", "score", "rank", "award"]])
        return
    dec = sc.shown_decimals(out["score"], out["award"], least=2)  # two awards never read alike
    from ruralcore.rules.ranking import rank_labels
    echo_table(out.assign(score=[f"{v:.{dec}f}" for v in sc.truncate(out["score"], dec)],
                          rank=rank_labels(out["rank"])),
               {"rank": "名次", "region": "村（社区）", "score": "得分", "award_label": "评定"},
               title=f"【{p.meta.short_title} 计分结果】")
    counts = out["award"].value_counts()
    typer.echo("")
    typer.echo(f"共{len(out)}个村：优秀{counts.get('excellent', 0)}个，达标{counts.get('qualified', 0)}个，"
               f"未达标{counts.get('not_qualified', 0)}个。")
    typer.echo(f"规则（{rubric.ref}）：{sc.tie_rule_text(rubric)}")
    typer.echo(f"给分办法：{sc.formula_text(rubric)}")
    if rubric.assumed:
        typer.echo(f"说明：{ASSUMED_LABEL}——{rubric.assumed}")
    if sc.assumed_targets_text(rubric):
        typer.echo(f"说明：{sc.assumed_targets_text(rubric)}")


@app.command("targets")
def targets_cmd(program: Program,
                values: str = typer.Option(..., "--values", help=VALUES_HELP + "（也可附分子分母字段，用于汇总到县）"),
                json_: AsJson = False) -> None:
    """逐区域、逐目标给出数值、目标值、是否达到和差距。"""
    p = load_program(program)
    level = tg.data_level(p)
    wanted = list(dict.fromkeys(t.indicator for t in p.targets if t.indicator))
    optional = list(dict.fromkeys(wanted + needed_fields(p, wanted)))
    # Any target indicator (or its fields) may be given; targets without data show as 无数据.
    frame = read_values(values, p, [], level=level, optional=optional)
    if frame.columns.empty:
        raise InputError([Problem("缺少该指标列", row=1, column=c) for c in wanted], source=Path(values).name)
    out = tg.evaluate(p, frame, level=level, given_indicators=True)
    if json_:
        echo_json(out[["region", "target", "indicator", "value", "threshold", "met", "gap", "status", "ref", "due"]])
        return
    missing = [c for c in wanted if c not in frame.columns
               and not all(f in frame.columns for f in needed_fields(p, [c]))]
    view = out.assign(
        value=out["value"].round(2), gap=out["gap"].round(2),
        status=out["status"].map(tg.STATUS_LABELS),
        threshold=out["op"] + out["threshold"].map(lambda v: f"{v:g}") + out["unit"],
    )
    echo_table(view, {"region_name": "区域", "name": "目标", "value": "数值", "threshold": "目标值",
                      "met": "达到", "gap": "差距", "status": "状态", "due": "期限", "ref": "条款"},
               title=f"【{p.meta.short_title} 目标达成】")
    if missing:
        typer.echo(f"注：文件中没有这些指标的数据，相应目标显示为无数据：{'、'.join(missing)}")
    for t in (p.target(c) for c in dict.fromkeys(out["target"])):
        ind = p.indicator(t.indicator)
        for what, why in (("目标", t.assumed), ("指标计算口径", ind.assumed)):
            if why:
                typer.echo(f"注：{t.name}的{what}{ASSUMED_LABEL}——{why}")
    kinds = list(dict.fromkeys(out["kind"]))
    typer.echo(f"判定规则（{ASSUMED_LABEL}）：" + "；".join(
        f"{p.status_rule(k).text()}（{p.status_rule(k).ref}）" for k in kinds))
    if (out["status"] == "no_data").any() and (out["level"] != level).any():
        typer.echo("注：汇总到上级的比率指标需要分子分母字段（如 households、broadband_households），"
                   "只有百分比时不能求平均，显示为无数据。")


@app.command("milestones")
def milestones_cmd(program: Program,
                   as_of: str = typer.Option(..., "--as-of", help="截至日期 YYYY-MM-DD"),
                   json_: AsJson = False,
                   db: str | None = typer.Option(None, "--db", help="数据库地址：给出时采用库中记录的完成日期（里程碑页面所记）；不给只按文件期限计算")) -> None:
    """截至某日各里程碑的期限和状态（按月事项给出下一个截止日）。"""
    day = parse_date(as_of, "截至日期")
    p = load_program(program)
    done = None
    if db:
        from ruralcore.app.milestone_records import done_dates
        done = done_dates(open_engine(db), p.id)
    out = ms_mod.status(p, day, done=done, recorded=done is not None)
    if json_:
        echo_json(out[["code", "name", "due", "status", "days_overdue", "ref"]])
        return
    echo_table(out.assign(status=out["status_label"]),
               {"code": "代码", "name": "里程碑", "due": "截止", "status": "状态",
                "days_overdue": "逾期天数", "days_left": "剩余天数", "ref": "条款"},
               title=f"【{p.meta.short_title} 里程碑】截至 {day.isoformat()}")
    if done is None and (out["status"] == "unknown").any():
        typer.echo("注：未给出 --db，没有完成记录，已过期限的里程碑是否完成未知；加 --db 按库中记录判断。")
    for r in out[out["assumed"].fillna("").astype(bool)].itertuples():
        typer.echo(f"注：{r.name}的期限{ASSUMED_LABEL}——{r.assumed}")
