"""The printed review report as PDF, with fpdf2: pure Python, no network, the fonts embedded from the package
(`kpi/report/fonts`: Noto Sans for the text, Noto Sans Math and Symbols 2 for ≥, ≤ and the status symbols it
lacks). A4 portrait, margins 2 cm and 3 cm on the left, as Vietnamese administrative documents are set.

Every text is written as plain text: fpdf2's markdown and HTML modes stay off, so a name in the plan file is printed
as typed, never read as markup.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from kpi.report.content import Review
from kpi.report.images import review_charts
from kpi.report.layout import (
    TEXT_WIDTH_CM,
    Block,
    Bullets,
    Chart,
    Heading,
    Masthead,
    Paragraph,
    Table,
    WritingSpace,
    document_blocks,
)

FONTS = Path(__file__).parent / "fonts"
_FAMILY = "NotoSans"
#: Fallbacks for the glyphs Noto Sans does not have, tried in this order.
_FALLBACKS = {"NotoSansSymbols2": "NotoSansSymbols2-Regular.ttf", "NotoSansMath": "NotoSansMath-Regular.ttf"}
_LEFT_MM, _RIGHT_MM, _TOP_MM, _BOTTOM_MM = 30, 20, 20, 20
_WIDTH_MM = TEXT_WIDTH_CM * 10
_BODY_PT = 11
_TABLE_PT = 8.5
_LINE = 1.45  # line height as a multiple of the font size
#: (size in pt, bold, alignment, space above in mm) of each paragraph style of `kpi.report.layout`.
_STYLES = {"title": (14, True, "C", 6), "subtitle": (12, True, "C", 1), "plan": (10, False, "C", 1),
           "dates": (9, False, "C", 1), "body": (_BODY_PT, False, "L", 2), "label": (_BODY_PT, True, "L", 3),
           "note": (9, False, "L", 1)}
_HEAD_FILL = (221, 231, 243)  # the workbook's header colour (#dde7f3)
_MM_PER_PT = 25.4 / 72
#: Room a heading needs below it: its own line, a table's heading row (up to six lines) and a first row.
_KEEP_MM = 60


class _Document(FPDF):
    """An A4 page with the page number at the foot of every page."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, "", 9)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="C")


def _line_mm(size_pt: float) -> float:
    return size_pt * _LINE * _MM_PER_PT


def _new_pdf(review: Review) -> FPDF:
    """An empty document with the fonts registered and the metadata set."""
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.set_margins(_LEFT_MM, _TOP_MM, _RIGHT_MM)
    pdf.set_auto_page_break(True, _BOTTOM_MM)
    pdf.add_font(_FAMILY, "", FONTS / "NotoSans-Regular.ttf")
    pdf.add_font(_FAMILY, "B", FONTS / "NotoSans-Bold.ttf")
    for family, file in _FALLBACKS.items():
        pdf.add_font(family, "", FONTS / file)
    # A bold status symbol comes from the regular fallback: the symbol fonts have no bold.
    pdf.set_fallback_fonts(list(_FALLBACKS), exact_match=False)
    plan = review.plan.plan
    pdf.set_title(plan.title_vi if review.lang == "vi" else plan.title_en)
    pdf.set_author(plan.issued_by)
    pdf.set_lang(review.lang)
    pdf.add_page()
    return pdf


