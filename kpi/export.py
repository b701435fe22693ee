"""Exports that are safe to open in a spreadsheet: text cells that Excel would run as formulas are neutralised."""

from __future__ import annotations

import re

import pandas as pd

# A cell starting like a formula (=, +, @, tab, CR; or '-' not starting a number) would be evaluated by Excel, and
# so would their full-width forms (＝ ＋ － ＠), which Excel reads as the ASCII ones when typed with an East Asian IME.
_FORMULA_START = re.compile(r"^(?:[=+@\t\r\uff1d\uff0b\uff0d\uff20]|-(?![\d.,]+%?$))")


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


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as CSV in UTF-8 with a BOM (so Excel on Windows reads the Vietnamese letters), formulas neutralised."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Du lieu") -> bytes:
    """`frame` as an .xlsx workbook, formulas neutralised."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    return buffer.getvalue()
