//! Database access: connecting to SQLite or PostgreSQL, migrations, write transactions.

pub mod entities;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Connects to `url`: a `sqlite://` file (WAL, foreign keys, busy timeout) or `postgres://`.
/// Statements slower than `slow_query_ms` (0: none) are logged as warnings with their SQL; their
/// values never are.
pub async fn connect(url: &str, slow_query_ms: u64) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    if slow_query_ms == 0 {
        options.sqlx_logging(false);
    } else {
        options
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Off)
            .sqlx_slow_statements_logging_settings(
                log::LevelFilter::Warn,
                Duration::from_millis(slow_query_ms),
            );
    }
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        options.max_connections(8).map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 32 MB of page cache a connection (SQLite's default is 2 MB): the register's
                // indexes of a 100,000-document agency no longer fit in 2 MB, and a bulk import
                // then reads the same pages again and again.
                .pragma("cache_size", "-32768")
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes never fails on lock upgrade;
/// on PostgreSQL it is an ordinary transaction.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

/// Serialises, until the transaction ends, every writer that may record or remove the rows of
/// one blob: PostgreSQL takes a transaction-scoped advisory lock on the hash; on SQLite the
/// write transaction ([`begin_write`]) already holds the database's one write lock.
pub async fn lock_blob(txn: &DatabaseTransaction, sha256: &str) -> Result<(), DbErr> {
    if is_postgres(txn) {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [sha256.into()],
        ))
        .await?;
    }
    Ok(())
}

/// True when the connection talks to PostgreSQL.
pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}
