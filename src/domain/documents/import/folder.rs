//! Reading an agency's folder for `hoso import`: which files, in what order (a document's
//! issues oldest first), and what their folders and names say (kind, code, title, issue number).

use std::path::{Path, PathBuf};

use crate::domain::{
    documents::{DocumentKind, register::code_key},
    text::fold_diacritics,
};

/// The files under `root`, depth first in name order; hidden files and links are left out.
pub fn files_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .filter(|entry| !entry.file_name().to_string_lossy().starts_with('.'))
            .map(|entry| entry.path())
            .collect();
        entries.sort();
        for path in entries.into_iter().rev() {
            let meta = std::fs::symlink_metadata(&path)?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A file to import, and where it stands among the files of its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    /// Another file of the folder has the same document code: they are one document's issues.
    pub shares_code: bool,
    /// An earlier issue: in force from the day its text gives until the next issue began.
    pub earlier: bool,
}

/// The order to import `files` in. With `history` (an import in force), the files of one
/// document code come oldest first — those in a folder of withdrawn papers ("Hết hiệu lực",
/// "Cũ", "old"), then by the issue number in the name ("lần 2", "v2", "(2)"), then by path — and
/// all but the newest are marked earlier issues. Otherwise, and for files without a code, the
/// folder's order.
pub fn import_plan(root: &Path, files: Vec<PathBuf>, history: bool) -> Vec<PlannedFile> {
    let code_of = |path: &Path| {
        path.file_stem()
            .and_then(|stem| code_from_name(&stem.to_string_lossy()))
            .map(|code| code_key(&code))
    };
    let mut groups: std::collections::HashMap<String, Vec<usize>> = Default::default();
    if history {
        for (index, path) in files.iter().enumerate() {
            if let Some(code) = code_of(path) {
                groups.entry(code).or_default().push(index);
            }
        }
    }
    // Each group takes the place of its first file; inside it, oldest issue first.
    let mut keyed: Vec<((usize, bool, u32, PathBuf), PlannedFile)> = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let group = code_of(path).and_then(|code| groups.get(&code));
        let (place, shares_code, earlier) = match group {
            Some(members) if members.len() > 1 => {
                let newest = members
                    .iter()
                    .max_by_key(|&&member| issue_key(root, &files[member]))
                    .copied();
                (members[0], true, newest != Some(index))
            }
            _ => (index, false, false),
        };
        let (withdrawn, number, _) = issue_key(root, path);
        keyed.push((
            (place, withdrawn, number, path.clone()),
            PlannedFile {
                path: path.clone(),
                shares_code,
                earlier,
            },
        ));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, planned)| planned).collect()
}

/// How old an issue looks from where it is kept and how it is named: a file in a folder of
/// withdrawn papers is older (`false` sorts first), then the issue number, then the path.
fn issue_key(root: &Path, path: &Path) -> (bool, u32, PathBuf) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let folded = fold_diacritics(&rel.to_string_lossy().to_lowercase());
    let folders: Vec<&str> = folded.split('/').collect();
    let withdrawn = folders[..folders.len().saturating_sub(1)]
        .iter()
        .any(|folder| {
            let folder = folder.replace(['-', '_'], " ");
            [
                "het hieu luc",
                "cu",
                "ban cu",
                "old",
                "archive",
                "luu tru",
                "thu hoi",
            ]
            .iter()
            .any(|name| folder == *name || folder.starts_with(&format!("{name} ")))
        });
    let stem = path
        .file_stem()
        .map(|stem| fold_diacritics(&stem.to_string_lossy().to_lowercase()))
        .unwrap_or_default();
    (!withdrawn, issue_number(&stem), path.to_path_buf())
}

/// The issue number a (folded, lowercase) file name gives: "lan 2", "lan ban hanh 2", "v2",
/// "(2)"; 0 when it gives none.
fn issue_number(stem: &str) -> u32 {
    let words: Vec<&str> = stem
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-'))
        .filter(|word| !word.is_empty())
        .collect();
    for (index, word) in words.iter().enumerate() {
        let after_lan = (*word == "lan")
            .then(|| {
                words[index + 1..]
                    .iter()
                    .find(|next| !matches!(**next, "ban" | "hanh" | "thu"))
            })
            .flatten()
            .and_then(|next| next.trim_matches(['(', ')', '.']).parse().ok());
        let tagged = word
            .strip_prefix('v')
            .or_else(|| word.strip_prefix("(v"))
            .map(|rest| rest.trim_start_matches('.').trim_end_matches(')'))
            .and_then(|number| number.parse().ok());
        let bracketed = word
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|number| number.parse().ok());
        if let Some(number) = after_lan.or(tagged).or(bracketed) {
            return number;
        }
    }
    0
}

