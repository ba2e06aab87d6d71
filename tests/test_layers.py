"""What the import-linter contracts (.importlinter, run by scripts/test.sh) cannot see: SQL
— ``execute``, ``select``, ``text(`` — belongs in ruralcore/store/, as named queries. A
module outside the store with a query of its own fails (``STILL_TO_MOVE`` would list one
with its count while it moves, and may only shrink)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(r"\.execute\(|(?<!np\.)(?<!numpy\.)\bselect\(|\btext\(\s*f?[\"']|\bsa\.text\((?!\s*f?[\"'])|\bread_sql\(|\.exec_driver_sql\(")

# Still to move into ruralcore/store (a count may only go down; remove a line at 0): none left.
STILL_TO_MOVE: dict[str, int] = {}


def sql_outside_the_store() -> dict[str, int]:
    out = {}
    for base in ("ruralcore", "dashboards"):
        for f in sorted((ROOT / base).rglob("*.py")):
            rel = f.relative_to(ROOT).as_posix()
            if rel.startswith("ruralcore/store/"):
                continue
            n = len(SQL.findall(f.read_text(encoding="utf-8")))
            if n:
                out[rel] = n
    return out


def test_sql_lives_in_the_store():
    found = sql_outside_the_store()
    grown = {f: n for f, n in found.items() if n > STILL_TO_MOVE.get(f, 0)}
    assert not grown, f"SQL outside ruralcore/store/ (make it a named query there): {grown}"
    assert not any(f.startswith("dashboards/") for f in found)


def test_the_pattern_finds_sql():
    assert SQL.findall('conn.execute(sa.select(t).where(x))') and SQL.findall('sa.text("SELECT 1")')
    assert SQL.findall("pd.read_sql(sa.text(sql), conn)")
    assert not SQL.findall("np.select([a, b], [1, 2], 0)") and not SQL.findall("rule.text()")
