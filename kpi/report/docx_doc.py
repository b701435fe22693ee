"""The printed review report as a Word document (python-docx), for the office to finish (sections II and III) and
sign: A4 portrait, margins 2 cm and 3 cm on the left, Times New Roman 13 pt, as Vietnamese administrative
documents are set (Nghị định 30/2020/NĐ-CP). Times New Roman has every Vietnamese letter; Word and LibreOffice draw
the status symbols (✔, ⧗, …) from a symbol font of their own.

python-docx writes text as text: a name in the plan file never becomes a field or markup.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row

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

FONT = "Times New Roman"
_BODY_PT = 13
_TABLE_PT = 10
_ALIGN = {"L": WD_ALIGN_PARAGRAPH.LEFT, "C": WD_ALIGN_PARAGRAPH.CENTER, "R": WD_ALIGN_PARAGRAPH.RIGHT,
          "J": WD_ALIGN_PARAGRAPH.JUSTIFY}
#: (size in pt, bold, italic, alignment) of each paragraph style of `kpi.report.layout`.
_STYLES = {"title": (14, True, False, "C"), "subtitle": (13, True, False, "C"), "plan": (13, False, True, "C"),
           "dates": (11, False, True, "C"), "body": (_BODY_PT, False, False, "J"),
           "label": (_BODY_PT, True, False, "L"), "note": (11, False, True, "L")}
_HEAD_FILL = "DDE7F3"  # the workbook's header colour
_CELL_MARGIN_TWIPS = 57  # 1 mm
_INDENT = Cm(1)  # a paragraph's first line, as offices indent it


def _set_font(style: BaseStyle, size: float, bold: bool | None = None) -> None:
    """`style` in Times New Roman at `size` pt, black. The built-in heading styles name theme fonts (Calibri Light),
    which win over a named font, so those are removed."""
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _new_document() -> DocxDocument:
    """An empty A4 document with the office's page and type."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    _set_font(document.styles["Normal"], _BODY_PT)
    document.styles["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", _BODY_PT), ("Heading 2", _BODY_PT)):
        _set_font(document.styles[name], size, bold=True)
        document.styles[name].font.italic = False
        document.styles[name].paragraph_format.space_before = Pt(10)
    return document


def _write(cell_or_doc: DocxDocument | _Cell, text: str, size: float, *, bold: bool = False, italic: bool = False,
           align: str = "L", underline: bool = False, first: bool = False) -> None:
    """A paragraph of `text` (in a table cell: into its first, empty paragraph when `first`)."""
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic, run.underline = Pt(size), bold, italic, underline


def _widths(grid: DocxTable, widths: tuple[float, ...]) -> None:
    """Fixed column widths in cm: Word reads them from the cells, LibreOffice from the table's grid. Cell margins
    of 1 mm (Word's default is 1,9 mm) leave narrow columns room for words such as "trước" unbroken."""
    grid.autofit = False
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(_CELL_MARGIN_TWIPS))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties = grid._tbl.tblPr
    look = properties.find(qn("w:tblLook"))  # the schema puts the cell margins before tblLook
    if look is None:
        properties.append(margins)
    else:
        look.addprevious(margins)
    for column, width in zip(grid.columns, widths):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _masthead(document: DocxDocument, block: Masthead) -> None:
    """A borderless two-column table: the issuer left, the state, the motto (underlined) and the date right."""
    grid = document.add_table(rows=1, cols=2)
    _widths(grid, (6.5, TEXT_WIDTH_CM - 6.5))
    left, right = grid.rows[0].cells
    if block.parent:  # the parent body in capitals, not bold; the office itself in bold
        _write(left, block.parent, 12, align="C", first=True)
    _write(left, block.issuer, 12, bold=True, align="C", first=not block.parent)
    if block.number:
        _write(left, block.number, 13, align="C")
    _write(right, block.state, 12, bold=True, align="C", first=True)
    _write(right, block.motto, 13, bold=True, align="C", underline=True)
    _write(right, "", 6)
    _write(right, block.date, 13, italic=True, align="C")


def _paragraph(document: DocxDocument, block: Paragraph) -> None:
    size, bold, italic, align = _STYLES[block.style]
    _write(document, block.text, size, bold=bold, italic=italic, align=align)
    if block.style == "title":
        document.paragraphs[-1].paragraph_format.space_before = Pt(18)


def _heading(document: DocxDocument, block: Heading) -> None:
    document.add_heading(block.text, level=block.level).paragraph_format.keep_with_next = True


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flag(row: _Row, flag: str) -> None:
    """Set a row property that is on or off: w:tblHeader (the header Word repeats at the top of every page the
    table runs onto), w:cantSplit (a row kept whole on one page, not a name cut in two)."""
    element = OxmlElement(flag)
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _table(document: DocxDocument, block: Table) -> None:
    """The grid at the text's width, fixed column widths, the heading row shaded and repeated on each page."""
    grid = document.add_table(rows=1 + len(block.rows), cols=len(block.heads))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(grid, block.widths)
    for head, cell in zip(block.heads, grid.rows[0].cells):
        _write(cell, head, _TABLE_PT, bold=True, align="C", first=True)
        _shade(cell, _HEAD_FILL)  # before the alignment: the schema orders w:shd before w:vAlign
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    for row in grid.rows:
        _row_flag(row, "w:cantSplit")
    _row_flag(grid.rows[0], "w:tblHeader")  # after cantSplit, in the schema's order
    for cells, row in zip(block.rows, grid.rows[1:]):
        for text, align, cell in zip(cells, block.align, row.cells):
            _write(cell, text, _TABLE_PT, align=align, first=True)


def _chart(document: DocxDocument, block: Chart) -> None:
    if block.png is None:
        _paragraph(document, Paragraph(block.note, "note"))
        return
    document.add_paragraph().add_run().add_picture(io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _bullets(document: DocxDocument, block: Bullets) -> None:
    """Each item a justified paragraph after a dash, its first line indented: how an office report lists."""
    for item in block.items:
        paragraph = document.add_paragraph(f"- {item}")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = _INDENT


def _space(document: DocxDocument, block: WritingSpace) -> None:
    for _ in range(block.lines):
        document.add_paragraph()


_WRITERS = {Masthead: _masthead, Paragraph: _paragraph, Heading: _heading, Table: _table, Chart: _chart,
            Bullets: _bullets, WritingSpace: _space}


def blocks_docx(review: Review, blocks: list[Block]) -> bytes:
    """`blocks` (`kpi.report.layout.document_blocks`) laid out as a .docx; returns its bytes."""
    document = _new_document()
    plan = review.plan.plan
    document.core_properties.title = plan.title_vi if review.lang == "vi" else plan.title_en
    document.core_properties.author = plan.issued_by
    document.core_properties.language = review.lang
    for block in blocks:
        _WRITERS[type(block)](document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def review_docx(review: Review, charts: dict[str, bytes | None] | None = None) -> bytes:
    """The review as .docx bytes (A4, Times New Roman). `charts`: `review_charts(review)` when the caller has them
    already (the PDF of the same review uses the same); drawn here otherwise."""
    return blocks_docx(review, document_blocks(review, review_charts(review) if charts is None else charts))
