"""What one upload may cost, the errors it raises, and the Vietnamese messages naming each bound."""

from __future__ import annotations

import time
from dataclasses import dataclass

from survey.inputs import excerpt  # noqa: F401 (how much of a bad cell a message repeats)

MEBIBYTE = 1024 * 1024

NOT_XLSX = "Tệp có dạng ZIP nhưng không mở được như bảng tính XLSX."
NOT_CSV = "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8. Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
NOT_UTF8 = (
    "Tệp không phải XLSX và cũng không phải CSV mã hoá UTF-8 (byte không hợp lệ ở dòng {row}). "
    "Hãy lưu lại dưới dạng CSV UTF-8 hoặc XLSX."
)
BROKEN_CSV = "Dòng {row}: không đọc được tệp như CSV ({reason})."
NO_WORKSHEET = "Bảng tính XLSX không có trang tính chứa dữ liệu (chỉ có biểu đồ)."
NO_NAMED_SHEET = "Bảng tính XLSX không có trang tính “{sheet}”. Hãy dùng đúng tệp đã xuất, không đổi tên trang tính."
FIELD_TOO_LONG = "Dòng {row}: có ô dài quá {limit} ký tự, không đọc được tệp như CSV."
CONTROL_CHARACTER = "Dòng {row}: có ký tự điều khiển không hiển thị được (mã {code}). Hãy xoá ký tự này rồi tải lại."
TOO_LARGE = "Tệp lớn hơn giới hạn {limit} MB."
TOO_MANY_ENTRIES = "Tệp XLSX có quá nhiều thành phần (hơn {limit}), không phải bảng tính thông thường."
TOO_LARGE_UNCOMPRESSED = "Tệp XLSX khi giải nén lớn hơn giới hạn {limit} MB."
TOO_MANY_ROWS = "Tệp có hơn {limit} dòng, vượt giới hạn. Hãy chia thành nhiều tệp nhỏ hơn."
TOO_MANY_COLUMNS = "Dòng {row}: có hơn {limit} cột, vượt giới hạn."
TOO_MANY_CELLS = (
    "Dòng {row}: tệp có hơn {limit} ô (kể cả ô trống), vượt giới hạn. Hãy xoá các ô thừa hoặc chia nhỏ tệp."
)
TOO_MANY_STRINGS = "Tệp XLSX có hơn {limit} chuỗi văn bản dùng chung, vượt giới hạn."
TOO_MANY_ELEMENTS = "Phần “{part}” của tệp XLSX có hơn {limit} thành phần XML, không phải bảng tính thông thường."
STYLES_TOO_LARGE = (
    "Phần định dạng (styles) của tệp XLSX lớn hơn giới hạn {limit} MB. "
    "Hãy chép dữ liệu sang một bảng tính mới (chỉ dán giá trị) rồi tải lại."
)
CELL_TOO_LONG = "Dòng {row}, cột {column}: ô dài hơn giới hạn {limit} ký tự (bắt đầu bằng “{excerpt}”)."
TOO_SLOW = "Đọc tệp quá {limit} giây, đã dừng. Hãy chia thành nhiều tệp nhỏ hơn."


class UploadError(ValueError):
    """The upload cannot be read; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UploadProblems(ValueError):
    """A read table cannot be used; `problems` lists every reason, row by row, in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class UploadLimits:
    """How much one upload may cost, in bytes and in work. Defaults fit a province's quarterly
    counts (a few thousand rows of four columns) with a wide margin.

    Every bound is checked while the file is read, so the cost of a refused file is the cost of
    reading up to the bound, not of the whole file: `cells` counts every cell element of the
    sheet (empty ones included, which are free to write and were what made a 40 KB file cost
    gigabytes), `shared_strings` the XLSX's table of texts, `cell_chars` any one cell,
    `xml_elements` the elements of any one XML part (the work of the parser, whatever the tags).
    The styles part is never parsed; `styles_bytes` bounds its declared size, so a styles bomb
    is named as such rather than read.
    """

    compressed_bytes: int = 5 * MEBIBYTE
    uncompressed_bytes: int = 50 * MEBIBYTE
    zip_entries: int = 200
    rows: int = 50_000
    columns: int = 50
    cells: int = 300_000
    shared_strings: int = 100_000
    cell_chars: int = 1_000
    xml_elements: int = 1_000_000
    styles_bytes: int = 5 * MEBIBYTE
    seconds: float = 20.0


DEFAULT_LIMITS = UploadLimits()


class Deadline:
    """The wall-clock bound of one read, checked between chunks of work."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise UploadError(TOO_SLOW.format(limit=number(self.seconds)))


def megabytes(size: int) -> str:
    return number(size / MEBIBYTE)


def number(value: float) -> str:
    """A number the Vietnamese way: 50.000, 2,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")
