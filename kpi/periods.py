"""Reporting periods: parse, order and describe `2024`, `2024-Q1`…`2024-Q4`, `2024-H1`, `2024-9M`.

A stored figure belongs to a quarter or a year. `2024-H1` (6 tháng) and `2024-9M` (9 tháng) are cumulative views
over the quarters, asked for in the scorecard but never stored as submissions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kpi.text import strip_diacritics

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
        """True when a submission may carry this period (a quarter or a year, not H1/9M)."""
        return not self.view

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


def spelling_key(text: str) -> str:
    """The form periods are matched in: lower case, no diacritics (đ → d), no white space.

    `Quý I/2024` → `quyi/2024`; the SQL check computes the same key with strip_accents.
    """
    return "".join(strip_diacritics(text).lower().split())


def period_spellings(years: range | list[int]) -> list[tuple[str, str, int, int, bool]]:
    """Every accepted spelling of every period of `years`, as (key, canonical code, year, quarter, storable).

    Quarters: `2024-Q1`, `2024Q1`, `Q1/2024`, `Q1-2024`, `Quý I/2024`, `Quý 1/2024`, `Quý 1 năm 2024`, `Quý I năm
    2024`; years: `2024`, `Năm 2024`; the cumulative views `2024-H1`, `6 tháng 2024`, `2024-9M`, `9 tháng 2024`
    (recognised so that the error can say they are views, not submissions).
    """
    rows: list[tuple[str, str, int, int, bool]] = []
    for y in years:
        rows += [(f"{y}", f"{y}", y, 0, True), (f"nam{y}", f"{y}", y, 0, True)]
        for q in (1, 2, 3, 4):
            code = f"{y}-Q{q}"
            forms = {f"{y}-q{q}", f"{y}q{q}", f"q{q}/{y}", f"q{q}-{y}", f"q{q}.{y}"}
            for n in (str(q), _ROMAN[q]):
                forms |= {f"quy{n}/{y}", f"quy{n}-{y}", f"quy{n}nam{y}", f"quy{n}.{y}"}
            rows += [(form, code, y, q, True) for form in sorted(forms)]
        for view, months, q in (("H1", 6, 2), ("9M", 9, 3)):
            for form in (f"{y}-{view.lower()}", f"{months}thang{y}", f"{months}thangnam{y}", f"{months}thangdaunam{y}"):
                rows.append((form, f"{y}-{view}", y, q, False))
    return rows


@functools.cache
def spelling_keys() -> frozenset[str]:
    """The keys of every accepted period spelling of `SPELLING_YEARS` (to spot period columns of a wide file)."""
    return frozenset(row[0] for row in period_spellings(SPELLING_YEARS))
