"""What the printed review report says, in order, as a list of blocks both printers lay out (`kpi.report.docx_doc`
for Word, `kpi.report.pdf` for PDF): the masthead, the title, section I with a part per unit (the table, the chart,
the sentences), the sections people write (II, III), and the reports not received. Every word and figure is decided
here, so the .docx and the PDF cannot say different things.

All text is NFC: a name typed with combining accents (e + ◌̂ + ◌́) becomes the precomposed letter (ế) the fonts
draw as one glyph.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from kpi.emulation_view import proposal_table, proposals_shown, rules_text
from kpi.fmt import VIETNAM, format_figure, format_number, format_time
from kpi.i18n import t
from kpi.periods import period_label
from kpi.report.content import Review, Section
from kpi.report.images import chromium_path
from kpi.report.sentences import report_period

#: The section table's columns: (heading key, the section's column, width in cm, alignment). The widths add up to
#: 16 cm, an A4 page's text width between margins of 3 cm (left) and 2 cm (right); the narrow ones are as wide as
#: their longest word needs ("STT", "trước", "Measure"), so that no word is broken.
COLUMNS = (("rcol.no", None, 0.9, "C"), ("col.indicator", "name", 3.6, "L"), ("col.measure", "measure", 1.6, "L"),
           ("rcol.plan", "plan_target", 1.9, "R"), ("rcol.period_value", "period_value", 1.7, "R"),
           ("rcol.cumulative", "cumulative", 1.7, "R"), ("rcol.pct_plan", "pct_of_plan", 1.3, "R"),
           ("rcol.pct_last_year", "pct_of_last_year", 1.3, "R"), ("col.status", "status_text", 2.0, "L"))
TEXT_WIDTH_CM = 16.0
_PERCENTS = {"pct_of_plan", "pct_of_last_year"}
_FIGURES = {"period_value", "cumulative"}


def nfc(text: object) -> str:
    """`text` as a string in Unicode's composed form (NFC)."""
    return unicodedata.normalize("NFC", str(text))


@dataclass(frozen=True)
class Masthead:
    """Top of the first page: on the left the parent body (may be empty), the issuing office and the report's
    number line (may be empty); on the right the state, its motto and the place and date."""

    parent: str
    issuer: str
    number: str
    state: str
    motto: str
    date: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `style` is one of title, subtitle, plan, dates, body, label (a bold line), note."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for the report's parts (I., II., …), level 2 for a unit's part of section I."""

    text: str
    level: int


@dataclass(frozen=True)
class Table:
    """A grid: headings, rows of cell texts, each column's width (cm) and alignment (L, C or R)."""

    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    align: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    """A chart's PNG at the text's width, or (png None) the note that stands in its place."""

    png: bytes | None
    note: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class WritingSpace:
    """Room left empty for people to write in: `lines` blank lines."""

    lines: int


Block = Masthead | Paragraph | Heading | Table | Chart | Bullets | WritingSpace


def _date(stamp: datetime, lang: str) -> str:
    """`ngày 05 tháng 7 năm 2024`: day and month as a Vietnamese office writes them, with a leading zero on a day
    below 10 and on January and February (Nghị định 30/2020/NĐ-CP), in Vietnam time."""
    local = stamp.astimezone(VIETNAM)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return t("doc.date", lang, day=f"{local.day:02d}", month=month, year=local.year)


def _cell(row: dict, field: str | None, number: int, decimals: int, lang: str) -> str:
    """One cell's text: the row number, a figure in the language's format (an estimate followed by `(ước)`), a
    share in % with one decimal, or the text; empty where the report has no figure."""
    if field is None:
        return str(number)
    value = row[field]
    if field in _PERCENTS or field in _FIGURES:
        if value is None or value != value:  # None or NaN: no figure, an empty cell as on paper
            return ""
        if field in _PERCENTS:
            return format_number(value, lang, 1, fixed=True)
        text = format_figure(value, row.get("qualifier") or None, lang, decimals)  # ">30" for a censored rank
        return f"{text} ({row['note']})" if field == "cumulative" and row["note"] else text
    return nfc(value)


def section_table(review: Review, section: Section) -> Table:
    """The table of one unit's targets (COLUMNS), figures in the review language's number format."""
    lang = review.lang
    rows = tuple(
        tuple(_cell(row, field, n, review.plan.indicator(row["indicator"]).decimals, lang)
              for _, field, _, _ in COLUMNS)
        for n, row in enumerate(section.rows.to_dict("records"), start=1))
    return Table(heads=tuple(t(key, lang) for key, _, _, _ in COLUMNS), rows=rows,
                 widths=tuple(width for _, _, width, _ in COLUMNS), align=tuple(a for _, _, _, a in COLUMNS))


def _chart(review: Review, unit: str, charts: dict[str, bytes | None]) -> Chart:
    """The unit's chart, or the note saying why there is none."""
    png = charts.get(unit)
    if png is not None:
        return Chart(png, "")
    return Chart(None, t("doc.chart_failed" if chromium_path() else "doc.no_chromium", review.lang))