/// A document kind from the folder names a file sits in (`quy-trinh`, `bieu-mau`…).
pub fn kind_from_folders(rel_path: &str) -> Option<DocumentKind> {
    let folded = fold_diacritics(&rel_path.to_lowercase());
    let folders: Vec<&str> = folded.split('/').collect();
    let folders = &folders[..folders.len().saturating_sub(1)];
    folders.iter().rev().find_map(|folder| {
        let folder = folder.replace([' ', '_'], "-");
        Some(match () {
            _ if folder.contains("quy-trinh") || folder.contains("procedure") => {
                DocumentKind::Procedure
            }
            _ if folder.contains("bieu-mau") || folder.contains("form") => DocumentKind::Form,
            _ if folder.contains("huong-dan") => DocumentKind::WorkInstruction,
            _ if folder.contains("chinh-sach") => DocumentKind::Policy,
            _ if folder.contains("muc-tieu") => DocumentKind::Objectives,
            _ if folder.contains("so-tay") => DocumentKind::Manual,
            _ if folder.contains("phap-ly") || folder.contains("van-ban") => DocumentKind::Legal,
            _ if folder.contains("ben-ngoai") => DocumentKind::External,
            _ => return None,
        })
    })
}

/// A document code from a file name when it looks like one (`QT-01`, `BM-02-QT05`, `QT.TTHC-05`).
pub fn code_from_name(stem: &str) -> Option<String> {
    let candidate = stem
        .split_whitespace()
        .next()?
        .trim_matches(['_', '-', '.']);
    let looks_like_code = candidate.len() <= 40
        && candidate.chars().any(|c| c.is_ascii_digit())
        && candidate.chars().any(|c| c.is_ascii_alphabetic())
        && candidate.contains(['-', '.'])
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    looks_like_code.then(|| candidate.to_uppercase())
}

pub(super) fn title_from_name(stem: &str) -> String {
    let title: String = stem
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        stem.to_owned()
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_file_names_that_look_like_codes() {
        assert_eq!(
            code_from_name("QT-01 Quy trinh kiem soat").as_deref(),
            Some("QT-01")
        );
        assert_eq!(code_from_name("bm-02-qt05").as_deref(), Some("BM-02-QT05"));
        assert_eq!(code_from_name("QT.TTHC-05").as_deref(), Some("QT.TTHC-05"));
        assert_eq!(code_from_name("Báo cáo năm 2024"), None);
        assert_eq!(code_from_name("scan0001"), None);
    }

    #[test]
    fn folder_names_give_the_kind() {
        assert_eq!(
            kind_from_folders("Quy trình/QT-01.pdf"),
            Some(DocumentKind::Procedure)
        );
        assert_eq!(
            kind_from_folders("2024/bieu-mau/BM-01.docx"),
            Some(DocumentKind::Form)
        );
        assert_eq!(kind_from_folders("QT-01.pdf"), None);
    }

    fn plan(paths: &[&str]) -> Vec<(String, bool, bool)> {
        let root = Path::new("/kho");
        let files = paths.iter().map(|path| root.join(path)).collect();
        import_plan(root, files, true)
            .into_iter()
            .map(|planned| {
                let rel = planned
                    .path
                    .strip_prefix(root)
                    .unwrap()
                    .display()
                    .to_string();
                (rel, planned.shares_code, planned.earlier)
            })
            .collect()
    }

    #[test]
    fn a_documents_issues_are_imported_oldest_first_and_the_newest_last() {
        assert_eq!(
            plan(&[
                "BM-01 Phiếu.docx",
                "QT-01 Kiểm soát tài liệu.docx",
                "QT-01 Kiểm soát tài liệu lần 2.doc",
                "Hết hiệu lực/QT-01 Kiểm soát tài liệu.doc",
                "Thông báo.pdf",
            ]),
            [
                ("BM-01 Phiếu.docx".into(), false, false),
                (
                    "Hết hiệu lực/QT-01 Kiểm soát tài liệu.doc".into(),
                    true,
                    true
                ),
                ("QT-01 Kiểm soát tài liệu.docx".into(), true, true),
                ("QT-01 Kiểm soát tài liệu lần 2.doc".into(), true, false),
                ("Thông báo.pdf".into(), false, false),
            ]
        );
    }

    #[test]
    fn issue_numbers_are_read_as_people_write_them() {
        for (name, number) in [
            ("qt 01 lan 2", 2),
            ("qt 01 lan ban hanh 3", 3),
            ("qt 01 v4", 4),
            ("qt 01 (5)", 5),
            ("qt 01 kiem soat", 0),
        ] {
            assert_eq!(issue_number(name), number, "{name}");
        }
    }
}
