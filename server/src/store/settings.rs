//! Admin settings: one JSON value per key.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, InsertStatement, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};

/// The value of `key`, if set.
pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<String>, DbErr> {
    let mut select = Query::select();
    select
        .column(Alias::new("value"))
        .from(Alias::new("settings"))
        .and_where(Expr::col(Alias::new("key")).eq(key));
    match db.query_one(&select).await? {
        Some(row) => Ok(Some(row.try_get_by_index(0)?)),
        None => Ok(None),
    }
}

/// Sets `key` to `value`.
pub async fn set<C: ConnectionTrait>(db: &C, key: &str, value: &str) -> Result<(), DbErr> {
    let conflict = OnConflict::column(Alias::new("key"))
        .update_columns([Alias::new("value"), Alias::new("updated_at_ms")])
        .to_owned();
    db.execute(&insert(key, value, conflict)?).await?;
    Ok(())
}

/// The value of `key`, setting it to `value` first if it is not set (the first writer wins,
/// also between replicas).
pub async fn get_or_init<C: ConnectionTrait>(
    db: &C,
    key: &str,
    value: &str,
) -> Result<String, DbErr> {
    let conflict = OnConflict::column(Alias::new("key"))
        .do_nothing()
        .to_owned();
    db.execute(&insert(key, value, conflict)?).await?;
    get(db, key)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("setting {key} vanished")))
}

/// The row of `key` = `value`, with what to do when `key` is set.
fn insert(key: &str, value: &str, conflict: OnConflict) -> Result<InsertStatement, DbErr> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("settings"))
        .columns([
            Alias::new("key"),
            Alias::new("value"),
            Alias::new("updated_at_ms"),
        ])
        .values([key.into(), value.into(), super::now_ms().into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(conflict);
    Ok(insert)
}

/// Removes `key` (its default applies again).
pub async fn remove<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), DbErr> {
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("settings"))
        .and_where(Expr::col(Alias::new("key")).eq(key));
    db.execute(&delete).await?;
    Ok(())
}
