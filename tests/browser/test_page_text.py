"""Every page as the auditor sees it, in a real browser, in normal and in projector mode,
and every page under every programme: no traceback, no English UI word, no "None"/"nan",
no ISO date, no raw operator; on a projector also table text of at least 20 px and nothing
that scrolls sideways (tests/browser/pagewalk.py walks, tests/browser/textscan.py reads).
The other demo roles: test_page_text_roles.py."""
from __future__ import annotations

import pytest

from ruralcore.auth import accounts
from tests.browser.pagewalk import walk

pytestmark = pytest.mark.browser


def test_every_page_the_auditor_opens_reads_in_chinese(browser, app_url, demo_accounts, wait_idle):
    assert accounts.DEMO_AUDITOR in demo_accounts
    found = walk(browser, app_url, accounts.DEMO_AUDITOR, wait_idle)
    assert not found, "\n".join(found[:60])
