"""Strings of the printable review report (.docx and PDF) in vi/en that the review's catalogue (`kpi.i18n_report`)
does not already have: the masthead, the title, the notes that stand in for a chart. `kpi.i18n` merges them into
its one catalogue, so `t()` finds them like every other message."""

from __future__ import annotations

DOCUMENT: dict[str, dict[str, str]] = {
    # The masthead of an administrative document (Nghị định 30/2020/NĐ-CP): the state and its motto top right.
    "doc.state": {"vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "en": "SOCIALIST REPUBLIC OF VIET NAM"},
    "doc.motto": {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"},
    "doc.date": {"vi": "ngày {day} tháng {month} năm {year}", "en": "{day}/{month}/{year}"},
    "doc.title": {"vi": "BÁO CÁO", "en": "REPORT"},
    "doc.subtitle": {"vi": "Kết quả thực hiện các chỉ tiêu thi đua — {unit} — {period}",
                     "en": "Results against the emulation targets — {unit} — {period}"},
    "doc.annex": {"vi": "PHỤ LỤC: {title}", "en": "ANNEX: {title}"},
    "doc.missing_report": {"vi": "{indicator} — {period} (hạn gửi {due})", "en": "{indicator} — {period} (due {due})"},
    "doc.no_chromium": {
        "vi": "(Biểu đồ chưa được vẽ: máy chủ cần trình duyệt Chromium để vẽ biểu đồ — apt-get install chromium.)",
        "en": "(Chart not drawn: the server needs the Chromium browser to draw charts — apt-get install chromium.)"},
    "doc.chart_failed": {"vi": "(Không vẽ được biểu đồ này; chi tiết lỗi có trong nhật ký máy chủ.)",
                         "en": "(This chart could not be drawn; the server's log has the error.)"},
    "doc.number": {"vi": "Số:        /{symbol}", "en": "No.        /{symbol}"},
    "doc.place_date": {"vi": "{place}, {date}", "en": "{place}, {date}"},
}
