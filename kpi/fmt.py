"""Number formats: Vietnamese by default (1.700.000; 63,7), English on request (1,700,000; 63.7).

Babel carries CLDR's locale data, so the separators come from the standard rather than from hand-written rules.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

_LOCALE = {"vi": "vi_VN", "en": "en_US"}
#: Plotly's `layout.separators`: decimal mark then thousands separator.
PLOTLY_SEPARATORS = {"vi": ",.", "en": ".,"}


def format_number(value: float | int | None, lang: str = "vi", decimals: int = 1, *, fixed: bool = False) -> str:
    """`value` with up to `decimals` decimals in the language's format (exactly `decimals` when `fixed`, as a
    report writes "85,0%"); '—' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * decimals if decimals > 0 else "")
    # Reports round half up (95,25 → 95,3); Babel alone would round half to even.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = Decimal(0)  # no "-0"
    return format_decimal(rounded, format=pattern, locale=_LOCALE[lang])


def format_percent(value: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """`value` (already in %) as e.g. `63,7%`; '—' when missing."""
    text = format_number(value, lang, decimals)
    return text if text == "—" else f"{text}%"


def format_figure(value: float | None, qualifier: str | None, lang: str = "vi", decimals: int = 1) -> str:
    """A stored figure with its censoring, e.g. `>30` for a rank known only to be below 30th."""
    text = format_number(value, lang, decimals)
    return f"{qualifier}{text}" if isinstance(qualifier, str) and qualifier and text != "—" else text


#: Vietnam has one time zone and no daylight saving: UTC+7 all year.
VIETNAM = timezone(timedelta(hours=7), "UTC+7")


def format_time(stamp: datetime | None) -> str:
    """A stored UTC time (naive) as Vietnam time, labelled: `04/11/2024 23:00 (UTC+7)`; '' for None."""
    if stamp is None or stamp != stamp:  # None or NaT
        return ""
    return stamp.replace(tzinfo=UTC).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") + " (UTC+7)"


def format_day(stamp: datetime) -> str:
    """A stored UTC time (naive) as its day in Vietnam: `05/11/2024` for 4 November 2024 at 17:00 UTC."""
    return stamp.replace(tzinfo=UTC).astimezone(VIETNAM).strftime("%d/%m/%Y")


def vietnam_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Vietnam, as the naive UTC time the store keeps (17:00 the day before)."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC).replace(tzinfo=None)
