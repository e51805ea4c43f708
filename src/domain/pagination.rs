//! Page requests and pages, the same for every list.

use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, QueryTrait, Select, sea_query::Expr};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DomainError, DomainResult};

use crate::i18n::Message;

/// Default and largest page sizes.
pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 200;

/// `?page=1&per_page=50`; `per_page` above 200 is capped at 200.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page (default 50, at most 200).
    pub per_page: Option<u64>,
}

impl PageRequest {
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn per_page(&self) -> u64 {
        self.per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }

    pub fn offset(&self) -> u64 {
        (self.page() - 1).saturating_mul(self.per_page())
    }
}

/// Lists count the rows they match up to this many; beyond, `total` is this number and
/// `total_exact` is false ("10 000+"). Counting every row of a 100,000-row list took longer than
/// reading the page itself, on every request.
pub const COUNT_LIMIT: u64 = 10_000;

/// `{"items": [...], "total": N, "total_exact": true, "page": P, "per_page": K}`
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items the list holds in all; when `total_exact` is false, at least this many
    /// (counting stops at 10,000).
    pub total: u64,
    pub total_exact: bool,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    /// A page of a list of exactly `total` items.
    pub fn new(items: Vec<T>, total: u64, request: &PageRequest) -> Self {
        Self {
            items,
            total,
            total_exact: true,
            page: request.page(),
            per_page: request.per_page(),
        }
    }

    pub fn map<U>(mut self, f: impl FnMut(T) -> U) -> Page<U> {
        let items = std::mem::take(&mut self.items).into_iter().map(f).collect();
        self.with_items(items)
    }

    /// The same page with other items (the views of its rows).
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            total: self.total,
            total_exact: self.total_exact,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// One page of an ordered query, with the total of every row it matches: two statements, the
/// same for every list.
pub async fn paginate<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: &PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E::Model: Sync,
{
    paginate_counting_to(db, query, request, COUNT_LIMIT).await
}

/// [`paginate`], counting no further than `count_limit`.
pub async fn paginate_counting_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: &PageRequest,
    count_limit: u64,
) -> DomainResult<Page<E::Model>>
where
    E::Model: Sync,
{
    let counted = count_up_to(db, &query, count_limit + 1).await?;
    let items = query
        .offset(request.offset())
        .limit(request.per_page())
        .all(db)
        .await?;
    let mut page = Page::new(items, counted.min(count_limit), request);
    page.total_exact = counted <= count_limit;
    Ok(page)
}

/// How many rows `query` matches, counting no further than `limit`.
async fn count_up_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: &Select<E>,
    limit: u64,
) -> DomainResult<u64> {
    let mut matching = query
        .clone()
        .select_only()
        .expr(Expr::val(1))
        .limit(limit)
        .into_query();
    // The order does not change a count; left in, it makes the database sort every match.
    matching.clear_order_by();
    let counting = sea_orm::sea_query::Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(matching, "counted")
        .to_owned();
    let row = db
        .query_one(&counting)
        .await?
        .ok_or_else(|| DomainError::Internal("a count returned no row".into()))?;
    let count: i64 = row.try_get_by_index(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// A sort asked for as `field` (ascending) or `-field` (descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    pub column: C,
    pub descending: bool,
}

/// Reads `?sort=`, which must name one of the `allowed` fields (`default` when absent); any
/// other field is a 400 that lists the allowed ones.
pub fn parse_sort<C: Copy>(
    asked: Option<&str>,
    default: &str,
    allowed: &[(&str, C)],
) -> DomainResult<Sort<C>> {
    let asked = asked
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .unwrap_or(default);
    let (descending, field) = match asked.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, asked),
    };
    allowed
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, column)| Sort {
            column: *column,
            descending,
        })
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(name, _)| *name).collect();
            DomainError::invalid(
                "sort",
                Message::new("sort_fields").arg("allowed", names.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sort_names_an_allowed_field_with_an_optional_minus() {
        let allowed = [("code", 1), ("title", 2)];
        assert_eq!(
            parse_sort(None, "code", &allowed).unwrap(),
            Sort {
                column: 1,
                descending: false
            }
        );
        assert_eq!(
            parse_sort(Some("-title"), "code", &allowed).unwrap(),
            Sort {
                column: 2,
                descending: true
            }
        );
        let refused = parse_sort(Some("colour"), "code", &allowed).unwrap_err();
        assert!(refused.to_string().contains("code, title"), "{refused}");
    }
}
