//! The passage shown under a hit: the window of the body where the query's words stand
//! together, in the query's order, rather than where common words repeat (an administrative
//! document's letterhead repeats "tỉnh", "sở", "năm" and the year, and says nothing).
//!
//! tantivy's own snippet generator adds a point for every occurrence of every term, so a window
//! full of one frequent word beats the window holding the whole query; this one counts each
//! word once per window, weighs rare words more, and doubles the weight of words that follow
//! each other as they do in the query.

use std::ops::Range;

use tantivy::{Searcher, Term};

use super::{
    SearchError,
    analysis::{Form, Syllables},
};

/// What separates the pages of an item's body.
pub(super) const PAGE_BREAK: char = '\u{000C}';

/// The most characters a passage shows.
const PASSAGE_CHARS: usize = 240;

/// How far before its first match a passage may start, to begin with its sentence.
const LEAD_CHARS: usize = 60;

/// Only the first matches of a very long body are weighed (a passage is found long before).
const MAX_MATCHES: usize = 4_000;

/// Finds passages for the words of one query, as one of the syllable analyses sees them.
pub(super) struct Highlighter {
    form: Form,
    /// Each query word, in byte order: its weight (rarer weighs more) and its place in the
    /// query.
    words: Vec<(String, f32, usize)>,
}

/// A window of a body and the byte ranges of the matches in it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Passage {
    pub range: Range<usize>,
    pub marks: Vec<Range<usize>>,
}

struct Match {
    bytes: Range<usize>,
    position: usize,
    order: usize,
    weight: f32,
}

impl Highlighter {
    /// A highlighter for `terms` (in the order the query has them) of a field analysed in
    /// `form`.
    pub fn new(searcher: &Searcher, terms: &[Term], form: Form) -> Result<Self, SearchError> {
        let mut words: Vec<(String, f32, usize)> = Vec::new();
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            if words.iter().any(|(word, ..)| word == text) {
                continue;
            }
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                let weight = 1.0 / (1.0 + doc_freq as f32);
                words.push((text.to_owned(), weight, words.len()));
            }
        }
        Ok(Self::with_words(form, words))
    }

    fn with_words(form: Form, mut words: Vec<(String, f32, usize)>) -> Self {
        words.sort_by(|a, b| a.0.cmp(&b.0));
        Self { form, words }
    }

    /// A query word's weight and place in the query.
    fn word(&self, spelled: &str) -> Option<(f32, usize)> {
        self.words
            .binary_search_by(|(word, ..)| word.as_str().cmp(spelled))
            .ok()
            .map(|at| (self.words[at].1, self.words[at].2))
    }

    /// The best passage of `body`, or `None` when none of the words is in it.
    pub fn passage(&self, body: &str) -> Option<Passage> {
        if self.words.is_empty() {
            return None;
        }
        let matches = self.matches(body);
        let (first, last) = best_window(&matches)?;
        let range = surround(body, matches[first].bytes.start, matches[last].bytes.end);
        let marks = matches
            .iter()
            .filter(|found| found.bytes.start >= range.start && found.bytes.end <= range.end)
            .map(|found| found.bytes.clone())
            .collect();
        Some(Passage { range, marks })
    }

    fn matches(&self, body: &str) -> Vec<Match> {
        let mut syllables = Syllables::new(body, self.form);
        let mut matches = Vec::new();
        while let Some((bytes, position, spelled)) = syllables.next_syllable() {
            if let Some((weight, order)) = self.word(spelled) {
                matches.push(Match {
                    bytes,
                    position,
                    order,
                    weight,
                });
                if matches.len() == MAX_MATCHES {
                    break;
                }
            }
        }
        matches
    }
}

