//! Spreadsheets with calamine: XLSX, legacy XLS and ODS, one page per sheet.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::{ExtractError, Extracted, Limits};

pub fn extract(
    bytes: &[u8],
    content_type: &str,
    limits: &Limits,
) -> Result<Extracted, ExtractError> {
    if content_type != "application/vnd.ms-excel" {
        check_zip(bytes, limits)?;
    }
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|error| {
            let message = error.to_string();
            if message.to_lowercase().contains("password")
                || message.to_lowercase().contains("encrypt")
            {
                ExtractError::Encrypted
            } else {
                ExtractError::Malformed(message)
            }
        })?;
    let mut pages = Vec::new();
    let mut total = 0usize;
    for name in workbook.sheet_names() {
        let Ok(range) = workbook.worksheet_range(&name) else {
            continue;
        };
        let mut page = format!("{name}\n");
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(text) => text.clone(),
                    Data::DateTime(moment) if moment.is_datetime() => moment
                        .as_datetime()
                        .map_or_else(|| cell.to_string(), vietnamese_date),
                    Data::DateTimeIso(text) => {
                        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                            .ok()
                            .or_else(|| {
                                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                                    .ok()
                                    .and_then(|day| day.and_hms_opt(0, 0, 0))
                            })
                            .map_or_else(|| text.clone(), vietnamese_date)
                    }
                    other => other.to_string(),
                })
                .collect();
            let line = cells.join("\t");
            if !line.trim().is_empty() {
                page.push_str(line.trim_end());
                page.push('\n');
            }
            total += line.len();
            if total > limits.max_text_bytes {
                return Err(ExtractError::TooLarge(format!(
                    "more than {} bytes of text",
                    limits.max_text_bytes
                )));
            }
        }
        pages.push(page);
    }
    let method = match content_type {
        "application/vnd.ms-excel" => "xls",
        "application/vnd.oasis.opendocument.spreadsheet" => "ods",
        _ => "xlsx",
    };
    Ok(Extracted {
        pages,
        method,
        legacy_encoding: None,
        pages_without_text: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A date cell as a Vietnamese reader writes it (dd/mm/yyyy, with the time when it has one):
/// searching "15/03/2026" finds it, where the stored serial number (46096) never would.
fn vietnamese_date(moment: chrono::NaiveDateTime) -> String {
    if moment.time() == chrono::NaiveTime::MIN {
        moment.format("%d/%m/%Y").to_string()
    } else {
        moment.format("%d/%m/%Y %H:%M").to_string()
    }
}

/// calamine reads zip parts whole: refuse archives whose declared sizes exceed the caps first.
pub(crate) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| ExtractError::Malformed(error.to_string()))?;
    if archive.len() > limits.max_zip_entries {
        return Err(ExtractError::TooLarge(format!(
            "{} entries in the archive",
            archive.len()
        )));
    }
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|error| ExtractError::Malformed(error.to_string()))?;
        // Declared sizes can lie: count what actually comes out, up to the cap.
        let read = std::io::copy(
            &mut (&mut file).take(limits.max_decompressed_bytes - total + 1),
            &mut std::io::sink(),
        )
        .map_err(|error| ExtractError::Malformed(error.to_string()))?;
        total += read;
        if total > limits.max_decompressed_bytes {
            return Err(ExtractError::TooLarge(
                "the archive decompresses to too much data".into(),
            ));
        }
    }
    Ok(())
}
