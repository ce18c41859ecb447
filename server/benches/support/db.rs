//! The benches' databases: a fresh SQLite file or a fresh PostgreSQL database per run, named
//! after the bench and the process so runs never share one.

use sea_orm::{ConnectionTrait, Database, Statement};
use server::db::DbKind;

/// A fresh, empty database of `kind` for bench `bench`; its URL.
pub async fn database(kind: DbKind, bench: &str) -> String {
    let name = format!("intraday_{bench}_{}", std::process::id());
    match kind {
        DbKind::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            format!("sqlite://{}?mode=rwc", path.display())
        }
        DbKind::Postgres => {
            let admin = Database::connect(&pg_url()).await.expect("PostgreSQL");
            let backend = admin.get_database_backend();
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                admin
                    .execute_raw(Statement::from_string(backend, sql))
                    .await
                    .expect("create db");
            }
            format!("{}/{name}", pg_url().rsplit_once('/').expect("url").0)
        }
    }
}

/// The PostgreSQL server the benches use (`INTRADAY_TEST_PG`).
pub fn pg_url() -> String {
    std::env::var("INTRADAY_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}
