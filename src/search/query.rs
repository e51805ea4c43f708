//! Searching: the user's query over both analyses, whole-identifier boosts, permission and
//! other filters inside the query, facets and highlighted snippets.

use std::ops::Bound;

use serde::Serialize;
use tantivy::{
    DocAddress, Score, TantivyDocument, Term,
    aggregation::{
        AggContextParams, AggregationCollector, agg_req::Aggregations,
        agg_result::AggregationResults,
    },
    collector::{Count, TopDocs},
    query::{
        BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, TermQuery, TermSetQuery,
    },
    schema::{IndexRecordOption, Value},
    snippet::SnippetGenerator,
};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

use super::{SearchError, SearchIndex};

/// What the caller may see and what they asked to narrow to. Agency lists are ids.
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    /// Agencies whose items the caller may read; `None` means all.
    pub readable: Option<Vec<String>>,
    /// Agencies where the caller also sees drafts; `None` means all.
    pub drafts_visible: Option<Vec<String>>,
    /// The agency filter asked for (an agency and its subtree).
    pub agencies: Option<Vec<String>>,
    pub doc_kind: Option<String>,
    pub status: Option<String>,
    pub year: Option<u64>,
    /// Only versions in force on this day (days since 1970-01-01).
    pub as_of: Option<i64>,
    pub limit: usize,
    pub offset: usize,
}

/// One hit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// `document_version` today.
    pub kind: String,
    /// The id of the item (the version).
    pub id: String,
    pub document_id: String,
    pub version_id: String,
    pub agency_id: String,
    pub code: String,
    pub title: String,
    pub doc_kind: String,
    pub status: String,
    pub original_filename: String,
    /// HTML-escaped text with `<mark>` around matches (diacritic-folded matches included).
    pub snippet: String,
    pub score: f32,
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts by agency, kind, status and year over all hits (not just the page).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Facets {
    pub agency: Vec<FacetCount>,
    pub kind: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
}

/// The result of a search.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchOutcome {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

fn terms(field: tantivy::schema::Field, values: &[String]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        values
            .iter()
            .map(|value| Term::from_field_text(field, value)),
    ))
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The whole-identifier form of a query: what the `identifier` analyzer makes of it.
fn identifier_form(text: &str) -> String {
    use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer};
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(text);
    let mut out = String::new();
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

