"""Small pieces of HTML for text on the pages."""
from __future__ import annotations

import html

from ruralcore.kernel.fmt import REF_SEP


def nowrap(text: str) -> str:
    """``text`` escaped, each “ · ”-separated part kept on one line (a line may break
    only between parts): “期限 2019年7月31日 · 条款 一(一)” never breaks inside a date or
    a clause."""
    return REF_SEP.join(f"<span style='white-space:nowrap'>{html.escape(p)}</span>"
                        for p in text.split(REF_SEP))
