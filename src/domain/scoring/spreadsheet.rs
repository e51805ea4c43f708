//! Criteria sets from a spreadsheet (XLSX): a sheet `criteria` (or the first sheet) with one
//! row per criterion under the headers `code`, `parent`, `title`, `max_points`, `guidance`,
//! `evidence` (hints separated by `;`), `deduction` (`x`, `1`, `true`, `có`), and optionally
//! `facts` (separated by `;`) and `points_per_day`; a sheet `ranks` with `code`, `label`,
//! `label_en`, `min_points`; and optionally a sheet `set` of `key`/`value` rows (`code`,
//! `name`, `name_en`, `issued_by`, `max_total`, `supersedes`). Problems point at their cell's
//! row, `criteria!A7`.

use std::{collections::HashMap, io::Cursor};

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::sets::{CriteriaSetInput, CriterionInput, RankInput};
use crate::{
    domain::{DomainError, DomainResult, Problem},
    extract::{Limits, spreadsheet::check_zip},
    i18n::Message,
};

/// Largest criteria workbook accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

fn unreadable(detail: impl ToString) -> DomainError {
    DomainError::invalid(
        "file",
        Message::new("criteria_workbook_unreadable").arg("detail", detail.to_string()),
    )
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        other => other.to_string().trim().to_owned(),
    }
}

/// A sheet as rows of header → text, each with its row number (from 1, the header's is 1).
fn table(rows: Vec<Vec<Data>>) -> Vec<(usize, HashMap<String, String>)> {
    let mut rows = rows.into_iter().enumerate();
    let Some((_, header)) = rows.next() else {
        return Vec::new();
    };
    let names: Vec<String> = header
        .iter()
        .map(|cell| cell_text(cell).to_lowercase().replace(' ', "_"))
        .collect();
    rows.filter_map(|(index, row)| {
        let values: HashMap<String, String> = names
            .iter()
            .zip(row.iter())
            .map(|(name, cell)| (name.clone(), cell_text(cell)))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        (!values.is_empty()).then_some((index + 1, values))
    })
    .collect()
}

fn list(value: Option<&String>) -> Vec<String> {
    value
        .map(|text| {
            text.split([';', '\n'])
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A number of a cell, or a problem at it.
fn number(value: Option<&String>, path: String, problems: &mut Vec<Problem>) -> Option<f64> {
    let text = value?;
    match text.replace(',', ".").parse::<f64>() {
        Ok(number) if number.is_finite() => Some(number),
        _ => {
            problems.push(Problem::new(
                path,
                Message::new("criteria_not_a_number").arg("value", text.as_str()),
            ));
            None
        }
    }
}

fn truthy(value: Option<&String>) -> bool {
    value.is_some_and(|text| {
        matches!(
            text.trim().to_lowercase().as_str(),
            "x" | "1" | "true" | "yes" | "có" | "co"
        )
    })
}

/// Reads a criteria workbook into the JSON format's input; problems of its cells (a number
/// that is not one) come back beside it, for the import to list with the rest.
pub fn read(bytes: &[u8]) -> DomainResult<(CriteriaSetInput, Vec<Problem>)> {
    check_zip(bytes, &Limits::default()).map_err(unreadable)?;
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let names = workbook.sheet_names();
    let find = |wanted: &str| {
        names
            .iter()
            .find(|name| name.trim().eq_ignore_ascii_case(wanted))
            .cloned()
    };
    let criteria_sheet = find("criteria")
        .or_else(|| {
            names
                .iter()
                .find(|name| {
                    !["ranks", "set"]
                        .iter()
                        .any(|other| name.trim().eq_ignore_ascii_case(other))
                })
                .cloned()
        })
        .ok_or_else(|| unreadable("no sheet of criteria"))?;
    let mut sheet = |name: &str| -> DomainResult<Vec<(usize, HashMap<String, String>)>> {
        let range = workbook.worksheet_range(name).map_err(unreadable)?;
        Ok(table(range.rows().map(<[Data]>::to_vec).collect()))
    };
    let mut problems = Vec::new();
    let mut input = CriteriaSetInput::default();
    if let Some(name) = find("set") {
        for (_, row) in sheet(&name)? {
            let (Some(key), Some(value)) = (row.get("key"), row.get("value")) else {
                continue;
            };
            match key.to_lowercase().as_str() {
                "code" => input.code = value.clone(),
                "name" => input.name = value.clone(),
                "name_en" => input.name_en = Some(value.clone()),
                "issued_by" => input.issued_by = Some(value.clone()),
                "supersedes" => input.supersedes = Some(value.clone()),
                "max_total" => {
                    input.max_total = number(Some(value), "set!max_total".into(), &mut problems)
                }
                _ => {}
            }
        }
    }
    for (row_number, row) in sheet(&criteria_sheet)? {
        let at = |column: &str| format!("{criteria_sheet}!row{row_number}.{column}");
        input.criteria.push(CriterionInput {
            code: row.get("code").cloned().unwrap_or_default(),
            parent: row.get("parent").cloned(),
            title: row.get("title").cloned().unwrap_or_default(),
            max_points: number(row.get("max_points"), at("max_points"), &mut problems),
            guidance: row.get("guidance").cloned(),
            evidence: list(row.get("evidence")),
            deduction: truthy(row.get("deduction")),
            facts: list(row.get("facts")),
            points_per_day: number(
                row.get("points_per_day"),
                at("points_per_day"),
                &mut problems,
            ),
            children: Vec::new(),
            location: Some(format!("{criteria_sheet}!row{row_number}")),
        });
    }
    if let Some(name) = find("ranks") {
        for (row_number, row) in sheet(&name)? {
            input.ranks.push(RankInput {
                code: row.get("code").cloned().unwrap_or_default(),
                label: row.get("label").cloned().unwrap_or_default(),
                label_en: row.get("label_en").cloned(),
                min_points: number(
                    row.get("min_points"),
                    format!("{name}!row{row_number}.min_points"),
                    &mut problems,
                ),
                location: Some(format!("{name}!row{row_number}")),
            });
        }
    }
    Ok((input, problems))
}
