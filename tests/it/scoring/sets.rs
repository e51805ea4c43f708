//! Criteria sets: imported from JSON or XLSX, every problem listed with its path, never edited,
//! revised by a new set.

use axum::http::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::json;

use super::{department, import_sample, pristine_set, province, sample_set};
use crate::support::{assert_error, db_test, id_of};

/// A criteria workbook: `rows` of the `criteria` sheet (code, parent, title, max_points,
/// evidence, deduction) and the sample's ranks.
pub fn workbook(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet()
        .set_name("criteria")
        .expect("a name");
    for (column, header) in [
        "code",
        "parent",
        "title",
        "max_points",
        "evidence",
        "deduction",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string(0, column as u16, *header)
            .expect("written");
    }
    for (row, cells) in rows.iter().enumerate() {
        for (column, cell) in cells.iter().enumerate() {
            if let Ok(number) = cell.parse::<f64>()
                && column == 3
            {
                sheet
                    .write_number(row as u32 + 1, column as u16, number)
                    .expect("written");
            } else if !cell.is_empty() {
                sheet
                    .write_string(row as u32 + 1, column as u16, *cell)
                    .expect("written");
            }
        }
    }
    let ranks = workbook.add_worksheet().set_name("ranks").expect("a name");
    for (row, line) in [
        ["code", "label", "min_points"],
        ["tot", "Tốt", "90"],
        ["kha", "Khá", "75"],
        ["yeu", "Yếu", ""],
    ]
    .iter()
    .enumerate()
    {
        for (column, cell) in line.iter().enumerate() {
            match (row, cell.parse::<f64>()) {
                (1.., Ok(number)) => ranks.write_number(row as u32, column as u16, number),
                _ if cell.is_empty() => continue,
                _ => ranks.write_string(row as u32, column as u16, *cell),
            }
            .expect("written");
        }
    }
    workbook.save_to_buffer().expect("a workbook")
}

db_test!(the_sample_set_imports_and_reads_back_as_a_tree, |app| {
    let province = province(&app).await;
    for set in [sample_set(), {
        let mut pristine = pristine_set();
        pristine["code"] = json!("MAU-BAN-GOC");
        pristine
    }] {
        let imported = app
            .post("/api/v1/criteria-sets", &province.coordinator, set)
            .await;
        assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
        assert_eq!(imported.json["max_total"], 100.0);
        let criteria = imported.json["criteria"].as_array().expect("criteria");
        assert_eq!(
            criteria.len(),
            3 + 16 + 2,
            "three groups, their criteria, 1.3's two"
        );
        let group = criteria.iter().find(|c| c["code"] == "1.3").expect("1.3");
        assert_eq!(
            (&group["leaf"], &group["max_points"], &group["parent"]),
            (&json!(false), &json!(10.0), &json!("1"))
        );
        let leaf = criteria
            .iter()
            .find(|c| c["code"] == "1.3.2")
            .expect("1.3.2");
        assert_eq!((&leaf["depth"], &leaf["leaf"]), (&json!(2), &json!(true)));
        let late = criteria.iter().find(|c| c["code"] == "3.1").expect("3.1");
        assert_eq!(
            (&late["min_points"], &late["max_points"]),
            (&json!(-5.0), &json!(0.0))
        );
    }
    let listed = app
        .get("/api/v1/criteria-sets", &province.coordinator)
        .await;
    assert_eq!(listed.json.as_array().map(Vec::len), Some(2));
    let by_code = app
        .get("/api/v1/criteria-sets/MAU-TT26-D36", &province.coordinator)
        .await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.text);
    assert_eq!(by_code.json["ranks"][0]["label"], "Tốt");
    // Another coordinator's import of the same code is a conflict, not a second copy.
    let again = app
        .post("/api/v1/criteria-sets", &province.coordinator, sample_set())
        .await;
    assert_error(&again, StatusCode::CONFLICT, "criteria_set_code_taken");
});

db_test!(an_invalid_set_lists_every_problem_with_its_path, |app| {
    let province = province(&app).await;
    let mut set = sample_set();
    set["max_total"] = json!(90);
    set["criteria"][0]["children"][2]["max_points"] = json!(11);
    set["criteria"][2]["children"][0]["max_points"] = json!(5);
    set["criteria"][1]["children"][3]["title"] = json!("  ");
    set["ranks"][1]["min_points"] = json!(95);
    let refused = app
        .post("/api/v1/criteria-sets", &province.coordinator, set)
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "criteria_set_invalid",
    );
    let problems: Vec<(String, String)> = refused.json["error"]["details"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_owned(),
                p["reason"]["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("criteria[0].children[2].max_points", "criteria_group_sum"),
        (
            "criteria[2].children[0].max_points",
            "criteria_deduction_positive",
        ),
        ("criteria[1].children[3].title", "criteria_title_missing"),
        ("max_total", "criteria_total_differs"),
        ("ranks[1].min_points", "criteria_rank_order"),
    ] {
        assert!(
            problems.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} in {problems:?}"
        );
    }
    // Nothing was kept.
    let listed = app
        .get("/api/v1/criteria-sets", &province.coordinator)
        .await;
    assert_eq!(listed.json, json!([]));
    // Duplicate codes and unknown parents (a flat list) are problems too.
    let flat = json!({
        "code": "PHANG", "name": "Bộ phẳng", "max_total": 10,
        "ranks": [{"code": "dat", "label": "Đạt", "min_points": null}],
        "criteria": [
            {"code": "A", "title": "Nhóm A"},
            {"code": "A.1", "parent": "A", "title": "Một", "max_points": 5},
            {"code": "A.1", "parent": "A", "title": "Hai", "max_points": 5},
            {"code": "B.1", "parent": "B", "title": "Ba", "max_points": 5},
        ],
    });
    let refused = app
        .post("/api/v1/criteria-sets", &province.coordinator, flat)
        .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "criteria_set_invalid",
    );
    let text = refused.text.clone();
    assert!(
        text.contains("criteria_code_duplicate") && text.contains("criteria_parent_unknown"),
        "{text}"
    );
    // Vietnamese callers read the problems' summary in Vietnamese.
    let response = app
        .send(
            axum::http::Request::post("/api/v1/criteria-sets")
                .header("authorization", format!("Bearer {}", province.coordinator))
                .header("content-type", "application/json")
                .header("accept-language", "vi")
                .body(axum::body::Body::from(json!({"code": "X"}).to_string()))
                .expect("a request"),
        )
        .await;
    assert!(
        response.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Bộ tiêu chí có"),
        "{}",
        response.text
    );
});

