//! The legal numbers a file's text cites (`175/2024/NĐ-CP`, `Nghị định số 30/2020/NĐ-CP`,
//! `59/2020/QH14`, `TT 26/2014`…), kept page by page beside the text whenever the text is
//! stored, normalised as the legal register matches numbers. A citation that leaves the issuer
//! out (`TT 26/2014`) is kept as `26/2014/TT` and matches any issuer's.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

use crate::{
    db::entities::file_citation,
    domain::{DomainResult, documents::legal_refs::number_key, text::fold_diacritics},
};

/// One citation: the number as the text wrote it, and its key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cited {
    pub key: String,
    pub number: String,
}

/// Words before a number that say what kind of text it is, when the number leaves it out.
const KINDS: [(&str, &str); 12] = [
    ("tt", "TT"),
    ("thong tu", "TT"),
    ("nd", "NĐ"),
    ("nghi dinh", "NĐ"),
    ("qd", "QĐ"),
    ("quyet dinh", "QĐ"),
    ("nq", "NQ"),
    ("nghi quyet", "NQ"),
    ("ct", "CT"),
    ("chi thi", "CT"),
    ("ttlt", "TTLT"),
    ("thong tu lien tich", "TTLT"),
];

/// The legal numbers `text` cites, each once, in order of their keys.
pub fn scan(text: &str) -> Vec<Cited> {
    let text: String = text.nfc().collect();
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '-'))
        .filter(|token| !token.is_empty())
        .collect();
    let mut found = BTreeSet::new();
    for (index, raw) in tokens.iter().enumerate() {
        let token = raw.trim_matches(|c| c == '-' || c == '/');
        let parts: Vec<&str> = token.split('/').collect();
        let cited = match parts.as_slice() {
            [number, year, kind] if is_number(number) && is_year(year) && is_kind(kind) => {
                Some(format!("{number}/{year}/{kind}"))
            }
            [number, year] if is_number(number) && is_year(year) => {
                kind_before(&tokens[..index]).map(|kind| format!("{number}/{year}/{kind}"))
            }
            _ => None,
        };
        if let Some(number) = cited {
            found.insert(Cited {
                key: number_key(&number),
                number,
            });
        }
    }
    found.into_iter().collect()
}

fn is_number(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 8
        && text.chars().next().is_some_and(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_year(text: &str) -> bool {
    text.len() == 4
        && text
            .parse::<i32>()
            .is_ok_and(|year| (1945..=2100).contains(&year))
}

/// `NĐ-CP`, `QĐ-TTg`, `TT-BKHCN`, `QH14`, `TTLT-BNV-BTC`: capitals first, letters and digits.
fn is_kind(text: &str) -> bool {
    let mut pieces = text.split('-');
    let Some(first) = pieces.next() else {
        return false;
    };
    let capitals = |piece: &str| {
        piece.chars().next().is_some_and(char::is_uppercase)
            && piece.chars().all(char::is_alphanumeric)
    };
    capitals(first)
        && first
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        && pieces.all(|piece| !piece.is_empty() && piece.chars().all(char::is_alphanumeric))
}

/// The kind the one or two words before a number name (`TT 26/2014`, `Thông tư số 26/2014`).
fn kind_before(before: &[&str]) -> Option<&'static str> {
    let words: Vec<String> = before
        .iter()
        .rev()
        .take(4)
        .map(|word| fold_diacritics(word).to_lowercase())
        .filter(|word| word != "so")
        .collect();
    for length in [3, 2, 1] {
        if words.len() < length {
            continue;
        }
        let phrase: Vec<&str> = words[..length].iter().rev().map(String::as_str).collect();
        let phrase = phrase.join(" ");
        if let Some((_, kind)) = KINDS.iter().find(|(words, _)| *words == phrase) {
            return Some(kind);
        }
    }
    None
}

/// Forgets the citations of a file, or of one of its pages, before its text is stored again.
pub(crate) async fn clear(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    page: Option<i32>,
) -> DomainResult<()> {
    let mut delete =
        file_citation::Entity::delete_many().filter(file_citation::Column::FileId.eq(file_id));
    if let Some(page) = page {
        delete = delete.filter(file_citation::Column::Page.eq(page));
    }
    delete.exec(db).await?;
    Ok(())
}

/// Stores the citations of `pages` (the first being `first_page`) of a file whose citations of
/// those pages were cleared or never stored: no statement when they cite nothing.
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    file_id: Uuid,
    first_page: u32,
    pages: &[String],
) -> DomainResult<()> {
    let mut rows = Vec::new();
    for (offset, text) in pages.iter().enumerate() {
        let page = i32::try_from(first_page as usize + offset).unwrap_or(i32::MAX);
        for cited in scan(text) {
            rows.push(file_citation::ActiveModel {
                file_id: Set(file_id),
                page: Set(page),
                number_key: Set(cited.key.chars().take(100).collect()),
                number: Set(cited.number.chars().take(100).collect()),
            });
        }
    }
    for chunk in rows.chunks(500) {
        file_citation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        scan(text).into_iter().map(|cited| cited.key).collect()
    }

    #[test]
    fn legal_numbers_are_found_however_the_text_writes_them() {
        assert_eq!(
            keys(
                "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;"
            ),
            ["30/2020/ND-CP"]
        );
        assert_eq!(
            keys("theo 175/2024/NĐ-CP, Luật số 59/2020/QH14 và QĐ 19/2014/QĐ-TTg."),
            ["175/2024/ND-CP", "19/2014/QD-TTG", "59/2020/QH14"]
        );
        assert_eq!(keys("Thực hiện TT 26/2014 của Bộ KH&CN"), ["26/2014/TT"]);
        assert_eq!(keys("Thông tư số 26/2014 quy định"), ["26/2014/TT"]);
        // Dates, page numbers and fractions are not legal numbers.
        assert!(keys("ngày 05/3/2020, trang 3/10, tỷ lệ 98/100, mã 12/2024/abc").is_empty());
        assert_eq!(
            keys("số 30/2020/NĐ-CP và lại 30/2020/NĐ-CP"),
            ["30/2020/ND-CP"],
            "once each"
        );
    }
}

