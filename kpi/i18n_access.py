"""Strings about signing in, roles, approvals, users and the audit (vi/en); `kpi.i18n` merges them into its one
catalogue, so `t()` finds them like every other message."""

from __future__ import annotations

ACCESS: dict[str, dict[str, str]] = {
    # roles and permissions
    "role.viewer": {"vi": "Xem", "en": "Viewer"},
    "role.analyst": {"vi": "Cán bộ tổng hợp (nạp số liệu)", "en": "Analyst"},
    "role.approver": {"vi": "Lãnh đạo (phê duyệt)", "en": "Approver"},
    "role.admin": {"vi": "Quản trị", "en": "Administrator"},
    # upload problems from the rights of the person uploading
    "problem.unit_not_permitted": {
        "vi": "Tài khoản {user} không được nạp số liệu của đơn vị “{value}” (chỉ các đơn vị được giao và đơn vị "
        "trực thuộc); cả tệp bị từ chối",
        "en": "User {user} may not send figures for unit “{value}” (only their units and the units below them); "
        "the whole file is refused",
    },
    "problem.period_locked": {
        "vi": "{period} của đơn vị {unit} đã được phê duyệt (khóa sổ #{lock}, {by}, {at}); cần mở lại kỳ này "
        "trước khi gửi số liệu",
        "en": "{period} of unit {unit} is approved (lock #{lock}, {by}, {at}); it must be reopened before figures "
        "can be sent for it",
    },
    "undo.not_yours": {
        "vi": "Lần nạp #{upload} do {author} thực hiện: chỉ người nạp hoặc quản trị được hoàn tác.",
        "en": "Upload #{upload} was made by {author}: only its author or an administrator may undo it.",
    },
    "undo.unit_not_permitted": {
        "vi": "Lần nạp #{upload} có số liệu của đơn vị {unit}, nay không thuộc quyền của tài khoản {user}: chỉ quản "
        "trị được hoàn tác.",
        "en": "Upload #{upload} has figures of unit {unit}, which user {user} may no longer send: only an "
        "administrator may undo it.",
    },
    "undo.locked": {
        "vi": "Không hoàn tác được lần nạp #{upload}: {period} của đơn vị {unit} đã được phê duyệt (khóa sổ #{lock}, "
        "{by}, {at}). Cần mở lại kỳ này trước.",
        "en": "Upload #{upload} cannot be undone: {period} of unit {unit} is approved (lock #{lock}, {by}, {at}). "
        "Reopen it first.",
    },
    # users
    "user.bad_username": {
        "vi": "Tên đăng nhập “{name}” không hợp lệ: 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang.",
        "en": "User name “{name}” is not valid: 2–64 of a-z, 0-9, dot, underscore, hyphen.",
    },
    "user.bad_role": {
        "vi": "Vai trò không hợp lệ: {roles} (chọn trong: {allowed}).",
        "en": "Unknown role: {roles} (one of: {allowed}).",
    },
    "user.no_role": {"vi": "Cần ít nhất một vai trò.", "en": "At least one role is needed."},
    "user.unknown_units": {
        "vi": "Đơn vị không có trong danh mục: {units}.",
        "en": "Units not in the registry: {units}.",
    },
    "user.analyst_needs_unit": {
        "vi": "Cán bộ tổng hợp phải được giao ít nhất một đơn vị (--unit).",
        "en": "An analyst must be bound to at least one unit (--unit).",
    },
    "user.bad_email": {"vi": "Địa chỉ e-mail không hợp lệ: {email}.", "en": "Not an e-mail address: {email}."},
    "user.email_taken": {"vi": "E-mail {email} đã gắn với tài khoản khác.",
                         "en": "E-mail {email} already belongs to another user."},
    "signin.unverified_email": {"vi": "Nhà cung cấp đăng nhập chưa xác minh e-mail {email}; không thể đăng nhập.",
                                "en": "The sign-in provider has not verified {email}; you cannot sign in with it."},
    "user.user_exists": {"vi": "Đã có tài khoản {username}.", "en": "User {username} already exists."},
    "user.unknown_user": {"vi": "Không có tài khoản {username}.", "en": "There is no user {username}."},
    "user.not_yourself": {"vi": "Không thể tự khóa tài khoản của mình.", "en": "You cannot disable yourself."},
    "user.password_short": {
        "vi": "Mật khẩu phải có ít nhất {n} ký tự.",
        "en": "A password needs at least {n} characters.",
    },
    "user.password_long": {"vi": "Mật khẩu dài quá {n} ký tự.", "en": "A password may have at most {n} characters."},
    "user.password_has_name": {
        "vi": "Mật khẩu không được chứa tên đăng nhập.",
        "en": "A password must not contain the user name.",
    },
    # approvals
    "approval.not_allowed": {
        "vi": "Chỉ lãnh đạo (phê duyệt) hoặc quản trị được phê duyệt hay mở lại kỳ báo cáo.",
        "en": "Only approvers and administrators may approve or reopen a period.",
    },
    "approval.not_a_quarter": {
        "vi": "“{period}” không phải một quý (ví dụ 2024-Q3).",
        "en": "“{period}” is not a quarter (e.g. 2024-Q3).",
    },
    "approval.unknown_unit": {
        "vi": "Đơn vị {unit} không có trong danh mục.",
        "en": "Unit {unit} is not in the registry.",
    },
    "approval.already_locked": {
        "vi": "{period} đã được phê duyệt như vậy (khóa sổ #{lock}).",
        "en": "{period} is already approved that way (lock #{lock}).",
    },
    "approval.reason_required": {"vi": "Cần ghi lý do mở lại.", "en": "A reason for reopening is required."},
    "approval.reason_too_long": {"vi": "Lý do dài quá {n} ký tự.", "en": "The reason may have at most {n} characters."},
    "approval.unknown_lock": {"vi": "Không có lần phê duyệt #{lock}.", "en": "There is no approval #{lock}."},
    "approval.already_reopened": {
        "vi": "Lần phê duyệt #{lock} đã được mở lại trước đó.",
        "en": "Approval #{lock} was already reopened.",
    },
    "approval.done": {
        "vi": "Đã phê duyệt {period} cho {unit} (khóa sổ #{lock}).",
        "en": "Approved {period} for {unit} (lock #{lock}).",
    },
    "approval.reopened": {
        "vi": "Đã mở lại {period} cho {unit} (khóa sổ #{lock}).",
        "en": "Reopened {period} for {unit} (lock #{lock}).",
    },
    # settings
    "setting.unknown_setting": {"vi": "Không có thiết lập “{name}”.", "en": "There is no setting “{name}”."},
    "setting.bad_setting": {
        "vi": "Giá trị “{value}” không hợp lệ cho {name}.",
        "en": "“{value}” is not a valid value for {name}.",
    },
    "setting.value_missing": {"vi": "Cần giá trị cho {name}.", "en": "A value for {name} is needed."},
    # command line
    "cli.password": {"vi": "Mật khẩu: ", "en": "Password: "},
    "cli.password_again": {"vi": "Nhập lại mật khẩu: ", "en": "Password again: "},
    "cli.password_mismatch": {
        "vi": "Hai lần nhập mật khẩu không khớp; chưa đổi gì.",
        "en": "The passwords differ; nothing changed.",
    },
    "cli.unknown_actor": {
        "vi": "không có tài khoản đang hoạt động “{user}” (--as / KPI_USER)",
        "en": "no enabled user “{user}” (--as / KPI_USER)",
    },
    "cli.not_allowed": {
        "vi": "Tài khoản {user} không có quyền làm việc này.",
        "en": "User {user} is not allowed to do this.",
    },
    "cli.user_added": {
        "vi": "Đã tạo tài khoản {user} (vai trò: {roles}; đơn vị: {units}).",
        "en": "Added user {user} (roles: {roles}; units: {units}).",
    },
    "cli.user_changed": {
        "vi": "Đã cập nhật tài khoản {user} (vai trò: {roles}; đơn vị: {units}).",
        "en": "Changed user {user} (roles: {roles}; units: {units}).",
    },
    "cli.password_set": {
        "vi": "Đã đặt mật khẩu mới cho {user}; các phiên đăng nhập cũ đã kết thúc.",
        "en": "Set a new password for {user}; their sessions have ended.",
    },
    "cli.user_disabled": {"vi": "Đã khóa tài khoản {user}.", "en": "Disabled user {user}."},
    "cli.user_enabled": {"vi": "Đã mở khóa tài khoản {user}.", "en": "Enabled user {user}."},
    "cli.kiosk": {
        "vi": "Mã màn hình phòng họp “{label}” (chỉ xem; giữ kín, mở bằng địa chỉ sau):",
        "en": "Kiosk token for “{label}” (viewing only; keep it private; open this address):",
    },
    "cli.kiosk_revoked": {"vi": "Đã thu hồi {n} mã màn hình “{label}”.", "en": "Revoked {n} kiosk tokens “{label}”."},
    # app: signing in
    "nav.signin": {"vi": "Đăng nhập", "en": "Sign in"},
    "nav.approvals": {"vi": "Phê duyệt kỳ báo cáo", "en": "Period approval"},
    "nav.admin": {"vi": "Quản trị", "en": "Administration"},
    "signin.title": {"vi": "Đăng nhập", "en": "Sign in"},
    "signin.needed": {"vi": "Trang này cần đăng nhập.", "en": "This page needs you to sign in."},
    "signin.username": {"vi": "Tên đăng nhập", "en": "User name"},
    "signin.password": {"vi": "Mật khẩu", "en": "Password"},
    "signin.submit": {"vi": "Đăng nhập", "en": "Sign in"},
    "signin.oidc": {"vi": "Đăng nhập bằng tài khoản cơ quan", "en": "Sign in with your organisation's account"},
    "signin.bad_credentials": {
        "vi": "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do nhập sai nhiều lần (thử lại "
        "sau {minutes} phút).",
        "en": "Wrong user name or password, or the account is locked after repeated failures (try again in {minutes} "
        "minutes).",
    },
    "signin.unknown_email": {
        "vi": "Tài khoản {email} chưa được cấp quyền trong hệ thống; liên hệ quản trị.",
        "en": "{email} has no account here; ask an administrator.",
    },
    "signin.expired": {
        "vi": "Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.",
        "en": "Your session has ended; please sign in again.",
    },
    "signin.as": {"vi": "Đang đăng nhập: {name}", "en": "Signed in: {name}"},
    "signin.anonymous": {"vi": "Chưa đăng nhập (chỉ xem)", "en": "Not signed in (viewing only)"},
    "signin.out": {"vi": "Đăng xuất", "en": "Sign out"},
    "signin.denied": {
        "vi": "Tài khoản của bạn không có quyền mở trang này.",
        "en": "Your account may not open this page.",
    },
    "kiosk.needed": {
        "vi": "Màn hình trình chiếu cần mã phòng họp hợp lệ (kiosk=…) khi không cho xem tự do.",
        "en": "The projector needs a valid kiosk token (kiosk=…) while anonymous viewing is off.",
    },
    # app: approvals page
    "approvals.title": {"vi": "Phê duyệt kỳ báo cáo", "en": "Period approval"},
    "approvals.caption": {
        "vi": "Phê duyệt một quý là khóa kết quả lũy kế đến hết quý đó: mọi lần nạp hay hoàn tác chạm đến số liệu "
        "của quý đó hoặc các quý trước trong năm (kể cả 6 tháng, 9 tháng) bị từ chối cho đến khi mở lại (phải ghi "
        "lý do). Số liệu cả năm chỉ bị khóa khi Quý IV được phê duyệt.",
        "en": "Approving a quarter freezes the year to date through it: every upload or undo touching a figure of "
        "that quarter or an earlier one of the year (H1 and 9 months included) is refused until it is reopened (with "
        "a reason). The year figure is locked only when Q4 is approved.",
    },
    "approvals.period": {"vi": "Quý", "en": "Quarter"},
    "approvals.scope": {"vi": "Phạm vi", "en": "Scope"},
    "approvals.scope.all": {"vi": "Tất cả đơn vị", "en": "Every unit"},
    "approvals.scope.unit": {"vi": "Một đơn vị", "en": "One unit"},
    "approvals.scope.subtree": {"vi": "Đơn vị và các đơn vị trực thuộc", "en": "A unit and the units below it"},
    "approvals.approve": {"vi": "Phê duyệt (khóa sổ)", "en": "Approve (lock)"},
    "approvals.reopen": {"vi": "Mở lại", "en": "Reopen"},
    "approvals.reason": {"vi": "Lý do mở lại", "en": "Reason for reopening"},
    "approvals.list": {"vi": "Các lần phê duyệt", "en": "Approvals"},
    "approvals.none": {"vi": "Chưa có quý nào được phê duyệt.", "en": "No quarter has been approved yet."},
    "approvals.active": {"vi": "Đang khóa", "en": "Locked"},
    "approvals.reopened_state": {"vi": "Đã mở lại", "en": "Reopened"},
    "col.approved_by": {"vi": "Người phê duyệt", "en": "Approved by"},
    "col.approved_at": {"vi": "Thời điểm phê duyệt", "en": "Approved at"},
    "col.reopened_by": {"vi": "Người mở lại", "en": "Reopened by"},
    "col.reopened_at": {"vi": "Thời điểm mở lại", "en": "Reopened at"},
    "col.scope": {"vi": "Phạm vi", "en": "Scope"},
    "completeness.approved": {"vi": "Đã phê duyệt", "en": "Approved"},
    # app: administration
    "admin.title": {"vi": "Quản trị", "en": "Administration"},
    "admin.users": {"vi": "Tài khoản", "en": "Users"},
    "admin.add": {"vi": "Thêm tài khoản", "en": "Add a user"},
    "admin.change": {
        "vi": "Sửa vai trò, đơn vị, khóa hoặc đặt lại mật khẩu",
        "en": "Change roles, units, status or password",
    },
    "admin.settings": {"vi": "Thiết lập truy cập", "en": "Access settings"},
    "admin.audit": {"vi": "Nhật ký (chỉ đọc)", "en": "Audit (read-only)"},
    "admin.saved": {"vi": "Đã lưu.", "en": "Saved."},
    "setting.anonymous_viewing": {
        "vi": "Cho xem bảng điều khiển không cần đăng nhập",
        "en": "Dashboards open without signing in",
    },
    "setting.idle_minutes": {
        "vi": "Phiên kết thúc sau (phút không thao tác)",
        "en": "Session ends after (idle minutes)",
    },
    "setting.max_failures": {"vi": "Số lần nhập sai trước khi tạm khóa", "en": "Failed sign-ins before lock-out"},
    "setting.lockout_minutes": {"vi": "Thời gian tạm khóa (phút)", "en": "Lock-out (minutes)"},
    "col.username": {"vi": "Tên đăng nhập", "en": "User name"},
    "col.display_name": {"vi": "Họ tên", "en": "Name"},
    "col.email": {"vi": "E-mail", "en": "E-mail"},
    "col.roles": {"vi": "Vai trò", "en": "Roles"},
    "col.units": {"vi": "Đơn vị", "en": "Units"},
    "col.disabled": {"vi": "Đã khóa", "en": "Disabled"},
    "col.locked_until": {"vi": "Tạm khóa đến", "en": "Locked until"},
    "col.actor": {"vi": "Người thực hiện", "en": "Who"},
    "col.action": {"vi": "Việc", "en": "Action"},
    "col.audit_target": {"vi": "Đối tượng", "en": "Target"},
    "col.detail": {"vi": "Chi tiết", "en": "Detail"},
    "col.at": {"vi": "Thời điểm (UTC+7)", "en": "When (UTC+7)"},
    "nav.kiosk": {"vi": "Màn hình phòng họp", "en": "Meeting-room screens"},
    "admin.yes": {"vi": "Có", "en": "Yes"},
    "admin.any": {"vi": "(tất cả)", "en": "(all)"},
    "admin.since": {"vi": "Từ ngày", "en": "Since"},
    "admin.password_again": {"vi": "Nhập lại mật khẩu", "en": "Password again"},
    "admin.save": {"vi": "Lưu", "en": "Save"},
    "admin.set_password": {"vi": "Đặt mật khẩu mới", "en": "Set a new password"},
    "admin.enable": {"vi": "Mở khóa tài khoản", "en": "Enable the user"},
    "admin.disable": {"vi": "Khóa tài khoản", "en": "Disable the user"},
    "admin.kiosk_caption": {
        "vi": "Mã chỉ cho xem màn hình trình chiếu, dùng khi tắt chế độ xem không cần đăng nhập. Mã chỉ hiện một lần; "
        "thu hồi theo tên phòng.",
        "en": "A view-only token for the projector, for when anonymous viewing is off. It is shown once; revoke it by "
        "its room name.",
    },
    "admin.kiosk_label": {"vi": "Tên phòng họp", "en": "Room name"},
    "admin.kiosk_issue": {"vi": "Cấp mã", "en": "Issue a token"},
    "admin.kiosk_revoke": {"vi": "Thu hồi mã của phòng", "en": "Revoke the room's tokens"},
    "user.password_mismatch": {"vi": "Hai lần nhập mật khẩu không khớp.", "en": "The passwords differ."},
    "action.sign_in": {"vi": "Đăng nhập", "en": "Sign-in"},
    "action.sign_in_failed": {"vi": "Đăng nhập thất bại", "en": "Failed sign-in"},
    "action.locked_out": {"vi": "Tạm khóa do nhập sai", "en": "Locked out"},
    "action.sign_out": {"vi": "Đăng xuất", "en": "Sign-out"},
    "action.session_expired": {"vi": "Hết phiên", "en": "Session expired"},
    "action.upload": {"vi": "Nạp số liệu", "en": "Upload"},
    "action.undo": {"vi": "Hoàn tác", "en": "Undo"},
    "action.approve": {"vi": "Phê duyệt", "en": "Approval"},
    "action.reopen": {"vi": "Mở lại kỳ", "en": "Reopening"},
    "action.user_add": {"vi": "Thêm tài khoản", "en": "User added"},
    "action.user_change": {"vi": "Sửa tài khoản", "en": "User changed"},
    "action.password_set": {"vi": "Đặt mật khẩu", "en": "Password set"},
    "action.user_disable": {"vi": "Khóa tài khoản", "en": "User disabled"},
    "action.user_enable": {"vi": "Mở khóa tài khoản", "en": "User enabled"},
    "action.kiosk_token": {"vi": "Cấp mã phòng họp", "en": "Kiosk token issued"},
    "action.kiosk_revoke": {"vi": "Thu hồi mã phòng họp", "en": "Kiosk tokens revoked"},
    "action.setting": {"vi": "Đổi thiết lập", "en": "Setting changed"},
}
