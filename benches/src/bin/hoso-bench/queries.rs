//! The fixed query mix and what counts as a correct answer.

use hoso::names::Named;
use rand::{Rng, SeedableRng, seq::SliceRandom};
use rand_chacha::ChaCha8Rng;

use hoso::domain::text::fold_diacritics;

use hoso::domain::documents::DocumentKind;

use crate::corpus::{Corpus, Doc, LEGAL_NUMBERS};

/// What a query exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Words typed with diacritics.
    Accented,
    /// The same words typed without diacritics (đ→d).
    Unaccented,
    /// A quoted phrase, with or without diacritics.
    Phrase,
    /// A document code (`QT-00123`, `BM-03-QT00456`).
    Code,
    /// A legal number (`19/2014/QĐ-TTg`), sometimes typed without diacritics.
    LegalNumber,
    /// Words, narrowed to one agency and one kind.
    Filtered,
    /// Words, only versions in force today.
    AsOf,
    /// Five syllables standing together, in order, in one paper only (a role and a commune),
    /// typed with diacritics and unquoted, while other documents repeat them apart.
    Together,
    /// The same, typed without diacritics.
    TogetherUnaccented,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Accented,
        Category::Unaccented,
        Category::Phrase,
        Category::Code,
        Category::LegalNumber,
        Category::Filtered,
        Category::AsOf,
        Category::Together,
        Category::TogetherUnaccented,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Category::Accented => "accented words",
            Category::Unaccented => "unaccented words",
            Category::Phrase => "phrases",
            Category::Code => "document codes",
            Category::LegalNumber => "legal numbers",
            Category::Filtered => "agency + kind filter",
            Category::AsOf => "as-of today",
            Category::Together => "words together (accented)",
            Category::TogetherUnaccented => "words together (unaccented)",
        }
    }
}

/// What the first hit must satisfy.
#[derive(Debug, Clone)]
pub enum Expect {
    /// Contains every one of these words (lowercase, with diacritics).
    Words(Vec<String>),
    /// Contains this phrase (lowercase, with diacritics).
    Phrase(String),
    /// Is the document with this code.
    Code(String),
    /// Cites this legal number.
    Cites(&'static str),
    /// Is this document (the corpus index), the only one with the words together.
    Doc(usize),
}

/// One query of the mix.
#[derive(Debug, Clone)]
pub struct Query {
    pub category: Category,
    /// What the user types.
    pub text: String,
    /// Agency filter (corpus agency index).
    pub agency: Option<usize>,
    pub kind: Option<DocumentKind>,
    pub as_of_today: bool,
    pub expect: Expect,
}

/// Two or three consecutive words of a document's title subject.
fn words_from(rng: &mut ChaCha8Rng, doc: &Doc) -> String {
    let words: Vec<&str> = doc.title.split_whitespace().skip(1).collect();
    let take = rng.gen_range(2..=3).min(words.len());
    let start = rng.gen_range(0..=words.len() - take);
    words[start..start + take].join(" ").to_lowercase()
}

/// `per_category` queries of each category, drawn from the corpus with `seed`.
pub fn mix(corpus: &Corpus, per_category: usize, seed: u64) -> Vec<Query> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let effective: Vec<&Doc> = corpus.docs.iter().filter(|doc| doc.effective).collect();
    let naming: Vec<&Doc> = effective
        .iter()
        .copied()
        .filter(|doc| doc.person.is_some())
        .collect();
    let mut queries = Vec::new();
    for category in Category::ALL {
        for _ in 0..per_category {
            let pool = match category {
                Category::Together | Category::TogetherUnaccented => &naming,
                _ => &effective,
            };
            let Some(doc) = pool.choose(&mut rng).copied() else {
                return queries;
            };
            let words = words_from(&mut rng, doc);
            let expect_words = || Expect::Words(words.split(' ').map(str::to_owned).collect());
            let query = match category {
                Category::Accented => Query::plain(category, words.clone(), expect_words()),
                Category::Unaccented => {
                    Query::plain(category, fold_diacritics(&words), expect_words())
                }
                Category::Phrase => {
                    let typed = if rng.gen_bool(0.5) {
                        words.clone()
                    } else {
                        fold_diacritics(&words)
                    };
                    Query::plain(
                        category,
                        format!("\"{typed}\""),
                        Expect::Phrase(words.clone()),
                    )
                }
                Category::Code => {
                    Query::plain(category, doc.code.clone(), Expect::Code(doc.code.clone()))
                }
                Category::LegalNumber => {
                    let number = *LEGAL_NUMBERS.choose(&mut rng).unwrap_or(&LEGAL_NUMBERS[0]);
                    let typed = if rng.gen_bool(0.5) {
                        number.to_owned()
                    } else {
                        fold_diacritics(number)
                    };
                    Query::plain(category, typed, Expect::Cites(number))
                }
                Category::Filtered => Query {
                    agency: Some(doc.agency),
                    kind: Some(doc.kind),
                    ..Query::plain(category, words.clone(), expect_words())
                },
                Category::AsOf => Query {
                    as_of_today: true,
                    ..Query::plain(category, fold_diacritics(&words), expect_words())
                },
                Category::Together | Category::TogetherUnaccented => {
                    let person = doc.person.clone().unwrap_or_default();
                    let typed = match category {
                        Category::Together => person,
                        _ => fold_diacritics(&person),
                    };
                    Query::plain(category, typed, Expect::Doc(doc.n))
                }
            };
            queries.push(query);
        }
    }
    queries
}

impl Query {
    fn plain(category: Category, text: String, expect: Expect) -> Self {
        Self {
            category,
            text,
            agency: None,
            kind: None,
            as_of_today: false,
            expect,
        }
    }

    /// The query as typed, its category and filters, for the report.
    pub fn describe(&self) -> String {
        let mut out = format!("`{}` ({}", self.text, self.category.label());
        if let Some(agency) = self.agency {
            out.push_str(&format!(", agency {}", crate::ingest::agency_code(agency)));
        }
        if let Some(kind) = self.kind {
            out.push_str(&format!(", kind {}", kind.as_str()));
        }
        if self.as_of_today {
            out.push_str(", in force today");
        }
        out.push(')');
        out
    }

    /// Whether `first` (the first hit, a corpus index) answers the query.
    pub fn answered_by(&self, corpus: &Corpus, first: Option<usize>) -> bool {
        let Some(doc) = first.and_then(|n| corpus.docs.get(n)) else {
            return false;
        };
        if !doc.effective
            || self.agency.is_some_and(|agency| agency != doc.agency)
            || self.kind.is_some_and(|kind| kind != doc.kind)
        {
            return false;
        }
        let text = || format!("{}\n{}", doc.title, doc.body).to_lowercase();
        match &self.expect {
            Expect::Words(words) => {
                let text = text();
                words.iter().all(|word| text.contains(word.as_str()))
            }
            Expect::Phrase(phrase) => text().contains(phrase.as_str()),
            Expect::Code(code) => &doc.code == code,
            Expect::Cites(number) => doc.cites.contains(number),
            Expect::Doc(n) => doc.n == *n,
        }
    }
}
