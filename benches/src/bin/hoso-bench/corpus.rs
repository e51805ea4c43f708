//! A deterministic synthetic corpus of Vietnamese QMS documents: procedures, forms and
//! instructions of a province's agencies, written from the vocabulary of ISO 9001 in public
//! administration, with document codes and legal numbers cited in the text.

use hoso::domain::documents::DocumentKind;
use rand::{Rng, SeedableRng, seq::SliceRandom};
use rand_chacha::ChaCha8Rng;

/// Subjects of procedures (the part after "Quy trình").
const SUBJECTS: &[&str] = &[
    "kiểm soát tài liệu",
    "kiểm soát hồ sơ",
    "đánh giá nội bộ",
    "hành động khắc phục",
    "xem xét của lãnh đạo",
    "kiểm soát sản phẩm không phù hợp",
    "tiếp nhận và trả kết quả",
    "giải quyết khiếu nại",
    "cấp giấy phép xây dựng",
    "đăng ký kinh doanh hộ cá thể",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "thẩm định dự án đầu tư",
    "quản lý văn bản đến",
    "quản lý văn bản đi",
    "tuyển dụng công chức",
    "đào tạo bồi dưỡng cán bộ",
    "quản lý tài sản công",
    "thanh toán kinh phí",
    "đo lường sự hài lòng của người dân",
    "quản lý rủi ro và cơ hội",
    "cấp phiếu lý lịch tư pháp",
    "chứng thực bản sao từ bản chính",
    "đăng ký khai sinh",
    "cấp phép khai thác nước ngầm",
    "thẩm định báo cáo đánh giá tác động môi trường",
    "kiểm tra chất lượng hàng hóa nhập khẩu",
    "cấp chứng chỉ hành nghề",
    "điều chỉnh quy hoạch chi tiết",
];

/// Sentences with slots: {s} a subject, {a} an agency unit, {d} a duration, {c} a code,
/// {l} a legal number.
const SENTENCES: &[&str] = &[
    "Quy trình này quy định trình tự, thủ tục {s} tại {a}.",
    "Phạm vi áp dụng: các phòng, ban chuyên môn thuộc {a} và công chức được giao nhiệm vụ.",
    "Căn cứ {l} về việc áp dụng hệ thống quản lý chất lượng theo tiêu chuẩn quốc gia TCVN ISO 9001:2015.",
    "Thời hạn giải quyết không quá {d} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Bộ phận tiếp nhận và trả kết quả kiểm tra tính đầy đủ, hợp lệ của hồ sơ và lập phiếu hẹn trả kết quả.",
    "Trường hợp hồ sơ chưa đầy đủ, công chức hướng dẫn tổ chức, cá nhân bổ sung, hoàn thiện một lần.",
    "Lãnh đạo phòng xem xét, phê duyệt kết quả và chuyển văn thư đóng dấu, phát hành.",
    "Hồ sơ được lưu trữ theo {c} trong thời gian tối thiểu {d} tháng.",
    "Kết quả đánh giá nội bộ được báo cáo tại cuộc họp xem xét của lãnh đạo.",
    "Mọi sự không phù hợp phải được ghi nhận, phân tích nguyên nhân và thực hiện hành động khắc phục.",
    "Biểu mẫu sử dụng theo {c}, được cập nhật khi có thay đổi của văn bản quy phạm pháp luật.",
    "Thực hiện theo {l} và các văn bản hướng dẫn có liên quan.",
    "Người đứng đầu cơ quan chịu trách nhiệm phê duyệt chính sách chất lượng và mục tiêu chất lượng.",
    "Công chức thực hiện có trách nhiệm cập nhật tiến độ giải quyết trên hệ thống một cửa điện tử.",
    "Việc đo lường sự hài lòng của người dân được thực hiện định kỳ sáu tháng một lần.",
    "Tài liệu hết hiệu lực phải được thu hồi, đóng dấu và lưu trữ riêng để tránh sử dụng nhầm.",
    "Chỉ những tài liệu đã được phê duyệt và còn hiệu lực mới được phân phối đến nơi sử dụng.",
    "Trưởng ban ISO tổng hợp kết quả, đề xuất cải tiến và báo cáo lãnh đạo trước ngày {d} hằng tháng.",
    "Phiếu yêu cầu hành động khắc phục được lập theo {c} và theo dõi đến khi kết thúc.",
    "Đánh giá viên nội bộ không đánh giá công việc của chính mình để bảo đảm tính khách quan.",
    "Hồ sơ điện tử được ký số và lưu trên phần mềm quản lý văn bản điều hành.",
    "Đơn vị phối hợp gồm Văn phòng, Thanh tra và Phòng Tài chính – Kế hoạch thuộc {a}.",
    "Trường hợp quá hạn giải quyết, bộ phận chuyên môn gửi văn bản xin lỗi tổ chức, cá nhân.",
    "Kết quả giải quyết thủ tục hành chính được trả trực tiếp hoặc qua dịch vụ bưu chính công ích.",
    "Các rủi ro và cơ hội được xác định, đánh giá và cập nhật tối thiểu mỗi năm một lần.",
    "Điều chỉnh, bổ sung quy trình khi có thay đổi về thẩm quyền, thành phần hồ sơ hoặc thời hạn.",
];

