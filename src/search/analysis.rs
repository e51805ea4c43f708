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

    #[test]
    fn identifiers_are_one_folded_lowercase_value() {
        assert_eq!(identifier_form("19/2014/QĐ-TTg"), "19/2014/qd-ttg");
        assert_eq!(folded_tokens("19/2014/QĐ-TTg"), ["19", "2014", "qd", "ttg"]);
        assert_eq!(exact_tokens("Chấm ĐIỂM"), ["chấm", "điểm"]);
    }
}
