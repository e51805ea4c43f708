//! Which segments of the index are merged. tantivy searches a segment on one thread, so an
//! index merged into one large segment (what tantivy's log merge policy ends with) keeps a search
//! on one core however many are idle. hoso keeps a large index in a few segments of similar size
//! instead — a share of the index each — so a search spreads over the cores ([`SearchIndex`]'s
//! `search_threads`), while small segments are still merged in batches as they come and segments
//! with many replaced entries are rewritten without them.
//!
//! [`SearchIndex`]: super::SearchIndex

use std::collections::{HashMap, HashSet};

use tantivy::{
    index::{SegmentId, SegmentMeta},
    merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy},
};

/// Merges segments towards `parts` shares of the index of similar size.
#[derive(Debug, Clone)]
pub(super) struct SharesMergePolicy {
    /// How many shares the index is kept in (segments are between one share and half of one).
    parts: u32,
    /// The smallest share: an index of fewer entries is one share, kept in as few segments as
    /// it can be (splitting a small index gains nothing).
    min_share: u32,
    /// A segment with this share of its entries deleted is rewritten.
    deleted_ratio: f32,
    /// Merges small segments in batches of similar size (each entry is rewritten a few times).
    small: LogMergePolicy,
}

impl SharesMergePolicy {
    pub(super) fn new(parts: usize, deleted_ratio: f32) -> Self {
        Self::with_min_share(parts, deleted_ratio, 10_000)
    }

    fn with_min_share(parts: usize, deleted_ratio: f32, min_share: u32) -> Self {
        let mut small = LogMergePolicy::default();
        small.set_del_docs_ratio_before_merge(deleted_ratio);
        small.set_min_layer_size(min_share / 16);
        Self {
            parts: u32::try_from(parts.max(1)).unwrap_or(u32::MAX),
            min_share,
            deleted_ratio,
            small,
        }
    }

    fn too_deleted(&self, segment: &SegmentMeta) -> bool {
        segment.max_doc() > 0
            && segment.num_deleted_docs() as f32 / segment.max_doc() as f32 > self.deleted_ratio
    }
}

impl MergePolicy for SharesMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let total: u64 = segments.iter().map(|s| u64::from(s.num_docs())).sum();
        let share = total
            .div_ceil(u64::from(self.parts))
            .max(u64::from(self.min_share));
        let sizes: HashMap<SegmentId, u64> = segments
            .iter()
            .map(|segment| (segment.id(), u64::from(segment.num_docs())))
            .collect();
        let size = |id: SegmentId| sizes.get(&id).copied().unwrap_or(0);
        let deleted: HashSet<SegmentId> = segments
            .iter()
            .filter(|segment| self.too_deleted(segment))
            .map(SegmentMeta::id)
            .collect();
        // A segment of half a share or more is done growing; it is only rewritten to drop
        // deleted entries.
        let (done, open): (Vec<&SegmentMeta>, Vec<&SegmentMeta>) = segments
            .iter()
            .partition(|segment| size(segment.id()) * 2 >= share);
        let mut candidates: Vec<MergeCandidate> = done
            .iter()
            .filter(|segment| deleted.contains(&segment.id()))
            .map(|segment| MergeCandidate(vec![segment.id()]))
            .collect();
        let open: Vec<SegmentMeta> = open.into_iter().cloned().collect();
        let mut merging = HashSet::new();
        // Batches of similar small segments, cut so no merge outgrows a share.
        for batch in self.small.compute_merge_candidates(&open) {
            let mut ids = batch.0;
            ids.sort_by_key(|&id| std::cmp::Reverse(size(id)));
            for chunk in fill(ids, share, size) {
                if chunk.len() > 1 || chunk.iter().any(|id| deleted.contains(id)) {
                    merging.extend(chunk.iter().copied());
                    candidates.push(MergeCandidate(chunk));
                }
            }
        }
        // The largest segments left that together make half a share become one.
        let mut left: Vec<SegmentId> = open
            .iter()
            .map(SegmentMeta::id)
            .filter(|id| !merging.contains(id))
            .collect();
        left.sort_by_key(|&id| std::cmp::Reverse(size(id)));
        for chunk in fill(left, share, size) {
            let docs: u64 = chunk.iter().map(|&id| size(id)).sum();
            if chunk.len() > 1 && docs * 2 >= share {
                candidates.push(MergeCandidate(chunk));
            }
        }
        candidates
    }
}

