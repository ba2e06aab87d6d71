"""The supervision tests reuse the dashboard harness (tests/dashboards/conftest.py): one
county-scale demo database per session, DATABASE_URL pointed at it, an AppTest factory,
fresh Streamlit caches. Importing the fixtures makes them visible under this folder."""
from tests.dashboards.conftest import _fresh_caches, app_test, demo_db_url, demo_engine, demo_env  # noqa: F401
