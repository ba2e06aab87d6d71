"""Commands: see the module docstring of ruralcore.cli."""
from __future__ import annotations

from . import app  # noqa: F401
