//! Opening a piece of evidence: its file (a version's or an attachment's) and its text, page by
//! page, for whoever reads the assessment, its appraisers included.

use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{self, Access},
    evidence::{Evidence, one},
};
use crate::{
    db::entities::{document_version, evidence_link, file, record},
    domain::{Actor, DomainError, DomainResult, files, records},
};

/// A piece of evidence an assessment's reader may open, with its file (for downloads and
/// previews): a version's or an attachment's.
pub async fn readable_file(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    link_id: Uuid,
) -> DomainResult<(Evidence, file::Model)> {
    let context = access::context(db, actor, id, Access::Read).await?;
    let link = evidence_link::Entity::find_by_id(link_id)
        .one(db)
        .await?
        .filter(|link| link.assessment_id == context.row.id)
        .ok_or(DomainError::NotFound("evidence"))?;
    let view = one(db, link).await?;
    let file_id = match (view.attachment_id, view.version_id) {
        (Some(file), _) => Some(file),
        (None, Some(version)) => document_version::Entity::find_by_id(version)
            .one(db)
            .await?
            .and_then(|version| version.file_id),
        _ => None,
    };
    let file = files::get(db, file_id.ok_or(DomainError::NotFound("file"))?).await?;
    Ok((view, file))
}

/// The text of a piece of evidence, page by page (its file's; a record's own fields).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceText {
    pub evidence: Evidence,
    pub pages: Vec<String>,
}

/// The text preview of a piece of evidence.
pub async fn text_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    link_id: Uuid,
) -> DomainResult<EvidenceText> {
    match readable_file(db, actor, id, link_id).await {
        Ok((evidence, file)) => Ok(EvidenceText {
            pages: files::pages(db, file.id).await?,
            evidence,
        }),
        Err(DomainError::NotFound("file")) => {
            let link = evidence_link::Entity::find_by_id(link_id)
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("evidence"))?;
            let evidence = one(db, link).await?;
            let text = match evidence.record_id {
                Some(record_id) => match record::Entity::find_by_id(record_id).one(db).await? {
                    Some(row) => records::indexing::plain_text(&row),
                    None => String::new(),
                },
                None => String::new(),
            };
            Ok(EvidenceText {
                evidence,
                pages: vec![text],
            })
        }
        Err(other) => Err(other),
    }
}