/// Legal documents cited (số ký hiệu).
pub const LEGAL_NUMBERS: &[&str] = &[
    "19/2014/QĐ-TTg",
    "101/2020/NĐ-CP",
    "61/2018/NĐ-CP",
    "107/2021/NĐ-CP",
    "26/2014/TT-BKHCN",
    "116/2015/TT-BTC",
    "01/2018/TT-VPCP",
    "30/2020/NĐ-CP",
    "45/2020/NĐ-CP",
    "11/2019/TT-BNV",
    "08/2020/TT-BNV",
    "118/2021/NĐ-CP",
];

/// Agency units named in the text.
const UNITS: &[&str] = &[
    "Sở Khoa học và Công nghệ",
    "Sở Tư pháp",
    "Sở Tài nguyên và Môi trường",
    "Sở Xây dựng",
    "Sở Kế hoạch và Đầu tư",
    "Sở Nội vụ",
    "Ủy ban nhân dân huyện Điện Biên",
    "Ủy ban nhân dân thành phố Đà Lạt",
    "Ủy ban nhân dân xã Đông Hòa",
    "Trung tâm Phục vụ hành chính công",
];

/// Papers an agency writes for its quality system (Decree 30/2020/NĐ-CP): the type as the
/// letterhead prints it, the type in a title, and the subject (trích yếu).
const PAPERS: &[(&str, &str, &str, &[&str])] = &[
    (
        "BÁO CÁO",
        "Báo cáo",
        "BC",
        &[
            "kết quả cuộc đánh giá chất lượng nội bộ năm 2026",
            "tình hình duy trì hệ thống quản lý chất lượng sáu tháng đầu năm",
            "kết quả đo lường sự hài lòng của người dân",
        ],
    ),
    (
        "QUYẾT ĐỊNH",
        "Quyết định",
        "QĐ",
        &[
            "về việc công bố hệ thống quản lý chất lượng phù hợp tiêu chuẩn TCVN ISO 9001:2015",
            "về việc kiện toàn Ban chỉ đạo ISO",
            "về việc ban hành mục tiêu chất lượng năm 2026",
        ],
    ),
    (
        "KẾ HOẠCH",
        "Kế hoạch",
        "KH",
        &[
            "đánh giá chất lượng nội bộ năm 2026",
            "duy trì và cải tiến hệ thống quản lý chất lượng năm 2026",
        ],
    ),
    (
        "THÔNG BÁO",
        "Thông báo",
        "TB",
        &[
            "kết luận cuộc họp xem xét của lãnh đạo",
            "phân công nhiệm vụ thành viên Ban ISO",
        ],
    ),
    (
        "BIÊN BẢN",
        "Biên bản",
        "BB",
        &[
            "họp xem xét của lãnh đạo năm 2026",
            "đánh giá nội bộ tại bộ phận một cửa",
        ],
    ),
];

/// Roles held in a commune: with a commune's name they name one person (`chủ tịch xã Nà Tấu`).
pub const ROLES: &[&str] = &[
    "chủ tịch",
    "văn thư",
    "kế toán",
    "công an",
    "địa chính",
    "tư pháp",
    "văn hóa",
    "thanh tra",
];

/// Communes (two syllables each).
pub const COMMUNES: &[&str] = &[
    "Mường Phăng",
    "Nà Tấu",
    "Thanh Nưa",
    "Pú Nhi",
    "Mường Lói",
    "Na Son",
    "Tìa Dình",
    "Hua Thanh",
    "Sam Mứn",
    "Núa Ngam",
    "Pa Thơm",
    "Noong Luống",
    "Thanh Yên",
    "Thanh Chăn",
    "Mường Nhé",
    "Chà Cang",
    "Nà Hỳ",
    "Mường Toong",
    "Sín Thầu",
    "Quảng Lâm",
    "Xa Dung",
    "Phì Nhừ",
    "Keo Lôm",
    "Luân Giói",
];

