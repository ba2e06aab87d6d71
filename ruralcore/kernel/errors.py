"""Errors that users see. Messages are Chinese and name where the problem is."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


class RuralcoreError(Exception):
    """Base for every error shown to a user: the message is the whole story."""


class ProgramFileError(RuralcoreError):
    """A programme file is missing or malformed (names file, entry and field)."""


class UnknownProgramError(RuralcoreError):
    pass


class CalendarRangeError(RuralcoreError):
    """A date outside the years the official holiday calendar knows."""


class StaleWriteError(RuralcoreError):
    """An update carried a version that is no longer current."""


class PermissionDenied(RuralcoreError):
    pass


@dataclass(frozen=True)
class Problem:
    """One problem in an input: row is the 1-based row as the user sees it (None: whole file)."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”列")
        return ("，".join(where) + "：" if where else "") + self.message


class ProblemList(Sequence):
    """Problems found in a large input, kept as batches — Excel rows, one column and one
    message (text, or a function of the row) — and made into Problem objects only when
    read. A file with every one of its million cells wrong costs a few arrays, not a
    million objects; the first ones are shown, the rest counted and downloadable."""

    def __init__(self, problems: Iterable[Problem] = ()):
        self._rows: list[np.ndarray] = []
        self._cols: list[str | None] = []
        self._msgs: list = []
        self._order: tuple[np.ndarray, np.ndarray] | None = None
        for p in problems:
            self.append(p)

    def add(self, rows, column: str | None, message) -> None:
        """One problem per row in ``rows``: ``message`` is a str or a function of the row."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows):
            self._rows.append(rows)
            self._cols.append(column)
            self._msgs.append(message)
            self._order = None

    def append(self, problem: Problem) -> None:
        self.add([problem.row if problem.row is not None else -1], problem.column, problem.message)

    def sort(self, column_order: dict[str, int]) -> "ProblemList":
        """Order by row (whole-file problems first), then by the columns' order in the file."""
        self._index()
        batch, at = self._order
        rows = np.concatenate(self._rows)[self._flat(batch, at)] if len(batch) else batch
        cols = np.array([column_order.get(c, -1) if c else -1 for c in self._cols])[batch] if len(batch) else batch
        keep = np.lexsort((cols, rows))
        self._order = (batch[keep], at[keep])
        return self

    def _flat(self, batch: np.ndarray, at: np.ndarray) -> np.ndarray:
        starts = np.cumsum([0] + [len(r) for r in self._rows[:-1]])
        return starts[batch] + at

    def _index(self) -> tuple[np.ndarray, np.ndarray]:
        if self._order is None:
            sizes = [len(r) for r in self._rows]
            batch = np.repeat(np.arange(len(sizes)), sizes)
            at = np.concatenate([np.arange(n) for n in sizes]) if sizes else np.array([], dtype=np.int64)
            self._order = (batch.astype(np.int64), at.astype(np.int64))
        return self._order

    def __len__(self) -> int:
        return sum(len(r) for r in self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        batch, at = self._index()
        b, k = int(batch[i]), int(at[i])
        row = int(self._rows[b][k])
        msg = self._msgs[b]
        return Problem(msg(row) if callable(msg) else msg, None if row < 0 else row, self._cols[b])


# A refusal lists this many problems; the rest are counted (另有N处问题) and the complete
# list is a download on the page and --problems FILE on the command line.
PROBLEMS_SHOWN = 50


class InputError(RuralcoreError):
    """Bad input with one or more located problems; nothing was written. The message lists
    the first ``PROBLEMS_SHOWN`` and counts the rest; ``problems`` holds them all."""

    def __init__(self, problems: Sequence[Problem] | Problem | str, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems if isinstance(problems, ProblemList) else list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self, shown: int | None = None) -> str:
        shown = PROBLEMS_SHOWN if shown is None else shown
        head = f"{self.source}：" if self.source else ""
        n = len(self.problems)
        if n == 1:
            return head + str(self.problems[0])
        lines = [f"{head}发现 {n:,} 处问题，未写入任何数据："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems[:shown], 1)]
        if n > shown:
            lines.append(f"  ……另有{n - shown:,}处问题（共 {n:,} 处）")
        return "\n".join(lines)
