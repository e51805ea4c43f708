//! `results.xlsx` of a period: a sheet of every agency, then one per kind of agency; one row per
//! agency with a column per top-level group of the criteria set, the total, the rank and the
//! position. Written with rust_xlsxwriter (Vietnamese text as it is).

use std::collections::{BTreeMap, HashMap};

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    PeriodStatus,
    assessments::{Scores, round},
    periods,
    ranking::{self, RankingRow},
    sets::{self, CriteriaSet},
};
use crate::{
    domain::{Actor, AgencyTree, DomainError, DomainResult},
    names::Named,
};

/// The Vietnamese name of a kind of agency, for sheet names.
fn kind_label(kind: &str) -> &str {
    match kind {
        "province" => "Tỉnh",
        "department" => "Sở, ban, ngành",
        "sub_department" => "Chi cục",
        "district" => "Huyện",
        "commune" => "UBND xã, phường",
        "public_service_unit" => "Đơn vị sự nghiệp",
        _ => "Khác",
    }
}

/// The top-level group of each leaf.
fn top_of(set: &CriteriaSet) -> HashMap<&str, &str> {
    let parents: HashMap<&str, Option<&str>> = set
        .criteria
        .iter()
        .map(|criterion| (criterion.code.as_str(), criterion.parent.as_deref()))
        .collect();
    set.leaves()
        .map(|leaf| {
            let mut top = leaf.code.as_str();
            while let Some(Some(parent)) = parents.get(top) {
                top = parent;
            }
            (leaf.code.as_str(), top)
        })
        .collect()
}

/// The workbook's bytes and its file name.
pub async fn results(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<(Vec<u8>, String)> {
    let tree = AgencyTree::load(db).await?;
    let period = periods::readable(db, actor, &tree, id).await?;
    if !matches!(
        PeriodStatus::parse(&period.status),
        Some(PeriodStatus::Final | PeriodStatus::Published)
    ) {
        periods::coordinated(db, actor, &tree, id).await?;
    }
    let ranking = ranking::build(db, &period).await?;
    let set = sets::load(db, period.criteria_set_id).await?;
    let ids: Vec<Uuid> = ranking.rows.iter().map(|row| row.assessment_id).collect();
    let scores = Scores::of_many(db, &ids).await?;
    let tops = top_of(&set);
    let groups: Vec<(&str, &str)> = set
        .criteria
        .iter()
        .filter(|criterion| criterion.parent.is_none())
        .map(|criterion| (criterion.code.as_str(), criterion.title.as_str()))
        .collect();
    let sums: HashMap<Uuid, BTreeMap<&str, f64>> = ranking
        .rows
        .iter()
        .map(|row| {
            let mut sums = BTreeMap::new();
            if !row.not_submitted
                && let Some(scores) = scores.get(&row.assessment_id)
            {
                for leaf in set.leaves() {
                    let score = scores.of(&leaf.code);
                    let points = score
                        .and_then(|score| score.appraised_score.or(score.self_score))
                        .unwrap_or(0.0);
                    if let Some(top) = tops.get(leaf.code.as_str()) {
                        *sums.entry(*top).or_insert(0.0) += points;
                    }
                }
            }
            (row.assessment_id, sums)
        })
        .collect();
    let bytes = write(&ranking.rows, &groups, &sums, &set, &ranking.period_name)
        .map_err(|error| DomainError::Internal(format!("results.xlsx: {error}")))?;
    Ok((bytes, format!("ket-qua-danh-gia-{}.xlsx", period.year)))
}

fn write(
    rows: &[RankingRow],
    groups: &[(&str, &str)],
    sums: &HashMap<Uuid, BTreeMap<&str, f64>>,
    set: &CriteriaSet,
    title: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let sheet = |name: &str, rows: Vec<&RankingRow>| -> Result<Worksheet, XlsxError> {
        let mut worksheet = Worksheet::new();
        worksheet.set_name(name)?;
        worksheet.write_string(0, 0, title)?;
        let mut headers = vec![
            "STT".to_owned(),
            "Mã".to_owned(),
            "Cơ quan, đơn vị".to_owned(),
        ];
        headers.extend(
            groups
                .iter()
                .map(|(code, title)| format!("{code}. {title}")),
        );
        headers.extend([
            "Tổng điểm".to_owned(),
            "Xếp loại".to_owned(),
            "Thứ hạng".to_owned(),
            "Ghi chú".to_owned(),
        ]);
        for (column, header) in headers.iter().enumerate() {
            worksheet.write_string_with_format(2, column as u16, header, &bold)?;
        }
        worksheet.set_column_width(2, 40)?;
        for column in 3..3 + groups.len() as u16 {
            worksheet.set_column_width(column, 16)?;
        }
        for (index, row) in rows.iter().enumerate() {
            let line = 3 + index as u32;
            worksheet.write_number(line, 0, (index + 1) as f64)?;
            worksheet.write_string(line, 1, &row.agency_code)?;
            worksheet.write_string(line, 2, &row.agency_name)?;
            let own = sums.get(&row.assessment_id);
            for (offset, (code, _)) in groups.iter().enumerate() {
                let points = own.and_then(|sums| sums.get(code)).copied().unwrap_or(0.0);
                worksheet.write_number(line, 3 + offset as u16, round(points))?;
            }
            let column = 3 + groups.len() as u16;
            worksheet.write_number(line, column, row.total)?;
            let rank = row.rank_code.as_deref().and_then(|code| {
                set.ranks
                    .iter()
                    .find(|rank| rank.code == code)
                    .map(|rank| rank.label.as_str())
            });
            worksheet.write_string(line, column + 1, rank.unwrap_or(""))?;
            worksheet.write_number(line, column + 2, f64::from(row.position))?;
            if row.not_submitted {
                worksheet.write_string(line, column + 3, "Không nộp hồ sơ tự đánh giá")?;
            }
        }
        Ok(worksheet)
    };
    workbook.push_worksheet(sheet("Tổng hợp", rows.iter().collect())?);
    let mut kinds: BTreeMap<&str, Vec<&RankingRow>> = BTreeMap::new();
    for row in rows {
        kinds
            .entry(kind_label(&row.agency_kind))
            .or_default()
            .push(row);
    }
    for (label, rows) in kinds {
        workbook.push_worksheet(sheet(label, rows)?);
    }
    workbook.save_to_buffer()
}
