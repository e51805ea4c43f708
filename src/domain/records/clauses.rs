//! The clauses of ISO 9001:2015 (TCVN ISO 9001:2015), for findings and checklists: a clause
//! named anywhere must be one of these.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    domain::{DomainError, DomainResult},
    i18n::Message,
};

/// One clause: its number and its Vietnamese title as TCVN ISO 9001:2015 words it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Clause {
    pub clause: &'static str,
    pub title: &'static str,
}

const fn clause(clause: &'static str, title: &'static str) -> Clause {
    Clause { clause, title }
}

/// Clauses 4 to 10 with their sub-clauses.
pub const CLAUSES: &[Clause] = &[
    clause("4", "Bối cảnh của tổ chức"),
    clause("4.1", "Hiểu tổ chức và bối cảnh của tổ chức"),
    clause("4.2", "Hiểu nhu cầu và mong đợi của các bên quan tâm"),
    clause("4.3", "Xác định phạm vi của hệ thống quản lý chất lượng"),
    clause("4.4", "Hệ thống quản lý chất lượng và các quá trình"),
    clause("4.4.1", "Các quá trình của hệ thống quản lý chất lượng"),
    clause(
        "4.4.2",
        "Duy trì và lưu giữ thông tin dạng văn bản về các quá trình",
    ),
    clause("5", "Sự lãnh đạo"),
    clause("5.1", "Sự lãnh đạo và cam kết"),
    clause("5.1.1", "Khái quát"),
    clause("5.1.2", "Hướng vào khách hàng"),
    clause("5.2", "Chính sách"),
    clause("5.2.1", "Thiết lập chính sách chất lượng"),
    clause("5.2.2", "Truyền đạt chính sách chất lượng"),
    clause("5.3", "Vai trò, trách nhiệm và quyền hạn trong tổ chức"),
    clause("6", "Hoạch định"),
    clause("6.1", "Hành động giải quyết rủi ro và cơ hội"),
    clause("6.1.1", "Xác định rủi ro và cơ hội"),
    clause("6.1.2", "Hoạch định hành động giải quyết rủi ro và cơ hội"),
    clause(
        "6.2",
        "Mục tiêu chất lượng và hoạch định để đạt được mục tiêu",
    ),
    clause("6.2.1", "Thiết lập mục tiêu chất lượng"),
    clause("6.2.2", "Hoạch định để đạt được mục tiêu chất lượng"),
    clause("6.3", "Hoạch định các thay đổi"),
    clause("7", "Hỗ trợ"),
    clause("7.1", "Nguồn lực"),
    clause("7.1.1", "Khái quát"),
    clause("7.1.2", "Con người"),
    clause("7.1.3", "Cơ sở hạ tầng"),
    clause("7.1.4", "Môi trường cho việc thực hiện các quá trình"),
    clause("7.1.5", "Nguồn lực theo dõi và đo lường"),
    clause("7.1.5.1", "Khái quát"),
    clause("7.1.5.2", "Liên kết chuẩn đo lường"),
    clause("7.1.6", "Tri thức của tổ chức"),
    clause("7.2", "Năng lực"),
    clause("7.3", "Nhận thức"),
    clause("7.4", "Trao đổi thông tin"),
    clause("7.5", "Thông tin dạng văn bản"),
    clause("7.5.1", "Khái quát"),
    clause("7.5.2", "Tạo lập và cập nhật"),
    clause("7.5.3", "Kiểm soát thông tin dạng văn bản"),
    clause(
        "7.5.3.1",
        "Kiểm soát thông tin dạng văn bản: sẵn có và được bảo vệ",
    ),
    clause(
        "7.5.3.2",
        "Kiểm soát thông tin dạng văn bản: phân phối, truy cập, lưu giữ, hủy bỏ",
    ),
    clause("8", "Thực hiện"),
    clause("8.1", "Hoạch định và kiểm soát việc thực hiện"),
    clause("8.2", "Yêu cầu đối với sản phẩm và dịch vụ"),
    clause("8.2.1", "Trao đổi thông tin với khách hàng"),
    clause("8.2.2", "Xác định các yêu cầu đối với sản phẩm và dịch vụ"),
    clause("8.2.3", "Xem xét các yêu cầu đối với sản phẩm và dịch vụ"),
    clause("8.2.3.1", "Xem xét trước khi cam kết cung cấp"),
    clause("8.2.3.2", "Lưu giữ thông tin về kết quả xem xét"),
    clause("8.2.4", "Thay đổi các yêu cầu đối với sản phẩm và dịch vụ"),
    clause("8.3", "Thiết kế và phát triển sản phẩm và dịch vụ"),
    clause("8.3.1", "Khái quát"),
    clause("8.3.2", "Hoạch định thiết kế và phát triển"),
    clause("8.3.3", "Đầu vào thiết kế và phát triển"),
    clause("8.3.4", "Kiểm soát thiết kế và phát triển"),
    clause("8.3.5", "Đầu ra thiết kế và phát triển"),
    clause("8.3.6", "Thay đổi thiết kế và phát triển"),
    clause(
        "8.4",
        "Kiểm soát quá trình, sản phẩm và dịch vụ do bên ngoài cung cấp",
    ),
    clause("8.4.1", "Khái quát"),
    clause("8.4.2", "Loại và mức độ kiểm soát"),
    clause("8.4.3", "Thông tin cho nhà cung cấp bên ngoài"),
    clause("8.5", "Sản xuất và cung cấp dịch vụ"),
    clause("8.5.1", "Kiểm soát sản xuất và cung cấp dịch vụ"),
    clause("8.5.2", "Nhận biết và xác định nguồn gốc"),
    clause(
        "8.5.3",
        "Tài sản của khách hàng hoặc nhà cung cấp bên ngoài",
    ),
    clause("8.5.4", "Bảo toàn"),
    clause("8.5.5", "Hoạt động sau giao hàng"),
    clause("8.5.6", "Kiểm soát thay đổi"),
    clause("8.6", "Thông qua sản phẩm và dịch vụ"),
    clause("8.7", "Kiểm soát đầu ra không phù hợp"),
    clause(
        "8.7.1",
        "Kiểm soát đầu ra không phù hợp: nhận biết và xử lý",
    ),
    clause("8.7.2", "Lưu giữ thông tin về đầu ra không phù hợp"),
    clause("9", "Đánh giá kết quả hoạt động"),
    clause("9.1", "Theo dõi, đo lường, phân tích và đánh giá"),
    clause("9.1.1", "Khái quát"),
    clause("9.1.2", "Sự thỏa mãn của khách hàng"),
    clause("9.1.3", "Phân tích và đánh giá"),
    clause("9.2", "Đánh giá nội bộ"),
    clause(
        "9.2.1",
        "Đánh giá nội bộ: tiến hành theo những khoảng thời gian đã hoạch định",
    ),
    clause("9.2.2", "Chương trình đánh giá nội bộ"),
    clause("9.3", "Xem xét của lãnh đạo"),
    clause("9.3.1", "Khái quát"),
    clause("9.3.2", "Đầu vào xem xét của lãnh đạo"),
    clause("9.3.3", "Đầu ra xem xét của lãnh đạo"),
    clause("10", "Cải tiến"),
    clause("10.1", "Khái quát"),
    clause("10.2", "Sự không phù hợp và hành động khắc phục"),
    clause("10.2.1", "Xử lý sự không phù hợp và hành động khắc phục"),
    clause(
        "10.2.2",
        "Lưu giữ thông tin về sự không phù hợp và hành động khắc phục",
    ),
    clause("10.3", "Cải tiến liên tục"),
];

