//! The dossier of an assessment (`dossier.zip`): `manifest.json` and `manifest.csv` (criterion →
//! self and appraised scores, comments, each evidence item with kind, title, version label,
//! file name, size and SHA-256) and the files, one folder per criterion. The domain says what
//! goes in; `export::zip_stream` streams it.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{self, Access},
    assessments,
};
use crate::{
    domain::{Actor, DomainError, DomainResult},
    export::zip_stream::ZipEntry,
};

/// An evidence item of the manifest.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManifestEvidence {
    pub kind: String,
    pub title: String,
    pub code: String,
    pub version_label: Option<String>,
    pub filename: Option<String>,
    pub size: Option<i64>,
    pub sha256: Option<String>,
    /// Where the file is in the archive (none for a record without a file).
    pub path: Option<String>,
    pub page: Option<i32>,
    pub note: Option<String>,
}

/// A criterion of the manifest.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManifestCriterion {
    pub code: String,
    pub title: String,
    pub leaf: bool,
    pub max_points: f64,
    pub self_score: Option<f64>,
    pub note: Option<String>,
    pub appraised_score: Option<f64>,
    pub appraisal_comment: Option<String>,
    pub evidence: Vec<ManifestEvidence>,
}

/// `manifest.json`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Manifest {
    pub assessment_id: Uuid,
    pub agency_code: String,
    pub agency_name: String,
    pub period_name: String,
    pub year: i32,
    pub criteria_set_id: Uuid,
    pub status: String,
    pub self_total: f64,
    pub appraised_total: f64,
    pub total: Option<f64>,
    pub rank_code: Option<String>,
    pub criteria: Vec<ManifestCriterion>,
}

/// What the archive holds, and its name.
pub struct Dossier {
    pub filename: String,
    pub entries: Vec<ZipEntry>,
}

/// A name safe in every unzip tool: no separators, controls or reserved characters.
fn safe(name: &str, max_chars: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(max_chars)
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').to_owned();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

/// The dossier of an assessment the actor may read.
pub async fn dossier(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Dossier> {
    let context = access::context(db, actor, id, Access::Read).await?;
    let view = assessments::view(db, &context).await?;
    let mut entries = Vec::new();
    let mut criteria = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    for criterion in view.criteria {
        let folder = safe(
            &format!("{} {}", criterion.criterion.code, criterion.criterion.title),
            60,
        );
        let mut evidence = Vec::new();
        for (index, item) in criterion.evidence.iter().enumerate() {
            let path = match (&item.sha256, &item.filename, item.size, item.missing) {
                (Some(sha256), Some(filename), Some(size), false) => {
                    let mut path = format!("{folder}/{:02} {}", index + 1, safe(filename, 120));
                    while !used.insert(path.clone()) {
                        path = format!(
                            "{folder}/{:02}-{} {}",
                            index + 1,
                            used.len(),
                            safe(filename, 120)
                        );
                    }
                    entries.push(ZipEntry::Blob {
                        path: path.clone(),
                        sha256: sha256.clone(),
                        size: u64::try_from(size).unwrap_or(0),
                    });
                    Some(path)
                }
                _ => None,
            };
            evidence.push(ManifestEvidence {
                kind: item.kind.clone(),
                title: item.title.clone(),
                code: item.code.clone(),
                version_label: item.version_label.clone(),
                filename: item.filename.clone(),
                size: item.size,
                sha256: item.sha256.clone(),
                path,
                page: item.page,
                note: item.note.clone(),
            });
        }
        criteria.push(ManifestCriterion {
            code: criterion.criterion.code.clone(),
            title: criterion.criterion.title.clone(),
            leaf: criterion.criterion.leaf,
            max_points: criterion.criterion.max_points,
            self_score: criterion.self_score,
            note: criterion.note.clone(),
            appraised_score: criterion.appraised_score,
            appraisal_comment: criterion.appraisal_comment.clone(),
            evidence,
        });
    }
    let manifest = Manifest {
        assessment_id: view.id,
        agency_code: view.agency_code.clone(),
        agency_name: view.agency_name,
        period_name: view.period_name,
        year: view.year,
        criteria_set_id: view.criteria_set_id,
        status: view.status,
        self_total: view.self_total,
        appraised_total: view.appraised_total,
        total: view.total,
        rank_code: view.rank_code,
        criteria,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|error| DomainError::Internal(error.to_string()))?;
    let csv = manifest_csv(&manifest)?;
    let mut all = vec![
        ZipEntry::Bytes {
            path: "manifest.json".into(),
            bytes: json,
        },
        ZipEntry::Bytes {
            path: "manifest.csv".into(),
            bytes: csv,
        },
    ];
    all.extend(entries);
    Ok(Dossier {
        filename: format!(
            "ho-so-danh-gia-{}-{}.zip",
            safe(&view.agency_code, 40),
            view.year
        ),
        entries: all,
    })
}

/// One line per evidence item (and per criterion without any), with a byte-order mark so
/// spreadsheet programs read the Vietnamese as UTF-8.
fn manifest_csv(manifest: &Manifest) -> DomainResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let failed = |error: csv::Error| DomainError::Internal(error.to_string());
    writer
        .write_record([
            "criterion_code",
            "criterion_title",
            "max_points",
            "self_score",
            "note",
            "appraised_score",
            "appraisal_comment",
            "evidence_kind",
            "evidence_title",
            "evidence_code",
            "version_label",
            "filename",
            "size",
            "sha256",
            "path",
        ])
        .map_err(failed)?;
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    for criterion in &manifest.criteria {
        let head = [
            criterion.code.clone(),
            criterion.title.clone(),
            criterion.max_points.to_string(),
            number(criterion.self_score),
            criterion.note.clone().unwrap_or_default(),
            number(criterion.appraised_score),
            criterion.appraisal_comment.clone().unwrap_or_default(),
        ];
        if criterion.evidence.is_empty() {
            let mut line = head.to_vec();
            line.extend(std::iter::repeat_n(String::new(), 8));
            writer.write_record(&line).map_err(failed)?;
        }
        for item in &criterion.evidence {
            let mut line = head.to_vec();
            line.extend([
                item.kind.clone(),
                item.title.clone(),
                item.code.clone(),
                item.version_label.clone().unwrap_or_default(),
                item.filename.clone().unwrap_or_default(),
                item.size.map(|size| size.to_string()).unwrap_or_default(),
                item.sha256.clone().unwrap_or_default(),
                item.path.clone().unwrap_or_default(),
            ]);
            writer.write_record(&line).map_err(failed)?;
        }
    }
    writer
        .into_inner()
        .map_err(|error| DomainError::Internal(error.to_string()))
}
