# Lỗi và từ chối, theo mã ổn định mà API trả về. Tham số viết `{ $name }`.

## Đăng nhập và quyền

unauthenticated = Hãy đăng nhập trước: gửi bearer token hoặc cookie phiên làm việc
invalid_credentials = Sai tên đăng nhập hoặc mật khẩu
session_ended = Phiên làm việc đã hết hạn hoặc đã đăng xuất: hãy đăng nhập lại
forbidden = Bạn không có quyền thực hiện thao tác này
too_many_attempts = Đăng nhập sai quá nhiều lần; hãy thử lại sau { $seconds } giây
register_shared = Danh mục văn bản pháp luật dùng chung cho mọi cơ quan: chỉ cơ quan điều phối (hoặc quản trị viên) được sửa hoặc quyết định về một văn bản; hãy gửi đề xuất thay đổi để họ chấp nhận hoặc từ chối

## Không tìm thấy, xung đột và quy tắc

not_found = Không tìm thấy { $what ->
    [agency] cơ quan
    [document] tài liệu
    [file] tệp
    [legal_reference] văn bản pháp luật
    [proposal] đề xuất
    [role_grant] phân quyền
    [user] người dùng
    [version] phiên bản
    [version_in_force] phiên bản có hiệu lực vào ngày đó
    [internal_audit] cuộc đánh giá nội bộ
    [finding] phát hiện đánh giá
    [checklist_item] câu hỏi kiểm tra
    [corrective_action] phiếu hành động khắc phục
    [management_review] cuộc họp xem xét của lãnh đạo
    [quality_objective] mục tiêu chất lượng
    [announcement] công bố
    [inspection] cuộc kiểm tra
    [inspection_minutes] biên bản kiểm tra
    [complaint] phản ánh, kiến nghị
    [record] hồ sơ
    [attachment] tệp đính kèm
    [series] nhóm hồ sơ
    [disposal] đề nghị hủy hồ sơ
    [assignment] phân công thẩm định
    [assessment] hồ sơ tự đánh giá
    [criteria_set] bộ tiêu chí
    [criterion] tiêu chí
    [evidence] tài liệu kiểm chứng
    [fact] đề xuất từ dữ liệu hệ thống
    [period] kỳ đánh giá
    [action] hành động
   *[other] dữ liệu
}
no_such_resource = Không có dữ liệu này
method_not_allowed = Phương thức này không dùng được cho đường dẫn này
precondition_required = Hãy gửi If-Match với ETag của dữ liệu bạn đã đọc
precondition_failed = Tài liệu đã thay đổi kể từ khi bạn mở; hãy tải lại và thực hiện lại thay đổi
already_exists = Dữ liệu này đã tồn tại (vừa được một yêu cầu khác tạo cùng lúc)
internal_error = Đã xảy ra lỗi hệ thống; khi báo lỗi hãy kèm mã yêu cầu
username_taken = Tên đăng nhập { $username } đã có người dùng
agency_code_taken = Đã có cơ quan mang mã { $code }
document_code_taken = Cơ quan này đã có tài liệu mang mã { $code }
legal_ref_exists = { $number } đã có trong danh mục
label_taken = Tài liệu này đã có phiên bản { $label }
revision_in_progress = Phiên bản { $label } vẫn { $status ->
    [draft] đang là dự thảo
    [in_review] đang chờ duyệt
   *[approved] đã duyệt nhưng chưa có hiệu lực
}; hãy hoàn tất hoặc từ chối phiên bản đó trước
already_published = Phiên bản này đã được ban hành và đang chờ đến ngày có hiệu lực
invalid_transition = Không thể { $action ->
    [submit] trình duyệt
    [approve] phê duyệt
    [reject] từ chối
    [publish] ban hành
   *[withdraw] bãi bỏ
} phiên bản đang ở trạng thái { $status ->
    [draft] dự thảo
    [in_review] chờ duyệt
    [approved] đã duyệt
    [effective] hiệu lực
    [superseded] đã được thay thế
    [obsolete] hết hiệu lực
   *[rejected] bị từ chối
}; { $action ->
    [submit] chỉ dự thảo mới trình duyệt được
    [approve] chỉ phiên bản chờ duyệt mới phê duyệt được
    [reject] chỉ phiên bản chờ duyệt mới từ chối được
    [publish] chỉ phiên bản đã duyệt mới ban hành được
   *[withdraw] chỉ phiên bản đã duyệt hoặc đang hiệu lực mới bãi bỏ được
}
own_draft = Bạn là người soạn phiên bản này, nên người khác phải { $action ->
    [approve] phê duyệt
   *[reject] từ chối
}
nothing_to_review = Chỉ tài liệu có phiên bản đang hiệu lực mới rà soát được
not_effective = Chỉ phiên bản đang hiệu lực mới xác nhận đã đọc được
not_issued = Chỉ phiên bản đã ban hành (hiệu lực, đã thay thế hoặc hết hiệu lực) mới có bản đóng dấu; hãy tải bản gốc
no_pdf_of_type = Chỉ tệp PDF và văn bản (DOCX, DOC, ODT) mới xem được dạng PDF hoặc đóng dấu, còn tệp này là { $content_type }; hãy tải bản gốc
rendition_pending = Bản PDF của tài liệu này đang được tạo; hãy thử lại sau ít phút hoặc tải bản gốc
rendition_failed = Không tạo được bản PDF của tài liệu này ({ $detail }); hãy tải bản gốc
rendition_unavailable = Máy chủ chưa cài LibreOffice nên chưa tạo được bản PDF của văn bản; hãy tải bản gốc
rendition_interrupted = Máy chủ gặp sự cố khi tạo bản PDF của tài liệu này; bản PDF sẽ được tạo lại sau — hãy tải bản gốc
too_large_to_stamp = Tệp PDF này quá lớn để đóng dấu; hãy tải bản gốc
cannot_stamp = Không đóng dấu được tệp PDF này: { $detail }
code_exhausted = Không còn mã trống nào gần { $base }
upload_lost = Bản lưu của tệp đã bị xoá trong lúc ghi nhận; hãy tải tệp lên lại
agency_closed = { $agency } { $state ->
    [merged] đã sáp nhập vào cơ quan khác
   *[inactive] không còn hoạt động
}: hãy đăng ký tài liệu mới tại cơ quan tiếp nhận công việc
agency_cycle = Không thể đặt một cơ quan trực thuộc chính nó hoặc đơn vị cấp dưới của nó
agency_merge_cycle = Không thể sáp nhập một cơ quan vào chính nó hoặc vào cơ quan đã sáp nhập vào nó
cannot_deactivate_self = Bạn không thể tự khoá tài khoản của mình
cannot_revoke_own_admin = Bạn không thể tự gỡ quyền quản trị của mình

