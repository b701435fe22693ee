"""The printed review report (.docx and PDF): what a reader finds in it, read back with python-docx and pypdf.

The sample review is built, its charts drawn (one Chromium session) and both documents made once for the module."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from kpi.bootstrap import open_store
from kpi.i18n import CATALOGUE, t
from kpi.report import images
from kpi.report.content import Review, build_review
from kpi.report.document import chromium_path, review_charts, review_docx, review_pdf
from kpi.report.pdf import FONTS
from kpi.report.sentences import report_period

PERIOD = "2024-H1"
needs_chromium = pytest.mark.skipif(not Path(images.DEBIAN_CHROMIUM).exists(),
                                    reason="no chromium here (apt-get install chromium): charts are not drawn")


def words(text: str) -> str:
    """`text` in NFC with every run of white space one space: a name wrapped over two lines reads as typed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def docx_text(data: bytes) -> str:
    """Every paragraph's text, in the body and in table cells."""
    document = docx.Document(io.BytesIO(data))
    cells = [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return words("\n".join([p.text for p in document.paragraphs] + cells))


def pdf_text(data: bytes) -> str:
    return words("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture(scope="module")
def review(sample_url: str) -> Iterator[Review]:
    store, plans = open_store(sample_url)
    yield build_review(store, plans, PERIOD)
    store.dispose()


@pytest.fixture(scope="module")
def charts(review: Review) -> dict[str, bytes | None]:
    return review_charts(review)


@pytest.fixture(scope="module")
def documents(review: Review, charts: dict[str, bytes | None]) -> dict[str, bytes]:
    return {"docx": review_docx(review, charts), "pdf": review_pdf(review, charts)}


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_the_document_names_every_target_with_its_diacritics_and_the_period(
        review: Review, documents: dict[str, bytes], kind: str) -> None:
    text = (docx_text if kind == "docx" else pdf_text)(documents[kind])
    for indicator in review.plan.indicators:
        assert words(indicator.name("vi")) in text
    assert "6 tháng đầu năm 2024" in text  # the period as a report's heading names it
    assert words(review.plan.plan.title_vi) in text
    # The heading of an administrative document (Nghị định 30/2020): parent body, office, number, place and date.
    for line in ("UBND TỈNH KON TUM", "SỞ GIAO THÔNG VẬN TẢI", "/BC-SGTVT", "Kon Tum, ngày"):
        assert line in text, line
    for key in ("review.results", "review.assessment", "review.next"):  # the sections people fill in are headed
        assert t(key) in text


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_the_document_says_every_generated_sentence(review: Review, documents: dict[str, bytes], kind: str) -> None:
    text = (docx_text if kind == "docx" else pdf_text)(documents[kind])
    sentences = [s for section in review.sections for s in section.rows["sentence"]]
    assert sentences
    for sentence in sentences:
        assert words(sentence) in text


def test_the_table_prints_figures_in_vietnamese_format(documents: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(documents["docx"]))
    table = next(tb for tb in document.tables if tb.rows[0].cells[0].text == t("rcol.no"))
    heads = [cell.text for cell in table.rows[0].cells]
    assert heads == [t(k) for k in ("rcol.no", "col.indicator", "col.measure", "rcol.plan", "rcol.period_value",
                                    "rcol.cumulative", "rcol.pct_plan", "rcol.pct_last_year", "col.status")]
    budget = next(row for row in table.rows if row.cells[1].text == "Thu ngân sách nhà nước trên địa bàn")
    # thousands with a dot, decimals with a comma, shares with exactly one decimal
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d", budget.cells[5].text)
    assert re.fullmatch(r"\d+,\d", budget.cells[6].text)


@pytest.mark.browser
@needs_chromium
def test_every_section_has_its_chart_as_a_picture(review: Review, charts: dict[str, bytes | None],
                                                  documents: dict[str, bytes]) -> None:
    assert list(charts) == [section.unit for section in review.sections]
    assert all(png is not None and png.startswith(b"\x89PNG") for png in charts.values())
    document = docx.Document(io.BytesIO(documents["docx"]))
    assert len(document.inline_shapes) == len(review.sections)
    assert len(PdfReader(io.BytesIO(documents["pdf"])).pages[1].images) >= 1


def test_without_a_browser_each_chart_is_a_note_and_the_documents_are_made(
        review: Review, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    review = dataclasses.replace(review, sections=review.sections[:3])  # three sections say it as well as twenty
    monkeypatch.delenv("KPI_CHROMIUM", raising=False)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(images, "DEBIAN_CHROMIUM", str(tmp_path / "chromium"))
    assert chromium_path() is None
    charts = review_charts(review)
    assert charts == dict.fromkeys(section.unit for section in review.sections)
    note = words(t("doc.no_chromium", "vi"))
    assert docx_text(review_docx(review, charts)).count(note) == len(review.sections)
    assert pdf_text(review_pdf(review, charts)).count(note) == len(review.sections)


def test_kpi_chromium_names_the_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    browser = tmp_path / "my-chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("KPI_CHROMIUM", str(browser))
    assert chromium_path() == str(browser)


def test_a_review_without_data_says_so(fresh) -> None:
    store, plans = fresh
    empty = build_review(store, plans, "2024-Q1")
    assert not empty.has_data
    sentence = words(t("review.no_data", period=report_period("2024-Q1")))
    assert sentence in docx_text(review_docx(empty))
    assert sentence in pdf_text(review_pdf(empty))


def test_names_from_the_plan_file_are_printed_as_typed_never_as_markup(review: Review) -> None:
    title = "**Kế hoạch** <b>đậm</b> __nghiêng__ {unit} --"
    header = review.plan.plan.model_copy(update={"title_vi": title})
    odd = dataclasses.replace(review, plan=review.plan.model_copy(update={"plan": header}),
                              sections=review.sections[:1])
    assert words(title) in pdf_text(review_pdf(odd, {}))
    assert words(title) in docx_text(review_docx(odd, {}))


def test_the_packaged_fonts_draw_every_vietnamese_letter_and_status_symbol() -> None:
    letters = ("ĂÂĐÊÔƠƯăâđêôơư" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
               + "ÀÁÃÈÉÊÌÍÒÓÕÙÚÝàáãèéìíòóõùúýĨĩŨũ")
    for face in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        cmap = TTFont(FONTS / face).getBestCmap()
        assert [c for c in letters if ord(c) not in cmap] == [], face
    fallbacks = [TTFont(FONTS / f).getBestCmap() for f in ("NotoSansSymbols2-Regular.ttf", "NotoSansMath-Regular.ttf")]
    assert [c for c in "✔✖▲◆▼◐○⧗≥≤" if not any(ord(c) in cmap for cmap in fallbacks)] == []
    assert (FONTS / "OFL.txt").read_text().startswith("NotoSans")


def test_every_message_has_the_same_fields_in_both_languages() -> None:
    for key, texts in CATALOGUE.items():
        if key in ("rspan.quarter", "rperiod.quarter"):  # Vietnamese writes quarters in Roman numerals (quý III)
            continue
        assert set(texts) == {"vi", "en"}, key
        assert set(re.findall(r"{(\w+)}", texts["vi"])) == set(re.findall(r"{(\w+)}", texts["en"])), key
