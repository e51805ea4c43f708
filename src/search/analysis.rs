//! Vietnamese text analysis. Vietnamese writes one syllable per word-like token (`đánh giá` is
//! one word of two syllables), so a phrase of two common syllables would make every search
//! check positions in most documents. Besides the syllables themselves — once with diacritics
//! (`vi`), once folded to ASCII with đ→d (`vi_folded`) — the index therefore holds each pair of
//! adjacent folded syllables as one term (`vi_pairs`: `danh gia`). A two-syllable phrase is then
//! one term, a longer one a phrase of pairs, and words typed next to each other rank documents
//! where they stand together first.

use tantivy::{
    Index,
    tokenizer::{
        AsciiFoldingFilter, LowerCaser, RawTokenizer, SimpleTokenizer, TextAnalyzer,
        TextAnalyzerBuilder, Token, TokenFilter, TokenStream, Tokenizer,
    },
};

/// Lowercase syllables with their diacritics.
pub const EXACT: &str = "vi";
/// Lowercase syllables folded to ASCII (đ→d).
pub const FOLDED: &str = "vi_folded";
/// Pairs of adjacent folded syllables, `"danh gia"`, at the position of the first.
pub const PAIRS: &str = "vi_pairs";
/// The whole value, lowercased and folded: `qt-01`, `19/2014/qd-ttg`.
pub const IDENTIFIER: &str = "identifier";

/// Lowercase syllables: what every syllable analysis starts from.
fn syllables() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser)
}

fn exact() -> TextAnalyzer {
    syllables().build()
}

fn folded() -> TextAnalyzer {
    syllables().filter(AsciiFoldingFilter).build()
}

fn pairs() -> TextAnalyzer {
    syllables().filter(AsciiFoldingFilter).filter(Pairs).build()
}

fn identifier() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers under their names. Text is NFC-normalised before it reaches them.
pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(EXACT, exact());
    tokenizers.register(FOLDED, folded());
    tokenizers.register(PAIRS, pairs());
    tokenizers.register(IDENTIFIER, identifier());
}

fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// The syllables of `text` with their diacritics, as indexed.
pub fn exact_tokens(text: &str) -> Vec<String> {
    tokens(exact(), text)
}

/// The syllables of `text` folded, as indexed.
pub fn folded_tokens(text: &str) -> Vec<String> {
    tokens(folded(), text)
}

/// The whole-identifier form of `text`: what the `identifier` analyzer makes of it.
pub fn identifier_form(text: &str) -> String {
    tokens(identifier(), text).concat()
}

/// The pair term of two adjacent folded syllables.
pub fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Which of the two syllable analyses a [`Syllables`] scan gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// As [`EXACT`]: lowercase, with diacritics.
    Exact,
    /// As [`FOLDED`]: lowercase, folded to ASCII.
    Folded,
}

/// What one character is to the syllable analyses: a separator, or part of a syllable with its
/// lowercase and folded forms.
#[derive(Debug, Clone)]
enum CharForm {
    Separator,
    Letter { exact: Box<str>, folded: Box<str> },
}

/// Characters below this have their forms in [`CHAR_FORMS`] (Latin with every Vietnamese
/// letter, Greek, Cyrillic…); the rare others go through the analyzers one syllable at a time.
const TABLED: u32 = 0x2000;

/// The forms of every character below [`TABLED`], as the analyzers make them: both lowercase
/// and fold one character at a time, so a syllable's form is its characters' forms in a row.
static CHAR_FORMS: std::sync::LazyLock<Vec<CharForm>> = std::sync::LazyLock::new(|| {
    let (mut exact, mut folded) = (exact(), folded());
    (0..TABLED)
        .map(|code| {
            let Some(c) = char::from_u32(code) else {
                return CharForm::Separator;
            };
            let text = c.to_string();
            let one = |analyzer: &mut TextAnalyzer| {
                let mut stream = analyzer.token_stream(&text);
                stream
                    .next()
                    .map(|token| token.text.clone().into_boxed_str())
            };
            match (one(&mut exact), one(&mut folded)) {
                (Some(exact), Some(folded)) => CharForm::Letter { exact, folded },
                _ => CharForm::Separator,
            }
        })
        .collect()
});

/// The syllables of a text with their byte ranges and positions, exactly as the [`EXACT`] and
/// [`FOLDED`] analyzers cut and spell them, but without their per-syllable work: no Unicode
/// table search for each letter and no new string for each syllable. Snippets scan whole
/// bodies for the query's words with it, so a search's time does not go into re-analysing the
/// texts of its hits.
pub struct Syllables<'a> {
    text: &'a str,
    at: usize,
    position: usize,
    form: Form,
    /// The form of the last syllable.
    spelled: String,
}

impl<'a> Syllables<'a> {
    pub fn new(text: &'a str, form: Form) -> Self {
        Self {
            text,
            at: 0,
            position: 0,
            form,
            spelled: String::new(),
        }
    }