/// A legal number cited, the pages that cite it, and the reference of the register it names.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Citation {
    /// As the text wrote it (`30/2020/NĐ-CP`).
    pub number: String,
    /// As the register matches it.
    pub key: String,
    /// Pages (from 1) that cite it.
    pub pages: Vec<i32>,
    /// The reference of the legal register it names, when the register has it.
    pub legal_ref: Option<CitedRef>,
}

/// The register's reference a citation names.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CitedRef {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub status: crate::db::entities::legal_ref::LegalRefStatus,
    pub status_effective_on: Option<chrono::NaiveDate>,
}

/// The citations in the text of `files`, each number once with its pages, matched against the
/// legal register (a citation without its issuer matches the register's only number of that
/// kind, year and number). A fixed few queries.
pub async fn of_files(db: &impl ConnectionTrait, files: &[Uuid]) -> DomainResult<Vec<Citation>> {
    use std::collections::BTreeMap;

    use sea_orm::QueryOrder;

    use crate::db::entities::legal_ref;
    let rows = file_citation::Entity::find()
        .filter(file_citation::Column::FileId.is_in(files.to_vec()))
        .order_by_asc(file_citation::Column::NumberKey)
        .order_by_asc(file_citation::Column::Page)
        .all(db)
        .await?;
    let mut cited: BTreeMap<String, Citation> = BTreeMap::new();
    for row in rows {
        let entry = cited
            .entry(row.number_key.clone())
            .or_insert_with(|| Citation {
                number: row.number.clone(),
                key: row.number_key.clone(),
                pages: Vec::new(),
                legal_ref: None,
            });
        if !entry.pages.contains(&row.page) {
            entry.pages.push(row.page);
        }
    }
    if cited.is_empty() {
        return Ok(Vec::new());
    }
    let register = legal_ref::Entity::find().all(db).await?;
    for citation in cited.values_mut() {
        let whole = register
            .iter()
            .find(|known| known.number_key == citation.key);
        let prefix = format!("{}-", citation.key);
        let by_kind: Vec<&legal_ref::Model> = register
            .iter()
            .filter(|known| known.number_key.starts_with(&prefix))
            .collect();
        let matched = whole.or(match by_kind.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        citation.legal_ref = matched.map(|known| CitedRef {
            id: known.id,
            number: known.number.clone(),
            title: known.title.clone(),
            status: known.status,
            status_effective_on: known.status_effective_on,
        });
    }
    Ok(cited.into_values().collect())
}

/// Finds again the citations of every file from its stored text (files stored before citations
/// were kept, or after the scanner learnt a new form); `progress(done, total)` as files go.
/// Returns how many files were read.
pub async fn rebuild_all(
    db: &sea_orm::DatabaseConnection,
    mut progress: impl FnMut(u64, u64),
) -> DomainResult<u64> {
    use sea_orm::{QueryOrder, QuerySelect};

    use crate::db::entities::file;
    let ids: Vec<Uuid> = file::Entity::find()
        .select_only()
        .column(file::Column::Id)
        .order_by_asc(file::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let total = ids.len() as u64;
    let mut done = 0;
    for chunk in ids.chunks(200) {
        let texts = super::pages_of_many(db, chunk.iter().copied()).await?;
        let txn = crate::db::begin_write(db).await?;
        for id in chunk {
            let pages = texts.get(id).map_or(&[][..], Vec::as_slice);
            clear(&txn, *id, None).await?;
            insert(&txn, *id, 1, pages).await?;
        }
        txn.commit().await?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    Ok(total)
}
