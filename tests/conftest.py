"""Shared test configuration. ``skip_or_fail`` lives in tests/support.py; it is
re-exported here for the test files that already import it from the top conftest."""
from __future__ import annotations

from tests.support import REQUIRE_ALL, skip_or_fail  # noqa: F401