/// The matches `first..=last` of the best window: each distinct word counts once, words that
/// follow each other as in the query count twice; of equal windows the tightest wins, then the
/// earliest.
fn best_window(matches: &[Match]) -> Option<(usize, usize)> {
    let mut best: Option<(f32, usize, usize)> = None;
    let mut seen: Vec<usize> = Vec::new();
    for first in 0..matches.len() {
        seen.clear();
        let mut score = 0.0;
        let mut last = first;
        for next in first..matches.len() {
            let found = &matches[next];
            if body_chars(matches, first, next) > PASSAGE_CHARS {
                break;
            }
            if !seen.contains(&found.order) {
                seen.push(found.order);
                score += found.weight;
            }
            if next > first {
                let before = &matches[next - 1];
                if found.position == before.position + 1 && found.order == before.order + 1 {
                    score += found.weight + before.weight;
                }
            }
            last = next;
        }
        // Of equal windows, the tightest (the words closest together), then the earliest.
        let span = body_chars(matches, first, last);
        let better = match best {
            None => true,
            Some((top, top_first, top_last)) => {
                score > top || (score == top && span < body_chars(matches, top_first, top_last))
            }
        };
        if better {
            best = Some((score, first, last));
        }
    }
    best.map(|(_, first, last)| (first, last))
}

/// Bytes from the start of match `first` to the end of match `next`: close enough to characters
/// for a window's size (Vietnamese letters are two or three bytes, so windows err short).
fn body_chars(matches: &[Match], first: usize, next: usize) -> usize {
    matches[next]
        .bytes
        .end
        .saturating_sub(matches[first].bytes.start)
}

/// A passage around `start..end`: from the beginning of its sentence or line when that is near,
/// otherwise from a word boundary a little before; up to [`PASSAGE_CHARS`] characters, ending
/// at a word boundary. A passage stays on the page of its matches.
fn surround(body: &str, start: usize, end: usize) -> Range<usize> {
    let lead_from = body[..start]
        .char_indices()
        .rev()
        .nth(LEAD_CHARS)
        .map_or(0, |(at, _)| at);
    let lead = &body[lead_from..start];
    let begin = match lead.rfind(['\n', PAGE_BREAK, '.', ';', ':']) {
        Some(at) => {
            let after = lead_from + at + lead[at..].chars().next().map_or(1, char::len_utf8);
            after + body[after..start].len() - body[after..start].trim_start().len()
        }
        None => match lead.find(char::is_whitespace) {
            Some(at) if lead_from > 0 => lead_from + at + 1,
            _ => lead_from,
        },
    };
    let page_end = body[end..]
        .find(PAGE_BREAK)
        .map_or(body.len(), |at| end + at);
    let limit = body[begin..]
        .char_indices()
        .nth(PASSAGE_CHARS)
        .map_or(body.len(), |(at, _)| begin + at)
        .max(end)
        .min(page_end);
    let finish = if limit == page_end {
        page_end
    } else {
        body[end..limit]
            .rfind(char::is_whitespace)
            .map_or(limit, |at| end + at)
    };
    begin..finish
}

impl Passage {
    /// The passage as HTML: escaped text, `<mark>` around matches, page breaks as spaces.
    pub fn to_html(&self, body: &str) -> String {
        let mut html = String::with_capacity(self.range.len() + self.marks.len() * 13);
        let mut at = self.range.start;
        for mark in &self.marks {
            escape_into(&mut html, &body[at..mark.start]);
            html.push_str("<mark>");
            escape_into(&mut html, &body[mark.clone()]);
            html.push_str("</mark>");
            at = mark.end;
        }
        escape_into(&mut html, &body[at..self.range.end]);
        html
    }

    /// The page (from 1) of the first match.
    pub fn page(&self, body: &str) -> u32 {
        let first = self
            .marks
            .first()
            .map_or(self.range.start, |mark| mark.start);
        let breaks = body[..first].matches(PAGE_BREAK).count();
        u32::try_from(breaks + 1).unwrap_or(u32::MAX)
    }
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            PAGE_BREAK | '\n' | '\r' => html.push(' '),
            other => html.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(words: &[(&str, f32)]) -> Highlighter {
        let words = words
            .iter()
            .enumerate()
            .map(|(order, (word, weight))| ((*word).to_owned(), *weight, order))
            .collect();
        Highlighter::with_words(Form::Exact, words)
    }

