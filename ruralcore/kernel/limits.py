"""What the system accepts as input: sizes of uploaded files, years of dates and months,
how many problems a refusal lists. System settings, not from any programme document
(the documents set none); the README's 限制 section repeats them.

A monthly report file is checked against these BEFORE it is parsed (ruralcore.io.excel.guard),
so a small file that declares or holds a huge sheet costs nothing: the largest file the
page accepts is measured by bench/bench_limits.py (peak memory and time).
"""
from __future__ import annotations

from ruralcore.kernel.errors import PROBLEMS_SHOWN, InputError, Problem  # noqa: F401 (PROBLEMS_SHOWN re-exported)

# Dates and months: the five programmes run 2017–2023; a year outside this range is a
# typing mistake (9999-12-31, 0000-12) that would overflow date arithmetic or file a
# report for a year nobody reported in.
FIRST_YEAR, LAST_YEAR = 2000, 2099

# A monthly report file. One file holds one month of the units an account writes: a
# county's villages (a few hundred; the largest counties about 2,000), at most a city's
# (忻州 about 4,800). 20,000 rows is ten times a county; the largest file within these
# limits imports with a few hundred MB at most (bench/bench_limits.py).
MAX_UPLOAD_MB = 20  # also Streamlit's server.maxUploadSize (.streamlit/config.toml)
MAX_ROWS = 20_000  # data rows below the header
MAX_COLUMNS = 100  # a template has 3 + the programme's fields (≤ 20 today)
MAX_CELLS = 600_000  # cells held, and rows × columns of a sheet wider than Z (what a reader allocates)
MAX_UNZIPPED_MB = 200  # an xlsx is a zip: what all its parts expand to
# The text a sheet's cells hold (UTF-8): its own character data, and each shared string once
# for every cell that refers to it, which a reader copies into that cell. A county's largest
# file holds about 1 MB; a few KB can refer 20,000 times to one 30,000-character string
# (1.7 GB for 2,000 such cells), and a 300 KB zip can hold 60 MB of inline text (+540 MB).
MAX_TEXT_MB = 10

# A refusal lists PROBLEMS_SHOWN problems and counts the rest (kept with the errors it shapes).


def check_year(year: int, what: str, text: str) -> None:
    """InputError unless ``year`` lies in FIRST_YEAR..LAST_YEAR (``text`` as typed)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(Problem(f"{what}“{text}”的年份不在 {FIRST_YEAR}–{LAST_YEAR} 年之间"))
