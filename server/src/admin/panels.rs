//! Extra report panels of the Insights tab (the admin's Report panels page and `intraday panel …`):
//! kept as JSON in the `report_panels` setting; every change is audited.

use std::future::Future;
use std::pin::Pin;

use app::model::panel::{PanelKind, ReportPanel, check_url};
use app::model::problem::Problem;
use sea_orm::{DatabaseConnection, DbErr};

use crate::cli::PanelCommand;
use crate::config::Config;
use crate::db;
use crate::error::StartError;
use crate::store::{audit, settings};

const KEY: &str = "report_panels";

/// The panels, in order.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<ReportPanel>, DbErr> {
    Ok(settings::get(db, KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

async fn save(db: &DatabaseConnection, panels: &[ReportPanel]) -> Result<(), DbErr> {
    let value = serde_json::to_string(panels).map_err(|e| DbErr::Custom(e.to_string()))?;
    settings::set(db, KEY, &value).await
}

/// Validates a new panel: an http(s) `url` or an Insights `view` query, exactly one. The
/// error names the field (`title`, `url`, `view`).
pub fn build(
    id: u32,
    title: &str,
    url: Option<&str>,
    view: Option<&str>,
) -> Result<ReportPanel, (&'static str, Problem)> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 80 {
        return Err(("title", Problem::new("problem.panel_title", &[])));
    }
    let kind = match (url, view) {
        (Some(url), None) => {
            check_url(url).map_err(|e| ("url", e))?;
            PanelKind::Url(url.to_owned())
        }
        (None, Some(view)) => {
            let view = view.trim_start_matches('?');
            let pairs = view
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")));
            app::kpi::Query::from_pairs(pairs)
                .map_err(|e| ("view", Problem::new(app::error::filter_key(&e.field), &[])))?;
            PanelKind::View(view.to_owned())
        }
        _ => {
            return Err(("url", Problem::new("problem.panel_kind", &[])));
        }
    };
    Ok(ReportPanel {
        id,
        title: title.to_owned(),
        kind,
    })
}

/// Adds a panel as `actor` (audited); returns its id.
pub async fn add(
    db: &DatabaseConnection,
    actor: &str,
    title: &str,
    url: Option<&str>,
    view: Option<&str>,
) -> Result<Result<u32, (&'static str, Problem)>, DbErr> {
    let mut panels = list(db).await?;
    let id = panels.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    let p = match build(id, title, url, view) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    panels.push(p.clone());
    save(db, &panels).await?;
    audit::record(
        db,
        actor,
        "panel.add",
        &format!("panel:{id}"),
        serde_json::json!(p),
    )
    .await?;
    Ok(Ok(id))
}

/// Removes a panel as `actor` (audited); `false` when there is no such panel.
pub async fn remove(db: &DatabaseConnection, actor: &str, id: u32) -> Result<bool, DbErr> {
    let mut panels = list(db).await?;
    let before = panels.len();
    panels.retain(|p| p.id != id);
    if panels.len() == before {
        return Ok(false);
    }
    save(db, &panels).await?;
    audit::record(
        db,
        actor,
        "panel.remove",
        &format!("panel:{id}"),
        serde_json::json!({}),
    )
    .await?;
    Ok(true)
}

/// Runs `intraday panel …`.
pub async fn run(command: PanelCommand, config: &Config) -> Result<(), StartError> {
    let db_args = match &command {
        PanelCommand::Add(a) => &a.db,
        PanelCommand::List(d) => d,
        PanelCommand::Remove { db, .. } => db,
    };
    let db = db::connect_and_migrate(&db_args.url(config)).await?;
    match command {
        PanelCommand::List(_) => {
            let panels = list(&db).await.map_err(StartError::Database)?;
            for p in &panels {
                let (kind, value) = match &p.kind {
                    PanelKind::Url(u) => ("url", u.as_str()),
                    PanelKind::View(v) => ("view", v.as_str()),
                };
                println!("{}\t{}\t{kind}\t{value}", p.id, p.title);
            }
            return Ok(());
        }
        PanelCommand::Add(args) => {
            if args.url.is_some() == args.view.is_some() {
                return Err(StartError::Invalid(
                    "give either --url URL or --view QUERY".into(),
                ));
            }
            // The query's own words for what is wrong (the pages show the filter's text).
            if let Some(view) = &args.view {
                let pairs = view
                    .trim_start_matches('?')
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| p.split_once('=').unwrap_or((p, "")));
                app::kpi::Query::from_pairs(pairs).map_err(|e| {
                    StartError::Invalid(format!("--view: {}: {}", e.field, e.message))
                })?;
            }
            let id = add(
                &db,
                "cli",
                &args.title,
                args.url.as_deref(),
                args.view.as_deref(),
            )
            .await
            .map_err(StartError::Database)?
            .map_err(|(field, e)| StartError::Invalid(format!("--{field}: {e}")))?;
            println!("{id}");
        }
        PanelCommand::Remove { id, .. } => {
            if !remove(&db, "cli", id).await.map_err(StartError::Database)? {
                return Err(StartError::Invalid(format!(
                    "there is no panel {id}; see intraday panel list"
                )));
            }
        }
    }
    Ok(())
}

/// The server's [`app::server_fns::PanelSource`].
pub struct Panels(pub DatabaseConnection);

impl app::server_fns::PanelSource for Panels {
    fn panels(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<ReportPanel>, String>> + Send + '_>> {
        Box::pin(async move { list(&self.0).await.map_err(|e| e.to_string()) })
    }
}
