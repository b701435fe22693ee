"""Property tests of file ingestion (Hypothesis): valid long-format files built from the 2024 plan's own unit and
indicator codes, written the many ways Excel and people write them, then damaged byte by byte.

For every generated file, `ingest` either rejects it cleanly (no exception, a blocking problem with a file line or
None, the store exactly as before) or loads it correctly (what is stored is what was checked, every figure lies in
its indicator's range, and a figure read from a line the damage did not touch is that line's figure). A file that
was not damaged always loads, with exactly its figures on exactly their lines. A differential property holds the
DuckDB and Python CSV readers to the same figures on regular files.

Each test function has one DuckDB store of its own, created once; accepted loads are undone so that every example
starts from the same current figures. Examples are few (the whole module runs in about a minute on two cores) and
no example database is kept (`database=None`); Hypothesis's own cache, `.hypothesis/`, is ignored by git by itself.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from kpi.bootstrap import open_store
from kpi.ingest import Checked, ingest_bytes
from kpi.plan import Indicator, Plan, load_plans
from kpi.revisions import undo_upload
from kpi.store import Store, current_figures
from tests.support import records, snapshot

PLANS: dict[int, Plan] = load_plans()
PLAN = PLANS[2024]
UNITS = [u.code for u in PLAN.units]
UNIT_NAMES = {u.code: u.name_vi for u in PLAN.units}
INDICATORS: dict[str, Indicator] = {i.code: i for i in PLAN.indicators}
YEARS = (PLAN.baseline_year, PLAN.year)  # a file may carry the plan's year and its baseline year
SECONDS = 8.0  # one example's bound; a check takes well under a second

Key = tuple[str, str, str]

# No shrinking phase: an example costs a check (about half a second), and shrinking a failure can take minutes;
# the examples are small anyway (at most seven figures and three damages), and `print_blob` reproduces one.
PROPERTY_SETTINGS = settings(max_examples=50, deadline=None, database=None, print_blob=True,
                             phases=[Phase.explicit, Phase.reuse, Phase.generate],
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])
DAMAGE_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=80)  # most are refused early, which is cheap
DIFFERENTIAL_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=30)


@pytest.fixture
def store(duck_url: str) -> Iterator[Store]:
    """One DuckDB store for the whole test function (all its examples)."""
    opened, _ = open_store(duck_url)
    yield opened
    opened.dispose()


# ---------------------------------------------------------------- the figures of a file

@dataclass(frozen=True)
class Fig:
    """One figure as the plan allows it: `value` within the indicator's range (whole for a count or rank), `>N` as
    qualifier '>' on a rank."""

    unit: str
    indicator: str
    year: int
    quarter: int
    value: Decimal
    qualifier: str | None
    note: str | None

    @property
    def key(self) -> Key:
        return self.unit, self.indicator, f"{self.year}-Q{self.quarter}"

    def expected(self, layout: Layout) -> tuple[float, str | None, str | None]:
        """(value, qualifier, note) as the store must hold them from a file in `layout`: a note is trimmed and
        normalised (NFC), and there is none in a file without a note column."""
        note = unicodedata.normalize("NFC", self.note).strip(" \t\n\xa0") if self.note else ""
        if "note" not in layout.columns:
            return float(self.value), self.qualifier, None
        return float(self.value), self.qualifier, note or None


VIETNAMESE = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
NOTE_ALPHABET = "abcdeghiklmnopqrstuvxyKTQ0123456789 ,;.:()/-+%\"'" + VIETNAMESE


def value_strategy(indicator: Indicator) -> st.SearchStrategy[tuple[Decimal, str | None]]:
    """A valid (value, qualifier) for `indicator`: within min–max, whole when it must be, `>N` (N < max) on a rank."""
    low, high = int(indicator.min), int(indicator.max)
    if indicator.integer:
        plain = st.integers(low, high).map(lambda n: (Decimal(n), None))
    else:  # hundredths: never three decimals, which would make 1.700 ambiguous
        plain = st.integers(low * 100, high * 100).map(lambda n: (Decimal(n).scaleb(-2), None))
    if indicator.kind == "rank_gain":
        censored = st.one_of(st.just(30), st.integers(low, high - 1)).map(lambda n: (Decimal(n), ">"))
        return st.one_of(plain, censored)
    return plain


@st.composite
def figures(draw: st.DrawFn, max_size: int = 7, line_breaks: bool = False) -> list[Fig]:
    """Figures with distinct unit × indicator × quarter keys; with `line_breaks`, notes may hold a line break."""
    alphabet = NOTE_ALPHABET + ("\n" if line_breaks else "")
    keys = draw(st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(sorted(INDICATORS)),
                                   st.sampled_from(YEARS), st.integers(1, 4)),
                         min_size=1, max_size=max_size, unique=True))
    out = []
    for unit, indicator, year, quarter in keys:
        value, qualifier = draw(value_strategy(INDICATORS[indicator]))
        note = draw(st.one_of(st.none(), st.text(alphabet, max_size=24)))
        out.append(Fig(unit, indicator, year, quarter, value, qualifier, note))
    return out


# ---------------------------------------------------------------- how a file writes them

HEADERS = {
    "unit": ["unit", "Mã đơn vị", "Ma don vi", "UNIT_CODE", "Mã ĐV"],
    "indicator": ["indicator", "Chỉ tiêu", "Mã chỉ tiêu", "indicator_code"],
    "period": ["period", "Kỳ báo cáo", "Kỳ", "Thời kỳ"],
    "value": ["value", "Giá trị", "Số liệu", "Kết quả"],
    "note": ["note", "Ghi chú", "Notes"],
}
EXTRA = {"Tên đơn vị": lambda f: UNIT_NAMES[f.unit], "Tên chỉ tiêu": lambda f: INDICATORS[f.indicator].name_vi,
         "STT": lambda f: "1"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
PERIOD_FORMS = [
    lambda y, q: f"{y}-Q{q}", lambda y, q: f"{y}-q{q}", lambda y, q: f"{y}Q{q}", lambda y, q: f"Q{q}/{y}",
    lambda y, q: f"Quý {ROMAN[q]}/{y}", lambda y, q: f"Quý {q}/{y}", lambda y, q: f"Quý {q} năm {y}",
]


@dataclass
class Layout:
    """Everything about how a file is written that must not change what it says."""

    columns: list[str]  # canonical names and extra column headers, in file order
    headers: dict[str, str]  # canonical name -> the header text used
    separator: str = ","
    newline: str = "\n"
    encoding: str = "utf-8"  # utf-8, utf-8-sig, utf-16 (with BOM), cp1258 (as Excel writes it)
    decimal: str = "dot"
    thousands: bool = False
    pad: bool = False  # spaces around codes and values
    recase: bool = False  # lower-case unit codes, upper-case indicator codes
    period_form: int = 0
    final_newline: bool = True
    leading_blank: int = 0  # blank lines before the header
    blank_after: frozenset[int] = frozenset()  # blank lines after these records (0 = header)
    repeat: int | None = None  # a record sent twice, identically


@st.composite
def layouts(draw: st.DrawFn, *, regular: bool = False) -> Layout:
    """A layout; `regular` keeps one record a line, the header on line 1 and no blank line (DuckDB's reader)."""
    with_note = draw(st.booleans()) or regular
    names = ["unit", "indicator", "period", "value"] + (["note"] if with_note else [])
    extras = draw(st.lists(st.sampled_from(sorted(EXTRA)), unique=True, max_size=2))
    columns = draw(st.permutations(names + extras))
    headers = {name: draw(st.sampled_from(HEADERS[name])) for name in names}
    layout = Layout(
        columns=list(columns), headers=headers,
        separator=draw(st.sampled_from([",", ";", "\t"])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"])),
        decimal=draw(st.sampled_from(["dot", "comma"])),
        thousands=draw(st.booleans()), pad=draw(st.booleans()), recase=draw(st.booleans()),
        period_form=draw(st.integers(0, len(PERIOD_FORMS) - 1)), final_newline=draw(st.booleans()),
    )
    if not regular:
        layout.leading_blank = draw(st.sampled_from([0, 0, 0, 1, 2]))
        layout.blank_after = frozenset(draw(st.lists(st.integers(0, 8), max_size=2)))
        layout.repeat = draw(st.one_of(st.none(), st.integers(0, 8)))
    return layout


def number_text(value: Decimal, layout: Layout) -> str:
    """`value` written with the layout's decimal mark: thousands grouped only where that says nothing ambiguous
    (a fraction, or seven digits and more: 1,234.5 and 1,234,567 are clear, 1,234 is not)."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    fraction = fraction.rstrip("0")
    point, group = (".", ",") if layout.decimal == "dot" else (",", ".")
    if layout.thousands and (fraction or len(whole) >= 7):
        whole = f"{int(whole):,}".replace(",", group)
    return sign + whole + (point + fraction if fraction else "")


def cells(fig: Fig, layout: Layout) -> list[str]:
    """The record of `fig` under `layout`."""
    unit = fig.unit.lower() if layout.recase else fig.unit
    indicator = fig.indicator.upper() if layout.recase else fig.indicator
    value = f">{int(fig.value)}" if fig.qualifier else number_text(fig.value, layout)
    note = fig.note or ""
    by_name = {"unit": unit, "indicator": indicator, "period": PERIOD_FORMS[layout.period_form](fig.year, fig.quarter),
               "value": value, "note": note}
    if layout.pad:
        by_name = {k: (f" {v} " if k != "note" else v) for k, v in by_name.items()}
    return [by_name[c] if c in by_name else EXTRA[c](fig) for c in layout.columns]


@dataclass
class Rendered:
    """A file's text and bytes, each record's first line, and each single-line record's text by key."""

    text: str
    data: bytes
    lines: dict[Key, int] = field(default_factory=dict)
    line_text: dict[Key, str] = field(default_factory=dict)


def _record(row: list[str], layout: Layout) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=layout.separator, lineterminator=layout.newline).writerow(row)
    return buffer.getvalue()


TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def excel_cp1258(text: str) -> bytes:
    """`text` in Windows-1258 as Excel writes it: letters the code page has precomposed stay so, the others are
    written as the letter without its tone and the tone as a combining mark (the file is read back as NFC)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return excel_cp1258(text)
    return text.encode(encoding)  # utf-16 writes its BOM, utf-8-sig its own


def render(figs: list[Fig], layout: Layout, *, blank_after_header: bool = False) -> Rendered:
    """The file for `figs` under `layout` (with `blank_after_header`, one blank line right after the header)."""
    header = [layout.headers.get(c, c) for c in layout.columns]
    parts = [layout.newline * layout.leading_blank, _record(header, layout)]
    line = layout.leading_blank + 1 + 1  # the first record's line
    if blank_after_header or 0 in layout.blank_after:
        parts.append(layout.newline)
        line += 1
    rendered = Rendered("", b"")
    order = list(figs)
    if layout.repeat is not None and figs:
        order.insert(layout.repeat % len(figs) + 1, figs[layout.repeat % len(figs)])
    for index, fig in enumerate(order, start=1):
        text = _record(cells(fig, layout), layout)
        rendered.lines.setdefault(fig.key, line)
        if text.count("\n") == 1:
            rendered.line_text.setdefault(fig.key, text.rstrip("\r\n"))
        parts.append(text)
        line += text.count("\n")
        if index in layout.blank_after:
            parts.append(layout.newline)
            line += 1
    rendered.text = "".join(parts)
    if not layout.final_newline:
        rendered.text = rendered.text[: -len(layout.newline)]
    rendered.data = encode(rendered.text, layout.encoding)
    return rendered


# ---------------------------------------------------------------- damage

PAYLOADS = [b",", b";", b"\t", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xc3", "ư".encode(),
            "\u202e".encode(), b" ", b">", b"<", b"%", b"-", b"+", b".", b",,", codecs.BOM_UTF8, b"\x07", b"e",
            b"9", b"\\", b"\n\n", b"\xfe\xff"]
Damage = tuple[str, int, bytes, bool]
damages = st.tuples(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "truncate", "cp1258"]),
                    st.integers(0, 10**9), st.sampled_from(PAYLOADS), st.sampled_from([True, True, True, False]))


def damage(data: bytes, how: Damage) -> bytes:
    """`data` with one kind of damage at a position (taken modulo the length; with `body`, after the first line
    break, so that most damaged files still have their header and some of them load)."""
    kind, where, payload, body = how
    start = data.find(b"\n") + 1 if body else 0
    at = start + where % (len(data) - start + 1)
    if kind == "delete":
        return data[:at] + data[at + 1:]
    if kind == "duplicate":
        return data[:at] + data[at:at + 1] * 2 + data[at + 1:]
    if kind == "swap":
        return data[:at] + data[at + 1:at + 2] + data[at:at + 1] + data[at + 2:]
    if kind == "insert":
        return data[:at] + payload + data[at:]
    if kind == "replace":
        return data[:at] + payload + data[at + 1:]
    if kind == "truncate":
        return data[:at]
    # cp1258: the lines from here on saved again in Windows-1258 (a part pasted from another file)
    start = data.rfind(b"\n", 0, at) + 1
    try:
        return data[:start] + excel_cp1258(data[start:].decode("utf-8"))
    except (UnicodeDecodeError, UnicodeEncodeError):
        return data


# ---------------------------------------------------------------- checking a result

def decoded_lines(data: bytes, encoding: str) -> list[str] | None:
    """The file's lines as the readers see them (CR, LF or CRLF ends a line), or None when it does not decode."""
    try:
        if encoding == "windows-1258":
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
        elif encoding == "utf-16":
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return [unicodedata.normalize("NFC", line) for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))]


