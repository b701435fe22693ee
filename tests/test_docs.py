"""The README documents every ingestion limit with its default (as datasette's docs test does for settings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi.ingest.limits import LIMITS_TABLE, Limits

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "default"), [(row[0], row[1]) for row in LIMITS_TABLE])
def test_every_limit_is_in_the_readme_with_its_default(name: str, default: int) -> None:
    row = re.search(rf"^\| `{name}` \| ([\d,]+) ", README, re.MULTILINE)
    assert row, f"{name} is missing from the README's table of limits"
    assert int(row.group(1).replace(",", "")) == default


def test_limits_come_from_the_environment_when_set() -> None:
    limits = Limits.from_env({"KPI_LIMIT_MAX_ROWS": "3000000", "KPI_LIMIT_MAX_COLUMNS": "no", "KPI_LIMIT_X": "1"})
    assert limits.max_rows == 3_000_000
    assert limits.max_columns == Limits.defaults().max_columns  # not a number: the default stays
