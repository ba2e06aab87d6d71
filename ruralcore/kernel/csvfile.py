"""Reading a CSV file as officials save it, for every CSV import (values files, monthly
report uploads), so they accept the same files and say the same thing about a bad one.

Excel in China saves CSV as GBK; other tools write UTF-8 with or without a BOM. gb18030
is a superset of GBK and GB2312, so trying UTF-8 first and gb18030 second reads all three.
The delimiter is the comma (what Excel writes for “CSV”). Cells come back as text, a
blank cell as "", so the caller can name the row and column of anything wrong.
"""
from __future__ import annotations

import io
import re

import pandas as pd

from ruralcore.kernel.errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "gb18030")
# files people rename by mistake: say what they are instead of parsing them as CSV
OTHER_MAGIC = {b"%PDF": "PDF 文件", b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"GIF8": "GIF 图片",
               b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包", b"\x1f\x8b": "gzip 压缩包", b"{\\rtf": "RTF 文档"}
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def not_table(source: str, why: str = "") -> InputError:
    return InputError(Problem("文件不是 Excel 工作簿（.xlsx）或 CSV 文件，无法读取" + (f"（{why}）" if why else "")),
                      source=source)


def other_format(data: bytes) -> str | None:
    """What a file is when its first bytes show a known non-table format, else None."""
    return next((what for magic, what in OTHER_MAGIC.items() if data.startswith(magic)), None)


def decode(data: bytes, source: str) -> str:
    """The file's text; InputError naming ``source`` for an empty, binary or undecodable file."""
    if not data.strip():
        raise InputError(Problem("文件是空的，没有任何内容"), source=source)
    what = other_format(data)
    if what:
        raise not_table(source, f"内容是{what}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # what Excel's “Unicode 文本” writes (tab-separated)
        raise not_table(source, "内容是 UTF-16 编码的文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”")
    if b"\x00" in data[:4096]:  # no CSV of ours has NUL bytes
        raise not_table(source, "内容是二进制数据")
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise not_table(source, "无法识别文字编码，请另存为 UTF-8 或 GBK 编码的 CSV")


def read_csv(data: bytes, source: str, header: int | None = 0) -> pd.DataFrame:
    """The CSV's cells as text; ``header=0`` takes row 1 as column names (pandas' rules for
    blank and repeated names), ``header=None`` keeps it as the first row of cells."""
    text = decode(data, source)
    try:
        return pd.read_csv(io.StringIO(text), header=header, dtype=str, keep_default_na=False,
                           skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise not_table(source, _parser_reason(exc)) from None


def _parser_reason(exc: Exception) -> str:
    """pandas' English reason in Chinese where we know it (too many cells, an unclosed quote)."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    m = _FIELDS.search(first)
    if m:
        want, line, saw = m.groups()
        return f"第{line}行有{saw}个单元格，第1行只有{want}个；单元格中的英文逗号需用引号括起来"
    if "EOF inside string" in first:
        return "文件中有未配对的英文双引号"
    if isinstance(exc, pd.errors.EmptyDataError):
        return "没有任何内容"
    return first