db_test!(only_the_coordinator_imports_sets, |app| {
    let province = province(&app).await;
    let agency = department(&app, &province, "SNV").await;
    let refused = app
        .post("/api/v1/criteria-sets", &agency.officer, sample_set())
        .await;
    assert_error(&refused, StatusCode::FORBIDDEN, "forbidden");
    // Everyone signed in reads the sets (they are public decisions).
    let id = import_sample(&app, &province).await;
    let read = app
        .get(&format!("/api/v1/criteria-sets/{id}"), &agency.staff)
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
});

db_test!(
    a_workbook_imports_with_any_depth_and_its_problems_name_rows,
    |app| {
        let province = province(&app).await;
        let rows = [
            ["1", "", "Xây dựng hệ thống", "", "", ""],
            [
                "1.1",
                "1",
                "Phạm vi áp dụng",
                "40",
                "Quyết định công bố; Danh mục TTHC",
                "",
            ],
            ["1.2", "1", "Tuân thủ", "", "", ""],
            [
                "1.2.1",
                "1.2",
                "Chính sách chất lượng",
                "30",
                "Chính sách chất lượng",
                "",
            ],
            ["1.2.2", "1.2", "Kiểm soát tài liệu", "", "", ""],
            ["1.2.2.1", "1.2.2", "Mã hiệu tài liệu", "30", "", ""],
            ["2", "", "Điểm trừ", "", "", ""],
            ["2.1", "2", "Nộp chậm", "-5", "", "x"],
        ];
        let imported = app
            .upload_to(
                &province.coordinator,
                "/api/v1/criteria-sets",
                "bo-tieu-chi.xlsx",
                &workbook(&rows),
                &[("code", "BTC-XLSX"), ("name", "Bộ tiêu chí từ bảng tính")],
            )
            .await;
        assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
        assert_eq!(imported.json["max_total"], 100.0);
        let deep = imported.json["criteria"]
            .as_array()
            .expect("criteria")
            .iter()
            .find(|c| c["code"] == "1.2.2.1")
            .cloned()
            .expect("the deepest criterion");
        assert_eq!(deep["depth"], 3);
        let hints = imported.json["criteria"][1]["evidence"].clone();
        assert_eq!(hints, json!(["Quyết định công bố", "Danh mục TTHC"]));

        let broken = [
            ["1", "", "Nhóm", "", "", ""],
            ["1.1", "9", "Không có cha", "40", "", ""],
            ["1.2", "1", "Điểm chữ", "nhiều", "", ""],
            ["2.1", "", "Trừ dương", "5", "", "x"],
        ];
        let refused = app
            .upload_to(
                &province.coordinator,
                "/api/v1/criteria-sets",
                "loi.xlsx",
                &workbook(&broken),
                &[("code", "BTC-LOI"), ("name", "Bộ lỗi")],
            )
            .await;
        assert_error(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "criteria_set_invalid",
        );
        let paths: Vec<&str> = refused.json["error"]["details"]["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .filter_map(|p| p["path"].as_str())
            .collect();
        assert!(paths.contains(&"criteria!row3.parent"), "{paths:?}");
        assert!(paths.contains(&"criteria!row4.max_points"), "{paths:?}");

        // A file that is not a workbook is refused by its bytes, whatever its name.
        let refused = app
            .upload_to(
                &province.coordinator,
                "/api/v1/criteria-sets",
                "gia.xlsx",
                b"%PDF-1.4 not a workbook",
                &[("code", "BTC-GIA"), ("name", "Giả")],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{}",
            refused.text
        );
    }
);

db_test!(
    a_revision_is_a_new_set_naming_the_one_it_supersedes,
    |app| {
        let province = province(&app).await;
        let first = import_sample(&app, &province).await;
        let mut revision = sample_set();
        revision["code"] = json!("MAU-TT26-D36-2027");
        revision["supersedes"] = json!("MAU-TT26-D36");
        let revised = app
            .post("/api/v1/criteria-sets", &province.coordinator, revision)
            .await;
        assert_eq!(revised.status, StatusCode::CREATED, "{}", revised.text);
        assert_eq!(revised.json["supersedes_id"], first.as_str());
        let mut unknown = sample_set();
        unknown["code"] = json!("KHAC");
        unknown["supersedes"] = json!("KHONG-CO");
        let refused = app
            .post("/api/v1/criteria-sets", &province.coordinator, unknown)
            .await;
        assert_error(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "criteria_set_invalid",
        );
        // Sets are never edited: there is no route that changes one.
        let put = app
            .put(
                &format!("/api/v1/criteria-sets/{}", id_of(&revised)),
                &province.coordinator,
                json!({}),
            )
            .await;
        assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED, "{}", put.text);
    }
);