def row_key(row: dict) -> Key:
    return row["unit"], row["indicator"], row["period"]


def assert_sane_rows(result: Checked) -> list[dict]:
    """Every figure an accepted file would write satisfies the plan; returns them as dicts."""
    rows = result.rows.to_pylist()
    assert len({row_key(r) for r in rows}) == len(rows)
    valid_periods = {f"{y}{part}" for y in YEARS for part in ("-Q1", "-Q2", "-Q3", "-Q4", "-H1", "-9M", "")}
    for row in rows:
        indicator = INDICATORS[row["indicator"]]
        assert row["unit"] in UNIT_NAMES and row["period"] in valid_periods, row
        assert indicator.min <= row["value"] <= indicator.max, row
        assert not indicator.integer or row["value"] == int(row["value"]), row
        assert row["qualifier"] in (None, ">"), row
        if row["qualifier"]:
            assert indicator.kind == "rank_gain" and row["value"] < indicator.max, row
        assert row["change"] == "new"  # every example starts from the same (empty) current figures
    return rows


def assert_clean_rejection(result: Checked, data: bytes) -> None:
    assert not result.ok and result.upload_id is None and result.blocking
    bound = data.count(b"\n") + data.count(b"\r") + 2
    for problem in result.problems:
        assert problem.line is None or 1 <= problem.line <= bound, (problem, bound)
        assert problem.describe("vi") and problem.describe("en")
    assert result.summary().startswith("Từ chối")


