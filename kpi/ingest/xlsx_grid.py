"""An .xlsx workbook's first visible sheet into `_grid`, reading only the cells that are there.

The workbook's parts are measured before anything is decompressed (a zip can promise a gigabyte from a few
kilobytes), and every XML part that can be large (the sheets, the shared strings) is streamed element by element
with each finished element dropped at once: memory follows one row of at most the header's width, never the part.
The clock is read every few thousand XML elements, empty ones included, so a sheet of empty rows is bounded in
time like one of figures. A stray cell at XFD1048576 costs one cell, never a grid sized by the furthest cell.
Cells right of the header's last column are ignored with a warning naming them. Numbers keep the value Excel
stores; a number formatted as a percentage is read as typed (58,5% is 58.5, as in a CSV).

A damaged workbook (XML that does not parse, a cell pointing at a shared string or style that does not exist, a
number no spreadsheet can hold) is refused with the cell where it was found, never with a traceback.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError, iterparse

import duckdb

from kpi.ingest.deadline import Deadline
from kpi.ingest.grid import Grid, GridWriter
from kpi.ingest.limits import Limits
from kpi.problems import Problem

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet._reader import WorkSheetParser

# A `%` in a number format scales the shown number by 100 unless it is quoted ("%") or escaped (\%).
_LITERALS = re.compile(r'"[^"]*"|\\.')
MAX_STRAY_WARNINGS = 20
#: What the file format itself allows (Excel's XFD1048576): a row or column past it is damage, not data, and it
#: bounds the cells of one row whatever the XML says.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
#: XML elements inside one cell or one shared string (rich text has a few per run): more is damage, and it keeps
#: the one element held whole small.
MAX_PARTS_IN_ONE = 10_000
#: How many XML events between two looks at the clock.
CLOCK_EVERY = 4_096
#: An encrypted (password-protected) workbook and an old .xls are both OLE compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _STRING, _PLAIN = f"{_NS}row", f"{_NS}c", f"{_NS}si", f"{_NS}t"


class _Strings(list):
    """Shared strings indexed only from the front: a cell's `-1` is damage, not the last string."""

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if index < 0:
            raise IndexError(index)
        return super().__getitem__(index)


class Damaged(Exception):
    """The workbook breaks its own format; `damage` says how (a key of the `problem.damage_*` messages)."""

    def __init__(self, damage: str) -> None:
        super().__init__(damage)
        self.damage = damage


