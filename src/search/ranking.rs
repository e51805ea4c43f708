//! Ranking the items a query matches: the query's own score plus bonuses (exact diacritics,
//! title, tags, words together, in force), the best `limit` kept, every match counted and
//! faceted.
//!
//! A bonus only adds to the score of an item that already matches, and its BM25 score has a
//! known ceiling. Bonuses are tried from the highest ceiling down, and once the best `limit`
//! items are known, an item stops being scored as soon as even the ceilings of its remaining
//! bonuses cannot lift it above the last of them. The ranking is the one of scoring every
//! bonus of every item (as nested tantivy queries did); most items of a query matching most
//! of the index are skipped after a bonus or two.

use std::collections::BinaryHeap;

use tantivy::{
    DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TERMINATED, Term,
    collector::{Collector, SegmentCollector},
    query::{Bm25Weight, BoostQuery, EnableScoring, PhraseQuery, Query, Scorer, TermQuery, Weight},
    schema::IndexRecordOption,
};

/// What adds to the score of a matching item that also has `terms` (one, or a phrase).
pub(super) struct Bonus {
    terms: Vec<Term>,
    slop: u32,
    boost: Score,
    /// Whether the term's frequency counts (BM25), or just its presence.
    freqs: bool,
}

impl Bonus {
    /// `terms` next to each other (at most `slop` positions apart), weighted by `boost`.
    pub(super) fn new(terms: Vec<Term>, slop: u32, boost: Score) -> Self {
        Self {
            terms,
            slop,
            boost,
            freqs: true,
        }
    }

    /// A term whose presence counts, not its frequency.
    pub(super) fn presence(term: Term, boost: Score) -> Self {
        Self {
            freqs: false,
            ..Self::new(vec![term], 0, boost)
        }
    }

    pub(super) fn boosted(mut self, by: Score) -> Self {
        self.boost *= by;
        self
    }

    fn query(&self) -> Box<dyn Query> {
        let option = match self.freqs {
            true => IndexRecordOption::WithFreqs,
            false => IndexRecordOption::Basic,
        };
        phrase(&self.terms, self.slop, self.boost, option)
    }
}

/// `terms` next to each other (at most `slop` positions apart; one term: that term), scored
/// by BM25 and weighted by `boost`.
pub(super) fn phrase(
    terms: &[Term],
    slop: u32,
    boost: Score,
    option: IndexRecordOption,
) -> Box<dyn Query> {
    let query: Box<dyn Query> = match terms {
        [term] => Box::new(TermQuery::new(term.clone(), option)),
        terms => Box::new(PhraseQuery::new_with_offset_and_slop(
            terms.iter().cloned().enumerate().collect(),
            slop,
        )),
    };
    Box::new(BoostQuery::new(query, boost))
}

/// A bonus ready for a search: its weight and the most it can add.
struct Prepared {
    weight: Box<dyn Weight>,
    ceiling: Score,
}

/// The best `offset + limit` matches by score, the number of matches, and `facets` collected
/// over all of them.
pub(super) struct Ranking<F> {
    /// Highest ceiling first.
    bonuses: Vec<Prepared>,
    offset: usize,
    limit: usize,
    facets: F,
}

impl<F: Collector> Ranking<F> {
    pub(super) fn new(
        searcher: &tantivy::Searcher,
        bonuses: &[Bonus],
        offset: usize,
        limit: usize,
        facets: F,
    ) -> tantivy::Result<Self> {
        let mut prepared = Vec::with_capacity(bonuses.len());
        // A bonus without terms (nothing to look for) would trip tantivy's assertions.
        for bonus in bonuses.iter().filter(|bonus| !bonus.terms.is_empty()) {
            // BM25's supremum: frequency at its largest, length at its smallest. (tantivy's
            // `max_score()` takes the longest text, a bound only while a text's stored length,
            // which is rounded above 40 words, is never below a term's frequency in it.)
            let ceiling = Bm25Weight::for_terms(searcher, &bonus.terms)?
                .boost_by(bonus.boost)
                .score(0, u32::MAX)
                // A negative boost (`word^-1`) can only take away.
                .max(0.0);
            prepared.push(Prepared {
                weight: bonus
                    .query()
                    .weight(EnableScoring::enabled_from_searcher(searcher))?,
                ceiling,
            });
        }
        prepared.sort_by(|a, b| b.ceiling.total_cmp(&a.ceiling));
        Ok(Self {
            bonuses: prepared,
            offset,
            limit: limit.max(1),
            facets,
        })
    }
}

