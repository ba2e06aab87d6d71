"""Every page as each demo role other than the auditor sees it (test_page_text.py), in
normal and projector mode: the same checks (tests/browser/pagewalk.py)."""
from __future__ import annotations

import pytest

from ruralcore.auth import accounts
from tests.browser.pagewalk import walk

pytestmark = pytest.mark.browser
ROLES = [username for username, *_ in accounts.DEMO_ACCOUNTS if username != accounts.DEMO_AUDITOR]


@pytest.mark.parametrize("name", ROLES)
def test_every_page_of_the_role_reads_in_chinese(name, browser, app_url, demo_accounts, wait_idle):
    assert name in demo_accounts
    found = walk(browser, app_url, name, wait_idle)
    assert not found, "\n".join(found[:60])
