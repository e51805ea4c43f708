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
    query::{
        AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
        TermSetQuery,
    },
    query_grammar::{UserInputAst, UserInputLeaf, parse_query_lenient},
    schema::{Field, IndexRecordOption, Value},
};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

use super::{
    Fields, SearchError, SearchIndex,
    analysis::{Form, exact_tokens, folded_tokens, identifier_form, pair},
    ranking::{self, Bonus, Ranking},
    snippets::Highlighter,
};

/// What the caller may see and what they asked to narrow to. Agency lists are ids.
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    /// Agencies whose items the caller may read; `None` means all.
    pub readable: Option<Vec<String>>,
    /// Agencies where the caller also sees drafts; `None` means all.
    pub drafts_visible: Option<Vec<String>>,
    /// The caller's id: items naming them among their `people` are visible before they are
    /// public.
    pub viewer: Option<String>,
    /// The agency filter asked for (an agency and its subtree).
    pub agencies: Option<Vec<String>>,
    pub subtype: Option<String>,
    pub status: Option<String>,
    /// Statuses left out (the domain leaves out history unless it is asked for).
    pub exclude_statuses: Vec<String>,
    /// Items of this status rank a little higher than otherwise equal ones.
    pub preferred_status: Option<String>,
    pub year: Option<u64>,
    /// Only versions in force on this day (days since 1970-01-01).
    pub as_of: Option<i64>,
    pub limit: usize,
    pub offset: usize,
    /// Leave the facets out (they are counted over every match: work a caller that shows none,
    /// such as evidence suggestions, need not pay for).
    pub skip_facets: bool,
}

/// One hit: an item of some kind, as the index holds it (the domain gives it its meaning).
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The kind of item (each kind registers its indexer in the domain).
    pub kind: String,
    /// The item's id.
    pub id: String,
    /// The unit the item is replaced with (a document, for its versions).
    pub group: String,
    pub agency_id: String,
    pub code: String,
    pub title: String,
    /// What sort of item of its kind (a document's kind: procedure, form…).
    pub subtype: String,
    pub status: String,
    /// The name of the item's file, if it has one.
    pub filename: String,
    /// HTML-escaped text with `<mark>` around matches (diacritic-folded matches included).
    pub snippet: String,
    /// The page (from 1) the snippet comes from, when the text has pages and a match.
    pub page: Option<u32>,
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
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub facets: Facets,
}

fn terms(field: Field, values: &[String]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        values
            .iter()
            .map(|value| Term::from_field_text(field, value)),
    ))
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// A term scored by its frequency in the item (BM25), weighted by `boost`.
fn scored(field: Field, value: &str, boost: Score) -> Box<dyn Query> {
    let query = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(query), boost))
}

/// `words` next to each other in `field` (at most `slop` positions apart), weighted by `boost`.
fn phrase(field: Field, words: &[String], slop: u32, boost: Score) -> Box<dyn Query> {
    ranking::phrase(
        &field_terms(field, words),
        slop,
        boost,
        IndexRecordOption::WithFreqs,
    )
}

/// The terms of `words` in `field`.
fn field_terms(field: Field, words: &[String]) -> Vec<Term> {
    words
        .iter()
        .map(|word| Term::from_field_text(field, word))
        .collect()
}

fn any(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    combined(Occur::Should, queries)
}

/// All of `queries`; `None` when there are none.
fn all(queries: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match queries.is_empty() {
        true => None,
        false => Some(combined(Occur::Must, queries)),
    }
}

fn combined(occur: Occur, queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|query| (occur, query)).collect(),
    ))
}

/// The weight of a query's words all standing together in an item, in the order typed: above
/// the title bonuses of single words (2 folded + 4 with the same diacritics).
const WORDS_TOGETHER_BOOST: Score = 8.0;

/// Turns the user's query (tantivy's query grammar: words, "phrases", -exclusions, OR) into
/// tantivy queries over hoso's fields. Matching happens in the folded analysis, so typing with
/// or without diacritics finds the same items; the exact forms, titles, tags and words typed
/// together are bonuses: they only add to the score of items that already match (see
/// [`Ranking`]). Collects the words to highlight.
struct Builder<'a> {
    f: &'a Fields,
    bonuses: Vec<Bonus>,
    /// The product of the boosts (`word^2`) around the part being built.
    boost: Score,
    highlight_exact: Vec<Term>,
    highlight_folded: Vec<Term>,
    /// Whether any word was typed with diacritics.
    diacritics: bool,
}