def stored(store: Store) -> dict[Key, tuple[float, str | None, str | None]]:
    """The current figures: (unit, indicator, period) -> (value, qualifier, note)."""
    with store.connect() as conn:
        frame = current_figures(conn)
    return {(r["unit"], r["indicator"], r["period"]): (r["value"], r["qualifier"], r["note"]) for r in records(frame)}


def ingest_and_restore(store: Store, data: bytes, name: str) -> Checked:
    """Ingest `data` for real within the time bound. A rejection must leave the store exactly as it was; an
    accepted file must store exactly the figures it was checked with, and is then undone (even when a check
    fails, so that Hypothesis replays a failure on the same store), which must bring back the current figures of
    before: none."""
    before = snapshot(store)
    started = time.monotonic()
    result = ingest_bytes(store, PLANS, data, name, source="cli")
    assert time.monotonic() - started < SECONDS
    if not result.ok:
        assert_clean_rejection(result, data)
        before.assert_same(snapshot(store))
        return result
    try:
        rows = assert_sane_rows(result)
        assert result.count("new") == len(rows) and result.count("revised") == result.count("unchanged") == 0
        assert {row_key(r): (r["value"], r["qualifier"], r["note"]) for r in rows} == stored(store)
    finally:
        if result.upload_id is not None:
            undo_upload(store, result.upload_id, "hypothesis")
    assert stored(store) == {}
    return result