def _masthead(review: Review) -> Masthead:
    """The heading of an administrative document (Nghị định 30/2020/NĐ-CP) from the plan's header: "UBND TỈNH KON
    TUM / SỞ GIAO THÔNG VẬN TẢI", "Số:      /BC-SGTVT", "Kon Tum, ngày … tháng … năm …"; the plan's issuer alone
    where the header says no more."""
    lang, header = review.lang, review.plan.plan
    lines = [nfc(line).upper() for line in header.masthead] or [nfc(header.issued_by).upper()]
    number = t("doc.number", lang, symbol=nfc(header.report_symbol)) if header.report_symbol else ""
    date = _date(review.made_at, lang)
    if header.place:
        date = t("doc.place_date", lang, place=nfc(header.place), date=date)
    return Masthead("\n".join(lines[:-1]), lines[-1], number, t("doc.state", lang), t("doc.motto", lang), date)


def _front(review: Review) -> list[Block]:
    """The masthead, the title, the plan's title and the dates."""
    lang, plan = review.lang, review.plan
    title = plan.plan.title_vi if lang == "vi" else plan.plan.title_en
    unit = plan.unit(review.unit).name(lang)
    period = report_period(review.period, lang)
    return [
        _masthead(review),
        Paragraph(t("doc.title", lang), "title"),
        Paragraph(nfc(t("doc.subtitle", lang, unit=unit, period=period)), "subtitle"),
        Paragraph(nfc(title), "plan"),
        Paragraph(t("review.dates", lang, made=format_time(review.made_at), as_of=format_time(review.as_of) or "—"),
                  "dates"),
    ]


def _not_reported(review: Review) -> list[Block]:
    """The reports due and not received, unit by unit (the review keeps them in the plan's unit order)."""
    lang, plan = review.lang, review.plan
    blocks: list[Block] = [Heading(t("doc.annex", lang, title=t("review.not_reported", lang).upper()), 1)]
    if review.not_reported.empty:
        return [*blocks, Paragraph(t("review.all_reported", lang))]
    for unit, missing in review.not_reported.groupby("unit", sort=False):
        items = tuple(nfc(t("doc.missing_report", lang, indicator=plan.indicator(r["indicator"]).name(lang),
                                  period=period_label(r["period"], lang), due=r["due"].strftime("%d/%m/%Y")))
                      for r in missing.to_dict("records"))
        blocks += [Paragraph(nfc(plan.unit(unit).name(lang)), "label"), Bullets(items)]
    return blocks


#: The council's table on paper: (column of `kpi.emulation_view.proposal_table`, width in cm, alignment); 16 cm.
_RANKING = (("col.rank", 1.9, "L"), ("col.unit", 3.6, "L"), ("emu.col.score_only", 1.2, "R"),
            ("emu.col.max", 1.3, "R"), ("col.share", 1.2, "R"), ("emu.col.proposal", 3.0, "L"),
            ("emu.col.reason", 3.8, "L"))


def _ranking(review: Review) -> list[Block]:
    """The emulation ranking and the titles proposed, cluster by cluster, after the plan's rules in words (only in
    the province's report, which holds every cluster)."""
    lang, plan = review.lang, review.plan
    table = proposals_shown(proposal_table(review.ranking, plan, lang), lang)
    cluster = t("col.cluster", lang)
    blocks: list[Block] = [Heading(t("doc.annex", lang, title=t("emu.proposals", lang).upper()), 1),
                           Paragraph(nfc(rules_text(plan, lang))), Paragraph(t("emu.proposals_help", lang), "note")]
    for name, rows in table.groupby(cluster, sort=False):
        cells = tuple(tuple(nfc(row[t(key, lang)]) for key, _, _ in _RANKING)
                      for _, row in rows.iterrows())
        blocks += [Paragraph(nfc(name), "label"),
                   Table(heads=tuple(t(key, lang) for key, _, _ in _RANKING), rows=cells,
                         widths=tuple(w for _, w, _ in _RANKING), align=tuple(a for _, _, a in _RANKING))]
    return blocks


def document_blocks(review: Review, charts: dict[str, bytes | None]) -> list[Block]:
    """The printed report of `review` as blocks in reading order; `charts` are `review_charts(review)`. A review
    without data gives the front matter and the sentence that there is nothing to report yet."""
    lang = review.lang
    blocks = _front(review)
    if not review.has_data:
        return [*blocks, Paragraph(t("review.no_data", lang, period=report_period(review.period, lang)))]
    blocks.append(Heading(t("review.results", lang), 1))
    for n, section in enumerate(review.sections, start=1):
        blocks += [Heading(f"{n}. {nfc(review.plan.unit(section.unit).name(lang))}", 2),
                   section_table(review, section), _chart(review, section.unit, charts),
                   Bullets(tuple(nfc(sentence) for sentence in section.rows["sentence"]))]
    for key in ("review.assessment", "review.next"):  # written by people: headed, left empty
        blocks += [Heading(t(key, lang), 1), WritingSpace(6)]
    return blocks + _not_reported(review) + (_ranking(review) if not review.ranking.empty else [])
