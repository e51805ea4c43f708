//! The demo's controlled documents: written by hoso itself as PDF (DejaVu Sans, real
//! Vietnamese text) and DOCX, issued through the workflow, at every status.

use chrono::Days;
use serde_json::json;

use super::{
    Office,
    api::{Api, id},
};
use crate::{clock::today, export::docx::docx, pdf_stamp::text_pdf};

/// Where a document's story ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Issue 01 in force.
    InForce,
    /// Issue 01 superseded by issue 02 in force.
    Revised,
    /// Issue 01 in force, issue 02 sent for approval.
    RevisionInReview,
    /// Issue 01 in force, issue 02 a draft being written.
    RevisionDrafted,
    /// Issue 01 approved, in force from a later day.
    Scheduled,
    /// Issue 01 withdrawn.
    Withdrawn,
    /// Issue 01 awaiting approval (nothing in force yet).
    FirstInReview,
}

struct Spec {
    code: &'static str,
    title: &'static str,
    kind: &'static str,
    docx: bool,
    ending: Ending,
    communes_too: bool,
}

const SPECS: [Spec; 8] = [
    Spec {
        code: "STCL",
        title: "Sổ tay chất lượng",
        kind: "manual",
        docx: false,
        ending: Ending::Revised,
        communes_too: true,
    },
    Spec {
        code: "CSCL",
        title: "Chính sách chất lượng",
        kind: "policy",
        docx: true,
        ending: Ending::InForce,
        communes_too: true,
    },
    Spec {
        code: "QT-01",
        title: "Quy trình kiểm soát tài liệu",
        kind: "procedure",
        docx: false,
        ending: Ending::RevisionDrafted,
        communes_too: true,
    },
    Spec {
        code: "QT-02",
        title: "Quy trình kiểm soát hồ sơ",
        kind: "procedure",
        docx: true,
        ending: Ending::RevisionInReview,
        communes_too: false,
    },
    Spec {
        code: "QT-03",
        title: "Quy trình đánh giá nội bộ",
        kind: "procedure",
        docx: false,
        ending: Ending::InForce,
        communes_too: false,
    },
    Spec {
        code: "QT-04",
        title: "Quy trình kiểm soát đầu ra không phù hợp và hành động khắc phục",
        kind: "procedure",
        docx: false,
        ending: Ending::Scheduled,
        communes_too: false,
    },
    Spec {
        code: "QT-05",
        title: "Quy trình tiếp nhận và xử lý phản ánh, kiến nghị",
        kind: "procedure",
        docx: true,
        ending: Ending::FirstInReview,
        communes_too: true,
    },
    Spec {
        code: "HD-01",
        title: "Hướng dẫn lưu trữ hồ sơ giấy (cũ)",
        kind: "work_instruction",
        docx: false,
        ending: Ending::Withdrawn,
        communes_too: false,
    },
];

/// The text of a document of `office`, issue `issue`.
fn body(spec: &Spec, office: &Office, issue: u32) -> Vec<String> {
    vec![
        format!(
            "Cơ quan ban hành: {}. Mã hiệu: {}. Lần ban hành: {issue:02}.",
            office.name, spec.code
        ),
        format!(
            "1. Mục đích: quy định thống nhất cách thực hiện \"{}\" tại {}, bảo đảm mọi công chức \
             thực hiện đúng, đầy đủ và kịp thời theo Hệ thống quản lý chất lượng TCVN ISO 9001:2015.",
            spec.title.to_lowercase(),
            office.name
        ),
        "2. Phạm vi áp dụng: áp dụng cho tất cả các phòng, bộ phận và công chức của cơ quan; \
         bộ phận Một cửa tiếp nhận hồ sơ và trả kết quả giải quyết thủ tục hành chính."
            .to_owned(),
        "3. Tài liệu viện dẫn: TCVN ISO 9001:2015; Nghị định 61/2018/NĐ-CP về cơ chế một cửa; \
         Quyết định 19/2014/QĐ-TTg về áp dụng Hệ thống quản lý chất lượng vào hoạt động của các \
         cơ quan, tổ chức thuộc hệ thống hành chính nhà nước."
            .to_owned(),
        "4. Nội dung: Thư ký ISO soạn thảo dự thảo, lấy ý kiến các phòng liên quan; lãnh đạo cơ \
         quan xem xét, phê duyệt và ký ban hành; tài liệu được phân phối đến nơi sử dụng, bản cũ \
         được thu hồi và đóng dấu \"Hết hiệu lực\"; định kỳ 12 tháng rà soát, cập nhật khi văn bản \
         pháp luật thay đổi trong thời hạn ba tháng."
            .to_owned(),
        "5. Hồ sơ: sổ theo dõi ban hành tài liệu, phiếu yêu cầu sửa đổi, danh mục tài liệu nội bộ \
         và tài liệu bên ngoài; thời gian lưu 03 năm."
            .to_owned(),
    ]
}

