"""The one CSV reader behind values files and monthly report uploads: the encodings Excel
in China writes, and a Chinese message naming the file for anything it cannot read."""
from __future__ import annotations

import pytest

from ruralcore.kernel import csvfile
from ruralcore.kernel.errors import InputError
from ruralcore.io.excel.reader import read_table
from ruralcore.rules.programs import load_program
from ruralcore.io.values import read_values

TEXT = "区域,家庭户数\n甲村,120\n乙村,\n"
CELLS = {"区域": ["甲村", "乙村"], "家庭户数": ["120", ""]}  # text, blank cell as ""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_utf8_bom_and_gbk_read_the_same(encoding):
    data = TEXT.encode(encoding)
    assert csvfile.read_csv(data, "月报.csv").to_dict("list") == CELLS


def test_bom_is_not_part_of_the_first_header():
    frame = csvfile.read_csv(TEXT.encode("utf-8-sig"), "月报.csv")
    assert frame.columns[0] == "区域"


def test_header_none_keeps_row_1_as_cells():
    frame = csvfile.read_csv(TEXT.encode("gbk"), "月报.csv", header=None)
    assert frame.to_numpy().tolist() == [["区域", "家庭户数"], ["甲村", "120"], ["乙村", ""]]


def message(data: bytes, name: str = "六月月报.csv") -> str:
    with pytest.raises(InputError) as err:
        csvfile.read_csv(data, name)
    assert err.value.source == name
    return str(err.value)


@pytest.mark.parametrize("data, words", [
    (b"", "文件是空的"),
    (b"  \r\n\n", "文件是空的"),
    ("区域\t值\n".encode("utf-16"), "UTF-16 编码的文本"),     # Excel's “Unicode 文本”
    (b"PK\x03\x04\x00\x00garbage", "二进制数据"),
    (b"\x81\x20\xff\xfe,1\n", "无法识别文字编码"),           # neither UTF-8 nor GBK
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "内容是PDF 文件"),     # renamed by mistake
    ("区域,值\n甲村,1\n乙村,1,2\n".encode("gbk"), "第3行有3个单元格，第1行只有2个"),
    (b'region,x\n"a,1\n', "未配对的英文双引号"),
])
def test_bad_bytes_give_a_chinese_message_naming_the_file(data, words):
    text = message(data)
    assert text.startswith("六月月报.csv：") and words in text
    assert "Error" not in text and "Traceback" not in text


def test_values_file_and_report_upload_say_the_same(tmp_path):
    bad = b"region,x\n\x81\x20\xff\n"
    path = tmp_path / "v.csv"
    path.write_bytes(bad)
    with pytest.raises(InputError) as by_values:
        read_values(path, load_program("huayuan-2019"), ["coverage_4g"])
    with pytest.raises(InputError) as by_upload:
        read_table(bad, "v.csv")
    assert str(by_values.value) == str(by_upload.value) == message(bad, "v.csv")


def test_values_file_in_gbk(tmp_path):
    path = tmp_path / "v.csv"
    path.write_bytes("region,coverage_4g\n甲村,100%\n乙村,80\n".encode("gbk"))
    got = read_values(path, load_program("huayuan-2019"), ["coverage_4g"])
    assert got["coverage_4g"].to_dict() == {"甲村": 100.0, "乙村": 80.0}
