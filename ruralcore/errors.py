"""Errors that users see. Messages are Chinese and name where the problem is."""
from __future__ import annotations

from dataclasses import dataclass


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


class InputError(RuralcoreError):
    """Bad input with one or more located problems; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem | str, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}：" if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}发现 {len(self.problems)} 处问题，未写入任何数据："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)
