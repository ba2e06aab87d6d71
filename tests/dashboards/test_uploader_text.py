"""数据填报's file uploader speaks Chinese: Streamlit has no localisation, so the theme's
CSS hides its “Upload” and “200MB per file • …” and shows Chinese text instead (seen in a
browser screenshot; here: the rules are on the page, in both modes)."""
from __future__ import annotations

import pytest

ENTRY = "county/entry.py"


@pytest.mark.parametrize("query", [None, {"projector": "1"}], ids=["normal", "projector"])
def test_uploader_english_is_replaced_by_chinese(app_test, query):
    at = app_test("huayuan-2019", page=ENTRY, login=("county_admin", "433124"), query=query)
    assert not at.exception
    assert at.get("file_uploader")  # the page draws the uploader for this account
    css = " ".join(m.value for m in at.markdown if "<style>" in m.value)
    for selector in ('[data-testid="stFileUploaderDropzone"] button', '[data-testid="stFileUploaderDropzoneInstructions"]'):
        assert selector in css
    from ruralcore.kernel.limits import MAX_UPLOAD_MB

    assert 'content: "选择文件"' in css and f"单个文件不超过{MAX_UPLOAD_MB}MB" in css