/// The person a paper assigns: a role and a commune standing together, in one paper only.
fn person(k: usize) -> String {
    let role = ROLES[k % ROLES.len()];
    let commune = COMMUNES[k / ROLES.len() % COMMUNES.len()];
    format!("{role} xã {commune}")
}

/// One generated document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Index in the corpus.
    pub n: usize,
    /// Which of the corpus's agencies (0-based).
    pub agency: usize,
    /// Procedure, form or work instruction.
    pub kind: DocumentKind,
    /// Unique in the corpus: `QT-00123`, `BM-02-QT00123`, `HD-00123`.
    pub code: String,
    pub title: String,
    pub body: String,
    /// Legal numbers cited in the body.
    pub cites: Vec<&'static str>,
    /// Whether the document is published (effective) or stays a draft.
    pub effective: bool,
    /// For a paper: the role and commune of the one person it assigns (`chủ tịch xã Nà Tấu`),
    /// standing together in this document only; other documents repeat its words apart.
    pub person: Option<String>,
}

/// The corpus: documents spread over `agencies` agencies.
pub struct Corpus {
    pub agencies: usize,
    pub docs: Vec<Doc>,
}

impl Corpus {
    /// Generates `count` documents from `seed`; the same arguments give the same corpus.
    pub fn generate(count: usize, agencies: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut papers = 0;
        let docs = (0..count)
            .map(|n| {
                if rng.gen_bool(0.12) {
                    papers += 1;
                    generate_paper(&mut rng, n, agencies, papers - 1)
                } else {
                    generate_doc(&mut rng, n, agencies, count)
                }
            })
            .collect();
        Self { agencies, docs }
    }

    /// Writes every document as a text file of an agency's folder (by kind, named by code and
    /// title, as agencies name them); returns how many.
    pub fn write_tree(&self, dir: &std::path::Path) -> std::io::Result<usize> {
        for doc in &self.docs {
            let folder = match doc.kind {
                DocumentKind::Procedure => "quy-trinh",
                DocumentKind::Form => "bieu-mau",
                DocumentKind::WorkInstruction => "huong-dan",
                _ => "van-ban",
            };
            let folder = dir.join(folder);
            std::fs::create_dir_all(&folder)?;
            let title: String = doc.title.chars().take(60).collect();
            let name = format!("{} {}.txt", doc.code, title.replace('/', "-"));
            std::fs::write(folder.join(name), &doc.body)?;
        }
        Ok(self.docs.len())
    }

    pub fn text_bytes(&self) -> usize {
        self.docs.iter().map(|doc| doc.body.len()).sum()
    }
}

fn code_of(kind: DocumentKind, n: usize) -> String {
    match kind {
        DocumentKind::Procedure => format!("QT-{n:05}"),
        DocumentKind::Form => format!("BM-{:02}-QT{n:05}", n % 7 + 1),
        DocumentKind::Other => format!("VB-{n:05}"),
        _ => format!("HD-{n:05}"),
    }
}

fn generate_doc(rng: &mut ChaCha8Rng, n: usize, agencies: usize, count: usize) -> Doc {
    let kind = match rng.gen_range(0..10) {
        0..=5 => DocumentKind::Procedure,
        6..=8 => DocumentKind::Form,
        _ => DocumentKind::WorkInstruction,
    };
    let subject = *SUBJECTS.choose(rng).unwrap_or(&SUBJECTS[0]);
    let title = match kind {
        DocumentKind::Procedure => format!("Quy trình {subject}"),
        DocumentKind::Form => format!("Biểu mẫu phiếu theo dõi {subject}"),
        _ => format!("Hướng dẫn công việc {subject}"),
    };
    // Lengths from a few lines (forms) to a few pages (procedures), skewed short.
    let sentences = match kind {
        DocumentKind::Form => rng.gen_range(4..16),
        _ => {
            let base: f64 = rng.gen_range(0.0f64..1.0);
            8 + (base * base * 110.0) as usize
        }
    };
    let mut cites = Vec::new();
    let mut body = String::with_capacity(sentences * 120);
    body.push_str(&title.to_uppercase());
    body.push('\n');
    for index in 0..sentences {
        let template = *SENTENCES.choose(rng).unwrap_or(&SENTENCES[0]);
        let mut sentence = template.to_owned();
        if sentence.contains("{s}") {
            let other = *SUBJECTS.choose(rng).unwrap_or(&SUBJECTS[0]);
            sentence = sentence.replace("{s}", if index == 0 { subject } else { other });
        }
        if sentence.contains("{a}") {
            sentence = sentence.replace("{a}", UNITS.choose(rng).unwrap_or(&UNITS[0]));
        }
        if sentence.contains("{d}") {
            sentence = sentence.replace("{d}", &rng.gen_range(2..30).to_string());
        }
        if sentence.contains("{c}") {
            let cited_kind = if rng.gen_bool(0.5) {
                DocumentKind::Form
            } else {
                DocumentKind::Procedure
            };
            sentence = sentence.replace("{c}", &code_of(cited_kind, rng.gen_range(0..count)));
        }
        if sentence.contains("{l}") {
            let number = *LEGAL_NUMBERS.choose(rng).unwrap_or(&LEGAL_NUMBERS[0]);
            if !cites.contains(&number) {
                cites.push(number);
            }
            sentence = sentence.replace("{l}", number);
        }
        body.push_str(&sentence);
        body.push(if index % 4 == 3 { '\n' } else { ' ' });
    }
    // Procedures name roles and communes too, apart.
    if rng.gen_bool(0.3) {
        body.push_str(&roles_apart(rng));
    }
    Doc {
        n,
        agency: rng.gen_range(0..agencies),
        kind,
        code: code_of(kind, n),
        title,
        body,
        cites,
        effective: rng.gen_bool(0.8),
        person: None,
    }
}