def _measure(data: bytes, limits: Limits) -> Problem | None:
    """A problem when the workbook is not an .xlsx zip, has too many parts, or would unpack past the limit."""
    if data.startswith(OLE_MAGIC):
        return Problem("workbook_ole")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem("not_workbook")
    names = {part.filename for part in parts}
    if "mimetype" in names and "[Content_Types].xml" not in names:
        return Problem("workbook_ods")  # OpenDocument (LibreOffice's own format) names its type in `mimetype`
    if len(parts) > limits.max_parts:
        return Problem("workbook_too_large", params={"n": len(parts), "limit": limits.max_parts, "what": "parts"})
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        return Problem("workbook_too_large",
                       params={"n": unpacked, "limit": limits.max_unpacked_bytes, "what": "bytes"})
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: object, percent: bool) -> float | None:
    """The cell's number as stored (×100 when formatted as a percentage); Damaged for one no spreadsheet holds."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        number = float(Decimal(repr(value)) * 100) if percent else float(value)
    except OverflowError:
        raise Damaged("number") from None
    if not math.isfinite(number):  # 401 digits, 1e999, inf: Excel stores a double and writes none of these
        raise Damaged("number")
    return number


def _elements(source: IO[bytes], whole: str, deadline: Deadline) -> Iterator[tuple[str, Element]]:
    """("start" | "end", element) of the XML in `source`, each element forgotten once its end has been handled.

    Elements named `whole` (a cell, a shared string) are held until their end so that their content can be read,
    and may hold at most MAX_PARTS_IN_ONE elements; inside them nothing is yielded. Elements already handled are
    dropped from their parent (ElementTree keeps the whole tree otherwise: 60 million empty rows were 5 GB)."""
    stack: list[Element] = []
    inside = 0  # elements open inside the current `whole` element, itself included
    parts = 0
    for events, (event, element) in enumerate(iterparse(source, events=("start", "end"))):
        if events % CLOCK_EVERY == 0:
            deadline.check()
        if event == "start":
            stack.append(element)
            if inside:
                inside += 1
                parts += 1
                if parts > MAX_PARTS_IN_ONE:
                    raise Damaged("too_many_parts")
                continue
            if element.tag == whole:
                inside, parts = 1, 0
            yield event, element
            continue
        stack.pop()
        if inside:
            inside -= 1
            if inside:
                continue
        yield event, element
        if stack:
            stack[-1].clear()


def read_shared_strings(source: IO[bytes], limits: Limits, deadline: Deadline) -> _Strings | Problem:
    """The workbook's shared strings, held to `max_shared_strings` strings and `max_shared_chars` characters."""
    from openpyxl.cell.text import Text

    strings = _Strings()
    chars = 0
    for event, element in _elements(source, _STRING, deadline):
        if event != "end" or element.tag != _STRING:
            continue
        # As openpyxl reads them: the text of every run, phonetic hints left out, Excel's x005F_ escape undone.
        # A plain string (one <t>, by far the most common) skips openpyxl's object model, 10× slower per string.
        only = element[0] if len(element) == 1 else None
        plain = only is not None and only.tag == _PLAIN
        text = ((only.text or "") if plain else Text.from_tree(element).content).replace("x005F_", "")
        chars += len(text)
        if len(strings) >= limits.max_shared_strings:
            return Problem("too_many_shared_strings", params={"limit": limits.max_shared_strings})
        if chars > limits.max_shared_chars:
            return Problem("shared_strings_too_long", params={"limit": limits.max_shared_chars})
        strings.append(text)
    return strings


@dataclass
class _Sheet:
    """One sheet's rows as they stream: `width` is how many columns are kept (the header's once it is known);
    present cells right of it are counted in `furthest` and the first few kept in `strays`, never in a row."""

    width: int
    strays: list[tuple[int, int, object]] = field(default_factory=list)
    furthest: int = 0
    row: int = 0  # the row being read, as the sheet numbers it
    column: int = 0  # the cell being read (0 before the first)

    def rows(self, source: IO[bytes], read_cell: Callable[[Element], tuple[object, float | None]],
             deadline: Deadline, max_rows: int) -> Iterator[tuple[int, list[tuple[int, object, float | None]]]]:
        """(row number, [(column, value, number)] of the row's non-empty cells up to `width`) for every row
        element, empty ones included; Damaged for a row or cell the format does not allow, TooManyRows past
        `max_rows` + 1 row elements (the header's included)."""
        cells: list[tuple[int, object, float | None]] = []
        count = 0
        row_elements = 0
        for event, element in _elements(source, _CELL, deadline):
            tag = element.tag
            if tag == _ROW:
                if event == "start":
                    row_elements += 1
                    if row_elements > max_rows + 1:
                        raise TooManyRows
                    self.row = _row_number(element.get("r"), self.row)
                    self.column, count, self.furthest = 0, 0, 0
                    cells = []
                else:
                    yield self.row, cells
                    self.column = 0
            elif tag == _CELL and self.row:
                if event == "start":
                    count += 1
                    if count > EXCEL_COLUMNS:
                        raise Damaged("position")
                    self.column = _column_number(element.get("r"), self.column)
                    continue
                value, number = read_cell(element)
                if value is None or str(value).strip() == "":
                    continue
                if self.column > self.width:  # counted and perhaps named, never kept
                    self.furthest = max(self.furthest, self.column)
                    if len(self.strays) < MAX_STRAY_WARNINGS:
                        self.strays.append((self.row, self.column, value))
                    continue
                cells.append((self.column, value, number))


class TooManyRows(Exception):
    """The sheet has more row elements than `max_rows` allows."""