## Hồ sơ hệ thống quản lý chất lượng

record_locked = { $number } { $status ->
    [closed] đã đóng
    [signed_off] đã được ký duyệt
   *[other] đang ở trạng thái { $status }
} nên không thể thay đổi nữa
record_transition = Không thể chuyển từ { $from } sang { $to }; từ { $from } chỉ chuyển được sang: { $allowed }
record_number_taken = Cơ quan này đã có hồ sơ cùng loại mang số { $number }
audit_report_required = Hãy viết báo cáo đánh giá (trường "report") trước khi chuyển cuộc đánh giá sang đã báo cáo
audit_nonconformities_open = Chỉ đóng được cuộc đánh giá khi mọi hành động khắc phục của các điểm không phù hợp đã đóng; còn mở: { $findings }
not_an_internal_auditor = Người dùng { $user } không phải chuyên gia đánh giá nội bộ của cơ quan này: chỉ chuyên gia đánh giá nội bộ mới được làm trưởng đoàn hoặc thành viên đoàn đánh giá
auditor_not_independent = Người dùng { $user } giữ vai trò { $role } tại đơn vị thuộc phạm vi đánh giá: chuyên gia không đánh giá công việc của chính mình; hãy chọn chuyên gia khác
finding_required = Hành động khắc phục từ đánh giá nội bộ phải nêu phát hiện (finding_id)
finding_only_for_audits = finding_id chỉ dùng cho hành động khắc phục từ đánh giá nội bộ; với nguồn khác hãy dùng source_record_id
audit_source_is_finding = Hành động khắc phục từ đánh giá nội bộ nêu phát hiện trong finding_id, không dùng source_record_id
source_record_not_for_other = Hành động khắc phục có nguồn "other" không gắn với hồ sơ nào
action_owner_only = Chỉ người phụ trách hành động này, hoặc thư ký ISO của cơ quan, mới được đánh dấu hoàn thành
action_already_done = Hành động này đã được đánh dấu hoàn thành
chair_not_head = Cuộc họp xem xét của lãnh đạo do lãnh đạo cơ quan (agency_head) chủ trì
review_chair_only = Chỉ người chủ trì cuộc họp xem xét của lãnh đạo mới được ký duyệt
announcement_current_exists = Công bố hiện hành của cơ quan là { $number }: để công bố lại, hãy nêu công bố đó trong previous_id kèm lý do
announcement_not_current = Chỉ công bố hiện hành mới được thay thế
not_in_inspection_plan = Cơ quan này không có trong kế hoạch kiểm tra: hãy bổ sung vào kế hoạch trước
disposal_pending = Đã có đề nghị hủy hồ sơ này đang chờ lãnh đạo quyết định
disposal_decided = Đề nghị hủy này đã được { $status ->
    [approved] phê duyệt
   *[refused] từ chối
}
disposal_own_request = Bạn là người đề nghị hủy, nên một lãnh đạo khác của cơ quan phê duyệt
dispose_with_parent = Hồ sơ này được hủy cùng hồ sơ chứa nó ({ $parent })
kept_permanently = Loại hồ sơ này được lưu trữ vĩnh viễn
retention_not_over = Hồ sơ này phải lưu trữ đến { $until }
legal_hold = Hồ sơ này, hoặc hồ sơ thuộc nó, đang bị phong tỏa pháp lý: hãy gỡ phong tỏa trước
series_name_taken = Cơ quan này đã có nhóm hồ sơ tên { $name }
verifier_owns_action = Việc kiểm tra hiệu lực phải do người không phụ trách hành động nào của phiếu thực hiện: hãy nhờ một chuyên gia đánh giá nội bộ hoặc thư ký ISO khác

