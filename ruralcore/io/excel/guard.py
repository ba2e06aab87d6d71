"""A monthly report file's size, checked before it is parsed (ruralcore.kernel.limits).

A 12 KB xlsx can hold one cell on row 1,048,000 and a 4 MB one a million rows; a reader
allocates the sheet's whole used area, so such a file once cost 1–2 GB. Here the file is
read as what it is — bytes, a zip of XML parts, lines of text — and refused, with a
Chinese message, when the upload, the unzipped parts, the declared or actual rows and
columns, or the used area exceed the limits. Only then does python-calamine parse it.

The cells' text is measured too (limits.MAX_TEXT_MB): the sheet's own character data and,
for each cell that refers to a shared string, that string's length — a small zip can hold a
string of 30,000 characters referred to by every cell, which a reader copies into each.

The same streaming pass over an xlsx sheet notes formula elements; when there are some, a
second pass finds the formula cells that carry no cached value (a workbook written by a
program and never opened in Excel), which read as blank: they are refused by row and
column instead of silently becoming “did not report”.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import numpy as np

from ruralcore.kernel import limits
from ruralcore.kernel.csvfile import not_table
from ruralcore.kernel.errors import InputError, Problem

CHUNK = 1 << 20
# literal prefixes keep these fast on 40 MB of XML; a row's number written elsewhere than
# first is still counted (rows are also counted by their tags)
_ROW_R = re.compile(rb"row r=\"(\d+)\"")
_WIDE = re.compile(rb" r=\"([A-Z]{2,3})\d")  # a cell past column Z (a row's r has digits only)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_REF = re.compile(r"([A-Z]+)(\d+)")
_TAG = re.compile(rb"<[^>]*>")
_SPACE = b" \t\r\n"
# a cell that refers to a shared string: <c r="D5" s="2" t="s"><v>17</v></c>
_SHARED = re.compile(rb"<(?:\w+:)?c\s[^>]*\bt=[\"']s[\"'][^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*<")
OVERLAP = 256  # bytes kept from the previous chunk, so no tag is cut in two


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class Scan:
    """What the checks saw: formula cells without a value as (Excel row, column number)."""
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)


def _refuse(source: str, message: str) -> InputError:
    return InputError(Problem(message + "；请只保留月报表格本身（可用下载的模板），未写入任何数据"), source=source)


def check_upload(data: bytes, source: str) -> None:
    """The upload's own size (the page's uploader stops larger files already)."""
    if len(data) > limits.MAX_UPLOAD_MB * 1024 * 1024:
        raise _refuse(source, f"文件有 {len(data) / 1024 / 1024:.1f} MB，超过上限 {limits.MAX_UPLOAD_MB} MB")


def _check_area(source: str, rows: int, cols: int, how: str) -> None:
    """``rows`` counts the header row (Excel's last row number)."""
    if rows - 1 > limits.MAX_ROWS:
        raise _refuse(source, f"表格{how}有 {rows:,} 行，超过上限 {limits.MAX_ROWS:,} 行（不含表头）")
    if cols > limits.MAX_COLUMNS:
        raise _refuse(source, f"表格{how}有 {cols:,} 列（到 {column_letters(cols)} 列），超过上限 {limits.MAX_COLUMNS} 列")
    if rows * cols > limits.MAX_CELLS:
        raise _refuse(source, f"表格{how}的范围为 {rows:,} 行 × {cols:,} 列，超过上限 {limits.MAX_CELLS:,} 个单元格")


def check_csv(data: bytes, source: str) -> None:
    """Lines and cells of a CSV, counted on the bytes (a line break inside quotes counts
    as a line: a file that close to the limit is not a monthly report anyway)."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    widest = max((line.count(b",") + 1 for line in data.split(b"\n", 50)[:50]), default=1)
    _check_area(source, lines, widest, "")
    if data.count(b",") + lines > limits.MAX_CELLS:
        raise _refuse(source, f"文件中的单元格超过上限 {limits.MAX_CELLS:,} 个")


def _sheet_path(zf: zipfile.ZipFile, wanted: str) -> str | None:
    """The zip path of the sheet named ``wanted`` (else the first sheet), from the workbook
    and its relationships; None when the workbook cannot say."""
    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError):
        return None
    targets = {r.get("Id"): r.get("Target") for r in rels if r.get("Id")}
    sheets = [(s.get("name"), next((v for k, v in s.attrib.items() if k.endswith("}id")), None))
              for s in wb.iter() if s.tag.endswith("}sheet")]
    if not sheets:
        return None
    rid = next((rid for name, rid in sheets if name == wanted), sheets[0][1])
    target = targets.get(rid)
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path if path in zf.namelist() else None


def check_xlsx(data: bytes, source: str, sheet: str) -> Scan:
    """Refuse an xlsx whose parts unzip too large or whose sheet ``sheet`` (else the first)
    declares or holds too many rows, columns or cells; note formula cells without value."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_table(source, "工作簿已损坏，不是有效的 zip 文件") from None
    if unzipped > limits.MAX_UNZIPPED_MB * 1024 * 1024:
        raise _refuse(source, f"工作簿解压后有 {unzipped / 1024 / 1024:,.0f} MB，超过上限 {limits.MAX_UNZIPPED_MB} MB")
    path = _sheet_path(zf, sheet)
    if path is None:
        return Scan()  # not a workbook we can read ahead: python-calamine says what is wrong
    try:
        has_formulas = _scan_sheet(zf, path, source, _shared_lengths(zf, source))
        return Scan(_formulas_without_value(zf, path) if has_formulas else [])
    except (zipfile.BadZipFile, zlib.error, EOFError, ET.ParseError):
        raise not_table(source, "工作簿已损坏") from None


def _count(tags: tuple[bytes, ...], chunk: bytes) -> int:
    """Opening tags in ``chunk`` (also with a namespace prefix: <x:c …>); a tag cut by the
    chunk's edge may be missed once — this is a limit, not a census."""
    return sum(chunk.count(t) for t in tags)


def _too_much_text(source: str) -> InputError:
    return _refuse(source, f"工作表单元格中的文字超过上限 {limits.MAX_TEXT_MB} MB（重复引用的长文字每处都计）")


def _shared_lengths(zf: zipfile.ZipFile, source: str) -> np.ndarray:
    """Length (UTF-8 bytes) of each shared string, read as a stream; a reader loads them all,
    so together they are held to the text limit too."""
    names = set(zf.namelist())
    path = "xl/sharedStrings.xml"
    try:
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = next((r.get("Target") for r in rels if (r.get("Type") or "").endswith("/sharedStrings")), None)
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    except (KeyError, ET.ParseError):
        pass
    if path not in names:
        return np.zeros(0, dtype=np.int64)
    limit = limits.MAX_TEXT_MB * 1024 * 1024
    lengths, total = [], 0
    parser = ET.XMLPullParser(events=("end",))
    with zf.open(path) as fh:
        while chunk := fh.read(CHUNK):
            parser.feed(chunk)
            for _, el in parser.read_events():
                if el.tag.rsplit("}", 1)[-1] != "si":
                    continue
                n = sum(len((t.text or "").encode()) for part in [el, *el] for t in part
                        if t.tag.rsplit("}", 1)[-1] == "t")  # <si><t> or rich runs <si><r><t>; not <rPh>
                lengths.append(n)
                total += n
                el.clear()
            if total > limit:
                raise _too_much_text(source)
    return np.asarray(lengths, dtype=np.int64)


def _scan_sheet(zf: zipfile.ZipFile, path: str, source: str, shared: np.ndarray) -> bool:
    """One pass over the sheet's XML in 1 MB chunks: its declared area first, then the rows,
    columns and cells it actually holds, and the text its cells hold (``shared``: the shared
    strings' lengths). True when it holds formula elements."""
    max_row = rows = cells = max_col = 0
    formulas = False
    tail = b""
    read = 0
    text_limit, held = limits.MAX_TEXT_MB * 1024 * 1024, 0
    pending, before = b"", b""  # text is measured on whole tags: a tag cut by the chunk's edge waits
    with zf.open(path) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                whole, pending = pending, b""
            else:
                whole = pending + chunk
                cut = whole.rfind(b"<")
                whole, pending = (whole[:cut], whole[cut:]) if cut > 0 else (whole, b"")
            # character data (numbers, inline text), and each shared string at every cell that refers to it
            held += len(_TAG.sub(b"", whole).translate(None, _SPACE))
            seen = before + whole
            refs = np.array([int(m.group(1)) for m in _SHARED.finditer(seen) if m.end() > len(before)], dtype=np.int64)
            if len(refs):
                held += int(shared[refs[refs < len(shared)]].sum())
            before = seen[-OVERLAP:]
            if held > text_limit:
                raise _too_much_text(source)
            if not chunk:
                break
            if not read:  # the <dimension> element comes before the data: refuse before reading on
                m = _DIMENSION.search(chunk)
                if m:
                    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
                    _check_area(source, int(last_row), column_number(last_col.decode()), "声明的范围")
            read += len(chunk)
            if read > limits.MAX_UNZIPPED_MB * 1024 * 1024:
                raise _refuse(source, f"工作表解压后超过上限 {limits.MAX_UNZIPPED_MB} MB")
            text = tail + chunk
            max_row = max([max_row, *map(int, _ROW_R.findall(text))])
            rows += _count((b"<row ", b"<row>", b":row ", b":row>"), chunk)
            cells += _count((b"<c ", b"<c>", b":c ", b":c>"), chunk)
            wide = set(_WIDE.findall(text))  # columns A–Z need no look: 26 × MAX_ROWS is bounded
            if wide:
                max_col = max(max_col, max(column_number(c.decode()) for c in wide))
            formulas = formulas or bool(_FORMULA.search(text))
            _check_area(source, max(max_row, rows), max(max_col, 1), "")
            if cells > limits.MAX_CELLS:
                raise _refuse(source, f"工作表中的单元格超过上限 {limits.MAX_CELLS:,} 个")
            tail = text[-OVERLAP:]
    return formulas


def _formulas_without_value(zf: zipfile.ZipFile, path: str) -> list[tuple[int, int]]:
    """(row, column) of every cell holding a formula but no cached value (streamed)."""
    out = []
    parser = ET.XMLPullParser(events=("start", "end"))
    row_no = col_no = 0
    in_cell = has_f = has_v = False
    with zf.open(path) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            parser.feed(chunk)
            for event, el in parser.read_events():
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "row":
                        row_no = int(el.get("r") or row_no + 1)
                        col_no = 0
                    elif tag == "c":
                        m = _REF.fullmatch(el.get("r") or "")
                        col_no = column_number(m.group(1)) if m else col_no + 1
                        in_cell, has_f, has_v = True, False, False
                    continue
                if tag == "f":
                    has_f = True
                elif tag in ("v", "is"):  # a cached value (or inline text)
                    has_v = has_v or bool((el.text or "").strip()) or tag == "is"
                elif tag == "c":
                    if in_cell and has_f and not has_v:
                        out.append((row_no, col_no))
                    in_cell = False
                    el.clear()
                elif tag == "row":
                    el.clear()
    return out


def check_xls(data: bytes, source: str) -> None:
    """An Excel 97–2003 workbook is refused: its used area cannot be read ahead without
    parsing it (python-calamine allocates the whole area first — 65,536 × 256 cells for one
    cell in the corner), and Excel and WPS save .xlsx in one step."""
    raise InputError(Problem("这是旧版 Excel 97-2003 工作簿（.xls）；请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）"
                             "后再导入，或使用下载的模板，未写入任何数据"), source=source)


def formula_problems(scan: Scan, headers: list[str]) -> list[Problem]:
    """One problem per formula cell without a cached value, by row and column header."""
    def name(c: int) -> str:
        return headers[c - 1] if c <= len(headers) and headers[c - 1] else f"{column_letters(c)}"
    return [Problem(FORMULA_WITHOUT_VALUE, row=r, column=name(c)) for r, c in scan.formulas_without_value]


FORMULA_WITHOUT_VALUE = "公式没有计算结果，请在Excel中打开并保存后再导入"
