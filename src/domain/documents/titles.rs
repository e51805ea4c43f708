//! The title of a Vietnamese administrative document, read from its text. Such a document opens
//! with its issuer ("ỦY BAN NHÂN DÂN TỈNH …", "SỞ …"), the national motto, its number and its
//! place and date; its title is its type ("QUYẾT ĐỊNH", "BÁO CÁO"…) followed by its subject
//! (trích yếu), as Decree 30/2020/NĐ-CP lays it out. The letterhead is never the title. The
//! same opening gives the day it was issued.

use chrono::NaiveDate;

use crate::domain::text::fold_diacritics;

/// Document types, folded and in capitals, longest first so "QUY TRINH" is not read as "QUY".
const TYPES: [&str; 27] = [
    "CHUONG TRINH",
    "NGHI QUYET",
    "QUYET DINH",
    "HUONG DAN",
    "QUY TRINH",
    "THONG BAO",
    "CHINH SACH",
    "KE HOACH",
    "BIEN BAN",
    "CONG VAN",
    "GIAY MOI",
    "BAO CAO",
    "QUY CHE",
    "QUY DINH",
    "CHI THI",
    "TO TRINH",
    "MUC TIEU",
    "PHUONG AN",
    "SO TAY",
    "BIEU MAU",
    "DE AN",
    "DE CUONG",
    "PHIEU",
    "DANH MUC",
    "DANH SACH",
    "HO SO",
    "TAI LIEU",
];

/// Lines that belong to the letterhead, the motto or the signature block, never the title.
fn is_letterhead(folded_upper: &str) -> bool {
    const STARTS: [&str; 14] = [
        "UY BAN NHAN DAN",
        "UBND",
        "SO ",
        "CONG HOA XA HOI",
        "DOC LAP",
        "SO:",
        "BO ",
        "CHI CUC",
        "PHONG ",
        "TRUNG TAM",
        "VAN PHONG",
        "KINH GUI",
        "CAN CU",
        "BAN ",
    ];
    STARTS.iter().any(|start| folded_upper.starts_with(start))
        || folded_upper.contains(", NGAY ")
        || folded_upper.starts_with("NGAY ")
}

/// The title of an administrative document from the first lines of its text: its type and its
/// subject, in sentence case ("Quyết định về việc công bố …", "Báo cáo kết quả …"); `None`
/// when the text does not read like one.
pub fn administrative_title(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(40)
        .collect();
    for (index, line) in lines.iter().enumerate() {
        let folded = fold_diacritics(line).to_uppercase();
        let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
        let Some(kind) = TYPES
            .iter()
            .find(|kind| folded == **kind || folded.starts_with(&format!("{kind} ")))
        else {
            continue;
        };
        if is_letterhead(folded) {
            continue;
        }
        let kind_chars = kind.chars().count();
        let original: Vec<char> = line.chars().collect();
        let type_words: String = original.iter().take(kind_chars).collect();
        let rest: String = original.iter().skip(kind_chars).collect();
        let rest = rest.trim();
        let subject = if rest.is_empty() {
            // The subject follows on the next line (and goes on while lines continue it).
            let mut subject = String::new();
            for next in lines.iter().skip(index + 1).take(3) {
                let next_folded = fold_diacritics(next).to_uppercase();
                if is_letterhead(&next_folded) || next.ends_with(':') {
                    break;
                }
                if !subject.is_empty() && next.chars().next().is_some_and(char::is_uppercase) {
                    break;
                }
                if !subject.is_empty() {
                    subject.push(' ');
                }
                subject.push_str(next);
            }
            subject
        } else {
            rest.to_owned()
        };
        let subject = subject.trim_matches(|c: char| c == '-' || c.is_whitespace());
        if subject.chars().filter(|c| c.is_alphabetic()).count() < 4 {
            continue;
        }
        let title = format!(
            "{} {}",
            sentence_case(&type_words),
            lower_first(&as_sentence(subject))
        );
        return Some(title.chars().take(300).collect());
    }
    None
}

/// The day a document was issued, from its first lines: a procedure's "Ngày ban hành: 12/3/2024"
/// (or "ngày hiệu lực"), else the letterhead's "Điện Biên, ngày 12 tháng 3 năm 2024".
pub fn issue_date(text: &str) -> Option<NaiveDate> {
    let opening: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(60)
        .map(|line| fold_diacritics(line).to_lowercase())
        .collect();
    let labelled = opening.iter().find_map(|line| {
        ["ngay ban hanh", "ngay hieu luc", "ngay co hieu luc"]
            .iter()
            .find_map(|label| line.find(label).map(|at| &line[at + label.len()..]))
            .and_then(numeric_date)
    });
    labelled.or_else(|| opening.iter().find_map(|line| spelled_date(line)))
}

