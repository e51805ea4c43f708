//! Facet counts (agency, kind, status, year) over every hit of a search, read from the fast
//! fields: per hit, one array increment per facet. tantivy's general aggregation collector did
//! the same through per-hit buffers and dynamic dispatch, and was the largest cost of a search
//! that matches most of the index.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::{
    DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
};
use utoipa::ToSchema;

/// A facet value and how many hits have it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts by agency, kind, status and year over all hits (not just the page), most frequent
/// first.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Facets {
    pub agency: Vec<FacetCount>,
    pub kind: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
}

/// How many values of each facet a response lists at most.
const MAX_AGENCIES: usize = 500;
const MAX_KINDS: usize = 50;
const MAX_STATUSES: usize = 20;
const MAX_YEARS: usize = 100;

/// Collects [`Facets`] for the hits of a search.
pub(super) struct FacetCollector;

/// Counts per term ordinal of one text fast field in one segment.
struct TermTally {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl TermTally {
    fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        let column = segment.fast_fields().str(field)?;
        let terms = column.as_ref().map_or(0, |column| column.num_terms());
        Ok(Self {
            column,
            counts: vec![0; terms],
        })
    }

    #[inline]
    fn add(&mut self, doc: DocId) {
        if let Some(column) = &self.column
            && let Some(ord) = column.ords().first(doc)
        {
            self.counts[ord as usize] += 1;
        }
    }

    fn harvest(self) -> tantivy::Result<HashMap<String, u64>> {
        let mut counts = HashMap::new();
        let Some(column) = self.column else {
            return Ok(counts);
        };
        for (ord, count) in self.counts.into_iter().enumerate() {
            if count > 0 {
                let mut value = String::new();
                column.ord_to_str(ord as u64, &mut value)?;
                counts.insert(value, count);
            }
        }
        Ok(counts)
    }
}

/// Counts per year in one segment: an array from the segment's first year to its last (years
/// of documents span decades, not millennia; a wider span falls back to a map).
struct YearTally {
    column: Option<Column<u64>>,
    first: u64,
    dense: Vec<u64>,
    sparse: HashMap<u64, u64>,
}

/// The widest span of years counted in an array.
const DENSE_YEARS: u64 = 4096;

impl YearTally {
    fn open(segment: &SegmentReader) -> tantivy::Result<Self> {
        let column = segment.fast_fields().column_opt::<u64>("year")?;
        let (first, span) = match &column {
            Some(column) => (
                column.min_value(),
                column.max_value().saturating_sub(column.min_value()) + 1,
            ),
            None => (0, 0),
        };
        let dense = match span <= DENSE_YEARS {
            true => vec![0; span as usize],
            false => Vec::new(),
        };
        Ok(Self {
            column,
            first,
            dense,
            sparse: HashMap::new(),
        })
    }

    #[inline]
    fn add(&mut self, doc: DocId) {
        if let Some(column) = &self.column
            && let Some(year) = column.first(doc)
        {
            match self.dense.get_mut((year - self.first) as usize) {
                Some(count) => *count += 1,
                None => *self.sparse.entry(year).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> HashMap<u64, u64> {
        let mut counts = self.sparse;
        for (at, count) in self.dense.into_iter().enumerate() {
            if count > 0 {
                counts.insert(self.first + at as u64, count);
            }
        }
        counts
    }
}

pub(super) struct SegmentFacets {
    agency: TermTally,
    kind: TermTally,
    status: TermTally,
    year: YearTally,
}

/// One segment's counts, by value.
pub(super) struct SegmentCounts {
    agency: HashMap<String, u64>,
    kind: HashMap<String, u64>,
    status: HashMap<String, u64>,
    year: HashMap<u64, u64>,
}

impl SegmentCollector for SegmentFacets {
    type Fruit = tantivy::Result<SegmentCounts>;

    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        self.agency.add(doc);
        self.kind.add(doc);
        self.status.add(doc);
        self.year.add(doc);
    }

    fn harvest(self) -> Self::Fruit {
        Ok(SegmentCounts {
            agency: self.agency.harvest()?,
            kind: self.kind.harvest()?,
            status: self.status.harvest()?,
            year: self.year.harvest(),
        })
    }
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        Ok(SegmentFacets {
            agency: TermTally::open(reader, "agency_id")?,
            kind: TermTally::open(reader, "doc_kind")?,
            status: TermTally::open(reader, "status")?,
            year: YearTally::open(reader)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<tantivy::Result<SegmentCounts>>,
    ) -> tantivy::Result<Facets> {
        let mut agency = HashMap::new();
        let mut kind = HashMap::new();
        let mut status = HashMap::new();
        let mut year = HashMap::new();
        for segment in segments {
            let segment = segment?;
            merge(&mut agency, segment.agency);
            merge(&mut kind, segment.kind);
            merge(&mut status, segment.status);
            merge(&mut year, segment.year);
        }
        Ok(Facets {
            agency: ranked(agency, MAX_AGENCIES),
            kind: ranked(kind, MAX_KINDS),
            status: ranked(status, MAX_STATUSES),
            year: ranked(year, MAX_YEARS),
        })
    }
}

fn merge<K: std::hash::Hash + Eq>(into: &mut HashMap<K, u64>, from: HashMap<K, u64>) {
    for (value, count) in from {
        *into.entry(value).or_default() += count;
    }
}

/// The `limit` most frequent values, most frequent first, ties in order of value.
fn ranked<K: Ord + ToString>(counts: HashMap<K, u64>, limit: usize) -> Vec<FacetCount> {
    let mut counts: Vec<(K, u64)> = counts.into_iter().collect();
    counts.sort_by(|(a, a_count), (b, b_count)| b_count.cmp(a_count).then_with(|| a.cmp(b)));
    counts
        .into_iter()
        .take(limit)
        .map(|(value, count)| FacetCount {
            value: value.to_string(),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, TantivyDocument,
        query::AllQuery,
        schema::{FAST, STRING, Schema},
    };

    use super::*;

    fn counts(facet: &[FacetCount]) -> Vec<(&str, u64)> {
        facet.iter().map(|f| (f.value.as_str(), f.count)).collect()
    }

    #[test]
    fn counts_every_value_over_segments_most_frequent_first_ties_by_value() {
        let mut schema = Schema::builder();
        let agency = schema.add_text_field("agency_id", STRING | FAST);
        let kind = schema.add_text_field("doc_kind", STRING | FAST);
        let status = schema.add_text_field("status", STRING | FAST);
        let year = schema.add_u64_field("year", FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Two segments; years far apart (counted in a map) and an item without a year.
        for batch in [
            &[
                ("a", "form", 1990),
                ("b", "form", 1990),
                ("b", "procedure", 0),
            ][..],
            &[("c", "procedure", 9000), ("b", "manual", 1990)][..],
        ] {
            for &(agency_id, doc_kind, y) in batch {
                let mut doc = TantivyDocument::new();
                doc.add_text(agency, agency_id);
                doc.add_text(kind, doc_kind);
                doc.add_text(status, "effective");
                if y > 0 {
                    doc.add_u64(year, y);
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let facets = searcher.search(&AllQuery, &FacetCollector).unwrap();
        assert_eq!(counts(&facets.agency), [("b", 3), ("a", 1), ("c", 1)]);
        assert_eq!(
            counts(&facets.kind),
            [("form", 2), ("procedure", 2), ("manual", 1)]
        );
        assert_eq!(counts(&facets.status), [("effective", 5)]);
        assert_eq!(counts(&facets.year), [("1990", 3), ("9000", 1)]);
    }
}
