//! The engines measured: hoso in-process and over HTTP, and the baselines a team would
//! otherwise pick — SQLite FTS5 (`unicode61 remove_diacritics 2`) and PostgreSQL full-text
//! search (`unaccent` + `simple`) — over the same corpus, each asked for the first 20 hits and
//! the total count, only of documents in force (what the appraiser sees).

use hoso::names::Named;
use std::{collections::HashMap, sync::Arc};

use anyhow::Context;
use hoso::{
    domain::{Actor, search::SearchParams},
    search::SearchIndex,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

use crate::{corpus::Corpus, queries::Query};

const LIMIT: usize = 20;

/// Something that answers queries with corpus indices, best first.
pub enum Engine {
    HosoInProcess {
        db: DatabaseConnection,
        index: Arc<SearchIndex>,
        actor: Actor,
        agency_codes: Vec<String>,
        by_code: Arc<HashMap<String, usize>>,
    },
    HosoHttp {
        client: reqwest::Client,
        base: String,
        token: String,
        agency_codes: Vec<String>,
        by_code: Arc<HashMap<String, usize>>,
    },
    Fts5 {
        db: DatabaseConnection,
    },
    Postgres {
        db: DatabaseConnection,
    },
}

impl Engine {
    pub fn name(&self) -> &'static str {
        match self {
            Engine::HosoInProcess { .. } => "hoso (in-process)",
            Engine::HosoHttp { .. } => "hoso (HTTP)",
            Engine::Fts5 { .. } => "SQLite FTS5",
            Engine::Postgres { .. } => "PostgreSQL FTS",
        }
    }

    /// The first hits of `query`.
    pub async fn top(&self, query: &Query) -> anyhow::Result<Vec<usize>> {
        match self {
            Engine::HosoInProcess {
                db,
                index,
                actor,
                agency_codes,
                by_code,
            } => {
                let params = search_params(query, agency_codes, LIMIT);
                let response = hoso::domain::search::search(db, index, actor, &params).await?;
                Ok(response
                    .hits
                    .iter()
                    .filter_map(|hit| by_code.get(&hit.code).copied())
                    .collect())
            }
            Engine::HosoHttp {
                client,
                base,
                token,
                agency_codes,
                by_code,
            } => {
                let mut params = vec![("q", query.text.clone()), ("limit", LIMIT.to_string())];
                if let Some(n) = query.agency {
                    params.push(("agency", agency_codes[n].clone()));
                }
                if let Some(kind) = query.kind {
                    params.push(("kind", kind.as_str().to_owned()));
                }
                if query.as_of_today {
                    params.push(("as_of", hoso::clock::today().to_string()));
                }
                let response: serde_json::Value = client
                    .get(format!("{base}/api/v1/search"))
                    .bearer_auth(token)
                    .query(&params)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                Ok(response["hits"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|hit| hit["code"].as_str().and_then(|code| by_code.get(code)))
                    .copied()
                    .collect())
            }
            Engine::Fts5 { db } => {
                let (filter, mut values) = filters(query, 2);
                let matched = fts5_query(&query.text);
                values.insert(0, matched.into());
                let top = format!(
                    "SELECT rowid FROM docs WHERE docs MATCH $1 AND effective = 1{filter} \
                     ORDER BY bm25(docs, 10.0, 5.0, 1.0) LIMIT {LIMIT}"
                );
                let count = format!(
                    "SELECT COUNT(*) FROM docs WHERE docs MATCH $1 AND effective = 1{filter}"
                );
                run_pair(db, DbBackend::Sqlite, &top, &count, values).await
            }
            Engine::Postgres { db } => {
                let (filter, mut values) = filters(query, 2);
                values.insert(0, query.text.clone().into());
                let top = format!(
                    "SELECT n FROM hoso_bench.docs, websearch_to_tsquery('hoso_bench.vi', $1) q \
                     WHERE tsv @@ q AND effective{filter} ORDER BY ts_rank(tsv, q) DESC LIMIT {LIMIT}"
                );
                let count = format!(
                    "SELECT COUNT(*) FROM hoso_bench.docs \
                     WHERE tsv @@ websearch_to_tsquery('hoso_bench.vi', $1) AND effective{filter}"
                );
                run_pair(db, DbBackend::Postgres, &top, &count, values).await
            }
        }
    }
}