/// The clause named in `field` (trimmed; `8.5.1` or `Điều 8.5.1`), or 400 saying what a
/// clause looks like.
pub fn check(field: &str, value: &str) -> DomainResult<&'static str> {
    let wanted = value.trim();
    let wanted = wanted
        .strip_prefix("Điều")
        .or_else(|| wanted.strip_prefix("điều"))
        .or_else(|| wanted.strip_prefix("Clause"))
        .or_else(|| wanted.strip_prefix("clause"))
        .unwrap_or(wanted)
        .trim()
        .trim_end_matches('.');
    CLAUSES
        .iter()
        .find(|known| known.clause == wanted)
        .map(|known| known.clause)
        .ok_or_else(|| {
            DomainError::invalid(
                field,
                Message::new("iso_clause_unknown").arg("value", value.trim()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_those_of_the_standard_and_nothing_else() {
        assert_eq!(check("clause", "8.5.1").unwrap(), "8.5.1");
        assert_eq!(check("clause", " Điều 7.5.3 ").unwrap(), "7.5.3");
        assert_eq!(check("clause", "10.2.").unwrap(), "10.2");
        for wrong in ["11", "8.9", "4.4.3", "", "abc", "0.1"] {
            assert!(check("clause", wrong).is_err(), "{wrong:?}");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(CLAUSES.iter().all(|clause| seen.insert(clause.clause)));
    }
}
