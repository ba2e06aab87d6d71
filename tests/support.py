"""Helpers shared by test folders (import as ``from tests.support import …``).

RURALCORE_REQUIRE_ALL=1 (set by CI) turns a missing PostgreSQL server or browser into a
failure instead of a skip, so CI cannot pass by skipping."""
from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("RURALCORE_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
