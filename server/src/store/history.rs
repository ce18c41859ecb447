//! The hourly KPI history (`kpi_hourly`): written from the live engine, kept past retention.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};

/// One hour of one queue ('' for every queue): its KPIs as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct HourRow {
    /// Start of the hour (ms).
    pub hour_start_ms: i64,
    /// Queue id, or '' for every queue.
    pub queue_id: String,
    /// The hour's KPIs (JSON object).
    pub kpis: String,
}

/// Inserts or replaces hours.
pub async fn upsert<C: ConnectionTrait>(
    db: &C,
    rows: &[HourRow],
    now_ms: i64,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("kpi_hourly")).columns([
            Alias::new("hour_start_ms"),
            Alias::new("queue_id"),
            Alias::new("kpis"),
            Alias::new("updated_at_ms"),
        ]);
        for r in chunk {
            insert
                .values([
                    r.hour_start_ms.into(),
                    r.queue_id.clone().into(),
                    r.kpis.clone().into(),
                    now_ms.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        insert.on_conflict(
            OnConflict::columns([Alias::new("hour_start_ms"), Alias::new("queue_id")])
                .update_columns([Alias::new("kpis"), Alias::new("updated_at_ms")])
                .to_owned(),
        );
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Hours in `[from_ms, to_ms)` of the given queues ('' for every queue), oldest first.
pub async fn read<C: ConnectionTrait>(
    db: &C,
    from_ms: i64,
    to_ms: i64,
    queues: &[String],
) -> Result<Vec<HourRow>, DbErr> {
    let mut select = Query::select();
    select
        .columns([
            Alias::new("hour_start_ms"),
            Alias::new("queue_id"),
            Alias::new("kpis"),
        ])
        .from(Alias::new("kpi_hourly"))
        .and_where(Expr::col(Alias::new("hour_start_ms")).gte(from_ms))
        .and_where(Expr::col(Alias::new("hour_start_ms")).lt(to_ms))
        .and_where(Expr::col(Alias::new("queue_id")).is_in(queues.iter().cloned()))
        .order_by(Alias::new("hour_start_ms"), Order::Asc)
        .order_by(Alias::new("queue_id"), Order::Asc);
    let rows = db.query_all(&select).await?;
    rows.into_iter()
        .map(|r| {
            Ok(HourRow {
                hour_start_ms: r.try_get_by_index(0)?,
                queue_id: r.try_get_by_index(1)?,
                kpis: r.try_get_by_index(2)?,
            })
        })
        .collect()
}
