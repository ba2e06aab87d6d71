"""Damaged backups: each is refused by `ruralcore restore` with exit status 2 and a Chinese
message naming the table, line and column (or the file) that is wrong, and the database
keeps every row it had. Both databases."""
from __future__ import annotations

import json
import zipfile

import pytest

from ruralcore.store import backup

from .conftest import assert_chinese, fingerprint
from .test_cli_usage import _db, run


def _rewrite(src, dst, table: str | None = None, lines=None, manifest=None, drop=(), raw=None) -> None:
    """Copy the backup ``src`` to ``dst``, changing one table's lines (``lines(list) -> list``),
    the manifest (``manifest(dict) -> dict``), dropping members, or replacing a member's bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename in drop:
                continue
            data = zin.read(item)
            if table and item.filename == f"tables/{table}.jsonl":
                data = "".join(x + "\n" for x in lines(data.decode().splitlines())).encode()
            if manifest and item.filename == "manifest.json":
                data = json.dumps(manifest(json.loads(data)), ensure_ascii=False).encode()
            if raw and item.filename in raw:
                data = raw[item.filename]
            zout.writestr(item, data)


def _edit_row(i: int, **changes):
    def edit(lines):
        row = json.loads(lines[i])
        row.update(changes)
        return lines[:i] + [json.dumps(row, ensure_ascii=False)] + lines[i + 1:]
    return edit


def _drop_table(m):
    del m["tables"]["reports"]
    return m


CASES = {
    "bad JSON line": (dict(table="reports", lines=lambda ls: ls[:1] + ['{"id": 2, "value": '] + ls[2:]),
                      ["表“reports”", "第2行", "不是有效的 JSON"]),
    "a line that is not an object": (dict(table="reports", lines=lambda ls: ls[:2] + ["[1, 2, 3]"] + ls[3:]),
                                     ["表“reports”", "第3行", "JSON 对象"]),
    "text for a number": (dict(table="reports", lines=_edit_row(0, value="一千")),
                          ["表“reports”", "第1行", "“value”列", "应为数值"]),
    "text for a boolean": (dict(table="accounts", lines=_edit_row(0, active="yes")),
                           ["表“accounts”", "“active”列", "true/false"]),
    "a number for text": (dict(table="accounts", lines=_edit_row(0, role=5)), ["“role”列", "应为文字"]),
    "not a date": (dict(table="reports", lines=_edit_row(0, submitted_at="昨天")),
                   ["“submitted_at”列", "日期时间"]),
    "an integer out of range": (dict(table="reports", lines=_edit_row(0, version=10 ** 30)),
                                ["“version”列", "超出范围"]),
    "null where a value is required": (dict(table="reports", lines=_edit_row(0, program=None)),
                                       ["“program”列", "不能为空"]),
    "an unknown column": (dict(table="reports", lines=_edit_row(0, colour="red")), ["未知的列“colour”"]),
    "a duplicate integer key": (dict(table="reports", lines=lambda ls: ls + [ls[0]],
                                     manifest=lambda m: {**m, "tables": {**m["tables"], "reports": {
                                         **m["tables"]["reports"], "rows": m["tables"]["reports"]["rows"] + 1}}}),
                                ["表“reports”", "重复出现", "“id”列"]),
    "a duplicate text key": (dict(table="accounts", lines=lambda ls: ls + [ls[0]],
                                  manifest=lambda m: {**m, "tables": {**m["tables"], "accounts": {
                                      **m["tables"]["accounts"], "rows": m["tables"]["accounts"]["rows"] + 1}}}),
                             ["表“accounts”", "重复出现"]),
    "a duplicate record under another id": (
        dict(table="reports", lines=lambda ls: ls + [json.dumps({**json.loads(ls[0]), "id": 99999})],
             manifest=lambda m: {**m, "tables": {**m["tables"], "reports": {
                 **m["tables"]["reports"], "rows": m["tables"]["reports"]["rows"] + 1}}}),
        ["表“reports”", "重复的记录"]),
    "a row lost": (dict(table="reports", lines=lambda ls: ls[1:]), ["表“reports”", "实际读到"]),
    "a table missing": (dict(manifest=_drop_table, drop=("tables/reports.jsonl",)), ["缺少表“reports”"]),
    "a table's file missing": (dict(drop=("tables/reports.jsonl",)), ["缺少表的数据文件", "tables/reports.jsonl"]),
    "manifest with a wrong type": (dict(manifest=lambda m: {**m, "tables": {**m["tables"], "reports": {
        **m["tables"]["reports"], "rows": "many"}}}), ["manifest.json 已损坏"]),
    "manifest missing": (dict(drop=("manifest.json",)), ["缺少 manifest.json"]),
    "manifest not JSON": (dict(raw={"manifest.json": b"{not json"}), ["manifest.json 不是有效的 JSON"]),
}


@pytest.fixture
def good_backup(engine, tmp_path):
    f = tmp_path / "good.zip"
    backup.backup(engine, f)
    return f


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_backup_is_refused_and_restores_nothing(engine, good_backup, tmp_path, case):
    change, words = CASES[case]
    bad = tmp_path / "bad.zip"
    _rewrite(good_backup, bad, **change)
    before = fingerprint(engine)
    code, out, err = run("restore", str(bad), "--db", _db(engine))
    assert code == 2, (out, err)
    for w in words:
        assert w in err, (w, err)
    assert_chinese(err)
    assert fingerprint(engine) == before


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_file_that_is_not_a_backup_is_refused(engine, tmp_path, content):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(content)
    before = fingerprint(engine)
    code, _, err = run("restore", str(bad), "--db", _db(engine))
    assert code == 2 and "不是本系统的备份文件" in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


def test_corrupted_compressed_data_is_refused(engine, good_backup, tmp_path):
    raw = bytearray(good_backup.read_bytes())
    with zipfile.ZipFile(good_backup) as z:
        info = z.getinfo("tables/reports.jsonl")
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5
    raw[at:at + 8] = b"\x00" * 8  # flip bytes inside the compressed stream: CRC or inflate fails
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    before = fingerprint(engine)
    code, _, err = run("restore", str(bad), "--db", _db(engine))
    assert code == 2, err
    assert "表“reports”" in err and "损坏" in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


def test_the_good_backup_restores(engine, good_backup):
    before = fingerprint(engine)
    code, out, err = run("restore", str(good_backup), "--db", _db(engine))
    assert code == 0, err
    assert fingerprint(engine) == before