/// A match in the segment's list of the best: the worst one compares greatest.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    doc: DocId,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Lower scores, then later items, are worse.
        other
            .score
            .total_cmp(&self.score)
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

/// A bonus's scorer in one segment, and the most it can add.
struct Live {
    scorer: Box<dyn Scorer>,
    ceiling: Score,
}

pub(super) struct SegmentRanking<S> {
    segment: SegmentOrdinal,
    /// The bonuses with matches left in this segment, highest ceiling first.
    bonuses: Vec<Live>,
    /// `ceilings[i]`: the most bonuses `i..` can add together.
    ceilings: Vec<Score>,
    keep: usize,
    best: BinaryHeap<Ranked>,
    count: usize,
    facets: S,
}

impl<S> SegmentRanking<S> {
    /// Drops the bonuses with no match left in the segment: what is left can add less.
    fn retire_exhausted(&mut self) {
        self.bonuses
            .retain(|bonus| bonus.scorer.doc() != TERMINATED);
        // Sums of ceilings, a hair high so rounding never skips an item that would rank.
        self.ceilings = vec![0.0; self.bonuses.len() + 1];
        for at in (0..self.bonuses.len()).rev() {
            self.ceilings[at] = self.ceilings[at + 1] + self.bonuses[at].ceiling * 1.001;
        }
    }
}

impl<S: SegmentCollector> SegmentCollector for SegmentRanking<S> {
    type Fruit = (Vec<(Score, DocAddress)>, usize, S::Fruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        self.facets.collect(doc, score);
        // Once the list is full, an item must beat its last one.
        let bar = match self.best.len() == self.keep {
            true => self.best.peek().map(|last| last.score),
            false => None,
        };
        let mut score = score;
        let mut exhausted = false;
        for (at, bonus) in self.bonuses.iter_mut().enumerate() {
            if bar.is_some_and(|bar| score + self.ceilings[at] <= bar) {
                break;
            }
            let scorer = &mut bonus.scorer;
            if scorer.doc() < doc {
                exhausted |= scorer.seek(doc) == TERMINATED;
            }
            if scorer.doc() == doc {
                score += scorer.score();
            }
        }
        if exhausted {
            self.retire_exhausted();
        }
        if bar.is_some_and(|bar| score <= bar) {
            return;
        }
        if self.best.len() == self.keep {
            self.best.pop();
        }
        self.best.push(Ranked { score, doc });
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        let best = self
            .best
            .into_iter()
            .map(|ranked| (ranked.score, DocAddress::new(segment, ranked.doc)))
            .collect();
        (best, self.count, self.facets.harvest())
    }
}

