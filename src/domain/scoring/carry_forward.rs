//! Carrying last period's evidence forward: the links of criteria with the same code copied to
//! this period's assessment, re-pointed to the versions in force today, with those that could not
//! be carried and why.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    AssessmentStatus,
    access::{self, Access},
    evidence::{Evidence, EvidenceTarget, link_in, links_of, views},
};
use crate::{
    db::{
        self,
        entities::{assessment, scoring_period},
    },
    domain::{Actor, DomainError, DomainResult},
};

/// A link that could not be carried forward, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotCarried {
    pub criterion_code: String,
    pub title: String,
    /// `document_obsolete`, `record_disposed`, `criterion_gone` or `already_linked`.
    pub reason: String,
}

/// What carrying forward did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CarryForward {
    /// The previous assessment the links came from.
    pub from_assessment_id: Option<Uuid>,
    pub carried: Vec<Evidence>,
    pub not_carried: Vec<NotCarried>,
}

/// Copies last period's links of the agency for criteria with the same code, re-pointed to
/// the version in force today; lists those that could not be carried.
pub async fn carry_forward(
    conn: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<CarryForward> {
    let txn = db::begin_write(conn).await?;
    let context = access::context(&txn, actor, id, Access::SelfAssess).await?;
    // The agency's latest other assessment of an earlier year.
    let earlier: Vec<Uuid> = scoring_period::Entity::find()
        .filter(scoring_period::Column::Year.lt(context.period.year))
        .all(&txn)
        .await?
        .into_iter()
        .map(|period| period.id)
        .collect();
    let previous = assessment::Entity::find()
        .filter(assessment::Column::AgencyId.eq(context.row.agency_id))
        .filter(assessment::Column::PeriodId.is_in(earlier))
        .filter(assessment::Column::Id.ne(context.row.id))
        .order_by_desc(assessment::Column::CreatedAt)
        .one(&txn)
        .await?;
    let Some(previous) = previous else {
        txn.commit().await?;
        return Ok(CarryForward {
            from_assessment_id: None,
            carried: Vec::new(),
            not_carried: Vec::new(),
        });
    };
    let old_links = links_of(&txn, previous.id).await?;
    let old_views = views(&txn, &old_links).await?;
    let mut carried = Vec::new();
    let mut not_carried = Vec::new();
    for (link, view) in old_links.iter().zip(old_views) {
        let refuse = |reason: &str| NotCarried {
            criterion_code: link.criterion_code.clone(),
            title: view.title.clone(),
            reason: reason.to_owned(),
        };
        if context
            .set
            .criterion(&link.criterion_code)
            .is_none_or(|criterion| !criterion.leaf)
        {
            not_carried.push(refuse("criterion_gone"));
            continue;
        }
        let target = match link.target_kind.as_str() {
            "document_version" => match link.document_id {
                Some(document) => EvidenceTarget::Document(document),
                None => {
                    not_carried.push(refuse("document_obsolete"));
                    continue;
                }
            },
            "attachment" => match link.file_id {
                Some(file) if !view.missing => EvidenceTarget::Attachment(file),
                _ => {
                    not_carried.push(refuse("record_disposed"));
                    continue;
                }
            },
            _ => match link.record_id {
                Some(record) if !view.missing => EvidenceTarget::Record(record),
                _ => {
                    not_carried.push(refuse("record_disposed"));
                    continue;
                }
            },
        };
        match link_in(
            &txn,
            actor,
            &context,
            &link.criterion_code,
            target,
            link.page,
            link.note.clone(),
            Some(link.id),
        )
        .await
        {
            Ok(row) => carried.push(row),
            Err(DomainError::Conflict(message)) if message.code() == "evidence_already_linked" => {
                not_carried.push(refuse("already_linked"));
            }
            Err(DomainError::Conflict(_) | DomainError::NotFound(_)) => {
                not_carried.push(refuse(if link.target_kind == "document_version" {
                    "document_obsolete"
                } else {
                    "record_disposed"
                }));
            }
            Err(other) => return Err(other),
        }
    }
    txn.commit().await?;
    debug_assert!(context.status() == AssessmentStatus::Open);
    Ok(CarryForward {
        from_assessment_id: Some(previous.id),
        carried: views(conn, &carried).await?,
        not_carried,
    })
}