def _masthead(pdf: FPDF, block: Masthead) -> None:
    """Issuer left, state, motto and date right, each column's lines centred in it."""
    top, left_w = pdf.get_y(), 62
    right_x, right_w = _LEFT_MM + left_w, _WIDTH_MM - left_w
    if block.parent:  # the parent body in capitals, not bold; the office itself in bold
        pdf.set_font(_FAMILY, "", 10)
        pdf.multi_cell(left_w, _line_mm(10), block.parent, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "B", 10)
    pdf.multi_cell(left_w, _line_mm(10), block.issuer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _rule(pdf, _LEFT_MM + left_w / 2, 20)
    if block.number:
        pdf.set_font(_FAMILY, "", 10)
        pdf.multi_cell(left_w, _line_mm(10), block.number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.multi_cell(right_w, _line_mm(10), block.state, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.multi_cell(right_w, _line_mm(10), block.motto, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    _rule(pdf, right_x + right_w / 2, 48)
    pdf.set_font(_FAMILY, "", 10)
    pdf.multi_cell(right_w, _line_mm(10), block.date, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _rule(pdf: FPDF, centre: float, length: float) -> None:
    """The short line under the issuer and the motto, `length` mm long, centred on `centre`; the text goes on below
    it from the same x."""
    x, y = pdf.get_x(), pdf.get_y() + 0.6
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)
    pdf.set_xy(x, y + 1.5)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    size, bold, align, above = _STYLES[block.style]
    pdf.ln(above)
    pdf.set_font(_FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, _line_mm(size), block.text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, block: Heading) -> None:
    """A heading, on a new page when fewer than _KEEP_MM are left: never alone at a page's foot."""
    if pdf.get_y() > pdf.page_break_trigger - _KEEP_MM:
        pdf.add_page()
    pdf.ln(5 if block.level == 1 else 3)
    size = _BODY_PT + (1 if block.level == 1 else 0)
    pdf.set_font(_FAMILY, "B", size)
    pdf.multi_cell(0, _line_mm(size), block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _table(pdf: FPDF, block: Table) -> None:
    """The grid at the text's width, its heading row repeated on every page it runs onto."""
    pdf.set_font(_FAMILY, "", _TABLE_PT)
    heads = FontFace(emphasis="BOLD", fill_color=_HEAD_FILL)
    with pdf.table(width=_WIDTH_MM, col_widths=block.widths, line_height=_line_mm(_TABLE_PT), padding=(0.8, 1),
                   headings_style=heads, v_align="TOP", repeat_headings=1) as grid:
        row = grid.row()
        for text in block.heads:
            row.cell(text, align="C", v_align="MIDDLE")
        for cells in block.rows:
            row = grid.row()
            for text, align in zip(cells, block.align):
                row.cell(text, align=align)
    pdf.ln(2)


def _chart(pdf: FPDF, block: Chart) -> None:
    """The chart at the text's width (on the next page when it does not fit), or its note."""
    if block.png is None:
        _paragraph(pdf, Paragraph(block.note, "note"))
        return
    pdf.image(BytesIO(block.png), x=_LEFT_MM, w=_WIDTH_MM)
    pdf.ln(1)


def _bullets(pdf: FPDF, block: Bullets) -> None:
    """Each item after a dash, its lines indented past the dash."""
    pdf.set_font(_FAMILY, "", _BODY_PT)
    for item in block.items:
        pdf.ln(1)
        pdf.cell(5, _line_mm(_BODY_PT), "-")
        pdf.multi_cell(_WIDTH_MM - 5, _line_mm(_BODY_PT), item, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _space(pdf: FPDF, block: WritingSpace) -> None:
    pdf.ln(block.lines * _line_mm(_BODY_PT))


_PRINTERS = {Masthead: _masthead, Paragraph: _paragraph, Heading: _heading, Table: _table, Chart: _chart,
             Bullets: _bullets, WritingSpace: _space}


def blocks_pdf(review: Review, blocks: list[Block]) -> bytes:
    """`blocks` (`kpi.report.layout.document_blocks`) laid out as a PDF; returns its bytes."""
    pdf = _new_pdf(review)
    for block in blocks:
        _PRINTERS[type(block)](pdf, block)
    return bytes(pdf.output())


def review_pdf(review: Review, charts: dict[str, bytes | None] | None = None) -> bytes:
    """The review as PDF bytes (A4, fonts embedded). `charts`: `review_charts(review)` when the caller has them
    already (the .docx of the same review uses the same); drawn here otherwise."""
    return blocks_pdf(review, document_blocks(review, review_charts(review) if charts is None else charts))