impl<F: Collector> Collector for Ranking<F> {
    type Fruit = (Vec<(Score, DocAddress)>, usize, F::Fruit);
    type Child = SegmentRanking<F::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut bonuses = Vec::with_capacity(self.bonuses.len());
        for bonus in &self.bonuses {
            bonuses.push(Live {
                scorer: bonus.weight.scorer(reader, 1.0)?,
                ceiling: bonus.ceiling,
            });
        }
        let mut ranking = SegmentRanking {
            segment,
            bonuses,
            ceilings: Vec::new(),
            keep: self.offset + self.limit,
            best: BinaryHeap::new(),
            count: 0,
            facets: self.facets.for_segment(segment, reader)?,
        };
        ranking.retire_exhausted();
        Ok(ranking)
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        segments: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut best = Vec::new();
        let mut count = 0;
        let mut facets = Vec::with_capacity(segments.len());
        for (segment_best, segment_count, segment_facets) in segments {
            best.extend(segment_best);
            count += segment_count;
            facets.push(segment_facets);
        }
        // Best first; equal scores in index order.
        best.sort_by(|(a, a_at), (b, b_at)| b.total_cmp(a).then(a_at.cmp(b_at)));
        let page = best
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        Ok((page, count, self.facets.merge_fruits(facets)?))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, TantivyDocument,
        collector::{Count, TopDocs},
        query::{BooleanQuery, Occur},
        schema::{Schema, TEXT},
    };

    use super::*;

    /// The same ranking as scoring every bonus of every match with nested tantivy queries:
    /// pruning never changes the page.
    #[test]
    fn ranks_as_if_every_bonus_were_scored() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let title = schema.add_text_field("title", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["alpha", "beta", "gamma", "delta"];
        for n in 0..600usize {
            let mut doc = TantivyDocument::new();
            let mut text = String::from("common");
            for (at, word) in words.iter().enumerate() {
                for _ in 0..(n / (at + 1)) % 4 {
                    text.push(' ');
                    text.push_str(word);
                }
            }
            if n < 50 {
                // Only in the first segment: its bonus retires from the others at once.
                text.push_str(" epsilon");
            }
            doc.add_text(body, &text);
            if n % 97 == 96 {
                // A word many times in a short title: close to the most BM25 gives.
                doc.add_text(title, "gamma ".repeat(12));
            } else if n % 7 == 0 {
                doc.add_text(title, "alpha beta");
            } else if n % 11 == 0 {
                doc.add_text(title, "gamma");
            }
            writer.add_document(doc).unwrap();
            if n % 200 == 199 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |field, word| Term::from_field_text(field, word);
        let bonuses = vec![
            Bonus::new(vec![term(title, "alpha"), term(title, "beta")], 0, 4.0),
            Bonus::new(vec![term(title, "gamma")], 0, 2.0),
            Bonus::new(vec![term(body, "delta")], 0, 1.0),
            Bonus::new(vec![term(body, "epsilon")], 0, 3.0),
            // `alpha^-0.5`: a bonus that takes away.
            Bonus::new(vec![term(body, "alpha")], 0, -0.5),
            Bonus::new(vec![term(body, "beta"), term(body, "gamma")], 1, 0.5),
        ];
        let base = TermQuery::new(term(body, "common"), IndexRecordOption::WithFreqs);
        let nested: Box<dyn Query> =
            bonuses
                .iter()
                .fold(Box::new(base.clone()) as Box<dyn Query>, |query, bonus| {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, query),
                        (Occur::Should, bonus.query()),
                    ]))
                });
        for (offset, limit) in [(0, 1), (0, 20), (5, 10), (590, 20)] {
            let (expected, total) = searcher
                .search(
                    &*nested,
                    &(
                        TopDocs::with_limit(limit)
                            .and_offset(offset)
                            .order_by_score(),
                        Count,
                    ),
                )
                .unwrap();
            let ranking = Ranking::new(&searcher, &bonuses, offset, limit, Count).unwrap();
            let (page, count, counted) = searcher.search(&base, &ranking).unwrap();
            assert_eq!((count, counted), (total, total));
            // Scores summed in another order may differ in the last bits: compare them rounded.
            let rounded = |page: &[(Score, DocAddress)]| {
                let mut page: Vec<(i64, DocAddress)> = page
                    .iter()
                    .map(|(score, at)| (-(score * 1000.0).round() as i64, *at))
                    .collect();
                page.sort();
                page
            };
            assert_eq!(
                rounded(&page),
                rounded(&expected),
                "offset {offset} limit {limit}"
            );
        }
    }
}