/// The first `d/m/yyyy` (or `d-m-yyyy`, `d.m.yyyy`) in `text`.
fn numeric_date(text: &str) -> Option<NaiveDate> {
    let numbers: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .take(3)
        .collect();
    match numbers.as_slice() {
        [day, month, year] if year.len() == 4 => {
            NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
        }
        _ => None,
    }
}

/// "ngay 12 thang 3 nam 2024" (folded) anywhere in `line`.
fn spelled_date(line: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| !word.is_empty())
        .collect();
    words.windows(6).find_map(|window| match window {
        ["ngay", day, "thang", month, "nam", year] => NaiveDate::from_ymd_opt(
            year.trim_end_matches('.').parse().ok()?,
            month.parse().ok()?,
            day.parse().ok()?,
        ),
        _ => None,
    })
}

/// A line written in capitals, in sentence case; a line in mixed case as it is.
fn as_sentence(text: &str) -> String {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if !letters.is_empty() && letters.iter().all(|c| c.is_uppercase()) {
        sentence_case(text)
    } else {
        text.to_owned()
    }
}

fn sentence_case(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The first letter in lower case ("Về việc …" after "Quyết định" reads "về việc …").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_is_titled_by_its_type_and_subject_not_its_letterhead() {
        let text = "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 125/QĐ-SKHCN\n\
                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\
                    Bắc Giang, ngày 15 tháng 3 năm 2026\nQUYẾT ĐỊNH\n\
                    Về việc công bố Hệ thống quản lý chất lượng phù hợp TCVN ISO 9001:2015\n\
                    GIÁM ĐỐC SỞ KHOA HỌC VÀ CÔNG NGHỆ\nCăn cứ Quyết định số 19/2014/QĐ-TTg;";
        assert_eq!(
            administrative_title(text).as_deref(),
            Some(
                "Quyết định về việc công bố Hệ thống quản lý chất lượng phù hợp TCVN ISO 9001:2015"
            )
        );
    }

    #[test]
    fn a_report_in_capitals_reads_in_sentence_case() {
        let text = "SỞ TƯ PHÁP TỈNH BẮC GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\
                    BÁO CÁO\nKẾT QUẢ CUỘC ĐÁNH GIÁ CHẤT LƯỢNG NỘI BỘ NĂM 2026\nKính gửi: Giám đốc Sở";
        assert_eq!(
            administrative_title(text).as_deref(),
            Some("Báo cáo kết quả cuộc đánh giá chất lượng nội bộ năm 2026")
        );
    }

    #[test]
    fn a_procedure_with_its_subject_on_one_line() {
        let text = "SỞ KHOA HỌC VÀ CÔNG NGHỆ\nQUY TRÌNH KIỂM SOÁT TÀI LIỆU\nMã hiệu: QT-01";
        assert_eq!(
            administrative_title(text).as_deref(),
            Some("Quy trình kiểm soát tài liệu")
        );
    }

    #[test]
    fn the_issue_day_comes_from_a_procedures_label_before_the_letterhead_date() {
        let procedure = "SỞ TƯ PHÁP\nQUY TRÌNH\nKiểm soát tài liệu\nMã số: QT-01\n\
                         Lần ban hành: 02\nNgày ban hành: 05/01/2024\n\
                         Điện Biên, ngày 12 tháng 3 năm 2026";
        assert_eq!(issue_date(procedure), NaiveDate::from_ymd_opt(2024, 1, 5));
        let decision = "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN\nSố: 12/QĐ-UBND\n\
                        Điện Biên, ngày 9 tháng 11 năm 2023\nQUYẾT ĐỊNH\nVề việc …";
        assert_eq!(issue_date(decision), NaiveDate::from_ymd_opt(2023, 11, 9));
        assert_eq!(issue_date("Quy trình không ghi ngày"), None);
        assert_eq!(issue_date("Ngày ban hành: 31/02/2024"), None);
    }

    #[test]
    fn text_that_is_not_an_administrative_document_has_none() {
        assert_eq!(administrative_title("Ghi chú về hồ sơ năm 2024"), None);
        assert_eq!(
            administrative_title("SỞ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 12/BC"),
            None
        );
    }
}
