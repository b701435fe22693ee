"""Small value helpers shared by the plan, ingestion and evaluation: censored figures such as a rank `>30`."""

from __future__ import annotations

import re

#: The decimal marks a figure file may use (`kpi ingest --decimal`, decided per file in kpi.ingest.typed).
DECIMALS = ("comma", "dot")

_CENSORED = re.compile(r"^\s*(?P<q>[<>])\s*(?P<n>\d+(?:\.\d+)?)\s*$")


def parse_censored(raw: float | int | str) -> tuple[float, str | None]:
    """Split `>30` into (30.0, '>'); a plain number gives (value, None). Raises ValueError on other text."""
    if isinstance(raw, (int, float)):
        return float(raw), None
    match = _CENSORED.match(raw)
    if match:
        return float(match["n"]), match["q"]
    return float(raw), None


def plain_number(number: float) -> str:
    """`30` for 30.0, `2.5` for 2.5: a number as a message shows it, without a needless `.0`."""
    return str(int(number)) if float(number).is_integer() else str(number)


def number_or_none(value: object) -> float | None:
    """`value` as a float, or None for None and NaN (a missing figure in an evaluated row)."""
    return None if value is None or (isinstance(value, float) and value != value) else float(value)