fn file_of(spec: &Spec, office: &Office, issue: u32) -> anyhow::Result<(String, Vec<u8>)> {
    let paragraphs = body(spec, office, issue);
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let title = format!("{} — {}", spec.code, spec.title);
    let stem = spec.code.to_lowercase();
    Ok(if spec.docx {
        (format!("{stem}-{issue:02}.docx"), docx(&title, &refs)?)
    } else {
        (format!("{stem}-{issue:02}.pdf"), text_pdf(&title, &refs)?)
    })
}

/// Uploads issue `issue` as the officer; returns the version's id.
async fn upload(
    api: &Api,
    office: &Office,
    document: &str,
    spec: &Spec,
    issue: u32,
) -> anyhow::Result<String> {
    let (name, bytes) = file_of(spec, office, issue)?;
    let summary = if issue == 1 {
        "Ban hành lần đầu".to_owned()
    } else {
        "Cập nhật theo quy định mới về cơ chế một cửa, một cửa liên thông".to_owned()
    };
    let version = api
        .upload(
            &format!("/api/v1/documents/{document}/versions"),
            &office.officer,
            (&name, &bytes),
            &[("change_summary", summary.as_str())],
        )
        .await?;
    id(&version)
}

async fn step(
    api: &Api,
    token: &str,
    version: &str,
    step: &str,
    body: serde_json::Value,
) -> anyhow::Result<()> {
    api.post(&format!("/api/v1/versions/{version}/{step}"), token, body)
        .await?;
    Ok(())
}

/// Submits, approves and publishes from `from`.
async fn issue(
    api: &Api,
    office: &Office,
    version: &str,
    from: chrono::NaiveDate,
) -> anyhow::Result<()> {
    step(api, &office.officer, version, "submit", json!({})).await?;
    step(api, &office.head, version, "approve", json!({})).await?;
    step(
        api,
        &office.head,
        version,
        "publish",
        json!({"effective_from": from}),
    )
    .await
}

/// The office's documents; returns how many.
pub async fn load(api: &Api, office: &Office) -> anyhow::Result<usize> {
    let today = today();
    let mut count = 0;
    for spec in SPECS
        .iter()
        .filter(|spec| !office.commune || spec.communes_too)
    {
        let document = id(&api
            .post(
                "/api/v1/documents",
                &office.officer,
                json!({"agency_id": office.id, "code": spec.code, "title": spec.title, "kind": spec.kind}),
            )
            .await?)?;
        count += 1;
        let first = upload(api, office, &document, spec, 1).await?;
        match spec.ending {
            Ending::FirstInReview => {
                step(api, &office.officer, &first, "submit", json!({})).await?;
                continue;
            }
            Ending::Scheduled => {
                step(api, &office.officer, &first, "submit", json!({})).await?;
                step(api, &office.head, &first, "approve", json!({})).await?;
                let later = today + Days::new(14);
                step(
                    api,
                    &office.head,
                    &first,
                    "publish",
                    json!({"effective_from": later}),
                )
                .await?;
                continue;
            }
            _ => issue(api, office, &first, today).await?,
        }
        // The staff member has read some of what is in force.
        if matches!(spec.ending, Ending::InForce) {
            step(api, &office.staff, &first, "acknowledge", json!({})).await?;
        }
        match spec.ending {
            Ending::Revised => {
                let second = upload(api, office, &document, spec, 2).await?;
                issue(api, office, &second, today).await?;
            }
            Ending::RevisionInReview => {
                let second = upload(api, office, &document, spec, 2).await?;
                step(api, &office.officer, &second, "submit", json!({})).await?;
            }
            Ending::RevisionDrafted => {
                upload(api, office, &document, spec, 2).await?;
            }
            Ending::Withdrawn => {
                let reason = json!({"reason": "Thay thế bằng Quy trình kiểm soát hồ sơ QT-02"});
                step(api, &office.head, &first, "obsolete", reason).await?;
            }
            _ => {}
        }
    }
    Ok(count)
}