# ---------------------------------------------------------------- properties

@PROPERTY_SETTINGS
@given(figs=figures(line_breaks=True), layout=layouts())
def test_a_valid_file_written_any_way_loads_exactly_its_figures_on_their_lines(store: Store, figs: list[Fig],
                                                                                layout: Layout) -> None:
    rendered = render(figs, layout)
    result = ingest_and_restore(store, rendered.data, "bao-cao.csv")
    assert result.ok, [p.describe("en") for p in result.problems]
    assert not result.blocking
    expected = {f.key: f.expected(layout) for f in figs}
    rows = result.rows.to_pylist()
    assert {row_key(r): (r["value"], r["qualifier"], r["note"]) for r in rows} == expected
    # The count of new figures is the number of distinct unit × indicator × period rows (a repeat counts once).
    assert result.count("new") == len(figs)
    # Each figure carries its record's first line in the file, blank lines and line breaks in notes counted.
    assert {row_key(r): r["line"] for r in rows} == rendered.lines


@DAMAGE_SETTINGS
@given(figs=figures(line_breaks=True), layout=layouts(), how=st.lists(damages, min_size=1, max_size=3))
def test_a_damaged_file_is_rejected_cleanly_or_loaded_correctly(store: Store, figs: list[Fig], layout: Layout,
                                                                 how: list[Damage]) -> None:
    rendered = render(figs, layout)
    data = rendered.data
    for one in how:
        data = damage(data, one)
    result = ingest_and_restore(store, data, "bao-cao.csv")
    event("accepted" if result.ok else f"refused: {result.blocking[0].code}")
    if not result.ok:
        return
    # A figure read from a line the damage did not touch is that line's figure, exactly.
    lines = decoded_lines(data, result.encoding)
    expected = {f.key: f.expected(layout) for f in figs}
    for row in result.rows.to_pylist():
        key = row_key(row)
        original = rendered.line_text.get(key)
        if lines is None or original is None or not 1 <= row["line"] <= len(lines):
            continue
        if lines[row["line"] - 1] == unicodedata.normalize("NFC", original):
            event("a figure from an untouched line checked")
            assert (row["value"], row["qualifier"], row["note"]) == expected[key], (row, original)