    /// The next syllable: its byte range in the text, its position (from 0) and its form.
    pub fn next_syllable(&mut self) -> Option<(std::ops::Range<usize>, usize, &str)> {
        let forms = &*CHAR_FORMS;
        let bytes = self.text.as_bytes();
        self.spelled.clear();
        let mut start = None;
        // A character beyond the table: the syllable is spelled by the analyzer instead.
        let mut untabled = false;
        while self.at < bytes.len() {
            let byte = bytes[self.at];
            let (width, letter) = if byte.is_ascii() {
                let letter = byte.is_ascii_alphanumeric();
                if letter {
                    self.spelled.push(byte.to_ascii_lowercase() as char);
                }
                (1, letter)
            } else {
                let c = self.text[self.at..].chars().next().unwrap_or_default();
                let letter = match forms.get(c as usize) {
                    Some(CharForm::Letter { exact, folded }) => {
                        self.spelled.push_str(match self.form {
                            Form::Exact => exact,
                            Form::Folded => folded,
                        });
                        true
                    }
                    Some(CharForm::Separator) => false,
                    None if c.is_alphanumeric() => {
                        untabled = true;
                        true
                    }
                    None => false,
                };
                (c.len_utf8(), letter)
            };
            match (letter, start) {
                (true, None) => start = Some(self.at),
                (false, Some(_)) => break,
                _ => {}
            }
            self.at += width;
        }
        let start = start?;
        let range = start..self.at;
        if untabled {
            let mut analyzer = match self.form {
                Form::Exact => exact(),
                Form::Folded => folded(),
            };
            let mut stream = analyzer.token_stream(&self.text[range.clone()]);
            self.spelled.clear();
            if let Some(token) = stream.next() {
                self.spelled.push_str(&token.text);
            }
        }
        let position = self.position;
        self.position += 1;
        Some((range, position, &self.spelled))
    }
}

/// Turns a stream of syllables into the pairs of adjacent ones.
#[derive(Clone)]
struct Pairs;

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PairsFilter<T> {
        PairsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct PairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PairsFilter<T> {
    type TokenStream<'a> = PairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairsStream {
            inner: self.inner.token_stream(text),
            previous: None,
            token: Token::default(),
        }
    }
}

struct PairsStream<S> {
    inner: S,
    previous: Option<Token>,
    token: Token,
}

impl<S: TokenStream> TokenStream for PairsStream<S> {
    fn advance(&mut self) -> bool {
        while self.inner.advance() {
            let current = self.inner.token().clone();
            if let Some(previous) = self.previous.replace(current.clone()) {
                self.token = Token {
                    offset_from: previous.offset_from,
                    offset_to: current.offset_to,
                    position: previous.position,
                    text: pair(&previous.text, &current.text),
                    position_length: 1,
                };
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair_tokens(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = pairs();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.text.clone(), token.position));
        }
        out
    }

    #[test]
    fn adjacent_syllables_become_folded_pairs_at_the_first_ones_position() {
        assert_eq!(
            pair_tokens("Đánh giá nội bộ."),
            vec![
                ("danh gia".to_owned(), 0),
                ("gia noi".to_owned(), 1),
                ("noi bo".to_owned(), 2),
            ]
        );
    }

    #[test]
    fn a_single_syllable_or_nothing_gives_no_pair() {
        assert!(pair_tokens("Đánh").is_empty());
        assert!(pair_tokens(" — ").is_empty());
    }

    /// A syllable: its byte range, position and spelling.
    type Cut = (usize, usize, usize, String);

    /// Every syllable of `text` as the analyzer cuts and spells it, and as [`Syllables`] does.
    fn both_ways(text: &str, form: Form) -> (Vec<Cut>, Vec<Cut>) {
        let mut analyzer = match form {
            Form::Exact => exact(),
            Form::Folded => folded(),
        };
        let mut stream = analyzer.token_stream(text);
        let mut expected = Vec::new();
        while let Some(token) = stream.next() {
            expected.push((
                token.offset_from,
                token.offset_to,
                token.position,
                token.text.clone(),
            ));
        }
        let mut scan = Syllables::new(text, form);
        let mut scanned = Vec::new();
        while let Some((range, position, spelled)) = scan.next_syllable() {
            scanned.push((range.start, range.end, position, spelled.to_owned()));
        }
        (expected, scanned)
    }

    #[test]
    fn the_fast_scan_cuts_and_spells_syllables_as_the_analyzers_do() {
        let mut texts: Vec<String> = vec![
            "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN — Số: 45/BC-SKHCN, “Đánh giá” nội bộ năm 2026…".into(),
            "İstanbul ǅemal ß straße Æsir œuvre ﬁn Ωμέγα ΣΟΦΟΣ кириллица 漢字かな 한국어 ①②".into(),
            String::new(),
            "  \u{000C}\t".into(),
            "x̃ combining a\u{0301} marks; tab\tand\u{000C}page".into(),
        ];
        // Every character of the table and a stretch past it, in runs with ASCII between.
        let chars: Vec<char> = (0..0x3100).filter_map(char::from_u32).collect();
        for chunk in chars.chunks(7) {
            let mut text = String::new();
            for (at, c) in chunk.iter().enumerate() {
                text.push(*c);
                if at % 3 == 2 {
                    text.push_str(if at % 2 == 0 { "Ab1" } else { " " });
                }
            }
            texts.push(text);
        }
        for text in &texts {
            for form in [Form::Exact, Form::Folded] {
                let (expected, scanned) = both_ways(text, form);
                assert_eq!(scanned, expected, "{form:?} of {text:?}");
            }
        }
    }

    #[test]
    fn identifiers_are_one_folded_lowercase_value() {
        assert_eq!(identifier_form("19/2014/QĐ-TTg"), "19/2014/qd-ttg");
        assert_eq!(folded_tokens("19/2014/QĐ-TTg"), ["19", "2014", "qd", "ttg"]);
        assert_eq!(exact_tokens("Chấm ĐIỂM"), ["chấm", "điểm"]);
    }
}
