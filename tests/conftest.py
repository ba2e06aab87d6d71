"""Shared test configuration. ``skip_or_fail`` lives in tests/support.py; it is
re-exported here for the test files that already import it from the top conftest."""
from __future__ import annotations

from tests.support import REQUIRE_ALL, skip_or_fail  # noqa: F401


# pytest-xdist (scripts/test.sh, --dist loadfile) shares whole files out in collection order:
# the long browser walks go first, so that no long file is left running alone at the end.
FIRST = ("tests/browser/test_page_text", "tests/browser/")


def pytest_collection_modifyitems(items):
    def order(item) -> int:
        path = str(item.fspath).replace("\\", "/")
        return next((i for i, part in enumerate(FIRST) if part in path), len(FIRST))

    items.sort(key=order)  # stable: each file keeps its own order