impl Builder<'_> {
    fn ast(&mut self, ast: &UserInputAst, excluded: bool) -> Option<Box<dyn Query>> {
        match ast {
            UserInputAst::Leaf(leaf) => self.leaf(leaf, excluded),
            UserInputAst::Boost(inner, boost) => {
                let boost = boost.into_inner() as Score;
                let around = self.boost;
                self.boost *= boost;
                let query = self.ast(inner, excluded);
                self.boost = around;
                query.map(|query| Box::new(BoostQuery::new(query, boost)) as _)
            }
            UserInputAst::Clause(clauses) => {
                let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (occur, clause) in clauses {
                    let occur = occur.unwrap_or(Occur::Must);
                    let excluded = excluded ^ (occur == Occur::MustNot);
                    if let Some(query) = self.ast(clause, excluded) {
                        parts.push((occur, query));
                    }
                }
                // Words typed next to each other rank higher where they stand together.
                for adjacent in clauses.windows(2) {
                    if let [
                        (first, UserInputAst::Leaf(a)),
                        (second, UserInputAst::Leaf(b)),
                    ] = adjacent
                        && [first, second]
                            .iter()
                            .all(|occur| matches!(occur, None | Some(Occur::Must)))
                        && let (Some(last), Some(next)) = (
                            folded_tokens(&leaf_text(a)).pop(),
                            folded_tokens(&leaf_text(b)).into_iter().next(),
                        )
                    {
                        let together = Term::from_field_text(self.f.pairs, &pair(&last, &next));
                        self.bonuses
                            .push(Bonus::new(vec![together], 0, 1.0).boosted(self.boost));
                    }
                }
                // All of them standing together, in the order typed (a role and a place, a
                // title): that outranks an item that has the same words apart, however often,
                // and one that has some of them in its title.
                let run: Vec<String> = clauses
                    .iter()
                    .map_while(|(occur, clause)| match clause {
                        UserInputAst::Leaf(leaf)
                            if matches!(occur, None | Some(Occur::Must | Occur::Should)) =>
                        {
                            Some(folded_tokens(&leaf_text(leaf)))
                        }
                        _ => None,
                    })
                    .flatten()
                    .collect();
                if clauses.len() > 1 && run.len() >= 3 {
                    let pairs: Vec<Term> = run
                        .windows(2)
                        .map(|w| Term::from_field_text(self.f.pairs, &pair(&w[0], &w[1])))
                        .collect();
                    self.bonuses
                        .push(Bonus::new(pairs, 0, WORDS_TOGETHER_BOOST).boosted(self.boost));
                }
                match parts.len() {
                    0 => None,
                    _ => Some(Box::new(BooleanQuery::new(parts))),
                }
            }
        }
    }

    fn leaf(&mut self, leaf: &UserInputLeaf, excluded: bool) -> Option<Box<dyn Query>> {
        match leaf {
            UserInputLeaf::All => Some(Box::new(AllQuery)),
            UserInputLeaf::Literal(literal) => {
                let phrase = self.literal(&literal.phrase, literal.slop, excluded);
                // `Điều 5:` reads as a field name to the grammar: here it is text, like the rest.
                match &literal.field_name {
                    Some(field) => {
                        let field = self.literal(field, 0, excluded);
                        all([field, phrase].into_iter().flatten().collect())
                    }
                    None => phrase,
                }
            }
            // Ranges, sets and patterns are not offered: their text is searched as words.
            other => self.literal(&leaf_text(other), 0, excluded),
        }
    }

    /// One word, or several that must stand together (a quoted phrase, or a code or legal
    /// number the analysis cuts into parts).
    fn literal(&mut self, text: &str, slop: u32, excluded: bool) -> Option<Box<dyn Query>> {
        let f = self.f;
        let folded = folded_tokens(text);
        let exact = exact_tokens(text);
        let whole = identifier_form(text.trim());
        if folded.is_empty() && whole.is_empty() {
            return None;
        }
        let mut matching: Vec<Box<dyn Query>> = Vec::new();
        if !whole.is_empty() {
            // Typed as a code or legal number: the item with that code, then those citing it.
            matching.push(scored(f.code, &whole, 6.0));
            matching.push(scored(f.identifiers, &whole, 20.0));
        }
        // What only adds to the score of items that match.
        let mut bonus: Vec<Bonus> = Vec::new();
        // Typed with diacritics, the same diacritics rank first; titles outrank bodies.
        let diacritics = exact != folded;
        match folded.as_slice() {
            [] => {}
            [word] => {
                matching.push(scored(f.text_folded, word, 0.5));
                bonus.push(Bonus::new(field_terms(f.title_folded, &folded), 0, 2.0));
                bonus.push(Bonus::new(field_terms(f.tags, &folded), 0, 1.0));
                if diacritics {
                    bonus.push(Bonus::new(field_terms(f.title, &exact), 0, 4.0));
                    bonus.push(Bonus::new(field_terms(f.body, &exact), 0, 1.0));
                }
            }
            words => {
                let pairs: Vec<String> = words.windows(2).map(|w| pair(&w[0], &w[1])).collect();
                if slop == 0 {
                    matching.push(phrase(f.pairs, &pairs, 0, 0.5));
                } else {
                    matching.push(phrase(f.text_folded, words, slop, 0.5));
                }
                bonus.push(Bonus::new(field_terms(f.title_folded, words), slop, 2.0));
                bonus.push(Bonus::new(field_terms(f.tags, words), slop, 1.0));
                if diacritics {
                    bonus.push(Bonus::new(field_terms(f.title, &exact), slop, 4.0));
                    // In an item that has the phrase, its syllables with these diacritics are
                    // almost always that phrase: no positions need checking.
                    for (exact, folded) in exact.iter().zip(words) {
                        if exact != folded {
                            bonus.push(Bonus::new(
                                field_terms(f.body, std::slice::from_ref(exact)),
                                0,
                                1.0,
                            ));
                        }
                    }
                }
            }
        }
        if excluded {
            return Some(any(matching));
        }
        self.diacritics |= diacritics;
        for word in &exact {
            self.highlight_exact
                .push(Term::from_field_text(f.body, word));
        }
        for word in &folded {
            self.highlight_folded
                .push(Term::from_field_text(f.text_folded, word));
        }
        let boost = self.boost;
        self.bonuses
            .extend(bonus.into_iter().map(|bonus| bonus.boosted(boost)));
        Some(any(matching))
    }
}

