"""Cached access to ruralcore.overview for the pages.

Frames are cached with st.cache_data keyed by the database URL (db_url), a data token that
changes whenever stored data changes (ruralcore.overview.data_token), the programme and
the month; so a page rerun costs only what changed. (The key parameters must not start
with an underscore: Streamlit leaves such parameters out of the cache key.)
"""
from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from ruralcore import overview as ov
from ruralcore.programs import load_program

from .context import engine


def url() -> str:
    return os.environ.get("DATABASE_URL") or ""


def token() -> str:
    return ov.data_token(engine())


@st.cache_data(show_spinner=False, max_entries=32)
def periods(db_url: str, data_token: str, program_id: str) -> list[str]:
    return ov.periods(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=32)
def regions(db_url: str, data_token: str, program_id: str) -> pd.DataFrame:
    return ov.region_frame(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=32)
def as_of(db_url: str, data_token: str, program_id: str):
    return ov.as_of_date(engine(), program_id, ov.periods(engine(), program_id))


@st.cache_data(show_spinner=False, max_entries=200)
def month(db_url: str, data_token: str, program_id: str, period: str) -> pd.DataFrame:
    return ov.load_month(engine(), program_id, period)


def months(program_id: str, upto: str | None = None) -> dict[str, pd.DataFrame]:
    """Every month with data (up to ``upto``), each cached on its own."""
    u, t = url(), token()
    return {p: month(u, t, program_id, p) for p in periods(u, t, program_id) if upto is None or p <= upto}


class Data:
    """What a page needs for one programme and month, loaded once per rerun."""

    def __init__(self, program_id: str):
        self.program = load_program(program_id)
        self.url, self.token = url(), token()
        self.periods = periods(self.url, self.token, program_id)
        self.regions = regions(self.url, self.token, program_id)
        self.as_of = as_of(self.url, self.token, program_id)

    def month(self, period: str | None) -> pd.DataFrame:
        if not period:
            return pd.DataFrame()
        return month(self.url, self.token, self.program.id, period)

    def previous(self, period: str) -> str | None:
        before = [p for p in self.periods if p < period]
        return before[-1] if before else None

    def months(self, upto: str | None = None) -> dict[str, pd.DataFrame]:
        return {p: self.month(p) for p in self.periods if upto is None or p <= upto}


@st.cache_data(show_spinner=False, max_entries=32)
def ranking(db_url: str, data_token: str, program_id: str, period: str) -> pd.DataFrame | None:
    d = Data(program_id)
    return ov.ranking(d.program, d.month(period), d.regions)


@st.cache_data(show_spinner=False, max_entries=32)
def trend(db_url: str, data_token: str, program_id: str, upto: str) -> pd.DataFrame:
    # summed in the database: twelve months of 30,000 villages are never loaded row by row
    return ov.trend_from_store(engine(), load_program(program_id), upto)


@st.cache_data(show_spinner=False, max_entries=16)
def stations(db_url: str, data_token: str, program_id: str) -> dict:
    """融水: {'stations': frame or None, 'officers': frame or None}."""
    return ov.load_stations(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=16)
def task_progress(db_url: str, data_token: str, program_id: str) -> pd.DataFrame:
    return ov.load_task_progress(engine(), program_id)