/// Cuts `ids` (largest first) into runs whose sizes add up to at most `share` each.
fn fill<Id: Copy>(ids: Vec<Id>, share: u64, size: impl Fn(Id) -> u64) -> Vec<Vec<Id>> {
    let mut chunks: Vec<Vec<Id>> = Vec::new();
    let mut current: Vec<Id> = Vec::new();
    let mut docs = 0;
    for id in ids {
        if !current.is_empty() && docs + size(id) > share {
            chunks.push(std::mem::take(&mut current));
            docs = 0;
        }
        docs += size(id);
        current.push(id);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use tantivy::{
        Index, IndexWriter, Searcher, TantivyDocument, Term,
        schema::{INDEXED, STRING, Schema},
    };

    use super::*;

    /// The index once the writer's merges have finished.
    fn settled(writer: IndexWriter, index: &Index) -> Searcher {
        writer.wait_merging_threads().unwrap();
        let reader = index.reader().unwrap();
        reader.reload().unwrap();
        reader.searcher()
    }

    /// Live entries of each segment.
    fn sizes(searcher: &Searcher) -> Vec<u32> {
        searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.num_docs())
            .collect()
    }

    /// An index filled the way hoso fills one — commits of a few hundred entries, most of them
    /// later replaced — ends in a few segments of similar size, none with many deleted entries.
    #[test]
    fn a_large_index_is_kept_in_shares_of_similar_size() {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(2, 30_000_000).unwrap();
        writer.set_merge_policy(Box::new(SharesMergePolicy::with_min_share(4, 0.25, 500)));
        // Indexes entry `at`, replacing the one it had.
        let put = |writer: &mut IndexWriter, at: u64| {
            writer.delete_term(Term::from_field_text(id, &at.to_string()));
            let mut doc = TantivyDocument::new();
            doc.add_text(id, at.to_string());
            writer.add_document(doc).unwrap();
        };
        let documents = 12_000u64;
        for step in 0..documents / 200 {
            for at in step * 200..(step + 1) * 200 {
                put(&mut writer, at);
                // Half of the entries are replaced once, as a document's next step re-indexes it.
                if at % 2 == 0 && at >= 100 {
                    put(&mut writer, at - 100);
                }
            }
            writer.commit().unwrap();
        }
        let searcher = settled(writer, &index);
        assert_eq!(searcher.num_docs(), documents);
        let sizes = sizes(&searcher);
        // Shares are 3,000 entries here; a segment of half a share or more is done growing.
        let shares: Vec<u32> = sizes
            .iter()
            .copied()
            .filter(|&size| size >= 1_500)
            .collect();
        let in_shares: u64 = shares.iter().map(|&size| u64::from(size)).sum();
        let largest = u64::from(sizes.iter().max().copied().unwrap_or(0));
        assert!(
            (3..=8).contains(&shares.len())
                && in_shares * 100 >= documents * 85
                && largest * 100 <= documents * 30,
            "segments {sizes:?}: expected most entries in 3 to 8 shares, none above 30 %"
        );
        let deleted: u32 = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.num_deleted_docs())
            .sum();
        assert!(
            u64::from(deleted) * 4 <= documents,
            "{deleted} deleted entries left in {sizes:?}"
        );
    }

    /// A small index keeps most of its entries in one segment: splitting it gains nothing.
    #[test]
    fn a_small_index_is_not_split() {
        let mut schema = Schema::builder();
        let n = schema.add_u64_field("n", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(SharesMergePolicy::with_min_share(4, 0.25, 5_000)));
        for step in 0..40u64 {
            for at in 0..100 {
                let mut doc = TantivyDocument::new();
                doc.add_u64(n, step * 100 + at);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let sizes = sizes(&settled(writer, &index));
        let largest = sizes.iter().max().copied().unwrap_or(0);
        assert!(largest * 2 >= 4_000, "segments {sizes:?}");
    }
}
