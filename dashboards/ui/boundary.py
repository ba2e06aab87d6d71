"""The app's error boundary: an error no page expected shows one Chinese sentence with an
incident number; the traceback goes to the server log under that number, never to the
browser (with ``client.showErrorDetails`` off in .streamlit/config.toml for what escapes).

Streamlit's own control flow (st.stop, st.rerun, st.switch_page) raises BaseException
subclasses, which pass through untouched."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Callable

import streamlit as st

from ruralcore.kernel.errors import RuralcoreError

log = logging.getLogger("ruralcore.dashboards")
if not log.handlers:  # Streamlit sets up only its own loggers: ours writes to the server's stderr
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)


def incident_number() -> str:
    """Short enough to read out on the phone, unique enough to find in the log."""
    return f"{dt.datetime.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


def guarded(run: Callable[[], None], where: str) -> None:
    """Run ``run`` (a page); an escaping error becomes a Chinese message. A ruralcore
    error already says in Chinese what went wrong; anything else gets an incident number."""
    try:
        run()
    except RuralcoreError as e:  # a domain refusal the page did not catch: its message is for users
        log.warning("page %s: %s", where, e)
        st.error(str(e))
    except Exception:  # noqa: BLE001 — the boundary: everything unexpected ends here
        number = incident_number()
        log.exception("incident %s on page %s", number, where)
        st.error(f"页面出现意外错误（事件编号 {number}），已记入服务器日志；请刷新页面重试，如仍出现请把事件编号告知系统管理员。")