impl Engine {
    /// The snippet of the first hit, for the engines that make snippets (hoso in-process).
    pub async fn first_snippet(&self, query: &Query) -> anyhow::Result<Option<String>> {
        let Engine::HosoInProcess {
            db,
            index,
            actor,
            agency_codes,
            ..
        } = self
        else {
            return Ok(None);
        };
        let params = search_params(query, agency_codes, 1);
        let response = hoso::domain::search::search(db, index, actor, &params).await?;
        Ok(response.hits.first().map(|hit| hit.snippet.clone()))
    }
}

/// The query as hoso's search takes it.
fn search_params(query: &Query, agency_codes: &[String], limit: usize) -> SearchParams {
    SearchParams {
        q: Some(query.text.clone()),
        agency: query.agency.map(|n| agency_codes[n].clone()),
        kind: query.kind.map(|kind| kind.as_str().to_owned()),
        as_of: query.as_of_today.then(hoso::clock::today),
        limit: Some(limit),
        ..SearchParams::default()
    }
}

/// ` AND agency = $n AND kind = $m` for the query's filters, numbered from `first`.
fn filters(query: &Query, first: usize) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(agency) = query.agency {
        sql.push_str(&format!(" AND agency = ${}", first + values.len()));
        values.push((agency as i64).into());
    }
    if let Some(kind) = query.kind {
        sql.push_str(&format!(" AND kind = ${}", first + values.len()));
        values.push(kind.as_str().into());
    }
    (sql, values)
}

async fn run_pair(
    db: &DatabaseConnection,
    backend: DbBackend,
    top: &str,
    count: &str,
    values: Vec<Value>,
) -> anyhow::Result<Vec<usize>> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, top, values.clone()))
        .await
        .with_context(|| top.to_owned())?;
    db.query_one_raw(Statement::from_sql_and_values(backend, count, values))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get_by_index::<i64>(0)? as usize))
        .collect()
}

/// The user's query in FTS5 syntax, as a team would translate it: each word or "phrase"
/// quoted (so `-`, `/` and `:` in codes are not operators), a leading `-` as NOT.
pub fn fts5_query(text: &str) -> String {
    let mut terms = Vec::new();
    let mut negated = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (negative, body) = match rest.strip_prefix('-') {
            Some(body) if !body.is_empty() => (true, body),
            _ => (false, rest),
        };
        let (term, after) = if let Some(quoted) = body.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match body.find(char::is_whitespace) {
                Some(end) => (&body[..end], &body[end..]),
                None => (body, ""),
            }
        };
        if !term.trim().is_empty() {
            let quoted = format!("\"{}\"", term.replace('"', "\"\""));
            if negative {
                negated.push(quoted)
            } else {
                terms.push(quoted)
            }
        }
        rest = after.trim_start();
    }
    let mut query = terms.join(" ");
    for term in negated {
        query = format!("{query} NOT {term}");
    }
    query
}

/// Loads the corpus into a fresh SQLite FTS5 table in `path`.
pub async fn load_fts5(
    path: &std::path::Path,
    corpus: &Corpus,
) -> anyhow::Result<DatabaseConnection> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = sea_orm::Database::connect(&url).await?;
    db.execute_unprepared(
        "CREATE VIRTUAL TABLE docs USING fts5(code, title, body, agency UNINDEXED, \
         kind UNINDEXED, effective UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
    )
    .await
    .context("SQLite FTS5 (is the bundled SQLite built with FTS5?)")?;
    for chunk in corpus.docs.chunks(500) {
        let txn = sea_orm::TransactionTrait::begin(&db).await?;
        for doc in chunk {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO docs (rowid, code, title, body, agency, kind, effective) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (doc.n as i64).into(),
                    doc.code.clone().into(),
                    doc.title.clone().into(),
                    doc.body.clone().into(),
                    (doc.agency as i64).into(),
                    doc.kind.as_str().into(),
                    i64::from(doc.effective).into(),
                ],
            ))
            .await?;
        }
        txn.commit().await?;
    }
    db.execute_unprepared("INSERT INTO docs(docs) VALUES('optimize')")
        .await?;
    Ok(db)
}

