"""The database as the layers above the store (pages, command line) open it: one engine
per URL, and the store's clock. Pages import this, never ``ruralcore.store`` itself."""
from __future__ import annotations

from ruralcore.store.db import get_engine, now_cst  # noqa: F401  (re-exported)
