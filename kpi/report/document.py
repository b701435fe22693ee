"""The printed review report (sơ kết, tổng kết): a Word document and a PDF from one `kpi.report.content.Review`,
laid out alike (`kpi.report.layout`), with the app's own charts drawn to PNG once for both (`review_charts`).

    charts = review_charts(review)      # Kaleido + Chromium; notes in the charts' place without a browser
    docx = review_docx(review, charts)
    pdf = review_pdf(review, charts)
"""

from __future__ import annotations

from kpi.report.docx_doc import review_docx
from kpi.report.images import chromium_path, review_charts
from kpi.report.pdf import review_pdf

__all__ = ["chromium_path", "review_charts", "review_docx", "review_pdf"]
