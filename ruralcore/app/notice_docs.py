"""A 督办 notice as an official document: the circular's layout (ruralcore.app.circulars) with
the notice's 文号, 主送, items and reply deadline (ruralcore.app.notices keeps the notices)."""
from __future__ import annotations

import pandas as pd

from ruralcore.auth import scope
from ruralcore.app.circulars import Circular, Table
from ruralcore.app.circulars import to_docx as render
from ruralcore.kernel.fmt import date_zh
from ruralcore.app.notices import _date, notice_days
from ruralcore.rules.programs import load_program


def document(notice: dict):
    """The notice as a ruralcore.app.circulars.Circular (版头, 文号, title, 主送, body, the items
    table with clauses, the reply deadline, 落款): one official layout for both."""
    program = load_program(notice["program"]) if "program" in notice else None
    tree = scope.region_tree()
    top = tree["name"].get(notice["from_region"], "") if notice["from_region"] in tree.index else ""
    issuer = program.meta.issuer if program is not None and program.meta.issuer.startswith(top or "\0") else \
        f"{top}数字乡村建设工作专班"
    c = Circular(title=f"关于{notice['subject_name']}有关事项的督办通知", doc_number=notice["number"],
                 recipients=f"{notice['unit']}：", issuer=issuer, issued=notice["issued_on"],
                 program=notice.get("program", ""))
    ref = f"《{program.meta.title}》（{program.meta.doc_number}）" if program is not None else "有关文件"
    c.blocks.append(("p", f"根据{ref}，经调度，{notice['subject_name']}存在以下问题：{notice['reason']}"))
    items = notice.get("items") or []
    if items:
        frame = pd.DataFrame({"序号": [str(i + 1) for i in range(len(items))],
                              "事项": [i.get("what", "") for i in items],
                              "应完成时间": [date_zh(_date(i.get("due"))) if i.get("due") else "" for i in items],
                              "依据条款": [i.get("ref", "") for i in items]})
        c.blocks.append(("table", Table(1, "督办事项", frame, frame)))
    c.blocks.append(("p", f"请{notice['unit']}（责任领导：{notice['leader']}）高度重视，逐项整改，于"
                          f"{date_zh(notice['due'])}前（{notice_days(notice)}个工作日内）书面答复整改措施、"
                          "预计完成时间及相关材料。逾期未答复的，将在月度通报中列出。"))
    return c


def to_docx(notice: dict) -> bytes:
    return render(document(notice))