## Chấm điểm

criteria_set_invalid = Bộ tiêu chí có { $count } lỗi: xem details.problems
criteria_set_code_taken = Đã có bộ tiêu chí mang mã { $code } (bản sửa đổi cần mã riêng và ghi bộ tiêu chí được thay thế)
criteria_format_unknown = Định dạng không đúng: cần { $expected }
criteria_code_missing = Cần có mã
criteria_name_missing = Bộ tiêu chí cần có tên
criteria_title_missing = Cần có tên
criteria_empty = Bộ tiêu chí chưa có tiêu chí nào
criteria_too_deep = Nhóm tiêu chí lồng nhau tối đa { $max } cấp
criteria_too_many = Một bộ có tối đa { $max } tiêu chí
criteria_code_duplicate = Mã { $code } bị dùng hai lần (lần đầu ở { $first })
criteria_parent_unknown = Không có tiêu chí nào mang mã { $parent }
criteria_parent_cycle = Tiêu chí này nằm dưới chính nó
criteria_fact_unknown = Không có dữ kiện { $fact }; các dữ kiện: { $allowed }
criteria_per_day_positive = Số điểm trừ mỗi ngày phải lớn hơn 0
criteria_points_missing = Tiêu chí không có tiêu chí con cần có điểm tối đa (max_points)
criteria_deduction_positive = Điểm trừ phải nhỏ hơn 0, không phải { $points }
criteria_points_positive = Điểm tối đa phải lớn hơn 0, không phải { $points } (điểm trừ ghi deduction: true)
criteria_group_sum = Nhóm ghi { $points } điểm nhưng các tiêu chí của nhóm cộng lại được { $children }
criteria_total_differs = Tổng điểm (max_total) là { $max_total } nhưng các tiêu chí cộng lại được { $sum }
criteria_ranks_missing = Bộ tiêu chí cần có các mức xếp loại
criteria_rank_duplicate = Mức xếp loại { $code } bị liệt kê hai lần
criteria_rank_open_not_last = Chỉ mức thấp nhất được để trống ngưỡng điểm
criteria_rank_out_of_range = Ngưỡng { $points } nằm ngoài khoảng 0 đến { $max_total }
criteria_rank_order = Ngưỡng { $points } phải thấp hơn ngưỡng của mức trên ({ $above }): các mức xếp từ cao xuống thấp, không chồng lấn
criteria_supersedes_unknown = Không có bộ tiêu chí { $set } để thay thế
criteria_not_a_number = { $value } không phải là số
criteria_workbook_unreadable = Không đọc được tệp bảng tính: { $detail }
criteria_workbook_type = Bộ tiêu chí được nhập từ tệp XLSX hoặc JSON, không phải { $type }
criteria_json_unreadable = Không đọc được tệp JSON thành bộ tiêu chí: { $detail }
no_such_criteria_set = Không có bộ tiêu chí { $value }
period_agencies_one_way = Chọn cơ quan theo agency_ids hoặc theo subtree (và kinds), không dùng cả hai hoặc bỏ trống cả hai
period_without_agencies = Kỳ đánh giá chưa có cơ quan nào
period_appraisal_before_self = Hạn thẩm định không được trước hạn tự đánh giá
period_transition = Kỳ đánh giá không thể chuyển từ { $from } sang { $to }
period_not_running = Kỳ đánh giá đang ở trạng thái { $status }: việc này chỉ làm khi đang tự đánh giá hoặc thẩm định
period_closed = Kỳ đánh giá đã { $status }: không thể thay đổi nữa
period_not_all_submitted = { $count } cơ quan chưa nộp hồ sơ tự đánh giá: { $agencies }; dùng force: true để chốt kết quả với 0 điểm cho các cơ quan này
assessment_locked = Hồ sơ tự đánh giá đang ở trạng thái { $status } (kỳ đánh giá: { $period_status }): không thể sửa lúc này
assessment_not_submitted = Chỉ mở lại được hồ sơ đã nộp của kỳ đánh giá đang diễn ra (hồ sơ đang ở trạng thái { $status })
assessment_unscored = Còn { $count } tiêu chí chưa chấm điểm: { $codes }
assessment_late_note = Nộp chậm { $days } ngày so với thời hạn
criterion_is_group = { $code } là nhóm tiêu chí: điểm của nhóm là tổng điểm các tiêu chí trong nhóm
score_out_of_bounds = Điểm phải nằm trong khoảng { $min } đến { $max }
evidence_already_linked = Tài liệu này đã được gắn với tiêu chí
evidence_version_not_issued = Phiên bản đang ở trạng thái { $status } không dùng làm tài liệu kiểm chứng: hãy gắn phiên bản đã ban hành
document_not_effective = Tài liệu chưa có phiên bản đang hiệu lực
appraisal_not_assigned = Bạn không được phân công thẩm định hồ sơ này
appraisal_needs_submission = Chỉ thẩm định hồ sơ đã nộp (hồ sơ đang ở trạng thái { $status })
appraiser_role_missing = { $user } không có vai trò thành viên tổ thẩm định đối với cơ quan này
appraiser_own_agency = { $user } thuộc cơ quan này, cơ quan cấp trên hoặc cấp dưới của nó: không ai thẩm định cơ quan của mình
appraiser_already_assigned = Thành viên này đã được phân công thẩm định hồ sơ
sample_swap_invalid = Chỉ đổi một cơ quan trong mẫu lấy một cơ quan ngoài mẫu
sample_swap_kind = Đổi cơ quan cấp tỉnh lấy cơ quan cấp tỉnh, cấp xã lấy cấp xã
year_out_of_range = Năm phải nằm trong khoảng 2000 đến 2100
must_be_positive = phải từ 1 trở lên

