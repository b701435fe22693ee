"""Reporting periods: parse, order and describe `2024`, `2024-Q1`…`2024-Q4`, `2024-H1`, `2024-9M`; read the many
ways units write them.

Every period can be submitted. A quarter's figure covers that quarter; `2024-H1` (6 tháng đầu năm), `2024-9M`
(9 tháng, "lũy kế đến hết quý III") and the year `2024` are cumulative: they count from 1 January. A stored figure
keeps its period code, its year, and as `quarter` the last quarter it covers, 0 for the year (`2024-H1` → 2,
`2024-9M` → 3, `2024-Q3` → 3, `2024` → 0); `span_end` and `is_cumulative` say the rest, one rule for every reader.

A spelling may start with `Ước`, `Ước tính` or `Ước thực hiện` (an estimate of that period: `Ước cả năm 2024`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpi.text import strip_diacritics

if TYPE_CHECKING:  # the ingest path imports this module and must not pay for pandas
    import pandas as pd

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H1|9M))?$")
_THROUGH = {"H1": 2, "9M": 3}


@dataclass(frozen=True, order=True)
class Period:
    """A period: `year`, and `quarter` 1–4 for a quarter, 0 for the whole year; `view` names a cumulative view."""

    year: int
    quarter: int = 0
    view: str = ""

    @property
    def is_year(self) -> bool:
        """True for a whole year."""
        return self.quarter == 0

    @property
    def through_quarter(self) -> int:
        """The last quarter the period covers (4 for a year)."""
        return 4 if self.quarter == 0 else self.quarter

    @property
    def storable(self) -> bool:
        """True: a submission may carry any period, a quarter, `H1`, `9M` (cumulative figures) or a year."""
        return True

    def __str__(self) -> str:
        if self.view:
            return f"{self.year}-{self.view}"
        return f"{self.year}" if self.quarter == 0 else f"{self.year}-Q{self.quarter}"


def parse_period(text: str) -> Period:
    """Parse a canonical period code (`2024`, `2024-Q3`, `2024-H1`, `2024-9M`); raises ValueError otherwise."""
    match = _PATTERN.match(text.strip().upper())
    if not match:
        raise ValueError(f"not a period: {text!r}")
    year = int(match["year"])
    part = match["part"]
    if part is None:
        return Period(year)
    if part in _THROUGH:
        return Period(year, _THROUGH[part], part)
    return Period(year, int(part[1]))


def period_label(period: Period | str, lang: str = "vi") -> str:
    """A human label: `Quý III/2024`, `6 tháng 2024`, `Năm 2024` (vi) or `Q3 2024`, `H1 2024`, `Year 2024` (en)."""
    p = parse_period(period) if isinstance(period, str) else period
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
    if lang == "en":
        if p.view == "H1":
            return f"H1 {p.year}"
        if p.view == "9M":
            return f"9 months {p.year}"
        return f"Year {p.year}" if p.is_year else f"Q{p.quarter} {p.year}"
    if p.view == "H1":
        return f"6 tháng {p.year}"
    if p.view == "9M":
        return f"9 tháng {p.year}"
    return f"Năm {p.year}" if p.is_year else f"Quý {roman[p.quarter]}/{p.year}"


_ROMAN = {1: "i", 2: "ii", 3: "iii", 4: "iv"}
#: Years whose spellings are recognised (a recognised period outside the plans gets its own, clearer error).
SPELLING_YEARS = range(1990, 2101)
#: Keys of the words that make a spelling an estimate: `Ước`, `Ước tính`, `Ước thực hiện` (+ any accepted form).
ESTIMATE_PREFIXES = ("uoc", "uoctinh", "uocthuchien")
#: Keys of "lũy kế" (also spelled "luỹ kế"), "lũy kế đến", "lũy kế đến hết" before a quarter end or a month count.
TO_DATE_PREFIXES = ("luyke", "luykeden", "luykedenhet")
#: The code suffix of a cumulative figure through quarter 1–4: the first quarter is its own year to date.
_TO_DATE_PART = {1: "-Q1", 2: "-H1", 3: "-9M", 4: ""}
_YEAR_IN_KEY = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")


def spelling_key(text: str) -> str:
    """The form periods are matched in: lower case, no diacritics (đ → d), no white space.

    `Quý I/2024` → `quyi/2024`, `Lũy kế quý III/2024` and `Luỹ kế quý III/2024` → `luykequyiii/2024`; the SQL
    check computes the same key with strip_accents.
    """
    return "".join(strip_diacritics(text).lower().split())


def _quarter_forms(q: int) -> set[str]:
    """Keys of quarter `q` with `{y}` for the year: `2024-q1`, `2024q1`, `q1/2024`, `quyi/2024`, `quy1nam2024`…"""
    forms = {f"{{y}}-q{q}", f"{{y}}q{q}", f"q{q}/{{y}}", f"q{q}-{{y}}", f"q{q}.{{y}}"}
    for n in (str(q), _ROMAN[q]):
        forms |= {f"quy{n}/{{y}}", f"quy{n}-{{y}}", f"quy{n}nam{{y}}", f"quy{n}.{{y}}"}
    return forms


def _to_date_forms(e: int) -> set[str]:
    """Keys of the figure from 1 January to the end of quarter `e`: `6 tháng 2024`, `6 tháng đầu năm 2024`,
    `lũy kế quý II/2024`, `lũy kế đến hết quý II/2024`, `lũy kế 6 tháng 2024`…"""
    months = {f"{3 * e}thang{{y}}", f"{3 * e}thangnam{{y}}", f"{3 * e}thangdaunam{{y}}"}
    # "Lũy kế" goes with the forms that name a quarter in words or as Q3/2024, and with the month counts.
    ends = {f for f in _quarter_forms(e) if f.startswith("q")} | months
    return months | {prefix + form for prefix in TO_DATE_PREFIXES for form in ends}


@functools.cache
def spelling_forms() -> dict[str, tuple[str, int, bool]]:
    """Every accepted spelling as a key with `{y}` in place of the year: form → (code suffix, quarter, estimate).

    Quarters (`-Q1`…`-Q4`): `2024-Q1`, `2024Q1`, `Q1/2024`, `Q1-2024`, `Quý I/2024`, `Quý 1/2024`, `Quý 1 năm 2024`,
    `Quý I năm 2024`. Cumulative to a quarter end (`-Q1`, `-H1`, `-9M`, and the year ``): `6 tháng 2024`,
    `6 tháng đầu năm 2024`, `2024-H1`, `9 tháng 2024`, `2024-9M`, `Lũy kế quý III/2024`, `lũy kế đến hết quý
    III/2024`, `lũy kế 9 tháng 2024`, `Lũy kế quý IV/2024` (the year), `3 tháng đầu năm 2024` (the first quarter).
    Years: `2024`, `Năm 2024`, `Cả năm 2024`. Each also with `Ước`, `Ước tính` or `Ước thực hiện` in front: the
    same period, an estimate.
    """
    official: dict[str, tuple[str, int]] = {}
    for q in (1, 2, 3, 4):
        official |= {form: (f"-Q{q}", q) for form in _quarter_forms(q)}
    for e, part in _TO_DATE_PART.items():
        official |= {form: (part, e if e < 4 else 0) for form in _to_date_forms(e)}
    official |= {"{y}-h1": ("-H1", 2), "{y}-9m": ("-9M", 3), "{y}": ("", 0), "nam{y}": ("", 0),
                 "canam{y}": ("", 0)}
    forms = {form: (part, quarter, False) for form, (part, quarter) in official.items()}
    forms |= {prefix + form: (part, quarter, True) for form, (part, quarter) in official.items()
              for prefix in ESTIMATE_PREFIXES}
    return forms


def period_spellings(years: range | list[int]) -> list[tuple[str, str, int, int, bool]]:
    """Every accepted spelling of every period of `years` (see `spelling_forms`), as (key, canonical code, year,
    quarter, estimate); `quarter` is the last quarter the period covers, 0 for a year."""
    return [(form.replace("{y}", str(y)), f"{y}{part}", y, quarter, estimate)
            for y in years for form, (part, quarter, estimate) in spelling_forms().items()]


def parse_spelling(text: str) -> tuple[str, bool] | None:
    """The canonical code of a period as a unit writes it, and whether it is an estimate: `Ước thực hiện 6 tháng
    2024` → (`2024-H1`, True), `Lũy kế quý IV/2024` → (`2024`, False); None when it is no accepted spelling of a
    year of `SPELLING_YEARS`."""
    key = spelling_key(text)
    years = _YEAR_IN_KEY.findall(key)
    if len(years) != 1 or int(years[0]) not in SPELLING_YEARS:
        return None
    found = spelling_forms().get(_YEAR_IN_KEY.sub("{y}", key))
    return None if found is None else (f"{years[0]}{found[0]}", found[2])


def span_end(period_code: str) -> int:
    """The last quarter (1–4) a stored figure of `period_code` covers: `2024-Q3` → 3, `2024-9M` → 3, `2024` → 4."""
    return parse_period(period_code).through_quarter


def is_cumulative(period_code: str) -> bool:
    """True when a figure of `period_code` counts from 1 January (`2024-H1`, `2024-9M`, `2024`); a quarter figure
    covers its quarter alone (the first quarter's happens to start on 1 January as well)."""
    p = parse_period(period_code)
    return p.is_year or bool(p.view)


def cumulative_flags(period_codes: pd.Series) -> pd.Series:
    """`is_cumulative` of each code in a column of period codes (bool): worked out once per distinct code (a
    handful), not once per row of a million."""
    return period_codes.map({code: is_cumulative(code) for code in period_codes.unique()}).astype(bool)
