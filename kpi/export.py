"""Exports that are safe to open in a spreadsheet: text cells that Excel would run as formulas are neutralised, in
every format. Every table a page offers is downloadable as .xlsx and as CSV for Vietnamese Excel (`ui.downloads`)."""

from __future__ import annotations

import io
import re

import pandas as pd

# A cell starting like a formula (=, +, @, tab, CR; or '-' not starting a number) would be evaluated by Excel, and
# so would their full-width forms (＝ ＋ － ＠), which Excel reads as the ASCII ones when typed with an East Asian IME.
_FORMULA_START = re.compile(r"^(?:[=+@\t\r\uff1d\uff0b\uff0d\uff20]|-(?![\d.,]+%?$))")

#: Excel set to Vietnamese uses ',' as its decimal mark, so it splits CSV on ';' (its list separator): a
#: comma-separated file opens in one column. One separator for both languages, so a file opens the same anywhere.
CSV_SEPARATOR = ";"
#: The decimal mark of numbers written to CSV: the reader's, as the tables on screen write them (63,7 / 63.7).
DECIMAL_MARK = {"vi": ",", "en": "."}
#: Excel refuses sheet names longer than this or holding any of `_SHEET_FORBIDDEN`.
_SHEET_CHARS = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Column widths in an .xlsx export, in characters: wide enough for a name, never a screen wide.
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def neutralise(value: object) -> object:
    """`value` with a leading apostrophe when it is text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot run as spreadsheet formulas."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def csv_number(value: float, lang: str = "vi") -> str:
    """`value` as a CSV cell: no needless `.0` (135052, not 135052.0), the reader's decimal mark (9,06 in
    Vietnamese), no thousands separator (Excel would read 1.700 as 1,7 in Vietnamese); '' for a missing value."""
    if pd.isna(value):
        return ""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", DECIMAL_MARK[lang])


def to_csv_bytes(frame: pd.DataFrame, lang: str = "vi") -> bytes:
    """`frame` as CSV for Excel: `;`-separated, UTF-8 with a BOM (so Excel on Windows reads the Vietnamese letters),
    numbers with the reader's decimal mark, formulas neutralised. Returns the file's bytes."""
    out = safe_frame(frame)
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]) or out[column].dtype == object:
            # Floats inside text columns too (a column of figures with gaps can arrive as objects).
            out[column] = [csv_number(v, lang) if isinstance(v, float) else v for v in out[column]]
    return out.to_csv(index=False, sep=CSV_SEPARATOR).encode("utf-8-sig")


def _missing(value: object) -> bool:
    """True for None, NaN and pandas' missing markers (a cell Excel shows empty)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _xlsx_text(value: object) -> object:
    # openpyxl refuses control characters other than tab and line breaks; a note pasted from elsewhere can hold one.
    # Imported here: a CSV on the command line need not pay a quarter of a second for openpyxl.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def sheet_name(name: str) -> str:
    """`name` as Excel accepts a sheet name: forbidden characters as spaces, at most 31 characters."""
    # Excel also refuses an apostrophe at either end, which cutting a name to 31 characters can leave.
    return _SHEET_FORBIDDEN.sub(" ", name)[:_SHEET_CHARS].strip(" '") or "Sheet1"


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Dữ liệu") -> bytes:
    """`frame` as an .xlsx workbook of one sheet named `sheet`: the cells `to_csv_bytes` writes, numbers kept as
    numbers, formulas neutralised (openpyxl would store a text starting with '=' as a formula), the header row
    frozen and each column as wide as its longest cell. Returns the workbook's bytes."""
    out = safe_frame(frame)
    out.columns = [_xlsx_text(c) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_xlsx_text)
    from openpyxl.utils import get_column_letter

    name = sheet_name(sheet)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=name)
        worksheet = writer.sheets[name]
        worksheet.freeze_panes = "A2"
        for position, column in enumerate(out.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in out[column] if not _missing(v)])
            worksheet.column_dimensions[get_column_letter(position)].width = min(max(longest + 2, _MIN_WIDTH),
                                                                                 _MAX_WIDTH)
    return buffer.getvalue()