## Tệp

unsupported_media_type = { $reason }; chấp nhận: PDF, DOC, DOCX, XLS, XLSX, ODT, ODS, PPT, PPTX, TXT, CSV, HTML, MD, PNG, JPEG, TIFF
file_too_large = Tệp lớn hơn giới hạn { $limit } byte
upload_failed = Quá trình tải lên bị ngắt trước khi hết tệp: { $detail }
hash_mismatch = SHA-256 của tệp là { $actual }, không phải { $expected } như mong đợi
file_empty = Tệp rỗng
file_unreadable = Không đọc được tệp: { $detail }
not_multipart = Hãy gửi tệp dạng multipart/form-data với trường tên "{ $field }" ({ $detail })
form_unreadable = Không đọc được biểu mẫu: { $detail }
form_field_unexpected = Trường "{ $field }" không hợp lệ; hãy gửi { $expected }
form_without_file = Biểu mẫu không có tệp
too_many_files = Mỗi lần gửi tối đa { $max } tệp
choose_a_person = Hãy chọn một người trong danh sách
choose_a_verdict = Hãy cho biết hành động có hiệu lực không

## Dữ liệu nhập không hợp lệ (tên trường đứng trước lý do)

invalid_field = { $field }: { $reason }
request_unreadable = { $detail }
must_not_be_empty = không được để trống
too_long = dài tối đa { $max } ký tự
too_long_bytes = dài tối đa { $max } byte
too_short = phải có ít nhất { $min } ký tự
control_characters = không được chứa ký tự điều khiển
code_length = phải có từ 1 đến { $max } ký tự
code_characters = chỉ gồm chữ cái ASCII, chữ số, '.', '_' và '-'
one_of = phải là một trong: { $allowed }
between = phải nằm trong khoảng { $min } đến { $max }
too_many = tối đa { $max } mục
not_an_email = không phải địa chỉ email
no_such_user = không có người dùng này
no_such_agency = không có cơ quan nào có mã hoặc id "{ $value }"
role_needs_agency = vai trò { $role } phải được giao gắn với một cơ quan
sort_fields = phải là { $allowed }, có thể thêm dấu - phía trước
from_after_to = không được sau `to`
search_query_empty = hãy nhập nội dung cần tìm, ví dụ q=quy trình hoặc q=QT-01
not_before_today = phải từ hôm nay ({ $today }) trở đi
import_not_in_future = phiên bản nhập vào có hiệu lực từ hôm nay hoặc trước đó; phiên bản sau hãy ban hành trong hoso
change_summary_required = hãy mô tả nội dung thay đổi: bắt buộc từ phiên bản thứ hai trở đi
legal_number_format = cần dạng số/năm/LOẠI-CƠ QUAN BAN HÀNH, ví dụ 19/2014/QĐ-TTg
legal_number_digits = phần số trước dấu / đầu tiên chỉ gồm chữ và số
legal_number_year = "{ $value }" không phải là năm
legal_number_type_issuer = phần cuối phải có dạng LOẠI-CƠ QUAN, ví dụ QĐ-TTg
replaced_by_unknown = phải là một văn bản pháp luật khác có trong danh mục
status_day_required = hãy cho biết ngày trạng thái mới có hiệu lực
legal_refs_unknown = chưa có trong danh mục văn bản pháp luật: { $numbers } (hãy thêm trước)
import_no_issue_date = phiên bản cũ của { $code } có hiệu lực từ ngày ban hành, nhưng văn bản không ghi ngày ("Ngày ban hành: dd/mm/yyyy" hoặc "…, ngày d tháng m năm yyyy")
import_out_of_order = Phiên bản này sẽ có hiệu lực từ { $day }, nhưng phiên bản đang hiệu lực bắt đầu từ { $current }: các lần ban hành của một tài liệu được nhập từ cũ đến mới, mỗi lần từ ngày ban hành của nó
proposal_changes_nothing = đề xuất không thay đổi gì: văn bản đã đúng như vậy
proposal_decided = Đề xuất này đã được { $status ->
    [accepted] chấp nhận
   *[declined] từ chối
}
not_before_day = không được trước { $other } ({ $day })
iso_clause_unknown = "{ $value }" không phải điều khoản của ISO 9001:2015 (ví dụ 7.5.3, 8.5.1, 10.2); xem danh sách tại GET /api/v1/iso-clauses
owner_and_due_together = Quyết định cần hành động phải có cả owner_id và due_on, hoặc không có cả hai
not_in_future = không được là ngày trong tương lai
not_a_web_address = phải là địa chỉ trang web bắt đầu bằng https:// hoặc http://
complaint_result_required = hãy ghi kết quả xử lý trước khi đóng phản ánh, kiến nghị
reannouncement_reason = hãy nêu lý do công bố lại (thay đổi phạm vi, phiên bản tiêu chuẩn, sáp nhập)
cross_site_request = Trang của một trang web khác không được thay đổi dữ liệu ở đây
wrong_current_password = Mật khẩu hiện tại không đúng