/// A sentence that repeats a role and a commune often, never standing together.
fn roles_apart(rng: &mut ChaCha8Rng) -> String {
    let role = *ROLES.choose(rng).unwrap_or(&ROLES[0]);
    let commune = *COMMUNES.choose(rng).unwrap_or(&COMMUNES[0]);
    format!(
        "Ủy ban nhân dân xã {commune} phân công công chức {role} theo dõi; {role} tổng hợp, \
         báo cáo Ủy ban nhân dân xã {commune} và gửi {role} cấp huyện. "
    )
}

/// A paper written as an agency writes one: the issuer's letterhead, the national motto, number,
/// place and date, then the type and subject, then the text. The `k`-th paper assigns one
/// person whom no other document names with the same words together.
fn generate_paper(rng: &mut ChaCha8Rng, n: usize, agencies: usize, k: usize) -> Doc {
    let (type_line, type_word, abbr, subjects) = *PAPERS.choose(rng).unwrap_or(&PAPERS[0]);
    let subject = *subjects.choose(rng).unwrap_or(&subjects[0]);
    let unit = *UNITS.choose(rng).unwrap_or(&UNITS[0]);
    let title = format!("{type_word} {subject}");
    let mut body = format!(
        "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN\n{}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\
         Độc lập - Tự do - Hạnh phúc\nSố: {}/{abbr}-UBND\nĐiện Biên, ngày {} tháng {} năm 2026\n\
         {type_line}\n{subject}\n",
        unit.to_uppercase(),
        rng.gen_range(1..400),
        rng.gen_range(1..29),
        rng.gen_range(1..13),
    );
    let person = (k < ROLES.len() * COMMUNES.len()).then(|| person(k));
    let sentences = rng.gen_range(6..30);
    let at = rng.gen_range(0..sentences);
    for index in 0..sentences {
        if index == at
            && let Some(person) = &person
        {
            body.push_str(&format!(
                "Giao đồng chí {person} chủ trì, báo cáo kết quả trước ngày 30 hằng tháng. "
            ));
        }
        if rng.gen_bool(0.3) {
            body.push_str(&roles_apart(rng));
        }
        let template = *SENTENCES.choose(rng).unwrap_or(&SENTENCES[0]);
        let sentence = template
            .replace("{s}", subject)
            .replace("{a}", unit)
            .replace("{d}", &rng.gen_range(2..30).to_string())
            .replace("{c}", &format!("BM-01-QT{:05}", rng.gen_range(0..n.max(1))))
            .replace("{l}", LEGAL_NUMBERS[0]);
        body.push_str(&sentence);
        body.push(if index % 4 == 3 { '\n' } else { ' ' });
    }
    let cites = if body.contains(LEGAL_NUMBERS[0]) {
        vec![LEGAL_NUMBERS[0]]
    } else {
        Vec::new()
    };
    Doc {
        n,
        agency: rng.gen_range(0..agencies),
        kind: DocumentKind::Other,
        code: code_of(DocumentKind::Other, n),
        title,
        body,
        cites,
        effective: rng.gen_bool(0.8),
        person,
    }
}
