//! Search inside an assessment: only the assessed agency's documents and records, each hit
//! marked with the criteria it is evidence of.

use std::{sync::Arc, time::Instant};

use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{self, Access},
    evidence,
};
use crate::{
    domain::{
        Actor, DomainResult,
        documents::VersionStatus,
        search::{self as domain_search, SearchHit},
    },
    names::Named,
    search::{SearchFilters, SearchIndex},
};

/// `?q=&limit=&offset=`
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScopedSearchParams {
    pub q: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// A hit of a search inside an assessment: marked with the criteria it is evidence of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopedHit {
    #[serde(flatten)]
    pub hit: SearchHit,
    /// Criteria this item is linked to as evidence.
    pub evidence_of: Vec<String>,
}

/// `{total, took_ms, hits}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopedSearch {
    pub total: usize,
    pub took_ms: u64,
    pub hits: Vec<ScopedHit>,
}

/// Searches only the assessed agency's documents and records (its evidence among them), for
/// whoever may read the assessment: its appraisers see what they appraise, and nothing else.
pub async fn search(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    actor: &Actor,
    assessment_id: Uuid,
    params: &ScopedSearchParams,
) -> DomainResult<ScopedSearch> {
    let started = Instant::now();
    let q = domain_search::checked_query(params.q.as_deref())?;
    let context = access::context(db, actor, assessment_id, Access::Read).await?;
    let agency = context.row.agency_id.to_string();
    let filters = SearchFilters {
        readable: Some(vec![agency]),
        drafts_visible: Some(Vec::new()),
        viewer: None,
        agencies: None,
        subtype: None,
        status: None,
        exclude_statuses: Vec::new(),
        preferred_status: Some(VersionStatus::Effective.as_str().to_owned()),
        year: None,
        as_of: None,
        limit: params
            .limit
            .unwrap_or(20)
            .clamp(1, domain_search::MAX_LIMIT),
        offset: params.offset.unwrap_or(0).min(10_000),
        skip_facets: true,
    };
    let outcome = domain_search::run(index, q, filters).await?;
    let links = evidence::links_of(db, context.row.id).await?;
    let hits = outcome
        .hits
        .into_iter()
        .map(SearchHit::from)
        .map(|hit| {
            let evidence_of = links
                .iter()
                .filter(|link| evidence_matches(link, &hit))
                .map(|link| link.criterion_code.clone())
                .collect();
            ScopedHit { hit, evidence_of }
        })
        .collect();
    Ok(ScopedSearch {
        total: outcome.total,
        took_ms: started.elapsed().as_millis() as u64,
        hits,
    })
}

/// Whether an evidence link points at what a hit is.
pub(crate) fn evidence_matches(
    link: &crate::db::entities::evidence_link::Model,
    hit: &SearchHit,
) -> bool {
    let same = |id: Option<Uuid>, text: &Option<String>| {
        id.is_some_and(|id| text.as_deref() == Some(id.to_string().as_str()))
    };
    match link.target_kind.as_str() {
        "document_version" => same(link.version_id, &hit.version_id),
        "attachment" => same(link.file_id, &hit.attachment_id),
        _ => hit.kind == "record" && same(link.record_id, &hit.record_id),
    }
}