    const REPORT: &str = "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\n\
        Số: 45/BC-SKHCN    Điện Biên, ngày 12 tháng 3 năm 2026\n\
        BÁO CÁO\nKết quả đánh giá chất lượng nội bộ năm 2026\n\
        Thực hiện kế hoạch năm 2026, Sở đã đánh giá các phòng. \
        Phó Chánh Văn phòng phụ trách tổng hợp chủ trì cuộc đánh giá tại phòng Quản lý chuyên ngành.";

    #[test]
    fn the_passage_is_where_the_words_stand_together_not_the_letterhead() {
        // "năm" and "2026" fill the letterhead; the query's words stand together further on.
        let words = [
            ("phó", 0.2),
            ("chánh", 0.3),
            ("văn", 0.05),
            ("phòng", 0.02),
            ("năm", 0.01),
            ("2026", 0.02),
        ];
        let passage = highlighter(&words).passage(REPORT).unwrap();
        let html = passage.to_html(REPORT);
        assert!(
            html.contains(
                "<mark>Phó</mark> <mark>Chánh</mark> <mark>Văn</mark> <mark>phòng</mark>"
            ),
            "{html}"
        );
        assert!(!html.contains("ỦY BAN"), "{html}");
    }

    #[test]
    fn the_passage_opens_on_the_words_together_not_on_an_earlier_lone_one() {
        let body = "Trường hợp quá hạn, bộ phận chuyên môn gửi văn bản xin lỗi tổ chức. \
                    Biểu mẫu được cập nhật khi có thay đổi của văn bản quy phạm.\n\
                    Giao đồng chí văn thư xã Mường Toong chủ trì, báo cáo kết quả.";
        let words = [
            ("văn", 0.01),
            ("thư", 0.05),
            ("xã", 0.02),
            ("mường", 0.1),
            ("toong", 0.2),
        ];
        let html = highlighter(&words).passage(body).unwrap().to_html(body);
        assert!(
            html.starts_with(
                "Giao đồng chí <mark>văn</mark> <mark>thư</mark> <mark>xã</mark> \
                 <mark>Mường</mark> <mark>Toong</mark>"
            ),
            "{html}"
        );
    }

    #[test]
    fn a_passage_starts_at_its_sentence_and_escapes_html() {
        let body = "Mục 1. Điều kiện <b> & yêu cầu: công chức phải nộp hồ sơ đầy đủ.";
        let passage = highlighter(&[("hồ", 0.5), ("sơ", 0.5)])
            .passage(body)
            .unwrap();
        let html = passage.to_html(body);
        assert_eq!(
            html,
            "công chức phải nộp <mark>hồ</mark> <mark>sơ</mark> đầy đủ."
        );
        let whole = highlighter(&[("điều", 0.5)]).passage(body).unwrap();
        assert!(
            whole.to_html(body).contains("&lt;b&gt; &amp;"),
            "{}",
            whole.to_html(body)
        );
    }

    #[test]
    fn the_page_is_that_of_the_first_match() {
        let body = "trang một\u{000C}trang hai có kế hoạch\u{000C}trang ba";
        let passage = highlighter(&[("kế", 0.5), ("hoạch", 0.5)])
            .passage(body)
            .unwrap();
        assert_eq!(passage.page(body), 2);
        assert_eq!(
            passage.to_html(body),
            "trang hai có <mark>kế</mark> <mark>hoạch</mark>"
        );
    }

    #[test]
    fn no_word_of_the_query_in_the_body_gives_no_passage() {
        assert_eq!(highlighter(&[("khác", 0.5)]).passage(REPORT), None);
    }
}
