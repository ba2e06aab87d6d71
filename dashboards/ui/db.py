"""The app's database engine (one per DATABASE_URL, shared by every session)."""
from __future__ import annotations

import os

import streamlit as st

from ruralcore.app.database import get_engine


@st.cache_resource(show_spinner=False)
def _engine(url: str | None):
    return get_engine(url)


def engine():
    return _engine(os.environ.get("DATABASE_URL") or None)