/// The text of a leaf of the query grammar, to be searched as words.
fn leaf_text(leaf: &UserInputLeaf) -> String {
    match leaf {
        UserInputLeaf::Literal(literal) => match &literal.field_name {
            Some(field) => format!("{field} {}", literal.phrase),
            None => literal.phrase.clone(),
        },
        UserInputLeaf::All => String::new(),
        UserInputLeaf::Range { lower, upper, .. } => {
            format!("{} {}", lower.term_str(), upper.term_str())
        }
        UserInputLeaf::Set { elements, .. } => elements.join(" "),
        UserInputLeaf::Exists { field } => field.clone(),
        UserInputLeaf::Regex { pattern, .. } => pattern.clone(),
    }
}

/// Whether `agencies` holds every agency that has an item in this snapshot of the index, so
/// filtering on them would keep everything (a province-wide appraiser): the filter is then
/// skipped, which saves marking every item of the index in a set on each search.
fn covers_every_agency(
    searcher: &tantivy::Searcher,
    field: Field,
    agencies: &[String],
) -> Result<bool, SearchError> {
    let wanted: std::collections::HashSet<&[u8]> =
        agencies.iter().map(|agency| agency.as_bytes()).collect();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().stream()?;
        while stream.advance() {
            if !wanted.contains(stream.key()) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Snippets of 240 characters at most with `terms` of `field` marked.
impl SearchIndex {
    /// Runs `text` (words, "phrases", -exclusions, OR) with `filters`. Blocking.
    pub fn search(
        &self,
        text: &str,
        filters: &SearchFilters,
    ) -> Result<SearchOutcome, SearchError> {
        let f = &self.fields;
        let text: String = text.nfc().collect();
        // Lenient: unbalanced quotes or a lone "-" are read as text, never an error.
        let (ast, _errors) = parse_query_lenient(&text);
        let mut builder = Builder {
            f,
            bonuses: Vec::new(),
            boost: 1.0,
            highlight_exact: Vec::new(),
            highlight_folded: Vec::new(),
            diacritics: false,
        };
        let user_query = builder
            .ast(&ast, false)
            .unwrap_or_else(|| Box::new(EmptyQuery));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query)];
        // One snapshot of the index for the filters' check and the search itself.
        let searcher = self.reader().searcher();
        if let Some(readable) = &filters.readable
            && !covers_every_agency(&searcher, f.agency_id, readable)?
        {
            clauses.push((Occur::Must, terms(f.agency_id, readable)));
        }
        if let Some(visible) = &filters.drafts_visible {
            let public = Box::new(TermQuery::new(
                Term::from_field_u64(f.public, 1),
                IndexRecordOption::Basic,
            ));
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(
                    [
                        Some((Occur::Should, public as Box<dyn Query>)),
                        Some((Occur::Should, terms(f.agency_id, visible))),
                        filters
                            .viewer
                            .as_ref()
                            .map(|viewer| (Occur::Should, term(f.people, viewer))),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                )),
            ));
        }
        if let Some(agencies) = &filters.agencies
            && !covers_every_agency(&searcher, f.agency_id, agencies)?
        {
            clauses.push((Occur::Must, terms(f.agency_id, agencies)));
        }
        if let Some(kind) = &filters.subtype {
            clauses.push((Occur::Must, term(f.subtype, kind)));
        }
        if let Some(status) = &filters.status {
            clauses.push((Occur::Must, term(f.status, status)));
        }
        for status in &filters.exclude_statuses {
            clauses.push((Occur::MustNot, term(f.status, status)));
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
        // The domain's rule of what ranks first among equals (versions in force).
        if let Some(status) = &filters.preferred_status {
            builder.bonuses.push(Bonus::presence(
                Term::from_field_text(f.status, status),
                0.5,
            ));
        }
        let query = BooleanQuery::new(clauses);

        let aggregations: Aggregations = serde_json::from_value(serde_json::json!({
            "agency": {"terms": {"field": "agency_id", "size": 500}},
            "kind": {"terms": {"field": "subtype", "size": 50}},
            "status": {"terms": {"field": "status", "size": 20}},
            "year": {"terms": {"field": "year", "size": 100}},
        }))
        .map_err(|error| SearchError::Directory(error.to_string()))?;
        let ranking = Ranking::new(
            &searcher,
            &builder.bonuses,
            filters.offset,
            filters.limit,
            (!filters.skip_facets).then(|| {
                AggregationCollector::from_aggs(aggregations, AggContextParams::default())
            }),
        )?;
        let (top, total, aggregated): (
            Vec<(Score, DocAddress)>,
            usize,
            Option<AggregationResults>,
        ) = searcher.search(&query, &ranking)?;
        // Typed without diacritics, exact highlighting cannot add anything: skip its work.
        let exact = match builder.diacritics {
            true => Some(Highlighter::new(
                &searcher,
                &builder.highlight_exact,
                Form::Exact,
            )?),
            false => None,
        };
        // Over the original text with the folding analyzer, so unaccented queries highlight
        // accented words.
        let folded = Highlighter::new(&searcher, &builder.highlight_folded, Form::Folded)?;
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
            // The words as typed win when they are in the body; otherwise their folded forms.
            let passage = exact
                .as_ref()
                .and_then(|exact| exact.passage(&body))
                .or_else(|| folded.passage(&body));
            let id = get(f.id);
            hits.push(SearchHit {
                kind: get(f.kind),
                id,
                group: get(f.group),
                agency_id: get(f.agency_id),
                code: get(f.code),
                title: get(f.title),
                subtype: get(f.subtype),
                status: get(f.status),
                filename: get(f.filename),
                snippet: passage
                    .as_ref()
                    .map(|passage| passage.to_html(&body))
                    .unwrap_or_default(),
                page: passage.as_ref().map(|passage| passage.page(&body)),
                score,
            });
        }
        Ok(SearchOutcome {
            total,
            hits,
            facets: aggregated.as_ref().map(facets).unwrap_or_default(),
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
