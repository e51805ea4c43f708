//! What a file really is, from its first bytes (magic numbers); the name is only a hint.

use std::path::Path;

/// How many leading bytes the detection needs.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The accepted types, by extension: `(extension, MIME type)`.
const ACCEPTED: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("md", "text/markdown"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
];

const OLE_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decides the content type of a file from its first bytes, with the file name's extension
/// (through `mime_guess`) deciding only between formats the bytes cannot tell apart (which
/// Office format an OLE or ZIP container holds, which text format a text file is).
pub fn detect(head: &[u8], filename: &str) -> Result<&'static str, String> {
    let extension = Path::new(filename)
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let by_extension = ACCEPTED
        .iter()
        .find(|(known, _)| *known == extension)
        .map(|(_, mime)| *mime);
    let hinted = mime_guess::from_path(filename).first_raw();

    if head.starts_with(b"%PDF-") {
        return Ok("application/pdf");
    }
    if head.starts_with(OLE_SIGNATURE) {
        // Word, Excel and PowerPoint 97–2003 share the compound-file container.
        return match extension.as_str() {
            "doc" | "xls" | "ppt" => Ok(by_extension.unwrap_or("application/octet-stream")),
            _ => Err("an Office 97-2003 file must be named .doc, .xls or .ppt".into()),
        };
    }
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        if let Some((_, accepted)) = ACCEPTED.iter().find(|(_, known)| *known == mime) {
            return Ok(accepted);
        }
        if mime == "application/zip" {
            // A zip whose first entries did not reveal an Office format: trust the name only
            // for Office extensions.
            return match extension.as_str() {
                "docx" | "xlsx" | "pptx" | "odt" | "ods" => {
                    Ok(by_extension.unwrap_or("application/zip"))
                }
                _ => Err("zip archives are not accepted".into()),
            };
        }
        return Err(format!("{mime} files are not accepted"));
    }
    if looks_like_text(head) {
        let lowered: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
        let html = contains(&lowered, b"<!doctype html") || contains(&lowered, b"<html");
        return Ok(match (extension.as_str(), html) {
            ("csv", _) => "text/csv",
            ("md" | "markdown", _) => "text/markdown",
            ("html" | "htm", _) | (_, true) => "text/html",
            _ => "text/plain",
        });
    }
    Err(match hinted {
        Some(mime) => format!("the content does not match its name ({mime})"),
        None => "the file's type could not be recognised".into(),
    })
}

/// Text in any 8-bit or UTF-8/UTF-16 encoding: no NUL bytes (outside UTF-16 with a BOM) and
/// few control characters.
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    if head.contains(&0) {
        return false;
    }
    let controls = head
        .iter()
        .filter(|byte| **byte < 0x20 && !matches!(**byte, b'\n' | b'\r' | b'\t' | 0x0C | 0x1B))
        .count();
    controls * 100 <= head.len()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_a_pdf_whatever_its_name() {
        assert_eq!(detect(b"%PDF-1.7\n...", "scan.docx"), Ok("application/pdf"));
    }

    #[test]
    fn random_bytes_named_pdf_are_refused() {
        let noise: Vec<u8> = (0..2000u32)
            .map(|i| (i.wrapping_mul(7919) % 251) as u8)
            .collect();
        assert!(detect(&noise, "QT-01.pdf").is_err());
    }

    #[test]
    fn vietnamese_text_files_are_text() {
        assert_eq!(
            detect("Quy trình kiểm soát tài liệu".as_bytes(), "a.txt"),
            Ok("text/plain")
        );
        assert_eq!(detect(b"ma,ten\nQT-01,x", "list.csv"), Ok("text/csv"));
        assert_eq!(
            detect(b"<!DOCTYPE html><html>", "page.txt"),
            Ok("text/html")
        );
    }

    #[test]
    fn office_containers_need_their_extension() {
        let mut ole = OLE_SIGNATURE.to_vec();
        ole.extend_from_slice(&[0; 100]);
        assert_eq!(detect(&ole, "old.doc"), Ok("application/msword"));
        assert!(detect(&ole, "old.bin").is_err());
    }

    #[test]
    fn executables_are_refused() {
        assert!(detect(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "setup.pdf").is_err());
        assert!(detect(b"\x7fELF\x02\x01\x01", "a.txt").is_err());
    }
}
