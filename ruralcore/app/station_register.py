"""融水 附件2: the station number register (table ``stations``).

The county agriculture authority and the operator allocate each 益农信息社 its number
(桂 + plate code + county initials + 4-digit sequence + B/Z/J). The register is the
``stations`` table: one row per number, with its township, type, village and state.

- :func:`assign` gives the next free number of a type and registers it, or registers a
  number already painted on a signboard (``number=``). It refuses, with nothing written:
  a township beyond its 附件1 quota for that type (retired numbers do not count), a
  number already registered (a duplicate), a retired number (never used again), a number
  of another county or type.
- Sequence: the programme setting ``station_number_sequence`` (附件2 gives only the
  format; 文件未规定，系统默认: each type numbered 0001… across the county).
- :func:`retire` withdraws a number (audited, with the version the user read).

Writes go through ruralcore.store.write (audited, versioned, scope-checked on the row's
township: a township officer registers only its township's stations).
"""
from __future__ import annotations

import re

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program, load_program
from ruralcore.store import queries, registers, write
from ruralcore.store.models import Station
from ruralcore.rules.stations import REGISTER_STATES as STATES, TYPE_NAMES, TYPES

TABLE = Station.__table__
QUOTA_TABLE = "stations"  # 附件1 益农信息社站点建设数量一览表
ACTIVE = ("assigned", "building", "built", "")  # counted against the quota
REGISTER_COLUMNS = ["number", "township", "township_code", "type", "type_name", "village", "state",
                    "state_name", "version"]


def _format(program: Program) -> tuple[str, int, dict[str, str]]:
    """(prefix 桂BRS, digits, type → letter) from the programme's settings (附件2)."""
    s = program.setting
    prefix = f"{s('station_code_province')}{s('station_code_plate')}{s('station_code_county_initials')}"
    letters = {t: str(s(f"station_type_letter_{t}")) for t in TYPES}
    if s("station_number_sequence") != "per_type":
        raise InputError(Problem(f"{program.id}：station_number_sequence 只支持 per_type（每类站点各自顺序编号）",
                                 column="station_number_sequence"))
    return prefix, int(s("station_code_seq_digits")), letters


def _type(type_: str) -> str:
    if type_ not in TYPES:
        raise InputError(Problem(f"站点类型“{type_}”无效，应为 standard（标准站）、professional（专业站）"
                                 "或 simple（简易站）", column="类型"))
    return type_


def townships(program: Program) -> pd.DataFrame:
    """The townships of the quota table with their region codes: name, code, ref, and one
    column per kind (standard, professional, simple, demo) with 附件1's number."""
    from ruralcore.rules.regions import program_regions

    qt = program.quota_table(QUOTA_TABLE)
    regs = program_regions(program.id)
    towns = regs[regs["level"] == "township"]
    code_of = dict(zip(towns["name"], towns["code"]))
    return pd.DataFrame([{"name": q.region, "code": code_of.get(q.region, ""), "ref": q.ref, **q.counts}
                         for q in qt.rows])


def _township(program: Program, township: str) -> pd.Series:
    t = townships(program)
    hit = t[(t["name"] == township.strip()) | (t["code"] == township.strip())]
    if hit.empty:
        raise InputError(Problem(f"乡镇“{township}”不在附件1配额表中（{program.meta.short_title}）。"
                                 f"可选：{'、'.join(t['name'])}", column="乡镇"))
    return hit.iloc[0]


def _rows(conn: sa.Connection, program_id: str) -> pd.DataFrame:
    rows = queries.rows(conn, TABLE, columns=["number", "township", "type", "status"], program=program_id)
    return pd.DataFrame(rows, columns=["number", "township", "type", "status"], dtype=object)


def _lock(conn: sa.Connection, program_id: str) -> None:
    """Serialise allocations of one programme until the transaction ends (two officers
    assigning at once never get the same number or overrun a quota)."""
    registers.serialise(conn, f"stations:{program_id}")


def _seqs(numbers: pd.Series, prefix: str, digits: int, letter: str) -> pd.Series:
    """The sequence numbers of ``numbers`` of one type (NaN for other formats)."""
    pat = "^" + re.escape(prefix) + rf"(\d{{{digits}}})" + re.escape(letter) + "$"
    return pd.to_numeric(numbers.astype(str).str.extract(pat)[0], errors="coerce")


