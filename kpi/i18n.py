"""Every user-facing string, in Vietnamese (default) and English, in one catalogue.

`t(key, lang, **fields)` formats a message; a missing key or language raises KeyError so that tests catch it.
"""

from __future__ import annotations

from kpi.i18n_access import ACCESS  # sign-in, roles, approvals, audit
from kpi.i18n_document import DOCUMENT  # the printed review report's masthead and notes
from kpi.i18n_report import REPORT  # the review reports' sentences and headings

LANGS = ("vi", "en")

STATUS_ORDER = ("achieved", "not_met", "on_track", "at_risk", "off_track", "incomplete", "undetermined", "awaiting",
                "no_target", "no_data")
#: Statuses that judge a target (a verdict or a pace); the others say why there is no judgement.
JUDGED = ("achieved", "not_met", "on_track", "at_risk", "off_track")

#: A symbol per status, so that status never rests on colour alone.
STATUS_SYMBOL = {
    "achieved": "✔",
    "not_met": "✖",
    "on_track": "▲",
    "at_risk": "◆",
    "off_track": "▼",
    "incomplete": "◐",
    "undetermined": "?",
    # ⧗ BLACK HOURGLASS is plain text (Noto Sans Math, in fonts-noto-core); ⏳ is an emoji that becomes a colour
    # picture where an emoji font is installed and an empty box on a kiosk PC without one.
    "awaiting": "⧗",
    "no_target": "—",
    "no_data": "○",
}