/// Loads the corpus into PostgreSQL: schema `hoso_bench`, a text search configuration `vi`
/// (`simple` after `unaccent`), code and title weighted above the body, a GIN index.
pub async fn load_postgres(url: &str, corpus: &Corpus) -> anyhow::Result<DatabaseConnection> {
    let db = sea_orm::Database::connect(url).await?;
    for statement in [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "DROP SCHEMA IF EXISTS hoso_bench CASCADE",
        "CREATE SCHEMA hoso_bench",
        "CREATE TEXT SEARCH CONFIGURATION hoso_bench.vi (COPY = simple)",
        "ALTER TEXT SEARCH CONFIGURATION hoso_bench.vi \
         ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
        "CREATE TABLE hoso_bench.docs (n BIGINT PRIMARY KEY, agency BIGINT NOT NULL, \
         kind TEXT NOT NULL, effective BOOLEAN NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL, \
         body TEXT NOT NULL, tsv TSVECTOR GENERATED ALWAYS AS ( \
           setweight(to_tsvector('hoso_bench.vi', code), 'A') || \
           setweight(to_tsvector('hoso_bench.vi', title), 'B') || \
           to_tsvector('hoso_bench.vi', body)) STORED)",
    ] {
        db.execute_unprepared(statement)
            .await
            .with_context(|| statement.to_owned())?;
    }
    for chunk in corpus.docs.chunks(200) {
        let mut sql = String::from(
            "INSERT INTO hoso_bench.docs (n, agency, kind, effective, code, title, body) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
        for (row, doc) in chunk.iter().enumerate() {
            let base = row * 7;
            if row > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${})",
                base + 1,
                base + 2,
                base + 3,
                base + 4,
                base + 5,
                base + 6,
                base + 7
            ));
            values.extend([
                (doc.n as i64).into(),
                (doc.agency as i64).into(),
                doc.kind.as_str().into(),
                doc.effective.into(),
                doc.code.clone().into(),
                doc.title.clone().into(),
                doc.body.clone().into(),
            ]);
        }
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    }
    db.execute_unprepared("CREATE INDEX docs_tsv ON hoso_bench.docs USING GIN (tsv)")
        .await?;
    db.execute_unprepared("ANALYZE hoso_bench.docs").await?;
    Ok(db)
}

/// Removes what [`load_postgres`] made.
pub async fn drop_postgres(db: &DatabaseConnection) -> anyhow::Result<()> {
    db.execute_unprepared("DROP SCHEMA IF EXISTS hoso_bench CASCADE")
        .await?;
    Ok(())
}

/// Size of the PostgreSQL table with its indexes, in bytes.
pub async fn postgres_size(db: &DatabaseConnection) -> anyhow::Result<u64> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_total_relation_size('hoso_bench.docs')",
        ))
        .await?
        .context("no size")?;
    Ok(row.try_get_by_index::<i64>(0)? as u64)
}

#[cfg(test)]
mod tests {
    use super::fts5_query;

    #[test]
    fn user_queries_become_fts5_syntax_a_team_would_write() {
        assert_eq!(
            fts5_query("kiểm soát tài liệu"),
            r#""kiểm" "soát" "tài" "liệu""#
        );
        assert_eq!(
            fts5_query("QT-00123"),
            r#""QT-00123""#,
            "a code is not an operator"
        );
        assert_eq!(fts5_query(r#""đánh giá" nội"#), r#""đánh giá" "nội""#);
        assert_eq!(fts5_query("quy trình -nháp"), r#""quy" "trình" NOT "nháp""#);
        assert_eq!(fts5_query(r#""unbalanced"#), r#""unbalanced""#);
        assert_eq!(fts5_query("-"), r#""-""#, "a lone minus is a word");
    }
}