def assign(engine: sa.Engine, program_id: str, township: str, type_: str, user,
           village: str = "", number: str | None = None) -> dict:
    """Register a station number for ``township`` (name or code) and ``type_``: the next
    free one, or ``number`` when given. Returns the registered row (number, township,
    township_code, type, village, state, version). Refusals (InputError, nothing
    written): quota reached (附件1), duplicate, retired, wrong county or type."""
    program = load_program(program_id)
    _type(type_)
    town = _township(program, township)
    prefix, digits, letters = _format(program)
    quota = int(town[type_])
    with engine.connect() as conn:
        _lock(conn, program_id)
        try:
            have = _rows(conn, program_id)
            same_type = have[have["type"] == type_]
            active = same_type[same_type["status"].fillna("").isin(ACTIVE)]
            used = int((active["township"] == town["code"]).sum())
            if used >= quota:
                raise InputError(Problem(
                    f"{town['name']}的{TYPE_NAMES[type_]}已登记{used}个，已达附件1下达的{quota}个"
                    f"（{town['ref']}），不能再分配编号", column="乡镇"))
            seqs = _seqs(same_type["number"], prefix, digits, letters[type_])
            if number is None:
                nxt = int(seqs.max()) + 1 if seqs.notna().any() else 1
                if nxt >= 10 ** digits:
                    raise InputError(Problem(f"{TYPE_NAMES[type_]}的{digits}位顺序号已用完", column="编号"))
                number = f"{prefix}{nxt:0{digits}d}{letters[type_]}"
            else:
                number = _check_number(program, number.strip(), type_, have, prefix, digits, letters)
            row = write.insert(conn, Station, {
                "number": number, "program": program_id, "township": str(town["code"]), "type": type_,
                "village": str(village or "").strip(), "status": "assigned"}, user)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return {"number": row.number, "township": str(town["name"]), "township_code": row.township,
            "type": row.type, "village": row.village, "state": row.status, "version": row.version}


def _check_number(program: Program, number: str, type_: str, have: pd.DataFrame, prefix: str, digits: int,
                  letters: dict[str, str]) -> str:
    if not re.fullmatch(re.escape(prefix) + rf"\d{{{digits}}}" + re.escape(letters[type_]), number) \
            or int(number[len(prefix):len(prefix) + digits]) < 1:
        raise InputError(Problem(
            f"编号“{number}”不符合附件2的编号规则：{TYPE_NAMES[type_]}应为 {prefix}+{digits}位顺序号+"
            f"{letters[type_]}，如 {prefix}{1:0{digits}d}{letters[type_]}", column="编号"))
    old = have[have["number"] == number]
    if len(old):
        if (old["status"] == "retired").any():
            raise InputError(Problem(f"编号“{number}”已撤销，撤销的编号不再使用", column="编号"))
        raise InputError(Problem(f"编号“{number}”已登记（重复），不能再分配", column="编号"))
    return number


def retire(engine: sa.Engine, program_id: str, number: str, user, expected_version: int) -> None:
    """Withdraw ``number`` (state 已撤销): it no longer counts against the quota and is
    never allocated again. ``expected_version``: the version the user read."""
    with engine.begin() as conn:
        cur = queries.first(conn, TABLE, columns=["status"], program=program_id, number=number)
        if cur is None:
            raise InputError(Problem(f"编号“{number}”未登记", column="编号"))
        if cur["status"] == "retired":
            raise InputError(Problem(f"编号“{number}”已撤销", column="编号"))
        write.update(conn, Station, number, {"status": "retired"}, expected_version, user)


def register(engine: sa.Engine, program_id: str, visible=None) -> pd.DataFrame:
    """The register, by number: number, township (name), township_code, type, type_name,
    village, state, state_name, version. ``visible``: region codes the reader sees (None:
    all) — a station is seen when its township is."""
    program = load_program(program_id)
    rows = queries.rows(engine, TABLE, columns=["number", "township", "type", "village", "status", "version"],
                        program=program_id, order_by=["number"])
    out = pd.DataFrame(rows, columns=["number", "township", "type", "village", "status", "version"], dtype=object)
    out = out.rename(columns={"township": "township_code", "status": "state"})
    if visible is not None:
        out = out[out["township_code"].isin(list(visible))]
    names = townships(program).set_index("code")["name"]
    out["township"] = out["township_code"].map(names).fillna(out["township_code"])
    out["type_name"] = out["type"].map(TYPE_NAMES)
    out["state"] = out["state"].fillna("").replace("", "assigned")
    out["state_name"] = out["state"].map(STATES).fillna(out["state"])
    return out[REGISTER_COLUMNS].reset_index(drop=True)


def quota_use(engine: sa.Engine, program_id: str, visible=None) -> pd.DataFrame:
    """Per township and type: 附件1's quota, numbers registered (not retired), left."""
    program = load_program(program_id)
    reg = register(engine, program_id, visible)
    reg = reg[reg["state"] != "retired"]
    t = townships(program)
    if visible is not None:
        t = t[t["code"].isin(list(visible))]
    long = t.melt(id_vars=["name", "code", "ref"], value_vars=list(TYPES), var_name="type", value_name="quota")
    used = reg.groupby(["township_code", "type"]).size().rename("registered").reset_index()
    out = long.merge(used, left_on=["code", "type"], right_on=["township_code", "type"], how="left")
    out["registered"] = out["registered"].fillna(0).astype(int)
    out["left"] = (out["quota"] - out["registered"]).clip(lower=0)
    out["type_name"] = out["type"].map(TYPE_NAMES)
    return out[["name", "code", "type", "type_name", "quota", "registered", "left", "ref"]].rename(
        columns={"name": "township", "code": "township_code"})
