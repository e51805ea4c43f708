//! Evidence suggested for a criterion: the assessed agency's own versions in force, records and
//! attachments that best match the criterion's evidence hints, title and guidance, through the
//! one search index (Vietnamese analysis, with or without diacritics). Its own documents rank
//! above external and legal texts that merely talk about the same subject.

use std::{collections::HashSet, sync::Arc};

use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{self, Access},
    evidence,
    scoped_search::evidence_matches,
    sets::Criterion,
};
use crate::{
    domain::{
        Actor, DomainResult,
        documents::{DocumentKind, VersionStatus},
        search::{self as domain_search, SearchHit},
    },
    names::Named,
    search::{SearchFilters, SearchIndex},
};

/// Most suggestions per request.
pub const MAX_SUGGESTIONS: usize = 50;
/// Most words of a criterion put in the query.
const MAX_WORDS: usize = 48;
/// External and legal texts weigh this much of the agency's own.
const EXTERNAL_WEIGHT: f32 = 0.4;

/// Syllables that carry no subject in criteria texts.
const STOP_WORDS: &[&str] = &[
    "và", "của", "các", "có", "được", "cho", "trong", "theo", "với", "về", "là", "những", "đã",
    "tại", "khi", "từ", "đến", "hoặc", "nếu", "mỗi", "một", "này", "đó", "để", "do", "bởi", "trên",
    "dưới", "thì", "mà", "vào", "ra", "như", "nhưng", "cũng", "không", "chưa", "còn", "đều", "bao",
    "gồm", "toàn", "bộ", "điểm", "trừ", "đủ", "tối", "đa", "ngày", "số", "năm", "cơ", "quan",
    "thuộc", "liên", "đơn", "vị",
];

/// `?limit=`
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionParams {
    /// How many (default 10, at most 50).
    pub limit: Option<usize>,
}

/// A suggested piece of evidence: link it with `{kind, id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    #[serde(flatten)]
    pub hit: SearchHit,
    /// Already linked to this criterion.
    pub linked: bool,
}

/// `{"items": [...]}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestions {
    pub criterion_code: String,
    /// The query the criterion was turned into.
    pub query: String,
    pub items: Vec<Suggestion>,
}

/// The query a criterion is searched with: its evidence hints weigh most, then its title,
/// then its guidance; each word once, function words left out.
pub fn query_of(criterion: &Criterion) -> String {
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    let mut add = |text: &str, boost: &str| {
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|word| word.chars().count() > 1)
            .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        {
            if STOP_WORDS.contains(&word.as_str()) || !seen.insert(word.clone()) {
                continue;
            }
            if words.len() < MAX_WORDS {
                words.push(format!("{word}{boost}"));
            }
        }
    };
    for hint in &criterion.evidence {
        add(hint, "^2");
    }
    add(&criterion.title, "");
    if let Some(guidance) = &criterion.guidance {
        add(guidance, "^0.5");
    }
    words.join(" OR ")
}

/// What the agency has that matches a criterion, best first.
pub async fn suggest(
    db: &impl ConnectionTrait,
    index: &Arc<SearchIndex>,
    actor: &Actor,
    assessment_id: Uuid,
    code: &str,
    params: &SuggestionParams,
) -> DomainResult<Suggestions> {
    let context = access::context(db, actor, assessment_id, Access::Read).await?;
    let criterion = context.leaf(code)?.clone();
    let limit = params.limit.unwrap_or(10).clamp(1, MAX_SUGGESTIONS);
    let query = query_of(&criterion);
    if query.is_empty() {
        return Ok(Suggestions {
            criterion_code: criterion.code,
            query,
            items: Vec::new(),
        });
    }
    let filters = SearchFilters {
        readable: Some(vec![context.row.agency_id.to_string()]),
        drafts_visible: Some(Vec::new()),
        viewer: None,
        agencies: None,
        subtype: None,
        status: None,
        exclude_statuses: vec![
            VersionStatus::Superseded.as_str().to_owned(),
            VersionStatus::Obsolete.as_str().to_owned(),
        ],
        preferred_status: Some(VersionStatus::Effective.as_str().to_owned()),
        year: None,
        as_of: None,
        // Room to move the agency's own texts above external ones.
        limit: limit * 3,
        offset: 0,
        skip_facets: true,
    };
    let outcome = domain_search::run(index, query.clone(), filters).await?;
    let links = evidence::links_of(db, context.row.id).await?;
    let secondary = [
        DocumentKind::External.as_str(),
        DocumentKind::Legal.as_str(),
    ];
    let mut items: Vec<Suggestion> = outcome
        .hits
        .into_iter()
        .map(SearchHit::from)
        .map(|mut hit| {
            if hit
                .doc_kind
                .as_deref()
                .is_some_and(|kind| secondary.contains(&kind))
            {
                hit.score *= EXTERNAL_WEIGHT;
            }
            let linked = links
                .iter()
                .filter(|link| link.criterion_code == criterion.code)
                .any(|link| evidence_matches(link, &hit));
            Suggestion { hit, linked }
        })
        .collect();
    items.sort_by(|a, b| b.hit.score.total_cmp(&a.hit.score));
    items.truncate(limit);
    Ok(Suggestions {
        criterion_code: criterion.code,
        query,
        items,
    })
}