impl SearchIndex {
    /// Runs `text` (words, "phrases", -exclusions, OR) with `filters`. Blocking.
    pub fn search(
        &self,
        text: &str,
        filters: &SearchFilters,
    ) -> Result<SearchOutcome, SearchError> {
        let f = &self.fields;
        let text: String = text.nfc().collect();
        let mut parser = QueryParser::for_index(
            self.index(),
            vec![
                f.title,
                f.title_folded,
                f.body,
                f.body_folded,
                f.code,
                f.tags,
                f.filename,
            ],
        );
        parser.set_conjunction_by_default();
        // Exact diacritics outrank folded matches; titles outrank bodies.
        for (field, boost) in [
            (f.title, 4.0),
            (f.title_folded, 2.0),
            (f.body, 1.0),
            (f.body_folded, 0.5),
            (f.code, 6.0),
            (f.tags, 1.0),
            (f.filename, 0.5),
        ] {
            parser.set_field_boost(field, boost);
        }
        // Lenient: unbalanced quotes or a lone "-" are read as text, never an error.
        let (user_query, _errors) = parser.parse_query_lenient(&text);
        // A query that is a code or legal number as typed ranks the items carrying it first.
        let mut matching: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, user_query)];
        let whole = identifier_form(text.trim());
        if !whole.is_empty() {
            matching.push((
                Occur::Should,
                Box::new(BoostQuery::new(term(f.identifiers, &whole), 20.0)),
            ));
        }
        for word in text.split_whitespace() {
            let token = identifier_form(word.trim_matches('"'));
            if token.contains(['-', '/', '.']) {
                matching.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term(f.identifiers, &token), 8.0)),
                ));
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(matching)))];
        if let Some(readable) = &filters.readable {
            clauses.push((Occur::Must, terms(f.agency_id, readable)));
        }
        if let Some(visible) = &filters.drafts_visible {
            let public = Box::new(TermQuery::new(
                Term::from_field_u64(f.public, 1),
                IndexRecordOption::Basic,
            ));
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, public as Box<dyn Query>),
                    (Occur::Should, terms(f.agency_id, visible)),
                ])),
            ));
        }
        if let Some(agencies) = &filters.agencies {
            clauses.push((Occur::Must, terms(f.agency_id, agencies)));
        }
        if let Some(kind) = &filters.doc_kind {
            clauses.push((Occur::Must, term(f.doc_kind, kind)));
        }
        if let Some(status) = &filters.status {
            clauses.push((Occur::Must, term(f.status, status)));
        }
        if let Some(year) = filters.year {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.year, year),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(day) = filters.as_of {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Unbounded,
                    Bound::Included(Term::from_field_i64(f.effective_from, day)),
                )),
            ));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.effective_to, day)),
                    Bound::Unbounded,
                )),
            ));
        }
        // Versions in force rank above drafts and superseded ones.
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(term(f.status, "effective"), 0.5)),
        ));
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader().searcher();
        let aggregations: Aggregations = serde_json::from_value(serde_json::json!({
            "agency": {"terms": {"field": "agency_id", "size": 500}},
            "kind": {"terms": {"field": "doc_kind", "size": 50}},
            "status": {"terms": {"field": "status", "size": 20}},
            "year": {"terms": {"field": "year", "size": 100}},
        }))
        .map_err(|error| SearchError::Directory(error.to_string()))?;
        let collector = AggregationCollector::from_aggs(aggregations, AggContextParams::default());
        let limit = filters.limit.max(1);
        let (top, total, aggregated): (Vec<(Score, DocAddress)>, usize, AggregationResults) =
            searcher.search(
                &query,
                &(
                    TopDocs::with_limit(limit)
                        .and_offset(filters.offset)
                        .order_by_score(),
                    Count,
                    collector,
                ),
            )?;
        let mut exact = SnippetGenerator::create(&searcher, &query, f.body)?;
        exact.set_max_num_chars(240);
        let mut folded = SnippetGenerator::create(&searcher, &query, f.body_folded)?;
        folded.set_max_num_chars(240);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let get = |field| {
                doc.get_first(field)
                    .and_then(|value| value.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let body = get(f.body);
            // The folded generator tokenizes the original text with folding, so unaccented
            // queries highlight accented words; the exact one wins when it finds matches.
            let mut snippet = exact.snippet(&body);
            if snippet.highlighted().is_empty() {
                snippet = folded.snippet(&body);
            }
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            let id = get(f.id);
            hits.push(SearchHit {
                kind: get(f.kind),
                version_id: id.clone(),
                id,
                document_id: get(f.document_id),
                agency_id: get(f.agency_id),
                code: get(f.code),
                title: get(f.title),
                doc_kind: get(f.doc_kind),
                status: get(f.status),
                original_filename: get(f.filename),
                snippet: snippet.to_html(),
                score,
            });
        }
        Ok(SearchOutcome {
            total,
            hits,
            facets: facets(&aggregated),
        })
    }
}

fn facets(results: &AggregationResults) -> Facets {
    let json = serde_json::to_value(results).unwrap_or_default();
    let buckets = |name: &str| -> Vec<FacetCount> {
        json[name]["buckets"]
            .as_array()
            .map(|buckets| {
                buckets
                    .iter()
                    .map(|bucket| FacetCount {
                        value: match &bucket["key"] {
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string().trim_end_matches(".0").to_owned(),
                        },
                        count: bucket["doc_count"].as_u64().unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Facets {
        agency: buckets("agency"),
        kind: buckets("kind"),
        status: buckets("status"),
        year: buckets("year"),
    }
}