def _row_number(attribute: str | None, previous: int) -> int:
    """The row's number: its `r`, else the one after the previous row (as Excel writes them)."""
    if attribute is None:
        number = previous + 1
    elif attribute.isdigit():
        number = int(attribute)
    else:
        raise Damaged("position")
    if not 1 <= number <= EXCEL_ROWS:
        raise Damaged("position")
    return number


def _column_number(reference: str | None, previous: int) -> int:
    """The cell's column: from its `r` (B7 → 2), else the one after the previous cell."""
    from openpyxl.utils.cell import column_index_from_string

    if reference is None:
        number = previous + 1
    else:
        letters = reference.rstrip("0123456789")
        digits = reference[len(letters):]
        if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii() or not digits.isdigit():
            raise Damaged("position")
        number = column_index_from_string(letters.upper())
    if number > EXCEL_COLUMNS:
        raise Damaged("position")
    return number


def _percent_styles(book: Workbook) -> list[bool]:
    """For each cell style of the workbook, whether its number format shows a percentage."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    percent = []
    for style in book._cell_styles:  # noqa: SLF001 - the styles openpyxl read, as its read-only cells use them
        number_id = style.numFmtId
        if number_id < BUILTIN_FORMATS_MAX_SIZE:
            number_format = BUILTIN_FORMATS.get(number_id, "General")
        else:
            formats = book._number_formats  # noqa: SLF001
            index = number_id - BUILTIN_FORMATS_MAX_SIZE
            number_format = formats[index] if index < len(formats) else "General"
        percent.append("%" in _LITERALS.sub("", number_format or ""))
    return percent or [False]  # a workbook without a style sheet has the default style 0 only


def _damaged(damage: str, sheet: _Sheet | None = None) -> Problem:
    """The problem for a damaged workbook, at the row and cell being read when the damage showed."""
    from openpyxl.utils import get_column_letter

    line = sheet.row or None if sheet else None
    column = get_column_letter(sheet.column) if sheet and sheet.row and 1 <= sheet.column <= EXCEL_COLUMNS else None
    return Problem("workbook_damaged", line=line, column=column, params={"damage": damage})


def read_xlsx_grid(con: duckdb.DuckDBPyConnection, data: bytes, limits: Limits, deadline: Deadline,
                   ) -> Grid | Problem:
    """Fill `_grid` in `con` from the workbook's first visible sheet; returns the Grid or the Problem that stops
    it. Other visible sheets holding cells are named in a warning."""
    problem = _measure(data, limits)
    if problem is not None:
        return problem
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    sheet: _Sheet | None = None
    try:
        # openpyxl's reader one step at a time: the manifest, workbook and styles are small and read whole; the
        # shared strings (which load_workbook reads unbounded) are read here, held to the limits.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            reader.read_manifest()
            part = reader.package.find(SHARED_STRINGS)
            strings: _Strings | Problem = _Strings()
            if part is not None:
                with reader.archive.open(part.PartName[1:]) as source:
                    strings = read_shared_strings(source, limits, deadline)
            if isinstance(strings, Problem):
                return strings
            reader.read_workbook()
            book = reader.wb
            apply_stylesheet(reader.archive, book)
            names = set(reader.archive.namelist())
            visible = [(entry.name, rel.target) for entry, rel in reader.parser.find_sheets()
                       if "chartsheet" not in rel.Type and rel.target in names and entry.state == "visible"]
            if not visible:
                return Problem("no_visible_sheet")
            from openpyxl.worksheet._reader import WorkSheetParser

            # The cell parser behind openpyxl's read-only mode: each cell's type, shared string and date as
            # openpyxl reads them; the rows around it are streamed above.
            cells = WorkSheetParser(None, strings, data_only=True, epoch=book.epoch,
                                    date_formats=book._date_formats,  # noqa: SLF001
                                    timedelta_formats=book._timedelta_formats)  # noqa: SLF001
            percent = _percent_styles(book)
            sheet = _Sheet(limits.max_columns)
            with reader.archive.open(visible[0][1]) as source:
                grid = _stream(con, source, sheet, _cell_reader(cells, percent, sheet), limits, deadline)
            sheet = None
            if isinstance(grid, Grid):
                others = [name for name, target in visible[1:]
                          if _holds_cells(reader.archive, target, _cell_reader(cells, percent, None), deadline)]
                if others:
                    grid.problems.append(Problem("other_sheets", blocking=False,
                                                 params={"first": visible[0][0], "sheets": ", ".join(others)}))
            return grid
        finally:
            reader.archive.close()
    except TooManyRows:
        return Problem("too_many_sheet_rows", params={"limit": limits.max_rows})
    except Damaged as damage:
        return _damaged(damage.damage, sheet)
    except ParseError:
        return _damaged("xml", sheet)
    except (zipfile.BadZipFile, zlib.error, EOFError):
        return _damaged("unpack", sheet)
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError):
        # openpyxl reading a damaged workbook.xml, manifest or style sheet raises any of these
        return _damaged("structure", sheet)


def _cell_reader(cells: WorkSheetParser, percent: list[bool], sheet: _Sheet | None,
                 ) -> Callable[[Element], tuple[object, float | None]]:
    """parse_cell for one sheet: a cell's value and (as `number`) its number; Damaged for a cell pointing at a
    shared string or style that does not exist, or holding what its type cannot be."""
    parse_cell = cells.parse_cell

    def read(element: Element) -> tuple[object, float | None]:
        if sheet is not None:
            # openpyxl counts cells without a reference itself; it must count from the cell being read.
            cells.row_counter, cells.col_counter = sheet.row, sheet.column - 1
        try:
            cell = parse_cell(element)
        except IndexError:
            raise Damaged("shared_string") from None
        except (ValueError, TypeError, OverflowError, AttributeError):
            raise Damaged("cell") from None
        style = cell["style_id"] or 0
        if not 0 <= style < len(percent):
            raise Damaged("style")
        return cell["value"], _number(cell["value"], percent[style])

    return read


def _holds_cells(archive: zipfile.ZipFile, target: str, read_cell: Callable[[Element], tuple[object, float | None]],
                 deadline: Deadline) -> bool:
    """Whether the sheet at `target` has a non-empty cell; a sheet that cannot be read is said to (it may)."""
    try:
        with archive.open(target) as source:
            for event, element in _elements(source, _CELL, deadline):
                if event == "end" and element.tag == _CELL:
                    value = read_cell(element)[0]
                    if value is not None and str(value).strip() != "":
                        return True
    except (Damaged, ParseError, zipfile.BadZipFile, zlib.error, EOFError):
        return True
    return False


def _stream(con: duckdb.DuckDBPyConnection, source: IO[bytes], sheet: _Sheet,
            read_cell: Callable[[Element], tuple[object, float | None]], limits: Limits, deadline: Deadline,
            ) -> Grid | Problem:
    from openpyxl.utils import get_column_letter

    grid: Grid | None = None
    writer: GridWriter | None = None
    for row_index, present in sheet.rows(source, read_cell, deadline, limits.max_rows):
        if grid is None:
            if sheet.furthest > limits.max_columns:
                return Problem("too_many_columns", line=row_index,
                               params={"n": sheet.furthest, "limit": limits.max_columns})
            if not present:
                continue
            width = max(column for column, _, _ in present)
            header = [""] * width
            for column, value, _ in present:
                header[column - 1] = str(_text(value)).strip()
            grid = Grid(header, row_index, "xlsx", numbers=True, reader="openpyxl")
            writer = GridWriter(con, width, numbers=True)
            sheet.width = width
            continue
        if present:
            row_text: list[str | None] = [None] * grid.width
            row_number: list[float | None] = [None] * grid.width
            for column, value, number in present:
                row_text[column - 1] = _text(value)
                row_number[column - 1] = number
            writer.add(row_index, row_text, row_number)
    if grid is None or writer is None:
        return Problem("empty_file")
    writer.close()
    grid.problems.extend(Problem("stray_cell", line=row, column=get_column_letter(column),
                                 value=str(_text(value))[:80], blocking=False) for row, column, value in sheet.strays)
    return grid