CATALOGUE: dict[str, dict[str, str]] = {
    # statuses
    "status.achieved": {"vi": "Đã đạt", "en": "Achieved"},
    "status.on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "status.at_risk": {"vi": "Có nguy cơ", "en": "At risk"},
    "status.off_track": {"vi": "Chậm tiến độ", "en": "Off track"},
    "status.not_met": {"vi": "Không đạt", "en": "Not met"},
    "status.incomplete": {"vi": "Thiếu số liệu", "en": "Figures missing"},
    # While an estimate governs, a verdict is expected, not final.
    "status.achieved.estimate": {"vi": "Dự kiến đạt", "en": "Expected to be met"},
    "status.not_met.estimate": {"vi": "Dự kiến không đạt", "en": "Expected not met"},
    "estimate.mark": {"vi": "(ước)", "en": "(est.)"},
    "missing.list": {"vi": "Thiếu: {items}", "en": "Missing: {items}"},
    "missing.more": {"vi": "và {n} báo cáo khác", "en": "and {n} more reports"},
    "not_reported": {"vi": "Chưa báo cáo", "en": "Not reported"},
    "same_span": {"vi": "{actual} so với {last} cùng kỳ", "en": "{actual} against {last} a year before"},
    "same_span.year": {"vi": "{actual} so với {last} năm trước", "en": "{actual} against {last} last year"},
    "attainment.strict_equal": {"vi": "bằng mục tiêu, cần vượt", "en": "equals the target; must exceed it"},
    "target.rank_sure": {"vi": "hạng ≤ {rank}: chắc chắn đạt", "en": "rank ≤ {rank}: surely met"},
    "status.undetermined": {"vi": "Chưa xác định được", "en": "Cannot be determined"},
    "status.awaiting": {"vi": "Chờ công bố", "en": "Awaiting publication"},
    "status.no_target": {"vi": "Không giao chỉ tiêu", "en": "No target set"},
    "status.no_data": {"vi": "Chưa có số liệu", "en": "No data"},
    "met.true": {"vi": "Đạt", "en": "Met"},
    "met.false": {"vi": "Không đạt", "en": "Not met"},
    "met.none": {"vi": "Chưa kết luận", "en": "Not decided yet"},
    "met.stretch": {"vi": "Đạt mức phấn đấu", "en": "Stretch met"},
    # app frame
    "app.title": {"vi": "Theo dõi chỉ tiêu thi đua", "en": "Emulation target tracker"},
    "app.subtitle": {
        "vi": "Kế hoạch thi đua năm {year} — Sở Giao thông vận tải tỉnh Kon Tum",
        "en": "{year} emulation plan — Kon Tum Department of Transport",
    },
    "nav.overview": {"vi": "Tổng quan", "en": "Overview"},
    "nav.plan": {"vi": "Kế hoạch & đơn vị", "en": "Plan & units"},
    "nav.heading": {"vi": "Trang", "en": "Pages"},
    "filter.period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "filter.unit": {"vi": "Đơn vị", "en": "Unit"},
    "filter.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "filter.cluster": {"vi": "Cụm, khối thi đua", "en": "Emulation cluster"},
    "filter.all_clusters": {"vi": "Tất cả các cụm, khối", "en": "All clusters"},
    "nav.units": {"vi": "Theo đơn vị", "en": "By unit"},
    "nav.quarters": {"vi": "Theo quý", "en": "By quarter"},
    "nav.indicator": {"vi": "Chi tiết chỉ tiêu", "en": "Indicator detail"},
    "nav.completeness": {"vi": "Tình hình báo cáo", "en": "Reporting status"},
    "units.title": {"vi": "Kết quả theo đơn vị", "en": "Results by unit"},
    "units.heatmap": {"vi": "Mức hoàn thành của từng đơn vị", "en": "Each unit's attainment"},
    "units.heatmap_help": {
        "vi": "Ô màu theo tỷ lệ hoàn thành (100% = đạt chỉ tiêu), kèm ký hiệu tình trạng: ✔ đã đạt, ✖ không đạt, "
              "▲ đúng tiến độ, ◆ có nguy cơ, ▼ chậm tiến độ, ◐ thiếu số liệu (xem báo cáo còn thiếu khi rê chuột), "
              "? chưa xác định, ○ chưa có số liệu. Chỉ tiêu “giảm so với năm trước” so sánh số lượng với cùng kỳ.",
        "en": "Cells are coloured by attainment (100% = target met) and carry the status symbol: ✔ achieved, "
              "✖ not met, ▲ on track, ◆ at risk, ▼ off track, ◐ figures missing (hover to see which reports), "
              "? cannot be determined, ○ no data. “Fewer than last year” targets compare counts with the same span.",
    },
    "units.ranking": {"vi": "Xếp hạng thi đua theo cụm, khối", "en": "Emulation ranking by cluster"},
    "units.drill_choose": {"vi": "Đơn vị xem chi tiết", "en": "Unit in detail"},
    "units.drill_ask": {"vi": "Chọn một đơn vị (hoặc bấm vào cột của đơn vị trong bảng xếp hạng) để xem chi tiết.",
                        "en": "Choose a unit (or click its bar in the ranking) to see it in detail."},
    "units.drill": {"vi": "Chi tiết đơn vị: {unit}", "en": "Unit detail: {unit}"},
    "units.none": {"vi": "Đơn vị này không có chỉ tiêu được giao.", "en": "This unit has no targets set."},
    "col.rank": {"vi": "Hạng trong cụm", "en": "Rank in cluster"},
    "col.cluster": {"vi": "Cụm, khối", "en": "Cluster"},
    "col.judged": {"vi": "Chỉ tiêu được đánh giá", "en": "Targets judged"},
    "col.good": {"vi": "Đạt hoặc đúng tiến độ", "en": "Achieved or on track"},
    "col.share": {"vi": "Tỷ lệ (%)", "en": "Share (%)"},
    "quarters.title": {"vi": "Tiến độ theo quý", "en": "Progress by quarter"},
    "quarters.caption": {"vi": "{unit} · năm {year}", "en": "{unit} · {year}"},
    "quarters.changes": {
        "vi": "Biến động so với quý trước và cùng kỳ năm trước",
        "en": "Change on the previous quarter and on the same quarter last year",
    },
    "col.quarter": {"vi": "Quý", "en": "Quarter"},
    "col.period_value": {"vi": "Số liệu quý", "en": "Quarter's figure"},
    "col.ytd": {"vi": "Lũy kế", "en": "Year to date"},
    "col.last_year": {"vi": "Cùng kỳ năm trước", "en": "Same quarter last year"},
    "col.qoq": {"vi": "So quý trước (%)", "en": "On previous quarter (%)"},
    "col.yoy": {"vi": "So cùng kỳ (%)", "en": "On last year (%)"},
    "indicator.title": {"vi": "Chi tiết chỉ tiêu", "en": "Indicator detail"},
    "indicator.definition": {"vi": "Định nghĩa và nguồn", "en": "Definition and source"},
    "indicator.by_unit": {"vi": "Các đơn vị trong {period}", "en": "Units in {period}"},
    "indicator.figures": {"vi": "Số liệu gốc", "en": "Underlying figures"},
    "indicator.units_shown": {
        "vi": "{unit} và các đơn vị trực thuộc. Chọn một đơn vị ở thanh bên để xem các đơn vị trực thuộc đơn vị đó.",
        "en": "{unit} and the units directly under it. Choose a unit in the sidebar to see the units under that one.",
    },
    "indicator.facts": {
        "vi": "**Loại:** {kind} · **Mục tiêu:** {target} · **Đơn vị tính:** {measure} · **Chủ trì:** {lead} · "
              "**Mục trong kế hoạch:** {clause}",
        "en": "**Kind:** {kind} · **Target:** {target} · **Measure:** {measure} · **Lead:** {lead} · "
              "**Clause:** {clause}",
    },
    "completeness.title": {"vi": "Tình hình báo cáo", "en": "Reporting status"},
    "completeness.caption": {
        "vi": "Các báo cáo của {whose} phải gửi đến hết {period}; hạn gửi là {days} ngày sau khi hết quý.",
        "en": "Reports of {whose} due up to {period}; a report is due {days} days after its quarter ends.",
    },
    "completeness.with_units": {
        "vi": "{unit} và các đơn vị cấp dưới",
        "en": "{unit} and the units under it",
    },
    "completeness.matrix": {"vi": "Bảng theo dõi", "en": "Tracking matrix"},
    "completeness.first_rows": {
        "vi": "Hiển thị {shown} báo cáo đầu tiên trong tổng số {n}; tệp tải về có đầy đủ.",
        "en": "Showing the first {shown} of {n} reports; the downloads hold them all.",
    },
    "completeness.too_many": {
        "vi": "{n} đơn vị phải báo cáo: bảng theo dõi chỉ hiển thị được tối đa {most} đơn vị. Dưới đây là số lượng "
              "báo cáo của đơn vị đã chọn và của từng đơn vị trực thuộc (tính cả các đơn vị cấp dưới); chọn một đơn "
              "vị ở thanh bên để xem bảng theo dõi của đơn vị đó.",
        "en": "{n} units report: the tracking matrix draws at most {most}. Below, the reports of the unit chosen "
              "and of each unit directly under it (its own units included); choose a unit in the sidebar to see "
              "its matrix.",
    },
    "completeness.todo": {"vi": "Cần đôn đốc", "en": "To chase"},
    "completeness.all_in": {"vi": "Tất cả các báo cáo đã đủ và đúng hạn.", "en": "Every report is in, on time."},
    "report.on_time": {"vi": "✔ Đúng hạn", "en": "✔ On time"},
    "report.late": {"vi": "◐ Trễ hạn", "en": "◐ Late"},
    "report.missing": {"vi": "✖ Chưa gửi (quá hạn)", "en": "✖ Missing (overdue)"},
    "report.not_due": {"vi": "· Chưa đến hạn", "en": "· Not due yet"},
    "col.due": {"vi": "Hạn gửi", "en": "Due"},
    "col.received": {"vi": "Ngày nhận", "en": "Received"},
    "col.days_late": {"vi": "Số ngày trễ", "en": "Days late"},
    "projector.overview": {"vi": "Các chỉ tiêu của kế hoạch", "en": "The plan's targets"},
    "projector.units": {"vi": "Đơn vị chậm tiến độ", "en": "Units behind target"},
    "projector.quarters": {"vi": "Tiến độ theo quý", "en": "Progress by quarter"},
    "projector.ranking": {"vi": "Xếp hạng thi đua", "en": "Emulation ranking"},
    "projector.none_behind": {
        "vi": "Không có đơn vị nào chậm tiến độ.", "en": "No unit is behind target.",
    },
    "projector.more_units": {"vi": "+{n} đơn vị khác: {names}", "en": "+{n} more: {names}"},
    "projector.n_indicators": {"vi": "{n} chỉ tiêu", "en": "{n} indicators"},
    "projector.offline": {
        "vi": "Tạm thời chưa kết nối được cơ sở dữ liệu — đang thử lại…",
        "en": "The database cannot be reached for the moment — retrying…",
    },
    "filter.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "sample.banner": {
        "vi": "Đang hiển thị DỮ LIỆU MẪU do hệ thống tạo ra để minh họa, không phải số liệu thật của các đơn vị.",
        "en": "Showing SAMPLE DATA generated for demonstration, not the units' real figures.",
    },
    "empty.title": {"vi": "Cơ sở dữ liệu chưa có số liệu", "en": "The database has no figures yet"},
    "empty.body": {
        "vi": "Có thể nạp dữ liệu mẫu để xem thử, hoặc nạp tệp số liệu bằng lệnh `kpi ingest`.",
        "en": "Load the sample data to try the app, or load a figures file with `kpi ingest`.",
    },
    "empty.load_sample": {"vi": "Nạp dữ liệu mẫu", "en": "Load sample data"},
    "busy": {
        "vi": "Cơ sở dữ liệu đang bận (một tiến trình khác đang ghi). Vui lòng thử lại sau giây lát.",
        "en": "The database is busy (another process is writing). Please try again in a moment.",
    },
    "db.unreachable": {
        "vi": "Tạm thời chưa kết nối được cơ sở dữ liệu (máy chủ đang khởi động lại hoặc mạng gián đoạn). Số liệu "
              "không bị mất; trang sẽ tự tải lại khi kết nối được.",
        "en": "The database cannot be reached for now (its server is restarting or the network dropped). No data is "
              "lost; the page reloads itself once it is back.",
    },
    "db.retry": {"vi": "Thử lại ngay", "en": "Try again now"},
    "data_as_of": {"vi": "Số liệu cập nhật đến {when}", "en": "Data as of {when}"},
    # overview
    "overview.title": {"vi": "Tổng quan thực hiện chỉ tiêu", "en": "Target overview"},
    "overview.caption": {
        "vi": "{unit} · {period} · {n} chỉ tiêu",
        "en": "{unit} · {period} · {n} targets",
    },
    "overview.summary": {"vi": "Tóm tắt", "en": "Summary"},
    "overview.chart": {"vi": "Mức độ hoàn thành so với chỉ tiêu", "en": "Attainment against target"},
    "overview.table": {"vi": "Chi tiết từng chỉ tiêu", "en": "Each target in detail"},
    "col.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "col.unit": {"vi": "Đơn vị", "en": "Unit"},
    "col.period": {"vi": "Kỳ", "en": "Period"},
    "col.actual": {"vi": "Thực hiện", "en": "Actual"},
    "col.target": {"vi": "Mục tiêu", "en": "Target"},
    "col.baseline": {"vi": "Năm gốc", "en": "Baseline"},
    "col.attainment": {"vi": "Tỷ lệ hoàn thành (%)", "en": "Attainment (%)"},
    "col.gap": {"vi": "Chênh lệch", "en": "Gap"},
    "col.pace": {"vi": "Tiến độ (%)", "en": "Pace (%)"},
    "col.projection": {"vi": "Dự báo cả năm", "en": "Year-end projection"},
    "col.target_value": {"vi": "Giá trị mục tiêu", "en": "Target value"},
    "col.same_span": {"vi": "Cùng kỳ năm trước", "en": "Same period last year"},
    "col.status": {"vi": "Tình trạng", "en": "Status"},
    "col.missing": {"vi": "Báo cáo còn thiếu", "en": "Missing reports"},
    "col.incomplete": {"vi": "Chỉ tiêu thiếu số liệu", "en": "Targets with reports missing"},
    "col.met": {"vi": "Kết luận năm", "en": "Year verdict"},
    "col.measure": {"vi": "Đơn vị tính", "en": "Measure"},
    "col.source": {"vi": "Nguồn số liệu", "en": "Source"},
    "chart.attainment_axis": {"vi": "Tỷ lệ hoàn thành (% chỉ tiêu)", "en": "Attainment (% of target)"},
    "chart.expected": {"vi": "Mức cần đạt đến kỳ này", "en": "Where it should be by now"},
    "chart.quarter_value": {"vi": "Số liệu của quý", "en": "The quarter's figure"},
    "chart.cumulative": {"vi": "Lũy kế từ đầu năm", "en": "Year to date"},
    "chart.pace": {"vi": "Tiến độ cần đạt", "en": "Pace needed"},
    "chart.last_year_cumulative": {"vi": "Lũy kế năm gốc", "en": "Baseline year to date"},
    "rank.share_axis": {
        "vi": "Tỷ lệ điểm thi đua trên điểm tối đa (%)", "en": "Emulation points, % of the maximum",
    },
    "chart.target": {"vi": "Chỉ tiêu (100%)", "en": "Target (100%)"},
    "chart.bars_caption": {
        "vi": "Thanh: tỷ lệ hoàn thành so với chỉ tiêu cả năm; màu và ký hiệu theo tình trạng.",
        "en": "Bars: attainment of the year's target, coloured and marked by status.",
    },
    "chart.pace_caption": {
        "vi": "Chỉ tiêu cộng dồn được đánh giá theo tiến độ: so thanh với vạch “mức cần đạt đến kỳ này”, "
              "không so với 100%.",
        "en": "Cumulative targets are judged on pace: compare the bar with the “where it should be by now” tick, "
              "not with 100%.",
    },
    "chart.beyond_axis": {
        "vi": "Vượt quá {cap} (số thực ghi ở cột bên phải)", "en": "Beyond {cap} (true value in the right column)",
    },
    "chart.beyond_bar": {
        "vi": "Vượt quá {cap} (số thực ghi cạnh thanh)", "en": "Beyond {cap} (true value beside the bar)",
    },
    "chart.report_states": {"vi": "Tình trạng báo cáo:", "en": "Report status:"},
    "chart.ranks_title": {
        "vi": "Các chỉ số xếp hạng (công bố mỗi năm một lần)", "en": "Rank indices (published once a year)",
    },
    "chart.rank_axis": {"vi": "Thứ hạng trên {n} tỉnh, thành (1 = cao nhất)", "en": "Rank of {n} provinces (1 = best)"},
    "chart.through": {"vi": "số liệu đến hết {period}", "en": "figures through {period}"},
    # plan page
    "plan.title": {"vi": "Kế hoạch và đơn vị", "en": "Plan and units"},
    "plan.indicators": {"vi": "Các chỉ tiêu của kế hoạch", "en": "The plan's targets"},
    "plan.units": {"vi": "Đơn vị báo cáo", "en": "Reporting units"},
    "plan.clusters": {"vi": "Cụm, khối thi đua", "en": "Emulation clusters"},
    "plan.kind": {"vi": "Loại chỉ tiêu", "en": "Kind"},
    "plan.wording": {"vi": "Nội dung trong kế hoạch", "en": "Wording in the plan"},
    "plan.clause": {"vi": "Mục", "en": "Clause"},
    "plan.parent": {"vi": "Trực thuộc", "en": "Parent"},
    "plan.cluster": {"vi": "Cụm/khối", "en": "Cluster"},
    "plan.code": {"vi": "Mã", "en": "Code"},
    "plan.name": {"vi": "Tên", "en": "Name"},
    "plan.members": {"vi": "Thành viên", "en": "Members"},
    "plan.reported_by": {"vi": "Đơn vị báo cáo", "en": "Reported by"},
    "kind.at_least": {"vi": "Đạt từ … trở lên", "en": "At least"},
    "kind.more_than": {"vi": "Trên … (lớn hơn)", "en": "More than"},
    "kind.rank_gain": {"vi": "Tăng … bậc xếp hạng", "en": "Rank gain (places)"},
    "kind.reduce_by": {"vi": "Giảm ít nhất … điểm %", "en": "Reduce by (points)"},
    "kind.reduce_vs_baseline": {"vi": "Giảm so với năm gốc", "en": "Lower than baseline year"},
    "target.reduce_vs_baseline": {"vi": "< {baseline}", "en": "< {baseline}"},
    "target.rank_gain": {"vi": "tăng {n} bậc", "en": "up {n} places"},
    "target.below_baseline_year": {"vi": "thấp hơn năm gốc", "en": "below the baseline year"},
    "target.rank": {"vi": "hạng {rank}", "en": "rank {rank}"},
    # ingestion problems: line is the file line (header = 1)
    "problem.missing_column": {
        "vi": "Thiếu cột bắt buộc “{column}” (tiêu đề tiếng Việt: “{header_vi}”)",
        "en": "Required column “{column}” is missing (in Vietnamese: “{header_vi}”)",
    },
    "problem.periods_mixed": {
        "vi": "Cột “{column}” mang tên một kỳ báo cáo trong khi tệp đã có cột “{other}”, nên không rõ số liệu "
              "thuộc kỳ nào. Hãy dùng một kiểu: mỗi dòng một số liệu (cột Kỳ báo cáo và Giá trị), hoặc mỗi kỳ "
              "một cột (không có cột Kỳ báo cáo, Giá trị)",
        "en": "Column “{column}” is named by a period while the file also has a “{other}” column, so which period "
              "a figure belongs to is unclear. Use one layout: one figure a row (period and value columns), or "
              "one column per period (no period or value column)",
    },
    "problem.unread_column": {
        "vi": "Cảnh báo: cột “{column}” không phải kỳ báo cáo hay cột nào hệ thống đọc, nên bị bỏ qua (kỳ viết "
              "như “Quý IV/2024”, “6 tháng đầu năm 2024”, “Ước cả năm 2024”)",
        "en": "Warning: column “{column}” is neither a period nor a column the system reads, so it was ignored "
              "(periods are written like “Quý IV/2024”, “2024-Q4”, “Ước cả năm 2024”)",
    },
    "problem.empty_file": {"vi": "Tệp rỗng hoặc chỉ có dòng tiêu đề", "en": "The file is empty or has only a header"},
    "problem.not_text": {
        "vi": "Tệp không phải văn bản CSV đọc được ({detail})",
        "en": "The file is not readable CSV text ({detail})",
    },
    "problem.unknown_unit": {
        "vi": "Mã đơn vị “{value}” không có trong danh mục{hint}",
        "en": "Unit code “{value}” is not in the registry{hint}",
    },
    "problem.unknown_indicator": {
        "vi": "Mã chỉ tiêu “{value}” không có trong kế hoạch{hint}",
        "en": "Indicator code “{value}” is not in the plan{hint}",
    },
    "problem.hint": {"vi": " (có phải “{suggestion}”?)", "en": " (did you mean “{suggestion}”?)"},
    "problem.bad_period": {
        "vi": "Kỳ báo cáo “{value}” không hợp lệ (viết 2024-Q1 … 2024-Q4, 2024-H1, 2024-9M hoặc 2024)",
        "en": "Period “{value}” is not valid (write 2024-Q1 … 2024-Q4, 2024-H1, 2024-9M or 2024)",
    },
    "problem.period_outside_plan": {
        "vi": "Kỳ báo cáo “{value}” không thuộc năm kế hoạch hay năm gốc nào ({years})",
        "en": "Period “{value}” is not in any plan or baseline year ({years})",
    },
    "problem.not_a_number": {
        "vi": "Giá trị “{value}” không phải là số",
        "en": "Value “{value}” is not a number",
    },
    "problem.extra_cells": {
        "vi": "Dòng có {n} ô, nhiều hơn {expected} cột của dòng tiêu đề: dấu phẩy thập phân (9,5) hay dấu phẩy trong "
              "ghi chú phải đặt trong ngoặc kép (\"9,5\"), hoặc lưu tệp với dấu chấm phẩy (;) ngăn cột",
        "en": "The row has {n} cells, more than the header's {expected} columns: quote a decimal comma (\"9,5\") or a "
              "comma in a note, or save the file with ; between columns",
    },
    "problem.empty_value": {"vi": "Thiếu giá trị", "en": "The value is missing"},
    "problem.below_min": {
        "vi": "Giá trị {value} nhỏ hơn mức tối thiểu {min} của chỉ tiêu",
        "en": "Value {value} is below the indicator's minimum {min}",
    },
    "problem.above_max": {
        "vi": "Giá trị {value} lớn hơn mức tối đa {max} của chỉ tiêu",
        "en": "Value {value} is above the indicator's maximum {max}",
    },
    "problem.not_integer": {
        "vi": "Giá trị {value} phải là số nguyên",
        "en": "Value {value} must be a whole number",
    },
    "problem.censored_not_allowed": {
        "vi": "Chỉ chỉ tiêu xếp hạng mới được ghi dạng “{value}”",
        "en": "Only a rank may be written as “{value}”",
    },
    "problem.duplicate": {
        "vi": "Số liệu này đã có ở dòng {other} với giá trị, ghi chú hoặc loại số liệu (ước/chính thức) khác",
        "en": "This figure is already on line {other} with a different value, note or kind (estimate/official)",
    },
    "problem.ambiguous_number": {
        "vi": "Số “{value}” không rõ dấu thập phân (1,700 là một nghìn bảy trăm hay một phẩy bảy?); "
              "hãy chọn dấu thập phân: --decimal comma (dấu phẩy) hoặc --decimal dot (dấu chấm), "
              "hoặc chọn trên trang nạp số liệu",
        "en": "Number “{value}” has an unclear decimal mark (is 1,700 one thousand seven hundred or 1.7?); "
              "choose it with --decimal comma or --decimal dot, or on the upload page",
    },
    "problem.decimal_conflict": {
        "vi": "Số “{value}” viết khác dấu thập phân của cả tệp ({decimal}: {decimal_example})",
        "en": "Number “{value}” uses another decimal mark than the rest of the file ({decimal}: {decimal_example})",
    },
    "problem.outlier": {
        "vi": "Cảnh báo: giá trị {number} chênh quá {factor} lần so với trung bình các quý trước của đơn vị ({mean}); "
              "hãy kiểm tra lại",
        "en": "Warning: {number} is more than {factor} times off the unit's earlier quarters (mean {mean}); "
              "please check",
    },
    "problem.unusual_reporter": {
        "vi": "Cảnh báo: đơn vị “{value}” thường không báo cáo chỉ tiêu {indicator} ({n} số liệu)",
        "en": "Warning: unit “{value}” does not usually report {indicator} ({n} figures)",
    },
    "problem.too_many": {
        "vi": "… và {n} lỗi khác (chỉ liệt kê {limit} lỗi đầu tiên)",
        "en": "… and {n} more problems (only the first {limit} are listed)",
    },
    "problem.utf7": {
        "vi": "Tệp được lưu theo bảng mã UTF-7, chữ tiếng Việt sẽ bị sai; hãy lưu lại dạng “CSV UTF-8”",
        "en": "The file is saved as UTF-7 and its Vietnamese letters would be garbled; save it as “CSV UTF-8”",
    },
    "problem.mixed_encoding": {
        "vi": "Tệp không thống nhất một bảng mã: từ dòng này không đọc được theo UTF-8{utf8_hint}; hãy mở tệp và lưu "
              "lại toàn bộ dạng “CSV UTF-8”",
        "en": "The file is not in one encoding: from this line it cannot be read as UTF-8{utf8_hint}; open it and "
              "save the whole file as “CSV UTF-8”",
    },
    "problem.utf8_hint": {"vi": " (dòng {line} lại là UTF-8)", "en": " (while line {line} is UTF-8)"},
    "problem.file_too_large": {
        "vi": "Tệp nặng {n} byte, vượt giới hạn {limit} byte (max_file_bytes)",
        "en": "The file is {n} bytes, over the limit of {limit} bytes (max_file_bytes)",
    },
    "problem.too_many_rows": {
        "vi": "Tệp có {n} dòng số liệu, vượt giới hạn {limit} dòng (max_rows); hãy chia thành nhiều tệp",
        "en": "The file has {n} data lines, over the limit of {limit} (max_rows); split it into several files",
    },
    "problem.too_many_columns": {
        "vi": "Dòng tiêu đề có {n} cột, vượt giới hạn {limit} cột (max_columns)",
        "en": "The header row has {n} columns, over the limit of {limit} (max_columns)",
    },
    "problem.workbook_too_large": {
        "vi": "Tệp Excel khi giải nén có {n} {what}, vượt giới hạn {limit} (max_unpacked_bytes / max_parts)",
        "en": "The workbook unpacks to {n} {what}, over the limit of {limit} (max_unpacked_bytes / max_parts)",
    },
    "problem.not_workbook": {
        "vi": "Tệp không phải tệp Excel .xlsx hợp lệ; hãy mở bằng Excel và lưu lại dạng “Excel Workbook (.xlsx)”",
        "en": "The file is not a valid .xlsx workbook; open it in Excel and save it as “Excel Workbook (.xlsx)”",
    },
    "problem.workbook_ole": {
        "vi": "Tệp Excel có đặt mật khẩu, hoặc là tệp .xls cũ: không đọc được; hãy mở bằng Excel, bỏ mật khẩu (nếu "
              "có) và lưu lại dạng “Excel Workbook (.xlsx)” không đặt mật khẩu",
        "en": "The workbook is password-protected or an old .xls file and cannot be read; open it in Excel, remove "
              "the password (if any) and save it as an unprotected “Excel Workbook (.xlsx)”",
    },
    "problem.workbook_ods": {
        "vi": "Tệp là bảng tính OpenDocument (.ods), không phải .xlsx; hãy lưu lại dạng “Excel 2007-365 (.xlsx)”",
        "en": "The file is an OpenDocument spreadsheet (.ods), not .xlsx; save it as “Excel 2007-365 (.xlsx)”",
    },
    "problem.workbook_damaged": {
        "vi": "Tệp Excel bị hỏng, không phải tệp .xlsx hợp lệ ({damage}); hãy mở bằng Excel và lưu lại dạng .xlsx",
        "en": "The workbook is damaged, not a valid .xlsx ({damage}); open it in Excel and save it as .xlsx again",
    },
    "problem.damage_xml": {"vi": "nội dung XML bị lỗi", "en": "its XML is broken"},
    "problem.damage_unpack": {"vi": "một phần của tệp nén không giải nén được",
                              "en": "a part of the zip cannot be unpacked"},
    "problem.damage_structure": {"vi": "thiếu hoặc sai phần mô tả sổ tính",
                                 "en": "the description of the workbook is missing or wrong"},
    "problem.damage_shared_string": {"vi": "ô trỏ tới một chuỗi văn bản không có trong tệp",
                                     "en": "the cell points at a shared text that is not in the file"},
    "problem.damage_style": {"vi": "ô trỏ tới một định dạng không có trong tệp",
                             "en": "the cell points at a format that is not in the file"},
    "problem.damage_number": {"vi": "ô số có giá trị Excel không thể lưu",
                              "en": "the number cell holds a value Excel cannot store"},
    "problem.damage_cell": {"vi": "giá trị của ô không đúng kiểu của ô",
                            "en": "the cell's value does not fit its type"},
    "problem.damage_position": {"vi": "số dòng hoặc cột của ô nằm ngoài bảng tính Excel",
                                "en": "the cell's row or column is outside an Excel sheet"},
    "problem.damage_too_many_parts": {"vi": "một ô hoặc một chuỗi văn bản có quá nhiều thành phần",
                                      "en": "a cell or shared text has too many parts"},
    "problem.too_many_sheet_rows": {
        "vi": "Trang tính có hơn {limit} dòng sau dòng tiêu đề, kể cả dòng trống (max_rows); hãy xoá các dòng "
              "thừa hoặc chia thành nhiều tệp",
        "en": "The sheet has more than {limit} rows after the header, blank ones included (max_rows); delete the "
              "extra rows or split the file",
    },
    "problem.too_many_shared_strings": {
        "vi": "Tệp Excel có hơn {limit} chuỗi văn bản khác nhau (max_shared_strings); hãy chia thành nhiều tệp",
        "en": "The workbook has more than {limit} distinct texts (max_shared_strings); split it into several files",
    },
    "problem.shared_strings_too_long": {
        "vi": "Các chuỗi văn bản của tệp Excel dài tổng cộng hơn {limit} ký tự (max_shared_chars); hãy chia thành "
              "nhiều tệp",
        "en": "The workbook's texts are over {limit} characters together (max_shared_chars); split it into several "
              "files",
    },
    "problem.no_visible_sheet": {
        "vi": "Tệp Excel không có trang tính nào đang hiện; hãy bỏ ẩn trang có số liệu và lưu lại",
        "en": "The workbook has no visible worksheet; unhide the sheet with the figures and save it again",
    },
    "problem.other_sheets": {
        "vi": "Cảnh báo: chỉ đọc trang tính đầu tiên đang hiện (“{first}”); các trang khác có dữ liệu không được "
              "đọc: {sheets}",
        "en": "Warning: only the first visible worksheet (“{first}”) was read; other sheets holding cells were "
              "not: {sheets}",
    },
    "problem.stray_cell": {
        "vi": "Cảnh báo: ô nằm ngoài các cột của dòng tiêu đề nên bị bỏ qua",
        "en": "Warning: the cell is outside the header's columns and was ignored",
    },
    "problem.duplicate_column": {
        "vi": "Cột thứ {position} (“{column}”) trùng nghĩa với cột thứ {other_position} (“{other}”); mỗi loại "
              "thông tin chỉ được có một cột",
        "en": "Column {position} (“{column}”) means the same as column {other_position} (“{other}”); keep one "
              "column for each",
    },
    "problem.unclosed_quote": {
        "vi": "Dấu ngoặc kép mở ở ô này không được đóng đến hết tệp, nên mọi dòng sau nó bị gộp vào ô; hãy thêm "
              "dấu ngoặc kép đóng (\") ở cuối ô",
        "en": "The quotation mark opened in this cell is never closed, so every line after it would become part of "
              "the cell; add the closing quotation mark (\") at the end of the cell",
    },
    "problem.too_many_cells": {
        "vi": "Dòng có hơn {limit} ô, vượt giới hạn số cột (max_columns); hãy kiểm tra dấu ngăn cột của dòng này",
        "en": "The line has more than {limit} cells, over the column limit (max_columns); check its separators",
    },
    "problem.split_number": {
        "vi": "Giá trị “{value}” có lẽ là một số có dấu phẩy (thập phân hoặc ngăn nghìn) bị tách làm hai ô, giá trị "
              "và ghi chú: đặt số trong ngoặc kép (\"9,5\"), hoặc lưu tệp với dấu chấm phẩy (;) ngăn cột",
        "en": "The value “{value}” is probably one number with a comma (decimal or thousands) split into two cells, "
              "value and note: quote the number (\"9,5\"), or save the file with ; between columns",
    },
    "problem.bad_csv": {
        "vi": "Dòng không đọc được theo định dạng CSV ({detail}); kiểm tra dấu ngoặc kép",
        "en": "The line is not valid CSV ({detail}); check the quotation marks",
    },
    "problem.cell_too_long": {
        "vi": "Ô dài quá {limit} ký tự (max_cell_chars)",
        "en": "The cell is longer than {limit} characters (max_cell_chars)",
    },
    "problem.note_too_long": {
        "vi": "Ghi chú dài quá {limit} ký tự (max_note_chars); nếu ghi chú không dài như vậy, hãy kiểm tra dấu "
              "ngoặc kép chưa đóng",
        "en": "The note is longer than {limit} characters (max_note_chars); if it is not, look for an unclosed "
              "quotation mark",
    },
    "problem.percent_on_count": {
        "vi": "“{value}”: chỉ tiêu này là số đếm hoặc thứ hạng, không ghi dấu %",
        "en": "“{value}”: this indicator is a count or a rank, written without a % sign",
    },
    "problem.censored_form": {
        "vi": "Hạng chỉ ghi dạng “>30” (ngoài nhóm 30 tỉnh đứng đầu); “{value}” không được chấp nhận",
        "en": "A rank may only be written as “>30” (outside the top 30); “{value}” is not accepted",
    },
    "problem.censored_out_of_range": {
        "vi": "“{value}” không thể đúng: không có hạng nào lớn hơn {max}",
        "en": "“{value}” cannot be true: no rank is above {max}",
    },
    "problem.note_cleaned": {
        "vi": "Cảnh báo: ghi chú có ký tự điều khiển hoặc ký tự ẩn, đã được loại bỏ",
        "en": "Warning: the note had control or invisible characters; they were removed",
    },
    "problem.out_of_memory": {
        "vi": "Tệp cần nhiều bộ nhớ hơn mức {limit} dành cho việc kiểm tra; hãy chia tệp nhỏ hơn",
        "en": "The file needs more memory than the {limit} set aside for checking it; split the file",
    },
    "problem.time_limit": {
        "vi": "Kiểm tra tệp quá {limit} giây (max_check_seconds) nên đã dừng; hãy chia tệp nhỏ hơn",
        "en": "Checking the file took over {limit} seconds (max_check_seconds) and was stopped; split the file",
    },
    # issue 9: ingestion (estimates, cumulative figures and their warnings)
    "problem.bad_kind": {
        "vi": "Loại số liệu “{value}” không hợp lệ: ghi “ước” (hoặc “ước tính”, “ước thực hiện”) cho số ước tính, "
              "“chính thức” hoặc để trống cho số chính thức",
        "en": "Kind “{value}” is not valid: write “estimate” (or “ước”) for an estimate, “official” or nothing for an "
              "official figure",
    },
    "problem.kind_conflict": {
        "vi": "Loại số liệu “{value}” mâu thuẫn với kỳ báo cáo là số ước (“Ước …”): sửa một trong hai",
        "en": "Kind “{value}” contradicts the period, which says estimate (“Ước …”): correct one of them",
    },
    "problem.cumulative_mismatch": {
        "vi": "Cảnh báo: số {period} của {unit} / {indicator} là {figure}, nhưng {parts} là {other}; khi đánh giá, "
              "số {period} được dùng. Hãy kiểm tra lại",
        "en": "Warning: the {period} figure of {unit} / {indicator} is {figure}, but {parts} is {other}; the "
              "{period} figure is the one that counts. Please check",
    },
    "problem.parts_sum": {"vi": "tổng {parts}", "en": "the sum of {parts}"},
    "problem.parts_one": {"vi": "số {parts}", "en": "the {parts} figure"},
    "problem.looks_cumulative": {
        "vi": "Cảnh báo: số liệu các quý của {unit} / {indicator} tăng dần như số lũy kế ({quarters}). Nếu là số "
              "lũy kế, hãy ghi kỳ là “6 tháng đầu năm {year}”, “9 tháng {year}” hoặc “Năm {year}”",
        "en": "Warning: the quarters of {unit} / {indicator} grow like running totals (“lũy kế”: {quarters}). If "
              "they are cumulative, write the period as “{year}-H1”, “{year}-9M” or “{year}”",
    },
    "problem.estimate_over_official": {
        "vi": "Cảnh báo: đã có số chính thức {previous} cho kỳ {period}; số ước tính {figure} sẽ thay thế số chính "
              "thức đó",
        "en": "Warning: an official figure ({previous}) is already stored for {period}; this estimate ({figure}) "
              "will replace it",
    },
    "template.kind": {"vi": "Loại số liệu", "en": "kind"},
    "kind.estimate": {"vi": "ước", "en": "estimate"},
    "kind.official": {"vi": "chính thức", "en": "official"},
    "cli.too_large": {
        "vi": "tệp nặng {n} byte, vượt giới hạn {limit} byte (max_file_bytes)",
        "en": "the file is {n} bytes, over the limit of {limit} bytes (max_file_bytes)",
    },
    "cli.cannot_read": {"vi": "không đọc được tệp ({detail})", "en": "cannot read the file ({detail})"},
    "cli.crash": {
        "vi": "lỗi nội bộ, không có gì bị ghi dở; hãy báo cho quản trị viên kèm nội dung dưới đây",
        "en": "internal error; nothing was half-written; please report it with the text below",
    },
    "ingest.loaded": {
        "vi": "Đã nạp {file}: {new} số liệu mới, {revised} số liệu sửa, {unchanged} không đổi (lần nạp #{upload}).",
        "en": "Loaded {file}: {new} new, {revised} revised, {unchanged} unchanged figures (upload #{upload}).",
    },
    "ingest.nothing_changed": {
        "vi": "{file}: mọi số liệu đã có sẵn với cùng giá trị, không có gì thay đổi.",
        "en": "{file}: every figure is already stored with the same value; nothing changed.",
    },
    "ingest.rejected": {
        "vi": "Từ chối {file}: {n} lỗi, không ghi số liệu nào.",
        "en": "Rejected {file}: problems found: {n}; nothing was written.",
    },
    "ingest.dry_run": {
        "vi": "Chạy thử {file}: {new} mới, {revised} sửa, {unchanged} không đổi; chưa ghi gì.",
        "en": "Dry run of {file}: {new} new, {revised} revised, {unchanged} unchanged; nothing written.",
    },
    "undo.done": {
        "vi": "Đã hoàn tác lần nạp #{upload}: {withdrawn} số liệu thôi hiệu lực, {restored} số liệu cũ được khôi phục.",
        "en": "Undid upload #{upload}: {withdrawn} figures withdrawn, {restored} earlier figures restored.",
    },
    "undo.unknown_upload": {"vi": "Không có lần nạp #{upload}.", "en": "There is no upload #{upload}."},
    "undo.already_undone": {
        "vi": "Lần nạp #{upload} đã được hoàn tác trước đó.", "en": "Upload #{upload} was already undone.",
    },
    "cli.no_file": {"vi": "không tìm thấy tệp", "en": "no such file"},
    "template.unit": {"vi": "Mã đơn vị", "en": "unit"},
    "template.indicator": {"vi": "Chỉ tiêu", "en": "indicator"},
    "template.period": {"vi": "Kỳ báo cáo", "en": "period"},
    "template.value": {"vi": "Giá trị", "en": "value"},
    "template.note": {"vi": "Ghi chú", "en": "note"},
    "template.unit_name": {"vi": "Tên đơn vị", "en": "Unit name"},
    "template.indicator_name": {"vi": "Tên chỉ tiêu", "en": "Indicator name"},
    "template.measure": {"vi": "Đơn vị tính", "en": "Measure"},
    # upload page
    "nav.upload": {"vi": "Nạp số liệu", "en": "Upload figures"},
    "upload.title": {"vi": "Nạp số liệu", "en": "Upload figures"},
    "upload.template": {"vi": "Tải mẫu nhập liệu", "en": "Download a template"},
    "upload.template_period": {"vi": "Kỳ của mẫu", "en": "Template period"},
    "upload.template_csv": {"vi": "Mẫu CSV", "en": "CSV template"},
    "upload.template_xlsx": {"vi": "Mẫu Excel (.xlsx)", "en": "Excel template (.xlsx)"},
    "upload.file": {
        "vi": "Chọn hoặc kéo thả tệp số liệu (CSV, TXT, XLSX)",
        "en": "Choose or drop a figures file (CSV, TXT, XLSX)",
    },
    "upload.decimal": {"vi": "Dấu thập phân", "en": "Decimal mark"},
    "upload.decimal.auto": {"vi": "Tự nhận biết", "en": "Detect"},
    "upload.decimal.comma": {"vi": "Dấu phẩy (63,7)", "en": "Comma (63,7)"},
    "upload.decimal.dot": {"vi": "Dấu chấm (63.7)", "en": "Dot (63.7)"},
    "upload.detected": {
        "vi": "Mã hóa: {encoding} · Dấu phân cách: {separator} · Dấu thập phân: {decimal} · Bố cục: {layout}",
        "en": "Encoding: {encoding} · Separator: {separator} · Decimal mark: {decimal} · Layout: {layout}",
    },
    "upload.detected.figures": {"vi": " · {rows} số liệu", "en": " · {rows} figures"},
    "layout.long": {"vi": "dạng dọc (mỗi dòng một số liệu)", "en": "long (one figure a row)"},
    "layout.wide": {"vi": "dạng ngang (mỗi cột một kỳ)", "en": "wide (one column per period)"},
    "decimal.comma": {"vi": "dấu phẩy", "en": "comma"},
    "decimal.dot": {"vi": "dấu chấm", "en": "dot"},
    "decimal.none": {"vi": "không cần (chỉ có số nguyên)", "en": "not needed (whole numbers only)"},
    "upload.step.read": {"vi": "Đang đọc tệp…", "en": "Reading the file…"},
    "upload.step.check": {"vi": "Đang kiểm tra từng ô…", "en": "Checking every cell…"},
    "upload.step.write": {"vi": "Đang ghi số liệu…", "en": "Writing the figures…"},
    "upload.step.done": {"vi": "Xong", "en": "Done"},
    "upload.problems": {"vi": "Lỗi cần sửa ({n})", "en": "Problems to fix ({n})"},
    "upload.warnings": {"vi": "Cảnh báo ({n}) — không chặn việc nạp", "en": "Warnings ({n}) — they do not block"},
    "upload.changes": {"vi": "Số liệu sẽ thay đổi", "en": "What will change"},
    "upload.new": {"vi": "Mới", "en": "New"},
    "upload.revised": {"vi": "Sửa", "en": "Revised"},
    "upload.unchanged": {"vi": "Không đổi", "en": "Unchanged"},
    "upload.previous": {"vi": "Giá trị cũ", "en": "Previous value"},
    "upload.change": {"vi": "Thay đổi", "en": "Change"},
    "upload.confirm": {"vi": "Ghi vào cơ sở dữ liệu", "en": "Write to the database"},
    "upload.rejected": {
        "vi": "Tệp có lỗi nên chưa ghi gì. Sửa các dòng dưới đây rồi nạp lại.",
        "en": "The file has problems, so nothing was written. Fix the lines below and upload it again.",
    },
    "upload.outdated": {
        "vi": "Số liệu trong cơ sở dữ liệu vừa thay đổi sau khi kiểm tra tệp này; bảng trên đã được cập nhật, "
              "hãy xem lại rồi ghi lần nữa",
        "en": "The stored figures changed after this file was checked; the table above is updated, "
              "please review it and write again",
    },
    "upload.recent": {"vi": "Các lần nạp gần đây", "en": "Recent uploads"},
    "upload.undo": {"vi": "Hoàn tác lần nạp", "en": "Undo an upload"},
    "upload.undo_button": {"vi": "Hoàn tác", "en": "Undo"},
    "upload.undo_confirm": {
        "vi": "Tôi hiểu: số liệu của lần nạp này thôi hiệu lực, số liệu trước đó được khôi phục.",
        "en": "I understand: this upload's figures stop counting and the earlier ones come back.",
    },
    "upload.history": {"vi": "Lịch sử một số liệu", "en": "History of a figure"},
    "upload.none": {"vi": "Chưa có lần nạp nào.", "en": "No uploads yet."},
    # Streamlit's drop zone keeps its own English words ("Upload", "… per file"): this line says it in Vietnamese.
    "upload.accepts": {
        "vi": "Nhận tệp CSV, TXT, TSV hoặc Excel (.xlsx), tối đa {size} mỗi tệp. Kéo thả tệp vào ô dưới đây hoặc "
              "bấm nút “Upload” (tải lên) để chọn tệp.",
        "en": "CSV, TXT, TSV or Excel (.xlsx) files, up to {size} each. Drop the file in the box below or press "
              "“Upload” to choose it.",
    },
    "upload.file_help": {
        "vi": "Mỗi dòng một số liệu (dạng dọc) hoặc mỗi cột một kỳ (dạng ngang); có thể dùng mẫu nhập liệu ở trên. "
              "Tệp chỉ được ghi khi bạn bấm “Ghi vào cơ sở dữ liệu”.",
        "en": "One figure a row (long) or one period a column (wide); the templates above have the right columns. "
              "Nothing is written until you press “Write to the database”.",
    },
    "upload.decimal_undecided": {
        "vi": "chưa xác định (có số đọc được theo hai cách, hãy chọn dấu thập phân ở trên)",
        "en": "undecided (some numbers read two ways: choose the decimal mark above)",
    },
    "upload.col.when": {"vi": "Thời điểm", "en": "When"},
    "upload.col.codes": {"vi": "Mã trong tệp", "en": "Codes in the file"},
    "upload.undo_nothing": {
        "vi": "Không có lần nạp nào bạn có thể hoàn tác.", "en": "There is no upload you may undo.",
    },
    "export.csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "export.xlsx": {"vi": "Tải Excel (.xlsx)", "en": "Download Excel (.xlsx)"},
    "export.csv_help": {
        "vi": "Các cột cách nhau bằng dấu chấm phẩy (;), số dùng dấu phẩy thập phân, mã hóa UTF-8: Excel tiếng Việt "
              "mở ra đúng từng cột.",
        "en": "Columns separated by semicolons (;), UTF-8 with a byte-order mark.",
    },
    "export.sheet": {"vi": "Dữ liệu", "en": "Data"},
    "col.qualifier": {"vi": "Dấu so sánh (>: dưới hạng)", "en": "Comparison sign (>: ranked below)"},
    "col.line": {"vi": "Dòng", "en": "Line"},
    "col.column": {"vi": "Cột", "en": "Column"},
    "col.value": {"vi": "Giá trị", "en": "Value"},
    "col.reason": {"vi": "Lý do", "en": "Reason"},
    "col.upload": {"vi": "Lần nạp", "en": "Upload"},
    "col.file": {"vi": "Tệp", "en": "File"},
    "col.by": {"vi": "Người nạp", "en": "By"},
    "col.when": {"vi": "Thời điểm (UTC)", "en": "When (UTC)"},
    "col.state": {"vi": "Trạng thái", "en": "State"},
    "col.note": {"vi": "Ghi chú", "en": "Note"},
    "state.current": {"vi": "Đang dùng", "en": "Current"},
    "state.superseded": {"vi": "Đã được thay", "en": "Superseded"},
    "state.undone": {"vi": "Đã hoàn tác", "en": "Undone"},
    "state.loaded": {"vi": "Có hiệu lực", "en": "In effect"},
    "problem.line": {"vi": "dòng {line}", "en": "line {line}"},
    "problem.column": {"vi": "cột {column}", "en": "column {column}"},
}

for _part in (ACCESS, REPORT, DOCUMENT):
    if set(_part) & set(CATALOGUE):  # one key, one meaning: a second catalogue never overwrites the first
        raise KeyError(f"keys defined twice: {sorted(set(_part) & set(CATALOGUE))}")
    CATALOGUE.update(_part)


def t(key: str, lang: str = "vi", **fields: object) -> str:
    """The message `key` in `lang`, with `fields` filled in."""
    text = CATALOGUE[key][lang]
    return text.format(**fields) if fields else text


def status_label(status: str, lang: str = "vi", estimate: bool = False) -> str:
    """The status as symbol and word, e.g. `✔ Đã đạt`: never colour alone. On an `estimate` a verdict is
    expected: `✔ Dự kiến đạt`, `✖ Dự kiến không đạt`."""
    key = f"status.{status}.estimate" if estimate and f"status.{status}.estimate" in CATALOGUE else f"status.{status}"
    return f"{STATUS_SYMBOL[status]} {t(key, lang)}"
