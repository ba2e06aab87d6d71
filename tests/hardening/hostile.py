"""Hostile workbooks written as raw XML parts (fast, whatever they declare): a million
rows in a few MB, one cell on row 1,048,000, a dimension that lies, a zip bomb, formulas
without cached values."""
from __future__ import annotations

import io
import zipfile
from typing import Iterable

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="月报" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


from ruralcore.io.excel.guard import column_letters as col


def cell(ref: str, value) -> str:
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{value[1:]}</f></c>'  # a formula, no cached value
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def row(r: int, values: Iterable) -> str:
    return f'<row r="{r}">' + "".join(cell(f"{col(j)}{r}", v) for j, v in enumerate(values, 1) if v is not None) + "</row>"


SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_cell(ref: str, index: int) -> str:
    """A cell that refers to shared string ``index`` (as Excel writes text)."""
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def xlsx(rows: Iterable[str], dimension: str | None = None, extra: dict[str, bytes] | None = None,
         shared: list[str] | None = None) -> bytes:
    """A workbook whose sheet 月报 holds the given <row> elements (streamed into the zip), and
    the ``shared`` strings table when given."""
    buf = io.BytesIO()
    types, rels = CONTENT_TYPES, WORKBOOK_RELS
    if shared is not None:
        types = types.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TYPE}"/></Types>')
        rels = rels.replace("</Relationships>",
                            f'<Relationship Id="rId2" Type="{SHARED_REL}" Target="sharedStrings.xml"/></Relationships>')
        items = "".join(f"<si><t>{t}</t></si>" for t in shared)
        extra = {**(extra or {}), "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">{items}</sst>').encode()}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            if dimension:
                fh.write(f'<dimension ref="{dimension}"/>'.encode())
            fh.write(b"<sheetData>")
            batch = []
            for r in rows:
                batch.append(r)
                if len(batch) >= 10_000:
                    fh.write("".join(batch).encode())
                    batch = []
            fh.write("".join(batch).encode())
            fh.write(b"</sheetData></worksheet>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()