# ---------------------------------------------------------------- the two CSV readers agree

SPOILED = {"unit": ["TPK", "", "K T"], "indicator": ["tourist_arival", ""], "period": ["2024-Q5", "2024-H1", "2019"],
           "value": ["khoảng 3", "", "1,700", "1.700", "<30", "-1", "1e3", "101%"]}


@st.composite
def spoiled_figures(draw: st.DrawFn) -> tuple[list[Fig], dict[int, tuple[str, str]]]:
    """Figures and, for a few of them, one cell replaced by a wrong one (index -> (column, text))."""
    figs = draw(figures())
    spoil = draw(st.dictionaries(st.integers(0, len(figs) - 1),
                                 st.sampled_from(sorted(SPOILED)).flatmap(
                                     lambda c: st.tuples(st.just(c), st.sampled_from(SPOILED[c]))),
                                 max_size=2))
    return figs, spoil


def render_spoiled(figs: list[Fig], spoil: dict[int, tuple[str, str]], layout: Layout, blank: bool) -> bytes:
    """Like `render`, with the spoiled cells put in."""
    if not spoil:
        return render(figs, layout, blank_after_header=blank).data
    header = [layout.headers.get(c, c) for c in layout.columns]
    parts = [_record(header, layout)] + ([layout.newline] if blank else [])
    for index, fig in enumerate(figs):
        row = cells(fig, layout)
        if index in spoil:
            column, text = spoil[index]
            row[layout.columns.index(column)] = text
        parts.append(_record(row, layout))
    text = "".join(parts)
    if not layout.final_newline:
        text = text[: -len(layout.newline)]
    return encode(text, layout.encoding)


def comparable(result: Checked, shift: int) -> tuple[object, ...]:
    """What both readers must agree on: acceptance, the problems (lines after the header moved back by `shift`)
    and the figures without their line."""
    problems = sorted((p.code, p.line - shift if p.line and p.line > 1 else p.line, p.column, p.value)
                      for p in result.problems)
    rows = None
    if result.rows is not None:
        rows = sorted((tuple(v for k, v in r.items() if k != "line") for r in result.rows.to_pylist()), key=repr)
    return result.ok, result.counts, problems, rows


@DIFFERENTIAL_SETTINGS
@given(spoiled=spoiled_figures(), layout=layouts(regular=True))
def test_duckdb_and_python_readers_give_the_same_figures_on_regular_files(store: Store, spoiled, layout: Layout,
                                                                           ) -> None:
    figs, spoil = spoiled
    started = time.monotonic()
    fast = ingest_bytes(store, PLANS, render_spoiled(figs, spoil, layout, False), "bao-cao.csv", dry_run=True)
    # An empty line after the header: DuckDB's reader with its rows put back on their lines (no quote in the
    # file), or the exact reader (a quote: the empty line could be inside a note).
    blank = ingest_bytes(store, PLANS, render_spoiled(figs, spoil, layout, True), "bao-cao.csv", dry_run=True)
    with mock.patch("kpi.ingest.csv_grid._duckdb_read", return_value=False):  # the exact reader, always
        careful = ingest_bytes(store, PLANS, render_spoiled(figs, spoil, layout, False), "bao-cao.csv", dry_run=True)
    assert time.monotonic() - started < 3 * SECONDS
    assert (fast.reader, careful.reader) == ("duckdb", "python")
    event(f"empty line read by {blank.reader}")
    assert comparable(fast, 0) == comparable(careful, 0) == comparable(blank, 1)
    if not spoil:
        assert fast.ok, [p.describe("en") for p in fast.problems]


@pytest.mark.parametrize(("data", "reader", "line"), [
    # Line numbers counted by hand: header 1, an empty line 2, KT 3, the unknown XX on 4.
    (b"unit,indicator,period,value\n\nKT,tourist_arrivals,2024-Q1,12\nXX,tourist_arrivals,2024-Q1,12\n", "duckdb", 4),
    # CRLF: header 1, empty 2 and 3, KT 4, empty 5, XX 6, then empty lines at the end.
    (b"unit,indicator,period,value\r\n\r\n\r\nKT,tourist_arrivals,2024-Q1,12\r\n\r\n"
     b"XX,tourist_arrivals,2024-Q1,12\r\n\r\n\r\n", "duckdb", 6),
    # A quote: the note of line 3 runs to line 5 across an empty line, so XX is on 6 (the exact reader).
    (b'unit,indicator,period,value,note\n\nKT,tourist_arrivals,2024-Q1,12,"a\n\nb"\nXX,tourist_arrivals,2024-Q1,12,\n',
     "python", 6),
    # Every row followed by an empty line, more runs than a CASE takes (`FEW_BREAKS`): the 20 KT rows sit on lines
    # 2, 4, …, 40 and XX on 42.
    (b"unit,indicator,period,value\n" + b"KT,tourist_arrivals,2024-Q1,12\n\n" * 20
     + b"XX,tourist_arrivals,2024-Q1,12\n", "duckdb", 42),
], ids=["after-header", "crlf-everywhere", "inside-a-quoted-note", "after-every-row"])
def test_empty_lines_keep_every_row_on_its_own_line(store: Store, data: bytes, reader: str, line: int) -> None:
    result = ingest_bytes(store, PLANS, data, "bao-cao.csv", dry_run=True)
    assert result.reader == reader
    assert [(p.code, p.line) for p in result.problems] == [("unknown_unit", line)]


def test_a_row_with_a_trailing_empty_cell_goes_to_the_exact_reader_and_is_refused(store: Store) -> None:
    # DuckDB's reader reads one column more than the header; an extra cell, even empty, sends the file to the
    # exact reader, which names the row. Both spellings are then refused alike.
    rows = "unit,indicator,period,value,note\nKT,grdp_growth,2024-Q4,9,5,\n"
    regular = ingest_bytes(store, PLANS, rows.encode(), "bao-cao.csv", dry_run=True)
    blank = ingest_bytes(store, PLANS, rows.replace("note\n", "note\n\n").encode(), "bao-cao.csv", dry_run=True)
    assert (regular.reader, blank.reader) == ("python", "python")
    assert [(p.line, p.code) for p in regular.problems] == [(2, "extra_cells")]
    assert comparable(regular, 0) == comparable(blank, 1)
